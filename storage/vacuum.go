package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// vacuumSuffix names the compacted copy that Vacuum writes beside the file
// before it swaps it in; a writable Open removes one left by a crash.
const vacuumSuffix = ".vacuum-tmp"

// Backup writes a consistent copy of the whole file to w from one read
// transaction (bbolt's Tx.WriteTo): writers go on meanwhile and the copy
// is the database as of the moment Backup began. It returns the bytes
// written.
func (db *DB) Backup(ctx context.Context, w io.Writer) (int64, error) {
	var n int64
	err := db.boltView(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(&ctxWriter{ctx: ctx, w: w})
		return err
	})
	return n, err
}

// ctxWriter stops a copy when its context ends.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c *ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// CompactTo writes a compacted copy of the database (every bucket and key,
// pages packed full, no free pages) to a new file at path, which must not
// exist, and syncs it. It returns the copy's size in bytes.
func (db *DB) CompactTo(ctx context.Context, path string) (int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, err
	}
	f.Close()
	dst, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: time.Second, NoSync: true})
	if err != nil {
		os.Remove(path)
		return 0, err
	}
	err = db.compactInto(ctx, dst)
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return 0, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

func (db *DB) compactInto(ctx context.Context, dst *bolt.DB) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	db.swap.RLock()
	defer db.swap.RUnlock()
	return db.bolt.View(func(src *bolt.Tx) error {
		return compact(ctx, dst, src)
	})
}

// compact copies the database of src into the empty dst, every page packed
// full, and converts on the way every collection of the earlier layout
// (vectors in the row records) to the block layout (vblock.go): VACUUM is
// how a file of format version 1 migrates. Its rows are written again
// without their vectors and its blocks are built from them; everything
// else is copied as it is. The copy commits every 16 MiB or so (it is not
// the database until Vacuum swaps it in, so a failure just removes it).
func compact(ctx context.Context, dst *bolt.DB, src *bolt.Tx) (err error) {
	w := &copier{dst: dst, max: 16 << 20, ctx: ctx}
	defer func() {
		if w.tx != nil {
			w.tx.Rollback()
		}
	}()
	convert := map[string]*CollectionMeta{}
	if cat := src.Bucket(bucketCatalog); cat != nil {
		cat.ForEach(func(_, v []byte) error {
			m, err := decodeMeta(v)
			if err != nil {
				return nil // copied as it is; Check reports it
			}
			if b := src.Bucket([]byte(m.Bucket)); b != nil && b.Bucket(subRows) != nil && !inBlocks(b) {
				convert[m.Bucket] = m
			}
			return nil
		})
	}
	err = src.ForEach(func(name []byte, b *bolt.Bucket) error {
		var skip func(k []byte) bool
		if convert[string(name)] != nil {
			// Its rows and any earlier blocks are written below.
			skip = func(k []byte) bool {
				return bytes.Equal(k, subRows) || bytes.Equal(k, subVBlocks) || bytes.Equal(k, subVBlockMeta)
			}
		}
		return w.copyBucket([][]byte{name}, b, skip)
	})
	if err != nil {
		return err
	}
	for _, m := range convert {
		if err := w.convertRows(src.Bucket([]byte(m.Bucket)), m); err != nil {
			return err
		}
	}
	if src.Bucket(bucketFormat) != nil {
		var v [4]byte
		binary.BigEndian.PutUint32(v[:], FormatVersion)
		if err := w.put([][]byte{bucketFormat}, keyVersion, v[:]); err != nil {
			return err
		}
	}
	return w.commit()
}

// copier writes a compacted copy in transactions of about max bytes.
type copier struct {
	dst  *bolt.DB
	tx   *bolt.Tx
	ctx  context.Context
	size int64
	max  int64
	n    int
	// the bucket last written, while tx is the same
	path string
	b    *bolt.Bucket
}

