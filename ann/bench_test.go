package ann

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

var benchN = flag.Int("ann.benchn", 100000, "largest index size of BenchmarkSearch")

// benchIndex builds (or reads from a cache file in the temp dir) an index of
// n clustered vectors of dimension dim with default parameters.
func benchIndex(b *testing.B, n, dim int) (*Index, [][]float32, [][]float32) {
	rng := rand.New(rand.NewSource(1))
	data := clustered(rng, n+200, dim, 100, 1.0)
	cache := filepath.Join(os.TempDir(), fmt.Sprintf("vecdb-ann-bench-%d-%d-v1.hnsw", n, dim))
	if raw, err := os.ReadFile(cache); err == nil {
		if x, err := ReadFrom(bytes.NewReader(raw)); err == nil {
			return x, data[:n], data[n:]
		}
	}
	x := New(dim, Config{Seed: 1})
	start := time.Now()
	if err := x.Build(context.Background(), seqIDs(n), data[:n], 2, nil); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %d x %d in %v (2 threads)", n, dim, time.Since(start))
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err == nil {
		_ = os.WriteFile(cache, buf.Bytes(), 0o644)
	}
	return x, data[:n], data[n:]
}

func BenchmarkSearch(b *testing.B) {
	const dim = 100
	for _, n := range []int{10000, *benchN} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			x, _, queries := benchIndex(b, n, dim)
			ids := seqIDs(n)
			truth := make([][]Result, len(queries))
			for i, q := range queries {
				truth[i] = exact(x, ids, q, 10, nil)
			}
			b.Logf("n=%d: %.0f bytes per vector", n, float64(x.MemoryBytes())/float64(n))
			for _, ef := range []int{10, 20, 40, 80, 160, 320} {
				b.Run(fmt.Sprintf("ef=%d", ef), func(b *testing.B) {
					b.ReportAllocs()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						x.Search(queries[i%len(queries)], 10, ef, nil)
					}
					b.StopTimer()
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "qps")
					hit := 0
					for i, q := range queries {
						got := x.Search(q, 10, ef, nil)
						set := map[uint32]bool{}
						for _, r := range got {
							set[r.ID] = true
						}
						for _, r := range truth[i] {
							if set[r.ID] {
								hit++
							}
						}
					}
					b.ReportMetric(float64(hit)/float64(10*len(queries)), "recall@10")
					b.ReportMetric(float64(x.MemoryBytes())/float64(n), "bytes/vec")
				})
			}
		})
	}
}

func BenchmarkBuild(b *testing.B) {
	const n, dim = 10000, 100
	rng := rand.New(rand.NewSource(1))
	data := clustered(rng, n, dim, 100, 1.0)
	ids := seqIDs(n)
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				x := New(dim, Config{Seed: 1})
				if err := x.Build(context.Background(), ids, data, threads, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "vectors/s")
		})
	}
}

// BenchmarkDelete measures Delete followed by re-Insert of the same id
// (an update), and DeleteBatch of 1% of the ids.
func BenchmarkDelete(b *testing.B) {
	for _, n := range []int{10000, *benchN} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			x, data, _ := benchIndex(b, n, 100)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				id := uint32(i * 7919 % len(data))
				if err := x.Delete(id); err != nil {
					b.Fatal(err)
				}
				if err := x.Insert(id, data[id]); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if err := x.check(); err != nil {
				b.Fatal(err)
			}
		})
		b.Run(fmt.Sprintf("batch1pct/n=%d", n), func(b *testing.B) {
			x, _, _ := benchIndex(b, n, 100)
			rng := rand.New(rand.NewSource(1))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ids := make([]uint32, n/100)
				for j := range ids {
					ids[j] = uint32(rng.Intn(n))
				}
				x.DeleteBatch(ids)
			}
			b.StopTimer()
			if err := x.check(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkSearchInt8 times single-thread searches of an int8 index of 45k
// clustered vectors of dimension 100 (M 16, ef_construction 200, k 10,
// cosine) at ef_search 10 and 40, the per-hop cost of the int8 walk. The
// index is cached in the temp dir like benchIndex's. It logs a hash of
// every query's results, so that a change to the walk can be checked to
// return the same neighbours in the same order. On Linux it also reports
// the thread's CPU time per search (cpu-ns/op), the steadier figure on a
// shared machine.
func BenchmarkSearchInt8(b *testing.B) {
	const n, dim = 45000, 100
	rng := rand.New(rand.NewSource(1))
	data := clustered(rng, n+500, dim, 100, 1.0)
	base, queries := data[:n], data[n:]
	cache := filepath.Join(os.TempDir(), fmt.Sprintf("vecdb-ann-bench-int8-%d-%d-v1.hnsw", n, dim))
	var x *Index
	if raw, err := os.ReadFile(cache); err == nil {
		if y, err := ReadFrom(bytes.NewReader(raw)); err == nil && y.Int8() {
			x = y
		}
	}
	if x == nil {
		x = New(dim, Config{Seed: 1, Int8: true})
		if err := x.Build(context.Background(), seqIDs(n), base, 2, nil); err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := x.WriteTo(&buf); err == nil {
			_ = os.WriteFile(cache, buf.Bytes(), 0o644)
		}
	}
	for _, ef := range []int{10, 40} {
		b.Run(fmt.Sprintf("ef=%d", ef), func(b *testing.B) {
			h := fnv.New64a()
			for _, q := range queries {
				for _, r := range x.Search(q, 10, ef, nil) {
					fmt.Fprintf(h, "%d %x,", r.ID, math.Float32bits(r.Distance))
				}
			}
			b.Logf("results hash %016x", h.Sum64())
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			b.ReportAllocs()
			b.ResetTimer()
			cpu0, ok := threadCPU()
			for i := 0; i < b.N; i++ {
				x.Search(queries[i%len(queries)], 10, ef, nil)
			}
			cpu1, _ := threadCPU()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "qps")
			if ok { // time on the processor: less swayed by other jobs
				b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
			}
		})
	}
}
