package storage

import (
	"context"
	"fmt"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// damage applies fn to the collection's data bucket in a raw bbolt
// transaction, bypassing every invariant the package keeps.
func damage(t *testing.T, db *DB, name string, fn func(cat, b *bolt.Bucket, m *CollectionMeta)) {
	t.Helper()
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		cat := tx.Bucket(bucketCatalog)
		m, err := decodeMeta(cat.Get([]byte(name)))
		if err != nil {
			return err
		}
		fn(cat, tx.Bucket([]byte(m.Bucket)), m)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCheck(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		fn   func(cat, b *bolt.Bucket, m *CollectionMeta)
		want string
	}{
		{"key map entry missing", func(cat, b *bolt.Bucket, m *CollectionMeta) {
			b.Bucket(subKeys).Delete([]byte("w3"))
		}, "key 'w3' (id 3): row's key is not in the key map"},
		{"key maps to another row", func(cat, b *bolt.Bucket, m *CollectionMeta) {
			b.Bucket(subKeys).Put([]byte("w3"), idKey(4))
		}, "key 'w3' (id 4): key maps to the row of 'w4'"},
		{"row missing", func(cat, b *bolt.Bucket, m *CollectionMeta) {
			b.Bucket(subRows).Delete(idKey(5))
		}, "key 'w5' (id 5): key maps to a missing row"},
		{"flipped count bit", func(cat, b *bolt.Bucket, m *CollectionMeta) {
			rows := b.Bucket(subRows)
			v := append([]byte(nil), rows.Get(idKey(7))...)
			v[3] ^= 0x02 // the count's first byte, after "w7" and its length
			rows.Put(idKey(7), v)
		}, "key 'w7' (id 7): database file is corrupt: checksum mismatch"},
		{"flipped vector bit", func(cat, b *bolt.Bucket, m *CollectionMeta) {
			vb := b.Bucket(subVBlocks)
			v := append([]byte(nil), vb.Get(blockKey(0))...)
			v[vbHeader+4*7*8+1] ^= 0x01 // row 7's vector, element 0
			vb.Put(blockKey(0), v)
		}, "vector block 0: checksum mismatch (block damaged)"},
		{"row counter", func(cat, b *bolt.Bucket, m *CollectionMeta) {
			m.Rows++
			rec, _ := encodeMeta(m)
			cat.Put([]byte(m.Name), rec)
		}, "catalog says 21 rows, found 20"},
		{"next id", func(cat, b *bolt.Bucket, m *CollectionMeta) {
			m.NextID = 10
			rec, _ := encodeMeta(m)
			cat.Put([]byte(m.Name), rec)
		}, "id is not below the next id 10"},
		{"trailing bytes", func(cat, b *bolt.Bucket, m *CollectionMeta) {
			rows := b.Bucket(subRows)
			rows.Put(idKey(2), append(append([]byte(nil), rows.Get(idKey(2))...), 1, 2, 3))
		}, "record is"},
		{"output of a missing row", func(cat, b *bolt.Bucket, m *CollectionMeta) {
			ob, _ := b.CreateBucketIfNotExists(subOutput)
			ob.Put(idKey(99), make([]byte, 4*m.Dim))
		}, "row id 99: output weights of a row that does not exist"},
		{"graph without index", func(cat, b *bolt.Bucket, m *CollectionMeta) {
			b.Put(subHNSWMeta, []byte{1})
		}, "graph records stored but the catalog has no index"},
		{"missing data bucket", func(cat, b *bolt.Bucket, m *CollectionMeta) {
			m.Bucket = "d/99999999"
			rec, _ := encodeMeta(m)
			cat.Put([]byte(m.Name), rec)
		}, "catalog names data bucket d/99999999, which does not exist"},
		{"bad catalog record", func(cat, b *bolt.Bucket, m *CollectionMeta) {
			cat.Put([]byte(m.Name), []byte("{"))
		}, "catalog record"},
		{"more problems than reported", func(cat, b *bolt.Bucket, m *CollectionMeta) {
			// 150 key-map entries pointing at missing rows (and so a wrong
			// key count): 100 reported,
			// then a count of the rest.
			for i := 0; i < 150; i++ {
				b.Bucket(subKeys).Put([]byte(fmt.Sprintf("ghost%d", i)), idKey(uint32(1000+i)))
			}
		}, "and 51 more problems"}, // 150 missing rows and the key count
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := mustOpen(t)
			loadRows(t, db, "c", 20, 8, 1)
			rep, err := db.Check(ctx, "", nil)
			if err != nil || len(rep.Problems) != 0 || rep.Rows["c"] != 20 || !rep.Pages {
				t.Fatalf("before damage: %+v, %v", rep, err)
			}
			damage(t, db, "c", tc.fn)
			rep, err = db.Check(ctx, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			var all []string
			for _, p := range rep.Problems {
				all = append(all, p.String())
			}
			if !strings.Contains(strings.Join(all, "\n"), tc.want) {
				t.Fatalf("want a problem containing %q, got %q", tc.want, all)
			}
		})
	}
}

func TestCheckOrphanAndUnknown(t *testing.T) {
	db := mustOpen(t)
	loadRows(t, db, "c", 5, 4, 1)
	if _, err := db.Check(context.Background(), "nope", nil); !errorsIsAny(err, ErrCollectionNotFound) {
		t.Fatalf("want ErrCollectionNotFound, got %v", err)
	}
	db.bolt.Update(func(tx *bolt.Tx) error { _, _, err := newDataBucket(tx, 0); return err })
	// An orphan data bucket is what a crash during a load leaves: a note,
	// not a problem.
	rep, err := db.Check(context.Background(), "", nil)
	if err != nil || len(rep.Problems) != 0 || len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "orphan data bucket") ||
		!strings.Contains(rep.Notes[0], "the next writable open removes it") {
		t.Fatalf("%+v %v", rep, err)
	}
	// An unknown top-level bucket is a problem.
	db.bolt.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("stray")); return err })
	rep, err = db.Check(context.Background(), "", nil)
	if err != nil || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].What, `unknown top-level bucket "stray"`) {
		t.Fatalf("%+v %v", rep, err)
	}
	// A check of one collection does not look at other buckets.
	rep, err = db.Check(context.Background(), "c", nil)
	if err != nil || len(rep.Problems) != 0 || rep.Pages {
		t.Fatalf("%+v %v", rep, err)
	}
}
