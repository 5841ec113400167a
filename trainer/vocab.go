package trainer

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/bits"
	"sort"
)

// counter counts tokens in first-seen order.
type counter struct {
	index   map[string]int32
	keys    []string
	counts  []int64
	total   int64 // tokens seen
	skipped int64 // tokens longer than MaxTokenBytes the reader dropped
	marks   []mark
}

// mark is where a sequence starts: its first token's index in the pass
// and the reader's byte offset there. countSource records one about every
// markEvery tokens when the reader can tell offsets, so that a stripe can
// start a pass near its first sequence (fileSource.openAt).
type mark struct{ tok, off int64 }

// markEvery is the spacing of marks in tokens; tests lower it.
var markEvery int64 = 1 << 16

// skipper is implemented by the file readers, which drop overlong tokens.
type skipper interface{ Skipped() int64 }

func newCounter() *counter { return &counter{index: make(map[string]int32)} }

func (c *counter) add(tok []byte) {
	if i, ok := c.index[string(tok)]; ok { // no allocation on lookup
		c.counts[i]++
		return
	}
	s := string(tok)
	c.index[s] = int32(len(c.keys))
	c.keys = append(c.keys, s)
	c.counts = append(c.counts, 1)
}

// countSource reads one pass of src and counts its tokens, checking ctx
// every 64k tokens.
func countSource(ctx context.Context, src Source) (*counter, error) {
	r, err := src.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	c := newCounter()
	var since int
	off, _ := r.(offsetter)
	next := markEvery
	for {
		seq, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		for _, t := range seq {
			c.add(t)
		}
		c.total += int64(len(seq))
		if off != nil && c.total >= next {
			if o, ok := off.offset(); ok {
				c.marks = append(c.marks, mark{tok: c.total, off: o})
			}
			next = c.total + markEvery
		}
		if since += len(seq); since >= 1<<16 {
			since = 0
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	if s, ok := r.(skipper); ok {
		c.skipped = s.Skipped()
	}
	return c, ctx.Err()
}

// frequent returns the ids of c's keys with count >= minCount, by
// descending count, ties in first-seen order, at most max of them (0 = all).
func (c *counter) frequent(minCount, max int, skip map[string]int) []int32 {
	ids := make([]int32, 0, len(c.keys))
	for i, n := range c.counts {
		if n >= int64(minCount) {
			if _, old := skip[c.keys[i]]; !old {
				ids = append(ids, int32(i))
			}
		}
	}
	sort.SliceStable(ids, func(a, b int) bool { return c.counts[ids[a]] > c.counts[ids[b]] })
	if max > 0 && len(ids) > max {
		ids = ids[:max]
	}
	return ids
}

// mostFrequent returns the most frequent key (first seen among ties).
func (c *counter) mostFrequent() (string, int64) {
	best := -1
	for i, n := range c.counts {
		if best < 0 || n > c.counts[best] {
			best = i
		}
	}
	if best < 0 {
		return "", 0
	}
	return c.keys[best], c.counts[best]
}

// NoVocabError is returned when no key occurs at least MinCount times; it
// matches ErrNoVocab with errors.Is.
type NoVocabError struct {
	MinCount int
	Top      string // the most frequent key
	TopCount int64
}

func (e *NoVocabError) Error() string {
	return fmt.Sprintf("no key occurs at least min_count=%d times (most frequent: '%s' ×%d)", e.MinCount, e.Top, e.TopCount)
}

// Is reports whether target is ErrNoVocab.
func (e *NoVocabError) Is(target error) bool { return target == ErrNoVocab }

// KeepProbability returns the probability that one occurrence of a key seen
// count times survives subsampling, in a corpus of total retained words:
// (sqrt(count/t)+1)*t/count with t = sample*total (gensim's and word2vec.c's
// formula), capped at 1. sample >= 1 is taken as an absolute count, as
// gensim does; sample 0 disables subsampling (always 1).
func KeepProbability(count, total int64, sample float64) float64 {
	if sample <= 0 || count <= 0 {
		return 1
	}
	t := sample * float64(total)
	if sample >= 1 {
		t = float64(int64(sample * (3 + math.Sqrt(5)) / 2))
	}
	p := (math.Sqrt(float64(count)/t) + 1) * t / float64(count)
	return math.Min(p, 1)
}

// sampleThresholds converts keep probabilities to uint32 thresholds: a
// token is dropped when its threshold is below a uniform 32-bit number.
func sampleThresholds(counts []int64, sample float64) []uint32 {
	var total int64
	for _, n := range counts {
		total += n
	}
	th := make([]uint32, len(counts))
	for i, n := range counts {
		th[i] = uint32(KeepProbability(n, total, sample) * math.MaxUint32)
	}
	return th
}

// aliasTable samples ids from count^exponent in O(1) (Walker/Vose alias
// method): pick a column uniformly, then keep it or take its alias.
type aliasTable struct {
	prob  []uint32 // keep column i when low 32 random bits < prob[i]
	alias []int32
}

func newAliasTable(counts []int64, exponent float64) aliasTable {
	n := len(counts)
	w := make([]float64, n)
	var sum float64
	for i, c := range counts {
		w[i] = math.Pow(float64(c), exponent)
		sum += w[i]
	}
	t := aliasTable{prob: make([]uint32, n), alias: make([]int32, n)}
	small := make([]int32, 0, n)
	large := make([]int32, 0, n)
	for i := range w {
		w[i] *= float64(n) / sum
		t.alias[i] = int32(i)
		if w[i] < 1 {
			small = append(small, int32(i))
		} else {
			large = append(large, int32(i))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s := small[len(small)-1]
		small = small[:len(small)-1]
		l := large[len(large)-1]
		t.prob[s] = uint32(w[s] * (1 << 32))
		t.alias[s] = l
		w[l] -= 1 - w[s]
		if w[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	for _, i := range large {
		t.prob[i] = math.MaxUint32
	}
	for _, i := range small { // only from rounding
		t.prob[i] = math.MaxUint32
	}
	return t
}

// sample draws one id from the 64 random bits r.
func (t *aliasTable) sample(r uint64) int32 {
	i := int32((r >> 32) * uint64(len(t.prob)) >> 32)
	if uint32(r) < t.prob[i] {
		return i
	}
	return t.alias[i]
}

// rng is wyrand: one 64x64->128-bit multiply per number, fast and good
// enough for sampling.
type rng struct{ s uint64 }

func newRNG(seed int64, stream uint64) rng {
	r := rng{s: uint64(seed)*0x9e3779b97f4a7c15 ^ stream*0xd1b54a32d192ed03}
	r.next()
	return r
}

func (r *rng) next() uint64 {
	r.s += 0xa0761d6478bd642f
	hi, lo := bits.Mul64(r.s, r.s^0xe7037ed1a0b428db)
	return hi ^ lo
}

// intn returns a uniform int in [0, n) for n < 2^32.
func (r *rng) intn(n int) int { return int((r.next() >> 32) * uint64(n) >> 32) }
