package db

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"path/filepath"
	"testing"
)

func clustered(r *rand.Rand, n, dim, clusters int) [][]float32 {
	centres := randVecs(r, clusters, dim)
	out := make([][]float32, n)
	for i := range out {
		c := centres[r.Intn(clusters)]
		v := make([]float32, dim)
		for j := range v {
			v[j] = c[j] + 0.3*float32(r.NormFloat64())
		}
		out[i] = v
	}
	return out
}

func recallAt(t *testing.T, v *View, queries [][]float32, k int, opts func() *SearchOptions) float64 {
	t.Helper()
	hit, total := 0, 0
	for _, q := range queries {
		o := opts()
		approx, err := v.Search(bg, q, k, o)
		if err != nil {
			t.Fatal(err)
		}
		e := opts()
		e.Exact = true
		exact, err := v.Search(bg, q, k, e)
		if err != nil {
			t.Fatal(err)
		}
		if len(approx) != len(exact) {
			t.Fatalf("approximate search returned %d rows, exact %d", len(approx), len(exact))
		}
		want := map[string]bool{}
		for _, h := range exact {
			want[h.Key] = true
		}
		for _, h := range approx {
			if want[h.Key] {
				hit++
			}
		}
		total += len(exact)
	}
	return float64(hit) / float64(total)
}

// TestIndexLifecycle: CREATE INDEX, searches through the graph, inserts and
// deletes kept in the graph in the same transactions, persistence across
// reopen without rebuilding, filtered search, DROP INDEX.
func TestIndexLifecycle(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	path := filepath.Join(t.TempDir(), "idx.vdb")
	d, err := Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	const n, dim = 6000, 32
	all := clustered(r, n+50, dim, 30)
	vecs, queries := all[:n], all[n:] // queries from the same clusters, not inserted
	c, _ := d.CreateCollection(bg, Spec{Name: "c", Dim: dim, Fields: []Field{{Name: "grp", Type: Int}}}, false)
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = Row{Key: fmt.Sprint("k", i), Vector: vecs[i], Meta: []any{int64(i % 10)}}
	}
	if err := c.Insert(bg, rows...); err != nil {
		t.Fatal(err)
	}
	var last Progress
	ctx := WithProgress(bg, func(p Progress) { last = p })
	if err := d.CreateIndex(ctx, "c", IndexConfig{M: 12, EfConstruction: 100}, 2); err != nil {
		t.Fatal(err)
	}
	if last.Op != "index" || last.Done != n {
		t.Fatalf("progress %+v", last)
	}
	v, _ := c.View()
	if v.Info().Index == nil || v.Info().Index.M != 12 {
		t.Fatalf("index config %+v", v.Info().Index)
	}
	plain := func() *SearchOptions { return &SearchOptions{EfSearch: 64} }
	var plan SearchPlan
	v.Search(bg, queries[0], 10, &SearchOptions{Plan: &plan})
	if plan.Path != "HNSW" {
		t.Fatalf("plan %v", plan)
	}
	if rec := recallAt(t, v, queries, 10, plain); rec < 0.95 {
		t.Fatalf("recall@10 = %.3f", rec)
	}
	// Filtered: results equal exact filtered results (recall) and never fewer than k.
	for _, sel := range []int{2, 10, 200} {
		filt := func() *SearchOptions {
			return &SearchOptions{EfSearch: 64, Filter: func(p int) bool { return p%sel == 0 }}
		}
		if rec := recallAt(t, v, queries, 10, filt); rec < 0.95 {
			t.Fatalf("filtered 1/%d recall %.3f", sel, rec)
		}
	}
	// Writes keep the graph current: delete 20%, reinsert them.
	var dels []string
	for i := 0; i < n; i += 5 {
		dels = append(dels, fmt.Sprint("k", i))
	}
	if _, err := c.Delete(bg, dels...); err != nil {
		t.Fatal(err)
	}
	v, _ = c.View()
	for _, q := range queries[:10] {
		hits, _ := v.Search(bg, q, 10, nil)
		for _, h := range hits {
			var i int
			fmt.Sscanf(h.Key, "k%d", &i)
			if i%5 == 0 {
				t.Fatalf("deleted key %s returned", h.Key)
			}
		}
	}
	var back []Row
	for i := 0; i < n; i += 5 {
		back = append(back, rows[i])
	}
	if err := c.Insert(bg, back...); err != nil {
		t.Fatal(err)
	}
	v, _ = c.View()
	if rec := recallAt(t, v, queries, 10, plain); rec < 0.95 {
		t.Fatalf("recall after delete+reinsert %.3f", rec)
	}
	want, _ := v.Search(bg, queries[1], 10, nil)
	d.Close()

	// Reopen: the graph is loaded, not rebuilt, and gives the same answer.
	d, err = Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	c, _ = d.Collection("c")
	v, _ = c.View()
	got, _ := v.Search(bg, queries[1], 10, &SearchOptions{Plan: &plan})
	if plan.Path != "HNSW" || fmt.Sprint(keysOf(got)) != fmt.Sprint(keysOf(want)) {
		t.Fatalf("after reopen (%v): %v want %v", plan, keysOf(got), keysOf(want))
	}
	d.Close()

	d, _ = Open(path, nil)
	defer d.Close()
	if err := d.DropIndex(bg, "c", false); err != nil {
		t.Fatal(err)
	}
	c, _ = d.Collection("c")
	v, _ = c.View()
	v.Search(bg, queries[1], 10, &SearchOptions{Plan: &plan})
	if plan.Path != "exact scan" {
		t.Fatalf("after drop: %v", plan)
	}
	if err := d.DropIndex(bg, "c", false); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second drop: %v", err)
	}
}

