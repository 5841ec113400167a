package db

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/query"
)

// coldItems holds Action rows at 0° and 10°, Comedy rows at 90° and 100°
// and a Horror row at 200°, and writes a metadata file that names them and
// three new keys: n1 (Action), n2 (Comedy|Action) and n3 (Western: no
// trained row shares it).
func coldItems(t *testing.T, d *DB) (*Collection, string) {
	t.Helper()
	c, err := d.CreateCollection(bg, Spec{Name: "items", Dim: 2}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Insert(bg, angleRow("a1", 0, 2), angleRow("a2", 10, 1), angleRow("b1", 90, 3), angleRow("b2", 100, 1), angleRow("h1", 200, 1)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "items.csv")
	csv := "id,title,genre\na1,First,Action\na2,Second,Action|Drama\nb1,Third,Comedy\nb2,Fourth,Comedy\nh1,Fifth,Horror\n" +
		"n1,New action,Action\nn2,New comedy,Comedy|Action\nn3,New western,Western\n"
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	return c, path
}

func angleOf(v []float32) float64 {
	return math.Atan2(float64(v[1]), float64(v[0])) * 180 / math.Pi
}

func TestColdStartFromMetadata(t *testing.T) {
	d := MustOpen(t)
	c, path := coldItems(t, d)
	res, err := d.Exec(bg, "IMPORT METADATA INTO items FROM "+query.QuoteString(path)+" WITH (cold_start = 'genre')")
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.RowsAffected != 7 {
		t.Errorf("rows affected %d, want 5 warm + 2 cold", res.Stats.RowsAffected)
	}
	// n1 is the mean of the Action rows' directions (5°), n2 the mean of
	// the Comedy mean (95°) and the Action mean (5°): 50°.
	for key, want := range map[string]float64{"n1": 5, "n2": 50} {
		v, err := c.Vector(key)
		if err != nil {
			t.Fatalf("%s has no vector: %v", key, err)
		}
		if got := angleOf(v); math.Abs(got-want) > 0.5 {
			t.Errorf("%s at %.2f°, want %.0f°", key, got, want)
		}
	}
	if _, err := c.Vector("n3"); !errors.Is(err, ErrKeyNotFound) {
		t.Error("n3 shares no genre with a trained row and should be skipped")
	}
	if c.Len() != 7 {
		t.Errorf("%d rows, want 7", c.Len())
	}
	// Its neighbours are its genre-mates.
	nn, err := d.Query(bg, "SELECT NEAREST 2 TO 'n1' FROM items WHERE cold_start IS NULL")
	if err != nil {
		t.Fatal(err)
	}
	if got := []any{nn.Rows[0][1], nn.Rows[1][1]}; got[0] != "a1" && got[0] != "a2" || got[1] != "a1" && got[1] != "a2" {
		t.Errorf("neighbours of n1: %v, want a1 and a2", got)
	}
	// RECOMMEND returns the new item, marked, without being asked to.
	rec, err := d.Query(bg, "RECOMMEND 2 FROM items FOR ('a1', 'a2')")
	if err != nil {
		t.Fatal(err)
	}
	col := colIndex(t, rec, ColdField)
	if rec.Rows[0][1] != "n1" || rec.Rows[0][col] != true {
		t.Errorf("RECOMMEND first row %v, want n1 marked cold", rec.Rows[0])
	}
	// A "new items" shelf: only cold items.
	rec, err = d.Query(bg, "RECOMMEND 5 FROM items FOR ('b1') WHERE cold_start = true")
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Rows) != 2 || rec.Rows[0][1] != "n2" || rec.Rows[1][1] != "n1" {
		t.Errorf("cold shelf: %v, want n2 then n1", rec.Rows)
	}
	// Warm rows are not marked.
	row, err := d.Query(bg, "SELECT key, cold_start FROM items WHERE key = 'a1'")
	if err != nil {
		t.Fatal(err)
	}
	if row.Rows[0][1] != nil {
		t.Errorf("a1 marked %v", row.Rows[0][1])
	}
	// The index follows: an HNSW search at 5° finds n1.
	if _, err := d.Exec(bg, "CREATE INDEX ON items"); err != nil {
		t.Fatal(err)
	}
	hn, err := d.Query(bg, "SELECT NEAREST 1 TO [0.996, 0.087] FROM items")
	if err != nil {
		t.Fatal(err)
	}
	if hn.Rows[0][1] != "n1" {
		t.Errorf("HNSW nearest to 5°: %v, want n1", hn.Rows[0])
	}
	// DESCRIBE counts them.
	desc, err := d.Query(bg, "DESCRIBE items")
	if err != nil {
		t.Fatal(err)
	}
	if got := describeValue(desc, "cold items"); !strings.HasPrefix(got, "2 ") {
		t.Errorf("DESCRIBE cold items = %q, want 2", got)
	}
	if got := describeValue(desc, "field cold_start"); got != "BOOL" {
		t.Errorf("DESCRIBE field cold_start = %q", got)
	}
}

