package db

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vecdb/vecdb/ann"
	"github.com/vecdb/vecdb/internal/vec"
	"github.com/vecdb/vecdb/storage"
)

// Options configure Open. The zero value opens read-write with a one-second
// lock timeout.
type Options struct {
	// ReadOnly opens the file with a shared lock: several read-only handles,
	// in this or other processes, may be open at once; writes fail with
	// ErrReadOnly.
	ReadOnly bool
	// Timeout is how long Open waits for another process's write lock before
	// returning ErrLocked. Zero means one second; negative, forever.
	Timeout time.Duration
	// NoSync skips fsync on commit. Only for throwaway databases and tests:
	// a power failure may then lose committed data.
	NoSync bool
	// MapHeadroom is how much address space beyond the file's size the
	// database maps (zero: 1 GiB, or the file's size when larger). Views
	// read vectors in place from that map while writes grow the file;
	// when a write might outgrow it, views copy what they use and the
	// file is mapped again with this headroom. It costs address space,
	// not memory.
	MapHeadroom int64
	// Sandbox, when not empty, confines every file that a statement or API
	// call names (IMPORT, EXPORT, TRAIN, IMPORT METADATA, PROJECT … TO,
	// EVALUATE) to this directory: no "..", no absolute paths outside it,
	// no symlink escapes. Use it when the text of queries comes from users.
	Sandbox string
	// SandboxFile confines the database file itself to Sandbox too: its
	// path is taken inside the sandbox and opened without following a
	// symlink out of it. The shell's .open sets it under -sandbox.
	SandboxFile bool
	// Limits bound what one statement may ask for; the zero value applies
	// the defaults documented on Limits.
	Limits Limits
}

// DB is an open vecdb database file. It is safe for concurrent use by many
// goroutines: reads run in parallel, writes are serialised (one writer at a
// time, as bbolt allows).
type DB struct {
	store *storage.DB
	opts  Options
	self  os.FileInfo // the database file, which no output may replace

	mu     sync.Mutex // guards colls and closed
	colls  map[string]*collState
	closed bool

	wmu sync.Mutex // serialises writers so cache updates follow commit order

	efSearch atomic.Int64 // SET ef_search; 0 = each index's own

	threadsN atomic.Int64 // SET threads, DB.SetThreads; 0 = runtime.GOMAXPROCS
	slots    slotGate     // searches running now, at most threads (parallel.go)

	setOnce sync.Once
	set     *settings // values of SET, shared by the DB's statements
}

// SetEfSearch sets the HNSW beam width used by searches that do not give
// their own (the language's SET ef_search = n); 0 restores each index's
// configured value.
func (d *DB) SetEfSearch(n int) error {
	if n < 0 || n > 4096 {
		return invalidf("ef_search must be between 1 and 4096, got %d", n)
	}
	d.efSearch.Store(int64(n))
	return nil
}

// Open opens the database file at path, creating it unless opts.ReadOnly.
func Open(path string, opts *Options) (*DB, error) {
	if opts == nil {
		opts = &Options{}
	}
	so := &storage.Options{ReadOnly: opts.ReadOnly, Timeout: opts.Timeout, NoSync: opts.NoSync, MapHeadroom: opts.MapHeadroom}
	if opts.SandboxFile && opts.Sandbox != "" {
		box := &DB{opts: *opts}
		r, rel, err := box.inRoot(path, !opts.ReadOnly)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
		defer r.Close()
		path = filepath.Join(r.Name(), rel)
		so.OpenFile = func(_ string, flag int, perm os.FileMode) (*os.File, error) {
			f, err := r.OpenFile(rel, flag, perm)
			if err != nil {
				return nil, box.rootErr(rel, err)
			}
			return f, nil
		}
	}
	st, err := storage.Open(path, so)
	if err != nil {
		return nil, err
	}
	self, _ := os.Stat(path)
	return &DB{store: st, opts: *opts, self: self, colls: map[string]*collState{}}, nil
}

// Close releases the file. Collections obtained from d must not be used
// afterwards.
func (d *DB) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	d.colls = nil
	d.mu.Unlock()
	return d.store.Close()
}

// Path returns the database file's path.
func (d *DB) Path() string { return d.store.Path() }

// ReadOnly reports whether d was opened read-only.
func (d *DB) ReadOnly() bool { return d.store.ReadOnly() }

// Field is a typed metadata column of a collection.
type Field = storage.Field

// FieldType is the type of a metadata field: Text, Int, Float or Bool.
type FieldType = storage.FieldType

// The metadata field types.
const (
	Text  = storage.Text
	Int   = storage.Int
	Float = storage.Float
	Bool  = storage.Bool
)

// Metric is a collection's similarity measure.
type Metric = vec.Metric

// The metrics.
const (
	Cosine = vec.Cosine
	Dot    = vec.DotProduct
	L2     = vec.L2
)

// IndexConfig describes a collection's HNSW index.
type IndexConfig = storage.IndexConfig

// Info describes a collection.
type Info struct {
	Name    string
	Dim     int
	Metric  Metric
	Fields  []Field
	Rows    int
	Created time.Time
	Updated time.Time
	Params  map[string]string // training or import parameters
	Source  string
	Index   *IndexConfig // nil without an index
}

