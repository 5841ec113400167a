package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// IndexWriter writes a complete new graph for an existing collection aside,
// in chunked transactions, and swaps it in with Commit in one transaction.
// Until then readers see the previous graph (or none); a failed, cancelled
// or killed build leaves an orphan bucket that Abort or the next writable
// Open removes. It is not safe for concurrent use.
type IndexWriter struct {
	db     *DB
	coll   string
	bucket string
	batch  []idxRec
	done   bool
	ver    uint64 // the collection's catalog version after Commit
}

type idxRec struct {
	id  uint32
	rec []byte
}

// NewIndexWriter starts writing a new graph for the named collection.
func (db *DB) NewIndexWriter(coll string) (*IndexWriter, error) {
	if db.readOnly {
		return nil, ErrReadOnly
	}
	w := &IndexWriter{db: db, coll: coll}
	err := db.boltUpdate(func(tx *bolt.Tx) error {
		name, b, err := newDataBucket(tx, 0)
		if err != nil {
			return err
		}
		w.bucket = name
		_, err = b.CreateBucket(subHNSW)
		return err
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// Put adds one node record; rec is copied.
func (w *IndexWriter) Put(id uint32, rec []byte) error {
	w.batch = append(w.batch, idxRec{id, append([]byte(nil), rec...)})
	if len(w.batch) >= ChunkRows {
		return w.flush()
	}
	return nil
}

func (w *IndexWriter) flush() error {
	if len(w.batch) == 0 {
		return nil
	}
	err := w.db.boltUpdate(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(w.bucket))
		if b == nil {
			return fmt.Errorf("index build bucket vanished")
		}
		h := b.Bucket(subHNSW)
		h.FillPercent = 0.9
		for _, r := range w.batch {
			if err := h.Put(idKey(r.id), r.rec); err != nil {
				return err
			}
		}
		return nil
	})
	w.batch = w.batch[:0]
	return err
}

// Commit swaps the new graph in: in one transaction it checks that the
// collection still has the catalog version expected (so the graph indexes
// exactly the rows it was built from), replaces its graph and header record
// and records cfg as the collection's index configuration.
func (w *IndexWriter) Commit(ctx context.Context, meta []byte, cfg *IndexConfig, expectVersion uint64) error {
	if w.done {
		return fmt.Errorf("index writer already finished")
	}
	if err := ctx.Err(); err != nil {
		w.Abort()
		return err
	}
	if err := w.flush(); err != nil {
		w.Abort()
		return err
	}
	err := w.db.boltUpdate(func(btx *bolt.Tx) error {
		tx := &Tx{btx: btx, db: w.db}
		c, err := tx.Collection(w.coll)
		if err != nil {
			return err
		}
		if c.meta.Version != expectVersion {
			return fmt.Errorf("collection %s changed while its index was built; try again", w.coll)
		}
		if err := c.IndexClear(); err != nil {
			return err
		}
		tmp := btx.Bucket([]byte(w.bucket))
		if err := tmp.MoveBucket(subHNSW, c.b); err != nil {
			return err
		}
		if err := c.IndexPutMeta(meta); err != nil {
			return err
		}
		// The segment (PutSegment) comes in with the records, in this
		// transaction: a crash leaves both or neither.
		if tmp.Bucket(subHNSWSeg) != nil {
			if err := tmp.MoveBucket(subHNSWSeg, c.b); err != nil {
				return err
			}
		}
		c.SetIndexConfig(cfg)
		if err := c.Save(); err != nil {
			return err
		}
		w.ver = c.meta.Version
		return btx.DeleteBucket([]byte(w.bucket))
	})
	if err != nil {
		w.Abort()
		return err
	}
	w.done = true
	return nil
}

// Version returns the collection's catalog version after a successful
// Commit (the version whose rows the new graph indexes), 0 before.
func (w *IndexWriter) Version() uint64 {
	if !w.done {
		return 0
	}
	return w.ver
}

// Abort discards the partial graph.
func (w *IndexWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	return w.db.boltUpdate(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte(w.bucket)) != nil {
			return tx.DeleteBucket([]byte(w.bucket))
		}
		return nil
	})
}

