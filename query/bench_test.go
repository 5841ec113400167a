package query_test

import (
	"context"
	"fmt"
	"math/rand"
	"path/filepath"
	"testing"
	"time"

	"github.com/vecdb/vecdb/db"
)

// BenchmarkLanguageOverhead compares a NEAREST through d.Query (parse,
// plan, search, rows) with the same search through View.Search on a
// 100k-key, 100-dim collection of random vectors. It reports both times
// and the overhead of the language in percent (goal: at most 5%).
func BenchmarkLanguageOverhead(b *testing.B) {
	const n, dim = 100000, 100
	d, err := db.Open(filepath.Join(b.TempDir(), "bench.vdb"), &db.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	if _, err := d.Exec(ctx, fmt.Sprintf("CREATE COLLECTION r (DIM %d)", dim)); err != nil {
		b.Fatal(err)
	}
	c, err := d.Collection("r")
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	rows := make([]db.Row, n)
	for i := range rows {
		v := make([]float32, dim)
		for j := range v {
			v[j] = float32(rng.NormFloat64())
		}
		rows[i] = db.Row{Key: fmt.Sprintf("k%d", i), Vector: v, Count: int64(n - i)}
	}
	if err := c.Insert(ctx, rows...); err != nil {
		b.Fatal(err)
	}
	v, err := c.View()
	if err != nil {
		b.Fatal(err)
	}
	const stmt = "SELECT NEAREST 10 TO 'k4242' FROM r"
	api := func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			hits, err := v.MostSimilar(ctx, []string{"k4242"}, nil, 10, nil)
			if err != nil || len(hits) != 10 {
				b.Fatal(err)
			}
		}
	}
	lang := func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			res, err := d.Query(ctx, stmt)
			if err != nil || len(res.Rows) != 10 {
				b.Fatal(err)
			}
		}
	}
	// Check that both give the same answer before timing.
	hits, _ := v.MostSimilar(ctx, []string{"k4242"}, nil, 10, nil)
	res, err := d.Query(ctx, stmt)
	if err != nil {
		b.Fatal(err)
	}
	for i, h := range hits {
		if res.Rows[i][1] != h.Key {
			b.Fatalf("row %d: language %v, API %s", i, res.Rows[i][1], h.Key)
		}
	}
	b.Run("api=View.MostSimilar", api)
	b.Run("language=DB.Query", lang)
	// Both in turn, timed apart, so that machine noise hits them alike.
	// "cached" sends the same text each time (the parse cache answers);
	// "parsed" makes every text new with a comment, so each is parsed.
	for _, mode := range []string{"cached", "parsed"} {
		b.Run("overhead/"+mode, func(b *testing.B) {
			var ta, tl time.Duration
			for i := 0; i < b.N; i++ {
				src := stmt
				if mode == "parsed" {
					src = fmt.Sprintf("%s -- %d", stmt, i)
				}
				api := func() {
					t0 := time.Now()
					if _, err := v.MostSimilar(ctx, []string{"k4242"}, nil, 10, nil); err != nil {
						b.Fatal(err)
					}
					ta += time.Since(t0)
				}
				lang := func() {
					t0 := time.Now()
					if _, err := d.Query(ctx, src); err != nil {
						b.Fatal(err)
					}
					tl += time.Since(t0)
				}
				if i%2 == 0 { // alternate the order so that neither runs on the other's warm caches
					api()
					lang()
				} else {
					lang()
					api()
				}
			}
			b.ReportMetric(float64(ta.Nanoseconds())/float64(b.N), "api-ns/op")
			b.ReportMetric(float64(tl.Nanoseconds())/float64(b.N), "language-ns/op")
			b.ReportMetric(100*(float64(tl)-float64(ta))/float64(ta), "overhead-%")
		})
	}
}

// BenchmarkParsePlan measures the language alone: parse, plan and rows for
// a NEAREST on a tiny collection, where the search costs almost nothing.
func BenchmarkParsePlan(b *testing.B) {
	d := openSeeded(b)
	ctx := context.Background()
	const stmt = "SELECT NEAREST 10 TO 'war' - 'peace' + 'tax' FROM speeches WITHIN TOP 1"
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := d.Query(ctx, stmt); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parsed", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := d.Query(ctx, fmt.Sprintf("%s -- %d", stmt, i)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
