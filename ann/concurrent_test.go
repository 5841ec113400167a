package ann

import (
	"math/rand"
	"reflect"
	"sync"
	"testing"

	"github.com/vecdb/vecdb/internal/vec"
)

// TestConcurrentSearchesEqualSequential: searches share nothing but the
// graph (each takes its own scratch from the pool: visited set, heaps,
// normalised query), so searches running at once on several goroutines
// answer exactly as one after another. Run with -race.
func TestConcurrentSearchesEqualSequential(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	data := clustered(rng, 1100, 16, 12, 0.5)
	for _, m := range []vec.Metric{vec.Cosine, vec.L2} {
		x := New(16, Config{M: 8, EfConstruction: 40, Seed: 1, Metric: m})
		buildSeq(t, x, data[:1000])
		queries := data[1000:]
		type ask struct{ k, ef int }
		asks := []ask{{1, 0}, {10, 16}, {10, 64}}
		odd := func(id uint32) bool { return id%2 == 1 }
		want := make([][]Result, 0, len(queries)*len(asks)*2)
		for _, q := range queries {
			for _, a := range asks {
				want = append(want, x.Search(q, a.k, a.ef, nil), x.Search(q, a.k, a.ef, odd))
			}
		}
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				// Each goroutine goes through the queries in its own order.
				for j := range queries {
					qi := (j*(2*g+1) + g) % len(queries)
					for ai, a := range asks {
						w := (qi*len(asks) + ai) * 2
						got, gotF := x.Search(queries[qi], a.k, a.ef, nil), x.Search(queries[qi], a.k, a.ef, odd)
						if !reflect.DeepEqual(got, want[w]) || !reflect.DeepEqual(gotF, want[w+1]) {
							t.Errorf("%v goroutine %d query %d k %d ef %d: concurrent answer differs from the sequential one", m, g, qi, a.k, a.ef)
							return
						}
					}
				}
			}(g)
		}
		wg.Wait()
	}
}
