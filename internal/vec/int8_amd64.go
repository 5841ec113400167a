//go:build !purego

package vec

import "golang.org/x/sys/cpu"

// On amd64 with AVX2 the int8 dot product runs in assembly (int8_amd64.s).
func init() {
	if cpu.X86.HasAVX2 {
		dotInt8Impl = dotInt8AVX2
		int8ImplName = "avx2"
	}
}

// dotInt8AVX2 is DotInt8 for len(b) >= len(a).
//
//go:noescape
func dotInt8AVX2(a, b []int8) int32
