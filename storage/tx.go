package storage

import (
	"bytes"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/vecdb/vecdb/internal/errdefs"
)

// Tx is a transaction over the database. A Tx from View must not be used to
// write. A Tx is not safe for concurrent use.
type Tx struct {
	btx *bolt.Tx
	db  *DB
}

// Writable reports whether the transaction may write.
func (tx *Tx) Writable() bool { return tx.btx.Writable() }

// Collections returns the catalog records of every collection, sorted by name.
func (tx *Tx) Collections() ([]*CollectionMeta, error) {
	var out []*CollectionMeta
	err := tx.btx.Bucket(bucketCatalog).ForEach(func(k, v []byte) error {
		m, err := decodeMeta(v)
		if err != nil {
			return err
		}
		out = append(out, m)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// Names returns the names of every collection, sorted.
func (tx *Tx) Names() []string {
	var out []string
	tx.btx.Bucket(bucketCatalog).ForEach(func(k, _ []byte) error {
		out = append(out, string(k))
		return nil
	})
	return out
}

// Collection opens the named collection within the transaction.
func (tx *Tx) Collection(name string) (*Coll, error) {
	v := tx.btx.Bucket(bucketCatalog).Get([]byte(name))
	if v == nil {
		return nil, fmt.Errorf("%w: %s", ErrCollectionNotFound, name)
	}
	m, err := decodeMeta(v)
	if err != nil {
		return nil, err
	}
	b := tx.btx.Bucket([]byte(m.Bucket))
	if b == nil || b.Bucket(subKeys) == nil || b.Bucket(subRows) == nil {
		return nil, fmt.Errorf("%w: data of collection %s is missing", ErrCorrupt, name)
	}
	return &Coll{tx: tx, meta: m, b: b, keys: b.Bucket(subKeys), rows: b.Bucket(subRows),
		dec: rowDecoder{dim: m.Dim, fields: m.Fields, blocks: inBlocks(b)}}, nil
}

// CreateCollection adds an empty collection described by m (Name, Dim,
// Metric, Fields, Params, Source, Index; the rest is filled in).
func (tx *Tx) CreateCollection(m *CollectionMeta) (*Coll, error) {
	if !tx.Writable() {
		return nil, ErrReadOnly
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	cat := tx.btx.Bucket(bucketCatalog)
	if cat.Get([]byte(m.Name)) != nil {
		return nil, fmt.Errorf("%w: %s", ErrCollectionExists, m.Name)
	}
	name, _, err := newDataBucket(tx.btx, m.Dim)
	if err != nil {
		return nil, err
	}
	m = m.Clone()
	m.Bucket = name
	m.Rows, m.NextID = 0, 0
	now := time.Now().UTC().Truncate(time.Second)
	m.Created, m.Updated = now, now
	if err := tx.putMeta(m); err != nil {
		return nil, err
	}
	return tx.Collection(m.Name)
}

// DropCollection removes a collection and all its data.
func (tx *Tx) DropCollection(name string) error {
	if !tx.Writable() {
		return ErrReadOnly
	}
	c, err := tx.Collection(name)
	if err != nil {
		return err
	}
	if err := tx.btx.DeleteBucket([]byte(c.meta.Bucket)); err != nil {
		return err
	}
	return tx.btx.Bucket(bucketCatalog).Delete([]byte(name))
}

func (tx *Tx) putMeta(m *CollectionMeta) error {
	m.Version++
	b, err := encodeMeta(m)
	if err != nil {
		return err
	}
	if err := syncVBlocks(tx.btx, m); err != nil {
		return err
	}
	return tx.btx.Bucket(bucketCatalog).Put([]byte(m.Name), b)
}

// Coll is a collection seen through one transaction.
type Coll struct {
	tx             *Tx
	meta           *CollectionMeta
	b              *bolt.Bucket
	keys, rows     *bolt.Bucket
	dec            rowDecoder
	dirty          bool
	putIDs, delIDs []uint32 // row ids written and deleted in this transaction
	// vdirty holds the vector blocks changed in this transaction, written
	// by Save (vblock.go); vgen counts those writes.
	vdirty map[uint64]*blockBuf
	vgen   uint64
}

// Changes returns the ids of rows written (inserted or updated) and deleted
// through this Coll, in call order, so that an index can follow them in the
// same transaction.
func (c *Coll) Changes() (put, deleted []uint32) { return c.putIDs, c.delIDs }

// Meta returns the collection's catalog record as of this transaction. The
// caller must not modify it; use SetParams and friends.
func (c *Coll) Meta() *CollectionMeta { return c.meta }

// ID returns the row id of key.
func (c *Coll) ID(key string) (uint32, bool) {
	return keyID(c.keys.Get([]byte(key)))
}

// Get returns the row of key.
func (c *Coll) Get(key string) (*Row, error) {
	id, ok := c.ID(key)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrKeyNotFound, key)
	}
	return c.GetID(id)
}

// GetID returns the row with the given id.
func (c *Coll) GetID(id uint32) (*Row, error) {
	v := c.rows.Get(idKey(id))
	if v == nil {
		return nil, fmt.Errorf("%w: row id %d", ErrKeyNotFound, id)
	}
	r := new(Row)
	vpart, err := c.dec.decode(id, v, r, true)
	if err != nil {
		return nil, err
	}
	vr, err := c.reader()
	if err != nil {
		return nil, err
	}
	if r.Vector, err = vr.vector(id, vpart, nil); err != nil {
		return nil, err
	}
	return r, nil
}

// ScanOptions select what Scan decodes.
type ScanOptions struct {
	NoVector bool // leave Row.Vector nil (faster when only keys are needed)
	NoMeta   bool // leave Row.Meta nil
	Output   bool // fill Row.Output from the stored output weights (nil when none)
	// Reuse lets Scan decode every row into the same Row and vector buffer;
	// fn must then copy what it keeps.
	Reuse bool
}

// Scan calls fn for every row in id (frequency) order until fn returns false
// or an error.
func (c *Coll) Scan(opts ScanOptions, fn func(r *Row) (bool, error)) error {
	cur := c.rows.Cursor()
	var buf []float32
	var r Row
	vr, err := c.reader()
	if err != nil {
		return err
	}
	first, prev := true, uint32(0)
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		id, ok := keyID(k)
		if !ok {
			return fmt.Errorf("%w: bad row id", ErrCorrupt)
		}
		// Callers index tables by id and binary-search the ids: a damaged
		// key that breaks the order, or an id the catalog never issued, is
		// corruption, reported here rather than met as an index panic.
		if (!first && id <= prev) || id >= c.meta.NextID {
			return fmt.Errorf("%w: collection %s: row id %d is out of order or not below the next id %d", ErrCorrupt, c.meta.Name, id, c.meta.NextID)
		}
		first, prev = false, id
		if !opts.Reuse {
			r = Row{}
			buf = nil
		} else if buf == nil {
			buf = make([]float32, c.meta.Dim)
		}
		vpart, err := c.dec.decode(id, v, &r, !opts.NoMeta)
		if err != nil {
			return err
		}
		if !opts.NoVector {
			if r.Vector, err = vr.vector(id, vpart, buf); err != nil {
				return err
			}
		}
		if opts.Output {
			r.Output = c.Output(id)
		}
		more, err := fn(&r)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

func (c *Coll) checkRow(r *Row) error {
	if len(r.Key) > MaxKeyBytes {
		return errdefs.KeyTooLong(r.Key)
	}
	if len(r.Vector) != c.meta.Dim {
		return fmt.Errorf("%w: key %q has %d values, collection %s has DIM %d", ErrDimension, r.Key, len(r.Vector), c.meta.Name, c.meta.Dim)
	}
	if !finite(r.Vector) {
		return fmt.Errorf("vector for key %q contains NaN or Inf", r.Key)
	}
	if r.Key == "" {
		return fmt.Errorf("empty key")
	}
	if len(r.Meta) > len(c.meta.Fields) {
		return fmt.Errorf("key %q has %d metadata values, collection %s has %d fields", r.Key, len(r.Meta), c.meta.Name, len(c.meta.Fields))
	}
	return nil
}

// Insert adds a new row and returns its id. It fails with ErrDuplicateKey
// when the key exists.
func (c *Coll) Insert(r *Row) (uint32, error) {
	if _, ok := c.ID(r.Key); ok {
		return 0, fmt.Errorf("%w: %q is already in %s", ErrDuplicateKey, r.Key, c.meta.Name)
	}
	return c.put(r, c.meta.NextID, true, true)
}

// Upsert inserts r or replaces the vector, count and metadata of the row
// with the same key (its id is kept). It returns the id and whether the row
// was new.
func (c *Coll) Upsert(r *Row) (uint32, bool, error) {
	if id, ok := c.ID(r.Key); ok {
		_, err := c.put(r, id, false, true)
		return id, false, err
	}
	id, err := c.put(r, c.meta.NextID, true, true)
	return id, true, err
}

// put writes r's record under id; vector says whether its vector may have
// changed, which puts the id in Changes for the index to follow.
func (c *Coll) put(r *Row, id uint32, isNew, vector bool) (uint32, error) {
	if !c.tx.Writable() {
		return 0, ErrReadOnly
	}
	if err := c.checkRow(r); err != nil {
		return 0, err
	}
	if isNew && id == ^uint32(0) {
		return 0, fmt.Errorf("collection %s is full (2^32-1 rows)", c.meta.Name)
	}
	var rec []byte
	var err error
	switch {
	case !c.dec.blocks:
		rec, err = appendRow(nil, r, c.meta.Fields)
	case vector:
		var vx []byte
		if vx, err = c.blockPut(id, r); err == nil {
			rec, err = appendRowVX(nil, r, c.meta.Fields, vx)
		}
	default:
		// The vector, key and count are those in the block already: the
		// record keeps its vx.
		var vx []byte
		if vx, err = c.recordExtra(id); err == nil {
			rec, err = appendRowVX(nil, r, c.meta.Fields, vx)
		}
	}
	if err != nil {
		return 0, err
	}
	if err := c.rows.Put(idKey(id), rec); err != nil {
		return 0, err
	}
	if vector {
		c.putIDs = append(c.putIDs, id)
	}
	if isNew {
		if err := c.keys.Put([]byte(r.Key), idKey(id)); err != nil {
			return 0, err
		}
		c.meta.NextID = id + 1
		c.meta.Rows++
	}
	c.dirty = true
	return id, nil
}

// recordExtra returns a copy of the vx of row id's record (block layout).
func (c *Coll) recordExtra(id uint32) ([]byte, error) {
	v := c.rows.Get(idKey(id))
	if v == nil {
		return nil, fmt.Errorf("%w: row id %d", ErrKeyNotFound, id)
	}
	var r Row
	vx, err := c.dec.decode(id, v, &r, false)
	return append([]byte(nil), vx...), err
}

// SetMeta replaces the metadata values of the row with the given id.
func (c *Coll) SetMeta(id uint32, meta []any) error {
	r, err := c.GetID(id)
	if err != nil {
		return err
	}
	r.Meta = meta
	// The vector is unchanged: the index has nothing to redo (an IMPORT
	// METADATA of 15k rows re-inserted every node, 0.06 s → 9 s).
	_, err = c.put(r, id, false, false)
	return err
}

// Delete removes the row of key. It returns ErrKeyNotFound when absent.
func (c *Coll) Delete(key string) (uint32, error) {
	if !c.tx.Writable() {
		return 0, ErrReadOnly
	}
	id, ok := c.ID(key)
	if !ok {
		return 0, fmt.Errorf("%w: %q", ErrKeyNotFound, key)
	}
	if err := c.keys.Delete([]byte(key)); err != nil {
		return 0, err
	}
	if err := c.rows.Delete(idKey(id)); err != nil {
		return 0, err
	}
	if ob := c.b.Bucket(subOutput); ob != nil {
		if err := ob.Delete(idKey(id)); err != nil {
			return 0, err
		}
	}
	if err := c.blockDrop(id); err != nil {
		return 0, err
	}
	c.meta.Rows--
	c.dirty = true
	c.delIDs = append(c.delIDs, id)
	return id, nil
}

// AddField appends a metadata field. Existing rows read it as NULL.
func (c *Coll) AddField(f Field) error {
	m := c.meta.Clone()
	m.Fields = append(m.Fields, f)
	if err := m.Validate(); err != nil {
		return err
	}
	c.meta.Fields = m.Fields
	c.dec.fields = m.Fields
	c.dirty = true
	return nil
}

// SetParams replaces the collection's parameter record (training settings
// and the like) and its Source line.
func (c *Coll) SetParams(params map[string]string, source string) {
	c.meta.Params = params
	c.meta.Source = source
	c.dirty = true
}

// SetIndexConfig records (or, with nil, removes) the index configuration. The
// caller also writes or clears the graph with IndexPut / IndexClear.
func (c *Coll) SetIndexConfig(ix *IndexConfig) {
	c.meta.Index = ix
	c.dirty = true
}

// Save writes the catalog record if anything changed. The db layer calls it
// once at the end of a write transaction.
func (c *Coll) Save() error {
	if !c.dirty {
		return nil
	}
	if err := c.flushBlocks(); err != nil {
		return err
	}
	c.meta.Updated = time.Now().UTC().Truncate(time.Second)
	c.dirty = false
	return c.tx.putMeta(c.meta)
}

// KeysWithPrefix returns up to limit keys that start with prefix, in byte
// order (bbolt keeps keys sorted, so this is a range scan).
func (c *Coll) KeysWithPrefix(prefix string, limit int) []string {
	var out []string
	cur := c.keys.Cursor()
	p := []byte(prefix)
	for k, _ := cur.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = cur.Next() {
		out = append(out, string(k))
		if limit > 0 && len(out) >= limit {
			break
		}
	}
	return out
}

// IndexPut stores the graph record of one node.
func (c *Coll) IndexPut(id uint32, rec []byte) error {
	if err := c.dropSegment(); err != nil {
		return err
	}
	b, err := c.b.CreateBucketIfNotExists(subHNSW)
	if err != nil {
		return err
	}
	return b.Put(idKey(id), rec)
}

// IndexDelete removes the graph record of one node.
func (c *Coll) IndexDelete(id uint32) error {
	if err := c.dropSegment(); err != nil {
		return err
	}
	if b := c.b.Bucket(subHNSW); b != nil {
		return b.Delete(idKey(id))
	}
	return nil
}

// IndexPutMeta stores the graph's own header record. Like IndexPut and
// IndexDelete it deletes the graph segment (segment.go), which no longer
// matches: IndexPutSegment writes a new one.
func (c *Coll) IndexPutMeta(rec []byte) error {
	if err := c.dropSegment(); err != nil {
		return err
	}
	return c.b.Put(subHNSWMeta, rec)
}

// IndexMeta returns the graph's header record, or nil when there is none.
func (c *Coll) IndexMeta() []byte {
	if v := c.b.Get(subHNSWMeta); v != nil {
		return append([]byte(nil), v...)
	}
	return nil
}

// IndexScan calls fn with every node record in id order. rec is only valid
// during the call.
func (c *Coll) IndexScan(fn func(id uint32, rec []byte) error) error {
	b := c.b.Bucket(subHNSW)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		id, ok := keyID(k)
		if !ok {
			return fmt.Errorf("%w: bad index node id", ErrCorrupt)
		}
		return fn(id, v)
	})
}

// IndexNodes returns the number of stored graph nodes.
func (c *Coll) IndexNodes() int {
	if b := c.b.Bucket(subHNSW); b != nil {
		return b.Stats().KeyN
	}
	return 0
}

// IndexClear removes the whole graph.
func (c *Coll) IndexClear() error {
	if err := c.dropSegment(); err != nil {
		return err
	}
	if c.b.Bucket(subHNSW) != nil {
		if err := c.b.DeleteBucket(subHNSW); err != nil {
			return err
		}
	}
	if c.b.Get(subHNSWMeta) != nil {
		return c.b.Delete(subHNSWMeta)
	}
	return nil
}

// Output returns the stored output weights of a row, or nil when it has
// none (collections that were imported rather than trained).
func (c *Coll) Output(id uint32) []float32 {
	ob := c.b.Bucket(subOutput)
	if ob == nil {
		return nil
	}
	v, ok := decodeVector(ob.Get(idKey(id)), c.meta.Dim)
	if !ok {
		return nil
	}
	return v
}

// HasOutput reports whether the collection stores output weights.
func (c *Coll) HasOutput() bool { return c.b.Bucket(subOutput) != nil }

// SetOutput stores the output weights of the row with the given id (a row
// added outside training, such as a cold-start item, gets them so that the
// collection can still be trained further).
func (c *Coll) SetOutput(id uint32, out []float32) error {
	if !c.tx.Writable() {
		return ErrReadOnly
	}
	if len(out) != c.meta.Dim {
		return fmt.Errorf("%w: output weights have %d values, want %d", ErrDimension, len(out), c.meta.Dim)
	}
	if !finite(out) {
		return fmt.Errorf("output weights hold NaN or Inf")
	}
	if c.rows.Get(idKey(id)) == nil {
		return fmt.Errorf("%w: no row with id %d in %s", ErrKeyNotFound, id, c.meta.Name)
	}
	ob, err := c.b.CreateBucketIfNotExists(subOutput)
	if err != nil {
		return err
	}
	c.dirty = true
	return ob.Put(idKey(id), encodeVector(out))
}
