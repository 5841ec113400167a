package vec

import "math"

// The kernels behind the exported functions. They start as the pure-Go
// versions below; an init function for the platform (vec_amd64.go) may replace
// them with assembly once, before any caller runs. The exported functions
// check the lengths first, so every implementation may assume len(b) >=
// len(a), len(y) >= len(x) and len(data) >= len(out)*len(q).
var (
	dotImpl      = dotGeneric
	l2sqImpl     = l2sqGeneric
	axpyImpl     = axpyGeneric
	dotBatchImpl = dotBatchGeneric

	// implName names the kernels in use, for tests and benchmarks.
	implName = "generic"
)

// Dot returns the inner product of a and b. b must be at least as long as a;
// Dot panics otherwise. It is safe for concurrent use.
func Dot(a, b []float32) float32 { return dotImpl(a, b[:len(a)]) }

func dotGeneric(a, b []float32) float32 {
	n := len(a)
	b = b[:n]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	i := 0
	for ; i+8 <= n; i += 8 {
		aa := a[i : i+8 : i+8]
		bb := b[i : i+8 : i+8]
		s0 += aa[0] * bb[0]
		s1 += aa[1] * bb[1]
		s2 += aa[2] * bb[2]
		s3 += aa[3] * bb[3]
		s4 += aa[4] * bb[4]
		s5 += aa[5] * bb[5]
		s6 += aa[6] * bb[6]
		s7 += aa[7] * bb[7]
	}
	for ; i < n; i++ {
		s0 += a[i] * b[i]
	}
	return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
}

// L2Sq returns the squared Euclidean distance between a and b. b must be at
// least as long as a; L2Sq panics otherwise.
func L2Sq(a, b []float32) float32 { return l2sqImpl(a, b[:len(a)]) }

func l2sqGeneric(a, b []float32) float32 {
	n := len(a)
	b = b[:n]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	i := 0
	for ; i+8 <= n; i += 8 {
		aa := a[i : i+8 : i+8]
		bb := b[i : i+8 : i+8]
		d0 := aa[0] - bb[0]
		d1 := aa[1] - bb[1]
		d2 := aa[2] - bb[2]
		d3 := aa[3] - bb[3]
		d4 := aa[4] - bb[4]
		d5 := aa[5] - bb[5]
		d6 := aa[6] - bb[6]
		d7 := aa[7] - bb[7]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
		s4 += d4 * d4
		s5 += d5 * d5
		s6 += d6 * d6
		s7 += d7 * d7
	}
	for ; i < n; i++ {
		d := a[i] - b[i]
		s0 += d * d
	}
	return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
}

// Norm returns the Euclidean length of a.
func Norm(a []float32) float32 { return float32(math.Sqrt(float64(Dot(a, a)))) }

// Normalize scales a in place to unit length and returns its original length.
// A zero vector is left unchanged and 0 is returned.
func Normalize(a []float32) float32 {
	n := Norm(a)
	if n > 0 {
		Scale(1/n, a)
	}
	return n
}

// Scale multiplies every element of x by alpha, in place.
func Scale(alpha float32, x []float32) {
	for i := range x {
		x[i] *= alpha
	}
}

// Axpy computes y += alpha*x. y must be at least as long as x; Axpy panics
// otherwise. Only y[:len(x)] is written.
func Axpy(alpha float32, x, y []float32) { axpyImpl(alpha, x, y[:len(x)]) }

func axpyGeneric(alpha float32, x, y []float32) {
	n := len(x)
	y = y[:n]
	i := 0
	for ; i+8 <= n; i += 8 {
		xx := x[i : i+8 : i+8]
		yy := y[i : i+8 : i+8]
		yy[0] += alpha * xx[0]
		yy[1] += alpha * xx[1]
		yy[2] += alpha * xx[2]
		yy[3] += alpha * xx[3]
		yy[4] += alpha * xx[4]
		yy[5] += alpha * xx[5]
		yy[6] += alpha * xx[6]
		yy[7] += alpha * xx[7]
	}
	for ; i < n; i++ {
		y[i] += alpha * x[i]
	}
}

