package analysis

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// threadCount turns a Threads option into a worker count: ≤ 0 means
// runtime.GOMAXPROCS(0).
func threadCount(t int) int {
	if t <= 0 {
		t = runtime.GOMAXPROCS(0)
	}
	return max(t, 1)
}

// parallelChunks calls fn(lo, hi) for consecutive chunks of [0, n) of at
// most chunk items, on up to threads goroutines. It stops handing out chunks
// once stop returns true (checked before each chunk) and returns when all
// started calls have finished.
func parallelChunks(n, chunk, threads int, stop func() bool, fn func(lo, hi int)) {
	nchunks := (n + chunk - 1) / chunk
	threads = min(threads, nchunks)
	if threads <= 1 {
		for lo := 0; lo < n; lo += chunk {
			if stop != nil && stop() {
				return
			}
			fn(lo, min(lo+chunk, n))
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c := int(next.Add(1) - 1)
				if c >= nchunks || (stop != nil && stop()) {
					return
				}
				lo := c * chunk
				fn(lo, min(lo+chunk, n))
			}
		}()
	}
	wg.Wait()
}
