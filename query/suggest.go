package query

import (
	"math/bits"
	"strings"
	"unicode/utf8"

	"github.com/vecdb/vecdb/internal/editdist"
)

// Suggest returns the candidate closest to word, for a "did you mean" hint,
// or "" when none is close. The comparison ignores case; a candidate that
// differs only in case always wins. Close means a Damerau-Levenshtein
// (optimal string alignment) distance of at most 2, or at most 1 for words of
// three characters or fewer. Ties go to the earlier candidate, so pass
// candidates in order of preference (frequency order for keys).
func Suggest(word string, candidates []string) string {
	lw := strings.ToLower(word)
	limit := maxEdits(lw)
	best, bestD := "", limit+1
	for _, c := range candidates {
		lc := strings.ToLower(c)
		if lc == lw {
			if c != word {
				return c
			}
			continue // the word itself is no suggestion
		}
		if d := editdist.Distance(lw, lc, bestD-1); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func maxEdits(w string) int {
	if utf8.RuneCountInString(w) <= 3 {
		return 1
	}
	return 2
}

// Suggester finds close spellings among a large, fixed set of keys (a
// collection's vocabulary) in a few milliseconds, where Suggest would compare
// against every key. It is safe for concurrent use once built.
//
// Keys are bucketed by length and by their first and by their last byte
// (lower-cased); a lookup computes the bounded edit distance only against
// the buckets of lengths within 2 of the word that share its first or its
// last byte, and skips keys whose set of letters differs too much (one edit
// changes at most two letters of the set). A misspelling that changes both the first and the last byte is
// therefore not found, which is the price of speed. Distances are computed
// on bytes.
type Suggester struct {
	keys    []string
	masks   []uint32       // letters present in each key, see letterMask
	lower   map[string]int // lower-cased key -> index of its first key
	byFirst map[bucket][]int32
	byLast  map[bucket][]int32
}

type bucket struct {
	n int
	b byte
}

// NewSuggester indexes keys, which should be in order of preference
// (frequency order): ties go to the earlier key. keys is retained.
func NewSuggester(keys []string) *Suggester {
	s := &Suggester{
		keys:    keys,
		masks:   make([]uint32, len(keys)),
		lower:   make(map[string]int, len(keys)),
		byFirst: make(map[bucket][]int32),
		byLast:  make(map[bucket][]int32),
	}
	for i, k := range keys {
		lk := strings.ToLower(k)
		if _, ok := s.lower[lk]; !ok {
			s.lower[lk] = i
		}
		s.masks[i] = letterMask(lk)
		if lk == "" {
			continue
		}
		f := bucket{len(lk), lk[0]}
		l := bucket{len(lk), lk[len(lk)-1]}
		s.byFirst[f] = append(s.byFirst[f], int32(i))
		s.byLast[l] = append(s.byLast[l], int32(i))
	}
	return s
}

// Suggest returns the key closest to word: first a key equal to it but for
// case, then the closest key within the limits of the package-level Suggest.
// It returns "" when there is none, or when word itself is a key.
func (s *Suggester) Suggest(word string) string {
	lw := strings.ToLower(word)
	if i, ok := s.lower[lw]; ok {
		if s.keys[i] == word {
			return ""
		}
		return s.keys[i]
	}
	if lw == "" {
		return ""
	}
	limit := maxEdits(lw)
	best, bestD := -1, limit+1
	w := []byte(lw)
	wm := letterMask(lw)
	var kb []byte
	scan := func(ids []int32) {
		for _, id := range ids {
			if best >= 0 && int(id) > best && bestD <= 1 {
				continue // cannot beat an earlier key at distance 1
			}
			if bits.OnesCount32(wm^s.masks[id]) > 2*bestD {
				continue
			}
			k := s.keys[id]
			kb = append(kb[:0], k...)
			lowerASCII(kb)
			d := editdist.OSA(w, kb, bestD)
			if d > limit {
				continue
			}
			if d < bestD || (d == bestD && int(id) < best) {
				best, bestD = int(id), d
			}
		}
	}
	for n := len(lw) - limit; n <= len(lw)+limit; n++ {
		scan(s.byFirst[bucket{n, lw[0]}])
		scan(s.byLast[bucket{n, lw[len(lw)-1]}])
	}
	if best < 0 {
		return ""
	}
	return s.keys[best]
}

// letterMask is the set of bytes in s, folded onto 32 bits: a-z on their
// own bits, anything else on the last six by its value modulo 6.
func letterMask(s string) uint32 {
	var m uint32
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			m |= 1 << (c - 'a')
		} else {
			m |= 1 << (26 + c%6)
		}
	}
	return m
}

func lowerASCII(b []byte) {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
}
