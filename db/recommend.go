package db

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/vecdb/vecdb/internal/vec"
	"github.com/vecdb/vecdb/query"
	"github.com/vecdb/vecdb/trainer"
)

// RecommendOptions tune Recommend. The zero value takes the plain mean of
// the history and searches every row.
type RecommendOptions struct {
	// Recency weights recent items more: with n history items, item i
	// (0-based, oldest first) weighs exp(-Recency·(n-1-i)), so the last
	// item weighs 1 and each step back multiplies the weight by
	// exp(-Recency). 0 is the plain mean; it must be >= 0.
	Recency float64
	// Popularity adds a popularity prior: each row scores its similarity
	// to the history plus Popularity·log(1+count)/log(1+max count), the
	// log of its training count normalised to [0, 1] by the collection's
	// most frequent key, so that one weight suits a collection of any
	// size (see PopularityPrior). 0 ranks by similarity alone; it must be
	// >= 0. Hits keep their similarity; their order is by the sum.
	Popularity float64
	// Repeats, when > 0, lets the history's own items come back (a
	// session that returns to a product, a playlist that replays a song):
	// each stored history item is a candidate scored by its usual score
	// (similarity, plus the popularity prior) plus Repeats·share, where
	// share is its recency-weighted share of the history's occurrences
	// (trainer.RepeatShares, with Recency: with n items, occurrence i
	// weighs exp(-Recency·(n-1-i)), and share = the weights of the
	// item's occurrences over the weights of all), in (0, 1]. 0, the
	// default, leaves the history out; it must be >= 0.
	Repeats float64
	// Filter, when set, keeps only the rows for which it returns true. The
	// search is exact, so k hits come back whenever k rows pass the filter
	// (besides the history).
	Filter func(pos int) bool
	// Exclude lists further positions never returned (the history is
	// excluded too unless Repeats is set).
	Exclude []int
	// Subwords lets history keys that the collection does not store take
	// vectors built from their character n-grams, in a collection trained
	// with subwords (see View.WordVector); without it they are errors.
	Subwords bool
}

// HistoryVector returns the query vector of a history (keys of v, oldest
// first): the recency-weighted mean of their unit vectors (see
// RecommendOptions.Recency), normalised to unit length, and the positions
// of the keys. Every unknown key is reported at once in a
// *KeysNotFoundError; a history whose mean is zero is ErrInvalid.
func (v *View) HistoryVector(history []string, recency float64) ([]float32, []int, error) {
	if len(history) == 0 {
		return nil, nil, invalidf("the history is empty")
	}
	if recency < 0 || math.IsNaN(recency) || math.IsInf(recency, 0) {
		return nil, nil, invalidf("recency must be a finite number >= 0, got %g", recency)
	}
	pos, err := v.Positions(history)
	if err != nil {
		return nil, nil, err
	}
	q := v.meanOf(pos, recency)
	if vec.Normalize(q) == 0 {
		return nil, nil, invalidf("the history's mean vector has zero norm")
	}
	return q, pos, nil
}

// meanOf returns the recency-weighted mean of the unit vectors at pos (not
// normalised; the sum divided by the total weight).
func (v *View) meanOf(pos []int, recency float64) []float32 {
	sum := make([]float32, v.dim)
	var unit []float32
	if v.metric != Cosine {
		unit = make([]float32, v.dim)
	}
	n := len(pos)
	var total float64
	for i, p := range pos {
		w := 1.0
		if recency > 0 {
			w = math.Exp(-recency * float64(n-1-i))
		}
		total += w
		x := v.SearchVector(p)
		if v.metric != Cosine {
			copy(unit, x)
			vec.Normalize(unit)
			x = unit
		}
		vec.Axpy(float32(w), x, sum)
	}
	if total > 0 {
		vec.Scale(float32(1/total), sum)
	}
	return sum
}

