package storage

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"unsafe"

	bolt "go.etcd.io/bbolt"

	"github.com/vecdb/vecdb/internal/vec"
)

// Vector blocks: the search form of a collection's vectors, laid out so
// that an opened database reads them in place from bbolt's memory map.
//
// A data bucket written by this version has a sub-bucket "vblocks" and a
// record "vblockmeta" beside it. Block b holds the rows with ids
// b·R … b·R+R-1 (R, the rows per block, is a power of two chosen from the
// dimension so that a block is about 64 KiB; it is in vblockmeta):
//
//	key:   block number, uint64 big endian (8 bytes)
//	value: "VB01" | n uint32 LE (slots used, ≤ R) | CRC-32C uint32 LE of
//	       the rest | 4 zero bytes |
//	       n × dim float32 LE (the search vector: unit length for COSINE,
//	       raw otherwise; zero for an absent row) |
//	       n × float32 LE (the raw norm) |
//	       ceil(n/8) bytes (bit s set: row b·R+s exists) |
//	       n × int64 LE (the row's count) | n × uint32 LE (the end offset of
//	       the row's key in what follows) | the keys, one after another |
//	       zero padding to a multiple of 8 bytes
//
// The keys and counts let a reader load a view from the blocks alone,
// without reading the row records.
//
// Every key of the bucket is 8 bytes and every value a multiple of 8, and
// the 16-byte page header and 16-byte element headers of bbolt's leaf pages
// keep that: a value on its own leaf or overflow pages starts 8-byte
// aligned in the map, so the vectors (16 bytes in) are 4-byte aligned and
// are used as []float32 in place. Resolve checks the alignment of each
// block at run time and copies a block that is not aligned (a bucket
// small enough to be stored inline in its parent, say).
//
// vblockmeta: "VM01" | R uint32 LE | dim uint32 LE | 4 zero bytes |
// catalog version uint64 LE. The version is written, in the same
// transaction, whenever the collection's catalog record is: blocks whose
// version is not the catalog's were left behind by a vecdb that did not
// maintain them (an older release writing to a newer file), and readers
// ignore them (the rows are the truth) until VACUUM rebuilds them.
//
// Reads ignore the block checksums (as they do the row checksums); Check
// verifies them and compares every block with the rows.

var (
	subVBlocks    = []byte("vblocks")
	subVBlockMeta = []byte("vblockmeta")
	vbMagic       = [4]byte{'V', 'B', '0', '1'}
	vmMagic       = [4]byte{'V', 'M', '0', '1'}
)

const (
	vbHeader  = 16
	vmLen     = 24
	vbTarget  = 64 << 10
	vbMinRows = 16
	vbMaxRows = 4096
)

// blockRows returns the rows per block for a dimension: the largest power
// of two whose block of vectors fits in about 64 KiB, within 16 … 4096.
func blockRows(dim int) int {
	r := vbMinRows
	for r*2 <= vbMaxRows && r*2*4*dim <= vbTarget {
		r *= 2
	}
	return r
}

// vbFixed returns the length of a block value holding n slots up to its
// key bytes; vbLen the whole length with keyBytes of keys.
func vbFixed(n, dim int) int { return vbHeader + 4*n*dim + 4*n + (n+7)/8 + 8*n + 4*n }

func vbLen(n, dim, keyBytes int) int { return (vbFixed(n, dim) + keyBytes + 7) &^ 7 }

// vbMeta is the decoded vblockmeta record.
type vbMeta struct {
	rows, dim int
	version   uint64
}

func encodeVBMeta(m vbMeta) []byte {
	b := make([]byte, vmLen)
	copy(b, vmMagic[:])
	binary.LittleEndian.PutUint32(b[4:], uint32(m.rows))
	binary.LittleEndian.PutUint32(b[8:], uint32(m.dim))
	binary.LittleEndian.PutUint64(b[16:], m.version)
	return b
}

