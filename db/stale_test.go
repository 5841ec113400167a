package db

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// writeVecFile writes n random vectors in word2vec text form, keys k0….
func writeVecFile(t testing.TB, path string, r *rand.Rand, n, dim int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "%d %d\n", n, dim)
	for i, v := range randVecs(r, n, dim) {
		fmt.Fprintf(w, "k%d", i)
		for _, x := range v {
			fmt.Fprintf(w, " %.4f", x)
		}
		w.WriteString("\n")
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestIndexedSearchDuringIndexChanges: readers search a collection through
// its index while a writer drops, creates and re-imports it with an index.
// A reader's view may be older than the file; it must answer from its own
// snapshot (through its graph or exactly), never report the file corrupt.
func TestIndexedSearchDuringIndexChanges(t *testing.T) {
	d := MustOpen(t)
	dir := t.TempDir()
	r := rand.New(rand.NewSource(1))
	const n, dim = 600, 8
	files := []string{filepath.Join(dir, "a.vec"), filepath.Join(dir, "b.vec")}
	for _, p := range files {
		writeVecFile(t, p, r, n, dim)
	}
	yes := true
	if _, err := d.Import(bg, "imp", files[0], ImportOptions{Index: &yes}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, 100)
	wg.Add(1)
	go func() { // the writer
		defer wg.Done()
		defer cancel()
		for i := 0; i < 12; i++ {
			steps := []func() error{
				func() error { return d.DropIndex(bg, "imp", true) },
				func() error { return d.CreateIndex(bg, "imp", IndexConfig{M: 8, EfConstruction: 32}, 1) },
				func() error {
					_, err := d.Import(bg, "imp", files[i%2], ImportOptions{Index: &yes})
					return err
				},
			}
			for _, step := range steps {
				if err := step(); err != nil {
					errc <- fmt.Errorf("writer: %w", err)
					return
				}
			}
		}
	}()
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(g int) { // the readers
			defer wg.Done()
			for q := 0; ctx.Err() == nil; q++ {
				src := fmt.Sprintf("SELECT NEAREST 5 TO 'k%d' FROM imp", (q*7+g)%n)
				res, err := d.Query(bg, src)
				if err != nil {
					if errors.Is(err, ErrCorrupt) {
						errc <- fmt.Errorf("reader %d: %s: %w", g, src, err)
						return
					}
					continue
				}
				if len(res.Rows) != 5 {
					errc <- fmt.Errorf("reader %d: %s: %d rows, want 5", g, src, len(res.Rows))
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
}

// TestStaleViewSearchesItsSnapshot: a view taken before the collection was
// re-imported, its index dropped or rebuilt answers from its own rows, the
// same as an exact search of it, with no error.
func TestStaleViewSearchesItsSnapshot(t *testing.T) {
	d := MustOpen(t)
	dir := t.TempDir()
	r := rand.New(rand.NewSource(2))
	const n, dim = 400, 8
	a, b := filepath.Join(dir, "a.vec"), filepath.Join(dir, "b.vec")
	writeVecFile(t, a, r, n, dim)
	writeVecFile(t, b, r, n, dim)
	yes := true
	if _, err := d.Import(bg, "imp", a, ImportOptions{Index: &yes}); err != nil {
		t.Fatal(err)
	}
	c, err := d.Collection("imp")
	if err != nil {
		t.Fatal(err)
	}
	old, err := c.View()
	if err != nil {
		t.Fatal(err)
	}
	q := old.Vector(3)
	exact, err := old.Search(bg, q, 5, &SearchOptions{Exact: true})
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string) {
		t.Helper()
		got, err := old.Search(bg, q, 5, nil)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if len(got) != len(exact) || got[0].Key != exact[0].Key {
			t.Fatalf("%s: stale view found %v, its exact search %v", what, got, exact)
		}
	}
	steps := []struct {
		what string
		run  func() error
	}{
		{"after IMPORT of other rows", func() error { _, err := d.Import(bg, "imp", b, ImportOptions{Index: &yes}); return err }},
		{"after DROP INDEX", func() error { return d.DropIndex(bg, "imp", false) }},
		{"after CREATE INDEX", func() error { return d.CreateIndex(bg, "imp", IndexConfig{}, 1) }},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			t.Fatal(err)
		}
		// A fresh view loads and uses the file's graph meanwhile.
		nv, err := c.View()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := nv.Search(bg, nv.Vector(0), 5, nil); err != nil {
			t.Fatalf("%s: fresh view: %v", s.what, err)
		}
		check(s.what)
	}
}

// TestInsertsDuringIndexedImports: one writer re-imports a collection with
// an index while another inserts and deletes rows in it. Each insert must
// go into the graph of the rows it is committed with (never into the graph
// of the collection as it was before an import), so the file checks clean.
func TestInsertsDuringIndexedImports(t *testing.T) {
	d := MustOpen(t)
	dir := t.TempDir()
	r := rand.New(rand.NewSource(3))
	const n, dim = 300, 8
	files := []string{filepath.Join(dir, "a.vec"), filepath.Join(dir, "b.vec")}
	for _, p := range files {
		writeVecFile(t, p, r, n, dim)
	}
	yes := true
	if _, err := d.Import(bg, "imp", files[0], ImportOptions{Index: &yes}); err != nil {
		t.Fatal(err)
	}
	c, err := d.Collection("imp")
	if err != nil {
		t.Fatal(err)
	}
	vecs := randVecs(r, 50, dim)
	ctx, cancel := context.WithCancel(bg)
	var wg sync.WaitGroup
	errc := make(chan error, 2)
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer cancel()
		for i := 0; i < 20; i++ {
			if _, err := d.Import(bg, "imp", files[i%2], ImportOptions{Index: &yes}); err != nil {
				errc <- err
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			key := fmt.Sprintf("new%d", i)
			if err := c.Insert(bg, Row{Key: key, Vector: vecs[i%len(vecs)]}); err != nil {
				errc <- err
				return
			}
			if i%2 == 0 {
				if _, err := c.Delete(bg, key); err != nil && !errors.Is(err, ErrKeyNotFound) {
					errc <- err
					return
				}
			}
		}
	}()
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	rep, err := d.Check(bg, "")
	if err != nil || !rep.OK() {
		t.Fatalf("check: %v\n%s", err, rep)
	}
}
