package storage

import (
	"context"
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
	if err := bolt.Compact(dst, db.bolt, 16<<20); err != nil {
		return err
	}
	return dst.Update(convertVBlocks)
}

// convertVBlocks gives every collection of a compacted copy whose vector
// blocks are missing (a file of the earlier layout) or not current its
// blocks: VACUUM is how a file migrates to the in-place layout.
func convertVBlocks(btx *bolt.Tx) error {
	cat := btx.Bucket(bucketCatalog)
	if cat == nil {
		return nil
	}
	var metas []*CollectionMeta
	if err := cat.ForEach(func(_, v []byte) error {
		m, err := decodeMeta(v)
		if err != nil {
			return err
		}
		metas = append(metas, m)
		return nil
	}); err != nil {
		return err
	}
	for _, m := range metas {
		b := btx.Bucket([]byte(m.Bucket))
		if b == nil || b.Bucket(subRows) == nil {
			continue // Check reports it
		}
		if b.Bucket(subVBlocks) != nil {
			if vm, err := decodeVBMeta(b.Get(subVBlockMeta)); err == nil && vm.version == m.Version && vm.dim == m.Dim {
				continue
			}
		}
		if err := buildVBlocks(btx, m); err != nil {
			return err
		}
	}
	return nil
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
