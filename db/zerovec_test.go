package db

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/query"
)

// zeroFile is a word2vec text file with two zero vectors among rows that
// all point away from p: without the rule the zero vectors (cosine 0)
// would be p's nearest neighbours.
const zeroFile = `9 3
p 1 0 0
z1 0 0 0
a -1 0.1 0
z2 0 0 0
b -1 0 0.2
c -1 -0.3 0
d -1 0.5 0.5
e -0.8 -0.1 0.9
f -1 -1 0
`

// TestZeroVectorsRefused: INSERT, UPSERT and INSERT OR REPLACE, and Insert,
// Upsert and Replace, refuse a zero vector in a COSINE collection with
// ErrZeroVector (which matches ErrInvalid) and change nothing; DOT and L2
// collections take one.
func TestZeroVectorsRefused(t *testing.T) {
	d := MustOpen(t)
	if _, err := d.Exec(bg, `CREATE COLLECTION c (DIM 3, METRIC COSINE);
		CREATE COLLECTION dot (DIM 3, METRIC DOT); CREATE COLLECTION l2 (DIM 3, METRIC L2);
		INSERT INTO c (key, vector) VALUES ('a', [1, 0, 0])`); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{
		"INSERT INTO c (key, vector) VALUES ('ok', [0, 1, 0]), ('z', [0, 0, 0])",
		"UPSERT INTO c (key, vector) VALUES ('a', [0, 0, 0])",
		"INSERT OR REPLACE INTO c (key, vector) VALUES ('z', [0, -0, 0])",
	} {
		_, err := d.Exec(bg, src)
		var qe *query.Error
		if !errors.Is(err, ErrZeroVector) || !errors.Is(err, ErrInvalid) || !errors.As(err, &qe) {
			t.Fatalf("%s: %v", src, err)
		}
		if want := strings.LastIndex(src, "["); qe.Pos.Column != want+1 {
			t.Errorf("%s: error at %v, want the vector at column %d", src, qe.Pos, want+1)
		}
	}
	c, _ := d.Collection("c")
	zero := Row{Key: "z", Vector: []float32{0, 0, 0}}
	if err := c.Insert(bg, Row{Key: "ok", Vector: []float32{0, 1, 0}}, zero); !errors.Is(err, ErrZeroVector) {
		t.Errorf("Insert: %v", err)
	}
	if _, err := c.Upsert(bg, Row{Key: "a", Vector: []float32{0, 0, 0}}); !errors.Is(err, ErrZeroVector) {
		t.Errorf("Upsert: %v", err)
	}
	if _, err := c.Replace(bg, zero); !errors.Is(err, ErrZeroVector) {
		t.Errorf("Replace: %v", err)
	}
	if v, err := c.Vector("a"); err != nil || v[0] != 1 || c.Len() != 1 {
		t.Errorf("a refused write changed the collection: %v %v, %d rows", v, err, c.Len())
	}
	if _, err := d.Exec(bg, "INSERT INTO dot (key, vector) VALUES ('z', [0, 0, 0]); INSERT INTO l2 (key, vector) VALUES ('z', [0, 0, 0])"); err != nil {
		t.Errorf("DOT and L2 take a zero vector: %v", err)
	}
	// A zero query vector is refused too.
	for _, src := range []string{
		"SELECT NEAREST 1 TO [0, 0, 0] FROM c",
		"SELECT NEAREST 1 TO 'a' - 'a' FROM c",
		"SELECT NEAREST 1 TO 'a' - 'a' FROM c USING EXACT",
	} {
		if _, err := d.Query(bg, src); !errors.Is(err, ErrZeroVector) {
			t.Errorf("%s: %v", src, err)
		}
	}
	if _, err := c.Nearest(bg, []float32{0, 0, 0}, 1, nil); !errors.Is(err, ErrZeroVector) {
		t.Errorf("Nearest: %v", err)
	}
}

