package trainer

import (
	"math"
	"sort"

	"github.com/vecdb/vecdb/internal/vec"
)

// This file scores recommendations from a trained model with RECOMMEND's
// rule, so that Tune can measure settings without a database, and holds
// the two formulas (recency weights, popularity prior) that RECOMMEND and
// Tune must share.

// RecencyWeight returns the weight of a history item age steps older than
// the newest one (age 0): exp(-recency·age), and 1 when recency is 0 (the
// plain mean). It is RECOMMEND's rule (db.RecommendOptions.Recency): the
// query is the weighted mean of the history's unit vectors, normalised.
func RecencyWeight(recency float64, age int) float64 {
	if recency == 0 {
		return 1
	}
	return math.Exp(-recency * float64(age))
}

// PopularityPrior returns the popularity of an item seen count times when
// the most frequent item was seen maxCount times: log(1+count) /
// log(1+maxCount), which is 0 for an unseen item and 1 for the most
// frequent one (0 when maxCount <= 0, clipped to [0, 1]). Being bounded
// like a cosine, it lets one popularity weight mean the same on a
// catalogue of 500 items and one of 500,000 (see RecommendScore).
func PopularityPrior(count, maxCount int64) float64 {
	if count <= 0 || maxCount <= 0 {
		return 0
	}
	p := math.Log1p(float64(count)) / math.Log1p(float64(maxCount))
	return min(p, 1)
}

// RecommendScore is the score by which a recommender with a popularity
// prior ranks a candidate: similarity + popularity·PopularityPrior(count,
// maxCount), where similarity is the cosine of the candidate with the
// history's query vector and popularity (>= 0; 0 is plain RECOMMEND) the
// weight of the prior. Counts are the items' occurrences in the training
// sequences (Model.Counts, a collection row's count).
func RecommendScore(similarity, popularity float64, count, maxCount int64) float64 {
	if popularity == 0 {
		return similarity
	}
	return similarity + popularity*PopularityPrior(count, maxCount)
}

// RepeatShares returns the recency-weighted share of each distinct item of
// a history (oldest first) among the history's occurrences: for an item x,
// the sum of RecencyWeight(recency, n-1-i) over the positions i where x
// occurs, divided by the sum over all n positions. Shares lie in (0, 1]
// and add up to 1; an item the history holds only once, long ago, has a
// small share, one repeated or seen last a large one. RECOMMEND's repeats
// weight w adds w·share to a history item's score (see RecScoring.Repeats).
func RepeatShares[T comparable](history []T, recency float64) map[T]float64 {
	out := make(map[T]float64, len(history))
	n := len(history)
	var total float64
	for i, x := range history {
		w := RecencyWeight(recency, n-1-i)
		out[x] += w
		total += w
	}
	if total > 0 {
		for x, w := range out {
			out[x] = w / total
		}
	}
	return out
}

// RecScoring are the recommend-time settings of an ItemRecommender:
// RECOMMEND's recency, popularity and repeats weights (all >= 0; zero
// values give the plain mean of the history, no prior, and the history
// left out).
type RecScoring struct {
	Recency    float64 // see RecencyWeight
	Popularity float64 // see RecommendScore
	// Repeats, when > 0, lets the history's own items be recommended
	// again: each scores its RecommendScore plus Repeats times its
	// RepeatShares share (with the same Recency). 0 leaves the history
	// out, as RECOMMEND does by default.
	Repeats float64
}

// ItemRecommender recommends keys of a model with RECOMMEND's rule: the
// query is the recency-weighted mean of the unit vectors of the history's
// known keys (unknown keys are left out, and ages count known keys only),
// normalised; candidates are ranked by RecommendScore of their cosine with
// the query, best first, ties to the more frequent key; the history's keys
// are not returned unless RecScoring.Repeats is set, which adds
// Repeats·share to theirs (RepeatShares). A history with no known key (or
// a zero mean) gets the most frequent keys not in it. It is safe for
// concurrent use.
type ItemRecommender struct {
	keys    []string
	index   map[string]int
	dim     int
	unit    []float32 // unit vectors, row-major
	prior   []float32 // PopularityPrior of each row
	popular []int     // rows by descending count, ties by row
}

// NewItemRecommender prepares m's vectors (normalised copies) and counts
// for recommending. m is not modified or retained.
func NewItemRecommender(m *Model) *ItemRecommender {
	n := len(m.Keys)
	r := &ItemRecommender{keys: m.Keys, index: make(map[string]int, n), dim: m.Dim,
		unit: append([]float32(nil), m.Vectors[:n*m.Dim]...), prior: make([]float32, n), popular: make([]int, n)}
	var maxCount int64
	for i, k := range m.Keys {
		if _, dup := r.index[k]; !dup {
			r.index[k] = i
		}
		if i < len(m.Counts) {
			maxCount = max(maxCount, m.Counts[i])
		}
		vec.Normalize(r.unit[i*m.Dim : (i+1)*m.Dim])
		r.popular[i] = i
	}
	count := func(i int) int64 {
		if i < len(m.Counts) {
			return m.Counts[i]
		}
		return 0
	}
	for i := range n {
		r.prior[i] = float32(PopularityPrior(count(i), maxCount))
	}
	sort.SliceStable(r.popular, func(a, b int) bool { return count(r.popular[a]) > count(r.popular[b]) })
	return r
}

