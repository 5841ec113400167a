package ann

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/vecdb/vecdb/internal/vec"
)

// Errors returned by the index.
var (
	// ErrDimension is returned when a vector's length differs from the index dimension.
	ErrDimension = errors.New("ann: vector dimension does not match the index")
	// ErrInvalidVector is returned when a vector holds NaN or Inf values.
	ErrInvalidVector = errors.New("ann: vector holds NaN or Inf")
	// ErrNotFound is returned by Delete when the id is not in the index.
	ErrNotFound = errors.New("ann: id not in index")
	// ErrDuplicateID is returned by Build when an id appears twice in its input.
	ErrDuplicateID = errors.New("ann: duplicate id")
	// ErrCorrupt is returned by Load and ReadFrom when the persisted graph is
	// malformed: bad lengths, links to missing nodes, inconsistent levels.
	ErrCorrupt = errors.New("corrupt HNSW index")
)

// Defaults used by New for zero Config fields.
const (
	DefaultM              = 16
	DefaultEfConstruction = 200
	DefaultEfSearch       = 64
)

const (
	noSlot    = math.MaxUint32
	freeLevel = math.MaxUint8 // levels[s] of a free slot
	maxLevels = 30            // hard cap on a node's top layer
)

// Config holds the parameters of an Index. Zero fields take the defaults.
type Config struct {
	// M is the number of links a node keeps on the upper layers; layer 0
	// keeps up to 2*M. Default 16.
	M int
	// EfConstruction is the beam width used while linking a new node.
	// Default 200.
	EfConstruction int
	// EfSearch is the beam width of Search when its ef argument is <= 0.
	// Default 64. Search always uses at least k.
	EfSearch int
	// Metric is the distance: Cosine (vectors are stored unit length and
	// distance is 1-dot), DotProduct (distance -dot) or L2 (squared
	// Euclidean distance).
	Metric vec.Metric
	// Seed seeds the level generator, so that a build is reproducible.
	Seed int64
	// KeepPruned fills a node's links up to the limit with connections that
	// the neighbour-selection heuristic discarded (keepPrunedConnections in
	// the paper). Default false.
	KeepPruned bool
	// Int8 keeps int8 codes of every vector beside it (one scale per
	// vector) and walks the graph with int8 distances at search time; the
	// best candidates are rescored with the float32 vectors (SearchWith).
	// Construction links with float32 distances. Dimensions above 131072
	// cannot be quantized; New panics then.
	Int8 bool
}

func (c Config) withDefaults() Config {
	if c.M <= 0 {
		c.M = DefaultM
	}
	if c.M < 2 {
		c.M = 2
	}
	if c.M > 4096 {
		c.M = 4096
	}
	if c.EfConstruction <= 0 {
		c.EfConstruction = DefaultEfConstruction
	}
	if c.EfConstruction < c.M {
		c.EfConstruction = c.M
	}
	if c.EfSearch <= 0 {
		c.EfSearch = DefaultEfSearch
	}
	if c.Metric > vec.L2 {
		c.Metric = vec.Cosine
	}
	return c
}

// Result is one search hit: the caller's id and its distance to the query
// under the index metric (smaller is closer).
type Result struct {
	ID       uint32
	Distance float32
}

