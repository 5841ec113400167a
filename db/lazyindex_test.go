package db

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/vecdb/vecdb/ann"
	"github.com/vecdb/vecdb/storage"
)

// lazyIndexDB writes a collection "c" of n clustered vectors with an HNSW
// index (quantize: "" or "int8") and returns the file and the vectors.
func lazyIndexDB(t *testing.T, n int, quantize string) (string, [][]float32) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lazy.vdb")
	d, err := Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	c, err := d.CreateCollection(bg, Spec{Name: "c", Dim: 16}, false)
	if err != nil {
		t.Fatal(err)
	}
	vs := clustered(rand.New(rand.NewSource(int64(n))), n, 16, 30)
	rows := make([]Row, n)
	for i, v := range vs {
		rows[i] = Row{Key: fmt.Sprint("k", i), Vector: v}
	}
	if err := c.Insert(bg, rows...); err != nil {
		t.Fatal(err)
	}
	if err := d.CreateIndex(bg, "c", IndexConfig{M: 8, EfConstruction: 40, Quantize: quantize}, 1); err != nil {
		t.Fatal(err)
	}
	dropSegment(t, d, "c") // these tests are of the graph opened from its records
	return path, vs
}

// dropSegment deletes the graph segment of collection name, so that its
// graph is opened from its records (lazily), as after a write.
func dropSegment(t testing.TB, d *DB, name string) {
	t.Helper()
	err := d.store.Update(func(tx *storage.Tx) error {
		c, err := tx.Collection(name)
		if err != nil {
			return err
		}
		return c.IndexDropSegment()
	})
	if err != nil {
		t.Fatal(err)
	}
	d.setIndex(name, nil, collVersion{}) // the next view opens the graph anew
}

// openView opens path without the background fill (graphfill_test.go
// tests it), so that the graph holds the nodes that searches reached.
func openView(t *testing.T, path string) (*DB, *View) {
	t.Helper()
	return openFill(t, path, Options{NoGraphFill: true})
}

