package db

import "testing"

func countAllBuckets(t *testing.T, d *DB) int { return d.store.DataBuckets() }