// Recommend returns the k rows closest to a history of keys (oldest first:
// a playlist, a session, the items a user liked), with RECOMMEND's
// semantics: the query is the (recency-weighted) mean of the history's unit
// vectors, normalised, the search is exact, and the history's keys are
// not returned unless opts.Repeats is set (see RecommendOptions). Unknown history keys are all reported at once
// (*KeysNotFoundError, matching ErrKeyNotFound). A View is immutable, so
// Recommend is safe for concurrent use.
func (v *View) Recommend(ctx context.Context, history []string, k int, opts RecommendOptions) ([]Hit, error) {
	if k <= 0 {
		return nil, invalidf("k must be positive, got %d", k)
	}
	if opts.Subwords {
		v = v.withSubwords()
	}
	q, pos, err := v.HistoryVector(history, opts.Recency)
	if err != nil {
		return nil, err
	}
	if opts.Repeats < 0 || math.IsNaN(opts.Repeats) || math.IsInf(opts.Repeats, 0) {
		return nil, invalidf("repeats must be a finite number >= 0, got %g", opts.Repeats)
	}
	excl := append(append([]int(nil), opts.Exclude...), pos...)
	var hits []Hit
	if opts.Popularity != 0 {
		if opts.Popularity < 0 || math.IsNaN(opts.Popularity) || math.IsInf(opts.Popularity, 0) {
			return nil, invalidf("popularity must be a finite number >= 0, got %g", opts.Popularity)
		}
		hits, err = v.recommendPrior(ctx, q, k, excl, opts)
	} else {
		hits, err = v.Search(ctx, q, k, &SearchOptions{Exclude: excl, Filter: opts.Filter})
	}
	if err != nil || opts.Repeats == 0 {
		return hits, err
	}
	return v.withRepeats(q, hits, k, pos, opts)
}

// RecommendScore returns the score by which Recommend ranked a hit for a
// history: its similarity, plus the popularity prior (opts.Popularity), plus
// opts.Repeats times its share of the history (RecommendOptions.Repeats)
// when it is a history item.
func (v *View) RecommendScore(h Hit, history []string, opts RecommendOptions) float64 {
	s := float64(v.priorScore(h.Similarity, h.Pos, opts.Popularity, v.logTop()))
	if opts.Repeats != 0 {
		if pos, err := v.Positions(history); err == nil {
			s += opts.Repeats * trainer.RepeatShares(pos, opts.Recency)[h.Pos]
		}
	}
	return s
}

// withRepeats merges the stored history items into hits, the k best other
// rows: each scores its similarity, plus the popularity prior, plus
// Repeats·share; the merged list is ordered by score (ties to the lower
// position, as the search orders them) and cut to k.
func (v *View) withRepeats(q []float32, hits []Hit, k int, pos []int, opts RecommendOptions) ([]Hit, error) {
	qv, err := v.PrepareQuery(q)
	if err != nil {
		return nil, err
	}
	skip := make(map[int]bool, len(opts.Exclude))
	for _, p := range opts.Exclude {
		skip[p] = true
	}
	type cand struct {
		hit   Hit
		score float32
	}
	logTop := v.logTop()
	cands := make([]cand, 0, len(hits)+len(pos))
	for _, h := range hits {
		cands = append(cands, cand{h, v.priorScore(h.Similarity, h.Pos, opts.Popularity, logTop)})
	}
	for p, share := range trainer.RepeatShares(pos, opts.Recency) {
		if p >= v.rows || skip[p] || (opts.Filter != nil && !opts.Filter(p)) {
			continue // a key built from n-grams, or one the caller leaves out
		}
		h := v.hit(p, v.simOf(v.scoreVec(qv, v.SearchVector(p))))
		cands = append(cands, cand{h, v.priorScore(h.Similarity, p, opts.Popularity, logTop) + float32(opts.Repeats*share)})
	}
	sort.Slice(cands, func(a, b int) bool {
		if cands[a].score != cands[b].score {
			return cands[a].score > cands[b].score
		}
		return cands[a].hit.Pos < cands[b].hit.Pos
	})
	out := make([]Hit, 0, min(k, len(cands)))
	for _, c := range cands[:min(k, len(cands))] {
		out = append(out, c.hit)
	}
	return out, nil
}