// TestLazyIndexSameAnswers: the first query through the graph of a freshly
// opened file fills a small part of it, and the lazily filled graph
// answers every query as the graph loaded whole does (float32 and int8).
func TestLazyIndexSameAnswers(t *testing.T) {
	const n = 4000
	for _, quant := range []string{"", "int8"} {
		path, vs := lazyIndexDB(t, n, quant)
		d, v := openView(t, path)
		queries := vs[:60]
		lazy := make([][]Hit, len(queries))
		for i, q := range queries {
			hs, err := v.Search(bg, q, 10, nil)
			if err != nil {
				t.Fatal(err)
			}
			lazy[i] = hs
			if i == 0 {
				idx, err := v.loadedIndex()
				if err != nil || idx == nil || !idx.Lazy() {
					t.Fatalf("%q: the first query's graph: %v, %v", quant, idx, err)
				}
				if f := idx.Filled(); f == 0 || f > n/4 {
					t.Errorf("%q: the first query filled %d of %d nodes", quant, f, n)
				}
			}
		}
		if p := v.Plan(10, nil); p.Path != "HNSW" {
			t.Fatalf("%q: plan %v", quant, p)
		}
		full, err := v.fullIndex()
		if err != nil || full.Lazy() || full.Len() != n {
			t.Fatalf("%q: full load: %v", quant, err)
		}
		for i, q := range queries {
			hs, err := v.Search(bg, q, 10, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(hs, lazy[i]) {
				t.Fatalf("%q: query %d: lazy graph\n%v\nwhole graph\n%v", quant, i, lazy[i], hs)
			}
		}
		d.Close()
	}
}

// TestLazyIndexConcurrentFirstQueries: first queries from many goroutines
// at once fill the graph safely (run it with -race) and answer as the
// whole graph does.
func TestLazyIndexConcurrentFirstQueries(t *testing.T) {
	path, vs := lazyIndexDB(t, 2000, "int8")
	queries := vs[:40]
	d, v := openView(t, path)
	want := make([][]string, len(queries))
	if _, err := v.fullIndex(); err != nil {
		t.Fatal(err)
	}
	for i, q := range queries {
		hs, err := v.Search(bg, q, 5, nil)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = hitKeys(hs)
	}
	d.Close()

	d, v = openView(t, path)
	defer d.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for j := range queries {
				i := (j + 5*g) % len(queries)
				hs, err := v.Search(bg, queries[i], 5, nil)
				if err != nil {
					errs <- err
					return
				}
				if got := hitKeys(hs); !reflect.DeepEqual(got, want[i]) {
					errs <- fmt.Errorf("query %d: %v, want %v", i, got, want[i])
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if idx, _ := v.loadedIndex(); idx == nil || !idx.Lazy() {
		t.Fatal("the searches did not use the lazy graph")
	}
}

// TestLazyIndexDamagedNode: a damaged node record that a query reaches
// fails the query with ErrCorrupt (not a panic, not a wrong answer); CHECK
// still reads the whole graph and reports it.
func TestLazyIndexDamagedNode(t *testing.T) {
	path, vs := lazyIndexDB(t, 1000, "")
	missing := binary.AppendUvarint([]byte{0, 1}, 1<<30) // level 0, one link to no row
	for name, rec := range map[string][]byte{"link to a missing node": missing, "truncated": {0, 3, 1}} {
		d, v := openView(t, path)
		pos, err := v.Positions([]string{"k7"})
		if err != nil {
			t.Fatal(err)
		}
		id := v.ID(pos[0])
		err = d.store.Update(func(tx *storage.Tx) error {
			c, err := tx.Collection("c")
			if err != nil {
				return err
			}
			return c.IndexPut(id, rec)
		})
		if err != nil {
			t.Fatal(err)
		}
		d.Close()

		d, v = openView(t, path)
		if _, err := v.Search(bg, vs[7], 3, nil); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: query reaching the node: %v, want ErrCorrupt", name, err)
		}
		if _, err := d.Query(bg, "SELECT NEAREST 3 TO 'k7' FROM c"); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: NEAREST reaching the node: %v, want ErrCorrupt", name, err)
		}
		if _, err := d.Query(bg, "CHECK c"); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: CHECK: %v, want ErrCorrupt", name, err)
		}
		d.Close()
	}
}

