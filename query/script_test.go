package query_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/db"
	_ "github.com/vecdb/vecdb/format/parquet" // FORMAT PARQUET and .parquet files in files.vq
	_ "github.com/vecdb/vecdb/plotfile"       // PROJECT … TO 'p.svg' in utility.vq
	"github.com/vecdb/vecdb/query"
)

var update = flag.Bool("update", false, "rewrite the expected results of testdata/*.vq")

// seedVectors is the gensim word2vec file every script starts from, as the
// collection "speeches".
const seedVectors = "../db/testdata/gensim_speeches.vec"

// openSeeded returns a fresh database holding the collection speeches
// (2000 keys, DIM 32, trained by gensim on State of the Union speeches).
func openSeeded(t testing.TB) *db.DB {
	t.Helper()
	dir := t.TempDir()
	d, err := db.Open(filepath.Join(dir, "test.vdb"), &db.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Import(context.Background(), "speeches", seedVectors, db.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return d
}

// scriptCase is one "-- test:" block of a .vq file.
type scriptCase struct {
	name    string
	line    int      // line of the "-- test:" header
	stmt    []string // statement lines
	result  []string // expected rows or messages
	err     []string // expected error lines
	isError bool
	args    []string // "-- args:" and "-- named:" lines, as written
}

// parseScript reads the house format: "-- test: name", the statement
// lines, then "-- result:" and one line per row (or message), or
// "-- error: text" (one such line per line of the error). Values for the
// statement's placeholders follow it: "-- args: 5, 'war'" (positional) and
// "-- named: k = 5, v = [0.1, 0.2]" (:k and :v), literals of the language.
func parseScript(t *testing.T, path string) []*scriptCase {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []*scriptCase
	var cur *scriptCase
	state := ""
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "-- test:"):
			cur = &scriptCase{name: strings.TrimSpace(strings.TrimPrefix(line, "-- test:")), line: n}
			cases = append(cases, cur)
			state = "stmt"
		case cur == nil:
			continue
		case strings.HasPrefix(line, "-- args:") || strings.HasPrefix(line, "-- named:"):
			cur.args = append(cur.args, line)
		case line == "-- result:":
			state = "result"
		case strings.HasPrefix(line, "-- error:"):
			state = "error"
			cur.isError = true
			cur.err = append(cur.err, strings.TrimPrefix(strings.TrimPrefix(line, "-- error:"), " "))
		case state == "stmt":
			cur.stmt = append(cur.stmt, line)
		case state == "result":
			if line != "" {
				cur.result = append(cur.result, line)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

var (
	timestamp = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ`)
	timing    = regexp.MustCompile(`in [0-9.]+s \([0-9.]+ words/s\)`)
)

// cell formats a value the way the scripts spell it.
func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case float64:
		s := strconv.FormatFloat(x, 'f', 4, 64)
		if s == "-0.0000" {
			s = "0.0000"
		}
		return s
	case []float32:
		parts := make([]string, len(x))
		for i, f := range x {
			parts[i] = strconv.FormatFloat(float64(f), 'f', 4, 64)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

func resultLines(results []*db.Result) []string {
	var out []string
	for _, r := range results {
		if r.Columns == nil {
			if r.Message != "" {
				out = append(out, r.Message)
			}
			continue
		}
		for _, row := range r.Rows {
			cells := make([]string, len(row))
			for i, v := range row {
				cells[i] = cell(v)
			}
			out = append(out, strings.Join(cells, " | "))
		}
	}
	return out
}

// TestScripts runs every testdata/*.vq file against a fresh seeded
// database; the cases of a file share it, in order.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.vq")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/*.vq files")
	}
	total, errs := 0, 0
	for _, file := range files {
		cases := parseScript(t, file)
		total += len(cases)
		t.Run(filepath.Base(file), func(t *testing.T) {
			d := openSeeded(t)
			dir := t.TempDir()
			for _, c := range cases {
				src := strings.TrimSpace(strings.Join(c.stmt, "\n"))
				checkStablePositions(t, file, c.line, src, c.err)
				src = strings.ReplaceAll(src, "$TMP", dir)
				src = strings.ReplaceAll(src, "$TESTDATA", mustAbs(t, "testdata"))
				results, err := d.Run(context.Background(), src, scriptArgs(t, c.args)...)
				var got []string
				gotErr := err != nil
				if err != nil {
					msg := strings.ReplaceAll(err.Error(), dir, "$TMP")
					msg = strings.ReplaceAll(msg, mustAbs(t, "testdata"), "$TESTDATA")
					got = strings.Split(msg, "\n")
					var qe *query.Error
					if !errors.As(err, &qe) && !strings.Contains(c.name, "plain error") {
						t.Errorf("%s:%d %s: error without a position: %v", file, c.line, c.name, err)
					}
				} else {
					got = resultLines(results)
					for i := range got {
						got[i] = strings.ReplaceAll(got[i], dir, "$TMP")
						got[i] = strings.ReplaceAll(got[i], mustAbs(t, "testdata"), "$TESTDATA")
						got[i] = timestamp.ReplaceAllString(got[i], "<time>")
						got[i] = timing.ReplaceAllString(got[i], "in <time>")
					}
				}
				if *update {
					c.isError, c.err, c.result = gotErr, nil, nil
					if gotErr {
						c.err = got
					} else {
						c.result = got
					}
					continue
				}
				want := c.result
				if c.isError {
					want = c.err
				}
				if gotErr != c.isError || strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("%s:%d %s:\n%s\ngot (error=%v):\n%s\nwant (error=%v):\n%s", file, c.line, c.name, src,
						gotErr, strings.Join(got, "\n"), c.isError, strings.Join(want, "\n"))
				}
			}
			if *update {
				writeScript(t, file, cases)
			}
		})
		for _, c := range cases {
			if c.isError {
				errs++
			}
		}
	}
	t.Logf("%d cases, %d of them errors", total, errs)
}

// scriptArgs reads "-- args:" and "-- named:" lines with the language's
// own parser: the values of an IN list, the assignments of an UPDATE.
func scriptArgs(t *testing.T, lines []string) []any {
	var out []any
	for _, l := range lines {
		if text, ok := strings.CutPrefix(l, "-- args:"); ok {
			st, err := query.Parse("SELECT key FROM x WHERE key IN (" + text + ")")
			if err != nil {
				t.Fatalf("%s: %v", l, err)
			}
			for _, v := range st[0].(*query.SelectRows).Where.(*query.CondIn).Values {
				out = append(out, v)
			}
			continue
		}
		text, _ := strings.CutPrefix(l, "-- named:")
		st, err := query.Parse("UPDATE x SET " + text)
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		for _, a := range st[0].(*query.Update).Set {
			out = append(out, db.Named(a.Field, a.Value))
		}
	}
	return out
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func writeScript(t *testing.T, path string, cases []*scriptCase) {
	// Keep whatever precedes the first case (a header comment).
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var b strings.Builder
	if len(cases) > 0 {
		for _, l := range lines[:cases[0].line-1] {
			b.WriteString(l + "\n")
		}
	}
	for i, c := range cases {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("-- test: " + c.name + "\n")
		stmt := c.stmt
		for len(stmt) > 0 && strings.TrimSpace(stmt[len(stmt)-1]) == "" {
			stmt = stmt[:len(stmt)-1]
		}
		for _, l := range stmt {
			b.WriteString(l + "\n")
		}
		for _, l := range c.args {
			b.WriteString(l + "\n")
		}
		if c.isError {
			for _, l := range c.err {
				b.WriteString("-- error: " + l + "\n")
			}
		} else {
			b.WriteString("-- result:\n")
			for _, l := range c.result {
				b.WriteString(l + "\n")
			}
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestGensimParityThroughLanguage runs the 180 gensim reference cases of
// db/testdata through the language and compares with gensim 4's answers.
func TestGensimParityThroughLanguage(t *testing.T) {
	raw, err := os.ReadFile("../db/testdata/gensim_speeches_expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []struct {
			Op       string   `json:"op"`
			Positive []string `json:"positive"`
			Negative []string `json:"negative"`
			Restrict int      `json:"restrict"`
			Top      []string `json:"top"`
			Words    []string `json:"words"`
			Answer   string   `json:"answer"`
			A        any      `json:"a"`
			B        any      `json:"b"`
			Value    float64  `json:"value"`
			Distance float64  `json:"distance"`
			Rank     int      `json:"rank"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	d := openSeeded(t)
	ctx := context.Background()
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	expr := func(pos, neg []string) string {
		var parts []string
		for i, p := range pos {
			if i > 0 {
				parts = append(parts, "+")
			}
			parts = append(parts, q(p))
		}
		for _, n := range neg {
			parts = append(parts, "-", q(n))
		}
		return strings.Join(parts, " ")
	}
	keys := func(ks []string) string {
		out := make([]string, len(ks))
		for i, k := range ks {
			out[i] = q(k)
		}
		return strings.Join(out, ", ")
	}
	agree := 0
	for i, c := range ref.Cases {
		var src string
		switch c.Op {
		case "most_similar":
			src = fmt.Sprintf("SELECT NEAREST %d TO %s FROM speeches USING EXACT", len(c.Top), expr(c.Positive, c.Negative))
		case "most_similar_restrict":
			src = fmt.Sprintf("SELECT NEAREST %d TO %s FROM speeches WITHIN TOP %d", len(c.Top), expr(c.Positive, c.Negative), c.Restrict)
		case "most_similar_cosmul":
			src = fmt.Sprintf("SELECT NEAREST %d TO %s FROM speeches USING COSMUL", len(c.Top), expr(c.Positive, c.Negative))
		case "doesnt_match":
			src = fmt.Sprintf("SELECT ODD_ONE_OUT(%s) FROM speeches", keys(c.Words))
		case "similarity":
			src = fmt.Sprintf("SELECT SIMILARITY(%s, %s), DISTANCE(%s, %s), RANK(%s, %s) FROM speeches",
				q(c.A.(string)), q(c.B.(string)), q(c.A.(string)), q(c.B.(string)), q(c.A.(string)), q(c.B.(string)))
		case "n_similarity":
			src = fmt.Sprintf("SELECT SIMILARITY((%s), (%s)) FROM speeches", keys(toStrings(c.A)), keys(toStrings(c.B)))
		default:
			t.Fatalf("unknown op %s", c.Op)
		}
		res, err := d.Query(ctx, src)
		if err != nil {
			t.Errorf("case %d: %s: %v", i, src, err)
			continue
		}
		ok := false
		switch c.Op {
		case "most_similar", "most_similar_restrict", "most_similar_cosmul":
			got := make([]string, len(res.Rows))
			for j, r := range res.Rows {
				got[j] = r[1].(string)
			}
			ok = strings.Join(got, " ") == strings.Join(c.Top, " ")
		case "doesnt_match":
			ok = res.Rows[0][0] == c.Answer
		case "similarity":
			r := res.Rows[0]
			ok = math.Abs(r[0].(float64)-c.Value) < 1e-5 && math.Abs(r[1].(float64)-c.Distance) < 1e-5 && r[2].(int64) == int64(c.Rank)
		case "n_similarity":
			ok = math.Abs(res.Rows[0][0].(float64)-c.Value) < 1e-5
		}
		if ok {
			agree++
		} else {
			t.Errorf("case %d (%s): %s\ngot %v\nwant %+v", i, c.Op, src, res.Rows, c)
		}
	}
	t.Logf("gensim parity through the language: %d/%d", agree, len(ref.Cases))
}

func toStrings(v any) []string {
	xs, _ := v.([]any)
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i], _ = x.(string)
	}
	return out
}

// posPrefix is the "line:column:" an expected error starts with.
var posPrefix = regexp.MustCompile(`^(\d+):(\d+):`)

// checkStablePositions fails a case whose expected error position lies after
// a $TMP or $TESTDATA on its line: those expand to paths whose length
// depends on the checkout and the temporary directory, so such a column
// would hold only on the machine that wrote the golden file.
func checkStablePositions(t *testing.T, file string, line int, src string, want []string) {
	t.Helper()
	if len(want) == 0 {
		return
	}
	m := posPrefix.FindStringSubmatch(want[0])
	if m == nil {
		return
	}
	ln, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	lines := strings.Split(src, "\n")
	if ln < 1 || ln > len(lines) {
		return
	}
	for _, v := range []string{"$TMP", "$TESTDATA"} {
		if i := strings.Index(lines[ln-1], v); i >= 0 && col > i+1 {
			t.Errorf("%s:%d: the expected error at %d:%d follows %s, whose length depends on the machine: put the error before the path or use a relative one", file, line, ln, col, v)
		}
	}
}