// logTop is log(1+max count), the popularity prior's scale (0 when no key
// has a count).
func (v *View) logTop() float64 {
	if top := v.maxCount(); top > 0 {
		return math.Log1p(float64(top))
	}
	return 0
}

// priorScore is a row's similarity plus the popularity prior, as
// recommendPrior ranks it.
func (v *View) priorScore(sim float32, p int, popularity, logTop float64) float32 {
	if popularity != 0 && logTop > 0 && p < v.rows && v.Count(p) > 0 {
		sim += float32(popularity * math.Log1p(float64(v.Count(p))) / logTop)
	}
	return sim
}

// PopularityPrior returns the prior RecommendOptions.Popularity weighs at
// position i: log(1+count)/log(1+max count), in [0, 1] (0 for every row
// when no key has a count).
func (v *View) PopularityPrior(i int) float64 {
	top := v.maxCount()
	if top <= 0 || v.Count(i) <= 0 {
		return 0
	}
	return math.Log1p(float64(v.Count(i))) / math.Log1p(float64(top))
}

func (v *View) maxCount() int64 {
	var top int64
	for _, c := range v.allCounts() {
		top = max(top, c)
	}
	return top
}

// recommendPrior is Recommend with a popularity prior: an exact scan
// ranking every row by similarity + Popularity·PopularityPrior.
func (v *View) recommendPrior(ctx context.Context, q []float32, k int, excl []int, opts RecommendOptions) ([]Hit, error) {
	qv, err := v.PrepareQuery(q)
	if err != nil {
		return nil, err
	}
	skip := make(map[int]bool, len(excl))
	for _, p := range excl {
		skip[p] = true
	}
	logTop := v.logTop()
	top := newTopK(k)
	for p := range v.rows {
		if p%65536 == 65535 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if skip[p] || (opts.Filter != nil && !opts.Filter(p)) {
			continue
		}
		top.push(v.priorScore(v.simOf(v.scoreVec(qv, v.SearchVector(p))), p, opts.Popularity, logTop), p)
	}
	res := top.sorted()
	out := make([]Hit, len(res))
	for i, e := range res {
		out[i] = v.hit(e.pos, v.simOf(v.scoreVec(qv, v.SearchVector(e.pos))))
	}
	return out, nil
}

// Recommend is View.Recommend on the collection's current view.
func (c *Collection) Recommend(ctx context.Context, history []string, k int, opts RecommendOptions) ([]Hit, error) {
	v, err := c.View()
	if err != nil {
		return nil, err
	}
	return v.Recommend(ctx, history, k, opts)
}

var recommendOptions = []optDef{
	{name: "recency", kind: optFloat, min: 0, def: "the collection's, else 0 (plain mean)", doc: "weight recent history items more (exponential in their age)",
		set: bindFloat(func(o *RecommendOptions) *float64 { return &o.Recency })},
	{name: "popularity", kind: optFloat, min: 0, def: "the collection's, else 0 (none)", doc: "add w × log(1+count)/log(1+max count) to each row's similarity: favour popular items",
		set: bindFloat(func(o *RecommendOptions) *float64 { return &o.Popularity })},
	{name: "repeats", kind: optFloat, min: 0, def: "the collection's, else 0 (history left out)", doc: "let history items come back, each scoring its similarity plus w × its recency-weighted share of the history",
		set: bindFloat(func(o *RecommendOptions) *float64 { return &o.Repeats })},
}

