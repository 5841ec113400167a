package storage

import (
	"bytes"
	"errors"
	"testing"
)

// TestNodeReader: a NodeReader reads copies of the graph records of the
// state it was made from; a missing record is ErrCorrupt, and once the
// collection changes every read is ErrStale.
func TestNodeReader(t *testing.T) {
	db := mustOpen(t)
	create(t, db, "c", 4)
	recs := map[uint32][]byte{1: {0, 1, 2}, 2: {0, 1, 1}, 7: {0, 0}}
	err := db.Update(func(tx *Tx) error {
		c, err := tx.Collection("c")
		if err != nil {
			return err
		}
		for id, rec := range recs {
			if err := c.IndexPut(id, rec); err != nil {
				return err
			}
		}
		return c.IndexPutMeta([]byte("meta"))
	})
	if err != nil {
		t.Fatal(err)
	}
	var nr *NodeReader
	err = db.View(func(tx *Tx) error {
		c, err := tx.Collection("c")
		nr = c.NodeReader()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got := make([][]byte, 3)
	if err := nr.Nodes([]uint32{7, 1, 2}, got); err != nil {
		t.Fatal(err)
	}
	for i, id := range []uint32{7, 1, 2} {
		if !bytes.Equal(got[i], recs[id]) {
			t.Fatalf("node %d: %v, want %v", id, got[i], recs[id])
		}
	}
	if err := nr.Nodes([]uint32{1, 3}, got[:2]); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("missing record: %v", err)
	}
	// A change of the collection (its catalog record is rewritten).
	err = db.Update(func(tx *Tx) error {
		c, err := tx.Collection("c")
		if err != nil {
			return err
		}
		c.SetParams(map[string]string{"x": "1"}, "")
		return c.Save()
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := nr.Nodes([]uint32{1}, got[:1]); !errors.Is(err, ErrStale) {
		t.Fatalf("after a change: %v", err)
	}
	db.Close()
	if err := nr.Nodes([]uint32{1}, got[:1]); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}
