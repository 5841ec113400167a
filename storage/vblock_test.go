package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"path/filepath"
	"testing"
	"time"
	"unsafe"

	bolt "go.etcd.io/bbolt"

	"github.com/vecdb/vecdb/internal/vec"
)

// loadRows bulk-loads n random rows of dim into collection name.
func loadBlockRows(t *testing.T, db *DB, name string, n, dim int, metric vec.Metric) []*Row {
	t.Helper()
	r := rand.New(rand.NewSource(int64(n*dim) + 7))
	l, err := db.NewLoader(&CollectionMeta{Name: name, Dim: dim, Metric: metric})
	if err != nil {
		t.Fatal(err)
	}
	var rows []*Row
	for i := 0; i < n; i++ {
		row := randRow(r, dim, fmt.Sprintf("k%d", i))
		row.Meta = nil
		if i == 3 {
			clear(row.Vector) // a zero vector: norm 0, stored as is
		}
		rows = append(rows, row)
		if _, err := l.Add(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Commit(context.Background(), false, nil); err != nil {
		t.Fatal(err)
	}
	return rows
}

// blocksOf returns a copy of the collection's in-place vectors and norms
// by row id, or nil when it has none in use.
func blocksOf(t *testing.T, db *DB, name string) (vecs [][]float32, norms []float32, copied int) {
	t.Helper()
	err := db.View(func(tx *Tx) error {
		c, err := tx.Collection(name)
		if err != nil {
			return err
		}
		bv, err := c.BlockVectors()
		if bv == nil || err != nil {
			return err
		}
		copied = bv.Copied
		for id := uint32(0); id < c.Meta().NextID; id++ {
			vecs = append(vecs, append([]float32(nil), bv.Vector(id)...))
			norms = append(norms, bv.Norms[int(id)/bv.Rows][int(id)%bv.Rows])
			k, cnt := bv.Row(id)
			r, err := c.GetID(id)
			if err != nil {
				return err
			}
			if string(k) != r.Key || cnt != r.Count {
				return fmt.Errorf("block row %d: key %q count %d, the row %q %d", id, k, cnt, r.Key, r.Count)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return vecs, norms, copied
}

// wantForm checks that vecs/norms hold the search form of rows.
func wantForm(t *testing.T, rows []*Row, vecs [][]float32, norms []float32, metric vec.Metric) {
	t.Helper()
	if len(vecs) != len(rows) {
		t.Fatalf("blocks hold %d rows, want %d", len(vecs), len(rows))
	}
	for i, r := range rows {
		w := make([]float32, len(r.Vector))
		n := searchForm(w, r.Vector, metric)
		if norms[i] != n {
			t.Fatalf("row %d: norm %v, want %v", i, norms[i], n)
		}
		for j := range w {
			if vecs[i][j] != w[j] {
				t.Fatalf("row %d: block vector %v, want %v", i, vecs[i], w)
			}
		}
	}
}

func checkOK(t *testing.T, db *DB) {
	t.Helper()
	rep, err := db.Check(context.Background(), "", nil)
	if err != nil || len(rep.Problems) > 0 {
		t.Fatalf("check: %v %v", err, rep.Problems)
	}
}

// TestVectorBlocksFollowWrites: a bulk load writes the blocks; inserts and
// upserts keep them equal to the rows' search form (unit vectors for
// COSINE, raw for L2), read in place and aligned; a delete makes the ids
// sparse, and readers then leave the blocks aside; Check passes throughout.
func TestVectorBlocksFollowWrites(t *testing.T) {
	for _, metric := range []vec.Metric{vec.Cosine, vec.L2} {
		db := mustOpen(t)
		const dim = 64 // 256 rows per block
		if blockRows(dim) != 256 {
			t.Fatalf("rows per block for dim 64: %d", blockRows(dim))
		}
		rows := loadBlockRows(t, db, "c", 1000, dim, metric)
		vecs, norms, copied := blocksOf(t, db, "c")
		wantForm(t, rows, vecs, norms, metric)
		if copied != 0 {
			t.Errorf("%d of the blocks were not aligned in the map", copied)
		}
		checkOK(t, db)
		r := rand.New(rand.NewSource(3))
		err := db.Update(func(tx *Tx) error {
			c, err := tx.Collection("c")
			if err != nil {
				return err
			}
			for i := 0; i < 300; i++ { // into the last block and three new ones
				row := randRow(r, dim, fmt.Sprintf("new%d", i))
				row.Meta = nil
				if _, err := c.Insert(row); err != nil {
					return err
				}
				rows = append(rows, row)
			}
			up := randRow(r, dim, "k10")
			up.Meta = nil
			if _, _, err := c.Upsert(up); err != nil {
				return err
			}
			rows[10] = up
			return c.Save()
		})
		if err != nil {
			t.Fatal(err)
		}
		vecs, norms, _ = blocksOf(t, db, "c")
		wantForm(t, rows, vecs, norms, metric)
		checkOK(t, db)
		err = db.Update(func(tx *Tx) error {
			c, err := tx.Collection("c")
			if err != nil {
				return err
			}
			if _, err := c.Delete("k20"); err != nil {
				return err
			}
			return c.Save()
		})
		if err != nil {
			t.Fatal(err)
		}
		if vecs, _, _ := blocksOf(t, db, "c"); vecs != nil {
			t.Error("blocks used in place for a collection with a deleted row")
		}
		checkOK(t, db)
	}
}

// TestBlockFloatsAlignment: an aligned body is used in place, an unaligned
// one is copied, both read the same values.
func TestBlockFloatsAlignment(t *testing.T) {
	want := []float32{1.5, -2, 3.25, float32(math.Pi)}
	buf := make([]byte, 4*len(want)+8)
	for _, off := range []int{0, 1, 2, 3, 4} {
		body := buf[off : off+4*len(want)]
		for i, x := range want {
			binary.LittleEndian.PutUint32(body[4*i:], math.Float32bits(x))
		}
		got, copied := blockFloats(body)
		aligned := uintptr(unsafe.Pointer(&body[0]))%4 == 0
		if copied == aligned {
			t.Errorf("offset %d: copied %v, aligned %v", off, copied, aligned)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("offset %d: %v, want %v", off, got, want)
			}
		}
	}
}

// rawUpdate changes the file behind the storage layer's back.
func rawUpdate(t *testing.T, db *DB, fn func(tx *bolt.Tx) error) {
	t.Helper()
	if err := db.bolt.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func dataBucket(t *testing.T, tx *bolt.Tx, name string) (*bolt.Bucket, *CollectionMeta) {
	m, err := decodeMeta(tx.Bucket(bucketCatalog).Get([]byte(name)))
	if err != nil {
		t.Fatal(err)
	}
	return tx.Bucket([]byte(m.Bucket)), m
}

// TestVectorBlocksMigration: a collection of the earlier layout (no
// blocks) and one whose blocks an older vecdb left behind (a write that
// did not update them) are read from the rows, pass Check, and get
// current blocks from VACUUM.
func TestVectorBlocksMigration(t *testing.T) {
	db := mustOpen(t)
	rowsA := loadBlockRows(t, db, "old", 500, 16, vec.Cosine)
	rowsB := loadBlockRows(t, db, "stale", 500, 16, vec.Cosine)
	rawUpdate(t, db, func(tx *bolt.Tx) error {
		b, _ := dataBucket(t, tx, "old")
		if err := b.DeleteBucket(subVBlocks); err != nil {
			return err
		}
		return b.Delete(subVBlockMeta)
	})
	rawUpdate(t, db, func(tx *bolt.Tx) error { // an older writer: a row changed, blocks untouched
		b, m := dataBucket(t, tx, "stale")
		m.Version++
		rowsB[7].Vector[0] += 1
		rec, err := appendRow(nil, rowsB[7], nil)
		if err != nil {
			return err
		}
		if err := b.Bucket(subRows).Put(idKey(7), rec); err != nil {
			return err
		}
		enc, err := encodeMeta(m)
		if err != nil {
			return err
		}
		return tx.Bucket(bucketCatalog).Put([]byte("stale"), enc)
	})
	for _, name := range []string{"old", "stale"} {
		if vecs, _, _ := blocksOf(t, db, name); vecs != nil {
			t.Errorf("%s: blocks used in place", name)
		}
	}
	checkOK(t, db)
	if _, _, err := db.Vacuum(context.Background()); err != nil {
		t.Fatal(err)
	}
	vecs, norms, _ := blocksOf(t, db, "old")
	wantForm(t, rowsA, vecs, norms, vec.Cosine)
	vecs, norms, _ = blocksOf(t, db, "stale")
	wantForm(t, rowsB, vecs, norms, vec.Cosine)
	checkOK(t, db)
}

// TestCheckFindsDamagedVectorBlocks: a block whose bytes changed (checksum
// mismatch), a block that was rewritten with a consistent checksum but
// another vector, and a missing block are all reported; a reader fails with
// ErrCorrupt on the missing block rather than answering.
func TestCheckFindsDamagedVectorBlocks(t *testing.T) {
	for _, damage := range []string{"flip", "rewrite", "count", "missing"} {
		db := mustOpen(t)
		loadBlockRows(t, db, "c", 600, 64, vec.Cosine)
		rawUpdate(t, db, func(tx *bolt.Tx) error {
			b, _ := dataBucket(t, tx, "c")
			vb := b.Bucket(subVBlocks)
			v := append([]byte(nil), vb.Get(blockKey(1))...)
			switch damage {
			case "flip":
				v[vbHeader+100] ^= 0x10
			case "rewrite":
				v[vbHeader+100] ^= 0x10
				binary.LittleEndian.PutUint32(v[8:], vbSum(v))
			case "count": // the count of slot 3, checksum kept consistent
				f := vbFixed(256, 64)
				v[f-12*256+8*3] ^= 1
				binary.LittleEndian.PutUint32(v[8:], vbSum(v))
			case "missing":
				return vb.Delete(blockKey(1))
			}
			return vb.Put(blockKey(1), v)
		})
		rep, err := db.Check(context.Background(), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Problems) == 0 {
			t.Errorf("%s: Check found nothing", damage)
		} else if testing.Verbose() {
			t.Logf("%s: %v", damage, rep.Problems[0])
		}
		if damage == "missing" {
			err := db.View(func(tx *Tx) error {
				c, err := tx.Collection("c")
				if err != nil {
					return err
				}
				_, err = c.BlockVectors()
				return err
			})
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("missing block: BlockVectors gave %v, want ErrCorrupt", err)
			}
		}
	}
}

// TestPinsReleasedBeforeTheMapGrows: with a small map headroom, writes
// that grow the file release the pinned read transactions first (each
// holder's evict is called with keep) and never wait for them.
func TestPinsReleasedBeforeTheMapGrows(t *testing.T) {
	if !pinsSupported {
		t.Skip("no pins on this platform")
	}
	db, err := Open(filepath.Join(t.TempDir(), "t.vdb"), &Options{NoSync: true, MapHeadroom: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	loadBlockRows(t, db, "c", 200, 32, vec.Cosine)
	db.pinMu.Lock()
	mapped0 := db.mapped
	db.pinMu.Unlock()
	evicted := make(chan bool, 1)
	pin, err := db.Pin(func(keep bool) { evicted <- keep })
	if err != nil || pin == nil {
		t.Fatal(pin, err)
	}
	var before []float32
	if err := pin.View(func(tx *Tx) error {
		c, err := tx.Collection("c")
		if err != nil {
			return err
		}
		bv, err := c.BlockVectors()
		if err != nil {
			return err
		}
		before = append(before, bv.Vector(5)...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { // about 4 MiB of new rows, past the 1 MiB headroom, in small transactions
		done <- func() error {
			r := rand.New(rand.NewSource(9))
			for i := 0; i < 400; i++ {
				err := db.Update(func(tx *Tx) error {
					c, err := tx.Collection("c")
					if err != nil {
						return err
					}
					for j := 0; j < 10; j++ {
						row := randRow(r, 32, fmt.Sprintf("x%d-%d", i, j))
						row.Meta = nil
						if _, err := c.Insert(row); err != nil {
							return err
						}
					}
					return c.Save()
				})
				if err != nil {
					return err
				}
			}
			return nil
		}()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("writes wait for the pinned read transaction")
	}
	select {
	case keep := <-evicted:
		if !keep {
			t.Error("evict asked to drop, not keep")
		}
	default:
		t.Fatal("the pin was not released")
	}
	if db.Size() <= mapped0 {
		t.Errorf("the file grew to %d bytes only, within the map of %d", db.Size(), mapped0)
	}
	if db.Releases() == 0 || db.Pins() != 0 {
		t.Errorf("releases %d, pins %d", db.Releases(), db.Pins())
	}
	pin.Close() // after a release: does nothing
	// A new pin works on the reopened handle and sees the same rows.
	p2, err := db.Pin(nil)
	if err != nil || p2 == nil {
		t.Fatal(p2, err)
	}
	defer p2.Close()
	if err := p2.View(func(tx *Tx) error {
		c, err := tx.Collection("c")
		if err != nil {
			return err
		}
		bv, err := c.BlockVectors()
		if err != nil {
			return err
		}
		for i, x := range bv.Vector(5) {
			if x != before[i] {
				return fmt.Errorf("row 5 changed: %v, was %v", bv.Vector(5), before)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	checkOK(t, db)
}

// TestLargeWriteReleasesPinsWhenItsRemapWaits: one write transaction that
// outgrows the map by itself (more than the room makeRoom keeps) while a
// pin is held: bbolt's remap waits for the pin, watchRemap sees it and
// releases the pin, and the write completes.
func TestLargeWriteReleasesPinsWhenItsRemapWaits(t *testing.T) {
	if !pinsSupported {
		t.Skip("no pins on this platform")
	}
	db, err := Open(filepath.Join(t.TempDir(), "t.vdb"), &Options{NoSync: true, MapHeadroom: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	loadBlockRows(t, db, "c", 100, 64, vec.Cosine)
	evicted := make(chan bool, 1)
	pin, err := db.Pin(func(keep bool) { evicted <- keep })
	if err != nil || pin == nil {
		t.Fatal(pin, err)
	}
	defer pin.Close()
	done := make(chan error, 1)
	go func() {
		r := rand.New(rand.NewSource(4))
		done <- db.Update(func(tx *Tx) error { // about 3 MiB in one transaction
			c, err := tx.Collection("c")
			if err != nil {
				return err
			}
			for i := 0; i < 6000; i++ {
				row := randRow(r, 64, fmt.Sprintf("big%d", i))
				row.Meta = nil
				if _, err := c.Insert(row); err != nil {
					return err
				}
			}
			return c.Save()
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the write waits for the pin")
	}
	select {
	case keep := <-evicted:
		if !keep {
			t.Error("evict asked to drop, not keep")
		}
	default:
		t.Fatal("the pin was not released")
	}
	checkOK(t, db)
}
