package storage

import (
	"context"
	"fmt"
	"math"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/vecdb/vecdb/internal/errdefs"
)

// ChunkRows is the number of rows a Loader writes per transaction, and
// ChunkBytes about the most bytes of vectors it writes per transaction
// (rows of a large dimension make smaller chunks; see pin.go).
const (
	ChunkRows  = 20000
	ChunkBytes = 32 << 20
)

// Loader fills a new copy of a collection aside from the live one and swaps
// it in with Commit. Until Commit, readers see the previous contents; after a
// failed or cancelled load, Abort (or the next writable Open) removes the
// partial copy. A Loader is not safe for concurrent use.
type Loader struct {
	db      *DB
	meta    *CollectionMeta
	bucket  string
	keys    *keySet // every key added, key i being row i's
	batch   []*Row
	done    bool
	idx     []idxRec
	idxMeta []byte
	// vb is the vector block being filled (the last one written), vbn its
	// number.
	vb  *blockBuf
	vbn uint64
	// subwords is set once PutSubwords has run.
	subwords bool
	// Dups controls what Add does with a key it has already seen.
	Dups DupPolicy
}

// DupPolicy says what a Loader does with a repeated key.
type DupPolicy uint8

// Duplicate-key policies.
const (
	DupError     DupPolicy = iota // fail the load with ErrDuplicateKey
	DupKeepFirst                  // ignore later occurrences
)

// NewLoader starts a bulk load of a collection described by m (Name, Dim,
// Metric, Fields, Params, Source). The collection may or may not exist yet.
func (db *DB) NewLoader(m *CollectionMeta) (*Loader, error) {
	if db.readOnly {
		return nil, ErrReadOnly
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	l := &Loader{db: db, meta: m.Clone(), keys: newKeySet()}
	l.meta.Rows, l.meta.NextID = 0, 0
	err := db.boltUpdate(func(tx *bolt.Tx) error {
		name, _, err := newDataBucket(tx, l.meta.Dim)
		l.bucket = name
		return err
	})
	if err != nil {
		return nil, err
	}
	l.meta.Bucket = l.bucket
	return l, nil
}

// Meta returns the record the load will commit; callers may adjust Params,
// Source and Index before Commit.
func (l *Loader) Meta() *CollectionMeta { return l.meta }

// Rows returns the number of rows added so far.
func (l *Loader) Rows() int { return int(l.meta.NextID) + len(l.batch) }

// Add appends a row; ids are assigned in call order. The row is copied only
// when its batch is flushed, so the caller must not reuse r or its slices.
// It reports whether the row was kept (false for a skipped duplicate).
func (l *Loader) Add(r *Row) (bool, error) {
	if l.done {
		return false, fmt.Errorf("loader already finished")
	}
	if len(r.Key) > MaxKeyBytes {
		return false, errdefs.KeyTooLong(r.Key)
	}
	if len(r.Vector) != l.meta.Dim {
		return false, fmt.Errorf("%w: key %q has %d values, expected %d", ErrDimension, r.Key, len(r.Vector), l.meta.Dim)
	}
	if !finite(r.Vector) {
		return false, fmt.Errorf("vector for key %q contains NaN or Inf", r.Key)
	}
	if r.Key == "" {
		return false, fmt.Errorf("empty key")
	}
	if len(r.Meta) > len(l.meta.Fields) {
		return false, fmt.Errorf("key %q has %d metadata values for %d fields", r.Key, len(r.Meta), len(l.meta.Fields))
	}
	if len(l.keys.arena)+len(r.Key) > math.MaxUint32 {
		return false, fmt.Errorf("the keys of one load exceed 4 GiB")
	}
	if !l.keys.Add(r.Key) {
		if l.Dups == DupKeepFirst {
			return false, nil
		}
		return false, fmt.Errorf("%w: %q appears twice", ErrDuplicateKey, r.Key)
	}
	l.batch = append(l.batch, r)
	if len(l.batch) >= ChunkRows || len(l.batch)*8*l.meta.Dim >= ChunkBytes {
		return true, l.flush()
	}
	return true, nil
}

func (l *Loader) flush() error {
	if len(l.batch) == 0 {
		return nil
	}
	err := l.db.boltUpdate(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(l.bucket))
		if b == nil {
			return fmt.Errorf("load bucket vanished")
		}
		rows := b.Bucket(subRows)
		rows.FillPercent = 1.0
		var outs *bolt.Bucket
		vbk := b.Bucket(subVBlocks)
		vbk.FillPercent = 1.0
		rpb := blockRows(l.meta.Dim)
		putBlock := func() error {
			return vbk.Put(blockKey(l.vbn), l.vb.encode(l.meta.Dim))
		}
		id := l.meta.NextID
		arena := make([]byte, 0, 1<<20)
		for _, r := range l.batch {
			if bn := uint64(id) / uint64(rpb); l.vb == nil || bn != l.vbn {
				if l.vb != nil {
					if err := putBlock(); err != nil {
						return err
					}
				}
				l.vb, l.vbn = newBlockBuf(rpb, l.meta.Dim), bn
			}
			slot := int(id) % rpb
			l.vb.set(slot, r, l.meta.Metric, l.meta.Dim)
			vx := l.vb.extra(slot, r.Vector, l.meta.Metric, l.meta.Dim)
			// bbolt keeps a reference to the value until commit, so each
			// record gets its own slice, carved from a per-chunk arena.
			start := len(arena)
			var err error
			arena, err = appendRowVX(arena, r, l.meta.Fields, vx)
			if err != nil {
				return err
			}
			if err := rows.Put(idKey(id), arena[start:len(arena):len(arena)]); err != nil {
				return err
			}
			if r.Output != nil {
				if len(r.Output) != l.meta.Dim {
					return fmt.Errorf("%w: output weights of %q have %d values", ErrDimension, r.Key, len(r.Output))
				}
				if outs == nil {
					var err error
					if outs, err = b.CreateBucketIfNotExists(subOutput); err != nil {
						return err
					}
					outs.FillPercent = 1.0
				}
				if err := outs.Put(idKey(id), encodeVector(r.Output)); err != nil {
					return err
				}
			}
			id++
		}
		return putBlock()
	})
	if err != nil {
		return err
	}
	l.meta.NextID += uint32(len(l.batch))
	l.meta.Rows = int(l.meta.NextID)
	clear(l.batch)
	l.batch = l.batch[:0]
	return nil
}

