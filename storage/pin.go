package storage

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
	"unsafe"

	bolt "go.etcd.io/bbolt"
)

// Pins: read transactions kept open so that a reader can use the bytes of
// the file in place (the db package's views read vectors from the vector
// blocks this way).
//
// bbolt's rules, and how pins keep them:
//
//   - Bytes from a transaction are valid only while it is open. A Pin is
//     such a transaction; its holder uses the bytes until it closes the
//     pin, or until the DB releases it (below), never after.
//   - A write that grows the file past bbolt's memory map remaps the file,
//     which waits for every open read transaction. So the DB maps far more
//     than the file holds (three times its size, and at least
//     Options.MapHeadroom more), tracks how much of the map is left, and
//     before a write transaction while pins are held it makes sure that
//     what is left is at least the size of the data and a quarter of the
//     headroom: else it releases every pin (it calls the pin's evict
//     function: its holder copies what it still needs, or forgets it, and
//     closes the transaction) and reopens the file with a larger map. No
//     write transaction of vecdb allocates more than that (a bulk load
//     writes chunks of at most ChunkBytes; a statement rewrites at most
//     every row there is), so a write rarely waits for a pin. Should one
//     grow the file past the map all the same (a statement inserting more
//     rows than there are), watchRemap sees bbolt's remap waiting and
//     releases the pins then. The pins are released in the same way before
//     VACUUM replaces the file and at Close.
//   - Values need not be aligned: see vblock.go.

// mapHeadroom is how much larger than the file the memory map is made at
// Open and after a release, by default (Options.MapHeadroom); a quarter of
// it is how much of the map a write may use while pins are held (the
// largest write transaction vecdb makes, a chunk of a bulk load, stays well
// below 256 MiB). Both are address space, not memory.
const mapHeadroom = 1 << 30

// pinsBeforeGC is how many pins may be open before Pin starts a garbage
// collection, which closes the pins of views nobody holds any more.
const pinsBeforeGC = 32

// pinsSupported reports whether this platform maps the file without
// growing it (Windows truncates the file to the size of its map) and has
// the address space for the headroom.
var pinsSupported = runtime.GOOS != "windows" && unsafe.Sizeof(uintptr(0)) >= 8

// Pin is a read transaction held open for a reader that uses the file's
// bytes in place. It is not safe for concurrent use, except that Close may
// be called at any time, also more than once.
type Pin struct {
	db    *DB
	btx   *bolt.Tx
	evict func(keep bool)
	once  sync.Once
	// mu is held by View and by the release: a release waits for a View
	// that is reading (its bytes stay mapped until it returns), and what
	// the View published by then is what evict finds.
	mu   sync.Mutex
	done bool // closed or released (under mu)
}

// Pin opens a read transaction that stays open until Close or until the
// DB releases it. evict is called (once, from the goroutine that releases
// it) before the transaction closes: keep says whether the holder should
// copy what it still uses (true: a write or VACUUM needs the pin gone) or
// may drop it (false: the DB is closing). evict must not start a
// transaction. Pin returns nil, nil on platforms where pins are not used
// (Windows, 32-bit): callers then copy what they read.
func (db *DB) Pin(evict func(keep bool)) (*Pin, error) {
	if !pinsSupported {
		return nil, nil
	}
	db.swap.RLock()
	defer db.swap.RUnlock()
	if db.pinsBlocked() {
		return nil, nil // being released: the caller copies instead
	}
	// Not under pinMu: Begin waits while bbolt remaps, and the remap may
	// be waiting for watchRemap, which takes pinMu, to release the pins.
	btx, err := db.bolt.Begin(false)
	if err != nil {
		return nil, closed(err)
	}
	p := &Pin{db: db, btx: btx, evict: evict}
	db.pinMu.Lock()
	defer db.pinMu.Unlock()
	if db.noPins { // a release began meanwhile
		btx.Rollback()
		return nil, nil
	}
	if db.pins == nil {
		db.pins = map[*Pin]struct{}{}
	}
	db.pins[p] = struct{}{}
	// Holders close a pin they no longer reach when the garbage collector
	// finds it (runtime.AddCleanup), but reading in place allocates little,
	// so the collector may not run for long while writes leave views
	// behind, and every open pin keeps bbolt from reusing the pages freed
	// since it began (the file grows). Many pins: collect now.
	if len(db.pins) > pinsBeforeGC && time.Since(db.lastGC) > time.Second {
		db.lastGC = time.Now()
		go runtime.GC()
	}
	return p, nil
}

// View runs fn on the pinned transaction. What fn reads stays valid until
// the pin is closed or released; a release waits for fn to return, so fn
// should publish where its holder's evict finds it whatever it keeps. fn
// must not write. View on a pin already released is ErrClosed.
func (p *Pin) View(fn func(tx *Tx) error) (err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return ErrClosed
	}
	defer guard(&err, debug.SetPanicOnFault(true))
	return fn(&Tx{btx: p.btx, db: p.db})
}

// Close ends the pinned transaction without calling evict.
func (p *Pin) Close() {
	p.db.pinMu.Lock()
	delete(p.db.pins, p)
	p.db.pinMu.Unlock()
	p.once.Do(func() {
		p.finish()
		p.btx.Rollback()
	})
}

// finish marks the pin done, after waiting for a View that is running.
// It does not hold mu while evict runs: evict takes its holder's locks,
// under which the holder may Close the pin.
func (p *Pin) finish() {
	p.mu.Lock()
	p.done = true
	p.mu.Unlock()
}

