package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterr "go.etcd.io/bbolt/errors"
)

// FormatVersion is the version of the on-disk layout written by this
// package: 2 since vectors are stored once, in vector blocks (vblock.go).
// It reads files of version 1 (every vector in its row record) too: their
// collections keep that layout, and are written in it, until VACUUM
// converts them; a collection created in such a file has the block layout
// and makes it version 2, which earlier releases refuse.
const FormatVersion = 2

// minFormatVersion is the oldest layout this package reads.
const minFormatVersion = 1

var (
	bucketFormat  = []byte("vecdb")
	bucketCatalog = []byte("catalog")
	keyMagic      = []byte("magic")
	keyVersion    = []byte("version")
	keySeq        = []byte("seq")
	magic         = []byte("vecdb")

	subKeys     = []byte("keys")
	subRows     = []byte("rows")
	subHNSW     = []byte("hnsw")
	subHNSWMeta = []byte("hnswmeta")
	subOutput   = []byte("output")
)

const dataPrefix = "d/"

// Options configure Open.
type Options struct {
	// ReadOnly opens the file with a shared lock; writes return ErrReadOnly.
	ReadOnly bool
	// Timeout is how long Open waits for another process's lock before it
	// returns ErrLocked. Zero means 1 second; negative means wait forever.
	Timeout time.Duration
	// NoSync skips fsync after each commit (tests and throwaway databases
	// only: a crash may then lose committed data).
	NoSync bool
	// MapHeadroom is how much address space beyond the file's size bbolt
	// maps, so that pinned read transactions (pin.go) need not be released
	// at every write. Zero means 1 GiB, or the file's size when larger.
	MapHeadroom int64
	// OpenFile, when set, opens the database file instead of os.OpenFile
	// (db uses it to open a file inside a sandbox through an os.Root).
	OpenFile func(name string, flag int, perm os.FileMode) (*os.File, error)
}

// DB is an open vecdb file. It is safe for concurrent use.
type DB struct {
	bolt     *bolt.DB
	path     string
	readOnly bool
	id       os.FileInfo // the file, to refuse a second handle in this process
	opts     bolt.Options
	// swap guards bolt against Vacuum's replacement of the handle: every
	// transaction holds it for reading. Vacuum takes it with TryLock in a
	// loop, so that it never blocks readers (a reader may nest a second
	// read transaction inside its first).
	swap sync.RWMutex
	// wgate is held by every write transaction, and by Vacuum from the
	// start of its copy to the swap, so no commit lands in the old file
	// after the copy was taken.
	wgate sync.Mutex
	// Pins (pin.go): the open pinned read transactions, the least size of
	// bbolt's map, and how often pins were released to make room.
	pinMu    sync.Mutex
	pins     map[*Pin]struct{}
	mapped   int64
	releases int
	noPins   bool
	headroom int64
	pageSize int
	lastGC   time.Time // when Pin last started a collection
}

