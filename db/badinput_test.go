package db

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vecdb/vecdb/query"
	"github.com/vecdb/vecdb/storage"
)

var updateBad = flag.Bool("update-bad", false, "rewrite the expected errors of testdata/bad/statements.txt")

// badLimits are the limits of the databases the catalogue and FuzzExec
// run against: small enough that every statement stays fast. The
// statement deadline only guards against a hang: a catalogue entry must
// fail with its own error, which 2 s, as it was, put at the mercy of a
// busy machine (FuzzExec sets a tighter deadline of its own and accepts
// it).
var badLimits = Limits{MaxK: 100, MaxRows: 5000, MaxStatementBytes: 1 << 20, MaxExprDepth: 32, Timeout: 30 * time.Second}

// seedSmallDB opens a new database at path with the given sandbox and
// limits, holding two collections: speeches (the first 300 rows of
// testdata/gensim_speeches.vec, DIM 32, no metadata) and items (DIM 4, 12
// rows with typed metadata fields and an HNSW index).
func seedSmallDB(t testing.TB, path, sandbox string, lim Limits) *DB {
	t.Helper()
	// Seed without the statement deadline, which is what some tests
	// check and which a busy machine can exceed while seeding; reopen
	// with lim afterwards.
	seedLim := lim
	seedLim.Timeout = 0
	d, err := Open(path, &Options{NoSync: true, Sandbox: sandbox, Limits: seedLim})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	f, err := os.Open("testdata/gensim_speeches.vec")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	no := false
	if _, err := d.ImportReader(ctx, "speeches", f, "gensim_speeches.vec", ImportOptions{Limit: 300, Index: &no}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Run(ctx, seedItems); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	d, err = Open(path, &Options{NoSync: true, Sandbox: sandbox, Limits: lim})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

const seedItems = `CREATE COLLECTION items (DIM 4, METRIC COSINE, title TEXT, year INT, score FLOAT, live BOOL);
INSERT INTO items (key, vector, title, year, score, live) VALUES
  ('a', [1, 0, 0, 0], 'Alpha', 1990, 0.5, true),
  ('b', [0, 1, 0, 0], 'Beta', 2000, 1.5, false),
  ('c', [0, 0, 1, 0], 'Gamma', 2010, 2.5, true),
  ('d', [1, 1, 0, 0], 'Delta', 2020, 3.5, false),
  ('e', [0, 1, 1, 1], 'Epsilon', 2021, 4.5, true),
  ('f', [1, 0, 1, 0], 'Zeta', 1999, -1.0, true),
  ('g', [0.5, 0.2, 0.1, 0.9], 'Eta', 2005, 0.0, false),
  ('h', [0.3, -0.7, 0.2, 0.1], 'Theta', 2011, 2.0, true),
  ('i', [-1, 0.5, 0.5, 0], 'Iota', 1980, 7.25, false),
  ('j', [0.1, 0.1, 0.1, 0.1], 'Kappa', 2015, 3.0, true),
  ('k', [2, -1, 0, 1], 'Lambda', 2016, 1.0, false),
  ('l', [0, 0, -1, 1], 'Mu', 2024, 9.5, true);
CREATE INDEX ON items USING HNSW WITH (m = 4, ef_construction = 16);`

// snapshot describes everything a statement could change in d, read
// from the file (not from cached views): every collection's catalog
// entry (dimension, metric, fields, parameters, source, index config,
// row count) and every row (id, key, count, vector bits, metadata, output
// weights), plus the index's header and node records. Times are left out.
func snapshot(t testing.TB, d *DB) []string {
	t.Helper()
	infos, err := d.Collections()
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(infos, func(i, j int) bool { return infos[i].Name < infos[j].Name })
	var out []string
	for _, in := range infos {
		params := make([]string, 0, len(in.Params))
		for k, v := range in.Params {
			params = append(params, k+"="+v)
		}
		sort.Strings(params)
		idx := "none"
		if in.Index != nil {
			idx = fmt.Sprintf("%+v", *in.Index)
		}
		out = append(out, fmt.Sprintf("collection %s dim=%d metric=%v fields=%v rows=%d source=%q params=%v index=%s",
			in.Name, in.Dim, in.Metric, in.Fields, in.Rows, in.Source, params, idx))
		err := d.view(in.Name, func(c *storage.Coll) error {
			m := *c.Meta()
			m.Created, m.Updated, m.Index = time.Time{}, time.Time{}, nil
			out = append(out, fmt.Sprintf("  meta %+v", m))
			if err := c.Scan(storage.ScanOptions{Output: true}, func(r *storage.Row) (bool, error) {
				out = append(out, fmt.Sprintf("  row %d %q count=%d vec=%s meta=%#v out=%s",
					r.ID, r.Key, r.Count, bitsOf(r.Vector), r.Meta, bitsOf(r.Output)))
				return true, nil
			}); err != nil {
				return err
			}
			out = append(out, fmt.Sprintf("  index header %x nodes=%d", c.IndexMeta(), c.IndexNodes()))
			return c.IndexScan(func(id uint32, rec []byte) error {
				out = append(out, fmt.Sprintf("  node %d %x", id, rec))
				return nil
			})
		})
		if err != nil {
			t.Fatalf("snapshot of %s: %v", in.Name, err)
		}
	}
	return out
}

func bitsOf(v []float32) string {
	if v == nil {
		return "nil"
	}
	var b strings.Builder
	for _, f := range v {
		fmt.Fprintf(&b, "%08x", math.Float32bits(f))
	}
	return b.String()
}

// sameSnapshot reports the first difference between two snapshots.
func sameSnapshot(a, b []string) (bool, string) {
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return false, fmt.Sprintf("line %d:\nbefore: %.300s\nafter:  %.300s", i, x, y)
		}
	}
	return true, ""
}

