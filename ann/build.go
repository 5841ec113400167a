package ann

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// Build inserts many vectors at once, linking them from threads goroutines
// (threads <= 1 links them on the calling goroutine). ids[i] names
// vecs[i]; ids already in the index are replaced, and an id given twice is
// ErrDuplicateID. Every vector is checked before the index is touched, so a
// bad vector leaves the index unchanged.
//
// Build holds the exclusive lock for its whole run; inside it the workers
// share the graph with per-node locks (striped over 4096 mutexes), as
// hnswlib does. The level of each node is drawn before linking, so the
// levels are reproducible from Config.Seed, but with threads > 1 the links
// depend on scheduling.
//
// ctx is checked about every 1000 inserts. When it is cancelled Build
// returns ctx.Err() and leaves the index partially built: the caller must
// discard it. progress, when not nil, is called about every 1000 inserts and
// once at the end with the number of vectors linked so far; calls are
// serialised but may come from any worker goroutine.
func (x *Index) Build(ctx context.Context, ids []uint32, vecs [][]float32, threads int, progress func(done, total int)) error {
	if x.lazy != nil {
		return ErrLazy
	}
	if len(ids) != len(vecs) {
		return fmt.Errorf("ann: build: %d ids for %d vectors", len(ids), len(vecs))
	}
	seen := make(map[uint32]struct{}, len(ids))
	for i, id := range ids {
		if _, dup := seen[id]; dup {
			return fmt.Errorf("%w: %d", ErrDuplicateID, id)
		}
		seen[id] = struct{}{}
		if err := x.check1(vecs[i]); err != nil {
			return fmt.Errorf("ann: build: id %d: %w", id, err)
		}
	}
	seen = nil
	if err := ctx.Err(); err != nil {
		return err
	}

	x.mu.Lock()
	defer x.mu.Unlock()
	x.mutable()

	var existing []uint32
	for _, id := range ids {
		if s, ok := x.lookup(id); ok {
			existing = append(existing, s)
		}
	}
	x.removeSlots(existing)

	x.reserve(len(ids))
	slots := make([]uint32, len(ids))
	for i, id := range ids {
		s := x.allocSlot(id, x.randomLevel())
		_ = x.prepare(x.vec(s), vecs[i]) // checked above
		x.quantizeSlot(s)
		slots[i] = s
	}

	total := len(slots)
	var done atomic.Int64
	var progMu sync.Mutex
	report := func(n int) {
		if progress != nil {
			progMu.Lock()
			progress(n, total)
			progMu.Unlock()
		}
	}

	start := 0
	if x.entry == noSlot && total > 0 {
		sc := x.getScratch()
		x.linkNode(sc, slots[0])
		x.putScratch(sc)
		start = 1
		done.Add(1)
	}

	if threads <= 1 || total-start < 2*threads {
		sc := x.getScratch()
		defer x.putScratch(sc)
		for i := start; i < total; i++ {
			if i%1000 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				if i > 0 {
					report(i)
				}
			}
			x.linkNode(sc, slots[i])
		}
		report(total)
		return nil
	}

	x.lk = new(stripes)
	defer func() { x.lk = nil }()
	var next atomic.Int64
	next.Store(int64(start))
	var failed atomic.Bool
	var wg sync.WaitGroup
	for t := 0; t < threads; t++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := &scratch{}
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= total {
					return
				}
				if i%1000 == 0 && ctx.Err() != nil {
					failed.Store(true)
					return
				}
				x.linkNode(sc, slots[i])
				if n := done.Add(1); n%1000 == 0 {
					report(int(n))
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil && failed.Load() {
		return err
	}
	report(total)
	return nil
}
