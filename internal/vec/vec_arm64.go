//go:build !purego

package vec

// Every arm64 processor has Advanced SIMD (NEON), so the assembly in
// vec_arm64.s is used unconditionally.
func init() {
	dotImpl = dotNEON
	l2sqImpl = l2sqNEON
	axpyImpl = axpyNEON
	dotBatchImpl = dotBatchNEON
	implName = "neon"
}

// dotNEON is Dot for len(b) >= len(a).
//
//go:noescape
func dotNEON(a, b []float32) float32

// l2sqNEON is L2Sq for len(b) >= len(a).
//
//go:noescape
func l2sqNEON(a, b []float32) float32

// axpyNEON is Axpy for len(y) >= len(x).
//
//go:noescape
func axpyNEON(alpha float32, x, y []float32)

// dotBatchNEON is DotBatch for len(data) >= len(out)*len(q), one dotNEON
// call per row.
func dotBatchNEON(q, data, out []float32) {
	dim := len(q)
	for i := range out {
		out[i] = dotNEON(q, data[i*dim:(i+1)*dim:(i+1)*dim])
	}
}
