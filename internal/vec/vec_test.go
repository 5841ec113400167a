package vec

import (
	"math"
	"math/rand"
	"testing"
)

func naiveDot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func randVec(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

func TestDotMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for n := 0; n < 70; n++ {
		a, b := randVec(r, n), randVec(r, n)
		got, want := float64(Dot(a, b)), naiveDot(a, b)
		if math.Abs(got-want) > 1e-4*(1+math.Abs(want)) {
			t.Fatalf("n=%d: Dot=%v want %v", n, got, want)
		}
	}
}

func TestL2SqAxpyNormalize(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for n := 1; n < 40; n++ {
		a, b := randVec(r, n), randVec(r, n)
		var want float64
		for i := range a {
			d := float64(a[i] - b[i])
			want += d * d
		}
		if got := float64(L2Sq(a, b)); math.Abs(got-want) > 1e-4*(1+want) {
			t.Fatalf("L2Sq n=%d: %v want %v", n, got, want)
		}
		y := append([]float32(nil), b...)
		Axpy(0.5, a, y)
		for i := range y {
			if d := y[i] - (b[i] + 0.5*a[i]); d > 1e-5 || d < -1e-5 {
				t.Fatalf("Axpy n=%d i=%d: %v", n, i, y[i])
			}
		}
		orig := Normalize(a)
		if orig <= 0 || math.Abs(float64(Norm(a))-1) > 1e-5 {
			t.Fatalf("Normalize n=%d: norm after %v", n, Norm(a))
		}
	}
	z := make([]float32, 5)
	if Normalize(z) != 0 || !Finite(z) {
		t.Fatal("zero vector must stay zero")
	}
	if Finite([]float32{1, float32(math.NaN())}) || Finite([]float32{float32(math.Inf(1))}) {
		t.Fatal("Finite must reject NaN and Inf")
	}
}

func TestDotBatch(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	dim, rows := 13, 9
	q := randVec(r, dim)
	data := randVec(r, dim*rows)
	out := make([]float32, rows)
	DotBatch(q, data, out)
	for i := range out {
		want := naiveDot(q, data[i*dim:(i+1)*dim])
		if math.Abs(float64(out[i])-want) > 1e-4*(1+math.Abs(want)) {
			t.Fatalf("row %d: %v want %v", i, out[i], want)
		}
	}
}

func TestMetric(t *testing.T) {
	for _, s := range []string{"cosine", "DOT", "l2"} {
		m, err := ParseMetric(s)
		if err != nil {
			t.Fatal(err)
		}
		if m2, _ := ParseMetric(m.String()); m2 != m {
			t.Fatalf("round trip %s", s)
		}
	}
	if _, err := ParseMetric("manhattan"); err == nil {
		t.Fatal("want error for unknown metric")
	}
	a, b := []float32{0, 0}, []float32{3, 4}
	if got := L2.Score(a, b); got != -5 {
		t.Fatalf("L2 score %v", got)
	}
	if got := L2.Distance(L2.Score(a, b)); got != 5 {
		t.Fatalf("L2 distance %v", got)
	}
}

// sink keeps benchmark results alive so the calls are not optimised away.
var sink float32

// reportGFLOPS adds a GFLOP/s metric for flops floating-point operations per
// iteration.
func reportGFLOPS(b *testing.B, flops int) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(flops)*float64(b.N)/s/1e9, "GFLOP/s")
	}
}

func BenchmarkDot(b *testing.B) {
	for _, n := range []int{50, 100, 300} {
		r := rand.New(rand.NewSource(1))
		x, y := randVec(r, n), randVec(r, n)
		b.Run("dim="+itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(8 * n))
			var s float32
			for i := 0; i < b.N; i++ {
				s += Dot(x, y)
			}
			sink = s
			reportGFLOPS(b, 2*n)
		})
	}
}

func BenchmarkL2Sq(b *testing.B) {
	for _, n := range []int{50, 100, 300} {
		r := rand.New(rand.NewSource(1))
		x, y := randVec(r, n), randVec(r, n)
		b.Run("dim="+itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(8 * n))
			var s float32
			for i := 0; i < b.N; i++ {
				s += L2Sq(x, y)
			}
			sink = s
			reportGFLOPS(b, 3*n)
		})
	}
}

func BenchmarkAxpy(b *testing.B) {
	for _, n := range []int{50, 100, 300} {
		r := rand.New(rand.NewSource(1))
		x, y := randVec(r, n), randVec(r, n)
		b.Run("dim="+itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(12 * n))
			for i := 0; i < b.N; i++ {
				Axpy(1e-3, x, y)
			}
			reportGFLOPS(b, 2*n)
		})
	}
}

func BenchmarkDotBatch(b *testing.B) {
	// About 4 MB of rows per size, streamed from memory, plus one 400 KB
	// matrix that stays in cache and shows the kernel's own speed.
	for _, sz := range []struct{ dim, rows int }{{50, 20000}, {100, 10000}, {300, 3333}, {100, 1000}} {
		dim, rows := sz.dim, sz.rows
		r := rand.New(rand.NewSource(1))
		q, data := randVec(r, dim), randVec(r, dim*rows)
		out := make([]float32, rows)
		b.Run("dim="+itoa(dim)+"/rows="+itoa(rows), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(4 * dim * rows))
			for i := 0; i < b.N; i++ {
				DotBatch(q, data, out)
			}
			reportGFLOPS(b, 2*dim*rows)
		})
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var buf [20]byte
	i := len(buf)
	for n > 0 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return string(buf[i:])
}
