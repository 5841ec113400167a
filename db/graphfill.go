package db

import (
	"errors"
	"runtime"
	"time"

	"github.com/vecdb/vecdb/ann"
)

// The background fill of a lazily opened HNSW graph (see loadedIndex).
// After the first search through such a graph, one goroutine fills the
// rest of it in id (row) order, fillBatch nodes a step: each step reads
// its records in one short read transaction (storage.NodeReader) and
// copies the vectors out of the view, as a search filling a node does, so
// no transaction is held across steps (a write that remaps the file waits
// one step at most). Between steps it yields, and it waits while every
// search slot (threads) is busy, so that queries keep their latency. A
// process that goes on querying thus ends with the whole graph in memory
// for about the cost of loading it whole, while opening and the first
// query stay fast.
//
// The fill stops when the graph is replaced (a write, a new index, a bulk
// load: setIdx), when the collection is dropped, when the file is no longer
// in the graph's state (storage.ErrStale), when SET graph_fill = false,
// and at Close, which waits for it. A damaged node is left unfilled: the
// search that reaches it reports ErrCorrupt, as without the fill.
// Options.NoGraphFill or SET graph_fill = false turn it off: the graph then
// holds only the nodes searches reached.

// fillBatch is how many nodes one step of the fill reads (a variable for
// tests).
var fillBatch = 256

// fillStepHook, set only by tests, runs before every step of a fill, with
// the fill's stop and quit channels, so that a hook that holds the fill
// back is ended by whatever ends the fill (a write, a drop, Close).
var fillStepHook func(stop, quit <-chan struct{})

// graphFill is a running background fill.
type graphFill struct {
	idx  *ann.Index
	stop chan struct{} // closed to stop it
	done chan struct{} // closed when it has stopped
}

func (f *graphFill) halt() {
	select {
	case <-f.stop:
	default:
		close(f.stop)
	}
}

// setIdx records idx as the graph of the collection in state at, stopping
// the fill of the graph it replaces; idxMu held.
func (s *collState) setIdx(idx *ann.Index, at collVersion) {
	if s.fill != nil && s.fill.idx != idx {
		s.fill.halt()
		s.fill = nil
	}
	s.idx, s.idxAt = idx, at
}

// stopFill stops the collection's fill, if any (the collection is gone).
func (s *collState) stopFill() {
	s.idxMu.Lock()
	if s.fill != nil {
		s.fill.halt()
		s.fill = nil
	}
	s.idxMu.Unlock()
}

// graphFillOn reports whether lazily opened graphs are filled in the
// background (Options.NoGraphFill, SET graph_fill).
func (d *DB) graphFillOn() bool {
	return !d.noFill.Load()
}

// startFill starts filling idx, the lazily opened graph of s that a search
// has just used, unless the fill is off or already started.
func (d *DB) startFill(s *collState, idx *ann.Index) {
	if !idx.Lazy() || !d.graphFillOn() || !idx.ClaimFill() {
		return
	}
	s.idxMu.Lock()
	defer s.idxMu.Unlock()
	if s.idx != idx {
		return // replaced meanwhile
	}
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	if d.fillQuit == nil {
		d.fillQuit = make(chan struct{})
	}
	quit := d.fillQuit
	d.fills.Add(1)
	d.mu.Unlock()
	f := &graphFill{idx: idx, stop: make(chan struct{}), done: make(chan struct{})}
	s.fill = f
	go d.runFill(f, quit)
}

func (d *DB) runFill(f *graphFill, quit <-chan struct{}) {
	defer d.fills.Done()
	defer close(f.done)
	for next := 0; next < f.idx.Slots(); {
		runtime.Gosched()
		// Queries first: wait (a while) as long as they use every slot.
		for i := 0; i < 100 && d.slots.inUse() >= d.threads(); i++ {
			time.Sleep(time.Millisecond)
		}
		if h := fillStepHook; h != nil {
			h(f.stop, quit)
		}
		select {
		case <-f.stop:
			return
		case <-quit:
			return
		default:
		}
		if !d.graphFillOn() {
			return
		}
		var err error
		next, err = f.idx.FillNext(next, fillBatch)
		if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ann.ErrCorrupt) {
			return // stale, closed: the graph is done with
		}
	}
}

// stopFills stops every fill and waits for them (Close).
func (d *DB) stopFills() {
	d.mu.Lock()
	if d.fillQuit != nil {
		close(d.fillQuit)
	}
	d.mu.Unlock()
	d.fills.Wait()
}
