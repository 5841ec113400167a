package storage

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"
)

// TestKeySet: keys are numbered in the order added, a repeat is refused,
// the table grows, and Sorted lists the numbers in key order.
func TestKeySet(t *testing.T) {
	s := newKeySet()
	r := rand.New(rand.NewSource(1))
	var keys []string
	seen := map[string]bool{}
	for i := 0; i < 5000; i++ {
		k := fmt.Sprintf("k%x", r.Intn(4000))
		if i%7 == 0 {
			k = "" // the empty string is a key like any other here
		}
		if got := s.Add(k); got == seen[k] {
			t.Fatalf("Add(%q) = %v, seen %v", k, got, seen[k])
		}
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	if s.Len() != len(keys) {
		t.Fatalf("Len %d, want %d", s.Len(), len(keys))
	}
	for i, k := range keys {
		if string(s.key(i)) != k {
			t.Fatalf("key %d is %q, want %q", i, s.key(i), k)
		}
	}
	ids := s.Sorted()
	sorted := slices.Clone(keys)
	slices.Sort(sorted)
	for i, id := range ids {
		if keys[id] != sorted[i] {
			t.Fatalf("sorted %d: %q, want %q", i, keys[id], sorted[i])
		}
	}
}
