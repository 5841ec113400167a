package db_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vecdb/vecdb/db"
)

// ExampleDB_Query runs statements of the language: Exec for statements
// that change data, Query for one that returns rows.
func ExampleDB_Query() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	d, err := db.Open(filepath.Join(dir, "songs.vdb"), nil)
	if err != nil {
		panic(err)
	}
	defer d.Close()
	ctx := context.Background()
	res, err := d.Exec(ctx, `
		CREATE COLLECTION songs (DIM 2, title TEXT);
		INSERT INTO songs (key, vector, title) VALUES
			('s1', [1, 0], 'Heroes'), ('s2', [0.9, 0.2], 'Changes'), ('s3', [0, 1], 'Jump')`)
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Message)
	rows, err := d.Query(ctx, "SELECT NEAREST 2 TO ITEM(title = 'Heroes') FROM songs")
	if err != nil {
		panic(err)
	}
	fmt.Println(rows.Columns)
	for _, r := range rows.Rows {
		fmt.Printf("%d %s %.3f %s\n", r[0], r[1], r[2], r[3])
	}
	_, err = d.Query(ctx, "SELECT NEAREST 2 TO 'S1' FROM songs")
	fmt.Println(err)
	// Output:
	// inserted 3 rows into songs
	// [rank key similarity title]
	// 1 s2 0.976 Changes
	// 2 s3 0.000 Jump
	// 1:21: 'S1' is not in songs; did you mean 's1'?
}
