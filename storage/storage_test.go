package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vecdb/vecdb/internal/errdefs"
	"github.com/vecdb/vecdb/internal/vec"
)

func mustOpen(t testing.TB) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "t.vdb"), &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var testFields = []Field{{"title", Text}, {"year", Int}, {"score", Float}, {"live", Bool}}

func randRow(r *rand.Rand, dim int, key string) *Row {
	v := make([]float32, dim)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	meta := make([]any, len(testFields))
	if r.Intn(4) > 0 {
		meta[0] = fmt.Sprintf("título %d ☃", r.Intn(1000))
	}
	if r.Intn(4) > 0 {
		meta[1] = int64(r.Intn(4000) - 2000)
	}
	if r.Intn(4) > 0 {
		meta[2] = r.NormFloat64()
	}
	if r.Intn(4) > 0 {
		meta[3] = r.Intn(2) == 0
	}
	return &Row{Key: key, Count: int64(r.Intn(1 << 20)), Vector: v, Meta: meta}
}

func create(t testing.TB, db *DB, name string, dim int) {
	t.Helper()
	err := db.Update(func(tx *Tx) error {
		_, err := tx.CreateCollection(&CollectionMeta{Name: name, Dim: dim, Metric: vec.Cosine, Fields: testFields})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRowRoundTripProperty(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	db := mustOpen(t)
	const dim = 7
	create(t, db, "c", dim)
	want := map[string]*Row{}
	for round := 0; round < 20; round++ {
		err := db.Update(func(tx *Tx) error {
			c, err := tx.Collection("c")
			if err != nil {
				return err
			}
			for i := 0; i < 50; i++ {
				key := fmt.Sprintf("k%03d", r.Intn(300))
				switch op := r.Intn(10); {
				case op < 6:
					row := randRow(r, dim, key)
					id, _, err := c.Upsert(row)
					if err != nil {
						return err
					}
					row.ID = id
					want[key] = row
				case op < 8:
					_, err := c.Delete(key)
					if _, ok := want[key]; ok != (err == nil) {
						return fmt.Errorf("delete %s: %v (present %v)", key, err, ok)
					}
					delete(want, key)
				default:
					row := randRow(r, dim, key)
					_, err := c.Insert(row)
					if _, ok := want[key]; ok {
						if !errors.Is(err, ErrDuplicateKey) {
							return fmt.Errorf("insert dup %s: %v", key, err)
						}
					} else {
						if err != nil {
							return err
						}
						row.ID, _ = c.ID(key)
						want[key] = row
					}
				}
			}
			return c.Save()
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	err := db.View(func(tx *Tx) error {
		c, err := tx.Collection("c")
		if err != nil {
			return err
		}
		if c.Meta().Rows != len(want) {
			t.Errorf("Rows=%d want %d", c.Meta().Rows, len(want))
		}
		n := 0
		var last uint32
		err = c.Scan(ScanOptions{}, func(got *Row) (bool, error) {
			if n > 0 && got.ID <= last {
				t.Errorf("scan not in id order")
			}
			last = got.ID
			n++
			w := want[got.Key]
			if w == nil {
				t.Errorf("unexpected key %q", got.Key)
				return true, nil
			}
			for i := range w.Meta {
				if fv, ok := w.Meta[i].(float64); ok && math.IsNaN(fv) {
					w.Meta[i] = nil
				}
			}
			if !reflect.DeepEqual(got, w) {
				t.Errorf("row %q:\n got %+v\nwant %+v", got.Key, got, w)
			}
			return true, nil
		})
		if n != len(want) {
			t.Errorf("scanned %d rows, want %d", n, len(want))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestValidation(t *testing.T) {
	db := mustOpen(t)
	create(t, db, "c", 3)
	err := db.Update(func(tx *Tx) error {
		c, _ := tx.Collection("c")
		if _, err := c.Insert(&Row{Key: "a", Vector: []float32{1, 2}}); !errors.Is(err, ErrDimension) {
			t.Errorf("short vector: %v", err)
		}
		if _, err := c.Insert(&Row{Key: "a", Vector: []float32{1, float32(math.NaN()), 2}}); err == nil {
			t.Errorf("NaN accepted")
		}
		if _, err := c.Insert(&Row{Key: "a", Vector: []float32{1, 2, 3}, Meta: []any{int64(3)}}); !errors.Is(err, ErrFieldType) {
			t.Errorf("int in TEXT field: %v", err)
		}
		if _, err := tx.CreateCollection(&CollectionMeta{Name: "c", Dim: 3}); !errors.Is(err, ErrCollectionExists) {
			t.Errorf("duplicate collection: %v", err)
		}
		if _, err := tx.CreateCollection(&CollectionMeta{Name: "9bad", Dim: 3}); err == nil {
			t.Errorf("bad name accepted")
		}
		if _, err := tx.CreateCollection(&CollectionMeta{Name: "z", Dim: 0}); !errors.Is(err, ErrDimension) {
			t.Errorf("dim 0: %v", err)
		}
		if _, err := tx.CreateCollection(&CollectionMeta{Name: "z", Dim: 2, Fields: []Field{{"key", Text}}}); err == nil {
			t.Errorf("reserved field name accepted")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func loadRows(t *testing.T, db *DB, name string, n, dim int, seed int64) map[string]*Row {
	t.Helper()
	r := rand.New(rand.NewSource(seed))
	l, err := db.NewLoader(&CollectionMeta{Name: name, Dim: dim, Fields: testFields})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]*Row{}
	for i := 0; i < n; i++ {
		row := randRow(r, dim, fmt.Sprintf("w%d", i))
		row.ID = uint32(i)
		rows[row.Key] = row
		if _, err := l.Add(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Commit(context.Background(), true, nil); err != nil {
		t.Fatal(err)
	}
	return rows
}

func snapshot(t *testing.T, db *DB, name string) []Row {
	t.Helper()
	var out []Row
	err := db.View(func(tx *Tx) error {
		c, err := tx.Collection(name)
		if err != nil {
			return err
		}
		return c.Scan(ScanOptions{}, func(r *Row) (bool, error) {
			out = append(out, *r)
			return true, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLoaderBulkAndAtomicReplace(t *testing.T) {
	db := mustOpen(t)
	n := ChunkRows*2 + 17 // several chunks
	loadRows(t, db, "big", n, 4, 1)
	before := snapshot(t, db, "big")
	if len(before) != n {
		t.Fatalf("loaded %d rows, want %d", len(before), n)
	}
	for i, r := range before {
		if r.ID != uint32(i) || r.Key != fmt.Sprintf("w%d", i) {
			t.Fatalf("row %d is %d %q: ids must follow load order", i, r.ID, r.Key)
		}
	}

	// A failing load (duplicate key after a flushed chunk) leaves the old contents.
	l, _ := db.NewLoader(&CollectionMeta{Name: "big", Dim: 4, Fields: testFields})
	r := rand.New(rand.NewSource(9))
	var failed error
	for i := 0; i < ChunkRows+10 && failed == nil; i++ {
		_, failed = l.Add(randRow(r, 4, fmt.Sprintf("x%d", i%(ChunkRows+5))))
	}
	if !errors.Is(failed, ErrDuplicateKey) {
		t.Fatalf("want duplicate error, got %v", failed)
	}
	l.Abort()
	// A cancelled load leaves them too.
	l, _ = db.NewLoader(&CollectionMeta{Name: "big", Dim: 4, Fields: testFields})
	for i := 0; i < ChunkRows+5; i++ {
		l.Add(randRow(r, 4, fmt.Sprintf("y%d", i)))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Commit(ctx, true, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled commit: %v", err)
	}
	after := snapshot(t, db, "big")
	if !reflect.DeepEqual(before, after) {
		t.Fatal("failed or cancelled loads changed the collection")
	}
	// Only the live data bucket remains.
	if got := countDataBuckets(t, db); got != 1 {
		t.Fatalf("%d data buckets after aborted loads, want 1", got)
	}
	// Replacing without replace=true fails; with it, swaps.
	l, _ = db.NewLoader(&CollectionMeta{Name: "big", Dim: 4, Fields: testFields})
	l.Add(randRow(r, 4, "only"))
	if err := l.Commit(context.Background(), false, nil); !errors.Is(err, ErrCollectionExists) {
		t.Fatalf("commit without replace: %v", err)
	}
	loadRows(t, db, "big", 3, 4, 2)
	if got := snapshot(t, db, "big"); len(got) != 3 {
		t.Fatalf("after replace: %d rows", len(got))
	}
	if got := countDataBuckets(t, db); got != 1 {
		t.Fatalf("%d data buckets after replace, want 1", got)
	}
}

func TestOrphanRemovedOnOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "o.vdb")
	db, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := db.NewLoader(&CollectionMeta{Name: "c", Dim: 2})
	for i := 0; i < ChunkRows+1; i++ {
		l.Add(&Row{Key: fmt.Sprint(i), Vector: []float32{1, 2}})
	}
	// simulate a crash: no Commit, no Abort
	db.Close()
	db, err = Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := countDataBuckets(t, db); got != 0 {
		t.Fatalf("orphan bucket survived reopen: %d", got)
	}
	db.View(func(tx *Tx) error {
		if _, err := tx.Collection("c"); !errors.Is(err, ErrCollectionNotFound) {
			t.Errorf("uncommitted collection visible: %v", err)
		}
		return nil
	})
}

func TestNotVecdbAndVersion(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.vdb")
	os.WriteFile(junk, make([]byte, 8192), 0o644)
	if _, err := Open(junk, nil); !errors.Is(err, ErrNotVecdb) {
		t.Fatalf("zero file: %v", err)
	}
	text := filepath.Join(dir, "text.vdb")
	os.WriteFile(text, []byte("king 0.1 0.2\n"), 0o644)
	if _, err := Open(text, nil); !errors.Is(err, ErrNotVecdb) {
		t.Fatalf("text file: %v", err)
	}
	// A bbolt file of another program.
	other := filepath.Join(dir, "other.db")
	db, err := Open(other, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.bolt.Update(func(tx *bbTx) error {
		tx.Bucket(bucketFormat).Put(keyVersion, []byte{0, 0, 0, 99})
		return nil
	})
	db.Close()
	if _, err := Open(other, nil); !errors.Is(err, ErrVersion) {
		t.Fatalf("version 99: %v", err)
	}
	if _, err := Open(filepath.Join(dir, "missing.vdb"), &Options{ReadOnly: true}); err == nil {
		t.Fatal("read-only open of a missing file must fail")
	}
}

func TestReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ro.vdb")
	db, _ := Open(path, nil)
	create(t, db, "c", 2)
	db.Close()
	ro, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	ro2, err := Open(path, &Options{ReadOnly: true, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("second reader: %v", err)
	}
	ro2.Close()
	if err := ro.Update(func(*Tx) error { return nil }); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("write on read-only: %v", err)
	}
	if _, err := ro.NewLoader(&CollectionMeta{Name: "x", Dim: 2}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("loader on read-only: %v", err)
	}
}

// TestSecondWriterLocked holds the file in a child process and checks that
// this process gets ErrLocked within the timeout instead of hanging. The
// child holds the lock until its stdin closes (the test ends), not for a
// fixed time, which a busy machine could outlast before the second open.
func TestSecondWriterLocked(t *testing.T) {
	if p := os.Getenv("VECDB_HOLD_LOCK"); p != "" {
		db, err := Open(p, nil)
		if err != nil {
			fmt.Println("ERR", err)
			os.Exit(1)
		}
		fmt.Println("LOCKED")
		io.Copy(io.Discard, os.Stdin)
		db.Close()
		os.Exit(0)
	}
	path := filepath.Join(t.TempDir(), "lock.vdb")
	cmd := exec.Command(os.Args[0], "-test.run=^TestSecondWriterLocked$")
	cmd.Env = append(os.Environ(), "VECDB_HOLD_LOCK="+path)
	out, _ := cmd.StdoutPipe()
	in, _ := cmd.StdinPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer in.Close()
	buf := make([]byte, 64)
	n, _ := out.Read(buf)
	if string(buf[:n]) != "LOCKED\n" {
		t.Fatalf("child: %q", buf[:n])
	}
	start := time.Now()
	_, err := Open(path, &Options{Timeout: 300 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("want ErrLocked, got %v", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("locked open took %v", el)
	}
}

func TestKeysWithPrefixAndFields(t *testing.T) {
	db := mustOpen(t)
	create(t, db, "c", 2)
	db.Update(func(tx *Tx) error {
		c, _ := tx.Collection("c")
		for _, k := range []string{"king", "kingdom", "kind", "queen"} {
			c.Insert(&Row{Key: k, Vector: []float32{1, 0}})
		}
		if err := c.AddField(Field{"extra", Int}); err != nil {
			t.Fatal(err)
		}
		return c.Save()
	})
	db.View(func(tx *Tx) error {
		c, _ := tx.Collection("c")
		if got := c.KeysWithPrefix("king", 10); !reflect.DeepEqual(got, []string{"king", "kingdom"}) {
			t.Errorf("prefix: %v", got)
		}
		r, err := c.Get("queen")
		if err != nil || len(r.Meta) != 5 || r.Meta[4] != nil {
			t.Errorf("added field must read NULL: %+v %v", r, err)
		}
		return nil
	})
}

func TestLoaderOutputWeights(t *testing.T) {
	db := mustOpen(t)
	l, _ := db.NewLoader(&CollectionMeta{Name: "w", Dim: 2})
	l.Add(&Row{Key: "a", Vector: []float32{1, 2}, Output: []float32{3, 4}})
	l.Add(&Row{Key: "b", Vector: []float32{5, 6}})
	if err := l.Commit(context.Background(), true, nil); err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *Tx) error {
		c, _ := tx.Collection("w")
		if !c.HasOutput() || !reflect.DeepEqual(c.Output(0), []float32{3, 4}) || c.Output(1) != nil {
			t.Errorf("output weights: %v %v", c.Output(0), c.Output(1))
		}
		var got []float32
		c.Scan(ScanOptions{Output: true}, func(r *Row) (bool, error) {
			if r.Key == "a" {
				got = r.Output
			}
			return true, nil
		})
		if !reflect.DeepEqual(got, []float32{3, 4}) {
			t.Errorf("scan output %v", got)
		}
		c.Delete("a")
		if c.Output(0) != nil {
			t.Errorf("output survived delete")
		}
		return nil
	})
}

// TestKeyLimit: a key of MaxKeyBytes is stored; a longer one is refused
// by Insert, Upsert and Loader.Add with ErrKeyTooLong (matching
// ErrInvalid) before bbolt sees it, and nothing is written.
func TestKeyLimit(t *testing.T) {
	db := mustOpen(t)
	create(t, db, "c", 2)
	ok := strings.Repeat("k", MaxKeyBytes)
	long := strings.Repeat("k", 40000)
	want := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, ErrKeyTooLong) || !errors.Is(err, errdefs.ErrInvalid) ||
			!strings.Contains(err.Error(), "is 40000 bytes, over the 4096-byte key limit") || len(err.Error()) > 200 {
			t.Errorf("%s: %v", what, err)
		}
	}
	err := db.Update(func(tx *Tx) error {
		c, err := tx.Collection("c")
		if err != nil {
			return err
		}
		if _, err := c.Insert(&Row{Key: ok, Vector: []float32{1, 2}}); err != nil {
			return err
		}
		_, err = c.Insert(&Row{Key: long, Vector: []float32{1, 2}})
		want("Insert", err)
		_, _, err = c.Upsert(&Row{Key: long, Vector: []float32{1, 2}})
		want("Upsert", err)
		return c.Save()
	})
	if err != nil {
		t.Fatal(err)
	}
	l, err := db.NewLoader(&CollectionMeta{Name: "l", Dim: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Abort()
	_, err = l.Add(&Row{Key: long, Vector: []float32{1, 2}})
	want("Loader.Add", err)
	db.View(func(tx *Tx) error {
		c, _ := tx.Collection("c")
		if c.Meta().Rows != 1 {
			t.Errorf("%d rows, want 1", c.Meta().Rows)
		}
		if _, ok := c.ID(ok); !ok {
			t.Errorf("the key of MaxKeyBytes is not stored")
		}
		return nil
	})
}

// TestLoaderKeysInOrder: the key map, written in key order after the rows
// (keyChunk keys per transaction), maps every key, given in any order and
// with skipped duplicates, to its row, and the file checks clean.
func TestLoaderKeysInOrder(t *testing.T) {
	defer func(n int) { keyChunk = n }(keyChunk)
	keyChunk = 7
	db := mustOpen(t)
	l, err := db.NewLoader(&CollectionMeta{Name: "k", Dim: 2})
	if err != nil {
		t.Fatal(err)
	}
	l.Dups = DupKeepFirst
	r := rand.New(rand.NewSource(3))
	var order []string
	for _, i := range r.Perm(100) {
		k := fmt.Sprintf("key%03d", i%60) // 40 repeats, skipped
		kept, err := l.Add(&Row{Key: k, Vector: []float32{float32(i), 1}})
		if err != nil {
			t.Fatal(err)
		}
		if kept {
			order = append(order, k)
		}
	}
	if err := l.Commit(context.Background(), true, nil); err != nil {
		t.Fatal(err)
	}
	if len(order) != 60 {
		t.Fatalf("%d keys kept, want 60", len(order))
	}
	err = db.View(func(tx *Tx) error {
		c, err := tx.Collection("k")
		if err != nil {
			return err
		}
		for id, k := range order {
			row, err := c.Get(k)
			if err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			if row.ID != uint32(id) || row.Key != k {
				t.Errorf("key %s gives row %d %q, want %d", k, row.ID, row.Key, id)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := db.Check(context.Background(), "", nil)
	if err != nil || len(rep.Problems) > 0 {
		t.Fatalf("check: %+v, %v", rep, err)
	}
}
