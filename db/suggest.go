package db

import (
	"context"
	"unicode/utf8"

	"github.com/vecdb/vecdb/internal/editdist"
)

// suggestKey finds the most frequent key within edit distance 2 (1 for keys
// of up to 4 runes) of key, or "". It reads every key of the view once, but
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
	a := []rune(key)
	var b []rune
	for i, k := range v.keys {
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
		if d := editdist.OSA(a, b, bestd-1); d < bestd {
			best, bestd = k, d
			if d == 1 {
				maxd = 1
			}
		}
	}
	return best
}
