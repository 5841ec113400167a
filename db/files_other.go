//go:build !unix

package db

// openNonblock is 0 where the system has no O_NONBLOCK open flag.
const openNonblock = 0
