package ann

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/vecdb/vecdb/internal/vec"
)

const (
	metaMagic    = "HNSW"
	metaVersion  = 1
	streamMagic  = "vecdb-hnsw\x00\x01"
	maxRecordLen = 1 << 20
	maxMetaLen   = 1 << 12
)

// MarshalNode returns the persistent record of id, or nil when id is not in
// the index. The record is compact: uvarint level, then for each layer 0 to
// level a uvarint count and that many uvarint external ids, in link order.
func (x *Index) MarshalNode(id uint32) []byte {
	x.mu.RLock()
	defer x.mu.RUnlock()
	s, ok := x.lookup(id)
	if !ok {
		return nil
	}
	return x.marshalNodeLocked(s)
}

// TakeDirty returns, ascending, the ids whose records changed since the
// previous call (inserted, relinked or deleted) and forgets them. A storage
// layer rewrites the record of each returned id that Contains reports, and
// deletes the record of the others; with MarshalMeta written alongside, the
// stored records then match the index. TakeDirty takes the exclusive lock.
func (x *Index) TakeDirty() []uint32 {
	x.mu.Lock()
	defer x.mu.Unlock()
	var out []uint32
	for w, bits := range x.dirty {
		for bits != 0 {
			b := uint32(w*64) + uint32(trailingZeros(bits))
			bits &= bits - 1
			if x.levels[b] != freeLevel {
				out = append(out, x.idOf(b))
			}
		}
	}
	clear(x.dirty)
	for id := range x.deletedDirty {
		out = append(out, id)
	}
	clear(x.deletedDirty)
	slices.Sort(out)
	return slices.Compact(out)
}

func trailingZeros(v uint64) int {
	n := 0
	for v&1 == 0 {
		v >>= 1
		n++
	}
	return n
}

// MarshalMeta returns the index-wide record: format version, dimension,
// configuration, level-generator state, node count, entry point and top
// layer. It changes on every Insert, Delete and Build, so store it with the
// dirty node records.
func (x *Index) MarshalMeta() []byte {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.marshalMeta()
}

func (x *Index) marshalMeta() []byte {
	b := []byte(metaMagic)
	b = append(b, metaVersion)
	b = binary.AppendUvarint(b, uint64(x.dim))
	b = binary.AppendUvarint(b, uint64(x.cfg.M))
	b = binary.AppendUvarint(b, uint64(x.cfg.EfConstruction))
	b = binary.AppendUvarint(b, uint64(x.cfg.EfSearch))
	b = append(b, byte(x.cfg.Metric))
	var flags byte
	if x.cfg.KeepPruned {
		flags |= 1
	}
	if x.cfg.Int8 {
		flags |= 2
	}
	b = append(b, flags)
	b = binary.AppendVarint(b, x.cfg.Seed)
	b = binary.LittleEndian.AppendUint64(b, x.rng)
	b = binary.AppendUvarint(b, uint64(x.live))
	if x.entry == noSlot {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		b = binary.AppendUvarint(b, uint64(x.idOf(x.entry)))
		b = binary.AppendUvarint(b, uint64(x.maxLevel))
	}
	return b
}

// reader decodes varints from a byte slice, remembering the first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint(what string, max uint64) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = fmt.Errorf("%w: truncated %s", ErrCorrupt, what)
		return 0
	}
	r.b = r.b[n:]
	if v > max {
		r.err = fmt.Errorf("%w: %s %d out of range (max %d)", ErrCorrupt, what, v, max)
		return 0
	}
	return v
}

