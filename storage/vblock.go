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

// Vector blocks: a collection's vectors, stored once and laid out so that
// an opened database reads them in place from bbolt's memory map.
//
// A data bucket written by this release has a sub-bucket "vblocks" and a
// record "vblockmeta" beside it, and its row records hold no vector (see
// row.go). Block b holds the rows with ids b·R … b·R+R-1 (R, the rows per
// block, is a power of two chosen from the dimension so that a block is
// about 64 KiB; it is in vblockmeta):
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
// without reading the row records. The raw vector of a row is its search
// vector (the unit vector times the norm, for COSINE, corrected by the
// few units in the last place that the row record's vx gives): every
// reader gets it through vecReader.vector.
//
// Every key of the bucket is 8 bytes and every value a multiple of 8, and
// the 16-byte page header and 16-byte element headers of bbolt's leaf pages
// keep that: a value on its own leaf or overflow pages starts 8-byte
// aligned in the map, so the vectors (16 bytes in) are 4-byte aligned and
// are used as []float32 in place. Resolve checks the alignment of each
// block at run time and copies a block that is not aligned (a bucket
// small enough to be stored inline in its parent, say).
//
// vblockmeta: "VM02" | R uint32 LE | dim uint32 LE | 4 zero bytes |
// catalog version uint64 LE (written with the catalog record, for Check).
// A bucket of the earlier layout has no vblockmeta, or one with the magic
// "VM01" (blocks that repeated the vectors of its rows, from an unreleased
// build): its rows hold the vectors and its blocks are ignored. Files of
// format version 2 may hold buckets of both layouts; VACUUM converts every
// bucket to the block layout.
//
// Reads ignore the block checksums (as they do the row checksums); Check
// verifies them and compares every block with the rows.