func decodeVBMeta(b []byte) (vbMeta, error) {
	if len(b) != vmLen || [4]byte(b[:4]) != vmMagic {
		return vbMeta{}, fmt.Errorf("%w: vector block header record is damaged", ErrCorrupt)
	}
	m := vbMeta{rows: int(binary.LittleEndian.Uint32(b[4:])), dim: int(binary.LittleEndian.Uint32(b[8:])),
		version: binary.LittleEndian.Uint64(b[16:])}
	if m.rows < vbMinRows || m.rows > vbMaxRows || m.rows&(m.rows-1) != 0 || m.dim <= 0 {
		return vbMeta{}, fmt.Errorf("%w: vector block header record has %d rows per block, dim %d", ErrCorrupt, m.rows, m.dim)
	}
	return m, nil
}

func blockKey(b uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], b)
	return k[:]
}

// vbCheck validates a block value's structure (not its checksum) and
// returns its slot count.
func vbCheck(v []byte, rows, dim int) (int, error) {
	if len(v) < vbHeader || [4]byte(v[:4]) != vbMagic {
		return 0, fmt.Errorf("bad block header")
	}
	n := int(binary.LittleEndian.Uint32(v[4:]))
	if n < 1 || n > rows {
		return 0, fmt.Errorf("block claims %d slots (at most %d)", n, rows)
	}
	f := vbFixed(n, dim)
	if len(v) < f {
		return 0, fmt.Errorf("block is %d bytes, %d slots need %d and their keys", len(v), n, f)
	}
	offs := v[f-4*n : f]
	prev := uint32(0)
	for s := 0; s < n; s++ {
		o := binary.LittleEndian.Uint32(offs[4*s:])
		if o < prev || o > MaxKeyBytes*uint32(n) {
			return 0, fmt.Errorf("key offsets out of order")
		}
		prev = o
	}
	if len(v) != vbLen(n, dim, int(prev)) {
		return 0, fmt.Errorf("block is %d bytes, %d slots with %d bytes of keys need %d", len(v), n, prev, vbLen(n, dim, int(prev)))
	}
	return n, nil
}

func vbSum(v []byte) uint32 { return crc32.Checksum(v[vbHeader:], crcTable) }

// searchForm returns the search form of raw (unit length for COSINE,
// raw otherwise) written into dst, and raw's norm, exactly as the view
// computes them.
func searchForm(dst, raw []float32, metric vec.Metric) float32 {
	copy(dst, raw)
	nrm := vec.Norm(dst)
	if metric == vec.Cosine && nrm > 0 {
		vec.Scale(1/nrm, dst)
	}
	return nrm
}

// blockBuf is a block being built or changed in a write transaction.
type blockBuf struct {
	n      int
	vec    []float32 // rows × dim
	nrm    []float32 // rows
	has    []bool    // rows
	keys   []string  // rows
	counts []int64   // rows
}

func newBlockBuf(rows, dim int) *blockBuf {
	return &blockBuf{vec: make([]float32, rows*dim), nrm: make([]float32, rows), has: make([]bool, rows),
		keys: make([]string, rows), counts: make([]int64, rows)}
}

// blockRow returns the key (bytes of v) and count of slot s of a block
// value that vbCheck accepted with n slots.
func blockRow(v []byte, n, dim, s int) ([]byte, int64) {
	f := vbFixed(n, dim)
	counts := v[f-12*n:]
	offs := v[f-4*n:]
	start := uint32(0)
	if s > 0 {
		start = binary.LittleEndian.Uint32(offs[4*(s-1):])
	}
	end := binary.LittleEndian.Uint32(offs[4*s:])
	return v[f+int(start) : f+int(end)], int64(binary.LittleEndian.Uint64(counts[8*s:]))
}

func (bb *blockBuf) load(v []byte, rows, dim int) error {
	n, err := vbCheck(v, rows, dim)
	if err != nil {
		return err
	}
	bb.n = n
	copyVector(bb.vec[:n*dim], v[vbHeader:])
	copyVector(bb.nrm[:n], v[vbHeader+4*n*dim:])
	bits := v[vbHeader+4*n*dim+4*n:]
	for s := 0; s < n; s++ {
		bb.has[s] = bits[s/8]&(1<<(s%8)) != 0
		k, c := blockRow(v, n, dim, s)
		bb.keys[s], bb.counts[s] = string(k), c
	}
	return nil
}