func (r *reader) byte1(what string) byte {
	if r.err != nil {
		return 0
	}
	if len(r.b) == 0 {
		r.err = fmt.Errorf("%w: truncated %s", ErrCorrupt, what)
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

type meta struct {
	dim      int
	cfg      Config
	rng      uint64
	count    int
	hasEntry bool
	entry    uint32
	maxLevel int
}

func parseMeta(b []byte) (meta, error) {
	var m meta
	if len(b) < len(metaMagic)+1 || string(b[:len(metaMagic)]) != metaMagic {
		return m, fmt.Errorf("%w: meta record has no HNSW header", ErrCorrupt)
	}
	if v := b[len(metaMagic)]; v != metaVersion {
		return m, fmt.Errorf("%w: meta version %d, want %d", ErrCorrupt, v, metaVersion)
	}
	r := &reader{b: b[len(metaMagic)+1:]}
	m.dim = int(r.uvarint("dimension", 1<<20))
	m.cfg.M = int(r.uvarint("M", 4096))
	m.cfg.EfConstruction = int(r.uvarint("ef_construction", 1<<20))
	m.cfg.EfSearch = int(r.uvarint("ef_search", 1<<20))
	m.cfg.Metric = vec.Metric(r.byte1("metric"))
	flags := r.byte1("flags")
	m.cfg.KeepPruned = flags&1 != 0
	m.cfg.Int8 = flags&2 != 0
	if r.err == nil {
		v, n := binary.Varint(r.b)
		if n <= 0 {
			r.err = fmt.Errorf("%w: truncated seed", ErrCorrupt)
		} else {
			m.cfg.Seed = v
			r.b = r.b[n:]
		}
	}
	if r.err == nil {
		if len(r.b) < 8 {
			r.err = fmt.Errorf("%w: truncated generator state", ErrCorrupt)
		} else {
			m.rng = binary.LittleEndian.Uint64(r.b)
			r.b = r.b[8:]
		}
	}
	m.count = int(r.uvarint("node count", math.MaxUint32))
	m.hasEntry = r.byte1("entry flag") == 1
	if m.hasEntry {
		m.entry = uint32(r.uvarint("entry point", math.MaxUint32))
		m.maxLevel = int(r.uvarint("top layer", maxLevels))
	}
	if r.err != nil {
		return m, r.err
	}
	switch {
	case len(r.b) != 0:
		return m, fmt.Errorf("%w: %d trailing bytes in meta record", ErrCorrupt, len(r.b))
	case m.dim == 0:
		return m, fmt.Errorf("%w: dimension 0", ErrCorrupt)
	case m.cfg.M < 2:
		return m, fmt.Errorf("%w: M %d", ErrCorrupt, m.cfg.M)
	case m.cfg.EfConstruction == 0 || m.cfg.EfSearch == 0:
		return m, fmt.Errorf("%w: ef 0", ErrCorrupt)
	case m.cfg.Int8 && m.dim > maxInt8Dim:
		return m, fmt.Errorf("%w: int8 codes for dimension %d", ErrCorrupt, m.dim)
	case m.cfg.Metric > vec.L2:
		return m, fmt.Errorf("%w: unknown metric %d", ErrCorrupt, m.cfg.Metric)
	case flags&^3 != 0:
		return m, fmt.Errorf("%w: unknown flags %#x", ErrCorrupt, flags)
	case m.hasEntry != (m.count > 0):
		return m, fmt.Errorf("%w: %d nodes but entry point flag %v", ErrCorrupt, m.count, m.hasEntry)
	}
	return m, nil
}

// loader rebuilds an index from records without running construction.
type loader struct {
	x    *Index
	meta meta
	// rowOf is set by LoadShared: node id -> row of the shared vectors,
	// which is its slot.
	rowOf func(id uint32) (int, bool)
}

func newLoader(metaRec []byte) (*loader, error) {
	m, err := parseMeta(metaRec)
	if err != nil {
		return nil, err
	}
	x := New(m.dim, m.cfg)
	x.rng = m.rng
	x.reserve(min(m.count, (1<<22)/(m.dim+x.stride)))
	return &loader{x: x, meta: m}, nil
}

// add decodes one node record; links stay external ids until finish.
func (l *loader) add(id uint32, v []float32, rec []byte) error {
	x := l.x
	if _, dup := x.lookup(id); dup {
		return fmt.Errorf("%w: node %d appears twice", ErrCorrupt, id)
	}
	if x.live >= l.meta.count {
		return fmt.Errorf("%w: more node records than the %d in meta", ErrCorrupt, l.meta.count)
	}
	if l.rowOf == nil && len(v) != x.dim {
		return fmt.Errorf("%w: node %d: vector has %d values, want %d", ErrCorrupt, id, len(v), x.dim)
	}
	if l.rowOf == nil && !vec.Finite(v) {
		return fmt.Errorf("%w: node %d: vector holds NaN or Inf", ErrCorrupt, id)
	}
	r := &reader{b: rec}
	lv := int(r.uvarint("level", uint64(l.meta.maxLevel)))
	if r.err != nil {
		return fmt.Errorf("node %d: %w", id, r.err)
	}
	if l.rowOf != nil {
		return l.addShared(id, lv, r)
	}
	if len(x.free) == 0 && len(x.levels) == cap(x.levels) {
		// Grow by doubling, never past the count in meta: a large graph
		// is not copied a dozen times by append's 1.25x growth, and a
		// corrupt count cannot make Load reserve more than twice what the
		// records hold.
		x.reserve(min(l.meta.count-x.live, max(len(x.levels), 1024)))
	}
	s := x.allocSlot(id, lv)
	copy(x.vec(s), v)
	if x.cfg.Metric == vec.Cosine {
		normalize(x.vec(s))
	}
	return l.links(id, s, lv, r)
}

// links decodes the link lists of slot s from the rest of its record.
func (l *loader) links(id, s uint32, lv int, r *reader) error {
	x := l.x
	for lc := 0; lc <= lv; lc++ {
		n := int(r.uvarint("link count", uint64(x.maxLinks(lc))))
		b := x.linkBlock(s, lc)
		b[0] = uint32(n)
		for i := 0; i < n; i++ {
			b[1+i] = uint32(r.uvarint("link", math.MaxUint32))
		}
	}
	x.readQuant(s, x.vec(s), r)
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(r.b))
	}
	if r.err != nil {
		return fmt.Errorf("node %d: %w", id, r.err)
	}
	return nil
}

