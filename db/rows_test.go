package db

import (
	"errors"
	"strings"
	"testing"
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