// Index is an HNSW graph over float32 vectors of a fixed dimension.
//
// An Index is safe for concurrent use: it is guarded by a sync.RWMutex, so
// any number of Search, Contains, Vector, Len and Marshal calls run in
// parallel, while Insert, Delete, DeleteBatch, Build and TakeDirty are
// exclusive. Build additionally parallelises internally with per-node
// (striped) locks while it holds the exclusive lock.
type Index struct {
	mu  sync.RWMutex
	dim int
	cfg Config
	ml  float64 // level multiplier 1/ln(M)

	// Per-slot storage. A slot is the internal number of a node; freed slots
	// are reused.
	vecs   []float32  // slot*dim .. slot*dim+dim
	l0     []uint32   // slot*stride: [count, 2M links as slots]
	stride int        // 2M+1
	levels []uint8    // top layer of each slot, freeLevel when free
	upper  [][]uint32 // per slot: level blocks of [count, M links], nil for level 0
	ids    []uint32   // slot -> external id
	dirty  []uint64   // bit per slot: record changed since TakeDirty
	free   []uint32   // free slots

	slotOf []uint32          // dense map external id -> slot+1 (0: absent)
	sparse map[uint32]uint32 // ids too large for slotOf

	deletedDirty map[uint32]struct{} // removed ids not yet taken by TakeDirty

	live     int
	entry    uint32 // noSlot when empty
	maxLevel int
	rng      uint64 // splitmix64 state

	// Parallel build state: non-nil only inside Build with threads > 1.
	lk   *stripes
	epMu sync.Mutex

	pool sync.Pool // *scratch

	// int8 codes (Config.Int8): codes holds dim codes per slot, qscale
	// the scale and qnorm (L2 only; nil otherwise) the squared norm of the
	// float32 vector per slot.
	codes  []int8
	qscale []float32
	qnorm  []float32

	// sharedVecs is set by LoadShared while vecs is the caller's memory:
	// nothing may write into it then, so the first write copies it.
	sharedVecs bool

	// lazy is set by LoadLazy: nodes are filled on first use (lazy.go).
	lazy *lazyGraph
	// filledAll is set (under mu held for writing) once a lazily loaded
	// index has every node filled and compact: searches then take the
	// paths of a loaded index, without a fill check per node.
	filledAll bool

	// cg is the compact read-only graph of a loaded index (compact.go);
	// l0 and upper are nil while it is set. identity is set when every
	// node's id is its slot: ids, slotOf and sparse are nil then.
	cg       *compactGraph
	identity bool

	// inplace is set by LoadInPlace (segment.go): the graph and codes are
	// the caller's bytes, checked as searches read them (mappedLinks);
	// segMapped and segHeap are the bytes used in place and copied.
	// vblk, when set, holds the float32 vectors in blocks of 1<<vshift
	// rows (Vectors.Blocks); vecs is nil then.
	inplace   bool
	segMapped int64
	segHeap   int64
	vblk      [][]float32
	vshift    uint
}

const nStripes = 4096

type stripes [nStripes]sync.Mutex

// New returns an empty index for vectors of length dim. Zero Config fields
// take their defaults (M 16, EfConstruction 200, EfSearch 64, Cosine).
// dim must be positive; New panics otherwise since that is a programming
// error, not an input error.
func New(dim int, cfg Config) *Index {
	if dim <= 0 {
		panic(fmt.Sprintf("ann: New with dimension %d", dim))
	}
	if cfg.Int8 && dim > maxInt8Dim {
		panic(fmt.Sprintf("ann: int8 quantization of dimension %d (max %d)", dim, maxInt8Dim))
	}
	cfg = cfg.withDefaults()
	x := &Index{
		dim:          dim,
		cfg:          cfg,
		ml:           1 / math.Log(float64(cfg.M)),
		stride:       2*cfg.M + 1,
		entry:        noSlot,
		rng:          uint64(cfg.Seed) ^ 0x9e3779b97f4a7c15,
		deletedDirty: make(map[uint32]struct{}),
	}
	return x
}

// Config returns the index parameters, defaults filled in.
func (x *Index) Config() Config { return x.cfg }

// Dim returns the vector dimension.
func (x *Index) Dim() int { return x.dim }

// Len returns the number of vectors in the index.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.live
}

// DeletedFraction is always 0: Delete removes nodes at once and repairs
// their neighbours, so the index keeps no tombstones. It exists so callers
// that report tombstones need not special-case this index.
func (x *Index) DeletedFraction() float64 { return 0 }

// Contains reports whether id is in the index.
func (x *Index) Contains(id uint32) bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	_, ok := x.lookup(id)
	return ok
}

// Vector returns a copy of the stored vector of id (unit length for
// Cosine), or nil when id is absent.
func (x *Index) Vector(id uint32) []float32 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	s, ok := x.lookup(id)
	if !ok {
		return nil
	}
	return append([]float32(nil), x.vec(s)...)
}

func (x *Index) lookup(id uint32) (uint32, bool) {
	if x.identity {
		return id, int64(id) < int64(len(x.levels)) && x.levels[id] != freeLevel
	}
	if int64(id) < int64(len(x.slotOf)) {
		if v := x.slotOf[id]; v != 0 {
			return v - 1, true
		}
	}
	if x.sparse != nil {
		s, ok := x.sparse[id]
		return s, ok
	}
	return 0, false
}

