package vec

// dotInt8Impl is the kernel behind DotInt8; like the float32 kernels it may
// be replaced once, at init, by a platform version (vec_amd64.go).
var dotInt8Impl = dotInt8Generic

// int8ImplName names the int8 kernel in use, for tests and benchmarks.
var int8ImplName = "generic"

// int8Variant names one DotInt8 kernel the processor can run, so that tests
// and benchmarks exercise every one of them, not only the default.
type int8Variant struct {
	name string
	fn   func(a, b []int8) int32
}

// int8Variants lists the runnable DotInt8 kernels, the pure-Go one first.
var int8Variants = []int8Variant{{"generic", dotInt8Generic}}

// DotInt8 returns the inner product of a and b as int32, for the int8
// codes of quantized vectors. b must be at least as long as a; DotInt8
// panics otherwise. The sum is exact while len(a) * 128 * 128 stays below
// 2^31 (len(a) up to 131072); past that it wraps modulo 2^32 the same way
// in every implementation. It is safe for concurrent use.
func DotInt8(a, b []int8) int32 { return dotInt8Impl(a, b[:len(a)]) }

// dotInt8Generic is DotInt8 in pure Go, the reference the assembly is
// tested against.
func dotInt8Generic(a, b []int8) int32 {
	n := len(a)
	b = b[:n]
	var s0, s1, s2, s3 int32
	i := 0
	for ; i+4 <= n; i += 4 {
		aa := a[i : i+4 : i+4]
		bb := b[i : i+4 : i+4]
		s0 += int32(aa[0]) * int32(bb[0])
		s1 += int32(aa[1]) * int32(bb[1])
		s2 += int32(aa[2]) * int32(bb[2])
		s3 += int32(aa[3]) * int32(bb[3])
	}
	for ; i < n; i++ {
		s0 += int32(a[i]) * int32(b[i])
	}
	return (s0 + s1) + (s2 + s3)
}