// TestZeroVectorsImported: IMPORT keeps zero vectors and says how many;
// no search (exact, HNSW, COSMUL, TO EACH, RECOMMEND, a similarity bound)
// returns one as a neighbour, and a zero key as the query is ErrZeroVector.
func TestZeroVectorsImported(t *testing.T) {
	d := MustOpen(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "zero.vec")
	if err := os.WriteFile(path, []byte(zeroFile), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := d.Exec(bg, "IMPORT INTO w FROM "+query.QuoteString(path))
	if err != nil {
		t.Fatal(err)
	}
	if want := "imported 9 rows into w (DIM 3, WORD2VEC); kept 2 zero vectors, which NEAREST skips (a zero vector has no direction for COSINE)"; res.Message != want {
		t.Errorf("message %q\nwant    %q", res.Message, want)
	}
	yes := true
	ir, err := d.ImportReader(bg, "h", strings.NewReader(zeroFile), "zero.vec", ImportOptions{Index: &yes})
	if err != nil || ir.ZeroVectors != 2 || ir.Rows != 9 {
		t.Fatalf("ImportReader: %+v %v", ir, err)
	}
	// A DOT collection has no such rows: a zero vector is a point there.
	ir, err = d.ImportReader(bg, "dot", strings.NewReader(zeroFile), "zero.vec", ImportOptions{Metric: Dot})
	if err != nil || ir.ZeroVectors != 0 {
		t.Fatalf("DOT: %+v %v", ir, err)
	}
	h, _ := d.Collection("h")
	v, err := h.View()
	if err != nil {
		t.Fatal(err)
	}
	if z := v.ZeroVectors(); len(z) != 2 || v.Key(z[0]) != "z1" || v.Key(z[1]) != "z2" {
		t.Errorf("ZeroVectors %v", z)
	}
	noZero := func(what string, keys []string) {
		t.Helper()
		if len(keys) == 0 {
			t.Errorf("%s: no neighbours", what)
		}
		for _, k := range keys {
			if k == "z1" || k == "z2" {
				t.Errorf("%s returned the zero vector %s: %v", what, k, keys)
			}
		}
	}
	// CREATE INDEX leaves them out of the graph too (a cosine graph holds
	// unit vectors: with them in, the index would not load), and CHECK
	// finds nothing wrong.
	if _, err := d.Exec(bg, "CREATE COLLECTION w2 (DIM 3); DROP COLLECTION w2; IMPORT INTO w3 FROM "+query.QuoteString(path)+" WITH (index = false); CREATE INDEX ON w3"); err != nil {
		t.Fatal(err)
	}
	// Writes to the indexed collection keep the graph valid: a zero row
	// deleted (not in the graph) and one given a direction (linked in).
	if _, err := d.Exec(bg, "CREATE COLLECTION h2 (DIM 3)"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ImportReader(bg, "h2", strings.NewReader(zeroFile), "zero.vec", ImportOptions{Index: &yes}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(bg, "DELETE FROM h2 WHERE key = 'z1'; UPSERT INTO h2 (key, vector) VALUES ('z2', [1, 0.1, 0])"); err != nil {
		t.Fatal(err)
	}
	if res, err := d.Query(bg, "SELECT NEAREST 1 TO 'p' FROM h2"); err != nil || firstCol(res) != "z2" {
		t.Errorf("the upserted row is found: %v %v", res, err)
	}
	for _, coll := range []string{"h", "w3", "h2"} {
		rep, err := d.Check(bg, coll)
		if err != nil || len(rep.Found) != 0 {
			t.Fatalf("CHECK %s: %+v %v", coll, rep, err)
		}
	}
	for _, coll := range []string{"w", "h", "w3"} {
		for _, src := range []string{
			"SELECT NEAREST 3 TO 'p' FROM " + coll,
			"SELECT NEAREST 3 TO 'p' FROM " + coll + " USING EXACT",
			"SELECT NEAREST 3 TO 'p' FROM " + coll + " USING COSMUL",
			"SELECT NEAREST 3 TO 'p' - 'a' FROM " + coll + " USING COSMUL",
			"SELECT NEAREST 3 TO EACH ('p', 'a') FROM " + coll,
			"SELECT NEAREST 9 TO [1, 0, 0] FROM " + coll + " WHERE similarity > -2",
			"SELECT NEAREST 9 TO [1, 0, 0] FROM " + coll + " OFFSET 1",
			"RECOMMEND 3 FROM " + coll + " FOR ('p')",
		} {
			res, err := d.Query(bg, src)
			if err != nil {
				t.Fatalf("%s: %v", src, err)
			}
			noZero(src, strings.Fields(firstCol(res)))
		}
		if _, err := d.Query(bg, "SELECT NEAREST 3 TO 'z1' FROM "+coll); !errors.Is(err, ErrZeroVector) {
			t.Errorf("a zero key as the query: %v", err)
		}
	}
	// The Go API: the HNSW path itself skips them.
	var plan SearchPlan
	hits, err := v.Search(bg, []float32{1, 0, 0}, 3, &SearchOptions{Plan: &plan, Exclude: []int{0}})
	if err != nil || plan.Path != "HNSW" {
		t.Fatalf("HNSW search: %v, plan %+v", err, plan)
	}
	keys := make([]string, len(hits))
	for i, h := range hits {
		keys[i] = h.Key
	}
	noZero("Search (HNSW)", keys)
	batch, err := v.SearchBatch(bg, [][]float32{{1, 0, 0}}, 8, nil)
	if err != nil || len(batch[0]) != 7 {
		t.Fatalf("SearchBatch: %v %v", batch, err)
	}
	keys = keys[:0]
	for _, h := range batch[0] {
		keys = append(keys, h.Key)
	}
	noZero("SearchBatch", keys)
}
