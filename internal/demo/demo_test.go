package demo

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/vecdb/vecdb/db"
)

func TestSourceTokens(t *testing.T) {
	n, seqs := 0, 0
	r, err := Source().Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for {
		s, err := r.Next()
		if err != nil {
			break
		}
		if len(s) > 10000 {
			t.Fatalf("sequence of %d tokens", len(s))
		}
		n += len(s)
		seqs++
	}
	if n != 889263+489214 {
		t.Fatalf("demo texts have %d tokens in %d sequences", n, seqs)
	}
}

func TestBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the demo database")
	}
	p := filepath.Join(t.TempDir(), "demo.vdb")
	if err := Build(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(p, &db.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	c, err := d.Collection("words")
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() < 10000 {
		t.Fatalf("words has %d keys", c.Len())
	}
	// A newcomer can ask about a word the demo never saw: words_ngrams
	// builds its vector from its character n-grams, and says so.
	res, err := d.Query(context.Background(), "SELECT NEAREST 5 TO 'presidentially' FROM "+SubwordCollection)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Built) != 1 || res.Message == "" {
		t.Fatalf("'presidentially' was not built from n-grams: %v %q", res.Built, res.Message)
	}
	near := map[string]bool{}
	for _, r := range res.Rows {
		near[r[1].(string)] = true
	}
	if !near["presidential"] && !near["presidency"] {
		t.Errorf("NEAREST 5 TO 'presidentially': %v", res.Rows)
	}
	if _, err := d.Query(context.Background(), "SELECT NEAREST 5 TO 'presidentially' FROM words"); !errors.Is(err, db.ErrKeyNotFound) {
		t.Errorf("words (no subwords) answered for a word it never saw: %v", err)
	}
	// Neighbour sets, not floats: the demo must show what embeddings do.
	for word, want := range map[string][]string{
		"france": {"spain", "italy", "germany", "portugal", "netherlands", "belgium", "uk", "norway", "denmark"},
		"wheat":  {"rice", "corn", "barley", "soybeans", "beans", "sorghum", "maize", "cotton"},
	} {
		hits, err := c.MostSimilar(context.Background(), []string{word}, nil, 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, h := range hits {
			for _, w := range want {
				if h.Key == w {
					found++
				}
			}
		}
		if found < 3 {
			t.Errorf("%s: only %d of the expected neighbours in %v", word, found, hits)
		}
	}
}
