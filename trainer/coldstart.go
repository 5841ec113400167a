package trainer

import (
	"github.com/vecdb/vecdb/internal/vec"
)

// ColdStart gives vectors to cold items (items with metadata but no
// events) from the warm items that share their metadata. Each item has,
// per metadata field, a set of tokens (a genre list gives one token per
// genre, an artist one token). A token's vector is the mean of the unit
// vectors of the warm items that carry it in that field; a field's vector
// for a cold item is the mean of its known tokens' vectors; the cold
// item's vector is the mean of its fields' vectors, so that every field
// weighs the same however many tokens it has. Tokens no warm item carries
// are ignored; a cold item none of whose tokens is carried by a warm item
// gets no vector (ok false).
//
// This is "the mean of the items sharing each metadata value"; it was
// chosen over training metadata tokens jointly with the items
// (Meta-Prod2Vec) by measurement: see BENCHMARKS.md, "Cold start".
//
// Warm vectors are rows of dim float32s (any length: each is normalised
// before it is averaged); the result is not normalised, so the caller may
// scale it as the warm vectors are (db stores the mean's direction at the
// warm items' median norm).
type ColdStart struct {
	dim    int
	fields int
	sums   []map[string][]float32 // per field: token → sum of warm unit vectors
	counts []map[string]int
}

// NewColdStart returns an empty ColdStart for vectors of dim values and
// items with the given number of metadata fields.
func NewColdStart(dim, fields int) *ColdStart {
	c := &ColdStart{dim: dim, fields: fields}
	for f := 0; f < fields; f++ {
		c.sums = append(c.sums, map[string][]float32{})
		c.counts = append(c.counts, map[string]int{})
	}
	return c
}

// AddWarm records a warm item's vector under its tokens: tokens[f] are its
// tokens in field f (nil or empty: none). A zero vector is ignored.
func (c *ColdStart) AddWarm(v []float32, tokens [][]string) {
	u := append([]float32(nil), v...)
	if vec.Normalize(u) == 0 {
		return
	}
	for f, toks := range tokens {
		if f >= c.fields {
			break
		}
		for _, t := range dedup(toks) {
			s := c.sums[f][t]
			if s == nil {
				s = make([]float32, c.dim)
				c.sums[f][t] = s
			}
			vec.Axpy(1, u, s)
			c.counts[f][t]++
		}
	}
}

// Known reports how many warm items carry token t in field f.
func (c *ColdStart) Known(f int, t string) int {
	if f < 0 || f >= c.fields {
		return 0
	}
	return c.counts[f][t]
}

// Vector returns the cold item's vector from its tokens (see ColdStart),
// and false when no token of any field is carried by a warm item.
func (c *ColdStart) Vector(tokens [][]string) ([]float32, bool) {
	out := make([]float32, c.dim)
	fieldVec := make([]float32, c.dim)
	nf := 0
	for f, toks := range tokens {
		if f >= c.fields {
			break
		}
		clear(fieldVec)
		nt := 0
		for _, t := range dedup(toks) {
			n := c.counts[f][t]
			if n == 0 {
				continue
			}
			vec.Axpy(1/float32(n), c.sums[f][t], fieldVec)
			nt++
		}
		if nt == 0 {
			continue
		}
		vec.Axpy(1/float32(nt), fieldVec, out)
		nf++
	}
	if nf == 0 {
		return nil, false
	}
	vec.Scale(1/float32(nf), out)
	return out, true
}

// dedup returns toks without repeats and empty tokens, in first-seen order.
func dedup(toks []string) []string {
	if len(toks) <= 1 {
		if len(toks) == 1 && toks[0] == "" {
			return nil
		}
		return toks
	}
	seen := make(map[string]bool, len(toks))
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}
