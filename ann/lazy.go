package ann

import (
	"errors"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/vecdb/vecdb/internal/vec"
)

// A lazily loaded index (LoadLazy) reads only the meta record when it is
// opened; a node's record (its links and int8 codes) and, unless the
// vectors are shared, its vector are fetched, checked and copied into the
// index's own arrays the first time a search reaches the node, and kept.
// Once every node a workload reaches is filled, searches run exactly as on
// an index from Load: the same arrays, one atomic load more per node.
//
// Fills run under the read lock, from concurrent searches: a per-node flag
// (done) is set with an atomic store after the node's arrays are written,
// and read with an atomic load before they are, so a search sees a node
// either whole or not at all; a striped mutex keeps two searches from
// filling the same node at once.

// ErrLazy is returned by the methods that change an index from LoadLazy:
// such an index only searches. Load the whole graph (Load, LoadShared) to
// change it.
var ErrLazy = errors.New("ann: a lazily loaded index cannot be changed")

// NodeFunc supplies a lazily loaded index with nodes: for each i, node
// ids[i], stored in row rows[i], it sets recs[i] to the node's record (as
// MarshalNode wrote it; the index only reads it during the call) and,
// unless vecs is nil (the vectors are shared), copies the row's vector
// (stored as the index stores vectors: unit length for Cosine) to
// vecs[i*dim:(i+1)*dim]. A search asks for the nodes it is about to reach
// together (the new neighbours of a node), so that one read of the file
// serves them all. It is called concurrently from searches.
type NodeFunc func(ids []uint32, rows []int, vecs []float32, recs [][]byte) error

type lazyGraph struct {
	fetch    NodeFunc
	rowOf    func(id uint32) (int, bool)
	done     []atomic.Uint32 // bit per slot: set once filled
	lk       *stripes
	filled   atomic.Int64
	claimed  atomic.Bool // ClaimFill
	entryRow uint32
	// read, set by LoadLazyInPlace for an Int8 index, supplies the
	// vectors of the candidates a search rescores; x.vecs is nil then.
	read VectorFunc
}

// lazyBuf is a search's buffers for fetching nodes.
type lazyBuf struct {
	slots []uint32
	ids   []uint32
	rows  []int
	vecs  []float32
	recs  [][]byte
}

// LoadLazy opens an index from its meta record alone; searches fill the
// nodes they reach through fetch (see NodeFunc). ids[r] is the id of the
// node stored in row r (rows that are no node are never reached through a
// valid graph), rowOf maps an id back to its row; neither may change while
// the index is used. rows, when not nil, holds every row's vector
// (row r is rows[r*dim:(r+1)*dim], unit length for Cosine) and is used in
// place, as by LoadShared; when nil the index copies each vector it
// reaches through fetch.
//
// A node record that fails the checks Load makes of it (lengths, links to
// rows without a node, levels, int8 codes) is an ErrCorrupt error of the
// search that reaches it (SearchErr); links to nodes that no search
// reaches are not checked: Load (CHECK) verifies the whole graph. The
// index only searches: Insert, Delete, Build and WriteTo return ErrLazy,
// DeleteBatch deletes nothing, and Contains, Vector, MarshalNode and
// TakeDirty see no nodes.
func LoadLazy(meta []byte, ids []uint32, rows []float32, rowOf func(id uint32) (int, bool), fetch NodeFunc) (*Index, error) {
	return loadLazy(meta, ids, rows, rowOf, fetch, nil)
}

// VectorFunc gives an index the vectors it does not hold: it calls each
// with i and the vector of row rows[i] (stored as the index stores
// vectors: unit length for Cosine), for every i in order. The vector is
// only valid during the call, which only computes: it may be the caller's
// memory, read in place. It is called concurrently from searches.
type VectorFunc func(rows []int, each func(i int, v []float32)) error

// LoadLazyInPlace is LoadLazy for a caller that holds no vectors in memory
// (rows nil) but can read them: an Int8 index then keeps no float32
// vectors at all. It walks the graph with the int8 codes alone and, each
// search anew, scores the candidates it rescores on their vectors as read
// gives them. A node's vector still comes through fetch when the node is
// filled, to check its codes against, and is dropped after. A failed read
// is the error of the search (SearchErr). An index without int8 codes,
// which walks with the vectors, copies each vector it reaches as LoadLazy
// does, and never calls read.
func LoadLazyInPlace(meta []byte, ids []uint32, rowOf func(id uint32) (int, bool), fetch NodeFunc, read VectorFunc) (*Index, error) {
	return loadLazy(meta, ids, nil, rowOf, fetch, read)
}

