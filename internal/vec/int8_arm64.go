//go:build !purego

package vec

// On arm64 the int8 dot product runs in NEON assembly (int8_arm64.s);
// Advanced SIMD is part of every arm64 processor.
func init() {
	dotInt8Impl = dotInt8NEON
	int8ImplName = "neon"
}

// dotInt8NEON is DotInt8 for len(b) >= len(a).
//
//go:noescape
func dotInt8NEON(a, b []int8) int32