var (
	subVBlocks    = []byte("vblocks")
	subVBlockMeta = []byte("vblockmeta")
	vbMagic       = [4]byte{'V', 'B', '0', '1'}
	vmMagic       = [4]byte{'V', 'M', '0', '2'}
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

// vbCheckVectors is vbCheck for a reader of vectors, norms and presence
// bits only: it checks the header and that the block is long enough for
// them (not the keys, which vbCheck walks), and returns the slot count.
func vbCheckVectors(v []byte, rows, dim int) (int, error) {
	if len(v) < vbHeader || [4]byte(v[:4]) != vbMagic {
		return 0, fmt.Errorf("bad block header")
	}
	n := int(binary.LittleEndian.Uint32(v[4:]))
	if n < 1 || n > rows {
		return 0, fmt.Errorf("block claims %d slots (at most %d)", n, rows)
	}
	if f := vbFixed(n, dim); len(v) < f {
		return 0, fmt.Errorf("block is %d bytes, %d slots need %d and their keys", len(v), n, f)
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

// extra returns the vx of slot s, which holds raw's search form.
func (bb *blockBuf) extra(s int, raw []float32, metric vec.Metric, dim int) []byte {
	return vectorExtra(raw, bb.vec[s*dim:(s+1)*dim], bb.nrm[s], metric)
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
// blocks of its data bucket match it, and makes the file's format version
// 2. It does nothing for a collection of the earlier layout.
func syncVBlocks(btx *bolt.Tx, m *CollectionMeta) error {
	b := btx.Bucket([]byte(m.Bucket))
	if b == nil || !inBlocks(b) {
		return nil
	}
	vm, err := decodeVBMeta(b.Get(subVBlockMeta))
	if err != nil {
		return err
	}
	vm.version = m.Version
	if err := b.Put(subVBlockMeta, encodeVBMeta(vm)); err != nil {
		return err
	}
	// The catalog names a bucket of the block layout: earlier releases
	// must refuse the file from now on.
	f := btx.Bucket(bucketFormat)
	if v := f.Get(keyVersion); len(v) == 4 && binary.BigEndian.Uint32(v) < FormatVersion {
		var nv [4]byte
		binary.BigEndian.PutUint32(nv[:], FormatVersion)
		return f.Put(keyVersion, nv[:])
	}
	return nil
}

// inBlocks reports whether the data bucket b keeps its vectors in blocks
// (the block layout) rather than in its row records.
func inBlocks(b *bolt.Bucket) bool {
	v := b.Get(subVBlockMeta)
	return len(v) >= 4 && [4]byte(v[:4]) == vmMagic
}

// vblocks returns the collection's block bucket and header, or nil when
// the collection keeps its vectors in its rows (the earlier layout).
func (c *Coll) vblocks() (*bolt.Bucket, vbMeta, error) {
	if !c.dec.blocks {
		return nil, vbMeta{}, nil
	}
	vb := c.b.Bucket(subVBlocks)
	if vb == nil {
		return nil, vbMeta{}, fmt.Errorf("%w: the vector blocks of %s are missing", ErrCorrupt, c.meta.Name)
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

// blockPut records row r (id) in its block (written at Save) and returns
// the vx that its record then holds (see vectorExtra).
func (c *Coll) blockPut(id uint32, r *Row) ([]byte, error) {
	vb, vm, err := c.vblocks()
	if vb == nil || err != nil {
		return nil, err
	}
	bb, err := c.blockFor(vb, vm, uint64(id)/uint64(vm.rows))
	if err != nil {
		return nil, err
	}
	s := int(id) % vm.rows
	bb.set(s, r, c.meta.Metric, vm.dim)
	return bb.extra(s, r.Vector, c.meta.Metric, vm.dim), nil
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
	c.vgen++
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

// EachRow calls fn with the id, key (valid only while the transaction is
// open) and count of every row, in id order.
func (bv *BlockVectors) EachRow(fn func(id uint32, key []byte, count int64)) {
	for b, v := range bv.raw {
		n := len(bv.Norms[b])
		f := vbFixed(n, bv.Dim)
		counts, offs := v[f-12*n:f-4*n], v[f-4*n:f]
		start := uint32(0)
		for s := 0; s < n; s++ {
			end := binary.LittleEndian.Uint32(offs[4*s:])
			fn(uint32(b*bv.Rows+s), v[f+int(start):f+int(end)], int64(binary.LittleEndian.Uint64(counts[8*s:])))
			start = end
		}
	}
}

// KeyBytes returns the length of all the keys together.
func (bv *BlockVectors) KeyBytes() int {
	t := 0
	for b, v := range bv.raw {
		f := vbFixed(len(bv.Norms[b]), bv.Dim)
		t += int(binary.LittleEndian.Uint32(v[f-4 : f]))
	}
	return t
}

// BlockVectors resolves the collection's vector blocks for use in place.
// It returns nil, nil when the collection has the earlier layout or when
// its row ids are not dense (a row was deleted), which readers then serve
// through Scan. A block that is
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
	if uint32(m.Rows) != m.NextID {
		return nil, nil
	}
	nb := (int(m.NextID) + vm.rows - 1) / vm.rows
	bv := &BlockVectors{Rows: vm.rows, Dim: vm.dim, Vecs: make([][]float32, nb), Norms: make([][]float32, nb),
		raw: make([][]byte, 0, nb)}
	// One cursor walks the blocks in key order (a Get per block would
	// search the B+tree from its root each time).
	cur := vb.Cursor()
	k, v := cur.First()
	for bn := 0; bn < nb; bn++ {
		for k != nil && (len(k) != 8 || binary.BigEndian.Uint64(k) < uint64(bn)) {
			k, v = cur.Next() // not the key of a block: skipped, as a Get would
		}
		if k == nil || len(k) != 8 || binary.BigEndian.Uint64(k) != uint64(bn) || v == nil {
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
				if s%8 == 0 && s+8 <= n && bits[s/8] == 0xff {
					s += 7 // eight rows present
					continue
				}
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
		k, v = cur.Next()
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

// HasBlocks reports whether the collection keeps its vectors in blocks
// (false: the earlier layout, converted by VACUUM).
func (c *Coll) HasBlocks() bool { return c.dec.blocks }

// checkVBlocks verifies the vector blocks of a data bucket b of the block
// layout: the header record, every block's layout and checksum, that the
// present slots are exactly the rows (with their keys and counts), and
// that every row's vector, rebuilt from its block and record, is finite.
// A bucket of the earlier layout has its vectors in its rows (checkRows);
// blocks beside them are ignored and only noted.
func checkVBlocks(b, rows *bolt.Bucket, m *CollectionMeta, dec rowDecoder, add func(Problem)) {
	if !dec.blocks {
		return
	}
	vb := b.Bucket(subVBlocks)
	if vb == nil {
		add(Problem{What: "the vector blocks are missing"})
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
		add(Problem{What: fmt.Sprintf("vector block header is of catalog version %d, the catalog %d", vm.version, m.Version)})
	}
	bufs := map[uint64]*blockBuf{}
	damaged := map[uint64]bool{}
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
			damaged[bn] = true
			continue
		}
		if binary.LittleEndian.Uint32(v[8:]) != vbSum(v) {
			add(Problem{What: fmt.Sprintf("vector block %d: checksum mismatch (block damaged)", bn)})
			damaged[bn] = true
			continue
		}
		bb := newBlockBuf(vm.rows, vm.dim)
		bb.load(v, vm.rows, vm.dim)
		bufs[bn] = bb
	}
	seen := map[uint64]int{}
	rc := rows.Cursor()
	var r Row
	raw := make([]float32, m.Dim)
	for k, v := rc.First(); k != nil; k, v = rc.Next() {
		id, ok := keyID(k)
		if !ok || id >= m.NextID {
			continue // reported by checkRows
		}
		vx, err := dec.decode(id, v, &r, false)
		if err != nil {
			continue // reported by checkRows
		}
		bn, s := uint64(id)/uint64(vm.rows), int(id)%vm.rows
		bb := bufs[bn]
		if bb == nil {
			if !damaged[bn] && vb.Get(blockKey(bn)) == nil {
				add(Problem{ID: id, HasID: true, Key: r.Key, What: fmt.Sprintf("vector block %d is missing", bn)})
			}
			continue
		}
		if s >= bb.n || !bb.has[s] {
			add(Problem{ID: id, HasID: true, Key: r.Key, What: "row is absent from its vector block"})
			continue
		}
		seen[bn]++
		if bb.keys[s] != r.Key || bb.counts[s] != r.Count {
			add(Problem{ID: id, HasID: true, Key: r.Key, What: "vector block does not hold the row's key and count"})
			continue
		}
		copy(raw, bb.vec[s*m.Dim:(s+1)*m.Dim])
		if err := applyExtra(raw, bb.nrm[s], vx, m.Metric); err != nil {
			add(Problem{ID: id, HasID: true, Key: r.Key, What: "vector: " + err.Error()})
			continue
		}
		if !finite(raw) {
			add(Problem{ID: id, HasID: true, Key: r.Key, What: "vector holds NaN or Inf"})
			continue
		}
		// The block's search form is what the vector gives (a damaged
		// norm or unit vector that still passed the checksum cannot, but
		// a mismatch would mislead every search).
		want := make([]float32, m.Dim)
		if nrm := searchForm(want, raw, m.Metric); nrm != bb.nrm[s] && !closeNorm(nrm, bb.nrm[s]) {
			add(Problem{ID: id, HasID: true, Key: r.Key, What: "vector block's norm does not match the vector"})
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

// closeNorm reports whether two norms of one vector agree to float32
// rounding (another machine's dot product kernel may round differently).
func closeNorm(a, b float32) bool {
	d := math.Abs(float64(a) - float64(b))
	return d <= 1e-5*math.Max(math.Abs(float64(a)), math.Abs(float64(b)))
}

// vx: what a row record of the block layout says about its vector. The
// block holds the search form of the raw vector r: r itself for L2 and
// DOT, and for COSINE the unit vector u = r·(1/n) and the norm n. u·n,
// rounded to float32, is r within a unit or two in the last place (ulp)
// in most elements, so a COSINE record carries the difference of the
// float32 bit patterns, element by element, in as few bits as it needs:
//
//	empty                 u·n is r exactly (always so for L2 and DOT)
//	0x02 | dim × 2 bits   r's bits = (u·n)'s bits + code − 2 (−2 … +1)
//	0x04 | dim × 4 bits   r's bits = (u·n)'s bits + code − 8 (−8 … +7)
//	0x20 | dim × float32  r itself (a difference larger than that)
//
// codes packed from the low bits of each byte up. At dim 100 that is 26
// bytes a row (the 2-bit form covers about 97% of vectors), against the
// 400 of the vector. The products are single float32 multiplications, so
// every platform rebuilds the same bits.
const (
	vx2   = 0x02
	vx4   = 0x04
	vxRaw = 0x20
)

// vectorExtra returns the vx of raw, whose search form u and norm n a
// block holds.
func vectorExtra(raw, u []float32, n float32, metric vec.Metric) []byte {
	if metric != vec.Cosine {
		return nil
	}
	lo, hi := int32(0), int32(0)
	for i, x := range raw {
		d := int32(math.Float32bits(x) - math.Float32bits(u[i]*n))
		lo, hi = min(lo, d), max(hi, d)
	}
	var bits int
	switch {
	case lo == 0 && hi == 0:
		return nil
	case lo >= -2 && hi <= 1:
		bits = 2
	case lo >= -8 && hi <= 7:
		bits = 4
	default:
		out := make([]byte, 1, 1+4*len(raw))
		out[0] = vxRaw
		for _, x := range raw {
			out = binary.LittleEndian.AppendUint32(out, math.Float32bits(x))
		}
		return out
	}
	off := int32(1) << (bits - 1)
	out := make([]byte, 1+(len(raw)*bits+7)/8)
	out[0] = byte(bits)
	for i, x := range raw {
		code := byte(int32(math.Float32bits(x)-math.Float32bits(u[i]*n)) + off)
		p := i * bits
		out[1+p/8] |= code << (p % 8)
	}
	return out
}

// applyExtra turns dst, holding a row's search form, into its raw vector,
// given the block's norm n and the record's vx.
func applyExtra(dst []float32, n float32, vx []byte, metric vec.Metric) error {
	if metric != vec.Cosine {
		if len(vx) != 0 {
			return fmt.Errorf("a %s row has vector corrections", metric)
		}
		return nil
	}
	if len(vx) == 0 {
		for i := range dst {
			dst[i] *= n
		}
		return nil
	}
	switch bits := int(vx[0]); bits {
	case vx2, vx4:
		if len(vx) != 1+(len(dst)*bits+7)/8 {
			return fmt.Errorf("vector corrections are %d bytes, want %d", len(vx), 1+(len(dst)*bits+7)/8)
		}
		off := uint32(1) << (bits - 1)
		mask := byte(1)<<bits - 1
		for i := range dst {
			p := i * bits
			code := uint32(vx[1+p/8] >> (p % 8) & mask)
			dst[i] = math.Float32frombits(math.Float32bits(dst[i]*n) + code - off)
		}
	case vxRaw:
		if len(vx) != 1+4*len(dst) {
			return fmt.Errorf("stored vector is %d bytes, want %d", len(vx)-1, 4*len(dst))
		}
		copyVector(dst, vx[1:])
	default:
		return fmt.Errorf("unknown vector correction form %#x", vx[0])
	}
	return nil
}

// vecReader is the one way to a row's raw vector: from its record in the
// earlier layout, from its block and record in the block layout. It
// remembers the last block it checked (Scan reads rows in block order).
type vecReader struct {
	dim    int
	metric vec.Metric
	name   string
	blocks bool
	vb     *bolt.Bucket
	vm     vbMeta
	coll   *Coll // for the blocks changed in its write transaction, or nil
	// the last block read from the bucket
	cached bool
	bn     uint64
	gen    uint64
	v      []byte
	n      int
}

// reader returns a vecReader for the collection's rows.
func (c *Coll) reader() (*vecReader, error) {
	vr := &vecReader{dim: c.meta.Dim, metric: c.meta.Metric, name: c.meta.Name, blocks: c.dec.blocks, coll: c}
	if vr.blocks {
		var err error
		if vr.vb, vr.vm, err = c.vblocks(); err != nil {
			return nil, err
		}
	}
	return vr, nil
}

// newVecReader returns a vecReader for the rows of data bucket b of the
// collection m, outside a Coll (Check).
func newVecReader(b *bolt.Bucket, m *CollectionMeta) (*vecReader, error) {
	vr := &vecReader{dim: m.Dim, metric: m.Metric, name: m.Name, blocks: inBlocks(b)}
	if !vr.blocks {
		return vr, nil
	}
	vm, err := decodeVBMeta(b.Get(subVBlockMeta))
	if err != nil {
		return nil, err
	}
	if vm.dim != m.Dim {
		return nil, fmt.Errorf("%w: vector blocks of %s have dim %d, the collection %d", ErrCorrupt, m.Name, vm.dim, m.Dim)
	}
	vr.vb, vr.vm = b.Bucket(subVBlocks), vm
	if vr.vb == nil {
		return nil, fmt.Errorf("%w: the vector blocks of %s are missing", ErrCorrupt, m.Name)
	}
	return vr, nil
}

// vector returns the raw vector of row id, whose record's vector part
// (rowDecoder.decode) is vpart, in dst (allocated when nil). A block that
// is missing, damaged in its layout or without the row is ErrCorrupt.
func (vr *vecReader) vector(id uint32, vpart []byte, dst []float32) ([]float32, error) {
	if dst == nil {
		dst = make([]float32, vr.dim)
	}
	dst = dst[:vr.dim]
	if !vr.blocks {
		copyVector(dst, vpart)
		return dst, nil
	}
	rows := uint64(vr.vm.rows)
	bn, s := uint64(id)/rows, int(uint64(id)%rows)
	var n float32
	if bb := vr.dirty(bn); bb != nil {
		if s >= bb.n || !bb.has[s] {
			return nil, vr.corrupt(id, "row is absent from its vector block")
		}
		copy(dst, bb.vec[s*vr.dim:(s+1)*vr.dim])
		n = bb.nrm[s]
	} else {
		if !vr.cached || vr.bn != bn || (vr.coll != nil && vr.gen != vr.coll.vgen) {
			vr.cached = false
			v := vr.vb.Get(blockKey(bn))
			if v == nil {
				return nil, vr.corrupt(id, fmt.Sprintf("vector block %d is missing", bn))
			}
			nb, err := vbCheckVectors(v, vr.vm.rows, vr.dim)
			if err != nil {
				return nil, vr.corrupt(id, fmt.Sprintf("vector block %d: %v", bn, err))
			}
			vr.cached, vr.bn, vr.v, vr.n = true, bn, v, nb
			if vr.coll != nil {
				vr.gen = vr.coll.vgen
			}
		}
		v, nb := vr.v, vr.n
		if s >= nb || v[vbHeader+4*nb*vr.dim+4*nb+s/8]&(1<<(s%8)) == 0 {
			return nil, vr.corrupt(id, "row is absent from its vector block")
		}
		copyVector(dst, v[vbHeader+4*s*vr.dim:])
		n = math.Float32frombits(binary.LittleEndian.Uint32(v[vbHeader+4*nb*vr.dim+4*s:]))
	}
	if err := applyExtra(dst, n, vpart, vr.metric); err != nil {
		return nil, vr.corrupt(id, err.Error())
	}
	return dst, nil
}

func (vr *vecReader) dirty(bn uint64) *blockBuf {
	if vr.coll == nil {
		return nil
	}
	return vr.coll.vdirty[bn]
}

func (vr *vecReader) corrupt(id uint32, what string) error {
	return fmt.Errorf("%w: collection %s: row %d: %s", ErrCorrupt, vr.name, id, what)
}
