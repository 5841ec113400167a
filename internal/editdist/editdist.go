// Package editdist computes the bounded edit distance that every "did you
// mean" hint of vecdb uses: the query language's keywords, names and
// options, a collection's keys, the catalogue's entries and an event log's
// columns.
package editdist

// Distance returns the optimal string alignment distance between a and b
// (insertions, deletions, substitutions and transpositions of adjacent
// characters), comparing runes; once the distance is certain to exceed max
// it returns max+1.
func Distance(a, b string, max int) int {
	return OSA([]rune(a), []rune(b), max)
}

// OSA is Distance on slices of runes or bytes. Its work is bounded by
// len(a)·len(b) and stops early: when the lengths differ by more than max,
// or as soon as a whole row of the table exceeds max.
func OSA[T rune | byte](a, b []T, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	// Three rows: two back (for transpositions), previous, current.
	n := len(b)
	var buf [3 * 64]int
	var rows []int
	if 3*(n+1) <= len(buf) {
		rows = buf[:3*(n+1)]
	} else {
		rows = make([]int, 3*(n+1))
	}
	pp, p, c := rows[:n+1], rows[n+1:2*(n+1)], rows[2*(n+1):]
	for j := range p {
		p[j] = j
	}
	for i := 1; i <= len(a); i++ {
		c[0] = i
		rowMin := i
		for j := 1; j <= n; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := p[j-1] + cost
			if d := p[j] + 1; d < v {
				v = d
			}
			if d := c[j-1] + 1; d < v {
				v = d
			}
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				if d := pp[j-2] + 1; d < v {
					v = d
				}
			}
			c[j] = v
			if v < rowMin {
				rowMin = v
			}
		}
		if rowMin > max {
			return max + 1
		}
		pp, p, c = p, c, pp
	}
	if p[n] > max {
		return max + 1
	}
	return p[n]
}