// PutIndexNode stores a graph node record in the new copy (the graph of a
// collection loaded together with its rows); rec is copied. Records are
// written with the next chunk of rows, or at Commit.
func (l *Loader) PutIndexNode(id uint32, rec []byte) error {
	if err := l.flush(); err != nil {
		return err
	}
	l.idx = append(l.idx, idxRec{id, append([]byte(nil), rec...)})
	if len(l.idx) >= ChunkRows {
		return l.flushIndex()
	}
	return nil
}

// SetIndex records the new copy's index configuration and graph header;
// PutIndexNode supplies the nodes.
func (l *Loader) SetIndex(cfg *IndexConfig, meta []byte) {
	l.meta.Index = cfg
	l.idxMeta = append([]byte(nil), meta...)
}

func (l *Loader) flushIndex() error {
	if len(l.idx) == 0 && l.idxMeta == nil {
		return nil
	}
	err := l.db.boltUpdate(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(l.bucket))
		if b == nil {
			return fmt.Errorf("load bucket vanished")
		}
		h, err := b.CreateBucketIfNotExists(subHNSW)
		if err != nil {
			return err
		}
		h.FillPercent = 0.9
		for _, r := range l.idx {
			if err := h.Put(idKey(r.id), r.rec); err != nil {
				return err
			}
		}
		if l.idxMeta != nil {
			return b.Put(subHNSWMeta, l.idxMeta)
		}
		return nil
	})
	l.idx = l.idx[:0]
	return err
}

// ErrStale is returned by NodeReader.Node when the collection is no longer
// in the state the reader was made from (a write, a new index or a bulk
// load committed since): the caller's graph is not the file's any more.
var ErrStale = errors.New("storage: the collection changed since its graph was opened")

// NodeReader reads the graph node records of a collection after the
// transaction that made it, one short read transaction per record, as long
// as the collection stays in that transaction's state. A lazily loaded
// graph fetches its nodes through it; no byte of the map outlives the
// call. It is safe for concurrent use.
type NodeReader struct {
	db     *DB
	name   []byte
	stamp  []byte // the catalog record of that state
	bucket []byte
}

// NodeReader returns a reader of the graph records of this state of the
// collection.
func (c *Coll) NodeReader() *NodeReader {
	name := []byte(c.meta.Name)
	return &NodeReader{
		db:     c.tx.db,
		name:   name,
		stamp:  bytes.Clone(c.tx.btx.Bucket(bucketCatalog).Get(name)),
		bucket: []byte(c.meta.Bucket),
	}
}

// Nodes sets recs[i] to a copy of the record of graph node ids[i], all
// read in one transaction: ErrStale when the collection changed since the
// reader was made, ErrCorrupt when a node has no record. The copies share
// one new buffer; ids in increasing order (a fill in id order) are read
// with one cursor walking the records, not one lookup each.
func (r *NodeReader) Nodes(ids []uint32, recs [][]byte) error {
	return r.db.View(func(tx *Tx) error {
		if !bytes.Equal(tx.btx.Bucket(bucketCatalog).Get(r.name), r.stamp) {
			return ErrStale
		}
		var h *bolt.Bucket
		if b := tx.btx.Bucket(r.bucket); b != nil {
			h = b.Bucket(subHNSW)
		}
		var c *bolt.Cursor
		if h != nil && len(ids) > 1 {
			c = h.Cursor()
		}
		var ck []byte                        // the cursor's key, when it is on a record
		buf := make([]byte, 0, 160*len(ids)) // about a record at M 16
		ends := make([]int, len(ids))
		for i, id := range ids {
			var v []byte
			switch {
			case h == nil:
			case c == nil:
				v = h.Get(idKey(id))
			default:
				k := idKey(id)
				if i > 0 && ids[i-1] < id && ck != nil {
					ck, v = c.Next() // the next record is the likely one
				} else {
					ck, v = c.Seek(k)
				}
				if ck != nil && !bytes.Equal(ck, k) {
					if bytes.Compare(ck, k) < 0 {
						ck, v = c.Seek(k)
					}
					if !bytes.Equal(ck, k) {
						v = nil
					}
				}
			}
			if v == nil {
				return fmt.Errorf("%w: graph node %d has no record", ErrCorrupt, id)
			}
			buf = append(buf, v...)
			ends[i] = len(buf)
		}
		start := 0
		for i, e := range ends {
			recs[i] = buf[start:e:e]
			start = e
		}
		return nil
	})
}