// addShared places node id in the slot of its row of the shared vectors.
func (l *loader) addShared(id uint32, lv int, r *reader) error {
	x := l.x
	row, ok := l.rowOf(id)
	if !ok || row < 0 || row >= len(x.levels) {
		return fmt.Errorf("%w: node %d has no vector", ErrCorrupt, id)
	}
	s := uint32(row)
	if x.levels[s] != freeLevel {
		return fmt.Errorf("%w: nodes %d and %d share row %d", ErrCorrupt, x.ids[s], id, row)
	}
	v := x.vec(s)
	if !vec.Finite(v) {
		return fmt.Errorf("%w: node %d: vector holds NaN or Inf", ErrCorrupt, id)
	}
	if x.cfg.Metric == vec.Cosine {
		// Stored unit length; rows that are not are not what the graph was
		// built on.
		if n := vec.Norm(v); math.Abs(float64(n)-1) > 1e-4 {
			return fmt.Errorf("%w: node %d: vector of norm %g in a cosine index", ErrCorrupt, id, n)
		}
	}
	x.levels[s] = uint8(lv)
	x.ids[s] = id
	if lv > 0 {
		x.upper[s] = make([]uint32, lv*(x.cfg.M+1))
	}
	x.setSlotOf(id, s)
	x.live++
	return l.links(id, s, lv, r)
}

// finish resolves links to slots and validates the graph.
func (l *loader) finish() (*Index, error) {
	x := l.x
	if x.live != l.meta.count {
		return nil, fmt.Errorf("%w: %d node records, meta says %d", ErrCorrupt, x.live, l.meta.count)
	}
	if l.rowOf != nil {
		// Rows without a node are free slots.
		for s := len(x.levels) - 1; s >= 0; s-- {
			if x.levels[s] == freeLevel {
				x.free = append(x.free, uint32(s))
			}
		}
	}
	// seen[t] == mark when t is already a link of the current list: the
	// duplicate check is linear in the list, not quadratic.
	seen := make([]uint32, len(x.levels))
	mark := uint32(0)
	for u := range x.levels {
		su := uint32(u)
		if x.levels[u] == freeLevel {
			continue
		}
		for lc := 0; lc <= int(x.levels[u]); lc++ {
			links := x.linksOf(su, lc)
			if mark++; mark == 0 {
				clear(seen)
				mark = 1
			}
			for i, id := range links {
				t, ok := x.lookup(id)
				switch {
				case !ok:
					return nil, fmt.Errorf("%w: node %d links to missing node %d on layer %d", ErrCorrupt, x.ids[u], id, lc)
				case t == su:
					return nil, fmt.Errorf("%w: node %d links to itself on layer %d", ErrCorrupt, id, lc)
				case int(x.levels[t]) < lc:
					return nil, fmt.Errorf("%w: node %d links on layer %d to node %d of level %d", ErrCorrupt, x.ids[u], lc, id, x.levels[t])
				}
				if seen[t] == mark {
					return nil, fmt.Errorf("%w: node %d links twice to node %d on layer %d", ErrCorrupt, x.ids[u], id, lc)
				}
				seen[t] = mark
				links[i] = t
			}
		}
	}
	if l.meta.hasEntry {
		e, ok := x.lookup(l.meta.entry)
		if !ok {
			return nil, fmt.Errorf("%w: entry point %d is not a node", ErrCorrupt, l.meta.entry)
		}
		x.entry, x.maxLevel = e, l.meta.maxLevel
		for u, lv := range x.levels {
			if lv != freeLevel && int(lv) > x.maxLevel {
				return nil, fmt.Errorf("%w: node %d has level %d above the top layer %d", ErrCorrupt, x.ids[u], lv, x.maxLevel)
			}
		}
		if int(x.levels[e]) != x.maxLevel {
			return nil, fmt.Errorf("%w: entry point %d has level %d, top layer is %d", ErrCorrupt, l.meta.entry, x.levels[e], x.maxLevel)
		}
	}
	clear(x.dirty)
	x.trim()
	x.compact()
	return x, nil
}

