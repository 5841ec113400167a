package vec

import (
	"math"
	"math/rand"
	"testing"
)

// blockKernels returns every DotBlock implementation the processor can run,
// the one in use (dotBlockImpl) first.
func blockKernels() []blockVariant {
	return append([]blockVariant{{"default", dotBlockImpl}}, blockVariants...)
}

// checkBlock compares out (nq×nr) with a float64 reference and with
// dotGeneric for every pair.
func checkBlock(t *testing.T, name string, qs []float32, nq int, rows []float32, nr, dim int, out []float32) {
	t.Helper()
	for i := 0; i < nq; i++ {
		q := qs[i*dim : (i+1)*dim]
		for j := 0; j < nr; j++ {
			row := rows[j*dim : (j+1)*dim]
			var want, mag float64
			for k := range q {
				p := float64(q[k]) * float64(row[k])
				want += p
				mag += math.Abs(p)
			}
			got, gen := float64(out[i*nr+j]), float64(dotGeneric(q, row))
			if !close32(got, want, dim, mag) || !close32(got, gen, dim, mag) {
				t.Fatalf("%s nq=%d nr=%d dim=%d (%d,%d): %v, generic %v, float64 %v", name, nq, nr, dim, i, j, got, gen, want)
			}
		}
	}
}

// TestDotBlockKernel runs every DotBlock kernel for all dims 0..maxLen with
// query and row counts that leave every kind of partial tile, at unaligned
// offsets, and checks that nothing past out is written.
func TestDotBlockKernel(t *testing.T) {
	r := rand.New(rand.NewSource(14))
	shapes := [][2]int{{0, 5}, {5, 0}, {1, 1}, {1, 7}, {3, 3}, {4, 3}, {4, 4}, {5, 6}, {7, 13}, {8, 12}, {9, 17}}
	for _, k := range blockKernels() {
		for dim := 0; dim <= maxLen; dim++ {
			for si, sh := range shapes {
				nq, nr := sh[0], sh[1]
				off := (dim + si) % 8
				qs := offsetVec(r, nq*dim, off)
				rows := offsetVec(r, nr*dim, 7-off)
				out := offsetVec(r, nq*nr, (off+3)%8)
				sentinels := append([]float32(nil), out[:nq*nr+8][nq*nr:]...)
				k.fn(qs, nq, rows, nr, dim, out)
				checkBlock(t, k.name, qs, nq, rows, nr, dim, out)
				for i, s := range out[:nq*nr+8][nq*nr:] {
					if s != sentinels[i] {
						t.Fatalf("%s nq=%d nr=%d dim=%d: wrote past out", k.name, nq, nr, dim)
					}
				}
			}
		}
	}
}

// TestDotBlockLarge covers many whole tiles in both directions.
func TestDotBlockLarge(t *testing.T) {
	r := rand.New(rand.NewSource(15))
	for _, k := range blockKernels() {
		for _, sh := range [][3]int{{32, 327, 100}, {64, 96, 16}, {13, 50, 129}, {40, 41, 8}} {
			nq, nr, dim := sh[0], sh[1], sh[2]
			qs, rows := randVec(r, nq*dim), randVec(r, nr*dim)
			out := make([]float32, nq*nr)
			k.fn(qs, nq, rows, nr, dim, out)
			checkBlock(t, k.name, qs, nq, rows, nr, dim, out)
		}
	}
}

// TestDotBlockNaNInTail checks that the masked tails ignore whatever lies
// past the last query and the last row, even NaN or Inf.
func TestDotBlockNaNInTail(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for _, k := range blockKernels() {
		for dim := 1; dim <= 40; dim++ {
			for _, n := range []int{4, 8} {
				qs := make([]float32, n*dim+16)
				rows := make([]float32, n*dim+16)
				for i := range qs {
					qs[i], rows[i] = 1, 1
					if i >= n*dim {
						qs[i], rows[i] = nan, inf
					}
				}
				out := make([]float32, n*n)
				k.fn(qs[:n*dim], n, rows[:n*dim], n, dim, out)
				for i, v := range out {
					if v != float32(dim) {
						t.Fatalf("%s dim=%d n=%d out[%d] = %v want %d", k.name, dim, n, i, v, dim)
					}
				}
			}
		}
	}
}

