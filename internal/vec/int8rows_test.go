package vec

import (
	"fmt"
	"math/rand"
	"testing"
)

// TestDotInt8RowsKernel compares every DotInt8Rows kernel (and the
// exported function) with the int64 reference row by row: random codes of
// every dimension 0..300 at unaligned offsets, random rows in any order
// with repeats and the table's last row, batches of 0 to 40 rows.
func TestDotInt8RowsKernel(t *testing.T) {
	t.Logf("int8 rows kernels: %d", len(int8RowsVariants))
	r := rand.New(rand.NewSource(16))
	for dim := 0; dim <= 300; dim++ {
		nrows := 1 + r.Intn(50)
		off := r.Intn(8)
		q := int8Vec(r, dim, r.Intn(8))
		codes := int8Vec(r, nrows*dim, off)
		rows := make([]uint32, r.Intn(41))
		for i := range rows {
			rows[i] = uint32(r.Intn(nrows))
		}
		if len(rows) > 0 {
			rows[len(rows)-1] = uint32(nrows - 1)
		}
		want := make([]int64, len(rows))
		for i, row := range rows {
			want[i] = dotInt8Ref(q, codes[int(row)*dim:int(row)*dim+dim])
		}
		check := func(name string, got []int32) {
			t.Helper()
			for i := range rows {
				if int64(got[i]) != want[i] {
					t.Fatalf("%s dim=%d row %d (%d): %d, want %d", name, dim, i, rows[i], got[i], want[i])
				}
			}
			if got[len(rows)] != -7 {
				t.Fatalf("%s dim=%d: wrote past len(rows)", name, dim)
			}
		}
		for _, k := range int8RowsVariants {
			out := make([]int32, len(rows)+1)
			out[len(rows)] = -7
			k.fn(q, codes, rows, out)
			check(k.name, out)
		}
		out := make([]int32, len(rows)+1)
		out[len(rows)] = -7
		DotInt8Rows(q, codes, rows, out)
		check("DotInt8Rows", out)
	}
	for _, dim := range []int{1, 31, 32, 33, 100, 255, 1000} {
		for _, pair := range [][2]int8{{-128, -128}, {127, 127}, {-128, 127}} {
			q, codes := make([]int8, dim), make([]int8, 3*dim)
			for i := range q {
				q[i] = pair[0]
			}
			for i := range codes {
				codes[i] = pair[1]
			}
			want := dotInt8Ref(q, codes[:dim])
			for _, k := range int8RowsVariants {
				out := make([]int32, 3)
				k.fn(q, codes, []uint32{2, 0, 1}, out)
				for i := range out {
					if int64(out[i]) != want {
						t.Fatalf("%s dim=%d %v: %d, want %d", k.name, dim, pair, out[i], want)
					}
				}
			}
		}
	}
}

// TestDotInt8RowsPanics: a row past the end of the codes or an out shorter
// than rows panics instead of reading or writing out of bounds.
func TestDotInt8RowsPanics(t *testing.T) {
	q, codes := make([]int8, 10), make([]int8, 35) // rows 0..2
	for _, c := range []struct {
		rows []uint32
		out  int
	}{{[]uint32{3}, 1}, {[]uint32{0, 1 << 31}, 2}, {[]uint32{0, 1, 2}, 2}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("rows %v out %d: no panic", c.rows, c.out)
				}
			}()
			DotInt8Rows(q, codes, c.rows, make([]int32, c.out))
		}()
	}
	out := make([]int32, 3)
	DotInt8Rows(q, codes, []uint32{2, 1, 0}, out) // the last row fits
	DotInt8Rows(nil, nil, []uint32{5}, out[:1])   // dimension 0: no codes read
	if out[0] != 0 {
		t.Errorf("dimension 0: %d", out[0])
	}
}

// BenchmarkDotInt8Rows scores 32 rows of dimension 100 and 300 picked at
// random from a table in cache: every DotInt8Rows kernel, and a loop of
// DotInt8 calls for comparison (ns/op is per batch).
func BenchmarkDotInt8Rows(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	for _, dim := range []int{100, 300} {
		q, codes := int8Vec(r, dim, 0), int8Vec(r, 1000*dim, 0)
		rows := make([]uint32, 32)
		for i := range rows {
			rows[i] = uint32(r.Intn(1000))
		}
		out := make([]int32, len(rows))
		for _, k := range int8RowsVariants {
			b.Run(fmt.Sprintf("%s/dim=%d", k.name, dim), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					k.fn(q, codes, rows, out)
				}
			})
		}
		b.Run(fmt.Sprintf("DotInt8-calls/dim=%d", dim), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				for j, row := range rows {
					out[j] = DotInt8(q, codes[int(row)*dim:int(row)*dim+dim])
				}
			}
		})
	}
}
