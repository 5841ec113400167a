package ann

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
	"unsafe"

	"github.com/vecdb/vecdb/internal/vec"
)

// Graph segments: the compact layout (compact.go) is the file layout.
//
// Segment writes the compact graph of an index, its int8 codes and scales
// as a handful of little-endian arrays, one per value, with slot r the
// caller's row r (so a reader finds a node's vector at the row it reads
// vectors from). LoadInPlace builds a search-only index whose arrays alias
// those bytes: no decode, no copy, no per-node fill. The arrays are, in
// order (the index of each in the slice Segment returns):
//
//	0  header: "HSEG" | version uint32 | slots uint32 | dim uint32 |
//	   flags uint32 (1 ids are the rows, 2 int8 codes, 4 squared norms) |
//	   meta length uint32 | CRC-32C of the meta record uint32 | 0 uint32 |
//	   the length of each array 1…10 in elements, uint64 each
//	1  levels, uint8 per slot (255: the row is no node)
//	2  off0, uint32 × slots+1      3  l0, uint32 (layer-0 links as slots)
//	4  upSlots, uint32             5  upOff, uint32 × len(upSlots)+1
//	6  up, uint32 ([count, links…] per layer 1…level of each upSlot)
//	7  ids, uint32 per slot (empty when the ids are the rows)
//	8  codes, int8 × dim per slot  9  qscale, float32 per slot
//	10 qnorm, float32 per slot (L2 int8 indexes only)
//
// The header binds the segment to one meta record (its length and
// checksum): a segment whose graph has changed since is never used.
//
// An index read in place is not scanned when it is opened: the searches
// check what they read (lazy.go's SearchErr error plumbing reports it):
// every link is below the slot count before it is used as an index (the
// int8 kernels do not check), a node's range of links lies within its
// array, a node reached on an upper layer has that layer. A damaged
// segment is an ErrCorrupt error of the search, never a panic; a cycle in
// the links is harmless (the visited set bounds the walk). Which links a
// node has is checked only by CHECK (VerifySegment).

const (
	segMagic   = "HSEG"
	segVersion = 1
	segHdrLen  = 32 + 8*(segArrays-1)

	segFlagRows  = 1
	segFlagInt8  = 2
	segFlagNorms = 4
)

// The arrays of a segment.
const (
	segHeader = iota
	segLevels
	segOff0
	segL0
	segUpSlots
	segUpOff
	segUp
	segIDs
	segCodes
	segScale
	segNorm
	segArrays
)

// segElem is the size in bytes of an element of each array.
var segElem = [segArrays]int{1, 1, 4, 4, 4, 4, 4, 4, 1, 4, 4}