// badCase is one "-- bad:" entry of testdata/bad/statements.txt.
type badCase struct {
	name string
	line int
	stmt []string
	err  []string
}

func parseBad(t *testing.T, path string) (head []string, cases []*badCase) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cur *badCase
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "-- bad:"):
			cur = &badCase{name: strings.TrimSpace(strings.TrimPrefix(line, "-- bad:")), line: n}
			cases = append(cases, cur)
		case cur == nil:
			head = append(head, line)
		case strings.HasPrefix(line, "-- error:"):
			cur.err = append(cur.err, strings.TrimPrefix(strings.TrimPrefix(line, "-- error:"), " "))
		case len(cur.err) == 0 && (strings.TrimSpace(line) != "" || len(cur.stmt) > 0):
			cur.stmt = append(cur.stmt, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return head, cases
}

// expandBad replaces the placeholders of the catalogue: $OUTSIDE (a
// directory beside the sandbox), $XFF (the byte 0xff, invalid UTF-8),
// $DEEP (an expression nested 40 levels, above the limit of 32) and $MEGA
// (a string literal of 1 MiB, above MaxStatementBytes) and $KEY40K (a
// string literal of 40,000 k's, above MaxKeyBytes).
func expandBad(s, outside string) string {
	s = strings.ReplaceAll(s, "$OUTSIDE", outside)
	s = strings.ReplaceAll(s, "$XFF", "\xff")
	s = strings.ReplaceAll(s, "$DEEP", strings.Repeat("(", 40)+"'war'"+strings.Repeat(")", 40))
	s = strings.ReplaceAll(s, "$MEGA", "'"+strings.Repeat("x", 1<<20)+"'")
	s = strings.ReplaceAll(s, "$KEY40K", "'"+strings.Repeat("k", 40000)+"'")
	return s
}