func (bb *blockBuf) set(slot int, r *Row, metric vec.Metric, dim int) {
	for bb.n <= slot {
		bb.drop(bb.n, dim)
		bb.n++
	}
	bb.nrm[slot] = searchForm(bb.vec[slot*dim:(slot+1)*dim], r.Vector, metric)
	bb.has[slot], bb.keys[slot], bb.counts[slot] = true, r.Key, r.Count
}

func (bb *blockBuf) drop(slot int, dim int) {
	clear(bb.vec[slot*dim : (slot+1)*dim])
	bb.nrm[slot], bb.has[slot], bb.keys[slot], bb.counts[slot] = 0, false, "", 0
}

func (bb *blockBuf) encode(dim int) []byte {
	n := bb.n
	kb := 0
	for _, k := range bb.keys[:n] {
		kb += len(k)
	}
	v := make([]byte, vbLen(n, dim, kb))
	copy(v, vbMagic[:])
	binary.LittleEndian.PutUint32(v[4:], uint32(n))
	o := vbHeader
	for _, x := range bb.vec[:n*dim] {
		binary.LittleEndian.PutUint32(v[o:], math.Float32bits(x))
		o += 4
	}
	for _, x := range bb.nrm[:n] {
		binary.LittleEndian.PutUint32(v[o:], math.Float32bits(x))
		o += 4
	}
	for s := 0; s < n; s++ {
		if bb.has[s] {
			v[o+s/8] |= 1 << (s % 8)
		}
	}
	o += (n + 7) / 8
	for _, c := range bb.counts[:n] {
		binary.LittleEndian.PutUint64(v[o:], uint64(c))
		o += 8
	}
	end := 0
	for _, k := range bb.keys[:n] {
		end += len(k)
		binary.LittleEndian.PutUint32(v[o:], uint32(end))
		o += 4
	}
	for _, k := range bb.keys[:n] {
		o += copy(v[o:], k)
	}
	binary.LittleEndian.PutUint32(v[8:], vbSum(v))
	return v
}

// createVBlocks gives a fresh data bucket its (empty) vector blocks.
func createVBlocks(b *bolt.Bucket, dim int) error {
	if _, err := b.CreateBucket(subVBlocks); err != nil {
		return err
	}
	return b.Put(subVBlockMeta, encodeVBMeta(vbMeta{rows: blockRows(dim), dim: dim}))
}

// syncVBlocks records, with the catalog record m being written, that the
// blocks of its data bucket match it. It does nothing for a collection
// without blocks.
func syncVBlocks(btx *bolt.Tx, m *CollectionMeta) error {
	b := btx.Bucket([]byte(m.Bucket))
	if b == nil || b.Bucket(subVBlocks) == nil {
		return nil
	}
	vm, err := decodeVBMeta(b.Get(subVBlockMeta))
	if err != nil {
		return err
	}
	vm.version = m.Version
	return b.Put(subVBlockMeta, encodeVBMeta(vm))
}

// vblocks returns the collection's block bucket and header, or nil when
// the collection has none (a file of the earlier layout).
func (c *Coll) vblocks() (*bolt.Bucket, vbMeta, error) {
	vb := c.b.Bucket(subVBlocks)
	if vb == nil {
		return nil, vbMeta{}, nil
	}
	vm, err := decodeVBMeta(c.b.Get(subVBlockMeta))
	if err != nil {
		return nil, vbMeta{}, err
	}
	if vm.dim != c.meta.Dim {
		return nil, vbMeta{}, fmt.Errorf("%w: vector blocks of %s have dim %d, the collection %d", ErrCorrupt, c.meta.Name, vm.dim, c.meta.Dim)
	}
	return vb, vm, nil
}

// blockFor returns the buffer of block bn, changed in this transaction,
// loading it on first use.
func (c *Coll) blockFor(vb *bolt.Bucket, vm vbMeta, bn uint64) (*blockBuf, error) {
	if bb := c.vdirty[bn]; bb != nil {
		return bb, nil
	}
	bb := newBlockBuf(vm.rows, vm.dim)
	if v := vb.Get(blockKey(bn)); v != nil {
		if err := bb.load(v, vm.rows, vm.dim); err != nil {
			return nil, fmt.Errorf("%w: collection %s: vector block %d: %v", ErrCorrupt, c.meta.Name, bn, err)
		}
	}
	if c.vdirty == nil {
		c.vdirty = map[uint64]*blockBuf{}
	}
	c.vdirty[bn] = bb
	return bb, nil
}