func loadLazy(meta []byte, ids []uint32, rows []float32, rowOf func(id uint32) (int, bool), fetch NodeFunc, read VectorFunc) (*Index, error) {
	m, err := parseMeta(meta)
	if err != nil {
		return nil, fmt.Errorf("ann: load: %w", err)
	}
	n := len(ids)
	if rows != nil && len(rows) != n*m.dim {
		return nil, fmt.Errorf("ann: load: %d shared values are not %d rows of %d", len(rows), n, m.dim)
	}
	if m.count > n {
		return nil, fmt.Errorf("ann: load: %w: %d nodes in meta, %d rows", ErrCorrupt, m.count, n)
	}
	x := New(m.dim, m.cfg)
	x.rng = m.rng
	if !m.cfg.Int8 {
		read = nil
	}
	switch {
	case rows != nil:
		x.vecs = rows[: n*m.dim : n*m.dim]
		x.sharedVecs = true
	case read == nil:
		x.vecs = make([]float32, n*m.dim)
	}
	x.l0 = make([]uint32, n*x.stride)
	x.levels = make([]uint8, n)
	for i := range x.levels {
		x.levels[i] = freeLevel
	}
	x.upper = make([][]uint32, n)
	x.ids = ids[:n:n]
	x.growQuant()
	x.live = m.count
	z := &lazyGraph{fetch: fetch, rowOf: rowOf, done: make([]atomic.Uint32, (n+31)/32), lk: new(stripes), entryRow: noSlot, read: read}
	if m.hasEntry {
		r, ok := rowOf(m.entry)
		if !ok || r < 0 || r >= n || ids[r] != m.entry {
			return nil, fmt.Errorf("ann: load: %w: entry point %d is not a node", ErrCorrupt, m.entry)
		}
		x.entry, x.maxLevel = uint32(r), m.maxLevel
		z.entryRow = uint32(r)
	}
	x.lazy = z
	return x, nil
}

// rescoreRead sets the exact distances of the candidates w from their
// vectors as the lazy index's read function gives them; false (with
// sc.err set) when the read failed.
func (x *Index) rescoreRead(sc *scratch, q []float32, w []cand) bool {
	b := &sc.lz
	b.rows = b.rows[:0]
	for _, c := range w {
		b.rows = append(b.rows, int(c.s))
	}
	bad, badLen := -1, 0
	err := x.lazy.read(b.rows, func(i int, v []float32) {
		if len(v) != x.dim {
			bad, badLen = i, len(v)
			return
		}
		w[i].d = x.dist(q, v)
	})
	if err == nil && bad >= 0 {
		err = fmt.Errorf("node %d: %w: its vector has %d values, want %d", x.ids[w[bad].s], ErrCorrupt, badLen, x.dim)
	}
	if err != nil {
		sc.err = fmt.Errorf("ann: %w", err)
		return false
	}
	return true
}

// Lazy reports whether the index was opened by LoadLazy or LoadInPlace
// (it then only searches).
func (x *Index) Lazy() bool { return x.lazy != nil }

// Filled returns how many nodes a lazily loaded index has filled so far
// (every node for any other index).
func (x *Index) Filled() int {
	if x.lazy == nil || x.inplace {
		return x.Len()
	}
	return int(x.lazy.filled.Load())
}

func (z *lazyGraph) isDone(s uint32) bool {
	return z.done[s/32].Load()&(1<<(s%32)) != 0
}

// ensure fills slot s of a lazy index if it is not yet; false (with
// sc.err set) when that failed.
func (x *Index) ensure(sc *scratch, s uint32) bool {
	if x.lazy.isDone(s) {
		return true
	}
	sc.lz.slots = append(sc.lz.slots[:0], s)
	return x.fillSlots(sc)
}

// ensureMany fills the slots of nb that are not yet, with one fetch.
func (x *Index) ensureMany(sc *scratch, nb []uint32) bool {
	z := x.lazy
	sc.lz.slots = sc.lz.slots[:0]
	for _, s := range nb {
		if !z.isDone(s) {
			sc.lz.slots = append(sc.lz.slots, s)
		}
	}
	return len(sc.lz.slots) == 0 || x.fillSlots(sc)
}

