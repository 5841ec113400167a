package db

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/vecdb/vecdb/format"
	"github.com/vecdb/vecdb/internal/vec"
)

// MustOpen opens a fresh database in a temporary directory.
func MustOpen(t testing.TB) *DB {
	t.Helper()
	d, err := Open(filepath.Join(t.TempDir(), "test.vdb"), &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

var bg = context.Background()

func importGensim(t testing.TB, d *DB) *Collection {
	t.Helper()
	if _, err := d.Import(bg, "speeches", "testdata/gensim_speeches.vec", ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	c, err := d.Collection("speeches")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type gensimCase struct {
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
}

func strs(x any) []string {
	switch v := x.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, e.(string))
		}
		return out
	}
	return nil
}

// sameRanking compares two top lists, allowing neighbours whose scores differ
// by less than eps (ties in float32 arithmetic) to swap places.
func sameRanking(v *View, got []Hit, want []string, eps float32) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].Key == want[i] {
			continue
		}
		// tolerate a swap of near-equal neighbours
		j := -1
		for k := range got {
			if got[k].Key == want[i] {
				j = k
			}
		}
		if j < 0 {
			// the gensim key fell out: acceptable only at the tail with a tie
			if i != len(got)-1 {
				return false
			}
			continue
		}
		if d := got[i].Similarity - got[j].Similarity; d > eps || d < -eps {
			return false
		}
	}
	return true
}

// TestGensimParity checks the query semantics against answers gensim gave on
// the same vector file (bench/gen_gensim_testdata.py made both).
func TestGensimParity(t *testing.T) {
	d := MustOpen(t)
	c := importGensim(t, d)
	raw, err := os.ReadFile("testdata/gensim_speeches_expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Cases []gensimCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &exp.Cases); err != nil {
		var wrapped struct {
			Cases []gensimCase `json:"cases"`
		}
		if err := json.Unmarshal(raw, &wrapped); err != nil {
			t.Fatal(err)
		}
		exp = wrapped
	}
	v, err := c.View()
	if err != nil {
		t.Fatal(err)
	}
	agree, total := 0, 0
	for i, tc := range exp.Cases {
		name := fmt.Sprintf("%d-%s", i, tc.Op)
		switch tc.Op {
		case "most_similar", "most_similar_restrict":
			hits, err := v.MostSimilar(bg, tc.Positive, tc.Negative, 10, &SearchOptions{WithinTop: tc.Restrict})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			total++
			if sameRanking(v, hits, tc.Top, 2e-6) {
				agree++
			} else {
				t.Errorf("%s %v-%v: got %v want %v", name, tc.Positive, tc.Negative, keysOf(hits), tc.Top)
			}
		case "most_similar_cosmul":
			var pos, neg [][]float32
			var excl []string
			for _, k := range tc.Positive {
				p, _ := v.Lookup(k)
				pos = append(pos, v.Unit(p))
				excl = append(excl, k)
			}
			for _, k := range tc.Negative {
				p, _ := v.Lookup(k)
				neg = append(neg, v.Unit(p))
				excl = append(excl, k)
			}
			ex, _ := v.Positions(excl)
			hits, err := v.MostSimilarCosmul(bg, pos, neg, 10, &SearchOptions{Exclude: ex})
			if err != nil {
				t.Fatal(err)
			}
			total++
			if sameRanking(v, hits, tc.Top, 2e-6) {
				agree++
			} else {
				t.Errorf("%s: got %v want %v", name, keysOf(hits), tc.Top)
			}
		case "doesnt_match":
			got, _, err := v.DoesntMatch(tc.Words)
			if err != nil {
				t.Fatal(err)
			}
			total++
			if got == tc.Answer {
				agree++
			} else {
				t.Errorf("%s %v: got %q want %q", name, tc.Words, got, tc.Answer)
			}
		case "similarity":
			a, b := tc.A.(string), tc.B.(string)
			s, err := v.Similarity(a, b)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(float64(s)-tc.Value) > 1e-5 || math.Abs(float64(1-s)-tc.Distance) > 1e-5 {
				t.Errorf("%s: similarity %v want %v", name, s, tc.Value)
			}
			r, err := v.Rank(a, b)
			if err != nil {
				t.Fatal(err)
			}
			if d := r - tc.Rank; d > 1 || d < -1 {
				t.Errorf("%s: rank(%s,%s)=%d want %d", name, a, b, r, tc.Rank)
			}
		case "n_similarity":
			s, err := v.NSimilarity(strs(tc.A), strs(tc.B))
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(float64(s)-tc.Value) > 1e-5 {
				t.Errorf("%s: n_similarity %v want %v", name, s, tc.Value)
			}
		}
	}
	t.Logf("top-10 lists and odd-one-out answers identical to gensim: %d/%d", agree, total)
}

