package ann

import (
	"math/rand"
	"slices"
	"testing"

	"github.com/vecdb/vecdb/internal/vec"
)

// clustered returns n vectors of length dim drawn around nc Gaussian
// cluster centres.
func clustered(rng *rand.Rand, n, dim, nc int, spread float32) [][]float32 {
	centres := make([][]float32, nc)
	for i := range centres {
		c := make([]float32, dim)
		for j := range c {
			c[j] = float32(rng.NormFloat64())
		}
		centres[i] = c
	}
	out := make([][]float32, n)
	for i := range out {
		c := centres[rng.Intn(nc)]
		v := make([]float32, dim)
		for j := range v {
			v[j] = c[j] + spread*float32(rng.NormFloat64())
		}
		out[i] = v
	}
	return out
}

// exact returns the k nearest ids of q by brute force under the index
// metric, among the ids that pass keep.
func exact(x *Index, ids []uint32, q []float32, k int, keep func(uint32) bool) []Result {
	qq := append([]float32(nil), q...)
	if x.cfg.Metric == vec.Cosine {
		normalize(qq)
	}
	var all []Result
	for _, id := range ids {
		if keep != nil && !keep(id) {
			continue
		}
		v := x.Vector(id)
		if v == nil {
			continue
		}
		all = append(all, Result{id, x.dist(qq, v)})
	}
	slices.SortFunc(all, func(a, b Result) int {
		switch {
		case a.Distance < b.Distance:
			return -1
		case a.Distance > b.Distance:
			return 1
		}
		return int(a.ID) - int(b.ID)
	})
	if len(all) > k {
		all = all[:k]
	}
	return all
}

// recall measures recall@k of Search against exact search over nq queries.
func recall(t testing.TB, x *Index, ids []uint32, queries [][]float32, k, ef int, keep func(uint32) bool) float64 {
	t.Helper()
	hit, total := 0, 0
	for _, q := range queries {
		want := exact(x, ids, q, k, keep)
		got := x.Search(q, k, ef, keep)
		if len(got) != len(want) {
			t.Fatalf("Search returned %d results, %d match", len(got), len(want))
		}
		for i := 1; i < len(got); i++ {
			if got[i].Distance < got[i-1].Distance {
				t.Fatalf("results not ascending: %v", got)
			}
		}
		set := make(map[uint32]bool, len(got))
		for _, r := range got {
			if keep != nil && !keep(r.ID) {
				t.Fatalf("result %d fails the filter", r.ID)
			}
			set[r.ID] = true
		}
		for _, r := range want {
			if set[r.ID] {
				hit++
			}
		}
		total += len(want)
	}
	if total == 0 {
		return 1
	}
	return float64(hit) / float64(total)
}

func seqIDs(n int) []uint32 {
	ids := make([]uint32, n)
	for i := range ids {
		ids[i] = uint32(i)
	}
	return ids
}

func mustCheck(t testing.TB, x *Index) {
	t.Helper()
	if err := x.check(); err != nil {
		t.Fatalf("graph invariant: %v", err)
	}
}

func buildSeq(t testing.TB, x *Index, vecs [][]float32) []uint32 {
	t.Helper()
	ids := seqIDs(len(vecs))
	for i, v := range vecs {
		if err := x.Insert(ids[i], v); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}
