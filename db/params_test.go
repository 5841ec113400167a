package db

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/query"
)

// songsDB is a small collection with a key that holds a quote.
func songsDB(t testing.TB) *DB {
	t.Helper()
	d := MustOpen(t)
	if _, err := d.Exec(bg, `CREATE COLLECTION songs (DIM 2, title TEXT, year INT);
		INSERT INTO songs (key, vector, title, year) VALUES
			('s1', [1, 0], 'Heroes', 1977), ('s2', [0.9, 0.2], 'Changes', 1971),
			('s3', [0, 1], 'Jump', 1984), ('don''t', [0.5, 0.5], 'Don''t Stop', 1978);
		CREATE COLLECTION other (DIM 2)`); err != nil {
		t.Fatal(err)
	}
	return d
}

// firstCol returns the keys of res (its first column when it has no key).
func firstCol(res *Result) string {
	col := 0
	for i, c := range res.Columns {
		if c == "key" {
			col = i
		}
	}
	var s []string
	for _, r := range res.Rows {
		s = append(s, fmt.Sprint(r[col]))
	}
	return strings.Join(s, " ")
}

func TestParamsInjectionIsAKey(t *testing.T) {
	d := songsDB(t)
	_, err := d.Exec(bg, "SELECT NEAREST 1 TO ? FROM songs", "k1' FROM songs; DROP COLLECTION songs; --")
	if !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("got %v, want ErrKeyNotFound", err)
	}
	for _, c := range []string{"songs", "other"} {
		if _, err := d.Collection(c); err != nil {
			t.Errorf("collection %s: %v", c, err)
		}
	}
	res, err := d.Query(bg, "SELECT NEAREST 1 TO ? FROM songs", "don't")
	if err != nil || firstCol(res) != "s1" && firstCol(res) != "s2" {
		t.Fatalf("key with a quote: %v %v", res, err)
	}
}

func TestParamsEverywhere(t *testing.T) {
	d := songsDB(t)
	for _, tt := range []struct {
		src  string
		args []any
		want string
	}{
		{"SELECT NEAREST ? TO ? FROM songs", []any{2, "s3"}, "don't s2"},
		{"SELECT NEAREST $1 TO ?2 FROM songs WHERE year > ?3", []any{int64(1), []float32{0, 1}, 1980}, "s3"},
		{"SELECT NEAREST :k TO :v FROM songs", []any{Named("k", uint8(1)), Named(":v", Vector{1, 0})}, "s1"},
		{"SELECT NEAREST @k TO $v FROM songs WHERE year < :y", []any{Named("k", 1), Named("v", "s3"), Named("y", 1980)}, "don't"},
		{"SELECT NEAREST 1 TO ? - ? FROM songs", []any{[]float64{1, 1}, "s3"}, "s1"},
		{"SELECT NEAREST 3 TO EACH (?) FROM songs AMONG (?, ?) OFFSET ?", []any{"s1", "s3", "s2", 1}, "s3"},
		{"SELECT key FROM songs WHERE title LIKE ? ORDER BY key LIMIT ? OFFSET ?", []any{"%e%", 2, 1}, "s2"},
		{"SELECT key FROM songs WHERE title = ?", []any{"Don't Stop"}, "don't"},
		{"SELECT key FROM songs WHERE year IN (?, ?) ORDER BY key", []any{1971, 1984.0}, "s2 s3"},
		{"SELECT ANALOGY ?1 : ?2 :: ?3 : ? FROM songs LIMIT ?4", []any{"s1", "s2", "s3", 1}, ""},
		{"SELECT NEAREST 1 TO ITEM(title = ?) FROM songs WITH (ef_search = ?)", []any{"Jump", 50}, "don't"},
	} {
		res, err := d.Query(bg, tt.src, tt.args...)
		if err != nil {
			t.Errorf("%s %v: %v", tt.src, tt.args, err)
			continue
		}
		if got := firstCol(res); tt.want != "" && got != tt.want {
			t.Errorf("%s %v: got %s, want %s", tt.src, tt.args, got, tt.want)
		}
	}
	// EXPLAIN shows the bound statement's plan; SET takes a parameter.
	if res, err := d.Query(bg, "EXPLAIN SELECT NEAREST ? TO ? FROM songs", 2, "s1"); err != nil || len(res.Rows) == 0 {
		t.Errorf("EXPLAIN: %v %v", res, err)
	}
	if _, err := d.Exec(bg, "SET ef_search = ?", 64); err != nil {
		t.Errorf("SET: %v", err)
	}
	// Writes.
	if _, err := d.Exec(bg, "INSERT INTO songs (key, vector, title, year) VALUES (?, ?, ?, ?)", "s4", []float32{1, 1}, nil, 2000); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(bg, "UPDATE songs SET title = :t WHERE key = :k", Named("t", "Four"), Named("k", "s4")); err != nil {
		t.Fatal(err)
	}
	res, err := d.Query(bg, "SELECT title FROM songs WHERE key = ? AND year = ?", "s4", 2000)
	if err != nil || firstCol(res) != "Four" {
		t.Fatalf("after UPDATE: %v %v", res, err)
	}
	if _, err := d.Exec(bg, "DELETE FROM songs WHERE key = ?", "s4"); err != nil {
		t.Fatal(err)
	}
}

