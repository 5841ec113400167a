package db

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vecdb/vecdb/query"
)

// TestSelectCount: SELECT COUNT(*) through the language and View.CountWhere
// through the Go API agree, with and without WHERE and on an empty
// collection; errors match their sentinels.
func TestSelectCount(t *testing.T) {
	ctx := context.Background()
	d := MustOpen(t)
	if _, err := d.Run(ctx, `CREATE COLLECTION s (DIM 2, year INT);
		CREATE COLLECTION empty (DIM 2);
		INSERT INTO s (key, vector, year) VALUES ('a', [1, 0], 1990), ('b', [0, 1], 2000), ('c', [1, 1], 2010), ('d', [1, 2], NULL);`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		src  string
		want int64
	}{
		{"SELECT COUNT(*) FROM s", 4},
		{"SELECT COUNT(*) FROM s WHERE year >= 2000", 2},
		{"SELECT COUNT(*) FROM s WHERE year IS NULL OR key = 'a'", 2},
		{"SELECT COUNT(*) FROM s WHERE year > ?", 1995},
		{"SELECT COUNT(*) FROM empty", 0},
		{"SELECT COUNT(*) FROM empty WHERE key = 'a'", 0},
	} {
		var args []any
		want := c.want
		if c.want == 1995 {
			args, want = []any{1995}, 2
		}
		res, err := d.Query(ctx, c.src, args...)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		if len(res.Columns) != 1 || res.Columns[0] != "count" || len(res.Rows) != 1 || res.Rows[0][0] != want {
			t.Errorf("%s: %v %v, want count %d", c.src, res.Columns, res.Rows, want)
		}
	}

	coll, err := d.Collection("s")
	if err != nil {
		t.Fatal(err)
	}
	v, err := coll.View()
	if err != nil {
		t.Fatal(err)
	}
	if n, err := v.CountWhere(ctx, nil); n != 4 || err != nil {
		t.Errorf("CountWhere(nil) = %d, %v", n, err)
	}
	if n, err := v.CountWhere(ctx, func(pos int) bool { return v.Key(pos) != "b" }); n != 3 || err != nil {
		t.Errorf("CountWhere(key != b) = %d, %v", n, err)
	}

	_, err = d.Query(ctx, "SELECT COUNT(*) FROM nope")
	var qe *query.Error
	if !errors.Is(err, ErrCollectionNotFound) || !errors.As(err, &qe) || qe.Pos.Column != 22 {
		t.Errorf("unknown collection: %v", err)
	}
	if _, err := d.Query(ctx, "SELECT COUNT(*) FROM s WHERE yeer = 1"); !errors.Is(err, ErrFieldNotFound) {
		t.Errorf("unknown field: %v", err)
	}
}

// TestShowSettings: SHOW SETTINGS and SHOW name give the value and its
// source (default, SET, Go API); an unknown name is ErrInvalid at its
// position with a suggestion.
func TestShowSettings(t *testing.T) {
	ctx := context.Background()
	d := MustOpen(t)
	show := func(src string) [][]any {
		t.Helper()
		res, err := d.Query(ctx, src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if len(res.Columns) != 3 || res.Columns[0] != "name" || res.Columns[1] != "value" || res.Columns[2] != "source" {
			t.Fatalf("%s: columns %v", src, res.Columns)
		}
		return res.Rows
	}
	if rows := show("SHOW SETTINGS"); len(rows) != len(Settings) || rows[0][0] != "ef_search" || rows[0][2] != "default" {
		t.Errorf("SHOW SETTINGS: %v", rows)
	}
	if err := d.SetEfSearch(100); err != nil {
		t.Fatal(err)
	}
	if rows := show("SHOW ef_search"); len(rows) != 1 || rows[0][1] != "100" || rows[0][2] != "Go API" {
		t.Errorf("after SetEfSearch: %v", rows)
	}
	if _, err := d.Exec(ctx, "SET ef_search = 32; SET threads = 3"); err != nil {
		t.Fatal(err)
	}
	if rows := show("SHOW EF_SEARCH"); rows[0][1] != "32" || rows[0][2] != "SET" {
		t.Errorf("after SET: %v", rows)
	}
	byName := map[string][]any{}
	for _, r := range show("SHOW SETTINGS") {
		byName[r[0].(string)] = r
	}
	if r := byName["threads"]; r == nil || r[1] != "3" || r[2] != "SET" || byName["timeout"][2] != "default" {
		t.Errorf("SHOW SETTINGS after SET: %v", byName)
	}

	d2, err := Open(t.TempDir()+"/t.vdb", &Options{Limits: Limits{Timeout: 2 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	res, err := d2.Query(ctx, "SHOW timeout")
	if err != nil || res.Rows[0][1] != "2" || res.Rows[0][2] != "Go API" {
		t.Errorf("timeout from Options.Limits: %v %v", res, err)
	}

	for _, src := range []string{"SHOW ef_serch", "SET ef_serch = 3"} {
		_, err := d.Exec(ctx, src)
		var qe *query.Error
		if !errors.Is(err, ErrInvalid) || !errors.As(err, &qe) || qe.Pos.Column < 5 {
			t.Errorf("%s: %v", src, err)
		}
	}
}