func (x *Index) setSlotOf(id, s uint32) {
	if int64(id) < int64(len(x.slotOf)) {
		x.slotOf[id] = s + 1
		return
	}
	// Grow the dense table when the id is close to the ids seen so far.
	if limit := 2*int64(len(x.slotOf)) + 1<<16; int64(id) < limit {
		n := int64(id) + 1
		if c := int64(len(x.slotOf)) * 5 / 4; c > n {
			n = c
		}
		if n > limit {
			n = limit
		}
		grown := make([]uint32, n)
		copy(grown, x.slotOf)
		x.slotOf = grown
		if x.sparse != nil {
			delete(x.sparse, id)
		}
		x.slotOf[id] = s + 1
		return
	}
	if x.sparse == nil {
		x.sparse = make(map[uint32]uint32)
	}
	x.sparse[id] = s
}

func (x *Index) clearSlotOf(id uint32) {
	if int64(id) < int64(len(x.slotOf)) {
		x.slotOf[id] = 0
	}
	if x.sparse != nil {
		delete(x.sparse, id)
	}
}

func (x *Index) vec(s uint32) []float32 {
	if x.vblk != nil {
		return x.blockVec(s)
	}
	i := int(s) * x.dim
	return x.vecs[i : i+x.dim : i+x.dim]
}

// dist is the index distance between a and b: smaller is closer.
func (x *Index) dist(a, b []float32) float32 {
	switch x.cfg.Metric {
	case vec.L2:
		return vec.L2Sq(a, b)
	case vec.DotProduct:
		return -vec.Dot(a, b)
	default:
		return 1 - vec.Dot(a, b)
	}
}

// maxLinks is the link limit of layer lc: 2M on layer 0, M above.
func (x *Index) maxLinks(lc int) int {
	if lc == 0 {
		return 2 * x.cfg.M
	}
	return x.cfg.M
}

// linkBlock returns the [count, links...] block of slot s on layer lc.
func (x *Index) linkBlock(s uint32, lc int) []uint32 {
	if lc == 0 {
		i := int(s) * x.stride
		return x.l0[i : i+x.stride : i+x.stride]
	}
	m := x.cfg.M + 1
	off := (lc - 1) * m
	return x.upper[s][off : off+m : off+m]
}

// linksOf returns the live links of slot s on layer lc, from either layout
// (compact.go). Outside a parallel build the result aliases the graph; it
// is written only in the padded layout.
func (x *Index) linksOf(s uint32, lc int) []uint32 {
	if c := x.cg; c != nil {
		if lc == 0 {
			a, b := c.off0[s], c.off0[s+1]
			return c.l0[a:b:b]
		}
		return c.links(s, lc)
	}
	b := x.linkBlock(s, lc)
	return b[1 : 1+b[0]]
}

func (x *Index) lockNode(s uint32) {
	if x.lk != nil {
		x.lk[s%nStripes].Lock()
	}
}

func (x *Index) unlockNode(s uint32) {
	if x.lk != nil {
		x.lk[s%nStripes].Unlock()
	}
}

func (x *Index) markDirty(s uint32) {
	atomic.OrUint64(&x.dirty[s/64], 1<<(s%64))
}

func (x *Index) randomLevel() int {
	x.rng += 0x9e3779b97f4a7c15
	z := x.rng
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	u := (float64(z>>11) + 1) / (1 << 53) // (0, 1]
	l := int(-math.Log(u) * x.ml)
	if l > maxLevels {
		l = maxLevels
	}
	return l
}

// prepare copies v into a fresh buffer, checks it and normalises it for
// Cosine.
func (x *Index) prepare(dst, v []float32) error {
	if err := x.check1(v); err != nil {
		return err
	}
	copy(dst, v)
	if x.cfg.Metric == vec.Cosine {
		normalize(dst)
	}
	return nil
}

// check1 checks the length and values of an input vector.
func (x *Index) check1(v []float32) error {
	if len(v) != x.dim {
		return fmt.Errorf("%w: got %d values, want %d", ErrDimension, len(v), x.dim)
	}
	if !vec.Finite(v) {
		return ErrInvalidVector
	}
	return nil
}

