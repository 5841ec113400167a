package vec

import "unsafe"

// Prefetching. A graph walk scores the neighbours of a node in an order
// the processor cannot guess, so every neighbour's vector is a cache miss
// it waits for. PrefetchInt8Rows and its siblings issue the loads of a
// whole batch of rows first (PREFETCHT0 on amd64, PRFM PLDL1KEEP on arm64),
// so that the misses overlap each other and the scoring of the rows before
// them. They are hints: they change no memory and no result, never fault
// (a row past the end of the table is simply not fetched usefully), and
// compile to nothing with the "purego" tag and on other architectures.

// PrefetchInt8Rows hints that codes[r*dim : r*dim+dim] will soon be read
// for every r in rows.
func PrefetchInt8Rows(codes []int8, dim int, rows []uint32) {
	if len(codes) == 0 || dim <= 0 || len(rows) == 0 {
		return
	}
	prefetchRows(unsafe.Pointer(unsafe.SliceData(codes)), uintptr(dim), uintptr(dim), rows)
}

// PrefetchInt8RowStarts hints that codes[r*dim] will soon be read for
// every r in rows: it fetches only the cache line holding each row's
// first code. A walk at dim 100 scores each row from its start, and
// asking for every line of every row (PrefetchInt8Rows) fills the
// processor's queue of outstanding misses, so that the prefetches
// themselves stall; with the first line requested, the processor's own
// next-line prefetcher and the kernel's loads bring the rest
// (BENCHMARKS.md, "The walk, prefetched and batched").
func PrefetchInt8RowStarts(codes []int8, dim int, rows []uint32) {
	if len(codes) == 0 || dim <= 0 || len(rows) == 0 {
		return
	}
	prefetchRows(unsafe.Pointer(unsafe.SliceData(codes)), uintptr(dim), 1, rows)
}

// PrefetchFloat32Rows hints that data[r*dim : r*dim+dim] will soon be read
// for every r in rows.
func PrefetchFloat32Rows(data []float32, dim int, rows []uint32) {
	if len(data) == 0 || dim <= 0 || len(rows) == 0 {
		return
	}
	prefetchRows(unsafe.Pointer(unsafe.SliceData(data)), 4*uintptr(dim), 4*uintptr(dim), rows)
}

// PrefetchFloat32s hints that all of s will soon be read.
func PrefetchFloat32s(s []float32) {
	if len(s) == 0 {
		return
	}
	row := [1]uint32{}
	prefetchRows(unsafe.Pointer(unsafe.SliceData(s)), 0, 4*uintptr(len(s)), row[:])
}

// PrefetchUint32s hints that all of s will soon be read.
func PrefetchUint32s(s []uint32) {
	if len(s) == 0 {
		return
	}
	row := [1]uint32{}
	prefetchRows(unsafe.Pointer(unsafe.SliceData(s)), 0, 4*uintptr(len(s)), row[:])
}