func TestParamsErrors(t *testing.T) {
	d := songsDB(t)
	for _, tt := range []struct {
		src  string
		args []any
		want string
	}{
		{"SELECT NEAREST ? TO 's1' FROM songs", nil, "1:16: parameter ? has no value (no arguments given)"},
		{"SELECT NEAREST ? TO ? FROM songs", []any{1}, "1:21: parameter ? has no value (1 positional argument)"},
		{"SELECT NEAREST 1 TO :x FROM songs", []any{Named("y", "s1")}, "1:21: parameter :x has no value (no value named x)"},
		{"SELECT NEAREST 1 TO ? FROM songs", []any{"s1", "s2"}, "1:1: argument 2 is not used: the statement has no parameter ?2"},
		{"SELECT NEAREST 1 TO ? FROM songs", []any{"s1", Named("z", 1)}, "1:1: argument :z is not used: the statement has no parameter :z"},
		{"SELECT NEAREST ? TO 's1' FROM songs", []any{"five"}, "1:16: parameter ?: k must be a positive integer, got the string 'five'"},
		{"SELECT NEAREST ? TO 's1' FROM songs", []any{2.5}, "1:16: parameter ?: k must be a positive integer, got the number 2.5"},
		{"SELECT NEAREST 1 TO ? FROM songs", []any{true}, "1:21: parameter ?: a key (string) or a vector is needed, got the boolean TRUE"},
		{"SELECT NEAREST 1 TO EACH (?) FROM songs", []any{[]float32{1, 0}}, "1:27: parameter ?: a key (string) is needed, got a vector of 2 numbers"},
		{"SELECT NEAREST 1 TO ? FROM songs", []any{struct{}{}}, "1:21: parameter ?: a value of type struct {} cannot be bound (use a string, a number, a bool, nil or []float32)"},
		{"SELECT NEAREST 1 TO ? FROM songs", []any{int64(1) << 60}, "1:21: parameter ?: 1152921504606846976 is beyond the integers a number holds exactly (±2^53)"},
		{"SELECT NEAREST 1 TO ? FROM songs; SHOW COLLECTIONS", []any{"s1"}, "1:35: arguments go with one statement, and the text has 2; the second starts here (run a script without arguments, or with Bindings)"},
	} {
		_, err := d.Exec(bg, tt.src, tt.args...)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s %v:\n got %v\nwant %s", tt.src, tt.args, err, tt.want)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("%s %v: %v does not match ErrInvalid", tt.src, tt.args, err)
		}
	}
	// The vector's dimension is checked as a written vector's is.
	_, err := d.Query(bg, "SELECT NEAREST 1 TO ? FROM songs", []float32{1, 2, 3})
	if !errors.Is(err, ErrDimension) {
		t.Errorf("3-d vector: %v, want ErrDimension", err)
	}
	var qe *query.Error
	if _, err := d.Query(bg, "SELECT NEAREST 1 TO\n  ? FROM songs", 7); !errors.As(err, &qe) || !strings.Contains(qe.Pretty(), "  ? FROM songs\n    ^") {
		t.Errorf("pretty error: %q", qe.Pretty())
	}
}