// DotBatch writes into out[i] the inner product of q with row i of the
// row-major matrix data (len(out) rows of len(q) values each). data must hold
// at least len(out)*len(q) values; DotBatch panics otherwise, before writing.
// The score of a row depends only on q and that row, bit for bit, not on
// where the row sits in data or how many rows are scored with it, so
// DotBatch(q, row, out[:1]) reproduces any score DotBatch gave before.
func DotBatch(q, data []float32, out []float32) {
	dotBatchImpl(q, data[:len(out)*len(q)], out)
}

func dotBatchGeneric(q, data []float32, out []float32) {
	dim := len(q)
	for i := range out {
		out[i] = dotGeneric(q, data[i*dim:(i+1)*dim])
	}
}

// Finite reports whether every element of a is neither NaN nor infinite.
func Finite(a []float32) bool {
	for _, x := range a {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
	}
	return true
}

// dotBlockImpl is the kernel behind DotBlock; like the others it may be
// replaced once, at init, by a platform version.
var dotBlockImpl = dotBlockRows

// blockVariant names one implementation of DotBlock that the processor can
// run, so that tests and benchmarks can exercise every one of them and not
// only the default.
type blockVariant struct {
	name string
	fn   func(qs []float32, nq int, rows []float32, nr, dim int, out []float32)
}

// blockVariants lists the runnable DotBlock kernels, the portable one first.
var blockVariants = []blockVariant{{"rows", dotBlockRows}}

// DotBlock scores a block of queries against a block of rows:
//
//	out[i*nr+j] = Dot(qs[i*dim:(i+1)*dim], rows[j*dim:(j+1)*dim])
//
// for i < nq and j < nr. qs holds nq queries and rows nr vectors, both
// row-major with dim values each; out is nq×nr, row-major (one line of nr
// scores per query). qs must hold at least nq*dim values, rows nr*dim and out
// nq*nr; DotBlock panics otherwise, before writing. Only out[:nq*nr] is
// written.
//
// It computes what nq DotBatch calls would, but on amd64 the assembly keeps a
// tile of 4 queries × 3 or 4 rows in registers so that every vector load
// feeds several multiply-adds; it pays off when the queries (nq*dim values)
// and the rows stay in cache, e.g. 32-64 queries against a few hundred KiB of
// rows. Results may differ from DotBatch's in float32 summation order only.
func DotBlock(qs []float32, nq int, rows []float32, nr, dim int, out []float32) {
	if nq < 0 || nr < 0 || dim < 0 {
		panic("vec: DotBlock with a negative size")
	}
	if len(qs) < nq*dim || len(rows) < nr*dim || len(out) < nq*nr {
		panic("vec: DotBlock slice too short")
	}
	dotBlockImpl(qs[:nq*dim], nq, rows[:nr*dim], nr, dim, out[:nq*nr])
}

// dotBlockRows is DotBlock as one DotBatch call per query: the pure-Go and
// arm64 version.
func dotBlockRows(qs []float32, nq int, rows []float32, nr, dim int, out []float32) {
	rows = rows[:nr*dim]
	for i := 0; i < nq; i++ {
		dotBatchImpl(qs[i*dim:(i+1)*dim], rows, out[i*nr:(i+1)*nr])
	}
}

// indexAtLeastImpl is the kernel behind IndexAtLeast.
var indexAtLeastImpl = indexAtLeastGeneric

// IndexAtLeast returns the smallest i with x[i] >= t, or len(x) when there
// is none (NaN is never at least t). Top-k scans use it to skip, many
// scores at a time, the rows that cannot enter the heap.
func IndexAtLeast(x []float32, t float32) int { return indexAtLeastImpl(x, t) }

func indexAtLeastGeneric(x []float32, t float32) int {
	for i, v := range x {
		if v >= t {
			return i
		}
	}
	return len(x)
}