func (c *compiler) compileRecommend(s *query.Recommend) (Plan, error) {
	src, err := c.source(s.From, s.NameAt(s.From, s.Pos))
	if err != nil {
		return nil, err
	}
	if err := c.checkK(s.K, s.At("num k", s.Pos)); err != nil {
		return nil, err
	}
	opts, err := c.options(s, s.With, recommendOptions, "RECOMMEND")
	if err != nil {
		return nil, err
	}
	var hist []string
	var nodes []*query.VKey
	for _, e := range s.For {
		if it, ok := e.(*query.VItem); ok { // ITEM(title = 'Toy Story (1995)'): a row named by a field
			p, err := c.item(src, it)
			if err != nil {
				return nil, err
			}
			hist = append(hist, src.Key(p))
			nodes = append(nodes, &query.VKey{Pos: it.Pos, Key: src.Key(p)})
			continue
		}
		k, ok := e.(*query.VKey)
		if !ok || k.Collection != "" {
			return nil, errorAt(e.Position(), "RECOMMEND ... FOR takes keys of %s or ITEM(field = 'value')", query.QuoteIdent(s.From))
		}
		hist = append(hist, k.Key)
		nodes = append(nodes, k)
	}
	if _, err := src.positions(c.ctx, hist); err != nil {
		return nil, keysErr(err, nodes, s.Pos)
	}
	where, err := c.where(src, s.Where, false)
	if err != nil {
		return nil, err
	}
	spec := RecommendSpec{Collection: s.From, K: s.K, History: hist, Options: opts, Subwords: src.built != nil}
	if where != nil {
		spec.Filter = func(pos int) bool { r := row{src: src, pos: pos}; return where.fn(&r) }
	}
	desc := fmt.Sprintf("RECOMMEND %d FROM %s FOR %d keys (mean of the history, history excluded)", s.K, query.QuoteIdent(s.From), len(hist))
	w := src.RecommendDefaults().Repeats
	if x, ok := opts["repeats"]; ok {
		w = optFloatValue(x)
	}
	if w > 0 {
		desc = fmt.Sprintf("RECOMMEND %d FROM %s FOR %d keys (mean of the history, history items scored with repeats)", s.K, query.QuoteIdent(s.From), len(hist))
	}
	return &backendPlan{desc: desc, pos: s.Pos, run: func(ctx context.Context, d *DB) (*Result, error) { return d.execRecommend(ctx, spec) }}, nil
}

// RecommendSpec is a compiled RECOMMEND.
type RecommendSpec struct {
	Collection string
	K          int
	History    []string
	Filter     func(pos int) bool
	Options    map[string]any
	Subwords   bool // history keys not stored get vectors from n-grams
}

func (d *DB) execRecommend(ctx context.Context, s RecommendSpec) (*Result, error) {
	c, err := d.Collection(s.Collection)
	if err != nil {
		return nil, err
	}
	v, err := c.View()
	if err != nil {
		return nil, err
	}
	// The collection's recorded weights, unless the statement gives its own.
	defs := v.RecommendDefaults()
	opts := RecommendOptions{Filter: s.Filter, Recency: defs.Recency, Popularity: defs.Popularity, Repeats: defs.Repeats, Subwords: s.Subwords}
	if err := bindOptions(recommendOptions, s.Options, &opts); err != nil {
		return nil, err
	}
	hits, err := v.Recommend(ctx, s.History, s.K, opts)
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: []string{"rank", "key", "similarity"}}
	scored := opts.Popularity != 0 || opts.Repeats != 0
	var shares map[int]float64
	if scored {
		// The order is by similarity plus the prior and the repeat
		// bonus: show the sum.
		res.Columns = append(res.Columns, "score")
		if opts.Repeats != 0 {
			pos, err := v.Positions(s.History)
			if err != nil {
				return nil, err
			}
			shares = trainer.RepeatShares(pos, opts.Recency)
		}
	}
	for _, f := range v.Info().Fields {
		res.Columns = append(res.Columns, f.Name)
	}
	for i, h := range hits {
		row := []any{int64(i + 1), h.Key, float64(h.Similarity)}
		if scored {
			row = append(row, float64(h.Similarity)+opts.Popularity*v.PopularityPrior(h.Pos)+opts.Repeats*shares[h.Pos])
		}
		if len(v.Info().Fields) > 0 {
			m, err := v.Meta(h.Pos)
			if err != nil {
				return nil, err
			}
			row = append(row, m...)
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

// The statements this file plans (see register).
func init() {
	register((*compiler).compileRecommend, true, nil)
}