func (w *copier) commit() error {
	if w.tx == nil {
		return nil
	}
	err := w.tx.Commit()
	w.tx, w.b, w.path, w.size = nil, nil, "", 0
	return err
}

// bucket returns the bucket at path in the current transaction, creating
// it (and those above it) when needed.
func (w *copier) bucket(path [][]byte) (*bolt.Bucket, error) {
	if w.tx == nil {
		tx, err := w.dst.Begin(true)
		if err != nil {
			return nil, err
		}
		w.tx = tx
	}
	key := string(bytes.Join(path, []byte{0}))
	if w.b != nil && w.path == key {
		return w.b, nil
	}
	b, err := w.tx.CreateBucketIfNotExists(path[0])
	for _, p := range path[1:] {
		if err != nil {
			break
		}
		b.FillPercent = 1.0
		b, err = b.CreateBucketIfNotExists(p)
	}
	if err != nil {
		return nil, err
	}
	b.FillPercent = 1.0
	w.b, w.path = b, key
	return b, nil
}

// put writes k → v into the bucket at path. v must stay valid until the
// copy is done (bbolt keeps it until the commit).
func (w *copier) put(path [][]byte, k, v []byte) error {
	if w.size+int64(len(k)+len(v)) > w.max {
		if err := w.commit(); err != nil {
			return err
		}
	}
	w.n++
	if w.n%4096 == 0 {
		if err := w.ctx.Err(); err != nil {
			return err
		}
	}
	b, err := w.bucket(path)
	if err != nil {
		return err
	}
	w.size += int64(len(k) + len(v))
	return b.Put(k, v)
}

// copyBucket copies b to path, with its sequence, leaving out the keys and
// sub-buckets that skip (when set) names.
func (w *copier) copyBucket(path [][]byte, b *bolt.Bucket, skip func(k []byte) bool) error {
	nb, err := w.bucket(path)
	if err != nil {
		return err
	}
	if err := nb.SetSequence(b.Sequence()); err != nil {
		return err
	}
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if skip != nil && skip(k) {
			continue
		}
		sub := append(path[:len(path):len(path)], k)
		if v == nil {
			if err := w.copyBucket(sub, b.Bucket(k), nil); err != nil {
				return err
			}
			continue
		}
		if err := w.put(path, k, v); err != nil {
			return err
		}
	}
	return nil
}

