package vec

import (
	"math"
	"math/rand"
	"slices"
	"testing"
)

// TestPrefetchChangesNothing: the prefetches are hints. On random tables of
// odd and even widths, with rows inside, at the edges of and far past the
// end of the table (a prefetch never faults), and with empty inputs, they
// leave every byte as it was and return.
func TestPrefetchChangesNothing(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for _, dim := range []int{1, 3, 17, 63, 64, 65, 100, 127, 300, 1000} {
		const n = 37
		codes := make([]int8, n*dim)
		data := make([]float32, n*dim)
		links := make([]uint32, 2*dim+1)
		for i := range codes {
			codes[i] = int8(r.Intn(256) - 128)
			data[i] = float32(r.NormFloat64())
		}
		for i := range links {
			links[i] = r.Uint32()
		}
		c0, d0, l0 := slices.Clone(codes), slices.Clone(data), slices.Clone(links)
		rows := []uint32{0, n - 1, 5, 5, n, n + 1, 1 << 20, math.MaxUint32}
		for i := 0; i < 20; i++ {
			rows = append(rows, uint32(r.Intn(n)))
		}
		for _, rs := range [][]uint32{rows, rows[:1], nil} {
			PrefetchInt8Rows(codes, dim, rs)
			PrefetchInt8RowStarts(codes, dim, rs)
			PrefetchFloat32Rows(data, dim, rs)
		}
		PrefetchInt8Rows(nil, dim, rows)
		PrefetchInt8Rows(codes, 0, rows)
		PrefetchInt8RowStarts(nil, dim, rows)
		PrefetchInt8RowStarts(codes, 0, rows)
		PrefetchFloat32Rows(nil, dim, rows)
		PrefetchFloat32Rows(data, 0, rows)
		PrefetchUint32s(links)
		PrefetchUint32s(links[:1])
		PrefetchUint32s(nil)
		PrefetchFloat32s(data)
		PrefetchFloat32s(data[len(data)-1:])
		PrefetchFloat32s(nil)
		if !slices.Equal(codes, c0) || !slices.Equal(data, d0) || !slices.Equal(links, l0) {
			t.Fatalf("dim %d: a prefetch changed the memory", dim)
		}
	}
}

// TestPrefetchDoesNotAllocate: the walk calls the prefetches for every
// node it expands.
func TestPrefetchDoesNotAllocate(t *testing.T) {
	codes := make([]int8, 100*100)
	links := make([]uint32, 33)
	data := make([]float32, 100)
	rows := []uint32{1, 50, 99}
	if a := testing.AllocsPerRun(100, func() {
		PrefetchInt8Rows(codes, 100, rows)
		PrefetchInt8RowStarts(codes, 100, rows)
		PrefetchUint32s(links)
		PrefetchFloat32s(data)
	}); a != 0 {
		t.Fatalf("%v allocations per call", a)
	}
}
