package vec

import (
	"math"
	"math/rand"
	"testing"
)

// The tests in this file compare the kernels in use (assembly where the
// platform has it) with the pure-Go versions on random inputs of every length
// from 0 to maxLen, at every start offset from 0 to 7 so that the loads are
// unaligned. With -tags purego both sides are the generic code, and the tests
// still check it against a float64 reference.

const maxLen = 300

// close32 reports whether got is within the error of float32 summation of n
// products whose magnitudes add up to mag.
func close32(got, want float64, n int, mag float64) bool {
	tol := 1e-6*float64(n+1)*mag + 1e-6
	return math.Abs(got-want) <= tol
}

// offsetVec returns n random values starting at element off of a fresh
// buffer, followed in that buffer by a few sentinel values.
func offsetVec(r *rand.Rand, n, off int) []float32 {
	buf := make([]float32, off+n+8)
	for i := range buf {
		buf[i] = float32(r.NormFloat64())
	}
	return buf[off : off+n]
}

func TestKernelsName(t *testing.T) {
	t.Logf("kernels: %s", implName)
}

func TestDotKernel(t *testing.T) {
	r := rand.New(rand.NewSource(10))
	for n := 0; n <= maxLen; n++ {
		for off := 0; off < 8; off++ {
			a, b := offsetVec(r, n, off), offsetVec(r, n, (off+3)%8)
			var want, mag float64
			for i := range a {
				p := float64(a[i]) * float64(b[i])
				want += p
				mag += math.Abs(p)
			}
			got, gen := float64(dotImpl(a, b)), float64(dotGeneric(a, b))
			if !close32(got, want, n, mag) || !close32(got, gen, n, mag) {
				t.Fatalf("n=%d off=%d: %s %v, generic %v, float64 %v", n, off, implName, got, gen, want)
			}
			if pub := float64(Dot(a, b)); pub != got {
				t.Fatalf("n=%d: Dot %v, dotImpl %v", n, pub, got)
			}
		}
	}
}

func TestL2SqKernel(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	for n := 0; n <= maxLen; n++ {
		for off := 0; off < 8; off++ {
			a, b := offsetVec(r, n, off), offsetVec(r, n, (off+5)%8)
			var want float64
			for i := range a {
				d := float64(a[i]) - float64(b[i])
				want += d * d
			}
			got, gen := float64(l2sqImpl(a, b)), float64(l2sqGeneric(a, b))
			if !close32(got, want, n, want) || !close32(got, gen, n, want) {
				t.Fatalf("n=%d off=%d: %s %v, generic %v, float64 %v", n, off, implName, got, gen, want)
			}
		}
	}
}

func TestAxpyKernel(t *testing.T) {
	r := rand.New(rand.NewSource(12))
	for n := 0; n <= maxLen; n++ {
		for off := 0; off < 8; off++ {
			alpha := float32(r.NormFloat64())
			x := offsetVec(r, n, off)
			y := offsetVec(r, n, (off+1)%8)
			full := y[:n+8] // the sentinels after y must stay as they are
			orig := append([]float32(nil), full...)
			axpyImpl(alpha, x, y)
			for i := range full {
				want := orig[i]
				if i < n {
					want = orig[i] + alpha*x[i]
				}
				// One rounding with FMA against two without: allow a few ulps.
				if d := math.Abs(float64(full[i] - want)); d > 1e-6*(1+math.Abs(float64(want))) {
					t.Fatalf("n=%d off=%d i=%d: %s %v want %v", n, off, i, implName, full[i], want)
				}
			}
		}
	}
}

func TestDotBatchKernel(t *testing.T) {
	r := rand.New(rand.NewSource(13))
	for dim := 0; dim <= maxLen; dim++ {
		for _, rows := range []int{0, 1, 3, 4, 5, 8, 11} {
			off := (dim + rows) % 8
			q := offsetVec(r, dim, off)
			data := offsetVec(r, dim*rows, 7-off)
			out := offsetVec(r, rows, off)
			sentinels := append([]float32(nil), out[:rows+8][rows:]...)
			dotBatchImpl(q, data, out)
			for i := 0; i < rows; i++ {
				row := data[i*dim : (i+1)*dim]
				var want, mag float64
				for j := range q {
					p := float64(q[j]) * float64(row[j])
					want += p
					mag += math.Abs(p)
				}
				got, gen := float64(out[i]), float64(dotGeneric(q, row))
				if !close32(got, want, dim, mag) || !close32(got, gen, dim, mag) {
					t.Fatalf("dim=%d rows=%d row %d: %s %v, generic %v, float64 %v", dim, rows, i, implName, got, gen, want)
				}
			}
			for i, s := range out[:rows+8][rows:] {
				if s != sentinels[i] {
					t.Fatalf("dim=%d rows=%d: wrote past out", dim, rows)
				}
			}
		}
	}
}

// TestNaNInTail checks that the masked tail of DotBatch ignores whatever lies
// past the end of q and of each row, even NaN or Inf.
func TestNaNInTail(t *testing.T) {
	nan := float32(math.NaN())
	for dim := 1; dim <= 40; dim++ {
		q := make([]float32, dim+8)
		data := make([]float32, 5*dim+8)
		for i := range q {
			q[i] = 1
			if i >= dim {
				q[i] = nan
			}
		}
		for i := range data {
			data[i] = 1
			if i >= 5*dim {
				data[i] = float32(math.Inf(1))
			}
		}
		out := make([]float32, 5)
		dotBatchImpl(q[:dim], data[:5*dim], out)
		for i, v := range out {
			if v != float32(dim) {
				t.Fatalf("dim=%d row %d: %v want %d", dim, i, v, dim)
			}
		}
	}
}

// TestGenericForced runs the exported functions with the pure-Go kernels
// swapped in, as on a platform without assembly, and restores them after.
func TestGenericForced(t *testing.T) {
	saved := [5]any{dotImpl, l2sqImpl, axpyImpl, dotBatchImpl, dotBlockImpl}
	dotImpl, l2sqImpl, axpyImpl, dotBatchImpl = dotGeneric, l2sqGeneric, axpyGeneric, dotBatchGeneric
	dotBlockImpl = dotBlockRows
	defer func() {
		dotBlockImpl = saved[4].(func([]float32, int, []float32, int, int, []float32))
		dotImpl = saved[0].(func(a, b []float32) float32)
		l2sqImpl = saved[1].(func(a, b []float32) float32)
		axpyImpl = saved[2].(func(float32, []float32, []float32))
		dotBatchImpl = saved[3].(func(q, data, out []float32))
	}()
	TestDotMatchesNaive(t)
	TestL2SqAxpyNormalize(t)
	TestDotBatch(t)
	TestDotKernel(t)
	TestDotBatchKernel(t)
	TestDotBlockLarge(t)
}

func TestLengthPanics(t *testing.T) {
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: want a panic", name)
			}
		}()
		f()
	}
	a, b := make([]float32, 9), make([]float32, 8)
	mustPanic("Dot", func() { Dot(a, b) })
	mustPanic("L2Sq", func() { L2Sq(a, b) })
	mustPanic("Axpy", func() { Axpy(1, a, b) })
	mustPanic("DotBatch", func() { DotBatch(a[:4], b, make([]float32, 3)) })
	// A longer second operand is fine.
	if Dot(b, a) != 0 || L2Sq(b, a) != 0 {
		t.Error("zero vectors")
	}
}
