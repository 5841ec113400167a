package db

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/vecdb/vecdb/ann"
	"github.com/vecdb/vecdb/query"
	"github.com/vecdb/vecdb/storage"
)

// VacuumResult reports what VACUUM did: the file's size before and after.
type VacuumResult struct {
	Before, After int64
}

// String is the message the language prints.
func (r VacuumResult) String() string {
	if r.Before <= 0 {
		return fmt.Sprintf("vacuumed: %s", humanBytes(r.After))
	}
	return fmt.Sprintf("vacuumed: %s → %s (%.0f%%)", humanBytes(r.Before), humanBytes(r.After), 100*float64(r.After)/float64(r.Before))
}

// Vacuum compacts the database file in place (the language's VACUUM): a
// bbolt file only grows, so deleted rows, replaced collections and dropped
// indexes leave free pages behind; Vacuum writes a compacted copy beside
// the file and swaps it in atomically. It waits for the current writer and
// holds other writers back; reads go on except during the swap. A crash at
// any moment leaves the old file or the new one, both complete. Answers are
// unchanged. Read-only databases return ErrReadOnly.
func (d *DB) Vacuum(ctx context.Context) (VacuumResult, error) {
	if d.ReadOnly() {
		return VacuumResult{}, fmt.Errorf("vacuum: %w", ErrReadOnly)
	}
	d.wmu.Lock()
	defer d.wmu.Unlock()
	if err := d.writeSegments(ctx); err != nil {
		return VacuumResult{}, err
	}
	before, after, err := d.store.Vacuum(ctx)
	if err != nil {
		return VacuumResult{}, err
	}
	if fi, err := os.Stat(d.Path()); err == nil {
		d.self = fi // the compacted file is a new inode
	}
	// The views read in place from the old file copied their vectors
	// before it went; the next views read the new file in place (which
	// also has vector blocks for collections of the earlier layout now).
	d.mu.Lock()
	for _, s := range d.colls {
		s.invalidate()
	}
	d.mu.Unlock()
	return VacuumResult{Before: before, After: after}, nil
}

// VacuumInto writes a compacted copy of the database to a new file at path
// (the language's VACUUM INTO 'path'), leaving the database as it is. The
// path follows the rules of every file a statement writes (Options.Sandbox,
// never the database itself) and must not exist yet. It works on read-only
// databases too.
func (d *DB) VacuumInto(ctx context.Context, path string) (VacuumResult, error) {
	if err := d.refuseExisting(path); err != nil {
		return VacuumResult{}, err
	}
	// bbolt compacts into a file it opens by name: a private temporary
	// file, then copied into place through the guarded output path.
	dir, err := os.MkdirTemp("", "vecdb-vacuum-")
	if err != nil {
		return VacuumResult{}, err
	}
	defer os.RemoveAll(dir)
	tmp := filepath.Join(dir, "copy.vdb")
	n, err := d.store.CompactTo(ctx, tmp)
	if err != nil {
		return VacuumResult{}, fmt.Errorf("vacuum into %s: %w", path, err)
	}
	err = d.writeOutput(path, func(w io.Writer) error {
		f, err := os.Open(tmp)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, &ctxReader{ctx: ctx, r: f})
		return err
	})
	if err != nil {
		return VacuumResult{}, fmt.Errorf("vacuum into %s: %w", path, err)
	}
	before := int64(0)
	if d.self != nil {
		before = d.self.Size()
	}
	return VacuumResult{Before: before, After: n}, nil
}

// Backup writes a consistent copy of the whole database to w, taken in one
// read transaction while writers go on (a hot backup): the copy is the
// database as of the moment Backup began, and opens as a database. It
// returns the bytes written.
func (d *DB) Backup(ctx context.Context, w io.Writer) (int64, error) {
	return d.store.Backup(ctx, w)
}

