package db

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// ownDB opens a database at dir/s.vdb with one collection "words" (2 rows)
// and returns it with its path.
func ownDB(t *testing.T, dir string, opts *Options) (*DB, string) {
	t.Helper()
	path := filepath.Join(dir, "s.vdb")
	d, err := Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(context.Background(), "CREATE COLLECTION words (DIM 3); INSERT INTO words (key, vector) VALUES ('a', [1, 0, 0]), ('b', [0, 1, 0]);"); err != nil {
		t.Fatal(err)
	}
	if opts != nil {
		d.Close()
		if d, err = Open(path, opts); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { d.Close() })
	return d, path
}

// intact reopens path after d is closed and requires the two rows.
func intact(t *testing.T, d *DB, path string) {
	t.Helper()
	d.Close()
	d2, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the database no longer opens: %v", err)
	}
	defer d2.Close()
	c, err := d2.Collection("words")
	if err != nil {
		t.Fatal(err)
	}
	if in, err := c.Info(); err != nil || in.Rows != 2 {
		t.Fatalf("words has %d rows (%v), want 2", in.Rows, err)
	}
}

// TestOutputNeverReplacesTheDatabase writes to the open database's file by
// every spelling (plain, "..", a symlink, a hard link, through the
// sandbox) with every statement that writes a file, read-write and
// read-only: each is refused with ErrInvalid and the database survives.
func TestOutputNeverReplacesTheDatabase(t *testing.T) {
	ctx := context.Background()
	stmts := []string{
		"EXPORT words TO '%s'",
		"PROJECT (SELECT NEAREST 2 TO 'a' FROM words) USING PCA TO '%s'",
	}
	for _, ro := range []bool{false, true} {
		for _, sandboxed := range []bool{false, true} {
			for si, stmt := range stmts {
				t.Run(fmt.Sprintf("ro=%v/sandbox=%v/%d", ro, sandboxed, si), func(t *testing.T) {
					dir := t.TempDir()
					opts := &Options{NoSync: true, ReadOnly: ro}
					if sandboxed {
						opts.Sandbox = dir
					}
					d, path := ownDB(t, dir, opts)
					if err := os.Symlink(path, filepath.Join(dir, "link.vdb")); err != nil {
						t.Fatal(err)
					}
					if err := os.Link(path, filepath.Join(dir, "hard.vdb")); err != nil {
						t.Fatal(err)
					}
					if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
						t.Fatal(err)
					}
					names := []string{path, "s.vdb", "sub/../s.vdb", "./link.vdb", "hard.vdb"}
					if !sandboxed {
						names = []string{path, filepath.Join(dir, "sub", "..", "s.vdb"), filepath.Join(dir, "link.vdb"), filepath.Join(dir, "hard.vdb")}
					}
					for _, n := range names {
						_, err := d.Exec(ctx, fmt.Sprintf(stmt, strings.ReplaceAll(n, "'", "''")))
						if !errors.Is(err, ErrInvalid) || !strings.Contains(fmt.Sprint(err), "open database file") {
							t.Errorf("%s: got %v, want a refusal", n, err)
						}
					}
					if f, err := d.OpenOutput(names[len(names)-1]); err == nil {
						f.Close()
						t.Errorf("OpenOutput of the database's hard link was allowed")
					}
					// The database still answers, and reopens with its rows.
					if _, err := d.Query(ctx, "SELECT NEAREST 1 TO 'a' FROM words"); err != nil {
						t.Fatal(err)
					}
					intact(t, d, path)
				})
			}
		}
	}
}

// TestOpenReadRacingSymlink swaps a file inside the sandbox with a symlink
// to a file outside while it is being opened: no open may read the outside
// file.
func TestOpenReadRacingSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on windows")
	}
	d, box, outside := sandboxDB(t)
	secret := filepath.Join(outside, "secret.vec")
	if err := os.WriteFile(secret, []byte("SECRET\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(box, "t.vec")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			tmp := filepath.Join(box, fmt.Sprintf("swap%d", i%2))
			if i%2 == 0 {
				os.WriteFile(tmp, []byte("inside\n"), 0o644)
			} else {
				os.Symlink(secret, tmp)
			}
			os.Rename(tmp, target)
		}
	}()
	var leaked, opened atomic.Int64
	for i := 0; i < 5000; i++ {
		f, err := d.openRead("t.vec")
		if err != nil {
			continue
		}
		b := make([]byte, 6)
		n, _ := f.Read(b)
		f.Close()
		opened.Add(1)
		if string(b[:n]) == "SECRET" {
			leaked.Add(1)
		}
	}
	// Real statements too: an IMPORT never gets the outside file's rows.
	for i := 0; i < 200; i++ {
		d.Exec(context.Background(), "IMPORT INTO r FROM 't.vec'")
	}
	close(stop)
	wg.Wait()
	if leaked.Load() > 0 {
		t.Fatalf("%d of %d opens read the file outside the sandbox", leaked.Load(), opened.Load())
	}
	if opened.Load() == 0 {
		t.Fatal("no open succeeded: the race did not run")
	}
	if c, err := d.Collection("r"); err == nil {
		v, err := c.View()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := v.Lookup("SECRET"); ok {
			t.Fatal("IMPORT read the file outside the sandbox")
		}
	}
}

