package ann

import (
	"context"
	"math"
	"math/rand"
	"testing"

	"github.com/vecdb/vecdb/internal/vec"
)

// refSearch is Search written the plain way, one node at a time: no
// batches, no prefetching, a visit call per link. The walk in search.go
// must return exactly what it returns.
func refSearch(x *Index, q []float32, k, ef int) []Result {
	if ef < k {
		ef = k
	}
	if x.cfg.Int8 {
		ef = Int8Beam(ef, k, 0)
	}
	sc := &scratch{}
	if x.cfg.Metric == vec.Cosine {
		q = append([]float32(nil), q...)
		normalize(q)
	}
	if x.cfg.Int8 {
		x.setQuery(sc, q)
	}
	ep := cand{x.distSlot(sc, q, x.entry), x.entry}
	for lc := x.maxLevel; lc > 0; lc-- {
		for changed := true; changed; {
			changed = false
			for _, n := range x.linksOf(ep.s, lc) {
				if d := x.distSlot(sc, q, n); d < ep.d {
					ep = cand{d, n}
					changed = true
				}
			}
		}
	}
	sc.reset(len(x.levels))
	sc.visit(ep.s)
	sc.cand.push(ep)
	sc.res.push(ep)
	for len(sc.cand) > 0 {
		c := sc.cand.pop()
		if len(sc.res) >= ef && c.d > sc.res[0].d {
			break
		}
		for _, n := range x.linksOf(c.s, 0) {
			if sc.visit(n) {
				continue
			}
			d := x.distSlot(sc, q, n)
			if len(sc.res) < ef || d < sc.res[0].d {
				sc.cand.push(cand{d, n})
				if len(sc.res) < ef {
					sc.res.push(cand{d, n})
				} else {
					sc.res.replaceTop(cand{d, n})
				}
			}
		}
	}
	if sc.int8 {
		x.rescore(sc, q, k)
	}
	for len(sc.res) > k {
		sc.res.pop()
	}
	out := make([]Result, len(sc.res))
	for i := len(out) - 1; i >= 0; i-- {
		c := sc.res.pop()
		out[i] = Result{ID: x.ids[c.s], Distance: c.d}
	}
	return out
}

// TestWalkMatchesReference: the batched, prefetching walk returns the same
// neighbours in the same order with the same distance bits as the plain
// one, for float32 and int8 indexes under every metric, odd and even
// dimensions, and beams from k to wide.
func TestWalkMatchesReference(t *testing.T) {
	for _, c := range []struct {
		dim    int
		metric vec.Metric
		int8   bool
	}{
		{100, vec.Cosine, true}, {100, vec.Cosine, false}, {37, vec.L2, true},
		{37, vec.DotProduct, true}, {64, vec.L2, false}, {17, vec.DotProduct, false},
	} {
		rng := rand.New(rand.NewSource(int64(c.dim)))
		data := clustered(rng, 2100, c.dim, 20, 1)
		x := New(c.dim, Config{M: 8, EfConstruction: 64, Seed: 5, Metric: c.metric, Int8: c.int8})
		if err := x.Build(context.Background(), seqIDs(2000), data[:2000], 2, nil); err != nil {
			t.Fatal(err)
		}
		for qi, q := range data[2000:] {
			for _, ef := range []int{10, 16, 40, 100} {
				got, want := x.Search(q, 10, ef, nil), refSearch(x, q, 10, ef)
				if len(got) != len(want) {
					t.Fatalf("%+v query %d ef %d: %d results, want %d", c, qi, ef, len(got), len(want))
				}
				for i := range got {
					if got[i].ID != want[i].ID || math.Float32bits(got[i].Distance) != math.Float32bits(want[i].Distance) {
						t.Fatalf("%+v query %d ef %d: result %d is %v, want %v", c, qi, ef, i, got[i], want[i])
					}
				}
			}
		}
	}
}
