// Command dbsize is the smallest program an edge app could write on vecdb:
// it imports only package db, opens a database in a temporary directory and
// runs SHOW COLLECTIONS. Its binary size is what linking db costs; see
// "Size of a program that imports only db" in BENCHMARKS.md:
//
//	go build -o /tmp/dbsize ./bench/dbsize && ls -l /tmp/dbsize
//	go build -ldflags='-s -w' -o /tmp/dbsize-stripped ./bench/dbsize
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vecdb/vecdb/db"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "dbsize:", err)
		os.Exit(1)
	}
}

func run() error {
	dir, err := os.MkdirTemp("", "dbsize")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	d, err := db.Open(filepath.Join(dir, "size.vdb"), nil)
	if err != nil {
		return err
	}
	defer d.Close()
	res, err := d.Query(context.Background(), "SHOW COLLECTIONS")
	if err != nil {
		return err
	}
	fmt.Println(res.Columns, len(res.Rows), "collections")
	return nil
}
