package db

import (
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/vecdb/vecdb/ann"
	"github.com/vecdb/vecdb/internal/vec"
	"github.com/vecdb/vecdb/storage"
)

// fileVectors are the search vectors of a View read in place from the
// file's vector blocks (storage/vblock.go) through a pinned read
// transaction (storage/pin.go): opening a collection decodes and copies
// no vector. The keys and counts are read from the blocks too, one row at a
// time (row: the key copied into a new string), until a user needs them
// all (allRows), or many have been read one by one, or the pin is
// released to a write: they are then copied out once, and kept.
//
// The bytes are valid only while the pin is held, so no slice of them
// leaves this type: searches score one block at a time inside span (under
// mu, read-locked, computing only), and SearchVector returns a copy. The DB releases the pin before a write that
// could need a larger memory map, before VACUUM and at Close; evict then
// copies the vectors to the heap (or, at Close, forgets them), with mu
// held for writing so that no search is reading them meanwhile. A view
// that nobody references any more closes its pin when it is collected.
type fileVectors struct {
	mu     sync.RWMutex
	pin    *storage.Pin
	bv     *storage.BlockVectors // nil once evicted
	step   int                   // rows per block of bv
	heap   []float32             // the copy made by evict or materialize
	closed bool                  // evicted at Close: searches fail with ErrClosed

	// keys and counts by position, once copied out of the blocks (by
	// allRows, evict or materialize, with mu held for writing; never
	// changed after): nil until then. rowsIn is set when they are.
	keys   []string
	counts []int64
	rowsIn atomic.Bool
	reads  atomic.Int32 // rows read one at a time (row)

	// The HNSW graph read in place from the collection's graph segment
	// (ann.LoadInPlace over the pin's bytes), once opened: nil when the
	// collection has none (tried: not again). gmu guards it and is held
	// for reading by every search of it, so that an eviction, which drops
	// it, waits for them; it is taken before mu, never after.
	gmu        sync.RWMutex
	graph      *ann.Index
	graphTried bool
}

// rowReadsBeforeCopy is how many keys or counts a view reads from the
// blocks one at a time before it copies them all (a caller walking every
// key through View.Key would otherwise lock and copy for each). A
// variable for tests.
var rowReadsBeforeCopy int32 = 1 << 14

// evict is called by the DB before it releases the view's pin.
func (vd *viewData) evict(keep bool) {
	f := vd.file
	if f == nil {
		return
	}
	// The graph read in place is dropped, kept or not: the next search
	// opens the graph from its records (a view with its vectors copied
	// out no longer has the pin the segment needs).
	f.gmu.Lock()
	f.graph = nil
	f.graphTried = true
	f.gmu.Unlock()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.bv == nil {
		return
	}
	if keep {
		if !f.rowsIn.Load() {
			f.copyRows() // on a fault, keys read as "" from now on
		}
		f.heap = f.copyOut(vd.dim)
	} else {
		f.closed = true
	}
	f.bv = nil
}

// copyOut returns the vectors as one heap slice (mu held).
func (f *fileVectors) copyOut(dim int) []float32 {
	n := 0
	for _, b := range f.bv.Vecs {
		n += len(b)
	}
	out := make([]float32, 0, n)
	for _, b := range f.bv.Vecs {
		out = append(out, b...)
	}
	return out
}

// materialize copies the vectors to the heap for a user that needs them
// past any transaction (the HNSW graph shares them), closes the pin and
// returns the copy.
func (f *fileVectors) materialize(dim int) ([]float32, error) {
	f.gmu.Lock()
	f.graph, f.graphTried = nil, true // it reads the pin that closes
	f.gmu.Unlock()
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil, ErrClosed
	}
	if f.bv == nil {
		f.mu.Unlock()
		return f.heap, nil
	}
	if !f.rowsIn.Load() {
		if err := f.copyRows(); err != nil {
			f.mu.Unlock()
			return nil, err
		}
	}
	var err error
	func() {
		defer faultGuard(&err, debug.SetPanicOnFault(true))
		f.heap = f.copyOut(dim)
	}()
	if err != nil {
		f.mu.Unlock()
		return nil, err
	}
	f.bv = nil
	heap := f.heap
	f.mu.Unlock()
	// Closed after mu is let go: a release of the pin that began meanwhile
	// holds the pin's once while its evict waits for mu.
	f.pin.Close()
	return heap, nil
}

// copyRows copies every key and count out of the blocks (mu held for
// writing, bv set). The keys share one arena, which is never written
// again: one allocation, not one per key.
func (f *fileVectors) copyRows() (err error) {
	defer faultGuard(&err, debug.SetPanicOnFault(true))
	arena := make([]byte, 0, f.bv.KeyBytes())
	n := 0
	for _, nb := range f.bv.Norms {
		n += len(nb)
	}
	keys, counts := make([]string, 0, n), make([]int64, 0, n)
	f.bv.EachRow(func(_ uint32, k []byte, c int64) {
		start := len(arena)
		arena = append(arena, k...)
		keys = append(keys, unsafe.String(unsafe.SliceData(arena[start:]), len(k)))
		counts = append(counts, c)
	})
	f.keys, f.counts = keys, counts
	f.rowsIn.Store(true)
	return nil
}