// Open opens or, unless opts.ReadOnly, creates the vecdb file at path.
func Open(path string, opts *Options) (_ *DB, err error) {
	defer guard(&err, debug.SetPanicOnFault(true))
	if opts == nil {
		opts = &Options{}
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = time.Second
	} else if timeout < 0 {
		timeout = 0
	}
	if opts.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, openErr(path, err)
		}
	}
	// bbolt's file lock does not tell two handles of one process apart (the
	// second would wait and be told "another process"): refuse here.
	if fi, err := os.Stat(path); err == nil {
		if err := handles.conflict(fi, opts.ReadOnly); err != nil {
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
	}
	if st, err := os.Stat(path); err == nil && st.Size() > 0 && st.Size() < 1024 {
		return nil, fmt.Errorf("open %s: %w (file is only %d bytes)", path, ErrNotVecdb, st.Size())
	}
	bopts := bolt.Options{
		Timeout:      timeout,
		ReadOnly:     opts.ReadOnly,
		NoSync:       opts.NoSync,
		FreelistType: bolt.FreelistMapType,
		// Load the free list here, where a damaged one is caught, rather
		// than inside bbolt's Check goroutine.
		PreLoadFreelist: true,
	}
	var size int64
	if st, err := os.Stat(path); err == nil {
		size = st.Size()
	}
	// Map far more than the file holds, so that views can keep read
	// transactions open (pin.go) while writes grow the file.
	headroom := opts.MapHeadroom
	if headroom <= 0 {
		headroom = mapHeadroom
	}
	bopts.InitialMmapSize = initialMap(size, headroom)
	if open := opts.OpenFile; open != nil {
		bopts.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
			f, err := open(name, flag, perm)
			if err != nil {
				return nil, &openFileError{err}
			}
			return f, nil
		}
	}
	bdb, err := openBolt(path, 0o644, &bopts)
	if err != nil {
		switch {
		case errors.Is(err, ErrCorrupt): // bbolt panicked on a damaged page
			return nil, fmt.Errorf("open %s: %w", path, err)
		case errors.Is(err, bolterr.ErrTimeout):
			return nil, fmt.Errorf("open %s: %w (waited %v): a writer holds the file exclusively; close it, or wait for it to finish (read-only handles can share the file only while no writer has it)", path, ErrLocked, timeout)
		case errors.Is(err, bolterr.ErrInvalid), errors.Is(err, bolterr.ErrVersionMismatch),
			errors.Is(err, bolterr.ErrChecksum):
			return nil, fmt.Errorf("open %s: %w (%v)", path, ErrNotVecdb, err)
		case !systemError(err):
			// What is left is bbolt refusing the file's contents in words of
			// its own, such as "file size too small" for a file shorter
			// than two of its pages: a damaged (truncated) database.
			return nil, fmt.Errorf("open %s: %w: bbolt cannot read it (%v)", path, ErrCorrupt, err)
		}
		return nil, openErr(path, err)
	}
	db := &DB{bolt: bdb, path: path, readOnly: opts.ReadOnly, opts: bopts, headroom: headroom,
		pageSize: bdb.Info().PageSize}
	db.mapped = bboltMapSize(max(size, int64(bopts.InitialMmapSize)), db.pageSize)
	if !opts.ReadOnly {
		os.Remove(path + vacuumSuffix) // a compacted copy left by a crashed Vacuum
	}
	if err := db.init(); err != nil {
		bdb.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if fi, err := os.Stat(path); err == nil {
		db.id = fi
		handles.add(db)
	}
	return db, nil
}

// openErr prefixes "open path" to an error, without repeating the
// operation and path that an *fs.PathError already names.
func openErr(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("open %s: %w", path, pe.Err)
	}
	return fmt.Errorf("open %s: %w", path, err)
}

// openHandles are the files this process has open, so that a second
// handle on one of them is refused at once instead of waiting on bbolt's
// lock, which only tells processes apart.
type openHandles struct {
	mu  sync.Mutex
	dbs []*DB
}

var handles openHandles

func (h *openHandles) conflict(fi os.FileInfo, readOnly bool) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, db := range h.dbs {
		if os.SameFile(db.id, fi) && !(readOnly && db.readOnly) {
			return fmt.Errorf("%w: this process already has it open%s; use that handle, or open both read-only", ErrLocked, map[bool]string{true: " for writing", false: ""}[!db.readOnly])
		}
	}
	return nil
}

func (h *openHandles) add(db *DB) {
	h.mu.Lock()
	h.dbs = append(h.dbs, db)
	h.mu.Unlock()
}

func (h *openHandles) remove(db *DB) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, x := range h.dbs {
		if x == db {
			h.dbs = append(h.dbs[:i], h.dbs[i+1:]...)
			return
		}
	}
}

