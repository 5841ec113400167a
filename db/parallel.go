package db

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// Searches on every core. A DB runs at most threads searches at once
// (SET threads, DB.SetThreads; all cores by default): each search holds
// one of the DB's search slots while it runs, whether it comes from a
// Query, from View.Search or from a worker of a batch. A batch (NEAREST …
// TO EACH, View.SearchBatch, View.RecommendBatch) takes one slot for
// itself and as many more as are free, up to threads, and spreads its
// items over them; its answer is the same whatever the number of workers.

// slotGate counts the search slots of a DB in use and queues those who
// wait for one, first come first served. Its zero value is ready.
type slotGate struct {
	mu      sync.Mutex
	busy    int
	peak    int             // most slots ever in use at once (tests read it)
	waiters []chan struct{} // closed when the slot is handed over
}

// acquire takes a slot, waiting while limit are in use (or others wait
// before it), until ctx is done.
func (g *slotGate) acquire(ctx context.Context, limit int) error {
	g.mu.Lock()
	if g.busy < limit && len(g.waiters) == 0 {
		g.take()
		g.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	g.waiters = append(g.waiters, ch)
	g.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
	}
	g.mu.Lock()
	for i, w := range g.waiters {
		if w == ch {
			g.waiters = append(g.waiters[:i], g.waiters[i+1:]...)
			g.mu.Unlock()
			return ctx.Err()
		}
	}
	g.mu.Unlock()
	// The slot was handed over as ctx ended: pass it on.
	g.release(limit)
	return ctx.Err()
}

// tryAcquire takes a slot if fewer than limit are in use and nobody waits.
func (g *slotGate) tryAcquire(limit int) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.busy >= limit || len(g.waiters) > 0 {
		return false
	}
	g.take()
	return true
}

func (g *slotGate) take() {
	g.busy++
	g.peak = max(g.peak, g.busy)
}

// release frees a slot and hands free slots (up to limit) to the waiters
// in order.
func (g *slotGate) release(limit int) {
	g.mu.Lock()
	g.busy--
	for g.busy < limit && len(g.waiters) > 0 {
		g.take()
		close(g.waiters[0])
		g.waiters = g.waiters[1:]
	}
	g.mu.Unlock()
}

// peakSlots returns the most search slots that were ever in use at once,
// and resets the count to those in use now.
func (d *DB) peakSlots() int {
	g := &d.slots
	g.mu.Lock()
	defer g.mu.Unlock()
	p := g.peak
	g.peak = g.busy
	return p
}

func (d *DB) releaseSlot() { d.slots.release(d.threads()) }

// slotKey marks a context whose goroutine holds a search slot of a DB (the
// value): searches under it take no other slot.
type slotKey struct{}

func (d *DB) holdsSlot(ctx context.Context) bool {
	h, _ := ctx.Value(slotKey{}).(*DB)
	return h == d
}

// inUse returns how many slots are taken now.
func (g *slotGate) inUse() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.busy
}

// enter takes a search slot for one search unless ctx already holds one;
// the caller runs release when the search is done.
func (d *DB) enter(ctx context.Context) (release func(), err error) {
	if d == nil || d.holdsSlot(ctx) {
		return func() {}, nil
	}
	if err := d.slots.acquire(ctx, d.threads()); err != nil {
		return nil, err
	}
	return d.releaseSlot, nil
}

// hold is enter for work that starts searches of its own (a batch): the
// context it returns marks the slot as held, so they run under it.
func (d *DB) hold(ctx context.Context) (context.Context, func(), error) {
	if d == nil || d.holdsSlot(ctx) {
		return ctx, func() {}, nil
	}
	if err := d.slots.acquire(ctx, d.threads()); err != nil {
		return ctx, nil, err
	}
	return context.WithValue(ctx, slotKey{}, d), d.releaseSlot, nil
}

// workers returns how many workers a batch of n items may use: threads,
// at most n, at least 1.
func (d *DB) workers(n int) int {
	t := 1
	if d != nil {
		t = d.threads()
	}
	return max(1, min(t, n))
}

