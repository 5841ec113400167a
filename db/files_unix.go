//go:build unix

package db

import "syscall"

// openNonblock makes the open of a FIFO without a writer return at once
// (the descriptor is then refused as not a regular file).
const openNonblock = syscall.O_NONBLOCK