// allRows returns every key and count by position, copying them out of
// the blocks on first use; nil when they were not copied before the DB
// was closed, or the file no longer backs them.
func (f *fileVectors) allRows() ([]string, []int64) {
	if f.rowsIn.Load() {
		return f.keys, f.counts
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.rowsIn.Load() && f.bv != nil {
		f.copyRows()
	}
	return f.keys, f.counts
}

// row returns the key (when withKey) and count at position i: from the
// copy once made, else read from the block ("" and 0 once the DB is
// closed, or where the file no longer backs them).
func (f *fileVectors) row(i int, withKey bool) (string, int64) {
	if f.rowsIn.Load() {
		return f.keys[i], f.counts[i]
	}
	if f.reads.Add(1) == rowReadsBeforeCopy {
		if keys, counts := f.allRows(); keys != nil {
			return keys[i], counts[i]
		}
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	switch {
	case f.rowsIn.Load(): // copied by an eviction meanwhile
		return f.keys[i], f.counts[i]
	case f.bv == nil:
		return "", 0
	}
	k, c, _ := f.readRow(i, withKey)
	return k, c
}

// readRow reads row i from the blocks (mu held, bv set).
func (f *fileVectors) readRow(i int, withKey bool) (key string, count int64, err error) {
	defer faultGuard(&err, debug.SetPanicOnFault(true))
	k, c := f.bv.Row(uint32(i))
	if withKey {
		key = string(k) // a copy: no string points into the map
	}
	return key, c, nil
}

// vector returns a copy of the search vector at position i (a zero
// vector once the DB is closed).
func (f *fileVectors) vector(i, dim int) []float32 {
	f.mu.RLock()
	defer f.mu.RUnlock()
	out := make([]float32, dim)
	switch {
	case f.bv != nil:
		copy(out, f.bv.Vector(uint32(i)))
	case f.heap != nil:
		copy(out, f.heap[i*dim:(i+1)*dim])
	}
	return out
}

// vectorsInto copies the search vectors at positions pos into dst, one
// after the other: ErrClosed once the DB is closed, ErrCorrupt when the
// file no longer backs them.
func (f *fileVectors) vectorsInto(pos []int, dst []float32) error {
	dim := len(dst) / max(1, len(pos))
	return f.eachVector(pos, dim, func(i int, v []float32) { copy(dst[i*dim:(i+1)*dim], v) })
}

// rescoreAheadBytes is how far ahead of the vector it reads eachVector
// prefetches, in bytes of vectors.
const rescoreAheadBytes = 4800

// eachVector calls fn with i and the search vector at position pos[i],
// for every i in order; the vector is valid only during fn, which must
// only compute (it runs with mu held for reading, as in span). It is
// ErrClosed once the DB is closed, ErrCorrupt when the file no longer
// backs a vector.
func (f *fileVectors) eachVector(pos []int, dim int, fn func(i int, v []float32)) (err error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	switch {
	case f.closed:
		return ErrClosed
	case f.bv == nil:
		for i, p := range pos {
			fn(i, f.heap[p*dim:(p+1)*dim:(p+1)*dim])
		}
		return nil
	}
	defer faultGuard(&err, debug.SetPanicOnFault(true))
	// Ask for the vectors a few ahead of the one read (an int8 search
	// rescores a few dozen scattered ones), so that their cache misses
	// overlap instead of each waiting for the one before. About 4.8 KB
	// ahead (12 vectors at dim 100): asking for all of them at once, or
	// for fewer ahead, measured slower (BENCHMARKS.md).
	ahead := 0
	if len(pos) > 1 {
		ahead = max(2, rescoreAheadBytes/(4*max(1, dim)))
		for _, p := range pos[:min(ahead, len(pos))] {
			vec.PrefetchFloat32s(f.bv.Vector(uint32(p)))
		}
	}
	for i, p := range pos {
		if i+ahead < len(pos) {
			vec.PrefetchFloat32s(f.bv.Vector(uint32(pos[i+ahead])))
		}
		v := f.bv.Vector(uint32(p))
		if len(v) != dim {
			return fmt.Errorf("%w: no vector at position %d", ErrCorrupt, p)
		}
		fn(i, v)
	}
	return nil
}

// span runs fn on rows start … end-1 of the vectors as one slice, valid
// only during fn, for a range that crosses no multiple of the block's rows
// (see step). fn must only compute: it runs with mu held for reading,
// which an eviction waits for, and an eviction may be what a write waits
// for. A read of a page that a damaged (truncated) file no longer backs is
// an ErrCorrupt error, not a crash.
func (f *fileVectors) span(start, end, dim int, fn func(rows []float32)) (err error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	switch {
	case f.closed:
		return ErrClosed
	case f.bv == nil:
		fn(f.heap[start*dim : end*dim])
		return nil
	}
	defer faultGuard(&err, debug.SetPanicOnFault(true))
	r := f.bv.Rows
	s := start % r
	fn(f.bv.Vecs[start/r][s*dim : (s+end-start)*dim])
	return nil
}

// faultGuard turns a memory fault (a page of the map the file no longer
// backs) into an ErrCorrupt error; it restores the previous setting.
func faultGuard(err *error, panicOnFault bool) {
	debug.SetPanicOnFault(panicOnFault)
	if r := recover(); r != nil {
		if e, ok := r.(error); ok && isFault(e) {
			*err = fmt.Errorf("%w: reading vectors in place failed (%v)", ErrCorrupt, r)
			return
		}
		panic(r)
	}
}

// isFault reports whether a recovered error is a memory fault.
func isFault(e error) bool {
	_, ok := e.(interface{ Addr() uintptr })
	return ok
}

// rowStep returns the rows per block of a view that reads its vectors in
// place (a range given to withSpan must not cross a multiple of it), or 0
// for a view that holds them in memory.
func (v *View) rowStep() int {
	if v.file == nil {
		return 0
	}
	return v.file.step
}

// withSpan runs fn on the search vectors of rows start … end-1 (see
// fileVectors.span: fn only computes, and must not keep rows).
func (v *View) withSpan(start, end int, fn func(rows []float32)) error {
	if v.file != nil {
		return v.file.span(start, end, v.dim, fn)
	}
	fn(v.data[start*v.dim : end*v.dim])
	return nil
}

// searchData returns the view's search vectors as one slice in memory,
// copying them out of the file first when the view reads them in place.
func (v *View) searchData() ([]float32, error) {
	if v.file != nil {
		return v.file.materialize(v.dim)
	}
	return v.data, nil
}

// InPlace reports whether the view reads its vectors in place from the
// file (not copied to memory).
func (v *View) InPlace() bool {
	if v.file == nil {
		return false
	}
	v.file.mu.RLock()
	defer v.file.mu.RUnlock()
	return v.file.bv != nil
}

// errGraphGone is searchGraph's answer when the graph read in place was
// dropped (evicted) after the search took it: the caller opens the graph
// again.
var errGraphGone = errors.New("graph read in place was dropped")

// inPlaceGraph returns the view's HNSW graph read in place from the
// collection's graph segment (storage/segment.go), opening it on first
// use inside the view's pin: nil when the collection has no segment, or
// one for another state of its graph (a stale or damaged segment is not
// used: the records are the truth, and CHECK reports the damage), and
// once the pin is released.
func (v *View) inPlaceGraph() *ann.Index {
	f := v.file
	if f == nil {
		return nil
	}
	f.gmu.RLock()
	g, tried := f.graph, f.graphTried
	f.gmu.RUnlock()
	if g != nil || tried {
		return g
	}
	f.gmu.Lock()
	defer f.gmu.Unlock()
	if f.graph != nil || f.graphTried {
		return f.graph
	}
	f.graphTried = true
	f.mu.RLock()
	bv := f.bv
	f.mu.RUnlock()
	if bv == nil {
		return nil
	}
	var idx *ann.Index
	f.pin.View(func(tx *storage.Tx) error {
		c, err := tx.Collection(v.info.Name)
		if err != nil || !v.current(c) {
			return err
		}
		meta := c.IndexMeta()
		seg, err := c.IndexSegment()
		if meta == nil || seg == nil || err != nil {
			return err
		}
		vecs := ann.Vectors{Blocks: bv.Vecs, BlockRows: bv.Rows}
		// The int8 rescoring reads the candidates' vectors in place; the
		// search holds gmu for reading, eachVector takes mu.
		idx, err = ann.LoadInPlace(meta, seg, v.idList(), vecs, func(pos []int, each func(int, []float32)) error {
			return f.eachVector(pos, v.dim, each)
		})
		if err != nil {
			idx = nil
		}
		return nil
	})
	f.graph = idx
	return idx
}

// searchGraph runs fn, a search of g, the graph read in place, with gmu
// held for reading (an eviction waits for it) and memory faults turned
// into ErrCorrupt: errGraphGone when g was dropped since.
func (f *fileVectors) searchGraph(g *ann.Index, fn func() error) (err error) {
	f.gmu.RLock()
	defer f.gmu.RUnlock()
	if f.graph != g {
		return errGraphGone
	}
	defer faultGuard(&err, debug.SetPanicOnFault(true))
	return fn()
}
