package db

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vecdb/vecdb/internal/vec"
)

// fillColl creates collection name with n random rows of dim, keys k0….
func fillColl(t testing.TB, d *DB, name string, n, dim int, metric Metric) (*Collection, [][]float32) {
	t.Helper()
	c, err := d.CreateCollection(bg, Spec{Name: name, Dim: dim, Metric: metric}, false)
	if err != nil {
		t.Fatal(err)
	}
	vs := randVecs(rand.New(rand.NewSource(int64(n))), n, dim)
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = Row{Key: fmt.Sprintf("k%d", i), Vector: vs[i]}
	}
	if err := c.Insert(bg, rows...); err != nil {
		t.Fatal(err)
	}
	return c, vs
}

// bruteTop returns the keys of the k rows of vs closest to q by the metric.
func bruteTop(vs [][]float32, q []float32, k int, metric Metric) []string {
	type sc struct {
		s float32
		i int
	}
	unit := func(x []float32) []float32 {
		x = append([]float32(nil), x...)
		if metric == Cosine {
			vec.Normalize(x)
		}
		return x
	}
	var all []sc
	for i, x := range vs {
		all = append(all, sc{metric.Score(unit(q), unit(x)), i})
	}
	for i := 0; i < k; i++ { // selection: k is small
		for j := i + 1; j < len(all); j++ {
			if all[j].s > all[i].s || (all[j].s == all[i].s && all[j].i < all[i].i) {
				all[i], all[j] = all[j], all[i]
			}
		}
	}
	out := make([]string, k)
	for i := range out {
		out[i] = fmt.Sprintf("k%d", all[i].i)
	}
	return out
}

func hitKeys(hs []Hit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.Key
	}
	return out
}

// TestViewReadsVectorsInPlace: a view of a collection with vector blocks
// reads its vectors in place; exact Search and SearchBatch answer as a
// brute-force scan of the inserted vectors does; SearchVector returns a
// copy; VACUUM moves the file under the view, which keeps answering.
func TestViewReadsVectorsInPlace(t *testing.T) {
	for _, metric := range []Metric{Cosine, L2} {
		d := MustOpen(t)
		const n, dim = 1500, 24 // 1024 rows per block: two blocks
		c, vs := fillColl(t, d, "c", n, dim, metric)
		v, err := c.View()
		if err != nil {
			t.Fatal(err)
		}
		if !v.InPlace() {
			t.Fatal("the view copied its vectors")
		}
		r := rand.New(rand.NewSource(5))
		var qs [][]float32
		for i := 0; i < 5; i++ {
			qs = append(qs, randVecs(r, 1, dim)[0])
		}
		check := func(what string) {
			t.Helper()
			batch, err := v.SearchBatch(bg, qs, 7, nil)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			for i, q := range qs {
				hs, err := v.Search(bg, q, 7, &SearchOptions{Exact: true})
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				want := bruteTop(vs, q, 7, metric)
				if fmt.Sprint(hitKeys(hs)) != fmt.Sprint(want) || fmt.Sprint(hitKeys(batch[i])) != fmt.Sprint(want) {
					t.Fatalf("%s, %v: search %v, batch %v, want %v", what, metric, hitKeys(hs), hitKeys(batch[i]), want)
				}
			}
			x := v.SearchVector(1100)
			x[0] = 1e9 // a copy: the view is unchanged
			if v.SearchVector(1100)[0] == 1e9 {
				t.Fatalf("%s: SearchVector shares the view's vectors", what)
			}
		}
		check("in place")
		if _, err := d.Vacuum(bg); err != nil {
			t.Fatal(err)
		}
		if v.InPlace() {
			t.Error("the view still reads the replaced file in place")
		}
		check("after VACUUM")
		nv, err := c.View()
		if err != nil {
			t.Fatal(err)
		}
		if !nv.InPlace() {
			t.Error("a view of the vacuumed file copied its vectors")
		}
	}
}