func keysOf(h []Hit) []string {
	var out []string
	for _, x := range h {
		out = append(out, x.Key)
	}
	return out
}

func randVecs(r *rand.Rand, n, dim int) [][]float32 {
	out := make([][]float32, n)
	for i := range out {
		out[i] = make([]float32, dim)
		for j := range out[i] {
			out[i][j] = float32(r.NormFloat64())
		}
	}
	return out
}

// TestExactSearchMatchesBruteForce compares Nearest with a float64 reference
// for every metric, with exclusions, WithinTop, filters and offsets.
func TestExactSearchMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	const n, dim = 3000, 24
	vecs := randVecs(r, n, dim)
	for _, m := range []Metric{Cosine, Dot, L2} {
		t.Run(m.String(), func(t *testing.T) {
			d := MustOpen(t)
			c, err := d.CreateCollection(bg, Spec{Name: "c", Dim: dim, Metric: m}, false)
			if err != nil {
				t.Fatal(err)
			}
			rows := make([]Row, n)
			for i := range rows {
				rows[i] = Row{Key: fmt.Sprintf("k%d", i), Vector: vecs[i]}
			}
			if err := c.Insert(bg, rows...); err != nil {
				t.Fatal(err)
			}
			ref := func(q []float32, within int, keep func(int) bool) []int {
				type sc struct {
					i int
					s float64
				}
				var all []sc
				qn := norm64(q)
				for i := 0; i < n && (within == 0 || i < within); i++ {
					if keep != nil && !keep(i) {
						continue
					}
					var s float64
					switch m {
					case Cosine:
						s = dot64(q, vecs[i]) / (qn * norm64(vecs[i]))
					case Dot:
						s = dot64(q, vecs[i])
					case L2:
						s = -l2(q, vecs[i])
					}
					all = append(all, sc{i, s})
				}
				sort.SliceStable(all, func(a, b int) bool { return all[a].s > all[b].s })
				var out []int
				for _, e := range all {
					out = append(out, e.i)
				}
				return out
			}
			for trial := 0; trial < 20; trial++ {
				q := randVecs(r, 1, dim)[0]
				within := 0
				if trial%3 == 1 {
					within = 500
				}
				var keep func(int) bool
				if trial%4 == 2 {
					keep = func(i int) bool { return i%7 == 3 }
				}
				hits, err := c.Nearest(bg, q, 10, &SearchOptions{WithinTop: within, Filter: keep, Offset: trial % 2})
				if err != nil {
					t.Fatal(err)
				}
				want := ref(q, within, keep)[trial%2 : trial%2+10]
				for i, h := range hits {
					if h.Pos != want[i] {
						t.Fatalf("trial %d rank %d: got %s want k%d", trial, i, h.Key, want[i])
					}
				}
			}
		})
	}
}

func dot64(a, b []float32) float64 {
	s := 0.0
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}
func norm64(a []float32) float64 { return math.Sqrt(dot64(a, a)) }
func l2(a, b []float32) float64 {
	s := 0.0
	for i := range a {
		d := float64(a[i] - b[i])
		s += d * d
	}
	return math.Sqrt(s)
}

func TestSearchErrors(t *testing.T) {
	d := MustOpen(t)
	c := importGensim(t, d)
	v, _ := c.View()
	if _, err := v.MostSimilar(bg, []string{"War", "qeen", "the"}, nil, 5, nil); err == nil {
		t.Fatal("want unknown-key error")
	} else {
		var ke *KeysNotFoundError
		if !errors.As(err, &ke) || !errors.Is(err, ErrKeyNotFound) || !errors.Is(err, ErrNotFound) {
			t.Fatalf("error type: %T %v", err, err)
		}
		if len(ke.Keys) != 2 {
			t.Fatalf("want both unknown keys reported, got %v", ke.Keys)
		}
		if !strings.Contains(err.Error(), "'War' is not in speeches; did you mean 'war'?") {
			t.Fatalf("case hint missing: %v", err)
		}
	}
	if _, err := v.Search(bg, make([]float32, 32), 5, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("zero vector: %v", err)
	}
	if _, err := v.Search(bg, make([]float32, 3), 5, nil); !errors.Is(err, ErrDimension) {
		t.Fatalf("wrong dim: %v", err)
	}
	q := v.Unit(0)
	if _, err := v.Search(bg, q, 0, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("k=0: %v", err)
	}
	q[0] = float32(math.NaN())
	if _, err := v.Search(bg, q, 3, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("NaN: %v", err)
	}
	if _, err := d.Collection("nope"); !errors.Is(err, ErrCollectionNotFound) || !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing collection: %v", err)
	}
}

func snapshotRows(t *testing.T, c *Collection) []string {
	t.Helper()
	v, err := c.View()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := 0; i < v.Len(); i++ {
		out = append(out, fmt.Sprint(v.Key(i), v.Vector(i)))
	}
	return out
}

