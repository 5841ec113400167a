package format

import (
	"errors"
	"strings"
	"testing"
)

// TestRefusesLenientInput: rows that used to be accepted by guessing are
// errors naming the line: a text row with one value too many (its key
// would end in a number), a JSONL value given as a string, and a blank key.
func TestRefusesLenientInput(t *testing.T) {
	cases := []struct {
		name, in string
		f        Format
		want     error
		msg      string
	}{
		{"glove extra value", "a 1 2 3\nb 1 2 3 4\n", GloVe, ErrRagged, "line 2: expected 3 values, got 4"},
		{"word2vec extra value", "2 3\na 1 2 3\nb 1 2 3 4\n", Word2VecText, ErrRagged, "line 3: expected 3 values, got 4"},
		{"jsonl string value", `{"key": "a", "vector": [1, 2, "3"]}` + "\n", JSONL, ErrSyntax, "value 3 is \"3\", not a number"},
		{"jsonl null value", `{"key": "a", "vector": [1, null]}` + "\n", JSONL, ErrSyntax, "value 2 is null, not a number"},
		{"jsonl blank key", `{"key": "   ", "vector": [1, 2]}` + "\n", JSONL, ErrSyntax, "empty key"},
		{"csv blank key", "  ,1,2\n", CSV, ErrSyntax, "empty key"},
	}
	for _, c := range cases {
		r, err := NewReader(strings.NewReader(c.in), ReaderOptions{Format: c.f})
		if err == nil {
			for {
				_, _, err = r.Next()
				if err != nil {
					break
				}
			}
		}
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: got %v, want %v with %q", c.name, err, c.want, c.msg)
		}
	}
	// Keys with spaces still read when no word of them is a number.
	r, err := NewReader(strings.NewReader("b 4 5 6\nnew york 1 2 3\n"), ReaderOptions{Format: GloVe})
	if err != nil {
		t.Fatal(err)
	}
	r.Next()
	if k, _, err := r.Next(); err != nil || k != "new york" {
		t.Errorf("key with a space: %q %v", k, err)
	}
}