func TestDotBlockPanics(t *testing.T) {
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: want a panic", name)
			}
		}()
		f()
	}
	qs, rows := make([]float32, 8), make([]float32, 12)
	out := make([]float32, 6)
	mustPanic("short qs", func() { DotBlock(qs, 3, rows, 3, 4, make([]float32, 9)) })
	mustPanic("short rows", func() { DotBlock(qs, 2, rows, 4, 4, make([]float32, 8)) })
	mustPanic("short out", func() { DotBlock(qs, 2, rows, 3, 4, out[:5]) })
	mustPanic("negative", func() { DotBlock(qs, -1, rows, 3, 4, out) })
	DotBlock(qs, 2, rows, 3, 4, out) // exact lengths are fine
}

// BenchmarkDotBlock measures the block kernels on a cache-resident block as
// SearchBatch uses them (a group of queries against ~128 KiB of rows);
// "rows" is the old path, one DotBatch per query.
func BenchmarkDotBlock(b *testing.B) {
	for _, sz := range []struct{ nq, nr, dim int }{{32, 327, 100}, {64, 327, 100}, {32, 256, 128}, {32, 109, 300}} {
		r := rand.New(rand.NewSource(1))
		qs, rows := randVec(r, sz.nq*sz.dim), randVec(r, sz.nr*sz.dim)
		out := make([]float32, sz.nq*sz.nr)
		for _, k := range blockVariants {
			b.Run(k.name+"/nq="+itoa(sz.nq)+"/nr="+itoa(sz.nr)+"/dim="+itoa(sz.dim), func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					k.fn(qs, sz.nq, rows, sz.nr, sz.dim, out)
				}
				reportGFLOPS(b, 2*sz.nq*sz.nr*sz.dim)
			})
		}
	}
}

// TestDotBatchRowAlone checks the promise of DotBatch that a row scored
// alone gets the very bits it got among others (SearchBatch relies on it to
// report Search's similarities).
func TestDotBatchRowAlone(t *testing.T) {
	r := rand.New(rand.NewSource(16))
	for dim := 0; dim <= maxLen; dim++ {
		const rows = 9
		q, data := randVec(r, dim), randVec(r, rows*dim)
		out := make([]float32, rows)
		dotBatchImpl(q, data, out)
		for i := 0; i < rows; i++ {
			var one [1]float32
			dotBatchImpl(q, data[i*dim:(i+1)*dim], one[:])
			if math.Float32bits(one[0]) != math.Float32bits(out[i]) {
				t.Fatalf("dim=%d row %d: alone %v, in the batch %v", dim, i, one[0], out[i])
			}
		}
	}
}

func TestIndexAtLeast(t *testing.T) {
	r := rand.New(rand.NewSource(17))
	nan := float32(math.NaN())
	for n := 0; n <= maxLen; n++ {
		for off := 0; off < 8; off++ {
			x := offsetVec(r, n, off)
			for i := range x {
				if r.Intn(7) == 0 {
					x[i] = nan
				}
			}
			for _, th := range []float32{-1, 0, 1.5, 2.5, 3, float32(math.Inf(1)), nan} {
				want := indexAtLeastGeneric(x, th)
				if got := IndexAtLeast(x, th); got != want {
					t.Fatalf("n=%d off=%d t=%v: %s %d, generic %d", n, off, th, implName, got, want)
				}
				// Every start inside x, as the top-k scan resumes.
				if n > 0 {
					s := r.Intn(n)
					if got, want := IndexAtLeast(x[s:], th), indexAtLeastGeneric(x[s:], th); got != want {
						t.Fatalf("n=%d from %d t=%v: %d want %d", n, s, th, got, want)
					}
				}
			}
		}
	}
}
