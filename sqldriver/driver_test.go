package sqldriver_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/vecdb/vecdb/db"
	"github.com/vecdb/vecdb/sqldriver"
)

var ctx = context.Background()

func openSongs(t *testing.T) (*sql.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "songs.vdb")
	s, err := sql.Open("vecdb", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.ExecContext(ctx, "CREATE COLLECTION songs (DIM 2, title TEXT, year INT)"); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		key   string
		vec   any
		title string
		year  int
	}{{"s1", []float32{1, 0}, "Heroes", 1977}, {"s2", sqldriver.Vector{0.9, 0.2}, "Changes", 1971}, {"s3", []float64{0, 1}, "Jump", 1984}} {
		res, err := s.ExecContext(ctx, "INSERT INTO songs (key, vector, title, year) VALUES (?, ?, ?, ?)", r.key, r.vec, r.title, r.year)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			t.Fatalf("RowsAffected %d %v", n, err)
		}
	}
	return s, path
}

func TestDriver(t *testing.T) {
	s, path := openSongs(t)
	rows, err := s.QueryContext(ctx, "SELECT key, vector, year FROM songs WHERE year > :y ORDER BY year", sql.Named("y", 1975))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var (
			key  string
			vec  sqldriver.Vector
			year int64
		)
		if err := rows.Scan(&key, &vec, &year); err != nil {
			t.Fatal(err)
		}
		if len(vec) != 2 {
			t.Errorf("vector %v", vec)
		}
		got = append(got, key)
	}
	if err := rows.Err(); err != nil || len(got) != 2 || got[0] != "s1" || got[1] != "s3" {
		t.Fatalf("got %v %v", got, err)
	}
	rows.Close()

	// The injection from issue 13: only a key that is not there.
	_, err = s.ExecContext(ctx, "SELECT NEAREST 1 TO ? FROM songs", "k1' FROM songs; DROP COLLECTION songs; --")
	if !errors.Is(err, db.ErrKeyNotFound) {
		t.Fatalf("injection: %v", err)
	}
	if n := countKeys(t, s); n != 3 {
		t.Fatalf("%d keys after the injection", n)
	}

	// Prepared statements, from several goroutines.
	st, err := s.PrepareContext(ctx, "SELECT NEAREST ? TO ? FROM songs")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var rank int64
			var key string
			var sim float64
			var title string
			var year int64
			if err := st.QueryRowContext(ctx, 1, "s1").Scan(&rank, &key, &sim, &title, &year); err != nil || key != "s2" {
				t.Errorf("prepared: %s %v", key, err)
			}
		}()
	}
	wg.Wait()
	if _, err := st.QueryContext(ctx, 1); err == nil {
		t.Error("one argument for two placeholders: want an error")
	}

	// A vector column scans into *any as []float32.
	var v any
	if err := s.QueryRowContext(ctx, "SELECT vector FROM songs WHERE key = ?", "s3").Scan(&v); err != nil {
		t.Fatal(err)
	}
	if f, ok := v.([]float32); !ok || len(f) != 2 {
		t.Errorf("vector as any: %#v", v)
	}
	if _, err := s.BeginTx(ctx, nil); !errors.Is(err, sqldriver.ErrNoTransactions) {
		t.Errorf("Begin: %v", err)
	}

	// A second pool on the same file shares the open database.
	s2, err := sql.Open("vecdb", path)
	if err != nil {
		t.Fatal(err)
	}
	if n := countKeys(t, s2); n != 3 {
		t.Errorf("second pool: %d keys", n)
	}
	s2.Close()
	if err := s.PingContext(ctx); err != nil {
		t.Errorf("ping after the second pool closed: %v", err)
	}
}

func TestDriverReadOnlyAndDSN(t *testing.T) {
	s, path := openSongs(t)
	s.Close()
	ro, err := sql.Open("vecdb", path+"?mode=ro&sandbox="+filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.ExecContext(ctx, "DELETE FROM songs WHERE key = ?", "s1"); !errors.Is(err, db.ErrReadOnly) {
		t.Errorf("write on mode=ro: %v", err)
	}
	var title string
	if err := ro.QueryRowContext(ctx, "SELECT title FROM songs WHERE key = $1", "s2").Scan(&title); err != nil || title != "Changes" {
		t.Errorf("read on mode=ro: %q %v", title, err)
	}
	for _, dsn := range []string{"", "x.vdb?mode=rx", "x.vdb?colour=red", "x.vdb?timeout=soon"} {
		if _, _, err := sqldriver.ParseDSN(dsn); !errors.Is(err, db.ErrInvalid) {
			t.Errorf("ParseDSN(%q): %v", dsn, err)
		}
	}
	if p, o, err := sqldriver.ParseDSN("a.vdb?mode=ro&sandbox=d&timeout=2s"); err != nil || p != "a.vdb" || !o.ReadOnly || o.Sandbox != "d" || o.Timeout.Seconds() != 2 {
		t.Errorf("ParseDSN: %s %+v %v", p, o, err)
	}
}

func TestOpenDB(t *testing.T) {
	d, err := db.Open(filepath.Join(t.TempDir(), "x.vdb"), &db.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s := sqldriver.OpenDB(d)
	if _, err := s.ExecContext(ctx, "CREATE COLLECTION c (DIM 2)"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := d.Collection("c"); err != nil {
		t.Errorf("the db after closing the pool: %v", err)
	}
}

func countKeys(t *testing.T, s *sql.DB) int {
	t.Helper()
	rows, err := s.QueryContext(ctx, "SELECT key FROM songs")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n
}

// TestQueryStreams: a SELECT scan through database/sql is read as Next is
// called, not run in full first: a context cancelled after the first row
// ends the iteration with the context's error (a materialised answer would
// have given every row), for a plain query and a prepared one alike, and
// the database takes writes at once after the rows are closed.
func TestQueryStreams(t *testing.T) {
	s, _ := openSongs(t)
	for i := range 2000 {
		if _, err := s.ExecContext(ctx, "INSERT INTO songs (key, vector, year) VALUES (?, ?, ?)", "x"+string(rune('a'+i%26))+string(rune('a'+i/26%26))+string(rune('a'+i/676)), []float32{1, float32(i)}, 2000+i); err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.PrepareContext(ctx, "SELECT key FROM songs WHERE year >= ?")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, name := range []string{"query", "prepared"} {
		qctx, cancel := context.WithCancel(ctx)
		var rows *sql.Rows
		if name == "query" {
			rows, err = s.QueryContext(qctx, "SELECT key FROM songs WHERE year >= ?", 0)
		} else {
			rows, err = st.QueryContext(qctx, 0)
		}
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
			if n == 1 {
				cancel()
			}
		}
		if !errors.Is(rows.Err(), context.Canceled) || n >= 2003 {
			t.Errorf("%s: %d rows, Err %v; want the scan cut short by the cancel", name, n, rows.Err())
		}
		rows.Close()
		cancel()
		if _, err := s.ExecContext(ctx, "DELETE FROM songs WHERE key = 's1'"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ExecContext(ctx, "INSERT INTO songs (key, vector) VALUES ('s1', [1, 0])"); err != nil {
			t.Fatal(err)
		}
	}
	// A statement without rows still runs through Query.
	rows, err := s.QueryContext(ctx, "INSERT INTO songs (key, vector) VALUES ('q1', [0, 1])")
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	var n int64
	if err := s.QueryRowContext(ctx, "SELECT COUNT(*) FROM songs").Scan(&n); err != nil || n != 2004 {
		t.Errorf("COUNT(*) = %d, %v; want 2004", n, err)
	}
}