// trim drops the spare capacity that growing by append left behind.
func (x *Index) trim() {
	x.vecs = trimSlice(x.vecs)
	x.l0 = trimSlice(x.l0)
	x.levels = trimSlice(x.levels)
	x.upper = trimSlice(x.upper)
	x.ids = trimSlice(x.ids)
	x.dirty = trimSlice(x.dirty)
	x.codes = trimSlice(x.codes)
	x.qscale = trimSlice(x.qscale)
	x.qnorm = trimSlice(x.qnorm)
}

func trimSlice[T any](a []T) []T {
	if cap(a)-len(a) <= len(a)/32 {
		return a
	}
	return append(make([]T, 0, len(a)), a...)
}

// Load rebuilds an index from the records written by MarshalMeta and
// MarshalNode without running construction. vectors returns the vector of
// an id (for Cosine it is normalised again, which leaves a stored unit
// vector unchanged); nodes calls yield once per node record, in any order,
// and stops at the first error yield returns. Every record is validated:
// bad lengths, links to missing nodes, levels or counts out of range and
// a missing entry point are ErrCorrupt errors that name the node. The new
// index has nothing dirty.
func Load(meta []byte, vectors func(id uint32) []float32, nodes func(yield func(id uint32, rec []byte) error) error) (*Index, error) {
	l, err := newLoader(meta)
	if err != nil {
		return nil, fmt.Errorf("ann: load: %w", err)
	}
	err = nodes(func(id uint32, rec []byte) error {
		return l.add(id, vectors(id), rec)
	})
	if err != nil {
		return nil, fmt.Errorf("ann: load: %w", err)
	}
	x, err := l.finish()
	if err != nil {
		return nil, fmt.Errorf("ann: load: %w", err)
	}
	return x, nil
}

// LoadShared is Load for a caller that already holds every vector in one
// flat slice: row r is rows[r*dim:(r+1)*dim], stored as the index stores
// vectors (unit length for Cosine, within 1e-4; raw otherwise). The index
// uses that memory instead of a copy, which saves dim*4 bytes per vector,
// and node id takes slot rowOf(id); rows that are no node become free
// slots. The index never writes into rows: the first change that would
// (reusing a free slot, deleting a node) copies the vectors, and growth
// reallocates. The caller must not change rows while the index uses them.
func LoadShared(meta []byte, rows []float32, rowOf func(id uint32) (int, bool), nodes func(yield func(id uint32, rec []byte) error) error) (*Index, error) {
	m, err := parseMeta(meta)
	if err != nil {
		return nil, fmt.Errorf("ann: load: %w", err)
	}
	if len(rows)%m.dim != 0 {
		return nil, fmt.Errorf("ann: load: %d shared values are not rows of %d", len(rows), m.dim)
	}
	n := len(rows) / m.dim
	x := New(m.dim, m.cfg)
	x.rng = m.rng
	x.vecs = rows[: n*m.dim : n*m.dim]
	x.sharedVecs = true
	x.l0 = make([]uint32, n*x.stride)
	x.levels = make([]uint8, n)
	for i := range x.levels {
		x.levels[i] = freeLevel
	}
	x.upper = make([][]uint32, n)
	x.ids = make([]uint32, n)
	x.dirty = make([]uint64, (n+63)/64)
	x.growQuant()
	l := &loader{x: x, meta: m, rowOf: rowOf}
	err = nodes(func(id uint32, rec []byte) error {
		return l.add(id, nil, rec)
	})
	if err != nil {
		return nil, fmt.Errorf("ann: load: %w", err)
	}
	x, err = l.finish()
	if err != nil {
		return nil, fmt.Errorf("ann: load: %w", err)
	}
	return x, nil
}

