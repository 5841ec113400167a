package db_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vecdb/vecdb/db"
)

// ExampleDB_Prepare binds values to placeholders (never pasted into the
// text, so a key with a quote is just a key), prepares a statement once and
// reads its rows one at a time.
func ExampleDB_Prepare() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	d, err := db.Open(filepath.Join(dir, "songs.vdb"), nil)
	if err != nil {
		panic(err)
	}
	defer d.Close()
	ctx := context.Background()
	if _, err := d.Exec(ctx, "CREATE COLLECTION songs (DIM 2, title TEXT)"); err != nil {
		panic(err)
	}
	ins, err := d.Prepare(ctx, "INSERT INTO songs (key, vector, title) VALUES (?, ?, ?)")
	if err != nil {
		panic(err)
	}
	defer ins.Close()
	for _, s := range []struct {
		key, title string
		vec        []float32
	}{{"s1", "Heroes", []float32{1, 0}}, {"s2", "Don't Stop", []float32{0.9, 0.2}}, {"s3", "Jump", []float32{0, 1}}} {
		if _, err := ins.Exec(ctx, s.key, s.vec, s.title); err != nil {
			panic(err)
		}
	}

	rows, err := d.QueryRows(ctx, "SELECT NEAREST :k TO ITEM(title = :t) FROM songs", db.Named("k", 2), db.Named("t", "Don't Stop"))
	if err != nil {
		panic(err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			rank       int64
			key, title string
			sim        float64
		)
		if err := rows.Scan(&rank, &key, &sim, &title); err != nil {
			panic(err)
		}
		fmt.Printf("%d %s %.3f %s\n", rank, key, sim, title)
	}
	if err := rows.Err(); err != nil {
		panic(err)
	}

	_, err = d.Query(ctx, "SELECT NEAREST 1 TO ? FROM songs", "s1' FROM songs; DROP COLLECTION songs; --")
	fmt.Println(err)
	// Output:
	// 1 s1 0.976 Heroes
	// 2 s3 0.217 Jump
	// 1:21: 's1'' FROM songs; DROP COLLECTION songs; --' is not in songs
}