// convertRows writes the rows of the collection m, whose data bucket sb
// (in the source) has the earlier layout, in the block layout: records
// without vectors, and the vector blocks.
func (w *copier) convertRows(sb *bolt.Bucket, m *CollectionMeta) error {
	name := []byte(m.Bucket)
	rowsPath := [][]byte{name, subRows}
	blocksPath := [][]byte{name, subVBlocks}
	for _, p := range [][][]byte{rowsPath, blocksPath} {
		if _, err := w.bucket(p); err != nil {
			return err
		}
	}
	dec := rowDecoder{dim: m.Dim, fields: m.Fields}
	rpb := blockRows(m.Dim)
	var bb *blockBuf
	cur := uint64(0)
	flush := func() error {
		if bb == nil || bb.n == 0 {
			return nil
		}
		return w.put(blocksPath, blockKey(cur), bb.encode(m.Dim))
	}
	c := sb.Bucket(subRows).Cursor()
	first, prev := true, uint32(0)
	for k, v := c.First(); k != nil; k, v = c.Next() {
		id, ok := keyID(k)
		if !ok || v == nil || id >= m.NextID || (!first && id <= prev) {
			return fmt.Errorf("%w: collection %s: bad row id %x", ErrCorrupt, m.Name, k)
		}
		first, prev = false, id
		r := new(Row)
		vpart, err := dec.decode(id, v, r, true)
		if err != nil {
			return fmt.Errorf("collection %s: %w", m.Name, err)
		}
		r.Vector = make([]float32, m.Dim)
		copyVector(r.Vector, vpart)
		if len(r.Key) > MaxKeyBytes || !finite(r.Vector) {
			return fmt.Errorf("%w: collection %s: row %d cannot be converted (run CHECK)", ErrCorrupt, m.Name, id)
		}
		if bn := uint64(id) / uint64(rpb); bb == nil || bn != cur {
			if err := flush(); err != nil {
				return err
			}
			bb, cur = newBlockBuf(rpb, m.Dim), bn
		}
		s := int(id) % rpb
		bb.set(s, r, m.Metric, m.Dim)
		rec, err := appendRowVX(nil, r, m.Fields, bb.extra(s, r.Vector, m.Metric, m.Dim))
		if err != nil {
			return fmt.Errorf("%w: collection %s: row %d: %v", ErrCorrupt, m.Name, id, err)
		}
		if err := w.put(rowsPath, append([]byte(nil), k...), rec); err != nil {
			return err
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return w.put([][]byte{name}, subVBlockMeta, encodeVBMeta(vbMeta{rows: rpb, dim: m.Dim, version: m.Version}))
}

// Vacuum compacts the file in place: a compacted copy is written beside it
// (path + ".vacuum-tmp"), synced, and renamed over the file while no
// transaction runs; the handle is then reopened on it. A crash at any
// moment leaves either the old file or the new one, both complete (a stale
// copy is removed by the next writable Open). Write transactions wait from
// the start of the copy to the swap; readers wait only for the swap. It
// returns the file's size before and after.
func (db *DB) Vacuum(ctx context.Context) (before, after int64, err error) {
	if db.readOnly {
		return 0, 0, ErrReadOnly
	}
	fi, err := os.Stat(db.path)
	if err != nil {
		return 0, 0, err
	}
	before = fi.Size()
	tmp := db.path + vacuumSuffix
	os.Remove(tmp)
	// No write may commit between the copy and the swap: it would be lost.
	db.wgate.Lock()
	defer db.wgate.Unlock()
	if _, err := db.CompactTo(ctx, tmp); err != nil {
		return before, 0, fmt.Errorf("vacuum: %w", err)
	}
	// Take the handle when no transaction holds it, without making new
	// readers wait on a pending lock (see DB.swap).
	// Views that read the old file in place copy what they use (see
	// pin.go), before swap is taken.
	db.blockPins(true)
	defer db.blockPins(false)
	db.releasePins(true)
	for !db.swap.TryLock() {
		if err := ctx.Err(); err != nil {
			os.Remove(tmp)
			return before, 0, err
		}
		time.Sleep(time.Millisecond)
	}
	defer db.swap.Unlock()
	if err := ctx.Err(); err != nil {
		os.Remove(tmp)
		return before, 0, err
	}
	if err := db.bolt.Close(); err != nil {
		os.Remove(tmp)
		return before, 0, fmt.Errorf("vacuum: %w", err)
	}
	renameErr := os.Rename(tmp, db.path)
	if renameErr == nil {
		syncDir(filepath.Dir(db.path))
	} else {
		os.Remove(tmp)
	}
	// Reopen whichever file is in place now: the compacted one, or the
	// original after a failed rename.
	bdb, err := openBolt(db.path, 0o644, &db.opts)
	if err != nil {
		return before, 0, fmt.Errorf("vacuum: reopen %s: %w", db.path, err)
	}
	db.bolt = bdb
	db.pinMu.Lock()
	db.mapped = bboltMapSize(int64(db.opts.InitialMmapSize), db.pageSize)
	db.pinMu.Unlock()
	if renameErr != nil {
		return before, 0, fmt.Errorf("vacuum: %w", renameErr)
	}
	if fi, err := os.Stat(db.path); err == nil {
		after = fi.Size()
		handles.mu.Lock()
		db.id = fi // a new inode: keep refusing second handles on it
		handles.mu.Unlock()
	}
	return before, after, nil
}

// syncDir makes a rename in dir durable where the platform allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
