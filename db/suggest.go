package db

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/vecdb/vecdb/internal/editdist"
)

// suggestKey finds the most frequent key within edit distance 2 (1 for keys
// of up to 4 runes) of key, or "". Among keys at the same distance, one
// that contains key whole wins over the more frequent ones ('42' suggests
// 'u42' rather than 'u2' where keys are u0, u1, …: an id typed without its
// prefix). It reads every key of the view once, but
// compares only those whose length is close (a byte-length filter, then a
// rune-length one) with the bounded editdist.Distance, so a scan of 400k
// keys takes a few milliseconds. It stops, returning "", when ctx is done;
// ctx is checked every 4096 keys.
func suggestKey(ctx context.Context, v *View, key string) string {
	n := utf8.RuneCountInString(key)
	maxd := 2
	if n <= 4 {
		maxd = 1
	}
	best, bestd := "", maxd+1
	bestHas := false // best contains key
	a := []rune(key)
	var b []rune
	for i, k := range v.allKeys() {
		if i%4096 == 4095 && ctx.Err() != nil {
			return ""
		}
		if d := len(k) - len(key); d > 2*maxd+2 || d < -(2*maxd+2) { // bytes: cheap pre-filter
			continue
		}
		b = b[:0]
		for _, r := range k {
			b = append(b, r)
		}
		bound := bestd - 1
		if !bestHas && bestd <= maxd {
			bound = bestd // a tie may still win by containing key
		}
		d := editdist.OSA(a, b, bound)
		if d > bound {
			continue
		}
		has := strings.Contains(k, key)
		if d < bestd || has && !bestHas {
			best, bestd, bestHas = k, d, has
			if d == 1 {
				maxd = 1
			}
		}
	}
	return best
}