// TestStaleInPlaceViewKeepsItsSnapshot: a view read in place answers from
// its own snapshot after the collection changed (its pinned transaction
// keeps the old pages), and a fresh view sees the change.
func TestStaleInPlaceViewKeepsItsSnapshot(t *testing.T) {
	d := MustOpen(t)
	c, vs := fillColl(t, d, "c", 600, 16, Cosine)
	old, err := c.View()
	if err != nil {
		t.Fatal(err)
	}
	far := make([]float32, 16)
	for i := range far {
		far[i] = -vs[5][i]
	}
	if _, err := c.Upsert(bg, Row{Key: "k5", Vector: far}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Delete(bg, "k6"); err != nil {
		t.Fatal(err)
	}
	hs, err := old.Search(bg, vs[5], 2, &SearchOptions{Exact: true})
	if err != nil {
		t.Fatal(err)
	}
	if !old.InPlace() || hs[0].Key != "k5" || hs[0].Similarity < 0.9999 {
		t.Fatalf("stale view (in place %v) found %v", old.InPlace(), hs)
	}
	nv, err := c.View()
	if err != nil {
		t.Fatal(err)
	}
	hs, err = nv.Search(bg, vs[5], 1, &SearchOptions{Exact: true})
	if err != nil {
		t.Fatal(err)
	}
	if hs[0].Key == "k5" {
		t.Fatalf("fresh view found the old vector of k5: %v", hs)
	}
	if _, ok := nv.Lookup("k6"); ok || nv.InPlace() {
		t.Errorf("fresh view: k6 still there, or read in place with a deleted row (in place %v)", nv.InPlace())
	}
}

// TestInPlaceViewAfterClose: a search on a view read in place fails with
// ErrClosed once its DB is closed, instead of reading unmapped memory.
func TestInPlaceViewAfterClose(t *testing.T) {
	d, err := Open(filepath.Join(t.TempDir(), "t.vdb"), &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	c, vs := fillColl(t, d, "c", 100, 8, Cosine)
	v, err := c.View()
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	if _, err := v.Search(bg, vs[0], 3, &SearchOptions{Exact: true}); !errors.Is(err, ErrClosed) {
		t.Fatalf("search after Close: %v, want ErrClosed", err)
	}
}

// TestWriterGrowsFileWhileReadersSearch: with a small map headroom, a
// writer inserts rows (growing the file past the map again and again)
// while readers search views read in place, old and new. Every search of
// a view answers the same before and after the writes around it (its
// snapshot), finds the queried row itself first, and the views' pins were
// released to let the map grow.
func TestWriterGrowsFileWhileReadersSearch(t *testing.T) {
	d, err := Open(filepath.Join(t.TempDir(), "t.vdb"), &Options{NoSync: true, MapHeadroom: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	const dim = 32
	c, _ := fillColl(t, d, "c", 2000, dim, Cosine)
	ctx, cancel := context.WithCancel(bg)
	var wg sync.WaitGroup
	errc := make(chan error, 16)
	wg.Add(1)
	go func() { // the writer
		defer wg.Done()
		defer cancel()
		r := rand.New(rand.NewSource(11))
		deadline := time.Now().Add(3 * time.Second)
		for i := 0; time.Now().Before(deadline) && (d.store.Releases() < 3 || i < 50); i++ {
			rows := make([]Row, 20)
			for j := range rows {
				rows[j] = Row{Key: fmt.Sprintf("w%d-%d", i, j), Vector: randVecs(r, 1, dim)[0]}
			}
			if err := c.Insert(bg, rows...); err != nil {
				errc <- fmt.Errorf("writer: %w", err)
				return
			}
		}
	}()
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(g int) { // the readers
			defer wg.Done()
			r := rand.New(rand.NewSource(int64(g)))
			for ctx.Err() == nil {
				v, err := c.View()
				if err != nil {
					errc <- err
					return
				}
				p := r.Intn(v.Len())
				q := v.SearchVector(p)
				a, err := v.Search(bg, q, 3, &SearchOptions{Exact: true})
				if err != nil {
					errc <- fmt.Errorf("reader %d: %w", g, err)
					return
				}
				time.Sleep(time.Millisecond)
				b, err := v.SearchBatch(bg, [][]float32{q}, 3, nil)
				if err != nil {
					errc <- fmt.Errorf("reader %d: %w", g, err)
					return
				}
				if a[0].Key != v.Key(p) || fmt.Sprint(hitKeys(a)) != fmt.Sprint(hitKeys(b[0])) {
					errc <- fmt.Errorf("reader %d: row %s: search %v, then batch %v", g, v.Key(p), hitKeys(a), hitKeys(b[0]))
					return
				}
				// The stored vector, from its block and record, while
				// the writer grows the file: the view's unit vector.
				row, err := c.Get(v.Key(p))
				if err != nil {
					errc <- fmt.Errorf("reader %d: get: %w", g, err)
					return
				}
				u := append([]float32(nil), row.Vector...)
				vec.Normalize(u)
				if vec.Dot(u, q) < 0.9999 {
					errc <- fmt.Errorf("reader %d: row %s: Get gave another vector than the view's", g, v.Key(p))
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if d.store.Releases() == 0 {
		t.Error("the map never had to grow: the test did not test it")
	}
	v, err := c.View()
	if err != nil {
		t.Fatal(err)
	}
	if !v.InPlace() {
		t.Error("a fresh view after the writes copied its vectors")
	}
	if rep, err := d.Check(bg, ""); err != nil || !rep.OK() {
		t.Fatalf("check: %v %v", rep, err)
	}
}

// TestDroppedViewsClosePins: views left behind by writes close their pinned
// transactions once collected (each open one would keep bbolt from reusing
// freed pages), and Pin starts a collection itself when many are open.
func TestDroppedViewsClosePins(t *testing.T) {
	d := MustOpen(t)
	c, vs := fillColl(t, d, "c", 300, 8, Cosine)
	for i := 0; i < 80; i++ {
		if _, err := c.Upsert(bg, Row{Key: "k1", Vector: vs[i]}); err != nil {
			t.Fatal(err)
		}
		v, err := c.View()
		if err != nil {
			t.Fatal(err)
		}
		if !v.InPlace() {
			t.Fatal("view not in place")
		}
	}
	if n := d.store.Pins(); n > 80 {
		t.Fatalf("%d pins for 80 views", n)
	}
	deadline := time.Now().Add(5 * time.Second)
	for d.store.Pins() > 2 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := d.store.Pins(); n > 2 {
		t.Fatalf("%d pins still open after the views were dropped", n)
	}
}

// TestEachVectorScattered: eachVector, which an int8 graph rescores its
// beam through (asking for the vectors ahead of the one it reads), gives fn
// every position's vector in the order asked, across blocks and with
// repeats; a position past the blocks is ErrCorrupt, not a crash; after
// Close it is ErrClosed.
func TestEachVectorScattered(t *testing.T) {
	d := MustOpen(t)
	const n, dim = 1500, 24 // 1024 rows per block: two blocks
	c, _ := fillColl(t, d, "c", n, dim, L2)
	v, err := c.View()
	if err != nil {
		t.Fatal(err)
	}
	if !v.InPlace() {
		t.Fatal("the view copied its vectors")
	}
	f := v.file
	long := rand.New(rand.NewSource(9)).Perm(n)[:300] // longer than the prefetch runs ahead
	long = append(long, long[:40]...)
	for _, pos := range [][]int{{1499, 0, 1024, 1023, 7, 7, 1200, 3}, {5}, nil, long} {
		var got []int
		err := f.eachVector(pos, dim, func(i int, x []float32) {
			got = append(got, i)
			if want := f.vector(pos[i], dim); fmt.Sprint(x) != fmt.Sprint(want) {
				t.Fatalf("position %d: %v, want %v", pos[i], x, want)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(pos) {
			t.Fatalf("fn called %d times for %d positions", len(got), len(pos))
		}
		for i := range got {
			if got[i] != i {
				t.Fatalf("fn called out of order: %v", got)
			}
		}
	}
	if err := f.eachVector(append(slices.Clone(long), n+5000, 9), dim, func(int, []float32) {}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("a position past the blocks: %v, want ErrCorrupt", err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.eachVector([]int{3, 9}, dim, func(int, []float32) {}); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
}