// TestImportFailureLeavesCollection: a malformed or cancelled import into an
// existing collection leaves it exactly as it was.
func TestImportFailureLeavesCollection(t *testing.T) {
	d := MustOpen(t)
	c := importGensim(t, d)
	before := snapshotRows(t, c)
	bad := filepath.Join(t.TempDir(), "bad.vec")
	var sb strings.Builder
	sb.WriteString("30000 32\n")
	for i := 0; i < 25000; i++ {
		fmt.Fprintf(&sb, "w%d%s\n", i, strings.Repeat(" 0.5", 32))
	}
	sb.WriteString("broken 1 2 3\n")
	os.WriteFile(bad, []byte(sb.String()), 0o644)
	_, err := d.Import(bg, "speeches", bad, ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "line 25002") {
		t.Fatalf("want an error naming line 25002, got %v", err)
	}
	if after := snapshotRows(t, c); !reflect.DeepEqual(before, after) {
		t.Fatal("failed import changed the collection")
	}
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if _, err := d.Import(ctx, "speeches", "testdata/gensim_speeches.vec", ImportOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled import: %v", err)
	}
	if after := snapshotRows(t, c); !reflect.DeepEqual(before, after) {
		t.Fatal("cancelled import changed the collection")
	}
	// A file of another dimension cannot replace the collection.
	small := filepath.Join(t.TempDir(), "small.txt")
	os.WriteFile(small, []byte("a 1 2\nb 3 4\n"), 0o644)
	if _, err := d.Import(bg, "speeches", small, ImportOptions{}); err == nil {
		t.Fatal("dimension change accepted")
	}
	// A successful re-import replaces it.
	res, err := d.Import(bg, "fresh", small, ImportOptions{})
	if err != nil || res.Rows != 2 || res.Dim != 2 || res.Format != format.GloVe {
		t.Fatalf("glove import: %+v %v", res, err)
	}
}

func TestExportRoundTrip(t *testing.T) {
	d := MustOpen(t)
	c := importGensim(t, d)
	for _, f := range []Format{format.Word2VecText, format.Word2VecBinary, format.GloVe, format.FastText} {
		p := filepath.Join(t.TempDir(), "out")
		n, err := d.Export(bg, "speeches", p, f)
		if err != nil || n != 2000 {
			t.Fatalf("%v: export %d %v", f, n, err)
		}
		if _, err := d.Import(bg, "copy", p, ImportOptions{Format: f}); err != nil {
			t.Fatalf("%v: reimport: %v", f, err)
		}
		cp, _ := d.Collection("copy")
		for _, k := range []string{"the", "nation", "war"} {
			a, aerr := c.Vector(k)
			b, berr := cp.Vector(k)
			if aerr != nil || berr != nil || !reflect.DeepEqual(a, b) {
				t.Fatalf("%v: %s changed in round trip", f, k)
			}
		}
		d.DropCollection(bg, "copy", false)
	}
}

