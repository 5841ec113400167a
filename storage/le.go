package storage

import (
	"encoding/binary"
	"math"
	"unsafe"
)

// littleEndian reports whether this machine stores float32 in the file's
// byte order, so vectors can be copied without per-value decoding.
var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// copyVector decodes dim little-endian float32 values from b into dst.
func copyVector(dst []float32, b []byte) {
	if littleEndian && len(dst) > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), 4*len(dst)), b[:4*len(dst)])
		return
	}
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
}
