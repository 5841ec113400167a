package db

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/vecdb/vecdb/internal/errdefs"
	"github.com/vecdb/vecdb/query"

	"github.com/vecdb/vecdb/internal/vec"
)

// nearestPlan runs SELECT NEAREST, SELECT ANALOGY and their variants: one
// search per query vector (several with EACH), exact for now.
type nearestPlan struct {
	src       *View
	k         int // rows per query; -1 with ALL
	queries   []*nquery
	each      bool // add the query column
	cosmul    bool
	among     map[int]bool
	pre       *compiledCond // metadata part of WHERE: a filter during the scan
	post      *compiledCond // similarity part of WHERE: checked on scored hits
	minSim    *float32
	full      bool // the post filter needs every candidate ranked
	withinTop int
	offset    int
	include   bool
	exact     bool
	efSearch  int
	cols      []outCol
	maxRows   int
}

type nquery struct {
	label    string // the query column with EACH
	text     string
	vec      []float32
	pos, neg [][]float32 // COSMUL terms (unit vectors)
	exclude  []int
}

type outCol struct {
	name string
	get  func(q *nquery, h *Hit, rank int) any
}

var nearestUsing = []string{"COSMUL", "EXACT"}

var nearestOptions = []optDef{
	{name: "ef_search", kind: optInt, min: 1, def: "the index's, or SET ef_search", doc: "HNSW beam width of this search (recall vs speed)"},
}

func (c *compiler) compileNearest(s *query.SelectNearest) (Plan, error) {
	src, err := c.source(s.From, s.NameAt(s.From, s.Pos))
	if err != nil {
		return nil, err
	}
	using, err := c.choice(s.Using, nearestUsing, s.At("word search method", s.Pos), "NEAREST")
	if err != nil {
		return nil, err
	}
	opts, err := c.options(s, s.With, nearestOptions, "NEAREST")
	if err != nil {
		return nil, err
	}
	p := &nearestPlan{src: src, k: s.K, cosmul: using == "COSMUL", exact: using == "EXACT", withinTop: s.WithinTop,
		offset: s.Offset, include: s.IncludeInputs, maxRows: c.lim.MaxRows}
	if ef, ok := opts["ef_search"].(int); ok {
		p.efSearch = ef
	}
	if s.All {
		p.k = -1
	} else if err := c.checkK(s.K, s.At("num k", s.Pos)); err != nil {
		return nil, err
	}
	if s.WithinTop < 0 {
		return nil, errorIs(errdefs.ErrInvalid, s.At("num WITHIN TOP", s.Pos), "WITHIN TOP needs a positive number, got %d", s.WithinTop)
	}
	if s.Offset < 0 {
		return nil, errorIs(errdefs.ErrInvalid, s.At("num OFFSET", s.Pos), "OFFSET must not be negative, got %d", s.Offset)
	}
	switch {
	case s.Each != nil:
		p.each = true
		names := make([]string, len(s.Each))
		for i, k := range s.Each {
			names[i] = k.Key
		}
		pos, err := src.positions(c.ctx, names)
		if err != nil {
			return nil, keysErr(err, s.Each, s.Pos)
		}
		for i, k := range s.Each {
			q := &nquery{label: k.Key, text: k.String(), exclude: []int{pos[i]}}
			u := src.Unit(pos[i])
			if p.cosmul {
				q.pos = [][]float32{u}
			} else {
				q.vec = append([]float32(nil), src.SearchVector(pos[i])...)
			}
			p.queries = append(p.queries, q)
		}
	case p.cosmul:
		q, err := c.cosmulQuery(src, s.Target)
		if err != nil {
			return nil, err
		}
		p.queries = []*nquery{q}
	default:
		ev, err := c.eval(src, reorder(s.Target))
		if err != nil {
			return nil, err
		}
		p.queries = []*nquery{{text: s.Target.String(), vec: ev.vec, exclude: ev.used}}
	}
	if s.Among != nil {
		names := make([]string, len(s.Among))
		for i, k := range s.Among {
			names[i] = k.Key
		}
		pos, err := src.storedPositions(c.ctx, names)
		if err != nil {
			return nil, keysErr(err, s.Among, s.Pos)
		}
		p.among = make(map[int]bool, len(pos))
		for _, x := range pos {
			p.among[x] = true
		}
	}
	if err := c.nearestWhere(p, s.Where, s.All, s, s.Pos); err != nil {
		return nil, err
	}
	if err := c.nearestColumns(p, s.Returning, s, s.Pos); err != nil {
		return nil, err
	}
	return p, nil
}