// Recommend returns up to k keys for history (oldest first), best first.
func (r *ItemRecommender) Recommend(history []string, k int, s RecScoring) []string {
	rows := r.rows(history)
	q := make([]float32, r.dim)
	sims := make([]float32, len(r.keys))
	out := r.top(nil, rows, q, sims, k, s, nil)
	keys := make([]string, len(out))
	for i, row := range out {
		keys[i] = r.keys[row]
	}
	return keys
}

// Recommender returns Recommend with fixed scoring, for
// EvaluateRecommender.
func (r *ItemRecommender) Recommender(s RecScoring) Recommender {
	return func(history []string, k int) []string { return r.Recommend(history, k, s) }
}

// rows maps the known keys of history to rows, in order.
func (r *ItemRecommender) rows(history []string) []int {
	rows := make([]int, 0, len(history))
	for _, h := range history {
		if i, ok := r.index[h]; ok {
			rows = append(rows, i)
		}
	}
	return rows
}

// query writes into q the normalised recency-weighted mean of the rows'
// unit vectors and reports whether it has a direction.
func (r *ItemRecommender) query(rows []int, recency float64, q []float32) bool {
	clear(q)
	if len(rows) == 0 {
		return false
	}
	n := len(rows)
	var total float64
	for i, row := range rows {
		w := RecencyWeight(recency, n-1-i)
		total += w
		vec.Axpy(float32(w), r.unit[row*r.dim:(row+1)*r.dim], q)
	}
	if total > 0 {
		vec.Scale(float32(1/total), q)
	}
	return vec.Normalize(q) > 0
}

// top returns the k best rows for the history rows, appended to dst; q and
// sims are scratch space (dim and len(keys) values). When sims is already
// filled for this history and recency (have true), it is reused.
func (r *ItemRecommender) top(dst []int, rows []int, q, sims []float32, k int, s RecScoring, have *bool) []int {
	if k <= 0 {
		return dst
	}
	if s.Repeats > 0 {
		// The k best other rows, then the history merged in.
		local := false
		if have == nil {
			have = &local
		}
		start := len(dst)
		plain := s
		plain.Repeats = 0
		dst = r.top(dst, rows, q, sims, k, plain, have)
		if !*have {
			return dst // no query direction: the popularity fallback
		}
		return r.withRepeats(dst, start, rows, sims, k, s)
	}
	excluded := func(i int) bool {
		for _, h := range rows {
			if h == i {
				return true
			}
		}
		return false
	}
	if have == nil || !*have {
		if !r.query(rows, s.Recency, q) {
			for _, i := range r.popular {
				if len(dst) == k {
					break
				}
				if !excluded(i) {
					dst = append(dst, i)
				}
			}
			return dst
		}
		vec.DotBatch(q, r.unit, sims)
		if have != nil {
			*have = true
		}
	}
	// Keep the k best in dst, best first; a candidate must beat the worst
	// kept one strictly, so ties go to the lower (more frequent) row.
	start := len(dst)
	var scores [64]float32
	sc := scores[:0]
	if k > len(scores) {
		sc = make([]float32, 0, k)
	}
	w := float32(s.Popularity)
	for i, sim := range sims {
		v := sim
		if w != 0 {
			v += w * r.prior[i]
		}
		n := len(sc)
		if n == k && v <= sc[n-1] {
			continue
		}
		if excluded(i) {
			continue
		}
		j := n
		if n < k {
			sc = append(sc, 0)
			dst = append(dst, 0)
		} else {
			j = n - 1
		}
		for j > 0 && sc[j-1] < v {
			sc[j] = sc[j-1]
			dst[start+j] = dst[start+j-1]
			j--
		}
		sc[j] = v
		dst[start+j] = i
	}
	return dst
}

// withRepeats merges the history rows into dst[start:], the k best other
// rows, best first: each history row scores its similarity (in sims) plus
// the popularity prior plus Repeats·share, and the merged list keeps the
// order of top (by score, ties to the lower row), cut to k.
func (r *ItemRecommender) withRepeats(dst []int, start int, rows []int, sims []float32, k int, s RecScoring) []int {
	w := float32(s.Popularity)
	score := func(i int) float32 {
		v := sims[i]
		if w != 0 {
			v += w * r.prior[i]
		}
		return v
	}
	type cand struct {
		row   int
		score float32
	}
	shares := RepeatShares(rows, s.Recency)
	cands := make([]cand, 0, len(dst)-start+len(shares))
	for _, i := range dst[start:] {
		cands = append(cands, cand{i, score(i)})
	}
	for i, sh := range shares {
		cands = append(cands, cand{i, score(i) + float32(s.Repeats*sh)})
	}
	sort.Slice(cands, func(a, b int) bool {
		if cands[a].score != cands[b].score {
			return cands[a].score > cands[b].score
		}
		return cands[a].row < cands[b].row
	})
	dst = dst[:start]
	for _, c := range cands[:min(k, len(cands))] {
		dst = append(dst, c.row)
	}
	return dst
}
