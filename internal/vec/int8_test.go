package vec

import (
	"math/rand"
	"testing"
)

// dotInt8Ref is the int8 inner product in int64, for lengths where int32
// cannot overflow.
func dotInt8Ref(a, b []int8) int64 {
	var s int64
	for i := range a {
		s += int64(a[i]) * int64(b[i])
	}
	return s
}

func int8Vec(r *rand.Rand, n, off int) []int8 {
	buf := make([]int8, off+n+16)
	for i := range buf {
		buf[i] = int8(r.Intn(256) - 128)
	}
	return buf[off : off+n]
}

// TestDotInt8Kernel compares the kernel in use (AVX2 on amd64 unless
// purego) with the pure-Go one and an int64 reference: random codes of
// every length 0..300 at unaligned offsets, and the extremes -128 and 127.
func TestDotInt8Kernel(t *testing.T) {
	t.Logf("int8 kernel: %s (of %d)", int8ImplName, len(int8Variants))
	r := rand.New(rand.NewSource(15))
	for n := 0; n <= maxLen; n++ {
		for off := 0; off < 8; off++ {
			a, b := int8Vec(r, n, off), int8Vec(r, n, (off+5)%8)
			want := dotInt8Ref(a, b)
			if got := DotInt8(a, b); int64(got) != want {
				t.Fatalf("n=%d off=%d: DotInt8 %d, want %d", n, off, got, want)
			}
			for _, k := range int8Variants {
				if got := k.fn(a, b); int64(got) != want {
					t.Fatalf("%s n=%d off=%d: %d, want %d", k.name, n, off, got, want)
				}
			}
		}
	}
	for _, n := range []int{1, 15, 16, 17, 31, 32, 33, 100, 255, 1000, 4097} {
		for _, pair := range [][2]int8{{-128, -128}, {127, 127}, {-128, 127}, {127, -128}} {
			a, b := make([]int8, n), make([]int8, n)
			for i := range a {
				a[i], b[i] = pair[0], pair[1]
			}
			want := dotInt8Ref(a, b)
			for _, k := range int8Variants {
				if got := k.fn(a, b); int64(got) != want {
					t.Fatalf("%s n=%d %v: %d, want %d", k.name, n, pair, got, want)
				}
			}
		}
	}
}

// TestDotInt8Wraps checks that past the exact range every implementation
// wraps the same way.
func TestDotInt8Wraps(t *testing.T) {
	n := 140000
	a, b := make([]int8, n), make([]int8, n)
	for i := range a {
		a[i], b[i] = -128, -128
	}
	want := int32(dotInt8Ref(a, b))
	for _, k := range int8Variants {
		if got := k.fn(a, b); got != want {
			t.Fatalf("%s: %d, want %d", k.name, got, want)
		}
	}
}

func TestDotInt8ShortPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("DotInt8 with a short second operand did not panic")
		}
	}()
	DotInt8(make([]int8, 4), make([]int8, 3))
}

func BenchmarkDotInt8(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	for _, n := range []int{50, 100, 300} {
		x, y := int8Vec(r, n, 0), int8Vec(r, n, 0)
		fx, fy := make([]float32, n), make([]float32, n)
		for i := range fx {
			fx[i], fy[i] = float32(x[i]), float32(y[i])
		}
		for _, k := range int8Variants {
			b.Run("int8-"+k.name+"/"+itoa(n), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					k.fn(x, y)
				}
			})
		}
		b.Run("float32/"+itoa(n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				Dot(fx, fy)
			}
		})
	}
}