// init checks the format record, writing it into a new file, and removes
// data buckets that no catalog record names (left by an interrupted load).
func (db *DB) init() (err error) {
	defer guard(&err, debug.SetPanicOnFault(true))
	check := func(tx *bolt.Tx) (fresh bool, err error) {
		b := tx.Bucket(bucketFormat)
		if b == nil {
			empty := true
			tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
			if !empty {
				return false, ErrNotVecdb
			}
			return true, nil
		}
		if string(b.Get(keyMagic)) != string(magic) {
			return false, ErrNotVecdb
		}
		v := b.Get(keyVersion)
		if len(v) != 4 {
			return false, ErrNotVecdb
		}
		if ver := binary.BigEndian.Uint32(v); ver < minFormatVersion || ver > FormatVersion {
			return false, fmt.Errorf("%w: file has version %d, this vecdb reads versions %d to %d", ErrVersion, ver, minFormatVersion, FormatVersion)
		}
		return false, nil
	}
	if db.readOnly {
		return db.boltView(func(tx *bolt.Tx) error {
			fresh, err := check(tx)
			if fresh {
				return fmt.Errorf("%w: the file is empty", ErrNotVecdb)
			}
			return err
		})
	}
	return db.boltUpdate(func(tx *bolt.Tx) error {
		fresh, err := check(tx)
		if err != nil {
			return err
		}
		if fresh {
			b, err := tx.CreateBucket(bucketFormat)
			if err != nil {
				return err
			}
			var v [4]byte
			binary.BigEndian.PutUint32(v[:], FormatVersion)
			if err := b.Put(keyMagic, magic); err != nil {
				return err
			}
			if err := b.Put(keyVersion, v[:]); err != nil {
				return err
			}
			if _, err := tx.CreateBucket(bucketCatalog); err != nil {
				return err
			}
		}
		cat := tx.Bucket(bucketCatalog)
		if cat == nil {
			return fmt.Errorf("%w: no catalog", ErrCorrupt)
		}
		live := map[string]bool{}
		if err := cat.ForEach(func(k, v []byte) error {
			m, err := decodeMeta(v)
			if err != nil {
				return err
			}
			live[m.Bucket] = true
			return nil
		}); err != nil {
			return err
		}
		var orphans [][]byte
		tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			if strings.HasPrefix(string(name), dataPrefix) && !live[string(name)] {
				orphans = append(orphans, append([]byte(nil), name...))
			}
			return nil
		})
		for _, o := range orphans {
			if err := tx.DeleteBucket(o); err != nil {
				// A damaged page can make a bucket's entry unreadable.
				return fmt.Errorf("%w: removing the orphan data bucket %s: %v", ErrCorrupt, o, err)
			}
		}
		return nil
	})
}

// systemError reports whether err comes from the operating system (a
// path or a system call) or from Options.OpenFile, not from bbolt's
// reading of the file.
func systemError(err error) bool {
	var pe *fs.PathError
	var errno syscall.Errno
	var oe *openFileError
	return errors.As(err, &pe) || errors.As(err, &errno) || errors.As(err, &oe)
}

// openFileError marks an error of Options.OpenFile (a sandbox refusal,
// say), which is no damage of the file.
type openFileError struct{ err error }

func (e *openFileError) Error() string { return e.err.Error() }
func (e *openFileError) Unwrap() error { return e.err }

// openBolt is bolt.Open with memory faults turned into panics, so that a
// file shorter than its pages claim fails with an error instead of SIGBUS.
func openBolt(path string, mode os.FileMode, o *bolt.Options) (_ *bolt.DB, err error) {
	defer guard(&err, debug.SetPanicOnFault(true))
	return bolt.Open(path, mode, o)
}

// guard turns a panic of the calling function into an ErrCorrupt error in
// *err. bbolt trusts its pages: a damaged one makes it index out of range,
// fail an assertion or touch memory past the end of a truncated file. It
// is deferred as guard(&err, debug.SetPanicOnFault(true)), which makes such
// memory faults recoverable panics until the call returns; guard restores
// the previous setting.
func guard(err *error, panicOnFault bool) {
	debug.SetPanicOnFault(panicOnFault)
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: bbolt failed reading a damaged page (%v)", ErrCorrupt, r)
	}
}

// Close releases the file.
func (db *DB) Close() error {
	handles.remove(db)
	db.blockPins(true)
	db.releasePins(false)
	db.swap.Lock()
	defer db.swap.Unlock()
	return db.bolt.Close()
}

// boltView and boltUpdate run a bbolt transaction on the current handle,
// which Vacuum may replace between transactions, never during one.
func (db *DB) boltView(fn func(*bolt.Tx) error) error {
	db.swap.RLock()
	defer db.swap.RUnlock()
	return db.bolt.View(fn)
}

