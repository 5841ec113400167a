package sqldriver_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vecdb/vecdb/sqldriver"
)

// Example opens a database through database/sql, binds arguments to
// placeholders (positional and sql.Named) and scans a vector column.
func Example() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	s, err := sql.Open("vecdb", filepath.Join(dir, "songs.vdb"))
	if err != nil {
		panic(err)
	}
	defer s.Close()
	ctx := context.Background()
	if _, err := s.ExecContext(ctx, "CREATE COLLECTION songs (DIM 2, title TEXT)"); err != nil {
		panic(err)
	}
	for _, r := range []struct {
		key, title string
		vec        sqldriver.Vector
	}{{"s1", "Heroes", sqldriver.Vector{1, 0}}, {"s2", "Changes", sqldriver.Vector{0.9, 0.2}}, {"s3", "Jump", sqldriver.Vector{0, 1}}} {
		if _, err := s.ExecContext(ctx, "INSERT INTO songs (key, vector, title) VALUES (?, ?, ?)", r.key, r.vec, r.title); err != nil {
			panic(err)
		}
	}
	rows, err := s.QueryContext(ctx, "SELECT NEAREST :k TO ? FROM songs", sql.Named("k", 2), "s1")
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
	var v sqldriver.Vector
	if err := s.QueryRowContext(ctx, "SELECT vector FROM songs WHERE key = ?", "s2").Scan(&v); err != nil {
		panic(err)
	}
	fmt.Println(v)
	// Output:
	// 1 s2 0.976 Changes
	// 2 s3 0.000 Jump
	// [0.9 0.2]
}