// blockPut records row r (id) in its block (written at Save).
func (c *Coll) blockPut(id uint32, r *Row) error {
	vb, vm, err := c.vblocks()
	if vb == nil || err != nil {
		return err
	}
	bb, err := c.blockFor(vb, vm, uint64(id)/uint64(vm.rows))
	if err != nil {
		return err
	}
	bb.set(int(id)%vm.rows, r, c.meta.Metric, vm.dim)
	return nil
}

// blockDrop marks row id absent in its block.
func (c *Coll) blockDrop(id uint32) error {
	vb, vm, err := c.vblocks()
	if vb == nil || err != nil {
		return err
	}
	bn := uint64(id) / uint64(vm.rows)
	if vb.Get(blockKey(bn)) == nil && c.vdirty[bn] == nil {
		return nil
	}
	bb, err := c.blockFor(vb, vm, bn)
	if err != nil {
		return err
	}
	bb.drop(int(id)%vm.rows, vm.dim)
	return nil
}

// flushBlocks writes the blocks changed in this transaction.
func (c *Coll) flushBlocks() error {
	if len(c.vdirty) == 0 {
		return nil
	}
	vb, vm, err := c.vblocks()
	if vb == nil || err != nil {
		return err
	}
	for bn, bb := range c.vdirty {
		if err := vb.Put(blockKey(bn), bb.encode(vm.dim)); err != nil {
			return err
		}
	}
	c.vdirty = nil
	return nil
}

// BlockVectors is the search form of a collection's vectors as read in
// place from the file: Vecs[b] holds the vectors of the rows with ids
// b·Rows … (unit length for COSINE, raw otherwise), Norms[b] their raw
// norms. The slices point into bbolt's memory map (or, for a block that is
// not 4-byte aligned, into a copy) and are valid only while the
// transaction that returned them is open: never keep them past it.
type BlockVectors struct {
	Rows  int // rows per block, a power of two
	Dim   int
	Vecs  [][]float32
	Norms [][]float32
	raw   [][]byte // the block values, for Row
	// Copied counts the blocks that were not aligned and were copied.
	Copied int
}

// Vector returns the search vector of row id, or nil beyond the blocks.
func (bv *BlockVectors) Vector(id uint32) []float32 {
	b, s := int(id)/bv.Rows, int(id)%bv.Rows
	if b >= len(bv.Vecs) || (s+1)*bv.Dim > len(bv.Vecs[b]) {
		return nil
	}
	return bv.Vecs[b][s*bv.Dim : (s+1)*bv.Dim : (s+1)*bv.Dim]
}

// Row returns the key (valid only while the transaction is open) and the
// count of row id.
func (bv *BlockVectors) Row(id uint32) ([]byte, int64) {
	b := int(id) / bv.Rows
	v := bv.raw[b]
	return blockRow(v, len(bv.Norms[b]), bv.Dim, int(id)%bv.Rows)
}

