package storage

import (
	"strings"
	"testing"
	"time"

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

// SetDeterministicForTest makes the files that Open creates from now on
// reproducible byte for byte: the clock is fixed at t and bbolt allocates
// pages with its array free list (lowest free page first) instead of the
// map one (random map order). It returns a function that restores both.
// Not safe while other goroutines open or write databases.
func SetDeterministicForTest(t time.Time) (restore func()) {
	oldClock, oldFL := clock, freelistType
	clock = func() time.Time { return t }
	freelistType = bolt.FreelistArrayType
	return func() { clock, freelistType = oldClock, oldFL }
}