// badEnv copies testdata/bad into a fresh sandbox, adds links that escape
// it, and opens a seeded database (outside the sandbox) confined to it.
func badEnv(t *testing.T) (d *DB, box, outside string) {
	top := t.TempDir()
	box = filepath.Join(top, "box")
	outside = filepath.Join(top, "outside")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(box, os.DirFS("testdata/bad")); err != nil {
		t.Fatal(err)
	}
	// A valid file outside: were the sandbox to let a path through, the
	// import would succeed and change the database.
	secret := filepath.Join(outside, "secret.vec")
	if err := os.WriteFile(secret, []byte("2 4\nalpha 1 2 3 4\nbeta 1 2 3 4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"escape.vec": secret, "escdir": outside, "dangling.txt": filepath.Join(outside, "new.txt")} {
		if err := os.Symlink(target, filepath.Join(box, name)); err != nil {
			t.Skipf("symlinks: %v", err)
		}
	}
	d = seedSmallDB(t, filepath.Join(top, "bad.vdb"), box, badLimits)
	t.Cleanup(func() { d.Close() })
	return d, box, outside
}

// TestBadInputCatalogue runs every entry of testdata/bad/statements.txt:
// the statement must fail with exactly the error written under it, a
// positioned *query.Error, and leave the database exactly as it was.
func TestBadInputCatalogue(t *testing.T) {
	const file = "testdata/bad/statements.txt"
	head, cases := parseBad(t, file)
	if len(cases) < 60 {
		t.Errorf("the catalogue has %d entries, want at least 60", len(cases))
	}
	d, box, outside := badEnv(t)
	ctx := context.Background()
	before := snapshot(t, d)
	names := map[string]bool{}
	for _, c := range cases {
		if names[c.name] {
			t.Errorf("%s:%d: entry %q appears twice", file, c.line, c.name)
		}
		names[c.name] = true
		src := expandBad(strings.TrimSpace(strings.Join(c.stmt, "\n")), outside)
		_, err := d.Run(ctx, src)
		if err == nil {
			t.Errorf("%s:%d %s: no error", file, c.line, c.name)
			if *updateBad {
				c.err = []string{"(no error)"}
			}
			continue
		}
		var qe *query.Error
		var ql query.ErrorList
		if !errors.As(err, &qe) && !errors.As(err, &ql) {
			t.Errorf("%s:%d %s: error without a position: %v", file, c.line, c.name, err)
		}
		msg := strings.ReplaceAll(err.Error(), box, "$BOX")
		msg = strings.ReplaceAll(msg, outside, "$OUTSIDE")
		got := strings.Split(msg, "\n")
		if *updateBad {
			c.err = got
		} else if strings.Join(got, "\n") != strings.Join(c.err, "\n") {
			t.Errorf("%s:%d %s:\n%.300s\ngot:\n%s\nwant:\n%s", file, c.line, c.name, src, msg, strings.Join(c.err, "\n"))
		}
		after := snapshot(t, d)
		if ok, diff := sameSnapshot(before, after); !ok {
			t.Errorf("%s:%d %s changed the database: %s", file, c.line, c.name, diff)
			before = after
		}
		if _, err := os.Lstat(filepath.Join(outside, "new.txt")); err == nil {
			t.Errorf("%s:%d %s wrote outside the sandbox", file, c.line, c.name)
		}
	}
	rep, err := d.Check(ctx, "")
	if err != nil || !rep.OK() {
		t.Errorf("Check after the catalogue: %v %v", err, rep)
	}
	if *updateBad {
		var b strings.Builder
		for _, l := range head {
			b.WriteString(l + "\n")
		}
		for i, c := range cases {
			if i > 0 {
				b.WriteString("\n")
			}
			b.WriteString("-- bad: " + c.name + "\n")
			for _, l := range c.stmt {
				b.WriteString(l + "\n")
			}
			for _, l := range c.err {
				b.WriteString("-- error: " + l + "\n")
			}
		}
		if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d entries", len(cases))
}

// TestLimitsTimeout runs a TRAIN that would take far longer than
// Limits.Timeout: it must stop with the deadline and leave the database
// as it was (no half-trained collection).
func TestLimitsTimeout(t *testing.T) {
	top := t.TempDir()
	box := filepath.Join(top, "box")
	if err := os.MkdirAll(box, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("../trainer/testdata/factbook.txt.gz")
	if err != nil {
		t.Skip(err)
	}
	if err := os.WriteFile(filepath.Join(box, "corpus.txt.gz"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	lim := badLimits
	lim.Timeout = 300 * time.Millisecond
	d := seedSmallDB(t, filepath.Join(top, "t.vdb"), box, lim)
	defer d.Close()
	ctx := context.Background()
	before := snapshot(t, d)
	for _, src := range []string{
		"TRAIN slow FROM 'corpus.txt.gz' WITH (epochs = 1000, min_count = 1, dim = 64, threads = 1)",
		"TRAIN speeches FROM 'corpus.txt.gz' WITH (epochs = 1000, min_count = 1, threads = 1)",
	} {
		start := time.Now()
		_, err := d.Run(ctx, src)
		took := time.Since(start)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: got %v, want the deadline", src, err)
		}
		// Generous for a busy machine; a TRAIN that ignored the deadline
		// would run its 1000 epochs for many minutes.
		if took > 30*time.Second {
			t.Errorf("%s: stopped after %v, the limit is %v", src, took, lim.Timeout)
		}
		if ok, diff := sameSnapshot(before, snapshot(t, d)); !ok {
			t.Errorf("%s changed the database: %s", src, diff)
		}
	}
	if rep, err := d.Check(ctx, ""); err != nil || !rep.OK() {
		t.Errorf("Check: %v %v", err, rep)
	}
}
