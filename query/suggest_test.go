package query

import (
	"errors"
	"fmt"
	"math/rand"
	"testing"
)

func TestSuggest(t *testing.T) {
	tests := []struct {
		word  string
		cands []string
		want  string
	}{
		{"FORM", []string{"FROM"}, "FROM"},
		{"slect", Keywords, "SELECT"},
		{"nearset", Keywords, "NEAREST"},
		{"King", []string{"kong", "king"}, "king"},
		{"ef_serach", []string{"ef_search", "ef_construction"}, "ef_search"},
		{"xyz", []string{"abc"}, ""},
		{"to", []string{"on"}, ""}, // two edits on a short word is no hint
		{"FROM", []string{"FROM"}, ""},
	}
	for _, tt := range tests {
		if got := Suggest(tt.word, tt.cands); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

func syntheticKeys(n int) []string {
	r := rand.New(rand.NewSource(1))
	keys := make([]string, 0, n)
	seen := map[string]bool{}
	for len(keys) < n {
		b := make([]byte, 4+r.Intn(8))
		for i := range b {
			b[i] = byte('a' + r.Intn(26))
		}
		if !seen[string(b)] {
			seen[string(b)] = true
			keys = append(keys, string(b))
		}
	}
	return keys
}

func TestSuggester(t *testing.T) {
	keys := append([]string{"king", "queen", "Paris", "banana"}, syntheticKeys(20000)...)
	s := NewSuggester(keys)
	for word, want := range map[string]string{
		"King": "king", "kign": "king", "paris": "Paris", "quen": "queen",
		"bananna": "banana", "king": "", "zzzzzzzzzzzzzzzzzzzzzzzz": "",
	} {
		if got := s.Suggest(word); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", word, got, want)
		}
	}
	// The fast path agrees with the plain scan when it finds anything.
	isKey := map[string]bool{}
	for _, k := range keys {
		isKey[k] = true
	}
	r := rand.New(rand.NewSource(2))
	for i := 0; i < 200; i++ {
		k := []byte(keys[4+r.Intn(len(keys)-4)])
		k[1+r.Intn(len(k)-2)] = 'z' // an inner typo keeps first and last byte
		if isKey[string(k)] {
			continue
		}
		fast, slow := s.Suggest(string(k)), Suggest(string(k), keys)
		if fast == "" && slow != "" {
			t.Errorf("%q: Suggester found nothing, Suggest found %q", k, slow)
		}
	}
}

// TestSuggesterLarge: over 400k keys the suggester still finds a key one
// edit away. Its speed is measured by BenchmarkSuggester, not asserted here
// (a timed assertion fails on a busy machine).
func TestSuggesterLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 400k keys")
	}
	keys := syntheticKeys(400000)
	s := NewSuggester(keys)
	for word, want := range map[string]string{keys[1234] + "x": keys[1234], keys[99999][1:]: keys[99999]} {
		if got := s.Suggest(word); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", word, got, want)
		}
	}
	if got := s.Suggest("qwertyuio"); got != "" {
		t.Errorf("Suggest of a word far from every key = %q, want none", got)
	}
}

func BenchmarkSuggester(b *testing.B) {
	for _, n := range []int{10000, 400000} {
		keys := syntheticKeys(n)
		s := NewSuggester(keys)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s.Suggest("qwertyuiop"[:4+i%6] + "q")
			}
		})
	}
}

// Parse errors carry what their hint proposes in Error.Suggest: a misspelt
// keyword, WITHIN for WITH TOP, and the similarity pseudo-column for a
// SIMILARITY(…) call in WHERE.
func TestParseErrorSuggest(t *testing.T) {
	for _, tt := range []struct {
		src, suggest string
		col          int // of the error
	}{
		{"SELECT NEAREST 3 TO 'oil' FORM words", "FROM", 27},
		{"SELECT NEAREST 5 TO 'a' FROM items WITH TOP 5000", "WITHIN", 41},
		{"SELECT NEAREST 5 TO 'a' FROM items WHERE year > 1990 WITH TOP 50", "WITHIN", 59},
		{"SELECT NEAREST 5 TO 'a' FROM items WHERE SIMILARITY('a', 'b') > 0.5", "similarity", 52},
		{"SELECT key FROM items WHERE distance('a', 'b') < 0.5", "distance", 37},
		{"SELECT key FROM items WHERE PROJECTION('a') > 0", "", 39}, // hinted, nothing to type
	} {
		_, err := Parse(tt.src)
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("%s: %v, want an *Error", tt.src, err)
		}
		if e.Suggest != tt.suggest || e.Hint == "" || e.Pos.Column != tt.col {
			t.Errorf("%s: Suggest %q at column %d (hint %q), want %q at %d", tt.src, e.Suggest, e.Pos.Column, e.Hint, tt.suggest, tt.col)
		}
	}
	// The fixed statements parse.
	for _, src := range []string{
		"SELECT NEAREST 5 TO 'a' FROM items WITHIN TOP 5000",
		"SELECT NEAREST ALL TO 'a' FROM items WHERE similarity > 0.5",
	} {
		if _, err := Parse(src); err != nil {
			t.Errorf("%s: %v", src, err)
		}
	}
}