func TestInsertUpsertDeleteAndMeta(t *testing.T) {
	d := MustOpen(t)
	c, err := d.CreateCollection(bg, Spec{Name: "songs", Dim: 2, Fields: []Field{{Name: "title", Type: Text}, {Name: "year", Type: Int}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.CreateCollection(bg, Spec{Name: "songs", Dim: 2}, false); !errors.Is(err, ErrCollectionExists) {
		t.Fatalf("duplicate create: %v", err)
	}
	if _, err := d.CreateCollection(bg, Spec{Name: "songs", Dim: 9}, true); err != nil {
		t.Fatalf("IF NOT EXISTS: %v", err)
	}
	err = c.Insert(bg, Row{Key: "a", Vector: []float32{1, 0}, Meta: []any{"Song A", int64(1975)}},
		Row{Key: "b", Vector: []float32{0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	// All-or-nothing: the duplicate fails the whole batch.
	err = c.Insert(bg, Row{Key: "c", Vector: []float32{1, 1}}, Row{Key: "a", Vector: []float32{1, 1}})
	if !errors.Is(err, ErrDuplicateKey) || c.Len() != 2 {
		t.Fatalf("dup insert: %v, len %d", err, c.Len())
	}
	if err := c.Insert(bg, Row{Key: "z", Vector: []float32{1}}); !errors.Is(err, ErrDimension) {
		t.Fatalf("dim: %v", err)
	}
	if err := c.Insert(bg, Row{Key: "z", Vector: []float32{1, 2}, Meta: []any{int64(3)}}); !errors.Is(err, ErrFieldType) {
		t.Fatalf("type: %v", err)
	}
	n, err := c.Upsert(bg, Row{Key: "a", Vector: []float32{2, 2}}, Row{Key: "c", Vector: []float32{3, 1}})
	if err != nil || n != 1 {
		t.Fatalf("upsert: %d %v", n, err)
	}
	if got, err := c.Vector("a"); err != nil || !reflect.DeepEqual(got, []float32{2, 2}) {
		t.Fatalf("upserted vector %v %v", got, err)
	}
	// A missing key is an error, not a nil vector that fails the next call.
	if got, err := c.Vector("nope"); got != nil || !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("missing key: %v %v", got, err)
	}
	if err := c.SetMeta(bg, []string{"b", "c"}, map[string]any{"year": int64(2001)}); err != nil {
		t.Fatal(err)
	}
	r, _ := c.Get("c")
	if r.Meta[1] != int64(2001) || r.Meta[0] != nil {
		t.Fatalf("meta %v", r.Meta)
	}
	if err := c.SetMeta(bg, []string{"b"}, map[string]any{"yeer": int64(1)}); !errors.Is(err, ErrFieldNotFound) {
		t.Fatalf("unknown field: %v", err)
	}
	k, err := c.Delete(bg, "a", "nope")
	if err != nil || k != 1 || c.Len() != 2 {
		t.Fatalf("delete: %d %v len %d", k, err, c.Len())
	}
	if _, err := c.Get("a"); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("deleted key: %v", err)
	}
	if err := d.DropCollection(bg, "songs", false); err != nil {
		t.Fatal(err)
	}
	if err := d.DropCollection(bg, "songs", true); err != nil {
		t.Fatal(err)
	}
	if err := d.DropCollection(bg, "songs", false); !errors.Is(err, ErrNotFound) {
		t.Fatalf("drop missing: %v", err)
	}
}

// TestConcurrentReadersOneWriter runs searches while a writer inserts and
// deletes; run with -race. Every search must see a consistent view: the
// fixed anchor rows are always found with their exact similarity.
func TestConcurrentReadersOneWriter(t *testing.T) {
	d := MustOpen(t)
	c, _ := d.CreateCollection(bg, Spec{Name: "c", Dim: 8}, false)
	r := rand.New(rand.NewSource(1))
	anchor := Row{Key: "anchor", Vector: []float32{1, 0, 0, 0, 0, 0, 0, 0}}
	if err := c.Insert(bg, anchor); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 16)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				hits, err := c.Nearest(bg, anchor.Vector, 1, nil)
				if err != nil {
					errs <- err
					return
				}
				if len(hits) != 1 || hits[0].Key != "anchor" || math.Abs(float64(hits[0].Similarity-1)) > 1e-6 {
					errs <- fmt.Errorf("torn result: %+v", hits)
					return
				}
			}
		}()
	}
	for i := 0; i < 200; i++ {
		v := randVecs(r, 1, 8)[0]
		v[0] = 0
		if err := c.Insert(bg, Row{Key: fmt.Sprint("r", i), Vector: v}); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			c.Delete(bg, fmt.Sprint("r", i/2))
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestReopenAndReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.vdb")
	d, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	importGensim(t, d)
	d.Close()
	ro, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	c, err := ro.Collection("speeches")
	if err != nil {
		t.Fatal(err)
	}
	hits, err := c.MostSimilar(bg, []string{"war"}, nil, 3, nil)
	if err != nil || len(hits) != 3 {
		t.Fatalf("query on reopened db: %v %v", hits, err)
	}
	if err := c.Insert(bg, Row{Key: "x", Vector: make([]float32, 32)}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("write on read-only: %v", err)
	}
	if _, err := ro.Import(bg, "y", "testdata/gensim_speeches.vec", ImportOptions{}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("import on read-only: %v", err)
	}
	_ = vec.Dot
}

func TestSearchBatchEqualsSearch(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	for _, m := range []Metric{Cosine, Dot, L2} {
		d := MustOpen(t)
		c, _ := d.CreateCollection(bg, Spec{Name: "c", Dim: 20, Metric: m}, false)
		vecs := randVecs(r, 2500, 20)
		rows := make([]Row, len(vecs))
		for i := range rows {
			rows[i] = Row{Key: fmt.Sprint("k", i), Vector: vecs[i]}
		}
		c.Insert(bg, rows...)
		v, _ := c.View()
		qs := randVecs(r, 37, 20)
		opts := &SearchOptions{Exclude: []int{3, 5}, WithinTop: 2000, Filter: func(p int) bool { return p%5 != 0 }}
		batch, err := v.SearchBatch(bg, qs, 7, opts)
		if err != nil {
			t.Fatal(err)
		}
		for i, q := range qs {
			one, _ := v.Search(bg, q, 7, opts)
			if !reflect.DeepEqual(one, batch[i]) {
				t.Fatalf("%v query %d: batch %v single %v", m, i, keysOf(batch[i]), keysOf(one))
			}
		}
	}
}