// fillSlots fetches, checks and stores the nodes of sc.lz.slots (two
// searches may fetch a node at once; one stores it).
func (x *Index) fillSlots(sc *scratch) bool {
	if sc.err != nil {
		return false
	}
	z, b := x.lazy, &sc.lz
	n := len(b.slots)
	b.ids, b.rows = b.ids[:0], b.rows[:0]
	for _, s := range b.slots {
		b.ids = append(b.ids, x.ids[s])
		b.rows = append(b.rows, int(s))
	}
	var vecs []float32
	if !x.sharedVecs {
		if cap(b.vecs) < n*x.dim {
			b.vecs = make([]float32, n*x.dim)
		}
		vecs = b.vecs[:n*x.dim]
	}
	if cap(b.recs) < n {
		b.recs = make([][]byte, n)
	}
	recs := b.recs[:n]
	clear(recs)
	if err := z.fetch(b.ids, b.rows, vecs, recs); err != nil {
		sc.err = fmt.Errorf("ann: %w", err)
		return false
	}
	for i, s := range b.slots {
		var v []float32
		if vecs != nil {
			v = vecs[i*x.dim : (i+1)*x.dim]
		}
		if err := x.fillOne(s, v, recs[i]); err != nil {
			sc.err = fmt.Errorf("ann: node %d: %w", x.ids[s], err)
			return false
		}
	}
	clear(recs) // drop the records
	return true
}

// fillOne stores node s from its vector (nil when shared) and record.
func (x *Index) fillOne(s uint32, v []float32, rec []byte) error {
	z := x.lazy
	mu := &z.lk[s%nStripes]
	mu.Lock()
	defer mu.Unlock()
	if z.isDone(s) {
		return nil
	}
	if x.cg != nil {
		// Every node was filled and the graph made compact: this row is
		// no node, yet something linked to it and its fetch succeeded.
		return fmt.Errorf("%w: row %d is no node of the graph", ErrCorrupt, s)
	}
	switch {
	case v == nil:
		v = x.vec(s) // shared
	case x.vecs != nil:
		copy(x.vec(s), v)
	}
	if err := x.fillRecord(s, v, rec); err != nil {
		return err
	}
	// Count the node before marking it done: FillNext skips nodes it sees
	// done, and must find them counted when it checks for the last one
	// (else nobody makes the graph compact).
	z.filled.Add(1)
	z.done[s/32].Or(1 << (s % 32))
	return nil
}

// fillRecord checks v, the vector of slot s, and decodes its record into
// the slot, as the loader does.
func (x *Index) fillRecord(s uint32, v []float32, rec []byte) error {
	z := x.lazy
	if !vec.Finite(v) {
		return fmt.Errorf("%w: vector holds NaN or Inf", ErrCorrupt)
	}
	if x.cfg.Metric == vec.Cosine {
		if n := vec.Norm(v); math.Abs(float64(n)-1) > 1e-4 {
			return fmt.Errorf("%w: vector of norm %g in a cosine index", ErrCorrupt, n)
		}
	}
	r := &reader{b: rec}
	lv := int(r.uvarint("level", uint64(x.maxLevel)))
	if r.err != nil {
		return r.err
	}
	if s == z.entryRow && lv != x.maxLevel {
		return fmt.Errorf("%w: entry point has level %d, top layer is %d", ErrCorrupt, lv, x.maxLevel)
	}
	if lv > 0 {
		x.upper[s] = make([]uint32, lv*(x.cfg.M+1))
	} else {
		x.upper[s] = nil
	}
	for lc := 0; lc <= lv && r.err == nil; lc++ {
		n := int(r.uvarint("link count", uint64(x.maxLinks(lc))))
		b := x.linkBlock(s, lc)
		b[0] = 0
		for i := 0; i < n && r.err == nil; i++ {
			t := r.uvarint("link", math.MaxUint32)
			row, ok := z.rowOf(uint32(t))
			switch {
			case r.err != nil:
			case !ok || row < 0 || row >= len(x.ids):
				r.err = fmt.Errorf("%w: links to missing node %d on layer %d", ErrCorrupt, t, lc)
			case uint32(row) == s:
				r.err = fmt.Errorf("%w: links to itself on layer %d", ErrCorrupt, lc)
			default:
				for _, u := range b[1 : 1+i] {
					if u == uint32(row) {
						r.err = fmt.Errorf("%w: links twice to node %d on layer %d", ErrCorrupt, t, lc)
					}
				}
				b[1+i] = uint32(row)
			}
		}
		b[0] = uint32(n)
	}
	x.readQuant(s, v, r)
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(r.b))
	}
	if r.err != nil {
		return r.err
	}
	x.levels[s] = uint8(lv)
	return nil
}