func TestParamsBindings(t *testing.T) {
	d := songsDB(t)
	b := Bindings{":k": "s3", "n": 1, "?1": "s1", "unused": 0}
	res, err := d.Run(bg, "SELECT NEAREST :n TO :k FROM songs; SELECT NEAREST :n TO ?1 FROM songs", b)
	if err != nil {
		t.Fatal(err)
	}
	if got := firstCol(res[0]) + " " + firstCol(res[1]); got != "don't s2" {
		t.Errorf("got %s", got)
	}
}

func TestQuoteHelpers(t *testing.T) {
	if got := QuoteString("don't"); got != "'don''t'" {
		t.Error(got)
	}
	if got := QuoteIdent("from"); got != `"from"` {
		t.Error(got)
	}
	res, err := d2(t).Query(bg, "SELECT NEAREST 1 TO "+QuoteString("don't")+" FROM "+QuoteIdent("songs"))
	if err != nil || len(res.Rows) != 1 {
		t.Fatal(res, err)
	}
}

func d2(t *testing.T) *DB { return songsDB(t) }

func TestParamsPaths(t *testing.T) {
	d := songsDB(t)
	path := filepath.Join(t.TempDir(), "it's songs.csv")
	if _, err := d.Exec(bg, "EXPORT songs TO ? FORMAT CSV", path); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(bg, "IMPORT INTO copy FROM :f WITH (index = ?)", Named("f", path), false); err != nil {
		t.Fatal(err)
	}
	res, err := d.Query(bg, "SELECT key FROM copy WHERE key = ?", "don't")
	if err != nil || firstCol(res) != "don't" {
		t.Fatalf("imported copy: %v %v", res, err)
	}
	_, err = d.Exec(bg, "EXPORT songs TO ?", 12)
	if err == nil || err.Error() != "1:17: parameter ?: the file path must be a string, got the number 12" || !errors.Is(err, ErrInvalid) {
		t.Errorf("number as path: %v", err)
	}
}

func TestParamsValuer(t *testing.T) {
	d := songsDB(t)
	res, err := d.Query(bg, "SELECT key FROM songs WHERE title = ?", sql.NullString{String: "Jump", Valid: true})
	if err != nil || firstCol(res) != "s3" {
		t.Fatalf("%v %v", res, err)
	}
	// A NULL binds as NULL, which = never matches: the language says so.
	_, err = d.Query(bg, "SELECT key FROM songs WHERE title = ?", sql.NullString{})
	if err == nil || !strings.Contains(err.Error(), "1:37: comparing with NULL is never true") {
		t.Fatalf("NULL: %v", err)
	}
}

func TestParamsWeightsAndOtherKeys(t *testing.T) {
	d := songsDB(t)
	if _, err := d.Exec(bg, "INSERT INTO other (key, vector) VALUES (?, ?)", "o1", []float32{0, 1}); err != nil {
		t.Fatal(err)
	}
	res, err := d.Query(bg, "SELECT NEAREST 1 TO ? * ? + ? * other.? FROM songs", 0.1, "s1", 2, "o1")
	if err != nil || firstCol(res) != "s3" {
		t.Fatalf("weights: %v %v", res, err)
	}
	_, err = d.Query(bg, "SELECT NEAREST 1 TO ? * 's1' FROM songs", "two")
	if err == nil || err.Error() != "1:21: parameter ?: the weight must be a number, got the string 'two'" {
		t.Errorf("string weight: %v", err)
	}
	_, err = d.Query(bg, "SELECT NEAREST 1 TO other.? FROM songs", []float32{1, 0})
	if err == nil || err.Error() != "1:27: parameter ?: a key (string) is needed, got a vector of 2 numbers" {
		t.Errorf("vector for other.?: %v", err)
	}
}
