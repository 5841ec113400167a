package ann

import (
	"context"
	"errors"
	"math/rand"
	"slices"
	"sync"
	"testing"

	"github.com/vecdb/vecdb/internal/vec"
)

var metrics = []vec.Metric{vec.Cosine, vec.DotProduct, vec.L2}

func TestRecallMetrics(t *testing.T) {
	for _, m := range metrics {
		t.Run(m.String(), func(t *testing.T) {
			rng := rand.New(rand.NewSource(1))
			n, dim := 4000, 32
			data := clustered(rng, n+100, dim, 20, 0.6)
			x := New(dim, Config{M: 12, EfConstruction: 100, Metric: m, Seed: 1})
			ids := buildSeq(t, x, data[:n])
			mustCheck(t, x)
			queries := data[n:]
			r := recall(t, x, ids, queries, 10, 64, nil)
			t.Logf("%s recall@10 ef=64: %.4f", m, r)
			if r < 0.95 {
				t.Errorf("recall %.4f < 0.95", r)
			}

			// Delete 20%, check nothing deleted comes back, re-insert.
			var del []uint32
			for i := 0; i < n; i += 5 {
				del = append(del, uint32(i))
			}
			for _, id := range del[:len(del)/2] {
				if err := x.Delete(id); err != nil {
					t.Fatal(err)
				}
			}
			x.DeleteBatch(del[len(del)/2:])
			mustCheck(t, x)
			if x.Len() != n-len(del) {
				t.Fatalf("Len %d after deleting %d of %d", x.Len(), len(del), n)
			}
			deleted := make(map[uint32]bool)
			for _, id := range del {
				deleted[id] = true
				if x.Contains(id) {
					t.Fatalf("deleted id %d still contained", id)
				}
			}
			for _, q := range queries {
				for _, res := range x.Search(q, 10, 64, nil) {
					if deleted[res.ID] {
						t.Fatalf("deleted id %d returned", res.ID)
					}
				}
			}
			r = recall(t, x, ids, queries, 10, 64, nil)
			t.Logf("%s recall@10 after deleting 20%%: %.4f", m, r)
			if r < 0.95 {
				t.Errorf("recall after delete %.4f < 0.95", r)
			}
			for _, id := range del {
				if err := x.Insert(id, data[id]); err != nil {
					t.Fatal(err)
				}
			}
			mustCheck(t, x)
			r = recall(t, x, ids, queries, 10, 64, nil)
			t.Logf("%s recall@10 after re-inserting: %.4f", m, r)
			if r < 0.95 {
				t.Errorf("recall after re-insert %.4f < 0.95", r)
			}
		})
	}
}

func TestRecallLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("20k build in -short")
	}
	rng := rand.New(rand.NewSource(1))
	n, dim := 20000, 64
	data := clustered(rng, n+100, dim, 50, 0.5)
	x := New(dim, Config{Seed: 1, EfConstruction: 100})
	ids := seqIDs(n)
	if err := x.Build(context.Background(), ids, data[:n], 2, nil); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, x)
	for _, ef := range []int{16, 64, 128} {
		r := recall(t, x, ids, data[n:], 10, ef, nil)
		t.Logf("20k x 64 cosine, parallel build 2 threads: recall@10 ef=%d: %.4f", ef, r)
		if ef == 64 && r < 0.95 {
			t.Errorf("recall %.4f < 0.95", r)
		}
	}
}

func TestUpdate(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	data := clustered(rng, 600, 16, 5, 0.5)
	x := New(16, Config{M: 8, EfConstruction: 50, Seed: 1})
	ids := buildSeq(t, x, data[:500])
	// Move every tenth node to a new place.
	for i := 0; i < 500; i += 10 {
		if err := x.Insert(uint32(i), data[500+i/10]); err != nil {
			t.Fatal(err)
		}
		mustCheck(t, x)
	}
	if x.Len() != 500 {
		t.Fatalf("Len %d after updates", x.Len())
	}
	for i := 0; i < 500; i += 10 {
		got := x.Search(data[500+i/10], 1, 32, nil)
		if len(got) != 1 || got[0].ID != uint32(i) {
			t.Fatalf("updated id %d not found at its new place: %v", i, got)
		}
	}
	if r := recall(t, x, ids, data[:50], 10, 64, nil); r < 0.95 {
		t.Errorf("recall after updates %.4f", r)
	}
}