// littleEndian reports whether the machine's byte order is the segment's.
var littleEndian = func() bool {
	v := uint16(1)
	return *(*byte)(unsafe.Pointer(&v)) == 1
}()

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Segment returns the graph segment of x with slot r holding the node of
// id rows[r] (a row whose id is no node gets no links and level 255).
// Every node must be in a row. The index must hold its whole graph (not
// LoadLazy's or LoadInPlace's). It takes the read lock.
func (x *Index) Segment(rows []uint32) ([][]byte, error) {
	if x.lazy != nil {
		return nil, ErrLazy
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.segment(rows)
}

// segment is Segment with the read lock held.
func (x *Index) segment(rows []uint32) ([][]byte, error) {
	n := len(rows)
	if int64(n) >= math.MaxUint32 {
		return nil, fmt.Errorf("ann: segment of %d rows", n)
	}
	rowOf := make([]uint32, len(x.levels))
	for i := range rowOf {
		rowOf[i] = noSlot
	}
	identity := true
	for r, id := range rows {
		if id != uint32(r) {
			identity = false
		}
		s, ok := x.lookup(id)
		if !ok {
			continue
		}
		if rowOf[s] != noSlot {
			return nil, fmt.Errorf("%w: id %d in rows twice", ErrDuplicateID, id)
		}
		rowOf[s] = uint32(r)
	}
	for s, lv := range x.levels {
		if lv != freeLevel && rowOf[s] == noSlot {
			return nil, fmt.Errorf("ann: segment: node %d is in no row", x.idOf(uint32(s)))
		}
	}
	n0, nu, nUp := x.linkTotals()
	if n0 >= math.MaxUint32 || nu >= math.MaxUint32 {
		return nil, fmt.Errorf("ann: segment: %d links do not fit 32-bit offsets", n0+nu)
	}
	slotOfRow := make([]uint32, n)
	levels := make([]byte, n)
	for r := range slotOfRow {
		slotOfRow[r] = noSlot
		levels[r] = freeLevel
	}
	for s, r := range rowOf {
		if r != noSlot {
			slotOfRow[r] = uint32(s)
			levels[r] = x.levels[s]
		}
	}
	off0 := make([]uint32, n+1)
	l0 := make([]uint32, 0, n0)
	upSlots := make([]uint32, 0, nUp)
	upOff := make([]uint32, 0, nUp+1)
	up := make([]uint32, 0, nu)
	var codes []int8
	var qscale, qnorm []float32
	if x.cfg.Int8 {
		codes = make([]int8, n*x.dim)
		qscale = make([]float32, n)
		if x.needNorms() {
			qnorm = make([]float32, n)
		}
	}
	for r, s := range slotOfRow {
		if s != noSlot {
			for _, t := range x.linksOf(s, 0) {
				l0 = append(l0, rowOf[t])
			}
			if lv := int(x.levels[s]); lv > 0 {
				upSlots = append(upSlots, uint32(r))
				upOff = append(upOff, uint32(len(up)))
				for lc := 1; lc <= lv; lc++ {
					links := x.linksOf(s, lc)
					up = append(up, uint32(len(links)))
					for _, t := range links {
						up = append(up, rowOf[t])
					}
				}
			}
			if codes != nil {
				copy(codes[r*x.dim:(r+1)*x.dim], x.codesOf(s))
				qscale[r] = x.qscale[s]
				if qnorm != nil {
					qnorm[r] = x.qnorm[s]
				}
			}
		}
		off0[r+1] = uint32(len(l0))
	}
	upOff = append(upOff, uint32(len(up)))
	var ids []uint32
	flags := uint32(0)
	if identity {
		flags |= segFlagRows
	} else {
		ids = rows
	}
	if codes != nil {
		flags |= segFlagInt8
	}
	if qnorm != nil {
		flags |= segFlagNorms
	}
	seg := make([][]byte, segArrays)
	seg[segLevels] = levels
	seg[segOff0] = u32Bytes(off0)
	seg[segL0] = u32Bytes(l0)
	seg[segUpSlots] = u32Bytes(upSlots)
	seg[segUpOff] = u32Bytes(upOff)
	seg[segUp] = u32Bytes(up)
	seg[segIDs] = u32Bytes(ids)
	seg[segCodes] = unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(codes))), len(codes))
	seg[segScale] = f32Bytes(qscale)
	seg[segNorm] = f32Bytes(qnorm)
	meta := x.marshalMeta()
	h := make([]byte, segHdrLen)
	copy(h, segMagic)
	le := binary.LittleEndian
	le.PutUint32(h[4:], segVersion)
	le.PutUint32(h[8:], uint32(n))
	le.PutUint32(h[12:], uint32(x.dim))
	le.PutUint32(h[16:], flags)
	le.PutUint32(h[20:], uint32(len(meta)))
	le.PutUint32(h[24:], crc32.Checksum(meta, castagnoli))
	for i := 1; i < segArrays; i++ {
		le.PutUint64(h[32+8*(i-1):], uint64(len(seg[i])/segElem[i]))
	}
	seg[segHeader] = h
	return seg, nil
}

