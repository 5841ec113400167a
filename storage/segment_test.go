package storage

import (
	"bytes"
	"context"
	"testing"
	"unsafe"

	"github.com/vecdb/vecdb/internal/vec"
)

// segTestArrays are arrays of odd lengths (padding) for a segment.
func segTestArrays() [][]byte {
	out := [][]byte{bytes.Repeat([]byte{1}, 13), {}, bytes.Repeat([]byte{2, 3}, 5000), bytes.Repeat([]byte{4}, 40001)}
	return out
}

// readSegment returns copies of the stored segment arrays of "c" (nil when
// none), and whether every one was 8-byte aligned in the map.
func readSegment(t *testing.T, db *DB) ([][]byte, bool) {
	t.Helper()
	var out [][]byte
	aligned := true
	err := db.View(func(tx *Tx) error {
		c, err := tx.Collection("c")
		if err != nil {
			return err
		}
		seg, err := c.IndexSegment()
		for _, a := range seg {
			if len(a) > 4096 && uintptr(unsafe.Pointer(&a[0]))%8 != 0 {
				aligned = false
			}
			out = append(out, bytes.Clone(a))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, aligned
}

// TestSegmentWrittenWithTheRecords: IndexWriter writes the segment aside
// and Commit swaps it in with the records, in one transaction; an aborted
// or refused build leaves neither. Large arrays lie 8-byte aligned in the
// map; a write of one node record drops the segment in its transaction.
func TestSegmentWrittenWithTheRecords(t *testing.T) {
	db := mustOpen(t)
	loadBlockRows(t, db, "c", 100, 8, vec.Cosine)
	ver := func() uint64 {
		var v uint64
		db.View(func(tx *Tx) error {
			c, err := tx.Collection("c")
			if err == nil {
				v = c.Meta().Version
			}
			return err
		})
		return v
	}
	cfg := &IndexConfig{Kind: "HNSW", M: 8, EfConstruction: 40, EfSearch: 64}
	build := func() *IndexWriter {
		w, err := db.NewIndexWriter("c")
		if err != nil {
			t.Fatal(err)
		}
		for id := uint32(0); id < 100; id++ {
			if err := w.Put(id, []byte{0}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.PutSegment(segTestArrays()); err != nil {
			t.Fatal(err)
		}
		return w
	}
	// Aborted: neither.
	w := build()
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if seg, _ := readSegment(t, db); seg != nil {
		t.Fatal("an aborted build left a segment")
	}
	// Refused at commit (the collection changed): neither.
	w = build()
	if err := w.Commit(context.Background(), []byte("meta"), cfg, ver()+1); err == nil {
		t.Fatal("a commit against another version succeeded")
	}
	if seg, _ := readSegment(t, db); seg != nil {
		t.Fatal("a refused commit left a segment")
	}
	// Committed: both, the arrays as given, aligned.
	w = build()
	if err := w.Commit(context.Background(), []byte("meta"), cfg, ver()); err != nil {
		t.Fatal(err)
	}
	seg, aligned := readSegment(t, db)
	want := segTestArrays()
	if len(seg) != len(want) || !aligned {
		t.Fatalf("%d arrays, aligned %v", len(seg), aligned)
	}
	for i := range want {
		if !bytes.Equal(seg[i], want[i]) {
			t.Fatalf("array %d differs", i)
		}
	}
	rep, err := db.Check(context.Background(), "c", nil)
	if err != nil || len(rep.Problems) != 0 {
		t.Fatalf("check: %v %v", rep.Problems, err)
	}
	// A record written one by one: the segment goes in the same commit.
	if err := db.Update(func(tx *Tx) error {
		c, err := tx.Collection("c")
		if err != nil {
			return err
		}
		return c.IndexPut(3, []byte{0})
	}); err != nil {
		t.Fatal(err)
	}
	if seg, _ := readSegment(t, db); seg != nil {
		t.Fatal("IndexPut left the segment")
	}
}

// TestSegmentChecksums: Check verifies every array's checksum and the
// header; reads do not.
func TestSegmentChecksums(t *testing.T) {
	db := mustOpen(t)
	loadBlockRows(t, db, "c", 50, 8, vec.Cosine)
	put := func(damage func(b []byte)) {
		t.Helper()
		err := db.Update(func(tx *Tx) error {
			c, err := tx.Collection("c")
			if err != nil {
				return err
			}
			c.SetIndexConfig(&IndexConfig{Kind: "HNSW", M: 8, EfConstruction: 40, EfSearch: 64})
			if err := c.IndexPutMeta([]byte("meta")); err != nil {
				return err
			}
			if err := c.IndexPutSegment(segTestArrays()); err != nil {
				return err
			}
			if damage != nil {
				sb := c.b.Bucket(subHNSWSeg)
				v := bytes.Clone(sb.Get(blockKey(3)))
				damage(v)
				if err := sb.Put(blockKey(3), v); err != nil {
					return err
				}
			}
			return c.Save()
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	put(nil)
	if rep, err := db.Check(context.Background(), "c", nil); err != nil || len(rep.Problems) != 0 {
		t.Fatalf("intact: %v %v", rep.Problems, err)
	}
	put(func(b []byte) { b[100] ^= 1 })
	if rep, err := db.Check(context.Background(), "c", nil); err != nil || len(rep.Problems) != 1 {
		t.Fatalf("a flipped bit: %v %v", rep.Problems, err)
	}
	if seg, _ := readSegment(t, db); seg == nil {
		t.Fatal("reads verify the checksums")
	}
	put(func(b []byte) { b[0] ^= 1 })
	put(nil)
	err := db.Update(func(tx *Tx) error {
		c, _ := tx.Collection("c")
		return c.b.Bucket(subHNSWSeg).Put(blockKey(3), []byte{1, 2, 3})
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := db.Check(context.Background(), "c", nil); err != nil || len(rep.Problems) != 1 {
		t.Fatalf("a short array: %v %v", rep.Problems, err)
	}
	if err := db.View(func(tx *Tx) error {
		c, _ := tx.Collection("c")
		_, err := c.IndexSegment()
		return err
	}); err == nil {
		t.Fatal("a short array was read")
	}
}