// WriteTo writes the whole index to w: a header, the meta record, then for
// every node its id, its stored vector (little-endian float32) and its node
// record, each length-prefixed. It takes the read lock.
func (x *Index) WriteTo(w io.Writer) (int64, error) {
	if x.lazy != nil {
		return 0, ErrLazy
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	cw := &countWriter{w: w}
	bw := bufio.NewWriter(cw)
	var tmp []byte
	bw.WriteString(streamMagic)
	m := x.marshalMeta()
	tmp = binary.AppendUvarint(tmp[:0], uint64(len(m)))
	bw.Write(tmp)
	bw.Write(m)
	vb := make([]byte, 4*x.dim)
	for s, lv := range x.levels {
		if lv == freeLevel {
			continue
		}
		tmp = binary.AppendUvarint(tmp[:0], uint64(x.idOf(uint32(s))))
		bw.Write(tmp)
		for i, f := range x.vec(uint32(s)) {
			binary.LittleEndian.PutUint32(vb[4*i:], math.Float32bits(f))
		}
		bw.Write(vb)
		rec := x.marshalNodeLocked(uint32(s))
		tmp = binary.AppendUvarint(tmp[:0], uint64(len(rec)))
		bw.Write(tmp)
		bw.Write(rec)
	}
	err := bw.Flush()
	return cw.n, err
}

func (x *Index) marshalNodeLocked(s uint32) []byte {
	lv := int(x.levels[s])
	buf := make([]byte, 0, 2+lv+len(x.linksOf(s, 0))*3+len(x.codes)/max(1, len(x.levels))+8)
	buf = binary.AppendUvarint(buf, uint64(lv))
	for lc := 0; lc <= lv; lc++ {
		links := x.linksOf(s, lc)
		buf = binary.AppendUvarint(buf, uint64(len(links)))
		for _, l := range links {
			buf = binary.AppendUvarint(buf, uint64(x.idOf(l)))
		}
	}
	return x.appendQuant(buf, s)
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// ReadFrom reads an index written by WriteTo, validating it as Load does.
func ReadFrom(r io.Reader) (*Index, error) {
	x, err := readFrom(bufio.NewReader(r))
	if err != nil {
		return nil, fmt.Errorf("ann: read: %w", err)
	}
	return x, nil
}

func readFrom(br *bufio.Reader) (*Index, error) {
	head := make([]byte, len(streamMagic))
	if _, err := io.ReadFull(br, head); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrCorrupt, err)
	}
	if string(head) != streamMagic {
		return nil, fmt.Errorf("%w: not an HNSW stream", ErrCorrupt)
	}
	readBlock := func(what string, max uint64) ([]byte, error) {
		n, err := binary.ReadUvarint(br)
		if err != nil {
			return nil, fmt.Errorf("%w: %s length: %v", ErrCorrupt, what, unexpected(err))
		}
		if n > max {
			return nil, fmt.Errorf("%w: %s length %d too large", ErrCorrupt, what, n)
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(br, b); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, what, unexpected(err))
		}
		return b, nil
	}
	m, err := readBlock("meta", maxMetaLen)
	if err != nil {
		return nil, err
	}
	l, err := newLoader(m)
	if err != nil {
		return nil, err
	}
	dim := l.x.dim
	vb := make([]byte, 4*dim)
	v := make([]float32, dim)
	for i := 0; i < l.meta.count; i++ {
		id, err := binary.ReadUvarint(br)
		if err != nil {
			return nil, fmt.Errorf("%w: node %d of %d: %v", ErrCorrupt, i, l.meta.count, unexpected(err))
		}
		if id > math.MaxUint32 {
			return nil, fmt.Errorf("%w: node id %d out of range", ErrCorrupt, id)
		}
		if _, err := io.ReadFull(br, vb); err != nil {
			return nil, fmt.Errorf("%w: node %d vector: %v", ErrCorrupt, id, unexpected(err))
		}
		for j := range v {
			v[j] = math.Float32frombits(binary.LittleEndian.Uint32(vb[4*j:]))
		}
		rec, err := readBlock("node record", maxRecordLen)
		if err != nil {
			return nil, fmt.Errorf("node %d: %w", id, err)
		}
		if err := l.add(uint32(id), v, rec); err != nil {
			return nil, err
		}
	}
	return l.finish()
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