func u32Bytes(a []uint32) []byte {
	b := make([]byte, 4*len(a))
	for i, v := range a {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
	return b
}

func f32Bytes(a []float32) []byte {
	b := make([]byte, 4*len(a))
	for i, v := range a {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}

// asU32 returns b as little-endian uint32s: in place when the machine is
// little-endian and b is 4-byte aligned, else a copy (copied true).
func asU32(b []byte) (a []uint32, copied bool) {
	n := len(b) / 4
	if n == 0 {
		return nil, false
	}
	if littleEndian && uintptr(unsafe.Pointer(&b[0]))%4 == 0 {
		return unsafe.Slice((*uint32)(unsafe.Pointer(&b[0])), n), false
	}
	a = make([]uint32, n)
	for i := range a {
		a[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return a, true
}

// asF32 is asU32 for float32 values.
func asF32(b []byte) ([]float32, bool) {
	a, copied := asU32(b)
	if len(a) == 0 {
		return nil, copied
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&a[0])), len(a)), copied
}

// segInfo is a parsed segment header.
type segInfo struct {
	slots, dim int
	flags      uint32
	metaLen    int
	metaSum    uint32
	lens       [segArrays]int // in elements
}

// parseSegHeader checks the header of seg and that every array has the
// length it gives, and that the lengths agree with each other and m.
func parseSegHeader(seg [][]byte, metaRec []byte, m meta) (segInfo, error) {
	var si segInfo
	if len(seg) != segArrays {
		return si, fmt.Errorf("%w: graph segment has %d arrays, want %d", ErrCorrupt, len(seg), segArrays)
	}
	h := seg[segHeader]
	if len(h) != segHdrLen || string(h[:4]) != segMagic {
		return si, fmt.Errorf("%w: graph segment header is damaged", ErrCorrupt)
	}
	le := binary.LittleEndian
	if v := le.Uint32(h[4:]); v != segVersion {
		return si, fmt.Errorf("%w: graph segment version %d, want %d", ErrCorrupt, v, segVersion)
	}
	si.slots = int(le.Uint32(h[8:]))
	si.dim = int(le.Uint32(h[12:]))
	si.flags = le.Uint32(h[16:])
	si.metaLen = int(le.Uint32(h[20:]))
	si.metaSum = le.Uint32(h[24:])
	for i := 1; i < segArrays; i++ {
		l := le.Uint64(h[32+8*(i-1):])
		if l > math.MaxInt32 || uint64(len(seg[i])) != l*uint64(segElem[i]) {
			return si, fmt.Errorf("%w: graph segment array %d has %d bytes, its header says %d elements", ErrCorrupt, i, len(seg[i]), l)
		}
		si.lens[i] = int(l)
	}
	if si.metaLen != len(metaRec) || si.metaSum != crc32.Checksum(metaRec, castagnoli) {
		return si, fmt.Errorf("%w: graph segment belongs to another state of the graph", ErrStaleSegment)
	}
	n := si.slots
	hasCodes := si.flags&segFlagInt8 != 0
	norms := si.flags&segFlagNorms != 0
	want := func(i, l int) bool { return si.lens[i] == l }
	nIDs, nCodes, nScale, nNorm := 0, 0, 0, 0
	if si.flags&segFlagRows == 0 {
		nIDs = n
	}
	if hasCodes {
		nCodes, nScale = n*m.dim, n
	}
	if norms {
		nNorm = n
	}
	switch {
	case si.flags&^7 != 0:
		return si, fmt.Errorf("%w: graph segment has unknown flags %#x", ErrCorrupt, si.flags)
	case si.dim != m.dim || hasCodes != m.cfg.Int8 || norms != (hasCodes && m.cfg.Metric == vec.L2):
		return si, fmt.Errorf("%w: graph segment does not match its index (dim %d, flags %#x)", ErrCorrupt, si.dim, si.flags)
	case m.count > n:
		return si, fmt.Errorf("%w: graph segment of %d slots for %d nodes", ErrCorrupt, n, m.count)
	case !want(segLevels, n) || !want(segOff0, n+1) || !want(segUpOff, si.lens[segUpSlots]+1) ||
		!want(segIDs, nIDs) || !want(segCodes, nCodes) || !want(segScale, nScale) || !want(segNorm, nNorm):
		return si, fmt.Errorf("%w: graph segment arrays have inconsistent lengths", ErrCorrupt)
	}
	return si, nil
}

// ErrStaleSegment is returned by LoadInPlace for a segment written for
// another meta record than the one given: the graph changed since (the
// caller opens it another way).
var ErrStaleSegment = errors.New("ann: stale graph segment")

// Vectors gives an index read in place the float32 vectors it walks with
// (an index without int8 codes): Flat holds row r at r*dim, or Blocks[b]
// holds rows b*BlockRows … (BlockRows a power of two), every block but the
// last full. Unit length for Cosine. Nothing writes them.
type Vectors struct {
	Flat      []float32
	Blocks    [][]float32
	BlockRows int
}

// LoadInPlace builds a search-only index over seg, the graph segment
// Segment wrote for the meta record meta (ErrStaleSegment for another):
// its links, levels, ids and int8 codes are seg's bytes themselves when
// they are aligned and the machine little-endian (else copies). seg must
// stay valid and unchanged as long as the index is used.
//
// ids[r] is the id of row r and must be the segment's (nil: the ids are
// the rows). An Int8 index walks with its codes and rescores its
// candidates with read (see LoadLazyInPlace); an index without codes
// walks with vecs. Like LoadLazy's, the index only searches (writes return
// ErrLazy) and a damaged segment is an ErrCorrupt error of the search that
// reaches the damage (SearchErr).
func LoadInPlace(meta []byte, seg [][]byte, ids []uint32, vecs Vectors, read VectorFunc) (*Index, error) {
	m, err := parseMeta(meta)
	if err != nil {
		return nil, fmt.Errorf("ann: load: %w", err)
	}
	x, err := loadSegment(meta, m, seg, ids)
	if err != nil {
		return nil, err
	}
	n := len(x.levels)
	if m.cfg.Int8 {
		if read == nil {
			return nil, fmt.Errorf("ann: load in place: an int8 index needs a read function")
		}
		x.lazy.read = read
		return x, nil
	}
	switch {
	case vecs.Blocks != nil:
		r := vecs.BlockRows
		if r <= 0 || r&(r-1) != 0 {
			return nil, fmt.Errorf("ann: load in place: %d rows per block", r)
		}
		for b, v := range vecs.Blocks {
			last := b == len(vecs.Blocks)-1
			if (!last && len(v) != r*m.dim) || (last && (len(v) == 0 || len(v) > r*m.dim || len(v)%m.dim != 0)) {
				return nil, fmt.Errorf("ann: load in place: vector block %d has %d values", b, len(v))
			}
		}
		if nb := len(vecs.Blocks); nb == 0 && n > 0 || nb > 0 && (nb-1)*r+len(vecs.Blocks[nb-1])/m.dim < n {
			return nil, fmt.Errorf("ann: load in place: the vector blocks hold fewer than %d rows", n)
		}
		x.vblk = vecs.Blocks
		x.vshift = uint(bitsLen(uint(r)) - 1)
	case len(vecs.Flat) >= n*m.dim:
		x.vecs = vecs.Flat[: n*m.dim : n*m.dim]
		x.sharedVecs = true
	default:
		return nil, fmt.Errorf("ann: load in place: %d values are not %d rows of %d", len(vecs.Flat), n, m.dim)
	}
	return x, nil
}

func bitsLen(v uint) int {
	n := 0
	for ; v != 0; v >>= 1 {
		n++
	}
	return n
}

// loadSegment builds the index of seg without its float32 vectors.
func loadSegment(metaRec []byte, m meta, seg [][]byte, ids []uint32) (*Index, error) {
	si, err := parseSegHeader(seg, metaRec, m)
	if err != nil {
		return nil, err
	}
	n := si.slots
	x := New(m.dim, m.cfg)
	x.rng = m.rng
	var copied [segArrays]bool
	c := &compactGraph{}
	c.off0, copied[segOff0] = asU32(seg[segOff0])
	c.l0, copied[segL0] = asU32(seg[segL0])
	c.upSlots, copied[segUpSlots] = asU32(seg[segUpSlots])
	c.upOff, copied[segUpOff] = asU32(seg[segUpOff])
	c.up, copied[segUp] = asU32(seg[segUp])
	if c.off0[0] != 0 || int64(c.off0[n]) != int64(len(c.l0)) || int64(c.upOff[len(c.upOff)-1]) > int64(len(c.up)) {
		return nil, fmt.Errorf("%w: graph segment offsets do not span their links", ErrCorrupt)
	}
	x.cg = c
	x.levels = seg[segLevels][:n:n]
	if si.flags&segFlagRows != 0 {
		if ids != nil && (len(ids) != n || !slices.Equal(ids, identityIDs(ids))) {
			return nil, fmt.Errorf("%w: graph segment is of rows 0…%d, not of these ids", ErrStaleSegment, n-1)
		}
		x.identity = true
	} else {
		sids, cp := asU32(seg[segIDs])
		if ids != nil && !slices.Equal(ids, sids) {
			return nil, fmt.Errorf("%w: graph segment is of other rows", ErrStaleSegment)
		}
		copied[segIDs] = cp
		x.ids = sids
	}
	if m.cfg.Int8 {
		x.codes = unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(seg[segCodes]))), len(seg[segCodes]))
		x.qscale, copied[segScale] = asF32(seg[segScale])
		if si.flags&segFlagNorms != 0 {
			x.qnorm, copied[segNorm] = asF32(seg[segNorm])
		}
	}
	for i, cp := range copied {
		if cp {
			x.segHeap += int64(len(seg[i]))
		} else {
			x.segMapped += int64(len(seg[i]))
		}
	}
	x.live = m.count
	z := &lazyGraph{entryRow: noSlot}
	if m.hasEntry {
		e := m.entry
		if !x.identity {
			i := slices.Index(x.ids, m.entry)
			if i < 0 {
				return nil, fmt.Errorf("%w: graph segment: entry point %d is no row", ErrCorrupt, m.entry)
			}
			e = uint32(i)
		}
		if int64(e) >= int64(n) || int(x.levels[e]) != m.maxLevel {
			return nil, fmt.Errorf("%w: graph segment: entry point %d is not a node of the top layer", ErrCorrupt, m.entry)
		}
		x.entry, x.maxLevel = e, m.maxLevel
		z.entryRow = e
	}
	x.lazy = z
	x.filledAll = true
	x.inplace = true
	return x, nil
}

