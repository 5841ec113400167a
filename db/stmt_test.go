package db

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

func TestPrepare(t *testing.T) {
	d := songsDB(t)
	st, err := d.Prepare(bg, "SELECT NEAREST 1 TO ? FROM songs WHERE year < :before")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(st.Params()); got != 2 || !st.ReturnsRows() {
		t.Fatalf("params %d, rows %v", got, st.ReturnsRows())
	}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			key, want := "s1", "s2"
			if i%2 == 1 {
				key, want = "s3", "don't"
			}
			res, err := st.Query(bg, key, Named("before", 2000))
			if err != nil {
				errs <- err
				return
			}
			if got := firstCol(res); got != want {
				errs <- fmt.Errorf("%s: got %s, want %s", key, got, want)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// The plan follows the data: a key inserted after Prepare is found.
	ins, err := d.Prepare(bg, "INSERT INTO songs (key, vector) VALUES (?, ?)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ins.Exec(bg, "s9", []float32{0.1, 1}); err != nil {
		t.Fatal(err)
	}
	if res, err := st.Query(bg, "s9", Named("before", 3000)); err != nil || firstCol(res) != "s3" {
		t.Errorf("after insert: %v %v", res, err)
	}
	if _, err := ins.Query(bg, "x", []float32{1, 1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Query of INSERT: %v", err)
	}
	if _, err := st.Query(bg, "s1"); !errors.Is(err, ErrInvalid) {
		t.Errorf("missing named: %v", err)
	}
	st.Close()
	st.Close()
	if _, err := st.Query(bg, "s1", Named("before", 1)); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
	for src, want := range map[string]error{
		"SELECT NEAREST 1 TO ? FROM songs; SHOW COLLECTIONS": ErrInvalid,
		"":                         ErrInvalid,
		"SELECT NEAREST ?0 TO 'a'": nil,
	} {
		_, err := d.Prepare(bg, src)
		if err == nil || want != nil && !errors.Is(err, want) {
			t.Errorf("Prepare(%q): %v", src, err)
		}
	}
}

func TestPrepareReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ro.vdb")
	d, err := Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(bg, "CREATE COLLECTION c (DIM 2); INSERT INTO c (key, vector) VALUES ('a', [1, 0])"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	ro, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.Prepare(bg, "DELETE FROM c WHERE key = ?"); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Prepare DELETE on a read-only database: %v", err)
	}
	st, err := ro.Prepare(bg, "SELECT key FROM c WHERE key = ?")
	if err != nil {
		t.Fatal(err)
	}
	if res, err := st.Query(bg, "a"); err != nil || firstCol(res) != "a" {
		t.Errorf("%v %v", res, err)
	}
}
