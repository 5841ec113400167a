package db

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRows(t *testing.T) {
	d := songsDB(t)
	rows, err := d.QueryRows(bg, "SELECT key, vector, year, title FROM songs WHERE year > ? ORDER BY year", 1975)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if got := strings.Join(rows.Columns(), ","); got != "key,vector,year,title" {
		t.Fatal(got)
	}
	var got []string
	for rows.Next() {
		var (
			key, title string
			vec        []float32
			year       int64
		)
		if err := rows.Scan(&key, &vec, &year, &title); err != nil {
			t.Fatal(err)
		}
		if len(vec) != 2 {
			t.Fatalf("vector %v", vec)
		}
		got = append(got, key)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "s1 don't s3" {
		t.Errorf("got %v", got)
	}
	if rows.Next() {
		t.Error("Next after the end")
	}

	st, err := d.Prepare(bg, "SELECT NEAREST 1 TO ? FROM songs")
	if err != nil {
		t.Fatal(err)
	}
	rows, err = st.QueryRows(bg, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() {
		t.Fatal("no row")
	}
	var (
		rank  int
		key   any
		sim   float64
		sim32 float32
		title string
		year  float64
		v     Vector
	)
	if err := rows.Scan(&rank, &key, &sim, &title, &year); err != nil {
		t.Fatal(err)
	}
	if rank != 1 || key != "s2" || sim < 0.9 || title != "Changes" || year != 1971 {
		t.Errorf("got %v %v %v %v %v", rank, key, sim, title, year)
	}
	if err := rows.Scan(&rank, &key, &sim32, &title, &year); err != nil || sim32 < 0.9 {
		t.Errorf("float32: %v %v", sim32, err)
	}
	for _, tt := range []struct {
		dest []any
		want string
	}{
		{[]any{&title, &key, &sim, &title, &year}, "scan column 1 (rank): cannot put a int64 (1) into *string"},
		{[]any{&rank, &rank, &sim, &title, &year}, "scan column 2 (key): cannot put a string (s2) into *int"},
		{[]any{&rank, &key, &v, &title, &year}, "scan column 3 (similarity): scan float64 into a Vector"},
		{[]any{&rank}, "Scan got 1 destinations for 5 columns"},
	} {
		err := rows.Scan(tt.dest...)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalid) {
			t.Errorf("got %v, want %s", err, tt.want)
		}
	}
	rows.Close()
	if rows.Next() {
		t.Error("Next after Close")
	}
	if err := rows.Scan(&rank, &key, &sim, &title, &year); !errors.Is(err, ErrInvalid) {
		t.Errorf("Scan after Close: %v", err)
	}
	// Vectors scan into *Vector too.
	rows, err = d.QueryRows(bg, "SELECT vector FROM songs WHERE key = :k", Named("k", "s3"))
	if err != nil || !rows.Next() {
		t.Fatal(err)
	}
	if err := rows.Scan(&v); err != nil || len(v) != 2 || v[1] != 1 {
		t.Errorf("Vector: %v %v", v, err)
	}
}

func TestVectorScan(t *testing.T) {
	var v Vector
	for _, src := range []any{[]float32{1, 2}, Vector{1, 2}, []float64{1, 2}, "[1, 2]", []byte(" [1,2] ")} {
		if err := v.Scan(src); err != nil || len(v) != 2 || v[0] != 1 || v[1] != 2 {
			t.Errorf("%v: %v %v", src, v, err)
		}
	}
	for _, src := range []any{"1, 2", "[1, x]", 3} {
		if err := v.Scan(src); !errors.Is(err, ErrInvalid) {
			t.Errorf("%v: %v", src, err)
		}
	}
	if x, err := (Vector{1}).Value(); err != nil || len(x.([]float32)) != 1 {
		t.Errorf("Value: %v %v", x, err)
	}
}

// bigDB holds "big": n rows (DIM 2) whose key is "k<i>" and whose field n is
// i and whose field r is i mod 100, inserted in frequency order, in a database with Limits.MaxRows 100.
func bigDB(t *testing.T, n int) *DB {
	t.Helper()
	d, err := Open(filepath.Join(t.TempDir(), "big.vdb"), &Options{NoSync: true, Limits: Limits{MaxRows: 100}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	c, err := d.CreateCollection(bg, Spec{Name: "big", Dim: 2, Fields: []Field{{Name: "n", Type: Int}, {Name: "r", Type: Int}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = Row{Key: fmt.Sprintf("k%d", i), Vector: []float32{1, float32(i)}, Count: int64(n - i), Meta: []any{i, i % 100}}
	}
	if err := c.Insert(bg, rows...); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestRowsStream: a scan read through Rows visits the collection only as
// far as the rows read, is not bounded by MaxRows (nothing is held), and
// gives the rows Query gives.
func TestRowsStream(t *testing.T) {
	const n = 20000
	d := bigDB(t, n)
	rows, err := d.QueryRows(bg, "SELECT key, n FROM big WHERE r = 99")
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() {
		t.Fatal(rows.Err())
	}
	var key string
	var num int64
	if err := rows.Scan(&key, &num); err != nil || key != "k99" || num != 99 {
		t.Fatalf("first row %s %d %v", key, num, err)
	}
	// The first row came after 100 rows were visited, not 20,000.
	if v := rows.it.visited; v != 100 {
		t.Errorf("visited %d rows for the first answer, want 100", v)
	}
	rows.Close()
	if rows.it != nil {
		t.Error("Close kept the scan")
	}

	// MaxRows (100) refuses the answer held in full; streamed, all 20,000 come.
	if _, err := d.Query(bg, "SELECT key FROM big"); err == nil {
		t.Fatal("Query of 20,000 rows passed MaxRows 100")
	}
	rows, err = d.QueryRows(bg, "SELECT key FROM big")
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	for rows.Next() {
		if err := rows.Scan(&key); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("k%d", got); key != want {
			t.Fatalf("row %d is %s, want %s", got, key, want)
		}
		got++
	}
	if err := rows.Err(); err != nil || got != n {
		t.Fatalf("streamed %d rows, err %v", got, err)
	}
	if rows.Stats().Elapsed <= 0 || rows.Stats().Plan == "" {
		t.Errorf("stats %+v", rows.Stats())
	}

	// Streamed and materialised answers agree, with WHERE, ORDER BY, LIMIT and OFFSET.
	for _, q := range []string{
		"SELECT key, n FROM big WHERE n < 500 AND r = 3",
		"SELECT key, count FROM big WHERE n < 90 ORDER BY n DESC LIMIT 7 OFFSET 3",
		"SELECT * FROM big WHERE n >= 19950 LIMIT 20 OFFSET 5",
		"SELECT key FROM big WHERE n < 60 OFFSET 55",
		"SELECT key FROM big WHERE n > 100 ORDER BY key LIMIT 4",
		"SELECT key FROM big LIMIT 0",
		"SELECT key FROM big WHERE n < 0",
	} {
		res, err := d.Query(bg, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		rows, err := d.QueryRows(bg, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var streamed [][]any
		for rows.Next() {
			v, _ := rows.Values()
			streamed = append(streamed, v)
		}
		if rows.Err() != nil || !reflect.DeepEqual(streamed, res.Rows) && !(len(streamed) == 0 && len(res.Rows) == 0) {
			t.Errorf("%s:\nstreamed %v (%v)\nQuery    %v", q, streamed, rows.Err(), res.Rows)
		}
		if !reflect.DeepEqual(rows.Columns(), res.Columns) {
			t.Errorf("%s: columns %v, want %v", q, rows.Columns(), res.Columns)
		}
	}

	// A prepared scan streams too.
	st, err := d.Prepare(bg, "SELECT key FROM big WHERE n >= ?")
	if err != nil {
		t.Fatal(err)
	}
	rows, err = st.QueryRows(bg, 19990)
	if err != nil {
		t.Fatal(err)
	}
	got = 0
	for rows.Next() {
		got++
	}
	if got != 10 || rows.Err() != nil {
		t.Errorf("prepared: %d rows, %v", got, rows.Err())
	}
	if _, err := d.QueryRows(bg, "INSERT INTO big (key, vector) VALUES ('x', [1, 1])"); !errors.Is(err, ErrInvalid) {
		t.Errorf("QueryRows of INSERT: %v", err)
	}
	if _, err := d.QueryRows(bg, "SELECT key FROM nope"); !errors.Is(err, ErrCollectionNotFound) {
		t.Errorf("unknown collection: %v", err)
	}
}

// TestRowsStreamRelease: a scan holds no transaction: a write while rows
// are open does not wait for them (and the scan keeps its snapshot), and
// Close after one row stops the scan.
func TestRowsStreamRelease(t *testing.T) {
	const n = 10000
	d := bigDB(t, n)
	rows, err := d.QueryRows(bg, "SELECT key FROM big")
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() {
		t.Fatal(rows.Err())
	}
	write := func(src string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(bg, 10*time.Second)
		defer cancel()
		if _, err := d.Exec(ctx, src); err != nil {
			t.Fatalf("%s while rows are open: %v", src, err)
		}
	}
	write("INSERT INTO big (key, vector, count) VALUES ('new', [1, 1], 1000000)")
	write("DELETE FROM big WHERE key = 'k5'")
	got := 1
	saw := map[string]bool{}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		saw[k] = true
		got++
	}
	if got != n || saw["new"] || !saw["k5"] {
		t.Errorf("the open scan saw the writes: %d rows, new %v, k5 %v", got, saw["new"], saw["k5"])
	}

	rows, err = d.QueryRows(bg, "SELECT key FROM big")
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() {
		t.Fatal(rows.Err())
	}
	it := rows.it
	rows.Close()
	if rows.Next() || rows.Err() != nil {
		t.Errorf("Next after Close: err %v", rows.Err())
	}
	if it.visited != 1 {
		t.Errorf("Close after one row: %d rows visited", it.visited)
	}
	write("UPSERT INTO big (key, vector) VALUES ('new', [2, 2])")
	write("DROP COLLECTION big")
}

// TestRowsStreamCancel: cancelling the context stops a scan mid-stream
// with the context's error; so does the statement timeout; Close from
// another goroutine stops a Next that is still visiting rows.
func TestRowsStreamCancel(t *testing.T) {
	const n = 20000
	d := bigDB(t, n)
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	rows, err := d.QueryRows(ctx, "SELECT key FROM big")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if !rows.Next() {
			t.Fatal(rows.Err())
		}
	}
	cancel()
	if rows.Next() {
		t.Error("Next after cancel")
	}
	if !errors.Is(rows.Err(), context.Canceled) {
		t.Errorf("Err after cancel: %v", rows.Err())
	}

	// A cancel that comes while one Next is visiting rows stops it.
	ctx, cancel = context.WithCancel(bg)
	rows, err = d.QueryRows(ctx, "SELECT key FROM big WHERE n > 15000")
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	rows.it.sc.where.fn = func(old pred) pred {
		return func(r *row) bool {
			if calls++; calls == 5000 {
				cancel()
			}
			return old(r)
		}
	}(rows.it.sc.where.fn)
	if rows.Next() || !errors.Is(rows.Err(), context.Canceled) {
		t.Errorf("cancel during Next: err %v", rows.Err())
	}
	if v := rows.it; v != nil {
		t.Error("the scan is kept after its error")
	}
	if calls > 5000+scanCheckEvery {
		t.Errorf("%d rows visited after the cancel", calls-5000)
	}

	// The statement's timeout stops a scan that is read slowly.
	if _, err := d.Exec(bg, "SET timeout = 0.2"); err != nil {
		t.Fatal(err)
	}
	rows, err = d.QueryRows(bg, "SELECT key FROM big")
	if err != nil {
		t.Fatal(err)
	}
	rows.Next()
	time.Sleep(300 * time.Millisecond)
	if rows.Next() || !errors.Is(rows.Err(), context.DeadlineExceeded) {
		t.Errorf("timeout: %v", rows.Err())
	}
}
