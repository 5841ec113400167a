package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// subwordBlob is a stand-in for a table's bytes (storage does not parse
// them): n pseudo-random bytes.
func subwordBlob(n int, seed int64) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

// loadWithSubwords replaces collection name with a few rows and, when blob
// is not nil, the subword table blob, written in pieces of odd sizes.
func loadWithSubwords(t *testing.T, db *DB, name string, blob []byte) {
	t.Helper()
	l, err := db.NewLoader(&CollectionMeta{Name: name, Dim: 4, Fields: testFields})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 10; i++ {
		if _, err := l.Add(randRow(r, 4, fmt.Sprintf("w%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	if blob != nil {
		err := l.PutSubwords(func(w io.Writer) error {
			for rest := blob; len(rest) > 0; {
				n := min(len(rest), 777777)
				if _, err := w.Write(rest[:n]); err != nil {
					return err
				}
				rest = rest[n:]
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Commit(context.Background(), true, nil); err != nil {
		t.Fatal(err)
	}
}

func readSubwordBlob(t *testing.T, db *DB, name string) ([]byte, error) {
	t.Helper()
	var out []byte
	err := db.View(func(tx *Tx) error {
		c, err := tx.Collection(name)
		if err != nil {
			return err
		}
		r := c.Subwords()
		if r == nil {
			if c.HasSubwords() {
				t.Fatal("HasSubwords without a reader")
			}
			return nil
		}
		out, err = io.ReadAll(r)
		return err
	})
	return out, err
}

// TestSubwordTableStorage: a Loader's subword table becomes the
// collection's at Commit, in pieces over several transactions, and reads
// back byte for byte; an aborted, cancelled or failed load leaves the
// previous one; a load without one removes it; PutSubwords runs once.
func TestSubwordTableStorage(t *testing.T) {
	db := mustOpen(t)
	blob := subwordBlob(subwordTxBytes+3*subwordChunk/2, 1) // two transactions, a partial last piece
	loadWithSubwords(t, db, "c", blob)
	got, err := readSubwordBlob(t, db, "c")
	if err != nil || !bytes.Equal(got, blob) {
		t.Fatalf("read back %d bytes (%v), want the %d written", len(got), err, len(blob))
	}

	other := subwordBlob(1000, 2)
	// Aborted after the table was written.
	l, _ := db.NewLoader(&CollectionMeta{Name: "c", Dim: 4, Fields: testFields})
	l.Add(randRow(rand.New(rand.NewSource(3)), 4, "x"))
	if err := l.PutSubwords(func(w io.Writer) error { _, err := w.Write(other); return err }); err != nil {
		t.Fatal(err)
	}
	if err := l.PutSubwords(func(w io.Writer) error { return nil }); err == nil {
		t.Fatal("a second PutSubwords was accepted")
	}
	l.Abort()
	// Cancelled at Commit.
	l, _ = db.NewLoader(&CollectionMeta{Name: "c", Dim: 4, Fields: testFields})
	l.Add(randRow(rand.New(rand.NewSource(3)), 4, "x"))
	l.PutSubwords(func(w io.Writer) error { _, err := w.Write(other); return err })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Commit(ctx, true, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled commit: %v", err)
	}
	// Failed while writing the table.
	l, _ = db.NewLoader(&CollectionMeta{Name: "c", Dim: 4, Fields: testFields})
	boom := errors.New("boom")
	if err := l.PutSubwords(func(w io.Writer) error { w.Write(other); return boom }); !errors.Is(err, boom) {
		t.Fatalf("failed write: %v", err)
	}
	l.Abort()
	if got, _ := readSubwordBlob(t, db, "c"); !bytes.Equal(got, blob) {
		t.Fatal("an aborted, cancelled or failed load changed the subword table")
	}
	if n := countDataBuckets(t, db); n != 1 {
		t.Fatalf("%d data buckets, want 1", n)
	}

	// A load with another table replaces it; one without removes it.
	loadWithSubwords(t, db, "c", other)
	if got, _ := readSubwordBlob(t, db, "c"); !bytes.Equal(got, other) {
		t.Fatal("a new load did not replace the table")
	}
	loadWithSubwords(t, db, "c", nil)
	if got, _ := readSubwordBlob(t, db, "c"); got != nil {
		t.Fatalf("a load without a table left %d bytes", len(got))
	}
}

// TestCheckSubwords: CHECK finds pieces of a subword table missing, out of
// order or of another kind, and passes the whole table to the validator,
// whose error is a problem; the reader returns ErrCorrupt for such
// pieces rather than short data.
func TestCheckSubwords(t *testing.T) {
	ctx := context.Background()
	blob := subwordBlob(3*subwordChunk+5, 7)
	var seen []byte
	deep := &Validators{Subwords: func(r io.Reader, dim int) error {
		b, err := io.ReadAll(r)
		seen = b
		if err != nil {
			return err
		}
		if dim != 4 {
			return fmt.Errorf("dim %d", dim)
		}
		if !bytes.Equal(b, blob) {
			return fmt.Errorf("the table differs")
		}
		return nil
	}}
	cases := []struct {
		name string
		fn   func(b *bolt.Bucket)
		want string
	}{
		{"intact", func(b *bolt.Bucket) {}, ""},
		{"piece missing", func(b *bolt.Bucket) { b.Bucket(subSubwords).Delete(idKey(1)) }, "subword table: piece 00000002 is out of sequence or empty (want 1)"},
		{"piece emptied", func(b *bolt.Bucket) { b.Bucket(subSubwords).Put(idKey(2), []byte{}) }, "subword table: piece 00000002 is out of sequence or empty (want 2)"},
		{"bad piece key", func(b *bolt.Bucket) { b.Bucket(subSubwords).Put([]byte("zz"), []byte{1}) }, "subword table: piece 7a7a is out of sequence or empty (want 4)"},
		{"byte flipped", func(b *bolt.Bucket) {
			sb := b.Bucket(subSubwords)
			v := append([]byte(nil), sb.Get(idKey(1))...)
			v[100] ^= 1
			sb.Put(idKey(1), v)
		}, "subword table: the table differs"},
		{"a value, not a bucket", func(b *bolt.Bucket) {
			b.DeleteBucket(subSubwords)
			b.Put(subSubwords, []byte("x"))
		}, "subword table: stored as a value, not a bucket"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := mustOpen(t)
			loadWithSubwords(t, db, "c", blob)
			damage(t, db, "c", func(cat, b *bolt.Bucket, m *CollectionMeta) { c.fn(b) })
			rep, err := db.Check(ctx, "", deep)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range rep.Problems {
				got = append(got, p.What)
			}
			if c.want == "" {
				if len(got) != 0 || !bytes.Equal(seen, blob) {
					t.Fatalf("problems %v; validator saw %d bytes", got, len(seen))
				}
				return
			}
			if len(got) != 1 || got[0] != c.want || rep.Problems[0].Collection != "c" {
				t.Fatalf("problems %q, want %q", got, c.want)
			}
			if strings.Contains(c.name, "piece") {
				if _, err := readSubwordBlob(t, db, "c"); !errors.Is(err, ErrCorrupt) {
					t.Fatalf("reading a table with a bad piece: %v", err)
				}
			}
		})
	}
}