// spread calls fn(ctx, w, i) for every i in [0, n), on up to limit workers
// (w in [0, limit) names the worker, for per-worker state; fn may run
// concurrently for different i, never for the same w). The caller holds a
// search slot (see hold) and is worker 0; each further worker takes a free
// slot of d without waiting for one, so spread never runs more than
// threads searches across the DB, and with no slot free it runs every
// item on the caller's goroutine.
//
// The outcome is that of the loop "for i := range n", whatever the number
// of workers: when ctx is done the error is ctx.Err(); otherwise, when
// items fail, the error is that of the first failing item by input order
// (every item before it has run; no item after it starts once it failed).
// Workers stop taking items as soon as ctx is done or an item failed.
func (d *DB) spread(ctx context.Context, n, limit int, fn func(ctx context.Context, w, i int) error) error {
	if n <= 0 {
		return ctx.Err()
	}
	limit = max(1, min(limit, n))
	var (
		next    atomic.Int64
		stop    atomic.Int64 // items from here on are not started
		mu      sync.Mutex
		errAt   = n
		itemErr error
		wg      sync.WaitGroup
	)
	stop.Store(int64(n))
	work := func(w int) {
		for {
			i := int(next.Add(1) - 1)
			if i >= n || int64(i) >= stop.Load() || ctx.Err() != nil {
				return
			}
			if err := fn(ctx, w, i); err != nil {
				mu.Lock()
				if i < errAt {
					errAt, itemErr = i, err
					stop.Store(int64(i))
				}
				mu.Unlock()
				return
			}
		}
	}
	if d != nil {
		// Take every free slot first, then start the workers: a worker
		// that started early could otherwise finish the items and give
		// its slot back before the next is taken.
		extra := 0
		for 1+extra < limit && d.slots.tryAcquire(d.threads()) {
			extra++
		}
		for w := 1; w <= extra; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				defer d.releaseSlot()
				work(w)
			}(w)
		}
	}
	work(0)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	return itemErr
}

// SetThreads caps the searches d runs at once and the goroutines of its
// long statements (the language's SET threads = n): NEAREST … TO EACH,
// View.SearchBatch and View.RecommendBatch spread over up to n goroutines,
// concurrent queries beyond n wait for a slot, and TRAIN, CREATE INDEX and
// CLUSTER use n goroutines unless told otherwise. 0 restores the default,
// the machine's cores (runtime.GOMAXPROCS).
func (d *DB) SetThreads(n int) error {
	if n < 0 || n > 1024 {
		return invalidf("threads must be between 1 and 1024, got %d", n)
	}
	d.threadsN.Store(int64(n))
	return nil
}

// threads is the number of searches that may run at once and the default
// number of goroutines of TRAIN, CREATE INDEX and CLUSTER: SET threads or
// DB.SetThreads, else the machine's (runtime.GOMAXPROCS).
func (d *DB) threads() int {
	if n := d.threadsN.Load(); n > 0 {
		return int(n)
	}
	return runtime.GOMAXPROCS(0)
}

// RecommendBatch answers many RECOMMEND queries at once (one history per
// user, say), spread over up to threads goroutines (see DB.SetThreads):
// out[i] is View.Recommend(ctx, histories[i], k, opts), and the error, if
// any, is that of the first failing history by input order, wrapped with
// its number ("history 3: ..."), or ctx.Err() when ctx is done.
func (v *View) RecommendBatch(ctx context.Context, histories [][]string, k int, opts RecommendOptions) ([][]Hit, error) {
	if k <= 0 {
		return nil, invalidf("k must be positive, got %d", k)
	}
	ctx, release, err := v.d.hold(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	out := make([][]Hit, len(histories))
	err = v.d.spread(ctx, len(histories), v.d.workers(len(histories)), func(ctx context.Context, _, i int) error {
		hits, err := v.Recommend(ctx, histories[i], k, opts)
		if err != nil {
			return fmt.Errorf("history %d: %w", i+1, err)
		}
		out[i] = hits
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
