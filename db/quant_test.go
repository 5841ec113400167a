package db

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/ann"
	"github.com/vecdb/vecdb/query"
)

// int8DB is a collection "c" of n clustered vectors, and one row "probe"
// whose int8 codes are known: (i+1)/16 for i < 16 quantizes to
// round((i+1)*127/16), a byte sequence that appears once in the file.
func int8DB(t *testing.T, n int) (*DB, string) {
	t.Helper()
	r := rand.New(rand.NewSource(15))
	path := filepath.Join(t.TempDir(), "q.vdb")
	d, err := Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	const dim = 16
	c, err := d.CreateCollection(bg, Spec{Name: "c", Dim: dim}, false)
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]Row, n, n+1)
	for i, v := range clustered(r, n, dim, 20) {
		rows[i] = Row{Key: fmt.Sprint("k", i), Vector: v}
	}
	probe := make([]float32, dim)
	for i := range probe {
		probe[i] = float32(i+1) / 16
	}
	rows = append(rows, Row{Key: "probe", Vector: probe})
	if err := c.Insert(bg, rows...); err != nil {
		t.Fatal(err)
	}
	return d, path
}

// probeCodes is the start of the probe's codes (the 8th, 63.5, could
// round either way).
func probeCodes() []byte {
	b := make([]byte, 7)
	for i := range b {
		b[i] = byte((2*(i+1)*127 + 16) / 32) // round((i+1)*127/16)
	}
	return b
}

