//go:build !purego && (amd64 || arm64)

package vec

import "unsafe"

// prefetchRows prefetches, for every r in rows, each cache line of the
// size bytes at base + r*stride (prefetch_amd64.s, prefetch_arm64.s).
// size must be positive.
//
//go:noescape
func prefetchRows(base unsafe.Pointer, stride, size uintptr, rows []uint32)