// BackupTo is Backup to a new file at path (the language's BACKUP TO
// 'path'), under the rules of every file a statement writes: inside
// Options.Sandbox, never the database itself, written whole or not at all.
func (d *DB) BackupTo(ctx context.Context, path string) (int64, error) {
	var n int64
	err := d.writeOutput(path, func(w io.Writer) error {
		var err error
		n, err = d.Backup(ctx, w)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("backup to %s: %w", path, err)
	}
	return n, nil
}

// refuseExisting refuses an output path that already exists (VACUUM INTO,
// as sqlite's, never overwrites).
func (d *DB) refuseExisting(path string) error {
	o, err := d.createOutput(path)
	if err != nil {
		return err
	}
	defer o.Abort()
	stat := os.Lstat
	if o.root != nil {
		stat = o.root.Lstat
	}
	if _, err := stat(o.target); err == nil {
		return fmt.Errorf("%w: '%s' already exists", ErrInvalid, path)
	}
	return nil
}

// ctxReader stops a copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// The language: VACUUM, VACUUM INTO 'path' and BACKUP TO 'path'.
func init() {
	register(func(c *compiler, s *query.Vacuum) (Plan, error) {
		if s.Into == "" {
			return &backendPlan{desc: "VACUUM: compact the file in place", pos: s.Pos, run: func(ctx context.Context, d *DB) (*Result, error) {
				r, err := d.Vacuum(ctx)
				if err != nil {
					return nil, err
				}
				return &Result{Message: r.String()}, nil
			}}, nil
		}
		return &backendPlan{desc: "VACUUM INTO " + query.QuoteString(s.Into) + ": a compacted copy", pos: s.At("path", s.Pos),
			run: func(ctx context.Context, d *DB) (*Result, error) {
				r, err := d.VacuumInto(ctx, s.Into)
				if err != nil {
					return nil, err
				}
				return &Result{Message: fmt.Sprintf("wrote %s: %s", s.Into, humanBytes(r.After))}, nil
			}}, nil
	}, false, func(s *query.Vacuum) bool { return s.Into == "" })
	register(func(c *compiler, s *query.Backup) (Plan, error) {
		return &backendPlan{desc: "BACKUP TO " + query.QuoteString(s.To) + ": a hot copy in one read transaction", pos: s.At("path", s.Pos),
			run: func(ctx context.Context, d *DB) (*Result, error) {
				n, err := d.BackupTo(ctx, s.To)
				if err != nil {
					return nil, err
				}
				return &Result{Message: fmt.Sprintf("backed up to %s: %s", s.To, humanBytes(n))}, nil
			}}, nil
	}, false, nil)
}

// writeSegments gives every indexed collection whose graph has no segment
// (the graph changed row by row since it was written whole) a new one
// (storage/segment.go), so that the compacted file serves every graph in
// place. A graph that cannot be loaded keeps its records alone (CHECK
// reports why); only cancellation is an error. d.wmu is held.
func (d *DB) writeSegments(ctx context.Context) error {
	infos, err := d.Collections()
	if err != nil {
		return err
	}
	for _, in := range infos {
		if err := ctx.Err(); err != nil {
			return err
		}
		if in.Index == nil {
			continue
		}
		v, err := d.viewOf(in.Name)
		if err != nil || !segmentUsable(v) {
			continue
		}
		current := true
		if d.view(in.Name, func(c *storage.Coll) error {
			// A segment left stale (by a release that did not delete it
			// on a write) or damaged is written again.
			seg, err := c.IndexSegment()
			meta := c.IndexMeta()
			current = meta == nil || err == nil && seg != nil && ann.SegmentCurrent(meta, seg, v.idList()) == nil
			return nil
		}) != nil || current {
			continue
		}
		idx, err := v.fullIndex()
		if err != nil || idx == nil {
			continue
		}
		seg, err := idx.Segment(v.idList())
		if err != nil {
			continue
		}
		meta := idx.MarshalMeta()
		err = d.store.Update(func(tx *storage.Tx) error {
			c, err := tx.Collection(in.Name)
			if err != nil || !v.current(c) || !bytes.Equal(c.IndexMeta(), meta) {
				return err // changed meanwhile (d.wmu is held: never)
			}
			return c.IndexPutSegment(seg)
		})
		if err != nil {
			return err
		}
		// The whole graph was loaded for this: let it go (the next
		// searches read the segment in place).
		d.setIndex(in.Name, nil, collVersion{})
	}
	return nil
}