// reorder puts the positive terms of a flat sum before the negative ones,
// the order in which gensim's most_similar adds them.
func reorder(e query.VExpr) query.VExpr {
	s, ok := e.(*query.VSum)
	if !ok || !isFlat(e) {
		return e
	}
	out := &query.VSum{Pos: s.Pos}
	for _, t := range s.Terms {
		if t.Sign*t.Weight >= 0 {
			out.Terms = append(out.Terms, t)
		}
	}
	for _, t := range s.Terms {
		if t.Sign*t.Weight < 0 {
			out.Terms = append(out.Terms, t)
		}
	}
	return out
}

// cosmulQuery splits a vector expression into the positive and negative
// terms of 3CosMul.
func (c *compiler) cosmulQuery(src *View, e query.VExpr) (*nquery, error) {
	q := &nquery{text: e.String()}
	keys := vexprKeys(e, nil)
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.Key
	}
	if _, err := src.positions(c.ctx, names); err != nil {
		return nil, keysErr(err, keys, e.Position())
	}
	for _, t := range terms(e) {
		if t.Weight != 1 {
			return nil, errorAt(t.Pos, "USING COSMUL takes terms without weights, got %s", query.FormatNum(t.Weight))
		}
		ev, err := c.eval(src, t.Factor)
		if err != nil {
			return nil, err
		}
		u := append([]float32(nil), ev.vec...)
		if normalizeWide(u) == 0 {
			return nil, errorIs(errdefs.ErrZeroVector, t.Pos, "a COSMUL term is a zero vector: it has no direction to compare by cosine")
		}
		if t.Sign > 0 {
			q.pos = append(q.pos, u)
		} else {
			q.neg = append(q.neg, u)
		}
		q.exclude = append(q.exclude, ev.used...)
	}
	if len(q.pos) == 0 {
		return nil, errorIs(errdefs.ErrInvalid, e.Position(), "USING COSMUL needs at least one positive term")
	}
	return q, nil
}

// nearestWhere splits WHERE into a filter on metadata (applied during the
// scan, so k matching rows come back when k exist) and a check on the
// similarity (applied to scored hits).
func (c *compiler) nearestWhere(p *nearestPlan, w query.Cond, all bool, st marked, stmt query.Position) error {
	var pre, post []query.Cond
	if w != nil {
		for _, part := range splitAnd(w, nil) {
			cc, err := c.where(p.src, part, true)
			if err != nil {
				return err
			}
			if !cc.sim {
				pre = append(pre, part)
				continue
			}
			if cmp, ok := part.(*query.CondCompare); ok && strings.EqualFold(cmp.Field, "similarity") && (cmp.Op == query.Ge || cmp.Op == query.Gt) {
				m := float32(cmp.Value.Num)
				if p.minSim == nil || m > *p.minSim {
					p.minSim = &m
				}
				if cmp.Op == query.Ge {
					continue
				}
			}
			if cmp, ok := part.(*query.CondCompare); ok && strings.EqualFold(cmp.Field, "distance") && (cmp.Op == query.Le || cmp.Op == query.Lt) && all {
				p.full = true
				post = append(post, part)
				p.minSim = distBound(p, cmp.Value.Num)
				continue
			}
			post = append(post, part)
		}
	}
	if all && p.minSim == nil {
		return errorAt(st.At("ALL", stmt), "NEAREST ALL needs a bound in WHERE: similarity >= x or distance <= x")
	}
	var err error
	if p.pre, err = c.where(p.src, joinAnd(pre), true); err != nil {
		return err
	}
	if p.post, err = c.where(p.src, joinAnd(post), true); err != nil {
		return err
	}
	if p.post != nil {
		p.full = true
	}
	return nil
}

// distBound turns "distance <= d" into a similarity lower bound for the
// collection's metric (nil when there is none to give).
func distBound(p *nearestPlan, d float64) *float32 {
	if p.cosmul {
		m := float32(1 - d)
		return &m
	}
	var m float32
	switch p.src.Metric() {
	case vec.Cosine:
		m = float32(1 - d)
	case vec.DotProduct:
		m = float32(-d)
	default:
		if d < 0 {
			m = 2
		} else {
			m = float32(1 / (1 + d))
		}
	}
	m -= 1e-6 // the post check is exact; this only prunes
	return &m
}