// release calls evict and closes the transaction.
func (p *Pin) release(keep bool) {
	p.once.Do(func() {
		p.finish()
		if p.evict != nil {
			p.evict(keep)
		}
		p.btx.Rollback()
	})
}

// Pins returns the number of pins held (for tests).
func (db *DB) Pins() int {
	db.pinMu.Lock()
	defer db.pinMu.Unlock()
	return len(db.pins)
}

// releasePins releases every pin; see Pin.
func (db *DB) releasePins(keep bool) {
	db.pinMu.Lock()
	ps := make([]*Pin, 0, len(db.pins))
	for p := range db.pins {
		ps = append(ps, p)
	}
	clear(db.pins)
	db.pinMu.Unlock()
	for _, p := range ps {
		p.release(keep)
	}
}

// Releases returns how many times pins were released to make room for a
// write (for tests).
func (db *DB) Releases() int {
	db.pinMu.Lock()
	defer db.pinMu.Unlock()
	return db.releases
}

// bboltMapSize is bbolt's choice of map size for a file of size bytes
// (DB.mmapSize in bbolt): doubling from 32 KiB to 1 GiB, then whole GiB.
func bboltMapSize(size int64, pageSize int) int64 {
	for i := uint(15); i <= 30; i++ {
		if size <= 1<<i {
			return 1 << i
		}
	}
	const step = 1 << 30
	if r := size % step; r > 0 {
		size += step - r
	}
	if r := size % int64(pageSize); r > 0 {
		size += int64(pageSize) - r
	}
	return size
}

// initialMap returns the InitialMmapSize for a file of size bytes.
func initialMap(size, headroom int64) int {
	if !pinsSupported {
		return 0
	}
	return int(size + max(2*size, headroom))
}

// noteMapped records the least size bbolt's map can have now: what Open
// or a reopen asked for, and after a write at least the map size of the
// data (a remap maps at least that).
func (db *DB) noteMapped(n int64) {
	db.pinMu.Lock()
	db.mapped = max(db.mapped, n)
	db.pinMu.Unlock()
}

// dataSize returns the size of the pages in use.
func (db *DB) dataSize() int64 {
	var n int64
	_ = db.bolt.View(func(tx *bolt.Tx) error { n = tx.Size(); return nil })
	return n
}

// makeRoom runs before every write transaction, with wgate held: when
// pins are held and the write might need more map than is left, it
// releases them and reopens the file with a larger map.
func (db *DB) makeRoom() error {
	db.pinMu.Lock()
	n, mapped := len(db.pins), db.mapped
	db.pinMu.Unlock()
	if n == 0 {
		return nil
	}
	db.swap.RLock()
	size := db.dataSize()
	db.swap.RUnlock()
	if size+max(size, db.headroom/4) <= mapped {
		return nil
	}
	// Release the pins before taking swap: their holders may be waiting
	// for a read transaction (and so for swap) while they finish a search.
	db.blockPins(true)
	defer db.blockPins(false)
	db.pinMu.Lock()
	db.releases++
	db.pinMu.Unlock()
	db.releasePins(true)
	for !db.swap.TryLock() {
		time.Sleep(100 * time.Microsecond)
	}
	defer db.swap.Unlock()
	return db.reopenLocked()
}

// reopenLocked closes and reopens the bbolt handle (swap held for
// writing, no pins) with a map of initialMap of the file's size.
func (db *DB) reopenLocked() error {
	if err := db.bolt.Close(); err != nil {
		return err
	}
	fi, err := os.Stat(db.path)
	if err != nil {
		return err
	}
	db.opts.InitialMmapSize = initialMap(fi.Size(), db.headroom)
	bdb, err := openBolt(db.path, 0o644, &db.opts)
	if err != nil {
		return fmt.Errorf("reopen %s to map more of it: %w", db.path, err)
	}
	db.bolt = bdb
	db.pinMu.Lock()
	db.mapped = bboltMapSize(max(fi.Size(), int64(db.opts.InitialMmapSize)), db.pageSize)
	db.pinMu.Unlock()
	return nil
}

// blockPins makes Pin refuse (return nil) while b holds, so that no pin is
// taken between a release and what it makes way for.
func (db *DB) blockPins(b bool) {
	db.pinMu.Lock()
	db.noPins = b
	db.pinMu.Unlock()
}

// remapProbe is how long watchRemap lets a probing read transaction wait
// before it takes the wait for a pending remap.
const remapProbe = 50 * time.Millisecond

// watchRemap watches a write transaction that runs while pins are held
// (swap held for reading, so the handle stays): every remapProbe it begins
// a read transaction, which waits only while bbolt remaps (or is about to:
// a remap waits for the open read transactions, the pins among them, and
// holds new ones back). When the probe waits that long, it releases the
// pins so that the remap can go on. stop ends the watch.
func (db *DB) watchRemap() (stop func()) {
	if db.Pins() == 0 {
		return func() {}
	}
	done := make(chan struct{})
	bdb := db.bolt
	go func() {
		t := time.NewTicker(remapProbe)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			if db.Pins() == 0 {
				continue
			}
			began := make(chan struct{})
			go func() {
				if tx, err := bdb.Begin(false); err == nil {
					tx.Rollback()
				}
				close(began)
			}()
			select {
			case <-began:
			case <-done:
				return
			case <-time.After(remapProbe):
				db.pinMu.Lock()
				db.releases++
				db.pinMu.Unlock()
				db.releasePins(true)
			}
		}
	}()
	return func() { close(done) }
}

func (db *DB) pinsBlocked() bool {
	db.pinMu.Lock()
	defer db.pinMu.Unlock()
	return db.noPins
}