func TestCreateIndexCancelled(t *testing.T) {
	d := MustOpen(t)
	c := importGensim(t, d)
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if err := d.CreateIndex(ctx, "speeches", IndexConfig{}, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled build: %v", err)
	}
	info, _ := c.Info()
	if info.Index != nil {
		t.Fatal("cancelled build left an index")
	}
	if got := countAllBuckets(t, d); got != 1 {
		t.Fatalf("%d data buckets after a cancelled build", got)
	}
	if err := d.CreateIndex(bg, "speeches", IndexConfig{M: 1}, 1); !errors.Is(err, ErrInvalid) {
		t.Fatalf("m=1: %v", err)
	}
}

func TestImportKeepsOrBuildsIndex(t *testing.T) {
	d := MustOpen(t)
	yes, no := true, false
	if _, err := d.Import(bg, "s", "testdata/gensim_speeches.vec", ImportOptions{Index: &yes}); err != nil {
		t.Fatal(err)
	}
	c, _ := d.Collection("s")
	v, _ := c.View()
	var plan SearchPlan
	hits, err := v.MostSimilar(bg, []string{"war"}, nil, 5, &SearchOptions{Plan: &plan})
	if err != nil || len(hits) != 5 || plan.Path != "HNSW" {
		t.Fatalf("indexed import: %v %v %v", hits, plan, err)
	}
	// Re-import keeps the index; with Index=false it is dropped.
	if _, err := d.Import(bg, "s", "testdata/gensim_speeches.vec", ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if info, _ := c.Info(); info.Index == nil {
		t.Fatal("re-import lost the index")
	}
	if _, err := d.Import(bg, "s", "testdata/gensim_speeches.vec", ImportOptions{Index: &no}); err != nil {
		t.Fatal(err)
	}
	if info, _ := c.Info(); info.Index != nil {
		t.Fatal("Index=false kept the index")
	}
	// Small imports get no index by default.
	d.Import(bg, "small", "testdata/gensim_speeches.vec", ImportOptions{})
	sc, _ := d.Collection("small")
	if info, _ := sc.Info(); info.Index != nil {
		t.Fatal("2000 rows got an index by default")
	}
}

// TestIndexRecallOnRealVectors: recall@10 of the HNSW path against exact
// search on real word2vec vectors (the committed gensim file), fresh and
// after deleting and re-inserting 20% of the rows.
func TestIndexRecallOnRealVectors(t *testing.T) {
	d := MustOpen(t)
	yes := true
	if _, err := d.Import(bg, "s", "testdata/gensim_speeches.vec", ImportOptions{Index: &yes}); err != nil {
		t.Fatal(err)
	}
	c, _ := d.Collection("s")
	v, _ := c.View()
	var queries [][]float32
	for i := 0; i < v.Len(); i += 20 {
		queries = append(queries, v.Vector(i))
	}
	opts := func() *SearchOptions { return &SearchOptions{EfSearch: 64} }
	if rec := recallAt(t, v, queries, 10, opts); rec < 0.95 {
		t.Fatalf("recall@10 on real vectors = %.3f", rec)
	}
	var gone []string
	var back []Row
	for i := 0; i < v.Len(); i += 5 {
		gone = append(gone, v.Key(i))
		back = append(back, Row{Key: v.Key(i), Vector: v.Vector(i), Count: v.Count(i)})
	}
	if _, err := c.Delete(bg, gone...); err != nil {
		t.Fatal(err)
	}
	if err := c.Insert(bg, back...); err != nil {
		t.Fatal(err)
	}
	v, _ = c.View()
	if rec := recallAt(t, v, queries, 10, opts); rec < 0.95 {
		t.Fatalf("recall@10 after deleting and re-inserting 20%% = %.3f", rec)
	}
	if rep, err := d.Check(bg, "s"); err != nil || !rep.OK() {
		t.Fatalf("check after updates: %v %v", rep, err)
	}
}
