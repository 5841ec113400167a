package db

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHostileNumbers: numbers at the edges of float32 and int give clear
// errors at their positions, and a vector expression's scale does not
// change its answer (the norm was computed in float32 and overflowed or
// underflowed).
func TestHostileNumbers(t *testing.T) {
	ctx := context.Background()
	d, _ := ownDB(t, t.TempDir(), nil)
	for stmt, want := range map[string]string{
		"SELECT NEAREST 1 TO 1e308*'a' FROM words":             "1:21: the expression's vector overflows float32",
		"SELECT NEAREST 1 TO 3e38*(3e38*'a') FROM words":       "1:21: the expression's vector overflows float32",
		"SELECT NEAREST 1 TO 'a' - 1e308*'b' FROM words":       "1:21: the expression's vector overflows float32",
		"SELECT NEAREST 1000000000000000000 TO 'a' FROM words": "1:16: k = 1000000000000000000 is above the largest allowed",
	} {
		_, err := d.Query(ctx, stmt)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", stmt, err, want)
		}
		if err != nil && !errors.Is(err, ErrInvalid) && !strings.Contains(want, "largest") {
			t.Errorf("%s: %v does not match ErrInvalid", stmt, err)
		}
	}
	want := fmt.Sprint(mustQuery(t, d, "SELECT NEAREST 2 TO 'a' - 0.5*'b' FROM words").Rows)
	for _, scale := range []string{"1e30", "1e-30", "3e37"} {
		q := fmt.Sprintf("SELECT NEAREST 2 TO %s*('a' - 0.5*'b') FROM words", scale)
		if got := fmt.Sprint(mustQuery(t, d, q).Rows); got != want {
			t.Errorf("%s: %s, want %s", q, got, want)
		}
	}
}

// TestMetadataDuplicateKeys: a metadata file that gives a key twice is an
// error naming both lines (the second silently replaced the first, and the
// row count counted both), and nothing is written.
func TestMetadataDuplicateKeys(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d, _ := ownDB(t, dir, &Options{NoSync: true, Sandbox: dir})
	if err := os.WriteFile(filepath.Join(dir, "m.tsv"), []byte("id\tyear\na\t1990\nb\t1991\na\t1992\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := d.Exec(ctx, "IMPORT METADATA INTO words FROM 'm.tsv'")
	if !errors.Is(err, ErrDuplicateKey) || !strings.Contains(err.Error(), "lines 2 and 4") {
		t.Fatalf("got %v", err)
	}
	if in, _ := mustCollection(t, d, "words").Info(); len(in.Fields) != 0 {
		t.Errorf("a refused metadata import added fields: %v", in.Fields)
	}
}

func mustCollection(t *testing.T, d *DB, name string) *Collection {
	t.Helper()
	c, err := d.Collection(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestWideSelect: SELECT * over many fields resolves each field by a map
// (it compared every name with every field) and the values one SELECT
// returns are bounded (16 × Limits.MaxRows), with a clear error.
func TestWideSelect(t *testing.T) {
	ctx := context.Background()
	d, err := Open(filepath.Join(t.TempDir(), "w.vdb"), &Options{NoSync: true, Limits: Limits{MaxRows: 100}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var fields []Field
	for i := 0; i < 60; i++ {
		fields = append(fields, Field{Name: fmt.Sprintf("F%d", i), Type: Int})
	}
	c, err := d.CreateCollection(ctx, Spec{Name: "w", Dim: 2, Fields: fields}, false)
	if err != nil {
		t.Fatal(err)
	}
	var rows []Row
	for i := 0; i < 100; i++ {
		meta := make([]any, 60)
		for j := range meta {
			meta[j] = int64(i*1000 + j)
		}
		rows = append(rows, Row{Key: fmt.Sprintf("k%d", i), Vector: []float32{1, float32(i)}, Meta: meta})
	}
	if err := c.Insert(ctx, rows...); err != nil {
		t.Fatal(err)
	}
	_, err = d.Query(ctx, "SELECT * FROM w")
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "6200 values (100 rows × 62 columns)") {
		t.Errorf("SELECT * of 6200 values under a 1600 limit: %v", err)
	}
	res, err := d.Query(ctx, "SELECT key, f37, F59 FROM w WHERE f2 = 5002")
	if err != nil || len(res.Rows) != 1 || fmt.Sprint(res.Rows[0]) != "[k5 5037 5059]" {
		t.Errorf("named fields among 60: %v %v", res, err)
	}
	if res, err := d.Query(ctx, "SELECT * FROM w LIMIT 20"); err != nil || len(res.Rows) != 20 || len(res.Columns) != 62 {
		t.Errorf("SELECT * LIMIT 20: %v", err)
	}
}