// BlockVectors resolves the collection's vector blocks for use in place.
// It returns nil, nil when the collection has no blocks, when they are not
// current (see the layout notes) or when its row ids are not dense (a row
// was deleted), which readers then serve from the rows. A block that is
// missing or does not match its layout is an ErrCorrupt error. The result
// lives only as long as the transaction.
func (c *Coll) BlockVectors() (*BlockVectors, error) {
	if !littleEndian || unsafe.Sizeof(uintptr(0)) < 8 {
		return nil, nil
	}
	vb, vm, err := c.vblocks()
	if vb == nil || err != nil {
		return nil, err
	}
	m := c.meta
	if vm.version != m.Version || uint32(m.Rows) != m.NextID {
		return nil, nil
	}
	nb := (int(m.NextID) + vm.rows - 1) / vm.rows
	bv := &BlockVectors{Rows: vm.rows, Dim: vm.dim, Vecs: make([][]float32, nb), Norms: make([][]float32, nb)}
	for bn := 0; bn < nb; bn++ {
		v := vb.Get(blockKey(uint64(bn)))
		if v == nil {
			return nil, fmt.Errorf("%w: collection %s: vector block %d is missing", ErrCorrupt, m.Name, bn)
		}
		n, err := vbCheck(v, vm.rows, vm.dim)
		if err == nil && bn < nb-1 && n != vm.rows {
			err = fmt.Errorf("block has %d slots, not %d", n, vm.rows)
		}
		if err == nil && bn == nb-1 && bn*vm.rows+n != int(m.NextID) {
			err = fmt.Errorf("last block ends at row %d, the collection at %d", bn*vm.rows+n, m.NextID)
		}
		if err == nil {
			bits := v[vbHeader+4*n*vm.dim+4*n:]
			for s := 0; s < n; s++ {
				if bits[s/8]&(1<<(s%8)) == 0 {
					err = fmt.Errorf("row %d is absent, the collection has no deleted rows", bn*vm.rows+s)
					break
				}
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%w: collection %s: vector block %d: %v", ErrCorrupt, m.Name, bn, err)
		}
		f, copied := blockFloats(v[vbHeader : vbHeader+4*n*vm.dim+4*n])
		if copied {
			bv.Copied++
		}
		bv.raw = append(bv.raw, v)
		bv.Vecs[bn] = f[: n*vm.dim : n*vm.dim]
		bv.Norms[bn] = f[n*vm.dim : n*vm.dim+n : n*vm.dim+n]
	}
	return bv, nil
}

// blockFloats returns the little-endian float32 values of body: in place
// when body is 4-byte aligned, else a copy (copied true).
func blockFloats(body []byte) (f []float32, copied bool) {
	n := len(body) / 4
	if n == 0 {
		return nil, false
	}
	if uintptr(unsafe.Pointer(&body[0]))%4 == 0 {
		return unsafe.Slice((*float32)(unsafe.Pointer(&body[0])), n), false
	}
	f = make([]float32, n)
	copyVector(f, body)
	return f, true
}

// HasBlocks reports whether the collection keeps current vector blocks.
func (c *Coll) HasBlocks() bool {
	vb, vm, err := c.vblocks()
	return vb != nil && err == nil && vm.version == c.meta.Version
}

// buildVBlocks (re)writes the vector blocks of the collection m in the data
// bucket b from its rows, in one transaction (VACUUM's conversion of a
// collection of the earlier layout).
func buildVBlocks(btx *bolt.Tx, m *CollectionMeta) error {
	b := btx.Bucket([]byte(m.Bucket))
	if b == nil {
		return fmt.Errorf("%w: data of collection %s is missing", ErrCorrupt, m.Name)
	}
	if b.Bucket(subVBlocks) != nil {
		if err := b.DeleteBucket(subVBlocks); err != nil {
			return err
		}
	}
	if err := createVBlocks(b, m.Dim); err != nil {
		return err
	}
	vb := b.Bucket(subVBlocks)
	vb.FillPercent = 1.0
	rows := blockRows(m.Dim)
	dec := rowDecoder{dim: m.Dim}
	var bb *blockBuf
	cur := uint64(0)
	flush := func() error {
		if bb == nil || bb.n == 0 {
			return nil
		}
		return vb.Put(blockKey(cur), bb.encode(m.Dim))
	}
	raw := make([]float32, m.Dim)
	var r Row
	c := b.Bucket(subRows).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		id, ok := keyID(k)
		if !ok || id >= m.NextID {
			return fmt.Errorf("%w: collection %s: bad row id", ErrCorrupt, m.Name)
		}
		if err := dec.decode(id, v, &r, raw, false); err != nil {
			return err
		}
		if len(r.Key) > MaxKeyBytes {
			return fmt.Errorf("%w: collection %s: row %d has a key of %d bytes", ErrCorrupt, m.Name, id, len(r.Key))
		}
		bn := uint64(id) / uint64(rows)
		if bb == nil || bn != cur {
			if err := flush(); err != nil {
				return err
			}
			bb, cur = newBlockBuf(rows, m.Dim), bn
		}
		bb.set(int(id)%rows, &r, m.Metric, m.Dim)
	}
	if err := flush(); err != nil {
		return err
	}
	vm := vbMeta{rows: rows, dim: m.Dim, version: m.Version}
	return b.Put(subVBlockMeta, encodeVBMeta(vm))
}

