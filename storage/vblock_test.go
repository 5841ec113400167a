package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"math/rand"
	"path/filepath"
	"sync/atomic"
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
		// EachRow walks the same keys and counts as Row, in id order,
		// and KeyBytes is their length.
		next, keyBytes := uint32(0), 0
		var walkErr error
		bv.EachRow(func(id uint32, key []byte, count int64) {
			k, cnt := bv.Row(id)
			if walkErr == nil && (id != next || string(key) != string(k) || count != cnt) {
				walkErr = fmt.Errorf("EachRow: row %d %q %d after row %d, Row gives %q %d", id, key, count, next, k, cnt)
			}
			next++
			keyBytes += len(key)
		})
		if walkErr != nil || next != c.Meta().NextID || keyBytes != bv.KeyBytes() {
			return fmt.Errorf("EachRow: %v; %d rows of %d, %d key bytes, KeyBytes %d", walkErr, next, c.Meta().NextID, keyBytes, bv.KeyBytes())
		}
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

// makeEarlierLayout rewrites collection name as the earlier layout wrote
// it (format version 1): every row record holds its vector, and there are
// no blocks, or (vm01) blocks of the unreleased layout that repeated the
// vectors, here left stale.
func makeEarlierLayout(t *testing.T, db *DB, name string, vm01 bool) {
	t.Helper()
	var rows []*Row
	if err := db.View(func(tx *Tx) error {
		c, err := tx.Collection(name)
		if err != nil {
			return err
		}
		return c.Scan(ScanOptions{}, func(r *Row) (bool, error) {
			cp := *r
			rows = append(rows, &cp)
			return true, nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	rawUpdate(t, db, func(tx *bolt.Tx) error {
		b, m := dataBucket(t, tx, name)
		for _, r := range rows {
			rec, err := appendRow(nil, r, m.Fields)
			if err != nil {
				return err
			}
			if err := b.Bucket(subRows).Put(idKey(r.ID), rec); err != nil {
				return err
			}
		}
		if vm01 {
			meta := append([]byte(nil), b.Get(subVBlockMeta)...)
			copy(meta, "VM01")
			binary.LittleEndian.PutUint64(meta[16:], m.Version-1) // stale
			if err := b.Put(subVBlockMeta, meta); err != nil {
				return err
			}
		} else {
			if err := b.DeleteBucket(subVBlocks); err != nil {
				return err
			}
			if err := b.Delete(subVBlockMeta); err != nil {
				return err
			}
		}
		var v [4]byte
		binary.BigEndian.PutUint32(v[:], 1)
		return tx.Bucket(bucketFormat).Put(keyVersion, v[:])
	})
}

func formatVersion(t *testing.T, db *DB) uint32 {
	t.Helper()
	var ver uint32
	db.bolt.View(func(tx *bolt.Tx) error {
		ver = binary.BigEndian.Uint32(tx.Bucket(bucketFormat).Get(keyVersion))
		return nil
	})
	return ver
}

// TestVectorBlocksMigration: collections of the earlier layout (vectors in
// the rows; no blocks, or stale blocks of the unreleased layout) in a file
// of format version 1 are read from their rows, answer Get and Scan with
// their exact vectors, take writes in their own layout, pass Check, and
// are converted by VACUUM: then their records hold no vector, the blocks
// hold every vector once, the answers are the same bits, and the file is
// of version 2.
func TestVectorBlocksMigration(t *testing.T) {
	db := mustOpen(t)
	loadBlockRows(t, db, "old", 500, 16, vec.Cosine)
	loadBlockRows(t, db, "vm01", 500, 16, vec.L2)
	makeEarlierLayout(t, db, "old", false)
	makeEarlierLayout(t, db, "vm01", true)
	if v := formatVersion(t, db); v != 1 {
		t.Fatalf("format version %d, want 1", v)
	}
	// A write in the earlier layout: its rows keep their vectors.
	extra := &Row{Key: "new", Vector: []float32{1, -2, 3, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1e-3}, Count: 3}
	if err := db.Update(func(tx *Tx) error {
		c, err := tx.Collection("old")
		if err != nil {
			return err
		}
		if c.HasBlocks() {
			t.Error("a collection of the earlier layout claims blocks")
		}
		if _, err := c.Insert(extra); err != nil {
			return err
		}
		if _, err := c.Delete("k9"); err != nil {
			return err
		}
		return c.Save()
	}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"old", "vm01"} {
		if vecs, _, _ := blocksOf(t, db, name); vecs != nil {
			t.Errorf("%s: blocks used in place", name)
		}
	}
	if v := formatVersion(t, db); v != 1 {
		t.Fatalf("format version %d after a write to the earlier layout, want 1", v)
	}
	checkOK(t, db)
	before := map[string][]Row{"old": snapshot(t, db, "old"), "vm01": snapshot(t, db, "vm01")}
	if _, _, err := db.Vacuum(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v := formatVersion(t, db); v != FormatVersion {
		t.Fatalf("format version %d after VACUUM, want %d", v, FormatVersion)
	}
	checkOK(t, db)
	for name, want := range before {
		got := snapshot(t, db, name)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: rows changed by VACUUM", name)
		}
		for i := range got {
			for j := range got[i].Vector {
				if math.Float32bits(got[i].Vector[j]) != math.Float32bits(want[i].Vector[j]) {
					t.Fatalf("%s: row %s: vector bits changed by VACUUM", name, got[i].Key)
				}
			}
		}
		db.View(func(tx *Tx) error {
			c, err := tx.Collection(name)
			if err != nil {
				t.Fatal(err)
			}
			if !c.HasBlocks() {
				t.Errorf("%s: no blocks after VACUUM", name)
			}
			// No record holds its vector any more.
			return c.rows.ForEach(func(k, v []byte) error {
				if len(v) >= 4*16 {
					t.Fatalf("%s: record of %d bytes after VACUUM", name, len(v))
				}
				return nil
			})
		})
	}
	vecs, _, _ := blocksOf(t, db, "vm01")
	if len(vecs) != 500 {
		t.Fatalf("vm01: %d vectors in place after VACUUM, want 500", len(vecs))
	}
}

// TestCheckFindsDamagedVectorBlocks: a block whose bytes changed (checksum
// mismatch), a block whose count or presence bit was changed with a
// consistent checksum, a block of the wrong length and a missing block
// are all reported; BlockVectors (a view's load) fails with ErrCorrupt on
// a missing, short or absent-row block (checksums and counts only Check
// verifies), and Get
// and Scan on a missing block or row, never answering from it (a block cut
// short in its keys still gives its intact vectors to Get).
func TestCheckFindsDamagedVectorBlocks(t *testing.T) {
	for _, damage := range []string{"flip", "absent", "count", "short", "missing"} {
		db := mustOpen(t)
		loadBlockRows(t, db, "c", 600, 64, vec.Cosine)
		rawUpdate(t, db, func(tx *bolt.Tx) error {
			b, _ := dataBucket(t, tx, "c")
			vb := b.Bucket(subVBlocks)
			v := append([]byte(nil), vb.Get(blockKey(1))...)
			switch damage {
			case "flip":
				v[vbHeader+100] ^= 0x10
			case "absent": // slot 5 marked absent, checksum kept consistent
				v[vbHeader+4*256*64+4*256] &^= 1 << 5
				binary.LittleEndian.PutUint32(v[8:], vbSum(v))
			case "short":
				v = v[:len(v)-8]
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
		if damage == "missing" || damage == "short" || damage == "absent" {
			err := db.View(func(tx *Tx) error {
				c, err := tx.Collection("c")
				if err != nil {
					return err
				}
				_, err = c.BlockVectors()
				return err
			})
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("%s block: BlockVectors gave %v, want ErrCorrupt", damage, err)
			}
			if damage == "short" {
				continue // its vectors are intact: Get and Scan may read them
			}
			key := "k300" // row 300 is in block 1 (256 rows a block at dim 64)
			if damage == "absent" {
				key = "k261"
			}
			err = db.View(func(tx *Tx) error {
				c, err := tx.Collection("c")
				if err != nil {
					return err
				}
				if _, err := c.Get(key); !errors.Is(err, ErrCorrupt) {
					return fmt.Errorf("Get: %v", err)
				}
				return c.Scan(ScanOptions{}, func(*Row) (bool, error) { return true, nil })
			})
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("%s block: got %v, want ErrCorrupt", damage, err)
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

// hardVectors returns vectors that exercise every form of vx: ordinary
// ones (2-bit corrections), mixed scales and subnormal values (wider
// corrections or the raw vector), negative zeros and a zero vector.
func hardVectors(dim int) [][]float32 {
	r := rand.New(rand.NewSource(int64(dim)))
	var out [][]float32
	for k := 0; k < 60; k++ {
		v := make([]float32, dim)
		for i := range v {
			v[i] = float32(r.NormFloat64())
			switch k % 6 {
			case 1:
				v[i] *= 1e-39 // subnormal
			case 2:
				if i%2 == 0 {
					v[i] *= 1e30
				} else {
					v[i] *= 1e-30
				}
			case 3:
				v[i] *= 3e37
			case 4:
				if i%3 == 0 {
					v[i] = float32(math.Copysign(0, -1))
				}
			case 5:
				if k == 35 {
					v[i] = 0
				}
			}
		}
		out = append(out, v)
	}
	return out
}

func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// TestVectorStoredOnce: the row records of the block layout hold no
// vector, yet Get and Scan return every stored vector bit for bit, for
// every metric, whether it came from a bulk load, an Insert, an Upsert
// (read back in the same transaction and after it), or kept its vector
// through SetMeta; every form of vx occurs; Check passes.
func TestVectorStoredOnce(t *testing.T) {
	const dim = 33
	vs := hardVectors(dim)
	for _, metric := range []vec.Metric{vec.Cosine, vec.L2, vec.DotProduct} {
		t.Run(metric.String(), func(t *testing.T) {
			db := mustOpen(t)
			l, err := db.NewLoader(&CollectionMeta{Name: "c", Dim: dim, Metric: metric, Fields: []Field{{Name: "f", Type: Int}}})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string][]float32{}
			for i, v := range vs[:30] {
				k := fmt.Sprintf("k%d", i)
				want[k] = v
				if _, err := l.Add(&Row{Key: k, Vector: v, Count: int64(i)}); err != nil {
					t.Fatal(err)
				}
			}
			if err := l.Commit(context.Background(), false, nil); err != nil {
				t.Fatal(err)
			}
			forms := map[byte]int{}
			err = db.Update(func(tx *Tx) error {
				c, err := tx.Collection("c")
				if err != nil {
					return err
				}
				for i, v := range vs[30:] {
					k := fmt.Sprintf("n%d", i)
					want[k] = v
					if _, err := c.Insert(&Row{Key: k, Vector: v, Count: 1}); err != nil {
						return err
					}
				}
				// Upserts over loaded rows, read back before Save.
				for i := 0; i < 10; i++ {
					k := fmt.Sprintf("k%d", i)
					want[k] = vs[59-i]
					if _, _, err := c.Upsert(&Row{Key: k, Vector: vs[59-i], Count: 7}); err != nil {
						return err
					}
					r, err := c.Get(k)
					if err != nil {
						return err
					}
					if !sameBits(r.Vector, want[k]) {
						return fmt.Errorf("%s read in its write transaction: %v, want %v", k, r.Vector, want[k])
					}
				}
				id, _ := c.ID("k12")
				if err := c.SetMeta(id, []any{int64(5)}); err != nil {
					return err
				}
				return c.Save()
			})
			if err != nil {
				t.Fatal(err)
			}
			err = db.View(func(tx *Tx) error {
				c, err := tx.Collection("c")
				if err != nil {
					return err
				}
				for k, v := range want {
					r, err := c.Get(k)
					if err != nil {
						return err
					}
					if !sameBits(r.Vector, v) {
						return fmt.Errorf("Get %s: %v, want %v", k, r.Vector, v)
					}
				}
				n := 0
				err = c.Scan(ScanOptions{Reuse: true}, func(r *Row) (bool, error) {
					n++
					if !sameBits(r.Vector, want[r.Key]) {
						return false, fmt.Errorf("Scan %s: %v, want %v", r.Key, r.Vector, want[r.Key])
					}
					return true, nil
				})
				if err != nil || n != len(want) {
					return fmt.Errorf("scan: %d rows, %v", n, err)
				}
				return c.rows.ForEach(func(k, v []byte) error {
					var r Row
					vx, err := c.dec.decode(binary.BigEndian.Uint32(k), v, &r, true)
					if err != nil {
						return err
					}
					if len(vx) > 0 {
						forms[vx[0]]++
					} else {
						forms[0]++
					}
					if len(vx) >= 4*dim && (len(vx) != 1+4*dim || vx[0] != vxRaw) {
						return fmt.Errorf("record of %s holds %d bytes of vector", r.Key, len(vx))
					}
					if r.Key == "k12" && (len(r.Meta) != 1 || r.Meta[0] != int64(5)) {
						return fmt.Errorf("k12's metadata %v", r.Meta)
					}
					return nil
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			if metric == vec.Cosine {
				if forms[vx2] == 0 || forms[vx4]+forms[vxRaw] == 0 || forms[0] == 0 {
					t.Errorf("vx forms used: %v", forms)
				}
			} else if len(forms) != 1 || forms[0] != len(want) {
				t.Errorf("%s rows carry corrections: %v", metric, forms)
			}
			checkOK(t, db)
		})
	}
}

// contents returns a digest of every bucket, key and value of the file but
// the format record's bucket sequence (a load that is aborted has used a
// number), and the number of data buckets.
func contents(t *testing.T, db *DB) string {
	t.Helper()
	h := crc32.NewIEEE()
	var walk func(path string, b *bolt.Bucket)
	walk = func(path string, b *bolt.Bucket) {
		b.ForEach(func(k, v []byte) error {
			if v == nil {
				walk(path+"/"+string(k), b.Bucket(k))
				return nil
			}
			if path == "/vecdb" && string(k) == "seq" {
				return nil
			}
			fmt.Fprintf(h, "%s %x %x\n", path, k, v)
			return nil
		})
	}
	n := 0
	db.bolt.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			n++
			walk("/"+string(name), b)
			return nil
		})
	})
	return fmt.Sprintf("%d buckets, digest %08x", n, h.Sum32())
}

// TestFailedWritesLeaveTheFile: writes that fail or are aborted part way
// leave every bucket, row and vector block as it was, and the file checks:
// a transaction whose last insert is refused (after inserts, upserts and a
// delete changed rows and blocks in it), one that saves and then fails, a
// bulk replacement that wrote chunks and is aborted, a VACUUM cancelled
// before its swap, and a VACUUM whose conversion of a collection of the
// earlier layout meets a damaged row (no converted copy is left either).
func TestFailedWritesLeaveTheFile(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	loadBlockRows(t, db, "c", 600, 16, vec.Cosine)
	loadBlockRows(t, db, "old", 300, 8, vec.L2)
	makeEarlierLayout(t, db, "old", false)
	want := contents(t, db)
	r := rand.New(rand.NewSource(3))
	changes := func(c *Coll) error {
		for i := 0; i < 40; i++ {
			row := randRow(r, 16, fmt.Sprintf("new%d", i))
			row.Meta = nil
			if _, err := c.Insert(row); err != nil {
				return err
			}
		}
		for i := 0; i < 40; i++ {
			row := randRow(r, 16, fmt.Sprintf("k%d", i*7))
			row.Meta = nil
			if _, _, err := c.Upsert(row); err != nil {
				return err
			}
		}
		_, err := c.Delete("k5")
		return err
	}
	coll := func(tx *Tx) *Coll {
		c, err := tx.Collection("c")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	bad := randRow(r, 16, "bad")
	bad.Meta = nil
	bad.Vector[3] = float32(math.NaN())
	err := db.Update(func(tx *Tx) error {
		c := coll(tx)
		if err := changes(c); err != nil {
			return err
		}
		_, err := c.Insert(bad)
		return err
	})
	if err == nil {
		t.Fatal("a NaN vector was accepted")
	}
	errLater := errors.New("later step failed")
	if err := db.Update(func(tx *Tx) error {
		c := coll(tx)
		if err := changes(c); err != nil {
			return err
		}
		if err := c.Save(); err != nil {
			return err
		}
		return errLater
	}); !errors.Is(err, errLater) {
		t.Fatal(err)
	}
	if got := contents(t, db); got != want {
		t.Fatalf("failed transactions changed the file: %s, want %s", got, want)
	}
	l, err := db.NewLoader(&CollectionMeta{Name: "c", Dim: 16, Metric: vec.Cosine})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 700; i++ {
		row := randRow(r, 16, fmt.Sprintf("r%d", i))
		row.Meta = nil
		if _, err := l.Add(row); err != nil {
			t.Fatal(err)
		}
		if i%200 == 199 {
			if err := l.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := l.Abort(); err != nil {
		t.Fatal(err)
	}
	if got := contents(t, db); got != want {
		t.Fatalf("an aborted load changed the file: %s, want %s", got, want)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := db.Vacuum(cctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled VACUUM: %v", err)
	}
	if got := contents(t, db); got != want {
		t.Fatalf("a cancelled VACUUM changed the file: %s, want %s", got, want)
	}
	rawUpdate(t, db, func(tx *bolt.Tx) error { // a damaged record of the earlier layout
		b, _ := dataBucket(t, tx, "old")
		return b.Bucket(subRows).Put(idKey(9), []byte{200})
	})
	want = contents(t, db)
	if _, _, err := db.Vacuum(ctx); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("VACUUM over a damaged row: %v, want ErrCorrupt", err)
	}
	if got := contents(t, db); got != want {
		t.Fatalf("a failed VACUUM changed the file: %s, want %s", got, want)
	}
	if m, _ := filepath.Glob(db.path + "*"); len(m) != 1 {
		t.Fatalf("files left beside the database: %v", m)
	}
}

// TestNewCollectionMakesVersion2: a file of format version 1 stays so
// while only its collections of the earlier layout are written; the
// first collection of the block layout that the catalog names makes it
// version 2 (earlier releases then refuse it with ErrVersion rather than
// misread its rows), and this release reads both collections.
func TestNewCollectionMakesVersion2(t *testing.T) {
	db := mustOpen(t)
	loadBlockRows(t, db, "old", 50, 8, vec.Cosine)
	makeEarlierLayout(t, db, "old", false)
	if err := db.Update(func(tx *Tx) error {
		_, err := tx.CreateCollection(&CollectionMeta{Name: "fresh", Dim: 4})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if v := formatVersion(t, db); v != 2 {
		t.Fatalf("format version %d, want 2", v)
	}
	db.View(func(tx *Tx) error {
		for name, blocks := range map[string]bool{"old": false, "fresh": true} {
			c, err := tx.Collection(name)
			if err != nil {
				t.Fatal(err)
			}
			if c.HasBlocks() != blocks {
				t.Errorf("%s: blocks %v, want %v", name, c.HasBlocks(), blocks)
			}
		}
		return nil
	})
	checkOK(t, db)
	rawUpdate(t, db, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketFormat).Put(keyVersion, []byte{0, 0, 0, 1})
	})
	if rep, err := db.Check(context.Background(), "", nil); err != nil || len(rep.Problems) != 1 || rep.Problems[0].Collection != "fresh" {
		t.Fatalf("a block-layout collection in a version 1 file: %v %v", err, rep.Problems)
	}
}

// FuzzBlockRecord: any bytes as a row record of the block layout and its
// vector corrections decode or fail with an error, never a panic; a
// record that decodes re-encodes to the same bytes (checksum aside), and
// vx that applies gives dim values.
func FuzzBlockRecord(f *testing.F) {
	r := rand.New(rand.NewSource(1))
	for i, v := range hardVectors(5)[:12] {
		u := make([]float32, 5)
		n := searchForm(u, v, vec.Cosine)
		rec, _ := appendRowVX(nil, &Row{Key: fmt.Sprint("k", i), Count: int64(i), Meta: []any{"t", int64(i), r.Float64(), true}}, testFields,
			vectorExtra(v, u, n, vec.Cosine))
		f.Add(rec, 1.5)
	}
	f.Fuzz(func(t *testing.T, rec []byte, norm float64) {
		d := rowDecoder{dim: 5, fields: testFields, blocks: true}
		var row Row
		vx, err := d.decode(3, rec, &row, true)
		if err != nil {
			return
		}
		if _, err := verifyRecord(3, rec, d); err == nil {
			enc, _ := appendRowVX(nil, &row, testFields, vx)
			if !bytes.Equal(enc[:len(enc)-4], rec[:len(enc)-4]) {
				t.Fatalf("record %x verified but encodes to %x", rec, enc)
			}
		}
		dst := []float32{0.1, -0.2, 0.3, 0, 1}
		if applyExtra(dst, float32(norm), vx, vec.Cosine) == nil && len(dst) != 5 {
			t.Fatal("vector length changed")
		}
	})
}

// TestReleaseWaitsForView: a release of a pin (here the one a write that
// needs a larger map makes) waits for a View that is reading, so that what
// the View publishes is there for evict and no byte it reads is unmapped
// under it; a View after the release is ErrClosed and does not run.
func TestReleaseWaitsForView(t *testing.T) {
	if !pinsSupported {
		t.Skip("no pins on this platform")
	}
	db, err := Open(filepath.Join(t.TempDir(), "t.vdb"), &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	loadBlockRows(t, db, "c", 50, 8, vec.Cosine)
	var published atomic.Bool
	sawPublished := make(chan bool, 1)
	pin, err := db.Pin(func(keep bool) { sawPublished <- published.Load() })
	if err != nil || pin == nil {
		t.Fatal(pin, err)
	}
	inView, finish := make(chan struct{}), make(chan struct{})
	viewDone := make(chan error, 1)
	go func() {
		viewDone <- pin.View(func(tx *Tx) error {
			close(inView)
			<-finish
			c, err := tx.Collection("c")
			if err != nil {
				return err
			}
			if _, err := c.BlockVectors(); err != nil {
				return err
			}
			published.Store(true)
			return nil
		})
	}()
	<-inView
	released := make(chan struct{})
	go func() {
		db.releasePins(true)
		close(released)
	}()
	select {
	case <-released:
		t.Fatal("the pin was released while a View was reading it")
	case <-time.After(50 * time.Millisecond):
	}
	close(finish)
	if err := <-viewDone; err != nil {
		t.Fatal(err)
	}
	<-released
	if !<-sawPublished {
		t.Error("evict ran before the View had published")
	}
	ran := false
	if err := pin.View(func(*Tx) error { ran = true; return nil }); !errors.Is(err, ErrClosed) || ran {
		t.Errorf("View after the release: %v, ran %v", err, ran)
	}
}
