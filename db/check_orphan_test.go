package db

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/storage"
)

// TestCheckFileOrphanIsANote: a load abandoned by a crash (no Commit, no
// Abort) leaves an orphan data bucket. CheckFile reports it as a note and
// the file as OK; the CHECK statement passes; the next writable open
// removes it.
func TestCheckFileOrphanIsANote(t *testing.T) {
	path := filepath.Join(t.TempDir(), "o.vdb")
	d, err := Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(bg, "CREATE COLLECTION c (DIM 2); INSERT INTO c (key, vector) VALUES ('a', [1, 2])"); err != nil {
		t.Fatal(err)
	}
	l, err := d.store.NewLoader(&storage.CollectionMeta{Name: "c", Dim: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Add(&storage.Row{Key: "x", Vector: []float32{3, 4}}); err != nil {
		t.Fatal(err)
	}
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	d.Close() // the loader is abandoned, as by kill -9

	rep, err := CheckFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "left by an interrupted load; the next writable open removes it") {
		t.Fatalf("report: ok %v, notes %q, problems %q", rep.OK(), rep.Notes, rep.Problems())
	}
	if s := rep.String(); !strings.HasPrefix(s, "ok\nnote: orphan data bucket ") {
		t.Fatalf("String() = %q", s)
	}
	if rep.Checks[0].Failed || !strings.Contains(rep.Checks[0].Result, "1 orphan data bucket") {
		t.Fatalf("file check: %+v", rep.Checks[0])
	}
	ro, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ro.Exec(context.Background(), "CHECK c"); err != nil {
		t.Fatalf("CHECK c: %v", err)
	}
	ro.Close()
	// A writable open removes the orphan.
	d, err = Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	if rep, err = CheckFile(path); err != nil || !rep.OK() || len(rep.Notes) != 0 {
		t.Fatalf("after a writable open: %v %v %q", rep, err, rep.Notes)
	}
}