// normalize scales a to unit length unless it already is (within 1e-6) or
// is zero, so that normalising a stored vector again is the identity.
func normalize(a []float32) {
	n := vec.Norm(a)
	if n > 0 && math.Abs(float64(n)-1) > 1e-6 {
		vec.Scale(1/n, a)
	}
}

// allocSlot takes a slot for id with the given level and returns it. The
// caller fills the vector.
func (x *Index) allocSlot(id uint32, level int) uint32 {
	var s uint32
	if n := len(x.free); n > 0 {
		x.ownVecs()
		s = x.free[n-1]
		x.free = x.free[:n-1]
	} else {
		s = uint32(len(x.levels))
		x.vecs = append(x.vecs, make([]float32, x.dim)...) // cap == len when shared: a copy
		x.sharedVecs = false
		x.l0 = append(x.l0, make([]uint32, x.stride)...)
		x.levels = append(x.levels, 0)
		x.upper = append(x.upper, nil)
		x.ids = append(x.ids, 0)
		if int(s/64) >= len(x.dirty) {
			x.dirty = append(x.dirty, 0)
		}
		x.growQuant()
	}
	x.levels[s] = uint8(level)
	x.ids[s] = id
	x.l0[int(s)*x.stride] = 0
	if level > 0 {
		x.upper[s] = make([]uint32, level*(x.cfg.M+1))
	} else {
		x.upper[s] = nil
	}
	x.setSlotOf(id, s)
	delete(x.deletedDirty, id)
	x.live++
	x.markDirty(s)
	return s
}

// reserve grows the per-slot arrays so that n more slots fit without
// reallocation.
func (x *Index) reserve(n int) {
	n -= len(x.free)
	if n <= 0 {
		return
	}
	total := len(x.levels) + n
	if cap(x.levels) < total {
		x.vecs = append(make([]float32, 0, total*x.dim), x.vecs...)
		x.sharedVecs = false
		x.l0 = append(make([]uint32, 0, total*x.stride), x.l0...)
		x.levels = append(make([]uint8, 0, total), x.levels...)
		x.upper = append(make([][]uint32, 0, total), x.upper...)
		x.ids = append(make([]uint32, 0, total), x.ids...)
	}
	x.reserveQuant(total)
	if need := (total + 63) / 64; need > len(x.dirty) {
		x.dirty = append(x.dirty, make([]uint64, need-len(x.dirty))...)
	}
}

// ownVecs copies the vectors when they are still the memory that
// LoadShared was given, before the index writes into them.
func (x *Index) ownVecs() {
	if x.sharedVecs {
		x.vecs = append(make([]float32, 0, cap(x.vecs)), x.vecs...)
		x.sharedVecs = false
	}
}

// MemoryBytes estimates the heap bytes the index holds: vectors, links,
// per-node bookkeeping and the id tables (capacities, not lengths). Vectors
// still shared with the caller of LoadShared or LoadLazy, and those an
// index reads in place (LoadLazyInPlace), are not counted; the ids a
// lazily loaded index shares with its caller are.
func (x *Index) MemoryBytes() int64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	vecBytes := int64(cap(x.vecs)) * 4
	if x.sharedVecs {
		vecBytes = 0
	}
	n := vecBytes + int64(cap(x.l0))*4 + int64(cap(x.levels)) +
		int64(cap(x.upper))*24 + int64(cap(x.ids))*4 + int64(cap(x.dirty))*8 +
		int64(cap(x.free))*4 + int64(cap(x.slotOf))*4 + int64(len(x.sparse))*16 +
		int64(cap(x.codes)) + int64(cap(x.qscale))*4 + int64(cap(x.qnorm))*4
	if x.inplace {
		// The segment's arrays are the caller's memory, except those
		// copied because they were not aligned.
		n = x.segHeap
		if !x.sharedVecs {
			n += int64(cap(x.vecs)) * 4
		}
		return n
	} else if x.cg != nil {
		n += x.cg.bytes()
	}
	if x.lazy != nil {
		n += int64(len(x.lazy.done)) * 4
	}
	for _, u := range x.upper {
		n += int64(cap(u)) * 4
	}
	return n
}
