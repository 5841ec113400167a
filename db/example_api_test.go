package db_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vecdb/vecdb/db"
)

// The README's Go example: open a file, run the language, use the typed API.
func Example() {
	dir, _ := os.MkdirTemp("", "vecdb-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	d, err := db.Open(filepath.Join(dir, "songs.vdb"), nil)
	if err != nil {
		panic(err)
	}
	defer d.Close()

	// The language...
	if _, err := d.Exec(ctx, `CREATE COLLECTION songs (DIM 3, title TEXT, year INT);
		INSERT INTO songs (key, vector, title, year) VALUES
		  ('s1', [1, 0, 0],     'Bohemian Rhapsody', 1975),
		  ('s2', [0.9, 0.1, 0], 'Somebody to Love',  1976),
		  ('s3', [0, 1, 0],     'Take Five',         1959)`); err != nil {
		panic(err)
	}
	res, err := d.Query(ctx, "SELECT NEAREST 2 TO 's1' FROM songs INCLUDE INPUTS")
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Columns)
	for _, r := range res.Rows {
		fmt.Printf("%v %v %.3f %v\n", r[0], r[1], r[2], r[3])
	}

	// ...and the same engine with typed values.
	c, _ := d.Collection("songs")
	v, err := c.Vector("s3")
	if err != nil {
		panic(err)
	}
	hits, err := c.Nearest(ctx, v, 1, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(hits[0].Key, hits[0].Similarity)
	// Output:
	// [rank key similarity title year]
	// 1 s1 1.000 Bohemian Rhapsody
	// 2 s2 0.994 Somebody to Love
	// s3 1
}
