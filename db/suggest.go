package db

import "unicode/utf8"

// suggestKey finds the most frequent key within edit distance 2 (1 for keys
// of up to 4 runes) of key. Candidates are filtered by length first, so a
// scan of 400k keys takes a few milliseconds.
func suggestKey(v *View, key string) string {
	n := utf8.RuneCountInString(key)
	maxd := 2
	if n <= 4 {
		maxd = 1
	}
	best, bestd := "", maxd+1
	a := []rune(key)
	var b []rune
	for _, k := range v.keys {
		if d := len(k) - len(key); d > 2*maxd+2 || d < -(2*maxd+2) { // bytes: cheap pre-filter
			continue
		}
		b = b[:0]
		for _, r := range k {
			b = append(b, r)
		}
		if d := len(b) - len(a); d > maxd || d < -maxd {
			continue
		}
		if d := editDistance(a, b, bestd-1); d < bestd {
			best, bestd = k, d
			if d == 1 {
				maxd = 1
			}
		}
	}
	return best
}

// editDistance returns the optimal string alignment distance between a and b
// (insertions, deletions, substitutions, adjacent transpositions), or max+1
// as soon as it must exceed max.
func editDistance(a, b []rune, max int) int {
	if max < 0 {
		return 1
	}
	la, lb := len(a), len(b)
	prev2 := make([]int, lb+1)
	prev := make([]int, lb+1)
	cur := make([]int, lb+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= lb; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[lb]
}
