package storage

import (
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

type bbTx = bolt.Tx

func countDataBuckets(t *testing.T, db *DB) int {
	n := 0
	db.bolt.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			if strings.HasPrefix(string(name), dataPrefix) {
				n++
			}
			return nil
		})
	})
	return n
}