// lazyLinks is links for a lazy index: it fills s and checks that it has
// layer lc (a link on layer lc to a node of a lower level is corrupt).
func (x *Index) lazyLinks(sc *scratch, s uint32, lc int) []uint32 {
	if !x.ensure(sc, s) {
		return nil
	}
	if int(x.levels[s]) < lc {
		sc.err = fmt.Errorf("ann: node %d: %w: reached on layer %d, has level %d", x.ids[s], ErrCorrupt, lc, x.levels[s])
		return nil
	}
	return x.linksOf(s, lc)
}

// FillNext fills the nodes of a lazily loaded index that are not filled
// yet, in slot (row) order from slot from, fetching up to n of them with
// one call of the index's NodeFunc, as a search would; it returns the slot
// to go on from (Slots when every slot has been visited). Searches may run
// meanwhile: a node is filled once, by whichever gets to it first.
//
// When the fetch of a batch fails, its nodes are fetched one at a time;
// those whose fetch or record fails stay unfilled (a search that reaches
// one reports the error) and FillNext returns the first such error with
// next past the batch: the caller decides whether to go on.
// An index from any other constructor is full: FillNext returns Slots.
//
// The call that reaches the end with every node filled moves the graph to
// the compact layout of a loaded index (compact.go), taking the exclusive
// lock for a moment.
func (x *Index) FillNext(from, n int) (next int, err error) {
	next, err = x.fillNext(from, n)
	if next >= len(x.levels) {
		x.compactFilled()
	}
	return next, err
}

// compactFilled moves the graph of a lazily loaded index whose every node
// is filled to the compact layout: nothing writes the padded one any more
// (fills only write nodes that are not filled), so the copy is made under
// the read lock, beside running searches, and only the swap takes the
// exclusive lock.
func (x *Index) compactFilled() {
	z := x.lazy
	if z == nil || z.filled.Load() != int64(x.live) {
		return
	}
	x.mu.RLock()
	var cg *compactGraph
	if x.cg == nil {
		cg = x.buildCompact()
	}
	x.mu.RUnlock()
	if cg == nil {
		return
	}
	x.mu.Lock()
	if x.cg == nil {
		x.cg, x.l0, x.upper = cg, nil, nil
	}
	x.filledAll = true
	x.mu.Unlock()
}

// filling reports whether searches must check that the nodes they reach
// are filled: a lazily loaded index before every node is (mu held).
func (x *Index) filling() bool { return x.lazy != nil && !x.filledAll }

func (x *Index) fillNext(from, n int) (next int, err error) {
	z := x.lazy
	slots := len(x.levels)
	if z == nil || x.inplace || from >= slots {
		return slots, nil
	}
	from = max(from, 0)
	n = max(n, 1)
	sc := x.getScratch()
	defer func() {
		sc.err = nil
		x.putScratch(sc)
	}()
	x.mu.RLock()
	defer x.mu.RUnlock()
	b := &sc.lz
	b.slots = b.slots[:0]
	next = from
	for ; next < slots && len(b.slots) < n; next++ {
		if !z.isDone(uint32(next)) {
			b.slots = append(b.slots, uint32(next))
		}
	}
	if len(b.slots) == 0 {
		return next, nil
	}
	sc.err = nil
	if x.fillSlots(sc) {
		return next, nil
	}
	// A node of the batch failed: fill them one at a time, past those
	// that fail.
	batch := append([]uint32(nil), b.slots...)
	for _, s := range batch {
		if z.isDone(s) {
			continue
		}
		sc.err = nil
		b.slots = append(b.slots[:0], s)
		if !x.fillSlots(sc) && err == nil {
			err = sc.err
		}
	}
	return next, err
}

// Slots returns the number of slots of the index (filled or not, live or
// deleted): the end of FillNext's range.
func (x *Index) Slots() int { return len(x.levels) }

// ClaimFill reports whether the caller is the first to ask for this lazily
// loaded index: the one that starts filling it in the background. It is
// false for any other index.
func (x *Index) ClaimFill() bool {
	return x.lazy != nil && !x.inplace && x.lazy.claimed.CompareAndSwap(false, true)
}