// identityIDs reports ids when ids[i] == i for every i, else a slice that
// differs from it (for slices.Equal).
func identityIDs(ids []uint32) []uint32 {
	for i, id := range ids {
		if id != uint32(i) {
			return nil
		}
	}
	return ids
}

// mappedLinks is links for an index read in place: the links of slot s
// on layer lc, after checking that they lie within their array and name
// slots of the index (false, with sc.err set, when not). s is a slot.
func (x *Index) mappedLinks(sc *scratch, s uint32, lc int) []uint32 {
	c := x.cg
	n := uint32(len(x.levels))
	var l []uint32
	if lc == 0 {
		a, b := c.off0[s], c.off0[s+1]
		if a > b || b > uint32(len(c.l0)) {
			return x.segCorrupt(sc, s, "its layer-0 links lie outside their array")
		}
		l = c.l0[a:b:b]
	} else {
		if lv := x.levels[s]; lv == freeLevel || int(lv) < lc {
			return x.segCorrupt(sc, s, fmt.Sprintf("reached on layer %d, has level %d", lc, lv))
		}
		i, ok := slices.BinarySearch(c.upSlots, s)
		if !ok || i+1 >= len(c.upOff) {
			return x.segCorrupt(sc, s, "it has no upper layers")
		}
		p, end := uint64(c.upOff[i]), uint64(c.upOff[i+1])
		if p > end || end > uint64(len(c.up)) {
			return x.segCorrupt(sc, s, "its upper-layer links lie outside their array")
		}
		for l := 1; l < lc && p < end; l++ {
			p += 1 + uint64(c.up[p])
		}
		if p >= end || p+1+uint64(c.up[p]) > end {
			return x.segCorrupt(sc, s, "its upper-layer links lie outside their array")
		}
		l = c.up[p+1 : p+1+uint64(c.up[p])]
	}
	if lc > 0 { // layer 0's links are checked by gatherMapped
		for _, t := range l {
			if t >= n {
				return x.segCorrupt(sc, s, fmt.Sprintf("links to slot %d of %d", t, n))
			}
		}
	}
	return l
}

