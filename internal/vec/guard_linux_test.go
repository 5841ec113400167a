package vec

import (
	"syscall"
	"testing"
	"unsafe"
)

// guardedTail returns a slice of n float32s that ends exactly where an
// unreadable page begins, so a kernel that reads or writes one element too
// many faults instead of passing by luck.
func guardedTail(t *testing.T, n int) []float32 {
	t.Helper()
	page := syscall.Getpagesize()
	size := (n*4/page + 2) * page
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skipf("mmap: %v", err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[size-page:], syscall.PROT_NONE); err != nil {
		t.Skipf("mprotect: %v", err)
	}
	all := unsafe.Slice((*float32)(unsafe.Pointer(&mem[0])), (size-page)/4)
	s := all[len(all)-n:]
	for i := range s {
		s[i] = float32(i%7) - 3
	}
	return s
}

// TestKernelsStayInBounds runs every kernel on slices that end at a guard
// page, for all short lengths and the tails of a few long ones.
func TestKernelsStayInBounds(t *testing.T) {
	for n := 0; n <= 80; n++ {
		a, b := guardedTail(t, n), guardedTail(t, n)
		_ = dotImpl(a, b)
		_ = l2sqImpl(a, b)
		axpyImpl(0.5, a, b)
		for _, rows := range []int{1, 4, 5} {
			data := guardedTail(t, n*rows)
			out := guardedTail(t, rows)
			dotBatchImpl(a, data, out)
			want := dotGeneric(a, data[(rows-1)*n:])
			if !close32(float64(out[rows-1]), float64(want), n, 9*float64(n)) {
				t.Fatalf("n=%d rows=%d: last row %v want %v", n, rows, out[rows-1], want)
			}
		}
	}
	// DotBlock: the last query, the last row and the end of out all sit
	// against a guard page, for every kernel the processor has.
	for _, k := range blockKernels() {
		for n := 0; n <= 80; n++ {
			for _, sh := range [][2]int{{4, 3}, {4, 4}, {5, 7}, {8, 8}} {
				nq, nr := sh[0], sh[1]
				qs, rows, out := guardedTail(t, nq*n), guardedTail(t, nr*n), guardedTail(t, nq*nr)
				k.fn(qs, nq, rows, nr, n, out)
				want := dotGeneric(qs[(nq-1)*n:], rows[(nr-1)*n:])
				if got := out[nq*nr-1]; !close32(float64(got), float64(want), n, 9*float64(n)) {
					t.Fatalf("%s n=%d %dx%d: last %v want %v", k.name, n, nq, nr, got, want)
				}
			}
		}
	}
	for n := 0; n <= 80; n++ {
		x := guardedTail(t, n)
		if got := IndexAtLeast(x, 100); got != n {
			t.Fatalf("IndexAtLeast n=%d: %d", n, got)
		}
	}
}

// TestInt8KernelsStayInBounds runs every DotInt8 kernel on codes that end
// at a guard page, for all short lengths (the AVX-512 one reads its tail
// with a masked load that must not touch the page).
func TestInt8KernelsStayInBounds(t *testing.T) {
	for n := 0; n <= 200; n++ {
		fa, fb := guardedTail(t, (n+3)/4), guardedTail(t, (n+3)/4)
		ba := unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(fa))), len(fa)*4)
		bb := unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(fb))), len(fb)*4)
		a, b := ba[len(ba)-n:], bb[len(bb)-n:]
		for i := range a {
			a[i], b[i] = int8(i*37), int8(-i*11)
		}
		want := dotInt8Generic(a, b)
		for _, k := range int8Variants {
			if got := k.fn(a, b); got != want {
				t.Fatalf("%s n=%d: %d, want %d", k.name, n, got, want)
			}
		}
	}
}

// TestPrefetchAtGuardPage prefetches rows that end at, and rows that lie
// in, an unreadable page: a prefetch must not fault.
func TestPrefetchAtGuardPage(t *testing.T) {
	for _, dim := range []int{1, 16, 100, 333} {
		f := guardedTail(t, (dim*3+3)/4)
		b := unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(f))), len(f)*4)
		codes := b[len(b)-3*dim:]
		PrefetchInt8Rows(codes, dim, []uint32{0, 1, 2, 3, 4, 100})
		PrefetchFloat32Rows(f, 1, []uint32{uint32(len(f) - 1), uint32(len(f)), uint32(len(f) + 1000)})
		PrefetchUint32s(unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(f))), len(f)))
	}
}

// TestInt8RowsKernelsStayInBounds scores the last row of a table of codes
// that ends at a guard page, with every DotInt8Rows kernel and dimension
// up to 200.
func TestInt8RowsKernelsStayInBounds(t *testing.T) {
	for dim := 1; dim <= 200; dim++ {
		f := guardedTail(t, (3*dim+3)/4)
		b := unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(f))), len(f)*4)
		codes := b[len(b)-3*dim:]
		q := make([]int8, dim)
		for i := range codes {
			codes[i] = int8(i * 13)
		}
		for i := range q {
			q[i] = int8(i*7 - 50)
		}
		want := dotInt8Generic(q, codes[2*dim:])
		for _, k := range int8RowsVariants {
			out := []int32{0, 0}
			k.fn(q, codes, []uint32{2, 2}, out)
			if out[0] != want || out[1] != want {
				t.Fatalf("%s dim=%d: %v, want %d", k.name, dim, out, want)
			}
		}
	}
}
