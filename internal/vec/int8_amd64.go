//go:build !purego

package vec

import "golang.org/x/sys/cpu"

// On amd64 with AVX2 the int8 dot product runs in assembly (int8_amd64.s);
// with AVX-512 BW and VNNI a ZMM version is also available.
func init() {
	if cpu.X86.HasAVX2 {
		dotInt8Impl = dotInt8AVX2
		int8ImplName = "avx2"
		int8Variants = append(int8Variants, int8Variant{"avx2", dotInt8AVX2})
		dotInt8RowsImpl = dotInt8RowsAVX2
		int8RowsVariants = append(int8RowsVariants, int8RowsVariant{"avx2", dotInt8RowsAVX2})
	}
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VNNI {
		int8Variants = append(int8Variants, int8Variant{"avx512-vnni", dotInt8VNNI})
		if useVNNIInt8 {
			dotInt8Impl = dotInt8VNNI
			int8ImplName = "avx512-vnni"
			dotInt8RowsImpl = dotInt8RowsVNNI
		}
		int8RowsVariants = append(int8RowsVariants, int8RowsVariant{"avx512-vnni", dotInt8RowsVNNI})
	}
}

// useVNNIInt8 picks the AVX-512 VNNI kernel over the AVX2 one where the
// processor has both (see BenchmarkDotInt8).
const useVNNIInt8 = true

// dotInt8VNNI is DotInt8 for len(b) >= len(a) with AVX-512 BW and VNNI.
//
//go:noescape
func dotInt8VNNI(a, b []int8) int32

// dotInt8AVX2 is DotInt8 for len(b) >= len(a).
//
//go:noescape
func dotInt8AVX2(a, b []int8) int32

// dotInt8RowsVNNI is DotInt8Rows with AVX-512 BW and VNNI, for rows the
// caller has checked.
//
//go:noescape
func dotInt8RowsVNNI(q, codes []int8, rows []uint32, out []int32)

// dotInt8RowsAVX2 is DotInt8Rows with AVX2, for rows the caller has
// checked.
//
//go:noescape
func dotInt8RowsAVX2(q, codes []int8, rows []uint32, out []int32)