func queryCells(t *testing.T, d *DB, q string) map[string]string {
	t.Helper()
	res, err := d.Query(bg, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	out := map[string]string{}
	for _, row := range res.Rows {
		out[fmt.Sprint(row[0])] = fmt.Sprint(row[len(row)-1])
	}
	return out
}

// TestInt8Index: CREATE INDEX … WITH (quantize = 'int8', rescore = N)
// answers as the float32 index does (exact similarities, same recall),
// shows the quantization in DESCRIBE, SHOW STATS and EXPLAIN, keeps it
// through writes and a reopen, and passes CHECK.
func TestInt8Index(t *testing.T) {
	d, path := int8DB(t, 3000)
	res, err := d.Exec(bg, "CREATE INDEX ON c USING HNSW WITH (quantize = 'INT8', rescore = 3, m = 12, threads = 1)")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Message, "quantize=int8, rescore=3") {
		t.Errorf("message %q", res.Message)
	}
	if got := queryCells(t, d, "DESCRIBE c")["index"]; got != "HNSW (m=12, ef_construction=200, ef_search=64, quantize=int8, rescore=3)" {
		t.Errorf("DESCRIBE index: %q", got)
	}
	st := queryCells(t, d, "SHOW STATS c")
	if st["index_quantize"] != "int8" || st["index_rescore"] != "3" || st["bytes_per_vector"] == "" || st["index_bytes_per_vector"] == "" {
		t.Errorf("SHOW STATS: %v", st)
	}
	ex, err := d.Query(bg, "EXPLAIN SELECT NEAREST 10 TO 'k1' FROM c")
	if err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprint(ex.Rows); !strings.Contains(s, "HNSW search (m=12, ef_search=64, int8 walk, 71 candidates rescored with float32 (rescore=3)) over 3001 rows") {
		t.Errorf("EXPLAIN: %s", s)
	}
	ex, err = d.Query(bg, "EXPLAIN SELECT NEAREST 30 TO 'k1' FROM c")
	if err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprint(ex.Rows); !strings.Contains(s, "int8 walk, 90 candidates rescored with float32 (rescore=3)") {
		t.Errorf("EXPLAIN with k×rescore above ef_search: %s", s)
	}
	c := mustCollection(t, d, "c")
	v, _ := c.View()
	r := rand.New(rand.NewSource(2))
	queries := clustered(r, 40, 16, 20)
	opts := func() *SearchOptions { return &SearchOptions{EfSearch: 40} }
	rec := recallAt(t, v, queries, 10, opts)
	// The same graph without codes (same seed; every build on one thread,
	// the statement's above included, so that the links are the same
	// whatever the machine's load) answers at equal ef_search with a
	// recall at most 0.005 higher.
	if err := d.CreateIndex(bg, "c", IndexConfig{M: 12, Quantize: "int8", Rescore: 1}, 1); err != nil {
		t.Fatal(err)
	}
	v1, _ := c.View()
	rec1 := recallAt(t, v1, queries, 10, opts)
	if err := d.CreateIndex(bg, "c", IndexConfig{M: 12}, 1); err != nil {
		t.Fatal(err)
	}
	vf, _ := c.View()
	recf := recallAt(t, vf, queries, 10, opts)
	t.Logf("recall@10 at ef_search 40: float32 %.4f, int8 rescore 1 %.4f, int8 rescore 3 %.4f", recf, rec1, rec)
	if rec1 < recf-0.005 || rec < recf-0.005 {
		t.Errorf("int8 recall@10 %.4f (rescore 1) %.4f (rescore 3), float32 %.4f", rec1, rec, recf)
	}
	if err := d.CreateIndex(bg, "c", IndexConfig{M: 12, Quantize: "int8", Rescore: 3}, 2); err != nil {
		t.Fatal(err)
	}
	v, _ = c.View()
	// Similarities are the exact ones (rescored with float32).
	for _, q := range queries[:5] {
		a, _ := v.Search(bg, q, 5, nil)
		e, _ := v.Search(bg, q, 5, &SearchOptions{Exact: true})
		for i := range a {
			if a[i].Key == e[i].Key && math.Abs(float64(a[i].Similarity-e[i].Similarity)) > 1e-6 {
				t.Fatalf("%s: similarity %g, exact %g", a[i].Key, a[i].Similarity, e[i].Similarity)
			}
		}
	}
	// Writes keep the codes: an inserted row is found by its own vector.
	if err := c.Insert(bg, Row{Key: "new", Vector: queries[7]}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Delete(bg, "k3"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	d, err = Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	v, _ = mustCollection(t, d, "c").View()
	if v.Info().Index.Quantize != "int8" || v.Info().Index.Rescore != 3 {
		t.Fatalf("after reopen: %+v", v.Info().Index)
	}
	hits, err := v.Search(bg, queries[7], 1, nil)
	if err != nil || len(hits) != 1 || hits[0].Key != "new" {
		t.Fatalf("inserted row after reopen: %v %v", hits, err)
	}
	idx, err := v.loadedIndex()
	if err != nil || idx == nil || !idx.Int8() {
		t.Fatalf("loaded index: %v %v", idx, err)
	}
	if _, err := d.Query(bg, "CHECK c"); err != nil {
		t.Fatalf("CHECK: %v", err)
	}
	// VACUUM keeps the codes and the settings.
	if _, err := d.Exec(bg, "VACUUM"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Query(bg, "CHECK c"); err != nil {
		t.Fatalf("CHECK after VACUUM: %v", err)
	}
	if st := queryCells(t, d, "SHOW STATS c"); st["index_quantize"] != "int8" || st["index_rescore"] != "3" {
		t.Errorf("SHOW STATS after VACUUM: %v", st)
	}
	v, _ = mustCollection(t, d, "c").View()
	if hits, err := v.Search(bg, queries[7], 1, nil); err != nil || len(hits) != 1 || hits[0].Key != "new" {
		t.Fatalf("search after VACUUM: %v %v", hits, err)
	}
	// Rebuilding without the option goes back to float32 only.
	if _, err := d.Exec(bg, "CREATE INDEX ON c"); err != nil {
		t.Fatal(err)
	}
	if st := queryCells(t, d, "SHOW STATS c"); st["index_quantize"] != "none" || st["index_rescore"] != "" {
		t.Errorf("SHOW STATS after a float32 rebuild: %v", st)
	}
}

// TestInt8DamagedCodes: a changed int8 code in the file is found by CHECK,
// and searches report ErrCorrupt instead of answering from it.
func TestInt8DamagedCodes(t *testing.T) {
	// The codes of the node records alone (graphseg_test.go damages the
	// segment's).
	writeGraphSegments = false
	defer func() { writeGraphSegments = true }()
	d, path := int8DB(t, 300)
	if err := d.CreateIndex(bg, "c", IndexConfig{Quantize: "int8"}, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Query(bg, "CHECK c"); err != nil {
		t.Fatalf("CHECK before the damage: %v", err)
	}
	d.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	codes := probeCodes()
	i := bytes.Index(raw, codes)
	if i < 0 || bytes.Index(raw[i+1:], codes) >= 0 {
		t.Fatalf("want the probe's codes once in the file, found them at %d", i)
	}
	raw[i+5] ^= 0x04
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	d, err = Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Query(bg, "CHECK c"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("CHECK of damaged codes: %v", err)
	}
	if _, err := d.Query(bg, "SELECT NEAREST 3 TO 'probe' FROM c"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("search over damaged codes: %v", err)
	}
}

// TestInt8OptionsRefused: wrong values of quantize and rescore, rescore
// without int8, and the options where they do not belong are refused
// with ErrInvalid (at the value, through the language) and change nothing.
func TestInt8OptionsRefused(t *testing.T) {
	d, _ := int8DB(t, 50)
	defer d.Close()
	for _, q := range []string{
		"CREATE INDEX ON c WITH (quantize = 'int4')",
		"CREATE INDEX ON c WITH (quantize = 8)",
		"CREATE INDEX ON c WITH (rescore = 4)",
		"CREATE INDEX ON c WITH (quantize = 'none', rescore = 4)",
		"CREATE INDEX ON c WITH (quantize = 'int8', rescore = 0)",
		"CREATE INDEX ON c WITH (quantize = 'int8', rescore = 101)",
		"SELECT NEAREST 3 TO 'k1' FROM c WITH (quantize = 'int8')",
		"CREATE INDEX ON c USING IVF WITH (quantize = 'int8')",
	} {
		_, err := d.Exec(bg, q)
		var qe *query.Error
		if !errors.As(err, &qe) || strings.Contains(q, "'int4'") && !errors.Is(err, ErrInvalid) ||
			strings.Contains(q, "(rescore = 4") && !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", q, err)
		}
		t.Logf("%s: %v", q, err)
	}
	for _, cfg := range []IndexConfig{{Quantize: "int4"}, {Rescore: 2}, {Quantize: "int8", Rescore: ann.MaxRescore + 1}} {
		if err := d.CreateIndex(bg, "c", cfg, 1); !errors.Is(err, ErrInvalid) {
			t.Errorf("CreateIndex(%+v): %v", cfg, err)
		}
	}
	v, _ := mustCollection(t, d, "c").View()
	if v.Info().Index != nil {
		t.Fatalf("a refused CREATE INDEX left an index: %+v", v.Info().Index)
	}
	// quantize = 'none' is the float32 index.
	if _, err := d.Exec(bg, "CREATE INDEX ON c WITH (quantize = 'none')"); err != nil {
		t.Fatal(err)
	}
	if got := queryCells(t, d, "DESCRIBE c")["index"]; got != "HNSW (m=16, ef_construction=200, ef_search=64)" {
		t.Errorf("DESCRIBE: %q", got)
	}
}

// TestInt8KeptByImport: IMPORT over a collection with an int8 index builds
// the new graph with int8 codes too (the index settings carry over).
func TestInt8KeptByImport(t *testing.T) {
	d, path := int8DB(t, 200)
	defer d.Close()
	if _, err := d.Exec(bg, "CREATE INDEX ON c WITH (quantize = 'int8', rescore = 2)"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(filepath.Dir(path), "c.vec")
	if _, err := d.Exec(bg, "EXPORT c TO "+query.QuoteString(file)); err != nil {
		t.Fatal(err)
	}
	res, err := d.Exec(bg, "IMPORT INTO c FROM "+query.QuoteString(file))
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res.Message)
	if got := queryCells(t, d, "DESCRIBE c")["index"]; !strings.HasSuffix(got, "quantize=int8, rescore=2)") {
		t.Errorf("DESCRIBE after IMPORT: %q", got)
	}
	v, _ := mustCollection(t, d, "c").View()
	idx, err := v.loadedIndex()
	if err != nil || idx == nil || !idx.Int8() {
		t.Fatalf("index after IMPORT: %v %v", idx, err)
	}
	if _, err := d.Query(bg, "CHECK c"); err != nil {
		t.Fatalf("CHECK: %v", err)
	}
}

// TestCreateIndexKeepsNoSecondCopy: right after CREATE INDEX, the
// collection holds in memory what it holds after the database is reopened
// (the built graph's own copy of the vectors is not kept), and answers the
// same.
func TestCreateIndexKeepsNoSecondCopy(t *testing.T) {
	for _, quant := range []string{"", ", quantize = 'int8'"} {
		d, path := int8DB(t, 3000)
		if _, err := d.Exec(bg, "CREATE INDEX ON c USING HNSW WITH (m = 12, threads = 1"+quant+")"); err != nil {
			t.Fatal(err)
		}
		const q = "SELECT NEAREST 10 TO 'k7' FROM c"
		before, err := d.Query(bg, q)
		if err != nil {
			t.Fatal(err)
		}
		st := queryCells(t, d, "SHOW STATS c")
		d.Close()
		d2, err := Open(path, &Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		after, err := d2.Query(bg, q)
		if err != nil {
			t.Fatal(err)
		}
		st2 := queryCells(t, d2, "SHOW STATS c")
		d2.Close()
		if fmt.Sprint(before.Rows) != fmt.Sprint(after.Rows) {
			t.Errorf("%q: answers after CREATE INDEX %v, after reopening %v", quant, before.Rows, after.Rows)
		}
		for _, k := range []string{"bytes_per_vector", "index_bytes_per_vector"} {
			if st[k] == "" || st[k] != st2[k] {
				t.Errorf("%q: %s %q right after CREATE INDEX, %q after reopening", quant, k, st[k], st2[k])
			}
		}
	}
}

// TestStatsBytesPerVector: SHOW STATS counts in bytes_per_vector what the
// process holds: the index's heap (after a reopen the compact graph, the
// int8 codes, and for float32 the graph's copy of the vectors) plus the
// view's float32 vectors when they are on the heap; vectors read in place
// from the file are mapped_bytes_per_vector. After a reopen an int8 graph
// holds no float32 vector.
func TestStatsBytesPerVector(t *testing.T) {
	const dim, m = 16, 12
	num := func(st map[string]string, k string) float64 {
		t.Helper()
		f, err := strconv.ParseFloat(st[k], 64)
		if err != nil {
			t.Fatalf("%s: %q", k, st[k])
		}
		return f
	}
	for _, quant := range []string{"", ", quantize = 'int8'"} {
		d, path := int8DB(t, 3000)
		if _, err := d.Exec(bg, "CREATE INDEX ON c USING HNSW WITH (m = 12, threads = 1"+quant+")"); err != nil {
			t.Fatal(err)
		}
		d.Close()
		d, err := Open(path, &Options{NoSync: true, ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Query(bg, "SELECT NEAREST 10 TO 'k7' FROM c"); err != nil {
			t.Fatal(err)
		}
		v, _ := mustCollection(t, d, "c").View()
		st := queryCells(t, d, "SHOW STATS c")
		if !v.InPlace() {
			t.Fatal("the reopened view does not read its vectors in place")
		}
		d.Close()
		t.Logf("%q reopened: index %s, held %s, mapped %s", quant, st["index_bytes_per_vector"], st["bytes_per_vector"], st["mapped_bytes_per_vector"])
		// The graph is read in place from its segment: nothing held;
		// mapped are the vectors, the compact links (well under the 2m+1
		// words a node the padded layout takes on layer 0 alone), a level
		// and an offset per node and the int8 codes (dim + 4).
		own := 4.0*dim + 1 + 4
		if quant != "" {
			own += dim + 4
		}
		mapped := num(st, "mapped_bytes_per_vector")
		if st["graph_in_place"] != "true" || num(st, "index_bytes_per_vector") != 0 || num(st, "bytes_per_vector") != 0 ||
			mapped < own || mapped > own+4*(2*m+1) {
			t.Errorf("%q reopened: %v", quant, st)
		}
	}

	// After a write the graph is loaded whole, with its own copy of the
	// vectors once it changes, and the next view reads the collection's
	// in place: those are mapped, not held.
	d, _ := int8DB(t, 3000)
	if _, err := d.Exec(bg, "CREATE INDEX ON c USING HNSW WITH (m = 12, threads = 1, quantize = 'int8')"); err != nil {
		t.Fatal(err)
	}
	extra := make([]float32, dim)
	extra[3] = 1
	if err := mustCollection(t, d, "c").Insert(bg, Row{Key: "extra", Vector: extra}); err != nil {
		t.Fatal(err)
	}
	v, _ := mustCollection(t, d, "c").View()
	if !v.InPlace() {
		t.Fatal("the view after the write does not read its vectors in place")
	}
	st := queryCells(t, d, "SHOW STATS c")
	d.Close()
	t.Logf("after a write: index %s, held %s, mapped %s", st["index_bytes_per_vector"], st["bytes_per_vector"], st["mapped_bytes_per_vector"])
	idx := num(st, "index_bytes_per_vector")
	if idx < 4*dim+dim+4 || num(st, "bytes_per_vector") != idx || num(st, "mapped_bytes_per_vector") != 4*dim || st["graph_in_place"] != "false" {
		t.Errorf("after a write: %v", st)
	}
}

// TestStatsFillsPastZeroVectors: the zero vectors an IMPORT keeps in a
// COSINE collection are no nodes of its graph, so they never fill; SHOW
// STATS still measures the graph searches use, filled, with the vectors
// in place, instead of loading it whole.
func TestStatsFillsPastZeroVectors(t *testing.T) {
	const n, dim = 2000, 8
	r := rand.New(rand.NewSource(3))
	var b strings.Builder
	fmt.Fprintf(&b, "%d %d\n", n, dim)
	for i := 0; i < n; i++ {
		b.WriteString(fmt.Sprint("w", i))
		for j := 0; j < dim; j++ {
			x := r.Float32() - 0.5
			if i%500 == 7 {
				x = 0
			}
			fmt.Fprintf(&b, " %g", x)
		}
		b.WriteString("\n")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "z.vec")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "z.vdb")
	d, err := Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(bg, "IMPORT INTO c FROM "+query.QuoteString(file)+"; CREATE INDEX ON c USING HNSW WITH (threads = 1, quantize = 'int8')"); err != nil {
		t.Fatal(err)
	}
	dropSegment(t, d, "c") // the graph opened lazily (graphseg_test.go: in place)
	d.Close()
	if d, err = Open(path, &Options{NoSync: true, ReadOnly: true}); err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	v, _ := mustCollection(t, d, "c").View()
	st := queryCells(t, d, "SHOW STATS c")
	idx, err := v.loadedIndex()
	if err != nil || idx == nil || !idx.Lazy() || idx.Filled() != idx.Len() || idx.Len() != n-4 {
		t.Fatalf("graph after SHOW STATS: %v, lazy %v, filled %d of %d", err, idx != nil && idx.Lazy(), idx.Filled(), idx.Len())
	}
	if !v.InPlace() || st["mapped_bytes_per_vector"] != fmt.Sprint(4*dim) || st["bytes_per_vector"] != st["index_bytes_per_vector"] {
		t.Errorf("in place %v, stats %v", v.InPlace(), st)
	}
}
