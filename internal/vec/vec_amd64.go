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
		indexAtLeastImpl = indexAtLeastAVX2
		implName = "avx2+fma"
		blockVariants = append(blockVariants, blockVariant{"avx2-4x3", dotBlockAVX2})
		dotBlockImpl = dotBlockAVX2
		if cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL {
			blockVariants = append(blockVariants, blockVariant{"avx512-4x4", dotBlockAVX512})
			if useAVX512Block {
				dotBlockImpl = dotBlockAVX512
			}
		}
	}
}

// useAVX512Block picks the AVX-512 DotBlock kernel over the AVX2 one where the
// processor has both (see BenchmarkDotBlock).
const useAVX512Block = true

// dotBlockAVX2 is DotBlock with the 4-query × 3-row AVX2 tile.
func dotBlockAVX2(qs []float32, nq int, rows []float32, nr, dim int, out []float32) {
	dotBlockTiled(dotTile4x3AVX2, 3, qs, nq, rows, nr, dim, out)
}

// dotBlockAVX512 is DotBlock with the 4-query × 4-row AVX-512 tile.
func dotBlockAVX512(qs []float32, nq int, rows []float32, nr, dim int, out []float32) {
	dotBlockTiled(dotTile4x4AVX512, 4, qs, nq, rows, nr, dim, out)
}

// dotBlockTiled runs tile over the largest block of whole tiles (4 queries ×
// tr rows) and DotBatch over what is left: the last nr%tr rows for those
// queries, then the last nq%4 queries against every row. The caller has
// checked the lengths.
func dotBlockTiled(tile func(qs, rows, out *float32, nq4, nrt, dim, ldo int), tr int,
	qs []float32, nq int, rows []float32, nr, dim int, out []float32) {
	nq4, nrt := nq/4, nr/tr
	if nq4 == 0 || nrt == 0 || dim == 0 {
		nq4, nrt = 0, 0
	} else {
		tile(&qs[0], &rows[0], &out[0], nq4, nrt, dim, nr)
	}
	if done := nrt * tr; done < nr {
		rest := rows[done*dim : nr*dim]
		for i := 0; i < nq4*4; i++ {
			dotBatchImpl(qs[i*dim:(i+1)*dim], rest, out[i*nr+done:(i+1)*nr])
		}
	}
	for i := nq4 * 4; i < nq; i++ {
		dotBatchImpl(qs[i*dim:(i+1)*dim], rows[:nr*dim], out[i*nr:(i+1)*nr])
	}
}

// dotTile4x3AVX2 writes out[i*ldo+j] = q_i · r_j for i < 4*nq4, j < 3*nr3,
// with q_i = qs[i*dim:], r_j = rows[j*dim:]; all counts are positive.
//
//go:noescape
func dotTile4x3AVX2(qs, rows, out *float32, nq4, nr3, dim, ldo int)

// dotTile4x4AVX512 is dotTile4x3AVX2 with 4-row tiles (nr4 of them) and
// 16-lane ZMM registers.
//
//go:noescape
func dotTile4x4AVX512(qs, rows, out *float32, nq4, nr4, dim, ldo int)

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

// indexAtLeastAVX2 is IndexAtLeast: the assembly scans whole 16-value
// chunks, the Go loop the last len(x)%16 values.
func indexAtLeastAVX2(x []float32, t float32) int {
	n16 := len(x) &^ 15
	if n16 > 0 {
		if i := indexAtLeast16AVX2(&x[0], n16, t); i < n16 {
			return i
		}
	}
	for i := n16; i < len(x); i++ {
		if x[i] >= t {
			return i
		}
	}
	return len(x)
}

// indexAtLeast16AVX2 is IndexAtLeast for the n values at x, n a positive
// multiple of 16.
//
//go:noescape
func indexAtLeast16AVX2(x *float32, n int, t float32) int
