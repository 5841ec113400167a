package db

import (
	"flag"
	"fmt"
	"math/rand"
	"strings"
	"sync/atomic"
	"testing"
)

// The size of the collection of the parallel benchmarks; smaller values
// check that they run (go test ./db -run '^$' -bench 'Each|ConcurrentQuery'
// -parbench.rows 3000 -benchtime 1x).
var (
	parBenchRows = flag.Int("parbench.rows", 50000, "rows of the collection of BenchmarkEach and BenchmarkConcurrentQuery")
	parBenchDim  = flag.Int("parbench.dim", 100, "dimension of that collection")
)

// parBenchRowsDB returns a database with the parallel benchmarks'
// collection c (clustered random vectors, keys k0, k1, ...), unindexed.
func parBenchRowsDB(b *testing.B) *DB {
	b.Helper()
	n, dim := *parBenchRows, *parBenchDim
	d := MustOpen(b)
	c, err := d.CreateCollection(bg, Spec{Name: "c", Dim: dim, Metric: Cosine}, false)
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewSource(1))
	centres := randVecs(r, 100, dim)
	rows := make([]Row, 0, 5000)
	for i := 0; i < n; i++ {
		v := make([]float32, dim)
		ctr := centres[r.Intn(len(centres))]
		for j := range v {
			v[j] = ctr[j] + 0.6*float32(r.NormFloat64())
		}
		rows = append(rows, Row{Key: fmt.Sprint("k", i), Vector: v})
		if len(rows) == cap(rows) || i == n-1 {
			if err := c.Insert(bg, rows...); err != nil {
				b.Fatal(err)
			}
			rows = rows[:0]
		}
	}
	return d
}

// parBenchDB returns a database with a collection c of clustered random
// vectors (keys k0, k1, ...) and an HNSW index of the default settings
// (m 16, ef_construction 200), built on every core.
func parBenchDB(b *testing.B) *DB {
	b.Helper()
	d := parBenchRowsDB(b)
	if err := d.CreateIndex(bg, "c", DefaultIndexConfig(), 0); err != nil {
		b.Fatal(err)
	}
	res, err := d.Query(bg, "EXPLAIN SELECT NEAREST 10 TO 'k0' FROM c")
	if err != nil || !strings.Contains(fmt.Sprint(res.Rows), "HNSW") {
		b.Fatalf("the benchmark's queries do not use the index: %v %v", err, res)
	}
	return d
}

// BenchmarkEach: one NEAREST 10 TO EACH of 100 keys per op, through the
// HNSW index and by the blocked exact scan, on one and two threads.
func BenchmarkEach(b *testing.B) {
	d := parBenchDB(b)
	const m = 100
	step := max(1, *parBenchRows/m)
	for _, path := range []string{"hnsw", "exact"} {
		st := "SELECT NEAREST 10 TO EACH " + eachKeys(m, step) + " FROM c"
		if path == "exact" {
			st += " USING EXACT"
		}
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", path, threads), func(b *testing.B) {
				d.SetThreads(threads)
				if _, err := d.Query(bg, st); err != nil { // warm: view and graph loaded
					b.Fatal(err)
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					res, err := d.Query(bg, st)
					if err != nil || len(res.Rows) != 10*m {
						b.Fatalf("%v, %d rows", err, len(res.Rows))
					}
				}
				b.ReportMetric(float64(b.N*m)/b.Elapsed().Seconds(), "queries/s")
			})
		}
	}
}

// BenchmarkConcurrentQuery: many goroutines (4 per GOMAXPROCS) send
// single NEAREST 10 queries through the HNSW index at once; threads caps
// how many run.
func BenchmarkConcurrentQuery(b *testing.B) {
	d := parBenchDB(b)
	n := *parBenchRows
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			d.SetThreads(threads)
			if _, err := d.Query(bg, "SELECT NEAREST 10 TO 'k0' FROM c"); err != nil {
				b.Fatal(err)
			}
			var next atomic.Int64
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					key := fmt.Sprint("k", next.Add(7919)%int64(n))
					res, err := d.Query(bg, "SELECT NEAREST 10 TO ? FROM c", key)
					if err != nil || len(res.Rows) != 10 {
						b.Errorf("%v, %d rows", err, len(res.Rows))
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
		})
	}
}

// BenchmarkCreateIndex: CREATE INDEX (m 16, ef_construction 200) over the
// collection of the parallel benchmarks, on one and two threads, writing
// the graph included; with -cpuprofile it shows build against write.
func BenchmarkCreateIndex(b *testing.B) {
	n := *parBenchRows
	d := parBenchRowsDB(b)
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if err := d.CreateIndex(bg, "c", DefaultIndexConfig(), threads); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := d.DropIndex(bg, "c", false); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "vectors/s")
		})
	}
}
