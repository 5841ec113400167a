package db

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/internal/testutil"
	"github.com/vecdb/vecdb/query"
)

// songHashSample is shaped like Yes.com's song_hash.txt: no header, an id
// followed by a space, a tab, a title, a tab, an artist.
const songHashSample = "testdata/song_hash_sample.txt"

// IMPORT METADATA trims the white space around keys and values by default,
// so the ids of song_hash.txt ("0 ") match the keys; trim = false keeps it.
func TestImportMetadataTrimsSpace(t *testing.T) {
	d := MustOpen(t)
	if _, err := d.Exec(bg, "CREATE COLLECTION songs (DIM 2); INSERT INTO songs (key, vector) VALUES ('0', [1, 0]), ('1', [0, 1]), ('2', [1, 1]), ('3', [1, 2]), ('4', [2, 1])"); err != nil {
		t.Fatal(err)
	}
	res, err := d.Exec(bg, "IMPORT METADATA INTO songs FROM '"+songHashSample+"' WITH (columns = 'id,title,artist', trim = false)")
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.RowsAffected != 0 {
		t.Fatalf("trim = false matched %d rows: the ids end in a space", res.Stats.RowsAffected)
	}
	res, err = d.Exec(bg, "IMPORT METADATA INTO songs FROM '"+songHashSample+"' WITH (columns = 'id,title,artist')")
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.RowsAffected != 5 {
		t.Fatalf("matched %d rows, want 5: %s", res.Stats.RowsAffected, res.Message)
	}
	got, err := d.Query(bg, "SELECT key, title, artist FROM songs WHERE key IN ('2', '4') ORDER BY key")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{"2", "Leading Space Waltz", "Trailing Band"}, {"4", "Blank Artist Song", nil}}
	if fmt.Sprint(got.Rows) != fmt.Sprint(want) {
		t.Errorf("values: %v, want %v (trimmed; a blank value is NULL)", got.Rows, want)
	}

	// The Go API: trimmed unless KeepSpace.
	r, err := d.ImportMetadata(bg, "songs", songHashSample, MetadataOptions{Columns: []string{"id", "title", "artist"}, KeepSpace: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Rows != 0 || r.Unknown != 5 || r.Examples[0] != "0 " {
		t.Errorf("KeepSpace: %+v", r)
	}
}

// The README's example works on the real song_hash.txt of the shared data
// kit (skipped when it is absent): every id matches a key.
func TestImportMetadataReadmeExampleOnYes(t *testing.T) {
	src := testutil.SharedData(t, "playlists/yes_complete/song_hash.txt")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	dir := t.TempDir()
	// A collection whose keys are the song ids, as TRAIN on the playlists
	// makes it.
	var vecs strings.Builder
	for _, l := range lines {
		id, _, _ := strings.Cut(l, "\t")
		fmt.Fprintf(&vecs, "%s 1 0\n", strings.TrimSpace(id))
	}
	vf := filepath.Join(dir, "ids.txt")
	if err := os.WriteFile(vf, []byte(vecs.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	d := MustOpen(t)
	if _, err := d.Exec(bg, "IMPORT INTO songs FROM "+query.QuoteString(vf)+" FORMAT GLOVE"); err != nil {
		t.Fatal(err)
	}
	// The README's own statement, with the file's path for its name.
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const start = "IMPORT METADATA INTO songs FROM 'song_hash.txt'"
	i := strings.Index(string(readme), start)
	if i < 0 {
		t.Fatalf("README.md has no %q example", start)
	}
	stmt, _, _ := strings.Cut(string(readme[i:]), ";")
	stmt = strings.Replace(stmt, "'song_hash.txt'", query.QuoteString(src), 1)
	res, err := d.Exec(bg, stmt)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.RowsAffected != len(lines) {
		t.Fatalf("README example matched %d of %d songs: %s", res.Stats.RowsAffected, len(lines), res.Message)
	}
	got, err := d.Query(bg, "SELECT key, title FROM songs WHERE key = '0'")
	if err != nil || len(got.Rows) != 1 || got.Rows[0][1] == nil || got.Rows[0][1] == "" {
		t.Fatalf("song 0: %v %v", got, err)
	}
}