func infoOf(m *storage.CollectionMeta) Info {
	m = m.Clone()
	return Info{Name: m.Name, Dim: m.Dim, Metric: m.Metric, Fields: m.Fields, Rows: m.Rows,
		Created: m.Created, Updated: m.Updated, Params: m.Params, Source: m.Source, Index: m.Index}
}

// Collections describes every collection, sorted by name.
func (d *DB) Collections() ([]Info, error) {
	var out []Info
	err := d.store.View(func(tx *storage.Tx) error {
		ms, err := tx.Collections()
		for _, m := range ms {
			out = append(out, infoOf(m))
		}
		return err
	})
	return out, err
}

// CollectionNames returns the names of every collection, sorted.
func (d *DB) CollectionNames() []string {
	var out []string
	d.store.View(func(tx *storage.Tx) error { out = tx.Names(); return nil })
	sort.Strings(out)
	return out
}

// Spec describes a collection to create.
type Spec struct {
	Name   string
	Dim    int
	Metric Metric
	Fields []Field
}

// CreateCollection creates an empty collection. With ifNotExists, an existing
// collection of that name is returned as it is (its spec is not compared).
func (d *DB) CreateCollection(ctx context.Context, s Spec, ifNotExists bool) (*Collection, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d.wmu.Lock()
	defer d.wmu.Unlock()
	err := d.store.Update(func(tx *storage.Tx) error {
		_, err := tx.CreateCollection(&storage.CollectionMeta{Name: s.Name, Dim: s.Dim, Metric: s.Metric, Fields: s.Fields})
		return err
	})
	if err != nil && !(ifNotExists && errors.Is(err, ErrCollectionExists)) {
		return nil, err
	}
	return d.Collection(s.Name)
}

// DropCollection deletes a collection and its data. With ifExists, a missing
// collection is not an error.
func (d *DB) DropCollection(ctx context.Context, name string, ifExists bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.wmu.Lock()
	defer d.wmu.Unlock()
	err := d.store.Update(func(tx *storage.Tx) error { return tx.DropCollection(name) })
	if err != nil {
		if ifExists && errors.Is(err, ErrCollectionNotFound) {
			return nil
		}
		return err
	}
	d.forget(name)
	return nil
}

// Collection returns a handle on the named collection. The handle is cheap,
// safe for concurrent use, and stays valid across writes to the collection.
func (d *DB) Collection(name string) (*Collection, error) {
	var found bool
	err := d.store.View(func(tx *storage.Tx) error {
		_, err := tx.Collection(name)
		found = err == nil
		if err != nil && !errors.Is(err, ErrCollectionNotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, collNotFound(name)
	}
	return &Collection{d: d, name: name}, nil
}

// state returns the in-memory state of a collection, creating it.
func (d *DB) state(name string) (*collState, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, ErrClosed
	}
	s := d.colls[name]
	if s == nil {
		s = &collState{name: name}
		d.colls[name] = s
	}
	return s, nil
}

func (d *DB) forget(name string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.colls, name)
}

// update runs fn against the named collection in one write transaction and
// then drops the cached search snapshot, which the next read rebuilds.
func (d *DB) update(ctx context.Context, name string, fn func(c *storage.Coll) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.wmu.Lock()
	defer d.wmu.Unlock()
	s, err := d.state(name)
	if err != nil {
		return err
	}
	idx, err := d.indexForWrite(name)
	if err != nil {
		return err
	}
	touched := false
	var at collVersion
	err = d.store.Update(func(tx *storage.Tx) error {
		c, err := tx.Collection(name)
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if idx != nil && c.Meta().Index != nil {
			touched = true
			if err := syncIndex(idx, c); err != nil {
				return err
			}
		}
		if err := c.Save(); err != nil {
			return err
		}
		at = versionOf(c.Meta())
		return nil
	})
	if touched {
		s.idxMu.Lock()
		if err != nil {
			s.idx = nil // the graph in memory is ahead of the file: reload it
		} else if s.idx == idx {
			s.idxAt = at // the graph now indexes the committed rows
		}
		s.idxMu.Unlock()
	}
	if err != nil {
		return err
	}
	s.invalidate()
	return nil
}

// indexForWrite returns the graph of a collection that has one, loaded
// whole, so that a write can keep it current; nil when there is none.
func (d *DB) indexForWrite(name string) (*ann.Index, error) {
	v, err := d.viewOf(name)
	if err != nil {
		return nil, err
	}
	return v.fullIndex()
}

func (d *DB) view(name string, fn func(c *storage.Coll) error) error {
	return d.store.View(func(tx *storage.Tx) error {
		c, err := tx.Collection(name)
		if err != nil {
			return err
		}
		return fn(c)
	})
}

// FileSize returns the size of the database file in bytes.
func (d *DB) FileSize() int64 { return d.store.Size() }

// commitLoad swaps a finished bulk load (IMPORT, TRAIN, CREATE COLLECTION …
// FROM SEQUENCES) in, serialised with other writers, and drops the
// collection's cached view and graph, which the next read loads afresh.
func (d *DB) commitLoad(ctx context.Context, name string, l *storage.Loader) error {
	d.wmu.Lock()
	defer d.wmu.Unlock()
	if err := l.Commit(ctx, true, nil); err != nil {
		return err
	}
	// Before the next writer runs: it must not find the view and graph of
	// the collection as it was before the load.
	d.setIndex(name, nil, collVersion{})
	return nil
}
