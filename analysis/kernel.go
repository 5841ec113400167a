package analysis

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// dot4 returns the inner products of x with a, b, c and d, which must be at
// least as long as x. Reading x once for four rows roughly halves the memory
// traffic of four vec.Dot calls; it is the inner loop of the k-means
// assignment step.
func dot4(x, a, b, c, d []float32) (s0, s1, s2, s3 float32) {
	n := len(x)
	a, b, c, d = a[:n], b[:n], c[:n], d[:n]
	var t0, t1, t2, t3 float32
	i := 0
	for ; i+2 <= n; i += 2 {
		x0, x1 := x[i], x[i+1]
		s0 += x0 * a[i]
		s1 += x0 * b[i]
		s2 += x0 * c[i]
		s3 += x0 * d[i]
		t0 += x1 * a[i+1]
		t1 += x1 * b[i+1]
		t2 += x1 * c[i+1]
		t3 += x1 * d[i+1]
	}
	if i < n {
		x0 := x[i]
		s0 += x0 * a[i]
		s1 += x0 * b[i]
		s2 += x0 * c[i]
		s3 += x0 * d[i]
	}
	return s0 + t0, s1 + t1, s2 + t2, s3 + t3
}

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