func TestColdStartReport(t *testing.T) {
	d := MustOpen(t)
	_, path := coldItems(t, d)
	r, err := d.ImportMetadata(bg, "items", path, MetadataOptions{ColdStart: []string{"GENRE"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Rows != 5 || r.Cold != 2 || r.ColdSkipped != 1 || len(r.ColdExamples) != 1 || r.ColdExamples[0] != "n3" || r.Unknown != 0 {
		t.Errorf("result %+v", r)
	}
	if len(r.ColdFields) != 1 || r.ColdFields[0] != "genre" {
		t.Errorf("cold fields %v", r.ColdFields)
	}
	// Without cold_start the new keys are unknown, as before.
	d2 := MustOpen(t)
	_, path2 := coldItems(t, d2)
	r, err = d2.ImportMetadata(bg, "items", path2, MetadataOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Unknown != 3 || r.Cold != 0 {
		t.Errorf("without cold start: %+v", r)
	}
	// Importing again refreshes the cold rows (same vectors) and adds none.
	r, err = d.ImportMetadata(bg, "items", path, MetadataOptions{ColdStart: []string{"genre"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Cold != 2 || r.Rows != 5 {
		t.Errorf("second import: %+v", r)
	}
	c, _ := d.Collection("items")
	if c.Len() != 7 {
		t.Errorf("%d rows after the second import, want 7", c.Len())
	}
}

func TestColdStartBadInput(t *testing.T) {
	d := MustOpen(t)
	c, path := coldItems(t, d)
	dir := filepath.Dir(path)
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	reserved := write("reserved.csv", "id,cold_start\na1,true\nz,false\n")
	for _, tc := range []struct {
		stmt string
		want error
	}{
		{"IMPORT METADATA INTO items FROM " + query.QuoteString(path) + " WITH (cold_start = 'genres')", ErrFieldNotFound},
		{"IMPORT METADATA INTO items FROM " + query.QuoteString(path) + " WITH (cold_start = 'genre, cold_start')", ErrFieldNotFound},
		{"IMPORT METADATA INTO items FROM " + query.QuoteString(path) + " WITH (cold_start = 'genre,')", ErrInvalid},
		{"IMPORT METADATA INTO items FROM " + query.QuoteString(reserved) + " WITH (cold_start = 'cold_start')", ErrInvalid},
	} {
		_, err := d.Exec(bg, tc.stmt)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.stmt, err, tc.want)
		}
		var qe *query.Error
		if !errors.As(err, &qe) {
			t.Errorf("%s: no position in %v", tc.stmt, err)
		}
	}
	// Nothing changed: no new rows, no new fields.
	if c.Len() != 5 {
		t.Errorf("%d rows after failed imports", c.Len())
	}
	in, _ := c.Info()
	if len(in.Fields) != 0 {
		t.Errorf("fields after failed imports: %v", in.Fields)
	}
	// A field named cold_start of another type cannot hold the mark.
	if _, err := d.Exec(bg, "IMPORT METADATA INTO items FROM "+query.QuoteString(write("flag.tsv", "id\tcold_start\na1\tyes\n"))); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(bg, "IMPORT METADATA INTO items FROM "+query.QuoteString(path)+" WITH (cold_start = 'genre')"); !errors.Is(err, ErrFieldType) {
		t.Errorf("TEXT cold_start field: got %v, want ErrFieldType", err)
	}
	if c.Len() != 5 {
		t.Errorf("%d rows after a failed import", c.Len())
	}
}

// A continued TRAIN that sees events for a cold item trains it from its
// metadata vector and clears its mark; the other rows keep their metadata.
func TestColdStartThenContinueTraining(t *testing.T) {
	d := MustOpen(t)
	dir := t.TempDir()
	var seqs strings.Builder
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&seqs, "a%d a%d a%d a%d\n", i%4, (i+1)%4, (i+2)%4, (i+3)%4)
		fmt.Fprintf(&seqs, "b%d b%d b%d b%d\n", i%4, (i+1)%4, (i+2)%4, (i+3)%4)
	}
	train := filepath.Join(dir, "train.txt")
	if err := os.WriteFile(train, []byte(seqs.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	meta := filepath.Join(dir, "items.tsv")
	text := "id\tgenre\n"
	for i := 0; i < 4; i++ {
		text += fmt.Sprintf("a%d\tAction\nb%d\tComedy\n", i, i)
	}
	text += "na\tAction\nnb\tComedy\n"
	if err := os.WriteFile(meta, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	stmts := "TRAIN items FROM " + query.QuoteString(train) + " WITH (dim = 16, window = 3, min_count = 1, epochs = 5, threads = 1, seed = 1);" +
		"IMPORT METADATA INTO items FROM " + query.QuoteString(meta) + " WITH (cold_start = 'genre')"
	if _, err := d.Run(bg, stmts); err != nil {
		t.Fatal(err)
	}
	c, _ := d.Collection("items")
	simA, _ := c.Similarity("na", "a0")
	simB, _ := c.Similarity("na", "b0")
	if simA <= simB {
		t.Errorf("na: cos to a0 %.3f, to b0 %.3f; want nearer its genre-mate", simA, simB)
	}
	// Events for na only.
	more := filepath.Join(dir, "more.txt")
	if err := os.WriteFile(more, []byte(strings.Repeat("b0 na b1\n", 50)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(bg, "TRAIN items FROM "+query.QuoteString(more)+" WITH (continue = true, threads = 1)"); err != nil {
		t.Fatal(err)
	}
	r, err := c.Get("na")
	if err != nil {
		t.Fatal(err)
	}
	in, _ := c.Info()
	fields := map[string]any{}
	for i, f := range in.Fields {
		if i < len(r.Meta) {
			fields[f.Name] = r.Meta[i]
		}
	}
	if r.Count != 50 || fields[ColdField] != nil || fields["genre"] != "Action" {
		t.Errorf("na after continued training: count %d, fields %v; want 50 events, unmarked, genre kept", r.Count, fields)
	}
	r, _ = c.Get("nb")
	if r.Count != 0 || r.Meta[len(r.Meta)-1] != true {
		t.Errorf("nb (no events) should stay cold: count %d, meta %v", r.Count, r.Meta)
	}
	if _, err := d.Exec(bg, "CHECK items"); err != nil {
		t.Errorf("CHECK after cold start and continued training: %v", err)
	}
	desc, err := d.Query(bg, "DESCRIBE items")
	if err != nil {
		t.Fatal(err)
	}
	if got := describeValue(desc, "cold items"); !strings.HasPrefix(got, "1 ") {
		t.Errorf("DESCRIBE cold items = %q, want 1", got)
	}
}

func colIndex(t *testing.T, r *Result, name string) int {
	t.Helper()
	for i, c := range r.Columns {
		if c == name {
			return i
		}
	}
	t.Fatalf("no column %s in %v", name, r.Columns)
	return -1
}

func describeValue(r *Result, prop string) string {
	for _, row := range r.Rows {
		if row[0] == prop {
			return fmt.Sprint(row[1])
		}
	}
	return ""
}
