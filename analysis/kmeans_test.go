package analysis

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/internal/testutil"
)

func TestKMeansSeparatedGroups(t *testing.T) {
	data, labels := blobs(1, 3000, 16, 5, 5, 0.5)
	var iters []int
	res, err := KMeans(context.Background(), data, 16, 5, KMeansOptions{Seed: 7, Progress: func(it int, inertia float64) {
		iters = append(iters, it)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if p := purity(res.Assign, labels); p < 0.9 {
		t.Errorf("purity = %.3f, want ≥ 0.9", p)
	}
	if res.Silhouette < 0.5 {
		t.Errorf("silhouette = %.3f for well-separated groups, want ≥ 0.5", res.Silhouette)
	}
	if res.Iterations >= 25 || len(iters) != res.Iterations+1 {
		t.Errorf("iterations = %d, progress calls %v: want an early stop", res.Iterations, iters)
	}
	// Inertia is the sum of squared distances, and Distance is Euclidean.
	var sum float64
	for i, d := range res.Distance {
		c := res.Centroids[res.Assign[i]*16 : (res.Assign[i]+1)*16]
		var want float64
		for k := range 16 {
			v := float64(data[i*16+k] - c[k])
			want += v * v
		}
		if math.Abs(float64(d)*float64(d)-want) > 1e-3*(1+want) {
			t.Fatalf("distance[%d]² = %g, want %g", i, d*d, want)
		}
		sum += want
	}
	if math.Abs(sum-res.Inertia) > 1e-4*sum {
		t.Errorf("inertia = %g, want %g", res.Inertia, sum)
	}
}

func TestKMeansDeterministicAcrossThreads(t *testing.T) {
	data, _ := blobs(2, 2000, 8, 7, 2, 1)
	a, err := KMeans(context.Background(), data, 8, 7, KMeansOptions{Seed: 3, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := KMeans(context.Background(), data, 8, 7, KMeansOptions{Seed: 3, Threads: 4})
	if err != nil {
		t.Fatal(err)
	}
	if a.Inertia != b.Inertia || a.Silhouette != b.Silhouette {
		t.Errorf("threads change the result: inertia %g vs %g, silhouette %g vs %g", a.Inertia, b.Inertia, a.Silhouette, b.Silhouette)
	}
}

func TestKMeansErrors(t *testing.T) {
	ctx := context.Background()
	data := make([]float32, 10*4)
	for _, tc := range []struct {
		data []float32
		dim  int
		k    int
		want error
	}{
		{data, 4, 0, ErrK},
		{data, 4, -1, ErrK},
		{data, 4, 11, ErrK},
		{data[:39], 4, 2, ErrDimension},
		{data, 0, 2, ErrDimension},
		{nil, 4, 2, ErrEmpty},
	} {
		if _, err := KMeans(ctx, tc.data, tc.dim, tc.k, KMeansOptions{}); !errors.Is(err, tc.want) {
			t.Errorf("KMeans(len %d, dim %d, k %d) error = %v, want %v", len(tc.data), tc.dim, tc.k, err, tc.want)
		}
	}
	// k = n with duplicate points must not fail or panic.
	if _, err := KMeans(ctx, data, 4, 10, KMeansOptions{}); err != nil {
		t.Errorf("k = n on identical points: %v", err)
	}
}

func TestKMeansCancel(t *testing.T) {
	data, _ := blobs(3, 5000, 16, 4, 1, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := KMeans(ctx, data, 16, 4, KMeansOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before start: err = %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	_, err := KMeans(ctx, data, 16, 4, KMeansOptions{Iterations: 100, Progress: func(it int, _ float64) {
		if it == 2 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled during the run: err = %v", err)
	}
}

// TestKMeansSpherical builds two directions, each at lengths 1 and 50: cosine
// clustering must split by direction, while Euclidean clustering splits by
// length.
func TestKMeansSpherical(t *testing.T) {
	const dim = 8
	rng := rand.New(rand.NewSource(5))
	d1 := []float64{1, 0, 0, 0, 0, 0, 0, 0}
	d2 := []float64{math.Cos(0.5), math.Sin(0.5), 0, 0, 0, 0, 0, 0}
	var data []float32
	var labels []int
	for i := range 400 {
		dir := d1
		if i%2 == 1 {
			dir = d2
		}
		scale := 1.0
		if (i/2)%2 == 1 {
			scale = 50
		}
		for t := range dim {
			data = append(data, float32(scale*(dir[t]+rng.NormFloat64()*0.03)))
		}
		labels = append(labels, i%2)
	}
	sph, err := KMeans(context.Background(), data, dim, 2, KMeansOptions{Seed: 1, Spherical: true})
	if err != nil {
		t.Fatal(err)
	}
	if p := purity(sph.Assign, labels); p < 0.99 {
		t.Errorf("spherical purity = %.3f, want ≥ 0.99", p)
	}
	for j := range 2 {
		c := sph.Centroids[j*dim : (j+1)*dim]
		var n float64
		for _, v := range c {
			n += float64(v) * float64(v)
		}
		if math.Abs(n-1) > 1e-4 {
			t.Errorf("spherical centroid %d has squared norm %g, want 1", j, n)
		}
	}
	for i, d := range sph.Distance {
		if d < 0 || d > 0.1 {
			t.Fatalf("spherical distance[%d] = %g, want a small 1-cos", i, d)
		}
	}
	euc, err := KMeans(context.Background(), data, dim, 2, KMeansOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if p := purity(euc.Assign, labels); p > 0.75 {
		t.Errorf("euclidean purity by direction = %.3f, expected it to split by length", p)
	}
}

// readAnalogySections returns the distinct words of the named sections of
// questions-words.txt, in order of first appearance; columns selects which
// of the four columns to take.
func readAnalogySections(t *testing.T, path string, section string, columns []int) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var words []string
	seen := map[string]bool{}
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, ":") {
			in = strings.TrimSpace(line[1:]) == section
			continue
		}
		if !in {
			continue
		}
		fields := strings.Fields(line)
		for _, c := range columns {
			if c < len(fields) && !seen[fields[c]] {
				seen[fields[c]] = true
				words = append(words, fields[c])
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return words
}

// TestKMeansRealWords clusters three groups of real words from the analogy
// test set — capitals, family words and plural verbs. The vectors are
// synthetic: a fixed random centre per group plus seeded noise in 50
// dimensions, so the test checks that clustering recovers the groups of a
// realistic vocabulary, not the semantics of trained embeddings.
func TestKMeansRealWords(t *testing.T) {
	path := testutil.SharedData(t, "eval/questions-words.txt")
	groups := [][]string{
		readAnalogySections(t, path, "capital-common-countries", []int{0, 2}),
		readAnalogySections(t, path, "family", []int{0, 1, 2, 3}),
		readAnalogySections(t, path, "gram9-plural-verbs", []int{1, 3}),
	}
	const dim = 50
	rng := rand.New(rand.NewSource(42))
	var data []float32
	var labels []int
	var words []string
	for g, ws := range groups {
		if len(ws) < 10 {
			t.Fatalf("group %d has only %d words", g, len(ws))
		}
		centre := make([]float64, dim)
		for i := range centre {
			centre[i] = rng.NormFloat64()
		}
		for _, w := range ws {
			for i := range dim {
				data = append(data, float32(centre[i]+rng.NormFloat64()*0.35))
			}
			labels = append(labels, g)
			words = append(words, w)
		}
	}
	for _, spherical := range []bool{false, true} {
		t.Run(fmt.Sprintf("spherical=%v", spherical), func(t *testing.T) {
			res, err := KMeans(context.Background(), data, dim, 3, KMeansOptions{Seed: 1, Spherical: spherical})
			if err != nil {
				t.Fatal(err)
			}
			if p := purity(res.Assign, labels); p < 0.9 {
				t.Errorf("purity over %d words = %.3f, want ≥ 0.9", len(words), p)
			}
		})
	}
}

func BenchmarkKMeans(b *testing.B) {
	for _, c := range []struct{ n, d, k int }{{100000, 100, 100}} {
		b.Run(fmt.Sprintf("n=%d,d=%d,k=%d", c.n, c.d, c.k), func(b *testing.B) {
			data := benchData(c.n, c.d)
			b.ReportAllocs()
			b.ResetTimer()
			var res *KMeansResult
			for range b.N {
				var err error
				res, err = KMeans(context.Background(), data, c.d, c.k, KMeansOptions{Seed: 1, Threads: 1})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(res.Inertia, "inertia")
			b.ReportMetric(float64(res.Iterations), "iters")
			if out := os.Getenv("VECDB_BENCH_DATA"); out != "" {
				if err := writeRawFloat32(out, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPCA(b *testing.B) {
	data := benchData(100000, 100)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := PCA(data, 100, 2); err != nil {
			b.Fatal(err)
		}
	}
}

// benchData returns n seeded points of dimension d in 200 Gaussian groups,
// the data both sides of bench/analysis/run.sh cluster.
func benchData(n, d int) []float32 {
	data, _ := blobs(1, n, d, 200, 1, 0.6)
	return data
}

// writeRawFloat32 writes data as little-endian float32 values.
func writeRawFloat32(path string, data []float32) error {
	buf := make([]byte, 4*len(data))
	for i, v := range data {
		u := math.Float32bits(v)
		buf[4*i], buf[4*i+1], buf[4*i+2], buf[4*i+3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
	}
	return os.WriteFile(path, buf, 0o644)
}