func TestDeleteAll(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	data := clustered(rng, 300, 8, 3, 0.5)
	for _, m := range metrics {
		x := New(8, Config{M: 4, EfConstruction: 20, Metric: m, Seed: 1})
		buildSeq(t, x, data)
		perm := rng.Perm(len(data))
		for i, p := range perm {
			if err := x.Delete(uint32(p)); err != nil {
				t.Fatal(err)
			}
			if i%25 == 0 {
				mustCheck(t, x)
				res := x.Search(data[0], 5, 0, nil)
				if want := min(5, len(data)-i-1); len(res) != want {
					t.Fatalf("%s: %d results with %d left", m, len(res), len(data)-i-1)
				}
			}
		}
		mustCheck(t, x)
		if x.Len() != 0 || x.Search(data[0], 3, 0, nil) != nil {
			t.Fatalf("not empty after deleting all")
		}
		if err := x.Delete(3); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Delete of absent id: %v", err)
		}
		// The index works again after being emptied.
		ids := buildSeq(t, x, data[:50])
		mustCheck(t, x)
		want := exact(x, ids, data[7], 1, nil)
		if got := x.Search(data[7], 1, 0, nil); len(got) != 1 || got[0].ID != want[0].ID {
			t.Fatalf("%s: after refill: %v, want %v", m, got, want)
		}
	}
}

func TestFilteredSearch(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	n, dim := 4000, 32
	data := clustered(rng, n+50, dim, 20, 0.6)
	x := New(dim, Config{M: 12, EfConstruction: 100, Seed: 1})
	ids := buildSeq(t, x, data[:n])
	for _, sel := range []float64{0.5, 0.1, 0.01} {
		pass := make([]bool, n)
		matching := 0
		for i := range pass {
			pass[i] = rng.Float64() < sel
			if pass[i] {
				matching++
			}
		}
		keep := func(id uint32) bool { return pass[id] }
		r := recall(t, x, ids, data[n:], 10, 64, keep)
		t.Logf("filter %.0f%% (%d match): recall@10 %.4f", sel*100, matching, r)
		if r < 0.95 {
			t.Errorf("filtered recall %.4f < 0.95 at %.0f%%", r, sel*100)
		}
	}
	// Exactly 3 nodes pass: all 3 come back for k = 10.
	keep := func(id uint32) bool { return id == 17 || id == 1234 || id == 3999 }
	if got := x.Search(data[n], 10, 10, keep); len(got) != 3 {
		t.Fatalf("%d results with 3 matching: %v", len(got), got)
	}
	if got := x.Search(data[n], 10, 10, func(uint32) bool { return false }); len(got) != 0 {
		t.Fatalf("results with nothing matching: %v", got)
	}
}

func TestInputErrors(t *testing.T) {
	x := New(4, Config{})
	if err := x.Insert(1, []float32{1, 2, 3}); !errors.Is(err, ErrDimension) {
		t.Fatalf("short vector: %v", err)
	}
	nan := float32(0)
	nan = nan / nan
	if err := x.Insert(1, []float32{1, 2, 3, nan}); !errors.Is(err, ErrInvalidVector) {
		t.Fatalf("NaN vector: %v", err)
	}
	if x.Len() != 0 {
		t.Fatal("bad inserts changed the index")
	}
	if x.Search([]float32{1, 2}, 3, 0, nil) != nil || x.Search([]float32{1, 2, 3, 4}, 0, 0, nil) != nil {
		t.Fatal("bad search returned results")
	}
	err := x.Build(context.Background(), []uint32{1, 1}, [][]float32{{1, 2, 3, 4}, {1, 2, 3, 4}}, 1, nil)
	if !errors.Is(err, ErrDuplicateID) {
		t.Fatalf("duplicate ids: %v", err)
	}
	err = x.Build(context.Background(), []uint32{1, 2}, [][]float32{{1, 2, 3, 4}, {1, 2, 3}}, 1, nil)
	if !errors.Is(err, ErrDimension) || x.Len() != 0 {
		t.Fatalf("bad dimension in build: %v, Len %d", err, x.Len())
	}
	// Sparse ids go through the map.
	for _, id := range []uint32{0, 4_000_000_000, 7, 1 << 31} {
		if err := x.Insert(id, []float32{float32(id % 5), 1, 2, 3}); err != nil {
			t.Fatal(err)
		}
		if !x.Contains(id) {
			t.Fatalf("id %d missing", id)
		}
	}
	mustCheck(t, x)
	if v := x.Vector(7); len(v) != 4 || vec.Norm(v) < 0.999 || vec.Norm(v) > 1.001 {
		t.Fatalf("stored cosine vector %v not unit", v)
	}
}

