//go:build !purego

package vec

import "golang.org/x/sys/cpu"

// On amd64 the kernels switch to AVX2 + FMA assembly (vec_amd64.s) when the
// processor has both; otherwise the generic versions stay in place.
func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		dotImpl = dotAVX2
		l2sqImpl = l2sqAVX2
		axpyImpl = axpyAVX2
		dotBatchImpl = dotBatchAVX2
		implName = "avx2+fma"
	}
}

// dotAVX2 is Dot for len(b) >= len(a).
//
//go:noescape
func dotAVX2(a, b []float32) float32

// l2sqAVX2 is L2Sq for len(b) >= len(a).
//
//go:noescape
func l2sqAVX2(a, b []float32) float32

// axpyAVX2 is Axpy for len(y) >= len(x).
//
//go:noescape
func axpyAVX2(alpha float32, x, y []float32)

// dotBatchAVX2 is DotBatch for len(data) >= len(out)*len(q).
//
//go:noescape
func dotBatchAVX2(q, data, out []float32)