// TestLazyIndexWritesAfterReads: a write after lazy reads loads the whole
// graph and keeps it current; a graph opened lazily before the write no
// longer reads the file's new records (ErrStale) and the file's graph
// stays whole.
func TestLazyIndexWritesAfterReads(t *testing.T) {
	path, vs := lazyIndexDB(t, 1500, "")
	d, v := openView(t, path)
	if _, err := v.Search(bg, vs[3], 5, nil); err != nil {
		t.Fatal(err)
	}
	lazy, err := v.loadedIndex()
	if err != nil || lazy == nil || !lazy.Lazy() {
		t.Fatalf("lazy graph: %v %v", lazy, err)
	}
	c, _ := d.Collection("c")
	extra := clustered(rand.New(rand.NewSource(99)), 20, 16, 3)
	for i, x := range extra {
		if err := c.Insert(bg, Row{Key: fmt.Sprint("new", i), Vector: x}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Delete(bg, "k3"); err != nil {
		t.Fatal(err)
	}
	check := func(d *DB) {
		t.Helper()
		c, _ := d.Collection("c")
		v, err := c.View()
		if err != nil {
			t.Fatal(err)
		}
		for i, x := range extra {
			hs, err := v.Search(bg, x, 1, nil)
			if err != nil {
				t.Fatal(err)
			}
			if p := v.Plan(1, nil); p.Path != "HNSW" || hs[0].Key != fmt.Sprint("new", i) {
				t.Fatalf("new row %d: %v through %s", i, hitKeys(hs), p.Path)
			}
		}
		hs, err := v.Search(bg, vs[3], 1, nil)
		if err != nil || hs[0].Key == "k3" {
			t.Fatalf("deleted row: %v %v", hitKeys(hs), err)
		}
	}
	check(d)
	if idx, _ := d.indexForWrite("c"); idx == nil || idx.Lazy() {
		t.Fatal("the write did not load the whole graph")
	}
	// The lazy graph of the old state: what it has not filled, it cannot.
	stale := false
	for _, q := range vs[500:] {
		if _, err := lazy.SearchErr(q, 5, 40, 0, nil); errors.Is(err, storage.ErrStale) {
			stale = true
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if !stale {
		t.Error("the old lazy graph read records of the new state")
	}
	if err := lazy.Insert(1<<20, vs[0]); !errors.Is(err, ann.ErrLazy) {
		t.Errorf("Insert into the lazy graph: %v", err)
	}
	d.Close()

	d, _ = openView(t, path)
	defer d.Close()
	check(d)
	if _, err := d.Query(bg, "CHECK c"); err != nil {
		t.Fatalf("CHECK after writes: %v", err)
	}
}

// TestPosOfIDDense: ids 0 … n-1 map to themselves without a table.
func TestPosOfIDDense(t *testing.T) {
	d := MustOpen(t)
	fillColl(t, d, "c", 50, 4, L2)
	c, _ := d.Collection("c")
	v, err := c.View()
	if err != nil {
		t.Fatal(err)
	}
	for p, id := range v.idList() {
		if q, ok := v.posOfID(id); !ok || q != p {
			t.Fatalf("id %d: %d %v", id, q, ok)
		}
	}
	if !v.idsDense || v.byID != nil {
		t.Fatal("ids 0 … n-1 took a table")
	}
	if _, ok := v.posOfID(50); ok {
		t.Fatal("id 50 of 50 rows found")
	}
	if _, err := c.Delete(bg, "k10"); err != nil {
		t.Fatal(err)
	}
	v, _ = c.View()
	if _, ok := v.posOfID(10); ok || v.idsDense {
		t.Fatal("a deleted id found")
	}
	if p, ok := v.posOfID(11); !ok || p != 10 {
		t.Fatalf("id 11 after deleting id 10: %d %v", p, ok)
	}
}

// TestPosOfIDSparse: after many deletes the ids are sparse and posOfID
// maps them through ranges (byRange), still exactly; the lazy graph
// resolves its links through it.
func TestPosOfIDSparse(t *testing.T) {
	path, vs := lazyIndexDB(t, 6000, "")
	d, err := Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := d.Collection("c")
	var del []string
	for i := range vs {
		if i%5 != 0 {
			del = append(del, fmt.Sprint("k", i))
		}
	}
	if _, err := c.Delete(bg, del...); err != nil {
		t.Fatal(err)
	}
	d.Close()
	d, v := openView(t, path)
	defer d.Close()
	if v.Len() != 1200 {
		t.Fatalf("%d rows", v.Len())
	}
	present := map[uint32]bool{}
	for p, id := range v.idList() {
		present[id] = true
		if q, ok := v.posOfID(id); !ok || q != p {
			t.Fatalf("id %d: position %d %v, want %d", id, q, ok, p)
		}
	}
	if v.byID != nil || v.byRange == nil || v.idsDense {
		t.Fatal("sparse ids did not take the range table")
	}
	for id := uint32(0); id < v.ID(v.Len()-1)+100; id++ {
		if _, ok := v.posOfID(id); ok != present[id] {
			t.Fatalf("id %d: found %v", id, ok)
		}
	}
	if _, ok := v.posOfID(1 << 31); ok {
		t.Fatal("a huge id was found")
	}
	var lazy [][]Hit
	for i := 0; i < len(vs); i += 25 {
		hs, err := v.Search(bg, vs[i], 5, nil)
		if err != nil {
			t.Fatal(err)
		}
		lazy = append(lazy, hs)
	}
	if idx, _ := v.loadedIndex(); idx == nil || !idx.Lazy() {
		t.Fatal("not the lazy graph")
	}
	if _, err := v.fullIndex(); err != nil {
		t.Fatal(err)
	}
	for j, i := 0, 0; i < len(vs); i, j = i+25, j+1 {
		hs, err := v.Search(bg, vs[i], 5, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(hs, lazy[j]) {
			t.Fatalf("query %d: lazy graph %v, whole graph %v", i, hitKeys(lazy[j]), hitKeys(hs))
		}
	}
}
