//go:build purego || !(amd64 || arm64)

package vec

import "unsafe"

// prefetchRows does nothing in pure Go: Go has no prefetch, and a load
// would wait for the miss the hint is meant to hide.
func prefetchRows(base unsafe.Pointer, stride, size uintptr, rows []uint32) {}