func TestConcurrentSearchInsert(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	data := clustered(rng, 1500, 16, 10, 0.5)
	x := New(16, Config{M: 8, EfConstruction: 40, Seed: 1})
	buildSeq(t, x, data[:500])
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				res := x.Search(data[(i*7+g)%len(data)], 5, 20, func(id uint32) bool { return id%2 == 0 })
				if len(res) > 5 {
					t.Errorf("%d results", len(res))
					return
				}
				_ = x.Contains(uint32(i))
				_ = x.MarshalNode(uint32(i % 500))
			}
		}(g)
	}
	for i := 500; i < len(data); i++ {
		if err := x.Insert(uint32(i), data[i]); err != nil {
			t.Fatal(err)
		}
		if i%50 == 0 {
			_ = x.Delete(uint32(i - 300))
		}
	}
	close(stop)
	wg.Wait()
	mustCheck(t, x)
}

func TestBuildParallel(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	n, dim := 3000, 32
	data := clustered(rng, n+100, dim, 20, 0.6)
	ids := seqIDs(n)
	x := New(dim, Config{M: 12, EfConstruction: 100, Seed: 1})
	var calls, last int
	err := x.Build(context.Background(), ids, data[:n], 2, func(done, total int) {
		calls++
		if total != n || done < last {
			t.Errorf("progress %d/%d after %d", done, total, last)
		}
		last = done
	})
	if err != nil {
		t.Fatal(err)
	}
	if last != n || calls < 2 {
		t.Fatalf("progress ended at %d after %d calls", last, calls)
	}
	mustCheck(t, x)
	r := recall(t, x, ids, data[n:], 10, 64, nil)
	t.Logf("parallel build 2 threads recall@10: %.4f", r)
	if r < 0.95 {
		t.Errorf("recall %.4f < 0.95", r)
	}
	// A second Build adds to the index and replaces existing ids.
	more := seqIDs(n + 100)[n-50:]
	if err := x.Build(context.Background(), more, data[n-50:], 2, nil); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, x)
	if x.Len() != n+100 {
		t.Fatalf("Len %d", x.Len())
	}
}

func TestBuildCancel(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	data := clustered(rng, 5000, 16, 10, 0.5)
	for _, threads := range []int{1, 2} {
		ctx, cancel := context.WithCancel(context.Background())
		x := New(16, Config{M: 8, EfConstruction: 40})
		err := x.Build(ctx, seqIDs(len(data)), data, threads, func(done, total int) {
			if done >= 1000 {
				cancel()
			}
		})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("threads=%d: cancelled build returned %v", threads, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	x := New(16, Config{})
	if err := x.Build(ctx, seqIDs(10), data[:10], 2, nil); !errors.Is(err, context.Canceled) || x.Len() != 0 {
		t.Fatalf("pre-cancelled build: %v, Len %d", err, x.Len())
	}
}

// TestGatherMatchesVisit: scratch.gather returns exactly the links a loop
// of visit calls keeps, in order, and leaves the same nodes seen: links
// seen before, links listed twice, an empty list, and across epochs.
func TestGatherMatchesVisit(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	var a, b scratch
	for round := 0; round < 50; round++ {
		a.reset(500)
		b.reset(500)
		for i := 0; i < 30; i++ { // some nodes seen before
			s := uint32(rng.Intn(500))
			a.visit(s)
			b.visit(s)
		}
		for list := 0; list < 10; list++ {
			links := make([]uint32, rng.Intn(40))
			for i := range links {
				links[i] = uint32(rng.Intn(500))
			}
			var want []uint32
			for _, s := range links {
				if !b.visit(s) {
					want = append(want, s)
				}
			}
			got, _, ok := a.gather(links, 500)
			if !ok || !slices.Equal(got, want) {
				t.Fatalf("round %d: gather(%v) = %v, want %v", round, links, got, want)
			}
		}
		for s := uint32(0); s < 500; s++ {
			if a.visit(s) != b.visit(s) {
				t.Fatalf("round %d: slot %d seen differently", round, s)
			}
		}
	}
	// A link past the slots ends the gather with that link.
	a.reset(500)
	if nb, bad, ok := a.gather([]uint32{3, 500, 4}, 500); ok || bad != 500 || nb != nil {
		t.Errorf("gather past the slots: %v %d %v, want nil 500 false", nb, bad, ok)
	}
}
