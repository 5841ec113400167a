package db

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

var vacuumRows = flag.Int("vacuum-rows", 0, "rows TestVacuumAfterDeletes builds (default 20000; the issue's goal is stated for 100000)")

// answersOf returns the exact and index answers of a few queries.
func answersOf(t *testing.T, d *DB, name string) string {
	t.Helper()
	ctx := context.Background()
	var b bytes.Buffer
	for _, q := range []string{"k1", "k3", "k999", "k1001"} {
		for _, using := range []string{"", " USING EXACT"} {
			res, err := d.Query(ctx, fmt.Sprintf("SELECT NEAREST 5 TO '%s' FROM %s%s", q, name, using))
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, res.Rows)
		}
	}
	return b.String()
}

// TestVacuumAfterDeletes deletes half the rows of an indexed collection:
// the file does not shrink until VACUUM, which leaves it at most 55% of
// its size with every answer equal, while readers search throughout.
func TestVacuumAfterDeletes(t *testing.T) {
	n := *vacuumRows
	if n == 0 {
		n = 20000
		if testing.Short() {
			n = 4000
		}
	}
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "v.vdb")
	d, err := Open(path, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	c, err := d.CreateCollection(ctx, Spec{Name: "c", Dim: 32}, false)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewSource(1))
	rows := make([]Row, n)
	for i := range rows {
		v := make([]float32, 32)
		for j := range v {
			v[j] = float32(r.NormFloat64())
		}
		rows[i] = Row{Key: fmt.Sprintf("k%d", i), Vector: v, Count: int64(n - i)}
	}
	if err := c.Insert(ctx, rows...); err != nil {
		t.Fatal(err)
	}
	if err := d.CreateIndex(ctx, "c", IndexConfig{Kind: "HNSW", M: 8, EfConstruction: 40}, 1); err != nil {
		t.Fatal(err)
	}
	var gone []string
	for i := 0; i < n; i += 2 {
		gone = append(gone, fmt.Sprintf("k%d", i))
	}
	if _, err := c.Delete(ctx, gone...); err != nil {
		t.Fatal(err)
	}
	want := answersOf(t, d, "c")
	fi, _ := os.Stat(path)
	before := fi.Size()

	// Readers search while VACUUM runs; none may fail.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var searches, failures atomic.Int64
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := d.Query(ctx, "SELECT NEAREST 3 TO 'k1' FROM c"); err != nil {
					failures.Add(1)
					t.Error(err)
					return
				}
				searches.Add(1)
			}
		}()
	}
	res, err := d.Vacuum(ctx)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if res.Before != before {
		t.Errorf("VACUUM reports %d bytes before, the file had %d", res.Before, before)
	}
	fi, _ = os.Stat(path)
	if fi.Size() != res.After || float64(res.After) > 0.55*float64(before) {
		t.Errorf("after VACUUM the file is %d bytes (reported %d), %.0f%% of %d; want at most 55%%", fi.Size(), res.After, 100*float64(fi.Size())/float64(before), before)
	}
	t.Logf("%d rows, half deleted: %s; %d searches during it", n, res, searches.Load())
	if got := answersOf(t, d, "c"); got != want {
		t.Errorf("answers changed:\n%s\nwant\n%s", got, want)
	}
	// Writes go on, and a second handle on the new file is still refused.
	if err := c.Insert(ctx, Row{Key: "new", Vector: rows[1].Vector}); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, nil); !errors.Is(err, ErrLocked) {
		t.Errorf("a second handle after VACUUM: %v", err)
	}
	d.Close()
	d2, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	if rep, err := d2.Check(ctx, ""); err != nil || !rep.OK() {
		t.Fatalf("after VACUUM the file does not check: %v %v", rep, err)
	}
}