// TestExportRacingSymlink plants symlinks to a file outside at the names
// an EXPORT could use as its temporary file, and swaps the target's
// directory with a symlink to an outside directory while exporting:
// nothing outside is written.
func TestExportRacingSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on windows")
	}
	d, box, outside := sandboxDB(t)
	ctx := context.Background()
	if _, err := d.Import(ctx, "c", "in.vec", ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(outside, "victim.txt")
	if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The old fixed temporary name, and the next names of this process.
	os.Symlink(victim, filepath.Join(box, "e.vec.tmp"))
	next := tmpSeq.Load()
	for i := uint64(1); i <= 5; i++ {
		os.Symlink(victim, filepath.Join(box, fmt.Sprintf(".e.vec.%d-%d.tmp", os.Getpid(), next+i)))
	}
	if _, err := d.Exec(ctx, "EXPORT c TO 'e.vec'"); err != nil {
		t.Fatalf("export: %v", err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Fatalf("the file outside was overwritten: %q", b)
	}
	if b, err := os.ReadFile(filepath.Join(box, "e.vec")); err != nil || !strings.HasPrefix(string(b), "2 3\n") {
		t.Fatalf("export did not write e.vec: %q %v", b, err)
	}

	// A directory swapped for a symlink out, while exporting into it.
	dir := filepath.Join(box, "d")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			tmp := filepath.Join(box, fmt.Sprintf("dswap%d", i%2))
			if i%2 == 0 {
				os.Mkdir(tmp, 0o755)
			} else {
				os.Symlink(outside, tmp)
			}
			os.RemoveAll(dir)
			os.Rename(tmp, dir)
		}
	}()
	for i := 0; i < 300; i++ {
		d.Exec(ctx, "EXPORT c TO 'd/e.vec'")
	}
	close(stop)
	wg.Wait()
	ents, _ := os.ReadDir(outside)
	for _, e := range ents {
		if e.Name() != "secret.vec" && e.Name() != "victim.txt" {
			t.Errorf("EXPORT wrote %s outside the sandbox", e.Name())
		}
	}
}

// TestReadOnlyRefusesWritesThatMatchNothing: on a read-only database a
// write statement is refused before it runs, with its position and
// ErrReadOnly, even when it would change nothing (it printed "deleted 0
// rows"); the statements before it in a script have run.
func TestReadOnlyRefusesWritesThatMatchNothing(t *testing.T) {
	ctx := context.Background()
	d, _ := ownDB(t, t.TempDir(), &Options{ReadOnly: true})
	for _, stmt := range []string{
		"DELETE FROM words WHERE key = 'nope'",
		"UPDATE words SET x = 1 WHERE key = 'nope'",
		"DROP COLLECTION IF EXISTS nope",
		"CREATE COLLECTION IF NOT EXISTS words (DIM 3)",
		"DROP INDEX ON words",
		"CLUSTER words INTO 1 WITH (save_as = 'c')",
	} {
		_, err := d.Exec(ctx, stmt)
		if !errors.Is(err, ErrReadOnly) || !strings.HasPrefix(err.Error(), "1:1: ") {
			t.Errorf("%s: %v", stmt, err)
		}
	}
	res, err := d.Run(ctx, "SHOW COLLECTIONS; DELETE FROM words WHERE key = 'nope';")
	if !errors.Is(err, ErrReadOnly) || len(res) != 1 || !strings.HasPrefix(err.Error(), "1:19: ") {
		t.Errorf("script: %d results, %v", len(res), err)
	}
	for _, stmt := range []string{"SELECT NEAREST 1 TO 'a' FROM words", "EXPLAIN DELETE FROM words WHERE key = 'a'", "SET timeout = 5"} {
		if _, err := d.Exec(ctx, stmt); err != nil {
			t.Errorf("%s on a read-only database: %v", stmt, err)
		}
	}
}
