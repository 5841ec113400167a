package repl

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/db"
)

// fakeCatalog is a Catalog over maps.
type fakeCatalog struct {
	fields map[string][]string
	keys   map[string][]string // sorted
}

func (f fakeCatalog) CollectionNames() []string {
	var out []string
	for n := range f.fields {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (f fakeCatalog) FieldNames(c string) []string { return f.fields[c] }

func (f fakeCatalog) KeysWithPrefix(c, prefix string, limit int) []string {
	var out []string
	for _, k := range f.keys[c] {
		if strings.HasPrefix(k, prefix) && len(out) < limit {
			out = append(out, k)
		}
	}
	return out
}

var testCatalog = fakeCatalog{
	fields: map[string][]string{"words": nil, "songs": {"title", "artist"}, "users": nil},
	keys: map[string][]string{
		"words": {"don't", "king", "kingdom", "kings", "queen"},
		"songs": {"s1", "s2"},
		"users": {"u1", "u42"},
	},
}

func TestCompleterComplete(t *testing.T) {
	c := &Completer{Catalog: testCatalog}
	cases := []struct {
		text string // the cursor is at | (else at the end)
		want []string
	}{
		// Keywords, in the case typed.
		{"SEL", []string{"SELECT"}},
		{"sel", []string{"select"}},
		{"Sel", []string{"Select"}},
		{"select nea", []string{"nearest"}},
		{"", nil},
		// Collections.
		{"SELECT NEAREST 5 TO 'king' FROM ", []string{"songs", "users", "words"}},
		{"SELECT NEAREST 5 TO 'king' FROM w", []string{"words"}},
		{"DESCRIBE s", []string{"songs"}},
		{"SHOW STATS u", []string{"users"}},
		{"INSERT INTO s", []string{"songs"}},
		{"CREATE INDEX ON w", []string{"words"}},
		{"TRAIN w", []string{"words"}},
		{"CLUSTER s", []string{"songs"}},
		{"EXPORT w", []string{"words"}},
		{"DROP COLLECTION IF EXISTS u", []string{"users"}},
		{"CREATE COLLECTION w", nil},
		{"SELECT NEAREST 5 TO u", []string{"users"}},
		{"SELECT NEAREST 5 TO 'a' + u", []string{"users"}},
		{"SELECT NEAREST 5 TO 'a' + c", []string{"centroid"}},
		// Fields.
		{"SELECT NEAREST 5 TO 's1' FROM songs WHERE ", []string{"key", "count", "similarity", "distance", "title", "artist"}},
		{"SELECT NEAREST 5 TO 's1' FROM songs WHERE t", []string{"title", "true"}},
		{"SELECT NEAREST 5 TO 's1' FROM songs RETURNING di", []string{"distance"}},
		{"SELECT key FROM songs ORDER BY a", []string{"artist", "and", "as", "asc"}},
		{"SELECT ar| FROM songs", []string{"artist"}},
		{"UPDATE songs SET ti", []string{"title"}},
		{"SELECT key FROM songs WHERE title = ", nil},
		{"SELECT key FROM songs WHERE (title = 'x' OR ar", []string{"artist"}},
		{"SET ef", []string{"ef_search"}},
		// Options by statement.
		{"TRAIN words FROM 'x.txt' WITH (ep", []string{"epochs"}},
		{"TRAIN words FROM 'x.txt' WITH (dim = 10, min_", []string{"min_alpha", "min_count", "min_ngram_words"}},
		{"CREATE INDEX ON words USING HNSW WITH (", []string{"ef_construction", "ef_search", "m", "quantize", "rescore", "threads"}},
		{"IMPORT INTO words FROM 'g.txt' WITH (l", []string{"limit"}},
		{"SELECT NEAREST 5 TO 'king' FROM words WITH (e", []string{"ef_search"}},
		{"SELECT NEAREST 5 TO 'king' FROM words WITH (ef_search = ", nil},
		// Keys inside quotes.
		{"SELECT NEAREST 5 TO 'ki", []string{"king", "kingdom", "kings"}},
		{"SELECT NEAREST 5 TO 'kingd", []string{"kingdom'"}},
		{"SELECT NEAREST 5 TO 'king' - 'q", []string{"queen'"}},
		{"SELECT NEAREST 5 TO 'king' + 'q", []string{"queen'"}},
		{"SELECT NEAREST 5 TO 0.5 * 'q", []string{"queen'"}},
		{"SELECT NEAREST 5 TO 'do", []string{"don''t'"}},
		{"SELECT NEAREST 5 TO 's|' FROM songs", []string{"s1", "s2"}},
		{"SELECT SIMILARITY('king', 'q", []string{"queen'"}},
		{"SELECT SIMILARITY(('king', 'q", []string{"queen'"}},
		{"SELECT ODD_ONE_OUT('q", []string{"queen'"}},
		{"SELECT NEAREST 2 TO EACH ('q", []string{"queen'"}},
		{"SELECT NEAREST 2 TO 'king' FROM words AMONG ('q", []string{"queen'"}},
		{"RECOMMEND 5 FROM songs FOR ('s1', '", []string{"s1", "s2"}},
		{"SELECT PROJECTION('q", []string{"queen'"}},
		{"SELECT RANK('king', 'q", []string{"queen'"}},
		{"SELECT NEAREST 5 TO users.'u4", []string{"u42'"}},
		{"SELECT NEAREST 5 TO 'king' FROM words WHERE key = 'q", nil},
		{"INSERT INTO words (key, vector) VALUES ('q", nil},
		// Earlier statements and lines do not count; later ones of the statement do.
		{"SELECT 1;\nSELECT NEAREST 5\nTO 'q", []string{"queen'"}},
		// Dot-commands.
		{".mo", []string{".mode"}},
		{".mode j", []string{"json", "jsonl"}},
		{".headers o", []string{"on", "off"}},
		{".describe ", []string{"songs", "users", "words"}},
		{".x", nil},
		{".ta", []string{".tables"}},
		{"SHOW ", []string{"COLLECTIONS", "SETTINGS", "STATS", "ef_search", "graph_fill", "subwords", "threads", "timeout"}},
		{"show s", []string{"settings", "stats", "subwords"}},
		{"SHOW ef", []string{"ef_search"}},
		{".sch", []string{".schema"}},
		{".schema w", []string{"words"}},
	}
	for _, tc := range cases {
		text, pos := tc.text, len(tc.text)
		if i := strings.Index(text, "|"); i >= 0 {
			text, pos = text[:i]+text[i+1:], i
		}
		got := c.Complete(text, pos)
		if len(got) == 0 && len(tc.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Complete(%q):\n got %q\nwant %q", tc.text, got, tc.want)
		}
	}
}

func TestCompleterFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "glove.txt"), nil, 0o644)
	os.Mkdir(filepath.Join(dir, "gdata"), 0o755)
	c := &Completer{Catalog: testCatalog}
	for _, text := range []string{
		"IMPORT INTO words FROM '" + dir + "/g",
		".open " + dir + "/g",
		"EXPORT words TO '" + dir + "/g",
	} {
		got := c.Complete(text, len(text))
		want := []string{dir + "/gdata/", dir + "/glove.txt"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Complete(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestReadlineCompleter(t *testing.T) {
	pending := "SELECT NEAREST 5\n"
	r := readlineCompleter{c: &Completer{Catalog: testCatalog}, pending: func() string { return pending }}
	suffixes, n := r.Do([]rune("TO 'kin"), 7)
	if n != 3 || len(suffixes) != 3 || string(suffixes[1]) != "gdom" {
		t.Fatalf("Do = %q, %d", suffixes, n)
	}
}

// BenchmarkCompleteKeys measures key completion in a quote over a real
// database of n keys (bbolt prefix lookup).
func BenchmarkCompleteKeys(b *testing.B) {
	for _, n := range []int{400000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "b.vdb")
			src := filepath.Join(b.TempDir(), "v.txt")
			var sb strings.Builder
			for i := 0; i < n; i++ {
				fmt.Fprintf(&sb, "w%07d 0.%d 1\n", i*7919%n, i%10+1)
			}
			if err := os.WriteFile(src, []byte(sb.String()), 0o644); err != nil {
				b.Fatal(err)
			}
			d, err := db.Open(path, &db.Options{NoSync: true})
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			if _, err := d.Exec(context.Background(), fmt.Sprintf("IMPORT INTO big FROM '%s' FORMAT GLOVE", src)); err != nil {
				b.Fatal(err)
			}
			c := &Completer{Catalog: DBCatalog(d)}
			text := "SELECT NEAREST 5 TO 'w01234"
			b.ReportAllocs()
			b.ResetTimer()
			var got []string
			for i := 0; i < b.N; i++ {
				got = c.Complete(text, len(text))
			}
			b.StopTimer()
			if len(got) != MaxKeyCompletions { // 100 keys match, capped
				b.Fatalf("got %d keys: %q", len(got), got)
			}
		})
	}
}