func (x *Index) segCorrupt(sc *scratch, s uint32, what string) []uint32 {
	if sc.err == nil {
		sc.err = fmt.Errorf("ann: node %d: %w: graph segment: %s", x.idOf(s), ErrCorrupt, what)
	}
	return nil
}

// SegmentCurrent reports, as LoadInPlace would, whether seg is a segment
// of the graph whose meta record is meta over rows ids (nil when it is:
// ErrStaleSegment when it belongs to another state, ErrCorrupt when its
// header or lengths are damaged). It reads no link.
func SegmentCurrent(meta []byte, seg [][]byte, ids []uint32) error {
	m, err := parseMeta(meta)
	if err != nil {
		return err
	}
	_, err = loadSegment(meta, m, seg, ids)
	return err
}

// InPlace reports whether the index reads its graph in place from the
// bytes given to LoadInPlace.
func (x *Index) InPlace() bool { return x.inplace }

// MappedBytes returns the bytes of the segment an index from LoadInPlace
// uses in place (not counted by MemoryBytes); 0 for any other index.
func (x *Index) MappedBytes() int64 { return x.segMapped }

// VerifySegment checks that seg, written for meta record meta with slot r
// the row of id rows[r], holds exactly the graph of x (a whole index, as
// Load gives): the same nodes with the same levels, links and int8 codes.
// The first difference is an ErrCorrupt error; ErrStaleSegment when the
// segment belongs to another meta record.
func (x *Index) VerifySegment(meta []byte, seg [][]byte, rows []uint32) error {
	m, err := parseMeta(meta)
	if err != nil {
		return err
	}
	y, err := loadSegment(meta, m, seg, rows)
	if err != nil {
		return err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	sc := &scratch{}
	live := 0
	for r := range y.levels {
		id := y.idOf(uint32(r))
		s, ok := x.lookup(id)
		lv := y.levels[r]
		if !ok {
			if lv != freeLevel {
				return fmt.Errorf("%w: graph segment: row %d (id %d) is a node, the records have none", ErrCorrupt, r, id)
			}
			continue
		}
		live++
		if lv != x.levels[s] {
			return fmt.Errorf("%w: graph segment: node %d has level %d, its record %d", ErrCorrupt, id, lv, x.levels[s])
		}
		for lc := 0; lc <= int(lv); lc++ {
			got := y.mappedLinks(sc, uint32(r), lc)
			if sc.err != nil {
				return sc.err
			}
			want := x.linksOf(s, lc)
			if len(got) != len(want) {
				return fmt.Errorf("%w: graph segment: node %d has %d links on layer %d, its record %d", ErrCorrupt, id, len(got), lc, len(want))
			}
			for i, t := range got {
				if int(t) >= len(y.levels) {
					return fmt.Errorf("%w: graph segment: node %d links to slot %d of %d", ErrCorrupt, id, t, len(y.levels))
				}
				if y.idOf(t) != x.idOf(want[i]) {
					return fmt.Errorf("%w: graph segment: node %d links to %d on layer %d, its record to %d", ErrCorrupt, id, y.idOf(t), lc, x.idOf(want[i]))
				}
			}
		}
		if x.cfg.Int8 {
			if !slices.Equal(y.codesOf(uint32(r)), x.codesOf(s)) || math.Float32bits(y.qscale[r]) != math.Float32bits(x.qscale[s]) ||
				y.qnorm != nil && !closeNorm(y.qnorm[r], x.qnorm[s]) {
				return fmt.Errorf("%w: graph segment: the int8 codes of node %d differ from its record's", ErrCorrupt, id)
			}
		}
	}
	if live != x.live {
		return fmt.Errorf("%w: graph segment has %d nodes, the records %d", ErrCorrupt, live, x.live)
	}
	// Then every byte (rows without a node included) as Segment writes
	// them, but the squared norms, which Load computes again from the
	// vectors (another processor's kernel may round a last bit
	// differently).
	want, err := x.segment(rows)
	if err != nil {
		return err
	}
	for i := segLevels; i < segArrays; i++ {
		if i != segNorm && !bytes.Equal(seg[i], want[i]) {
			return fmt.Errorf("%w: graph segment array %d differs from the graph of the records", ErrCorrupt, i)
		}
	}
	for r := range y.qnorm {
		if w := binary.LittleEndian.Uint32(want[segNorm][4*r:]); !closeNorm(y.qnorm[r], math.Float32frombits(w)) {
			return fmt.Errorf("%w: graph segment: the squared norm of row %d differs from its vector's", ErrCorrupt, r)
		}
	}
	return nil
}

// closeNorm reports whether two squared norms of one vector agree within
// rounding.
func closeNorm(a, b float32) bool {
	return math.Abs(float64(a)-float64(b)) <= 1e-5*math.Max(1, math.Abs(float64(b)))
}