// TestVacuumIntoAndBackup: VACUUM INTO and BACKUP TO write copies that open
// with the same answers, taken while a writer goes on; neither overwrites
// the database, VACUUM INTO no existing file, and both obey the sandbox.
func TestVacuumIntoAndBackup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d, path := ownDB(t, dir, &Options{NoSync: true, Sandbox: dir})
	want := fmt.Sprint(mustQuery(t, d, "SELECT NEAREST 1 TO 'a' FROM words").Rows)

	// A writer inserts while the copies are taken.
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
			if _, err := d.Exec(ctx, fmt.Sprintf("INSERT INTO words (key, vector) VALUES ('w%d', [-1, 0, 0.1])", i)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	res, err := d.VacuumInto(ctx, "copy.vdb")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := d.Backup(ctx, &buf)
	if err != nil || n != int64(buf.Len()) {
		t.Fatalf("backup: %d bytes, %v", n, err)
	}
	if _, err := d.BackupTo(ctx, "backup.vdb"); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	os.WriteFile(filepath.Join(dir, "fromwriter.vdb"), buf.Bytes(), 0o644)
	for _, f := range []string{"copy.vdb", "backup.vdb", "fromwriter.vdb"} {
		c, err := Open(filepath.Join(dir, f), &Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if rep, err := c.Check(ctx, ""); err != nil || !rep.OK() {
			t.Errorf("%s does not check: %v %v", f, rep, err)
		}
		if got := fmt.Sprint(mustQuery(t, c, "SELECT NEAREST 1 TO 'a' FROM words").Rows); got != want {
			t.Errorf("%s answers %s, want %s", f, got, want)
		}
		c.Close()
	}
	if res.After <= 0 {
		t.Errorf("VACUUM INTO reports %+v", res)
	}
	for _, target := range []string{"copy.vdb", path, "s.vdb", "../x.vdb"} {
		if _, err := d.VacuumInto(ctx, target); err == nil {
			t.Errorf("VACUUM INTO %s was allowed", target)
		}
	}
	for _, target := range []string{path, "s.vdb", "../x.vdb"} {
		if _, err := d.BackupTo(ctx, target); err == nil {
			t.Errorf("BACKUP TO %s was allowed", target)
		}
	}
	d.Close()
	d2, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the database no longer opens: %v", err)
	}
	d2.Close()
}

func mustQuery(t *testing.T, d *DB, q string) *Result {
	t.Helper()
	res, err := d.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestVacuumLosesNoConcurrentWrite: inserts acknowledged while VACUUM runs
// are all in the compacted file (a commit between the copy and the swap
// would be lost; such writes wait).
func TestVacuumLosesNoConcurrentWrite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d, path := ownDB(t, dir, &Options{NoSync: true})
	var acked []string
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
			k := fmt.Sprintf("c%d", i)
			if _, err := d.Exec(ctx, fmt.Sprintf("INSERT INTO words (key, vector) VALUES ('%s', [1, 1, %d])", k, i)); err != nil {
				t.Error(err)
				return
			}
			acked = append(acked, k)
		}
	}()
	for i := 0; i < 5; i++ {
		if _, err := d.Vacuum(ctx); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	d.Close()
	d2, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	c, err := d2.Collection("words")
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.View()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range acked {
		if _, ok := v.Lookup(k); !ok {
			t.Fatalf("%s was acknowledged during VACUUM and is gone (%d acknowledged)", k, len(acked))
		}
	}
	if len(acked) == 0 {
		t.Fatal("no insert ran during VACUUM")
	}
}

// TestVacuumStatements: VACUUM, VACUUM INTO and BACKUP TO through the
// language; a read-only database refuses VACUUM (it rewrites the file) but
// not the copies.
func TestVacuumStatements(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d, path := ownDB(t, dir, &Options{NoSync: true, Sandbox: dir})
	for stmt, want := range map[string]string{
		"DELETE FROM words WHERE key = 'a'; VACUUM": "vacuumed: ",
		"VACUUM INTO 'c1.vdb'":                      "wrote c1.vdb: ",
		"BACKUP TO 'b1.vdb'":                        "backed up to b1.vdb: ",
		"EXPLAIN VACUUM":                            "",
	} {
		res, err := d.Exec(ctx, stmt)
		if err != nil || !strings.HasPrefix(res.Message, want) {
			t.Errorf("%s: %v %v", stmt, res, err)
		}
	}
	if _, err := d.Exec(ctx, "VACUUM INTO 'c1.vdb'"); !errors.Is(err, ErrInvalid) || !strings.HasPrefix(err.Error(), "1:13: ") {
		t.Errorf("VACUUM INTO an existing file: %v", err)
	}
	d.Close()
	ro, err := Open(path, &Options{ReadOnly: true, Sandbox: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.Exec(ctx, "VACUUM"); !errors.Is(err, ErrReadOnly) {
		t.Errorf("VACUUM read-only: %v", err)
	}
	if _, err := ro.Exec(ctx, "VACUUM INTO 'c2.vdb'; BACKUP TO 'b2.vdb'"); err != nil {
		t.Errorf("copies of a read-only database: %v", err)
	}
}
