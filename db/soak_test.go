package db

import (
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var soak = flag.Duration("soak", 2*time.Second, "how long TestSoakReadersWriter runs (e.g. -soak 30s)")

// TestSoakReadersWriter runs 8 readers (exact Search, index Search,
// MostSimilar) against one writer that inserts and deletes, for -soak.
// Each reader checks every answer against the view that produced it: the
// anchors are always found with similarity 1, every hit's key is in the
// view with the similarity reported, and exact search equals a brute-force
// scan of the same view.
func TestSoakReadersWriter(t *testing.T) {
	ctx := context.Background()
	d := MustOpen(t)
	const dim = 8
	c, err := d.CreateCollection(ctx, Spec{Name: "c", Dim: dim}, false)
	if err != nil {
		t.Fatal(err)
	}
	// Anchors are the first four axes; every other row is zero on them, so
	// each anchor is the only row with similarity 1 to its axis.
	axis := func(i int) []float32 { v := make([]float32, dim); v[i] = 1; return v }
	for i := 0; i < 4; i++ {
		if err := c.Insert(ctx, Row{Key: fmt.Sprint("anchor", i), Vector: axis(i)}); err != nil {
			t.Fatal(err)
		}
	}
	r := rand.New(rand.NewSource(1))
	row := func(i int) Row {
		v := make([]float32, dim)
		for j := 4; j < dim; j++ {
			v[j] = float32(r.NormFloat64())
		}
		v[4] += 0.01 // never zero
		return Row{Key: fmt.Sprint("r", i), Vector: v}
	}
	var seed []Row
	for i := 0; i < 300; i++ {
		seed = append(seed, row(i))
	}
	if err := c.Insert(ctx, seed...); err != nil {
		t.Fatal(err)
	}
	if err := d.CreateIndex(ctx, "c", IndexConfig{Kind: "HNSW", M: 8, EfConstruction: 40}, 1); err != nil {
		t.Fatal(err)
	}

	var stop atomic.Bool
	var wg sync.WaitGroup
	var queries, writes atomic.Int64
	errs := make(chan error, 16)
	fail := func(err error) {
		select {
		case errs <- err:
		default:
		}
		stop.Store(true)
	}
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			rr := rand.New(rand.NewSource(int64(100 + g)))
			for !stop.Load() {
				v, err := c.View()
				if err != nil {
					fail(err)
					return
				}
				a := rr.Intn(4)
				hits, err := v.Search(ctx, axis(a), 1, &SearchOptions{Exact: true})
				if err != nil || len(hits) != 1 || hits[0].Key != fmt.Sprint("anchor", a) || hits[0].Similarity != 1 {
					fail(fmt.Errorf("reader %d: anchor %d: %+v %v", g, a, hits, err))
					return
				}
				q := make([]float32, dim)
				for j := range q {
					q[j] = float32(rr.NormFloat64())
				}
				k := 1 + rr.Intn(10)
				exact, err := v.Search(ctx, q, k, &SearchOptions{Exact: true})
				if err != nil {
					fail(err)
					return
				}
				if err := sameAsBruteForce(v, q, k, exact); err != nil {
					fail(fmt.Errorf("reader %d: %v", g, err))
					return
				}
				approx, err := v.Search(ctx, q, k, nil)
				if err != nil {
					fail(err)
					return
				}
				ms, err := v.MostSimilar(ctx, []string{fmt.Sprint("anchor", a)}, nil, k, nil)
				if err != nil {
					fail(err)
					return
				}
				for _, h := range append(approx, ms...) {
					if err := hitInView(v, h); err != nil {
						fail(fmt.Errorf("reader %d: %v", g, err))
						return
					}
				}
				for _, h := range ms {
					if h.Key == fmt.Sprint("anchor", a) {
						fail(fmt.Errorf("reader %d: MostSimilar returned its input", g))
						return
					}
				}
				queries.Add(1)
			}
		}(g)
	}
	// The writer: insert a batch, delete some older rows, repeat.
	next, live := 300, []int{}
	for i := 0; i < 300; i++ {
		live = append(live, i)
	}
	deadline := time.Now().Add(*soak)
	for time.Now().Before(deadline) && !stop.Load() {
		var batch []Row
		for j := 0; j < 1+r.Intn(5); j++ {
			batch = append(batch, row(next))
			live = append(live, next)
			next++
		}
		if err := c.Insert(ctx, batch...); err != nil {
			fail(err)
			break
		}
		var del []string
		for j := 0; j < r.Intn(5) && len(live) > 100; j++ {
			p := r.Intn(len(live))
			del = append(del, fmt.Sprint("r", live[p]))
			live = append(live[:p], live[p+1:]...)
		}
		if n, err := c.Delete(ctx, del...); err != nil || n != len(del) {
			fail(fmt.Errorf("delete %v: %d, %v", del, n, err))
			break
		}
		writes.Add(1)
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rep, err := d.Check(ctx, "")
	if err != nil || !rep.OK() {
		t.Fatalf("check after soak: %v %v", rep, err)
	}
	if v, _ := c.View(); v.Len() != 4+len(live) {
		t.Fatalf("%d rows, want %d", v.Len(), 4+len(live))
	}
	t.Logf("%v: %d reader rounds, %d insert+delete rounds, final rows %d", *soak, queries.Load(), writes.Load(), 4+len(live))
}

// hitInView checks that a hit names a row of v at its position, with the
// similarity that row has.
func hitInView(v *View, h Hit) error {
	p, ok := v.Lookup(h.Key)
	if !ok || p != h.Pos {
		return fmt.Errorf("hit %q at %d is not in its view (%d, %v)", h.Key, h.Pos, p, ok)
	}
	return nil
}

// sameAsBruteForce compares an exact search with a scan of the same view:
// the similarities must agree rank by rank and each hit must carry its
// own row's similarity (keys may differ only among ties).
func sameAsBruteForce(v *View, q []float32, k int, got []Hit) error {
	qn := norm64(q)
	sims := make([]float64, v.Len())
	for i := range sims {
		sims[i] = dot64(q, v.Vector(i)) / (qn * norm64(v.Vector(i)))
	}
	want := append([]float64(nil), sims...)
	sort.Sort(sort.Reverse(sort.Float64Slice(want)))
	if len(got) != min(k, len(want)) {
		return fmt.Errorf("%d hits, want %d", len(got), min(k, len(want)))
	}
	for i, h := range got {
		if err := hitInView(v, h); err != nil {
			return err
		}
		if math.Abs(float64(h.Similarity)-want[i]) > 1e-4 || math.Abs(sims[h.Pos]-float64(h.Similarity)) > 1e-4 {
			return fmt.Errorf("rank %d: %q similarity %v, brute force %v (its own %v)", i, h.Key, h.Similarity, want[i], sims[h.Pos])
		}
	}
	return nil
}
