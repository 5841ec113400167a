package db

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/query"
)

// An id typed without its prefix ('42' where the keys are u0 … u99) gets
// the key that contains it ('u42'), not a more frequent key at the same
// distance ('u2'), through users.'42' as through a plain key.
func TestSuggestKeyContainingTheTypedID(t *testing.T) {
	d := MustOpen(t)
	var b strings.Builder
	b.WriteString("CREATE COLLECTION users (DIM 2); INSERT INTO users (key, vector) VALUES ")
	for i := range 100 {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "('u%d', [1, %d])", i, i)
	}
	b.WriteString("; CREATE COLLECTION items (DIM 2); INSERT INTO items (key, vector) VALUES ('a', [1, 0]), ('b', [0, 1])")
	if _, err := d.Exec(bg, b.String()); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"SELECT NEAREST 1 TO users.'42' FROM items",
		"SELECT NEAREST 1 TO '42' FROM users",
	} {
		_, err := d.Query(bg, stmt)
		var knf *KeysNotFoundError
		if !errors.Is(err, ErrKeyNotFound) || !errors.As(err, &knf) {
			t.Fatalf("%s: %v, want a KeysNotFoundError", stmt, err)
		}
		if got := knf.Suggestions["42"]; got != "u42" {
			t.Errorf("%s: suggestion %q, want u42", stmt, got)
		}
		var qe *query.Error
		if !errors.As(err, &qe) || qe.Suggest != "'u42'" || !qe.Pos.IsValid() {
			t.Errorf("%s: language error %#v, want Suggest 'u42' at a position", stmt, qe)
		}
	}
	// Where no key contains the word, the most frequent closest key wins.
	c, _ := d.Collection("users")
	v, _ := c.View()
	if got := v.Suggest("u4x"); got != "u4" {
		t.Errorf("Suggest(u4x) = %q, want u4", got)
	}

	// Through the language, a parse error's hint is in Suggest too.
	_, err := d.Query(bg, "SELECT NEAREST 1 TO 'a' FROM items WITH TOP 50")
	var qe *query.Error
	if !errors.As(err, &qe) || qe.Suggest != "WITHIN" {
		t.Errorf("WITH TOP: %v, want Suggest WITHIN", err)
	}
}

// TestPlannerSuggest: every "did you mean" the planner writes into a
// message is also in query.Error.Suggest, spelt as it would be typed.
func TestPlannerSuggest(t *testing.T) {
	d := MustOpen(t)
	if _, err := d.Exec(bg, "CREATE COLLECTION words (DIM 2, genre TEXT); INSERT INTO words (key, vector, genre) VALUES ('a', [1, 0], 'jazz'), ('b', [0, 1], 'rock')"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ stmt, want string }{
		{"SELECT NEAREST 1 TO 'a' FROM wrods", "words"},
		{"SET thraeds = 2", "threads"},
		{"SHOW thraeds", "threads"},
		{"CREATE INDEX ON words USING HNSW WITH (efconstruction = 40)", "ef_construction"},
		{"EXPORT words TO 'w.vec' FORMAT PARQUE", "PARQUET"},
		{"SELECT NEAREST 1 TO 'a' FROM words RETURNING ky", "key"},
		{"SELECT key FROM words ORDER BY genra", "genre"},
		{"SELECT key FROM words WHERE genra = 'x'", "genre"},
		{"SELECT NEAREST 1 TO ITEM(genre = 'jaz') FROM words", "'jazz'"},
		{"SELECT NEAREST 1 TO ITEM(genre = 'blues') FROM words", ""},
	} {
		_, err := d.Exec(bg, c.stmt)
		var qe *query.Error
		if !errors.As(err, &qe) {
			t.Errorf("%s: %v, want a language error", c.stmt, err)
			continue
		}
		if qe.Suggest != c.want {
			t.Errorf("%s: Suggest %q, want %q (%v)", c.stmt, qe.Suggest, c.want, err)
		}
	}
}