// checkVBlocks verifies the vector blocks of a data bucket b that has
// them: the header record, every block's layout and checksum, and that the
// blocks hold exactly the search form of the rows' vectors (present slots
// for rows that exist, absent ones for the others). Blocks that are not
// current are a note-worthy state, not damage: readers ignore them.
func checkVBlocks(b, rows *bolt.Bucket, m *CollectionMeta, dec rowDecoder, add func(Problem)) {
	vb := b.Bucket(subVBlocks)
	if vb == nil {
		return
	}
	vm, err := decodeVBMeta(b.Get(subVBlockMeta))
	if err != nil {
		add(Problem{What: err.Error()})
		return
	}
	if vm.dim != m.Dim || vm.rows != blockRows(m.Dim) {
		add(Problem{What: fmt.Sprintf("vector blocks are laid out for dim %d, %d rows per block; the collection has dim %d", vm.dim, vm.rows, m.Dim)})
		return
	}
	if vm.version != m.Version {
		return // left behind by a writer that does not keep blocks; unused
	}
	bufs := map[uint64]*blockBuf{}
	c := vb.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != 8 || v == nil {
			add(Problem{What: fmt.Sprintf("vector block key %x is not a block number", k)})
			continue
		}
		bn := binary.BigEndian.Uint64(k)
		if bn*uint64(vm.rows) >= uint64(m.NextID) {
			add(Problem{What: fmt.Sprintf("vector block %d lies past the next id %d", bn, m.NextID)})
			continue
		}
		if _, err := vbCheck(v, vm.rows, vm.dim); err != nil {
			add(Problem{What: fmt.Sprintf("vector block %d: %v", bn, err)})
			continue
		}
		if binary.LittleEndian.Uint32(v[8:]) != vbSum(v) {
			add(Problem{What: fmt.Sprintf("vector block %d: checksum mismatch (block damaged)", bn)})
			continue
		}
		bb := newBlockBuf(vm.rows, vm.dim)
		bb.load(v, vm.rows, vm.dim)
		bufs[bn] = bb
	}
	want := make([]float32, m.Dim)
	seen := map[uint64]int{}
	rc := rows.Cursor()
	var r Row
	raw := make([]float32, m.Dim)
	for k, v := rc.First(); k != nil; k, v = rc.Next() {
		id, ok := keyID(k)
		if !ok || id >= m.NextID || dec.decode(id, v, &r, raw, false) != nil {
			continue // reported by checkRows
		}
		bn, s := uint64(id)/uint64(vm.rows), int(id)%vm.rows
		bb := bufs[bn]
		if bb == nil {
			if _, damaged := seen[bn]; !damaged && vb.Get(blockKey(bn)) == nil {
				add(Problem{ID: id, HasID: true, Key: r.Key, What: fmt.Sprintf("vector block %d is missing", bn)})
			}
			seen[bn] = -1
			continue
		}
		seen[bn]++
		nrm := searchForm(want, raw, m.Metric)
		if s >= bb.n || !bb.has[s] {
			add(Problem{ID: id, HasID: true, Key: r.Key, What: "row is absent from its vector block"})
			continue
		}
		same := bb.nrm[s] == nrm && bb.keys[s] == r.Key && bb.counts[s] == r.Count
		for i, x := range want {
			same = same && bb.vec[s*m.Dim+i] == x
		}
		if !same {
			add(Problem{ID: id, HasID: true, Key: r.Key, What: "vector block does not hold the row's key, count and vector"})
		}
	}
	for bn, bb := range bufs {
		n := 0
		for _, h := range bb.has[:bb.n] {
			if h {
				n++
			}
		}
		if n != seen[bn] {
			add(Problem{What: fmt.Sprintf("vector block %d holds %d rows, the rows bucket %d", bn, n, seen[bn])})
		}
	}
}