func joinAnd(cs []query.Cond) query.Cond {
	if len(cs) == 0 {
		return nil
	}
	out := cs[0]
	for _, x := range cs[1:] {
		out = &query.CondBinary{Pos: out.Position(), Op: query.And, Left: out, Right: x}
	}
	return out
}

func (c *compiler) nearestColumns(p *nearestPlan, returning []string, st marked, stmt query.Position) error {
	names := returning
	if names == nil {
		names = []string{"rank", "key", "similarity"}
		names = append(names, fieldNames(p.src)...)
	}
	if p.each && !containsFold(names, "query") {
		names = append([]string{"query"}, names...)
	}
	for _, n := range names {
		col, ok := nearestColumn(p.src, n, p.each)
		if !ok {
			cands := append([]string{"rank", "key", "similarity", "distance", "count", "vector"}, fieldNames(p.src)...)
			hint := didYouMean(n, cands, query.QuoteIdent)
			if strings.EqualFold(n, "query") {
				hint = suggestion{hint: " (query is a column of NEAREST k TO EACH (...))"}
			}
			return errorAt(st.At("returning "+strings.ToLower(n), stmt), "unknown column %s in RETURNING%s", query.QuoteIdent(n), hint)
		}
		p.cols = append(p.cols, col)
	}
	return nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func nearestColumn(src *View, name string, each bool) (outCol, bool) {
	switch strings.ToLower(name) {
	case "query":
		if !each {
			return outCol{}, false
		}
		return outCol{"query", func(q *nquery, h *Hit, r int) any { return q.label }}, true
	case "rank":
		return outCol{"rank", func(q *nquery, h *Hit, r int) any { return int64(r) }}, true
	case "key":
		return outCol{"key", func(q *nquery, h *Hit, r int) any { return h.Key }}, true
	case "similarity":
		return outCol{"similarity", func(q *nquery, h *Hit, r int) any { return float64(h.Similarity) }}, true
	case "distance":
		return outCol{"distance", func(q *nquery, h *Hit, r int) any { return float64(h.Distance) }}, true
	case "count":
		return outCol{"count", func(q *nquery, h *Hit, r int) any { return src.Count(h.Pos) }}, true
	case "vector":
		return outCol{"vector", func(q *nquery, h *Hit, r int) any { return src.Vector(h.Pos) }}, true
	}
	fi := src.FieldIndex(name)
	if fi < 0 {
		return outCol{}, false
	}
	return outCol{src.Info().Fields[fi].Name, func(q *nquery, h *Hit, r int) any {
		m, err := src.Meta(h.Pos)
		if err != nil || fi >= len(m) {
			return nil
		}
		return m[fi]
	}}, true
}

func (p *nearestPlan) String() string {
	var b strings.Builder
	info := p.src.Info()
	k := fmt.Sprint(p.k)
	if p.k < 0 {
		k = "ALL"
	}
	path := fmt.Sprintf("exact scan of %d rows", p.src.Len())
	if !p.cosmul {
		kk := p.k
		if p.full {
			kk = -1
		}
		path = p.src.Plan(kk, p.options(p.queries[0])).String()
	}
	fmt.Fprintf(&b, "NEAREST %s FROM %s (DIM %d, %s): %s", k, query.QuoteIdent(info.Name), info.Dim, info.Metric, path)
	if p.cosmul {
		b.WriteString("\n  scoring: 3CosMul (most_similar_cosmul)")
	} else {
		b.WriteString("\n  scoring: " + scoreName(info.Metric))
	}
	if p.each {
		fmt.Fprintf(&b, "\n  queries: EACH of %d keys", len(p.queries))
	} else {
		b.WriteString("\n  query: " + p.queries[0].text)
		if n := len(p.queries[0].exclude); n > 0 && !p.include {
			fmt.Fprintf(&b, " (%d input %s excluded)", n, plural(n, "key"))
		}
	}
	if p.include {
		b.WriteString("\n  inputs: included")
	}
	if p.among != nil {
		fmt.Fprintf(&b, "\n  among: %d keys", len(p.among))
	}
	if p.pre != nil {
		b.WriteString("\n  filter during scan: " + p.pre.text)
	}
	if p.minSim != nil {
		fmt.Fprintf(&b, "\n  similarity at least: %s", strconv.FormatFloat(float64(*p.minSim), 'g', -1, 32))
	}
	if p.post != nil {
		b.WriteString("\n  filter after scoring: " + p.post.text + " (ranks every candidate)")
	}
	if p.withinTop > 0 {
		fmt.Fprintf(&b, "\n  within top: %d", p.withinTop)
	}
	if p.offset > 0 {
		fmt.Fprintf(&b, "\n  offset: %d", p.offset)
	}
	if p.efSearch > 0 {
		fmt.Fprintf(&b, "\n  ef_search: %d", p.efSearch)
	}
	names := make([]string, len(p.cols))
	for i, c := range p.cols {
		names[i] = c.name
	}
	b.WriteString("\n  columns: " + strings.Join(names, ", "))
	return b.String()
}

func scoreName(m vec.Metric) string {
	switch m {
	case vec.DotProduct:
		return "inner product"
	case vec.L2:
		return "1/(1+euclidean distance)"
	}
	return "cosine similarity"
}

func (p *nearestPlan) Run(ctx context.Context, d *DB) (*Result, error) {
	res := &Result{Columns: make([]string, len(p.cols))}
	for i, c := range p.cols {
		res.Columns[i] = c.name
	}
	// The queries of TO EACH run on up to threads workers (see spread);
	// their rows come out in the order of the queries.
	ctx, release, err := d.hold(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	batch, err := p.searchBatch(ctx)
	if err != nil {
		return nil, err
	}
	tooMany := func() error {
		return fmt.Errorf("the result has more than %d rows (the limit); add a LIMIT or a tighter bound", p.maxRows)
	}
	if batch == nil {
		batch = make([][]Hit, len(p.queries))
		var total atomic.Int64 // rows found so far: stop as soon as they are too many
		err := d.spread(ctx, len(p.queries), d.workers(len(p.queries)), func(ctx context.Context, _, i int) error {
			hits, err := p.search(ctx, p.queries[i])
			if err != nil {
				return err
			}
			batch[i] = hits
			if p.maxRows > 0 && total.Add(int64(len(hits))) > int64(p.maxRows) {
				return tooMany()
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for qi, q := range p.queries {
		hits := batch[qi]
		if p.maxRows > 0 && len(res.Rows)+len(hits) > p.maxRows {
			return nil, tooMany()
		}
		for i := range hits {
			h := &hits[i]
			r := make([]any, len(p.cols))
			for j, c := range p.cols {
				r[j] = c.get(q, h, p.offset+i+1)
			}
			res.Rows = append(res.Rows, r)
		}
	}
	return res, nil
}

// options returns the search options of one query.
func (p *nearestPlan) options(q *nquery) *SearchOptions {
	opts := &SearchOptions{WithinTop: p.withinTop, MinSimilarity: p.minSim, Offset: p.offset, Exact: p.exact, EfSearch: p.efSearch}
	if !p.include {
		opts.Exclude = q.exclude
	}
	pre, among, src := p.pre, p.among, p.src
	if pre != nil || among != nil {
		opts.Filter = func(pos int) bool {
			if among != nil && !among[pos] {
				return false
			}
			if pre != nil {
				r := row{src: src, pos: pos}
				return pre.fn(&r)
			}
			return true
		}
	}
	if p.full {
		opts.Offset = 0
	}
	return opts
}

// searchBatch answers the queries of TO EACH (…) with one blocked exact
// scan when the plan is an exact scan anyway; nil means "search one by
// one". Each query's own exclusions are applied afterwards, so every
// query asks for enough extra rows to cover them, and OFFSET comes last.
func (p *nearestPlan) searchBatch(ctx context.Context) ([][]Hit, error) {
	if len(p.queries) < 2 || p.cosmul || p.full || p.k <= 0 {
		return nil, nil
	}
	opts := p.options(p.queries[0])
	if !strings.HasPrefix(p.src.Plan(p.k, opts).String(), "exact scan") {
		return nil, nil
	}
	extra := 0
	vecs := make([][]float32, len(p.queries))
	for i, q := range p.queries {
		vecs[i] = q.vec
		if !p.include {
			extra = max(extra, len(q.exclude))
		}
	}
	opts.Exclude, opts.Offset = nil, 0
	res, err := p.src.SearchBatch(ctx, vecs, p.k+p.offset+extra, opts)
	if err != nil {
		return nil, err
	}
	for i, q := range p.queries {
		hits := res[i][:0]
		for _, h := range res[i] {
			if !p.include && containsInt(q.exclude, h.Pos) {
				continue
			}
			hits = append(hits, h)
		}
		if p.offset >= len(hits) {
			hits = nil
		} else {
			hits = hits[p.offset:]
		}
		if len(hits) > p.k {
			hits = hits[:p.k]
		}
		res[i] = hits
	}
	return res, nil
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func (p *nearestPlan) search(ctx context.Context, q *nquery) ([]Hit, error) {
	opts := p.options(q)
	src := p.src
	k := p.k
	if p.full {
		k = -1
	}
	var hits []Hit
	var err error
	if p.cosmul {
		hits, err = src.MostSimilarCosmul(ctx, q.pos, q.neg, k, opts)
	} else {
		hits, err = src.Search(ctx, q.vec, k, opts)
	}
	if err != nil || !p.full {
		return hits, err
	}
	kept := hits[:0]
	for _, h := range hits {
		r := row{src: src, pos: h.Pos, sim: float64(h.Similarity), dist: float64(h.Distance)}
		if p.post == nil || p.post.fn(&r) {
			kept = append(kept, h)
		}
	}
	if p.offset >= len(kept) {
		return nil, nil
	}
	kept = kept[p.offset:]
	if p.k >= 0 && len(kept) > p.k {
		kept = kept[:p.k]
	}
	return kept, nil
}

// compileAnalogy turns a:b::c:? into most_similar(positive=[b, c],
// negative=[a]) or its 3CosMul form.
func (c *compiler) compileAnalogy(s *query.Analogy) (Plan, error) {
	src, err := c.source(s.From, s.NameAt(s.From, s.Pos))
	if err != nil {
		return nil, err
	}
	using, err := c.choice(s.Using, nearestUsing, s.At("word analogy method", s.Pos), "ANALOGY")
	if err != nil {
		return nil, err
	}
	k := s.Limit
	if k == 0 {
		k = 10
	}
	if err := c.checkK(k, s.At("num LIMIT", s.Pos)); err != nil {
		return nil, err
	}
	sum := &query.VSum{Pos: s.A.Pos, Terms: []query.VTerm{
		{Pos: s.B.Pos, Sign: 1, Weight: 1, Factor: s.B},
		{Pos: s.C.Pos, Sign: 1, Weight: 1, Factor: s.C},
		{Pos: s.A.Pos, Sign: -1, Weight: 1, Factor: s.A},
	}}
	p := &nearestPlan{src: src, k: k, cosmul: using == "COSMUL", withinTop: s.WithinTop, maxRows: c.lim.MaxRows}
	if p.cosmul {
		keys := []*query.VKey{s.A, s.B, s.C}
		if _, err := src.positions(c.ctx, []string{s.A.Key, s.B.Key, s.C.Key}); err != nil {
			return nil, keysErr(err, keys, s.Pos)
		}
		q, err := c.cosmulQuery(src, sum)
		if err != nil {
			return nil, err
		}
		q.text = s.A.String() + " : " + s.B.String() + " :: " + s.C.String() + " : ?"
		p.queries = []*nquery{q}
	} else {
		keys := []*query.VKey{s.A, s.B, s.C}
		if _, err := src.positions(c.ctx, []string{s.A.Key, s.B.Key, s.C.Key}); err != nil {
			return nil, keysErr(err, keys, s.Pos)
		}
		ev, err := c.eval(src, sum)
		if err != nil {
			return nil, err
		}
		p.queries = []*nquery{{text: sum.String(), vec: ev.vec, exclude: ev.used}}
	}
	if err := c.nearestWhere(p, s.Where, false, s, s.Pos); err != nil {
		return nil, err
	}
	if err := c.nearestColumns(p, nil, s, s.Pos); err != nil {
		return nil, err
	}
	return p, nil
}

// The statements this file plans (see register).
func init() {
	register((*compiler).compileNearest, true, nil)
	register((*compiler).compileAnalogy, true, nil)
}