func (db *DB) boltUpdate(fn func(*bolt.Tx) error) error {
	// bbolt runs one write transaction at a time anyway; the gate lets
	// Vacuum hold all of them back while it copies the file.
	db.wgate.Lock()
	defer db.wgate.Unlock()
	if err := db.makeRoom(); err != nil {
		return err
	}
	db.swap.RLock()
	defer db.swap.RUnlock()
	// With the map far larger than the file, bbolt would grow the file
	// by its AllocSize (16 MiB) at every step; grow it by about its size
	// instead (as bbolt does for a map that fits the file), at most 16 MiB.
	db.bolt.AllocSize = int(min(max(db.dataSize(), 32<<10), 16<<20))
	stop := db.watchRemap()
	err := db.bolt.Update(fn)
	stop()
	db.noteMapped(bboltMapSize(db.dataSize(), db.pageSize))
	return err
}

// Path returns the file's path.
func (db *DB) Path() string { return db.path }

// ReadOnly reports whether the database was opened read-only.
func (db *DB) ReadOnly() bool { return db.readOnly }

// View runs fn in a read-only transaction. A panic inside it (bbolt panics
// on some damaged pages) is returned as an ErrCorrupt error.
func (db *DB) View(fn func(tx *Tx) error) (err error) {
	defer guard(&err, debug.SetPanicOnFault(true))
	return closed(db.boltView(func(btx *bolt.Tx) error { return fn(&Tx{btx: btx, db: db}) }))
}

// Update runs fn in a read-write transaction; it is committed when fn returns
// nil and rolled back otherwise, also when it panics; the panic is returned
// as an ErrCorrupt error.
func (db *DB) Update(fn func(tx *Tx) error) (err error) {
	defer guard(&err, debug.SetPanicOnFault(true))
	if db.readOnly {
		return ErrReadOnly
	}
	return closed(db.boltUpdate(func(btx *bolt.Tx) error { return fn(&Tx{btx: btx, db: db}) }))
}

// closed returns ErrClosed for bbolt's error for a transaction on a closed
// database, and err otherwise.
func closed(err error) error {
	if errors.Is(err, bolterr.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	return err
}

// CheckFile runs bbolt's own consistency check over every page and returns
// the problems found (nil when none). bbolt runs it in a goroutine of its
// own, where a damaged page can fault and end the process, so use it only
// on files that Check has passed (or in a throwaway process); Check itself
// walks the pages safely.
func (db *DB) CheckFile() []error {
	var errs []error
	_ = db.boltView(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return nil
	})
	return errs
}

// Size returns the file size in bytes.
func (db *DB) Size() int64 {
	var n int64
	_ = db.boltView(func(tx *bolt.Tx) error { n = tx.Size(); return nil })
	return n
}

// newDataBucket creates a fresh, unreferenced data bucket and returns its
// name; with dim > 0 it gets empty vector blocks for that dimension.
func newDataBucket(tx *bolt.Tx, dim int) (string, *bolt.Bucket, error) {
	f := tx.Bucket(bucketFormat)
	var seq uint64
	if v := f.Get(keySeq); len(v) == 8 {
		seq = binary.BigEndian.Uint64(v)
	}
	seq++
	var sv [8]byte
	binary.BigEndian.PutUint64(sv[:], seq)
	if err := f.Put(keySeq, sv[:]); err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("%s%08d", dataPrefix, seq)
	b, err := tx.CreateBucket([]byte(name))
	if err != nil {
		return "", nil, err
	}
	for _, sub := range [][]byte{subKeys, subRows} {
		if _, err := b.CreateBucket(sub); err != nil {
			return "", nil, err
		}
	}
	if dim > 0 {
		if err := createVBlocks(b, dim); err != nil {
			return "", nil, err
		}
	}
	return name, b, nil
}

// DataBuckets returns the number of data buckets in the file (live and
// orphaned), for tests that check nothing was left behind.
func (db *DB) DataBuckets() int {
	n := 0
	db.boltView(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			if strings.HasPrefix(string(name), dataPrefix) {
				n++
			}
			return nil
		})
	})
	return n
}
