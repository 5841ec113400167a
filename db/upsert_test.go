package db

import (
	"reflect"
	"testing"
)

// TestUpsertKeepsFields: Upsert (and the language's UPSERT) update the
// fields they are given and keep the others; Replace (INSERT OR REPLACE)
// replaces the whole row.
func TestUpsertKeepsFields(t *testing.T) {
	d := MustOpen(t)
	c, err := d.CreateCollection(bg, Spec{Name: "s", Dim: 2, Fields: []Field{{Name: "title", Type: Text}, {Name: "year", Type: Int}, {Name: "score", Type: Float}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	reset := func() {
		t.Helper()
		if _, err := c.Replace(bg, Row{Key: "a", Vector: []float32{1, 0}, Count: 5, Meta: []any{"A", 1999, 2.5}}); err != nil {
			t.Fatal(err)
		}
	}
	get := func() *Row {
		t.Helper()
		r, err := c.Get("a")
		if err != nil {
			t.Fatal(err)
		}
		for len(r.Meta) < 3 {
			r.Meta = append(r.Meta, nil)
		}
		return r
	}
	for _, tt := range []struct {
		name  string
		run   func() error
		count int64
		meta  []any
		vec   []float32
	}{
		{"Upsert with nil Meta keeps every field", func() error {
			_, err := c.Upsert(bg, Row{Key: "a", Vector: []float32{0, 1}, Count: 9})
			return err
		}, 9, []any{"A", int64(1999), 2.5}, []float32{0, 1}},
		{"Upsert sets the fields Meta covers", func() error {
			_, err := c.Upsert(bg, Row{Key: "a", Vector: []float32{0, 1}, Meta: []any{nil, 2001}})
			return err
		}, 0, []any{nil, int64(2001), 2.5}, []float32{0, 1}},
		{"Replace replaces the whole row", func() error {
			n, err := c.Replace(bg, Row{Key: "a", Vector: []float32{1, 1}, Meta: []any{"B"}})
			if n != 0 {
				t.Errorf("Replace of an existing key counted %d new rows", n)
			}
			return err
		}, 0, []any{"B", nil, nil}, []float32{1, 1}},
		{"UPSERT keeps the fields and the count not named", func() error {
			_, err := d.Exec(bg, "UPSERT INTO s (key, vector, score) VALUES ('a', [2, 0], 1.25)")
			return err
		}, 5, []any{"A", int64(1999), 1.25}, []float32{2, 0}},
		{"UPSERT sets a named NULL and a named count", func() error {
			_, err := d.Exec(bg, "UPSERT INTO s (key, vector, count, title) VALUES ('a', [2, 0], 3, NULL)")
			return err
		}, 3, []any{nil, int64(1999), 2.5}, []float32{2, 0}},
		{"INSERT OR REPLACE replaces the whole row", func() error {
			_, err := d.Exec(bg, "INSERT OR REPLACE INTO s (key, vector, year) VALUES ('a', [0, 2], 1)")
			return err
		}, 0, []any{nil, int64(1), nil}, []float32{0, 2}},
	} {
		reset()
		if err := tt.run(); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		r := get()
		if r.Count != tt.count || !reflect.DeepEqual(r.Meta, tt.meta) || !reflect.DeepEqual(r.Vector, tt.vec) {
			t.Errorf("%s: got count %d meta %#v vec %v, want %d %#v %v", tt.name, r.Count, r.Meta, r.Vector, tt.count, tt.meta, tt.vec)
		}
	}
	// New keys: the same in all three forms.
	if n, err := c.Upsert(bg, Row{Key: "n1", Vector: []float32{1, 2}, Meta: []any{"N"}}); n != 1 || err != nil {
		t.Fatalf("Upsert new: %d %v", n, err)
	}
	if n, err := c.Replace(bg, Row{Key: "n2", Vector: []float32{1, 2}}); n != 1 || err != nil {
		t.Fatalf("Replace new: %d %v", n, err)
	}
	if res, err := d.Exec(bg, "INSERT OR REPLACE INTO s (key, vector) VALUES ('n3', [1, 2]), ('n3', [2, 1])"); err != nil || res.Message != "inserted 1 row into s, replaced 1" {
		t.Fatalf("INSERT OR REPLACE twice in one statement: %v %v", res, err)
	}
	if v, err := c.Vector("n3"); err != nil || !reflect.DeepEqual(v, []float32{2, 1}) {
		t.Errorf("the last row of the statement wins: %v %v", v, err)
	}
}
