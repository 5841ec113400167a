package ann

import (
	"context"
	"slices"
	"testing"
)

// TestInt8BeamRecall: on real word vectors (the 2,000 gensim words of
// db/testdata, every 10th a query) and a deliberately sparse graph, the
// int8 walk with the Int8Beam rule finds the true 10 neighbours at least
// as often as the float32 walk of the same graph at equal ef_search, to
// 0.005, at every ef from k up, even with rescore 1 (the beam then is ef
// plus a tenth). With the beam exactly ef it falls short here.
func TestInt8BeamRecall(t *testing.T) {
	all := readVecs(t, "../db/testdata/gensim_speeches.vec")
	var base, queries [][]float32
	for i, v := range all {
		if i%10 == 3 {
			queries = append(queries, v)
		} else {
			base = append(base, v)
		}
	}
	ids := seqIDs(len(base))
	x := New(len(base[0]), Config{M: 4, EfConstruction: 16, Seed: 3, Int8: true})
	if err := x.Build(context.Background(), ids, base, 1, nil); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, x)
	truth := make([][]Result, len(queries))
	for i, q := range queries {
		truth[i] = exact(x, ids, q, 10, nil)
	}
	recallOf := func(ef, rescore int, f32 bool) float64 {
		if f32 { // the same graph walked with float32 distances
			x.cfg.Int8 = false
			defer func() { x.cfg.Int8 = true }()
		}
		hit := 0
		for i, q := range queries {
			got := x.SearchWith(q, 10, ef, rescore, nil)
			for _, w := range truth[i] {
				if slices.ContainsFunc(got, func(r Result) bool { return r.ID == w.ID }) {
					hit++
				}
			}
		}
		return float64(hit) / float64(10*len(queries))
	}
	for _, rescore := range []int{1, DefaultRescore} {
		for _, ef := range []int{10, 12, 16, 20, 24, 32, 48} {
			rf, rq := recallOf(ef, rescore, true), recallOf(ef, rescore, false)
			t.Logf("rescore %d ef %d: float32 %.4f, int8 %.4f", rescore, ef, rf, rq)
			if rq < rf-0.005 {
				t.Errorf("rescore %d ef %d: int8 recall %.4f, float32 %.4f: more than 0.005 below", rescore, ef, rq, rf)
			}
		}
	}
}

func TestInt8BeamRule(t *testing.T) {
	for _, c := range []struct{ ef, k, rescore, want int }{
		{40, 10, 4, 44}, {10, 10, 4, 40}, {64, 10, 0, 71}, {10, 10, 1, 11}, {5, 10, 1, 11}, {100, 10, 200, 1000},
	} {
		if got := Int8Beam(c.ef, c.k, c.rescore); got != c.want {
			t.Errorf("Int8Beam(%d, %d, %d) = %d, want %d", c.ef, c.k, c.rescore, got, c.want)
		}
	}
}