// keyChunk is the number of keys writeKeys puts per transaction (a
// variable for tests).
var keyChunk = 100000

// writeKeys fills the key map of the loaded copy (key → id) in key order,
// keyChunk keys per transaction: appended in order, bbolt writes each page
// once and full, where putting the keys with their rows, in file order,
// would dirty pages all over a growing tree in every chunk (most of a
// load's time and memory).
func (l *Loader) writeKeys() error {
	all := l.keys.Sorted()
	for len(all) > 0 {
		n := min(len(all), keyChunk)
		err := l.db.boltUpdate(func(tx *bolt.Tx) error {
			b := tx.Bucket([]byte(l.bucket))
			if b == nil {
				return fmt.Errorf("load bucket vanished")
			}
			keys := b.Bucket(subKeys)
			keys.FillPercent = 1.0
			for _, id := range all[:n] {
				if err := keys.Put(l.keys.key(int(id)), idKey(id)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		all = all[n:]
	}
	return nil
}

// Flush writes buffered rows; useful before a long pause.
func (l *Loader) Flush() error { return l.flush() }

// Commit writes the remaining rows and atomically makes the new contents the
// collection's. When replace is false and the collection exists, Commit
// fails with ErrCollectionExists and nothing changes. extra, when not nil,
// runs inside the final transaction with the new collection (to write an
// index, say); an error from it aborts the swap.
func (l *Loader) Commit(ctx context.Context, replace bool, extra func(c *Coll) error) error {
	if l.done {
		return fmt.Errorf("loader already finished")
	}
	if err := ctx.Err(); err != nil {
		l.Abort()
		return err
	}
	if err := l.flush(); err != nil {
		l.Abort()
		return err
	}
	if err := l.writeKeys(); err != nil {
		l.Abort()
		return err
	}
	if err := l.flushIndex(); err != nil {
		l.Abort()
		return err
	}
	err := l.db.boltUpdate(func(btx *bolt.Tx) error {
		tx := &Tx{btx: btx, db: l.db}
		cat := btx.Bucket(bucketCatalog)
		now := time.Now().UTC().Truncate(time.Second)
		l.meta.Created, l.meta.Updated = now, now
		if old := cat.Get([]byte(l.meta.Name)); old != nil {
			if !replace {
				return fmt.Errorf("%w: %s", ErrCollectionExists, l.meta.Name)
			}
			om, err := decodeMeta(old)
			if err != nil {
				return err
			}
			l.meta.Created = om.Created
			l.meta.Version = om.Version
			if om.Bucket != l.bucket {
				if err := btx.DeleteBucket([]byte(om.Bucket)); err != nil {
					return err
				}
			}
		}
		if err := tx.putMeta(l.meta); err != nil {
			return err
		}
		if extra != nil {
			c, err := tx.Collection(l.meta.Name)
			if err != nil {
				return err
			}
			if err := extra(c); err != nil {
				return err
			}
			return c.Save()
		}
		return nil
	})
	if err != nil {
		l.Abort()
		return err
	}
	l.done = true
	return nil
}

// Abort discards the partial copy. It is safe to call more than once and
// after Commit (then it does nothing).
func (l *Loader) Abort() error {
	if l.done {
		return nil
	}
	l.done = true
	l.batch = nil
	return l.db.boltUpdate(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte(l.bucket)) != nil {
			return tx.DeleteBucket([]byte(l.bucket))
		}
		return nil
	})
}

func finite(v []float32) bool {
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
	}
	return true
}
