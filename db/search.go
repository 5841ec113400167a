package db

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/vecdb/vecdb/internal/errdefs"
	"github.com/vecdb/vecdb/internal/vec"
)

// Hit is one search result.
type Hit struct {
	Pos int    // position of the key in the View (frequency order)
	Key string // the key
	// Similarity is the cosine similarity for COSINE collections, the inner
	// product for DOT, and 1/(1+d) for L2 (d the Euclidean distance), so that
	// higher is always closer.
	Similarity float32
	// Distance is 1-cosine for COSINE, the negated inner product for DOT and
	// the Euclidean distance for L2: lower is always closer.
	Distance float32
}

// SearchOptions tune a nearest-neighbour search. The zero value searches
// every row.
type SearchOptions struct {
	// Exclude lists positions never returned (MostSimilar puts its input
	// keys here).
	Exclude []int
	// WithinTop restricts the search to the first n keys in frequency
	// order, as gensim's restrict_vocab does. Zero means all.
	WithinTop int
	// Filter, when set, keeps only the rows for which it returns true.
	// SearchBatch calls it from several goroutines at once (see
	// DB.SetThreads), so it must be safe for concurrent use. It must not
	// search the same DB: the search that calls it holds one of the DB's
	// threads search slots.
	Filter func(pos int) bool
	// MinSimilarity, when set, keeps only hits whose similarity is at least
	// *MinSimilarity (with k < 0 this returns every such hit).
	MinSimilarity *float32
	// Offset skips that many best hits (pagination).
	Offset int
	// Exact forces an exact scan even when the collection has an index
	// (USING EXACT).
	Exact bool
	// EfSearch overrides the beam width of an HNSW search (WITH
	// (ef_search = n)); 0 uses DB.SetEfSearch's value or the index's.
	EfSearch int
	// Plan, when not nil, receives the path the search took.
	Plan *SearchPlan
}

// Score returns the similarity between two positions under the collection's
// metric (see Hit.Similarity).
func (v *View) Score(i, j int) float32 {
	return v.scoreVec(v.SearchVector(i), v.SearchVector(j))
}

func (v *View) scoreVec(a, b []float32) float32 {
	if v.metric == L2 {
		return l2Sim(vec.L2Sq(a, b))
	}
	return vec.Dot(a, b)
}

func l2Sim(sq float32) float32 { return 1 / (1 + float32(math.Sqrt(float64(sq)))) }

func (v *View) hit(pos int, sim float32) Hit {
	h := Hit{Pos: pos, Key: v.Key(pos), Similarity: sim}
	switch v.metric {
	case Cosine:
		h.Distance = 1 - sim
	case Dot:
		h.Distance = -sim
	case L2:
		h.Distance = 1/sim - 1
	}
	return h
}

// PrepareQuery checks a query vector and returns the vector to search with:
// unit length for COSINE collections, a copy otherwise.
func (v *View) PrepareQuery(q []float32) ([]float32, error) {
	if len(q) != v.dim {
		return nil, fmt.Errorf("%w: query vector has %d values, %s has DIM %d", ErrDimension, len(q), v.info.Name, v.dim)
	}
	if !vec.Finite(q) {
		return nil, invalidf("query vector contains NaN or Inf")
	}
	out := append([]float32(nil), q...)
	if v.metric == Cosine {
		if normalizeWide(out) == 0 {
			return nil, errdefs.Newf(ErrZeroVector, "the query vector is zero: it has no direction to compare by cosine")
		}
	}
	return out, nil
}

// normalizeWide is vec.Normalize for vectors whose squared length
// overflows or underflows float32 (1e30*'king', 1e-30*'king'): it scales
// by the largest magnitude first. It returns 0 only for a zero vector.
func normalizeWide(a []float32) float32 {
	n := vec.Norm(a)
	if n > 0 && !math.IsInf(float64(n), 0) {
		vec.Scale(1/n, a)
		return n
	}
	var m float32
	for _, x := range a {
		m = max(m, float32(math.Abs(float64(x))))
	}
	if m == 0 {
		return 0
	}
	vec.Scale(1/m, a)
	return vec.Normalize(a) * m
}

// Search returns the k rows most similar to q by exact scan, best first.
// q is prepared with PrepareQuery. A negative k returns every row that
// passes the options (use it with MinSimilarity). ctx is checked every 64k
// rows. At most threads searches run at once on a DB (DB.SetThreads): a
// search waits for a free slot, or for ctx to end.
func (v *View) Search(ctx context.Context, q []float32, k int, opts *SearchOptions) ([]Hit, error) {
	if opts == nil {
		opts = &SearchOptions{}
	}
	if k == 0 || k < -1 {
		return nil, invalidf("k must be positive, got %d", k)
	}
	opts = v.withoutZeros(opts)
	qv, err := v.PrepareQuery(q)
	if err != nil {
		return nil, err
	}
	release, err := v.d.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	plan := v.Plan(k, opts)
	if strings.HasPrefix(plan.Path, "HNSW") {
		hits, ok, err := v.searchIndex(ctx, qv, k, opts, plan)
		if err != nil {
			return nil, err
		}
		if ok {
			if opts.Plan != nil {
				*opts.Plan = plan
			}
			return hits, nil
		}
		plan = SearchPlan{Path: "exact scan", Rows: plan.Rows, Selectivity: plan.Selectivity,
			Reason: "the graph returned fewer rows than asked for"}
	}
	if opts.Plan != nil {
		*opts.Plan = plan
	}
	n := v.rows
	if opts.WithinTop > 0 && opts.WithinTop < n {
		n = opts.WithinTop
	}
	want := k + opts.Offset
	if k < 0 {
		want = n
	}
	var excl map[int]bool
	if len(opts.Exclude) > 0 {
		excl = make(map[int]bool, len(opts.Exclude))
		for _, p := range opts.Exclude {
			excl[p] = true
		}
	}
	top := newTopK(want)
	dim := v.dim
	block := 4096
	if step := v.rowStep(); step > 0 {
		block = min(block, step) // a block of the scan within one of the file's
	}
	scores := make([]float32, block)
	for start := 0; start < n; start += block {
		if start%65536 < block && start > 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		end := min(start+block, n)
		sc := scores[:end-start]
		err := v.withSpan(start, end, func(rows []float32) {
			if v.metric == L2 {
				for i := range sc {
					sc[i] = -vec.L2Sq(qv, rows[i*dim:(i+1)*dim])
				}
			} else {
				vec.DotBatch(qv, rows, sc)
			}
		})
		if err != nil {
			return nil, err
		}
		for i, s := range sc {
			if !top.wants(s) {
				continue
			}
			p := start + i
			if excl[p] || (opts.Filter != nil && !opts.Filter(p)) {
				continue
			}
			if opts.MinSimilarity != nil && v.simOf(s) < *opts.MinSimilarity {
				continue
			}
			top.push(s, p)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := top.sorted()
	out := make([]Hit, 0, len(res))
	for i, e := range res {
		if i < opts.Offset {
			continue
		}
		out = append(out, v.hit(e.pos, v.simOf(e.score)))
	}
	return out, nil
}

// simOf turns an internal score (dot, or negated squared L2) into a
// similarity.
func (v *View) simOf(s float32) float32 {
	if v.metric == L2 {
		return l2Sim(-s)
	}
	return s
}

// topK keeps the best n (score, pos) pairs in a min-heap. Ties go to the
// lower position (more frequent key), matching a stable ranking.
type topK struct {
	n int
	h []scored
}

type scored struct {
	score float32
	pos   int
}

func newTopK(n int) *topK { return &topK{n: n, h: make([]scored, 0, min(n, 1<<16))} }

// less reports whether a ranks below b.
func worse(a, b scored) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return a.pos > b.pos
}

func (t *topK) wants(s float32) bool {
	return len(t.h) < t.n || s >= t.h[0].score
}

func (t *topK) push(s float32, p int) {
	e := scored{s, p}
	if len(t.h) < t.n {
		t.h = append(t.h, e)
		i := len(t.h) - 1
		for i > 0 {
			parent := (i - 1) / 2
			if !worse(t.h[i], t.h[parent]) {
				break
			}
			t.h[i], t.h[parent] = t.h[parent], t.h[i]
			i = parent
		}
		return
	}
	if !worse(t.h[0], e) {
		return
	}
	t.h[0] = e
	i, n := 0, len(t.h)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && worse(t.h[r], t.h[l]) {
			m = r
		}
		if !worse(t.h[m], t.h[i]) {
			break
		}
		t.h[i], t.h[m] = t.h[m], t.h[i]
		i = m
	}
}

func (t *topK) sorted() []scored {
	out := append([]scored(nil), t.h...)
	sort.Slice(out, func(i, j int) bool { return worse(out[j], out[i]) })
	return out
}

// Term is one operand of a vector expression: a key of the collection or a
// literal vector, with a weight (+1 for gensim's positive, -1 for negative).
type Term struct {
	Key    string
	Vector []float32 // used when Key is ""
	Weight float64
}

// Combine evaluates a weighted sum of terms with gensim most_similar's
// semantics: for COSINE collections each key's vector is unit-normalised
// before weighting and the sum is normalised again. It returns the vector
// and the positions of the keys used (to exclude from results). Every
// unknown key is reported at once.
func (v *View) Combine(terms []Term) ([]float32, []int, error) {
	if len(terms) == 0 {
		return nil, nil, invalidf("no terms")
	}
	var keys []string
	for _, t := range terms {
		if t.Key != "" {
			keys = append(keys, t.Key)
		}
	}
	pos, err := v.Positions(keys)
	if err != nil {
		return nil, nil, err
	}
	sum := make([]float32, v.dim)
	ki := 0
	for _, t := range terms {
		var x []float32
		if t.Key != "" {
			x = v.SearchVector(pos[ki])
			ki++
		} else {
			if len(t.Vector) != v.dim {
				return nil, nil, fmt.Errorf("%w: vector literal has %d values, %s has DIM %d", ErrDimension, len(t.Vector), v.info.Name, v.dim)
			}
			if !vec.Finite(t.Vector) {
				return nil, nil, invalidf("vector literal contains NaN or Inf")
			}
			x = t.Vector
		}
		vec.Axpy(float32(t.Weight), x, sum)
	}
	if v.metric == Cosine && normalizeWide(sum) == 0 {
		return nil, nil, errdefs.Newf(ErrZeroVector, "the vector is zero: it has no direction to compare by cosine")
	}
	return sum, pos, nil
}

// MostSimilar is gensim's most_similar(positive, negative, topn=k): the
// keys closest to the (normalised) sum of the positive keys minus the
// negative ones, excluding the inputs.
func (v *View) MostSimilar(ctx context.Context, positive, negative []string, k int, opts *SearchOptions) ([]Hit, error) {
	var terms []Term
	for _, p := range positive {
		terms = append(terms, Term{Key: p, Weight: 1})
	}
	for _, n := range negative {
		terms = append(terms, Term{Key: n, Weight: -1})
	}
	q, used, err := v.Combine(terms)
	if err != nil {
		return nil, err
	}
	o := SearchOptions{}
	if opts != nil {
		o = *opts
	}
	o.Exclude = append(append([]int(nil), o.Exclude...), used...)
	return v.Search(ctx, q, k, &o)
}

// MostSimilarCosmul is gensim's most_similar_cosmul (Levy and Goldberg's
// 3CosMul): each candidate scores prod((1+cos(x,p))/2) / (prod((1+cos(x,n))/2) + 1e-6).
// Positive and negative are unit vectors (see Unit); exclude lists the
// positions not to return. Similarity in the hits is that score.
func (v *View) MostSimilarCosmul(ctx context.Context, positive, negative [][]float32, k int, opts *SearchOptions) ([]Hit, error) {
	if k == 0 || k < -1 {
		return nil, invalidf("k must be positive, got %d", k)
	}
	if len(positive) == 0 {
		return nil, invalidf("COSMUL needs at least one positive term")
	}
	if opts == nil {
		opts = &SearchOptions{}
	}
	opts = v.withoutZeros(opts)
	release, err := v.d.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	n := v.rows
	if opts.WithinTop > 0 && opts.WithinTop < n {
		n = opts.WithinTop
	}
	excl := map[int]bool{}
	for _, p := range opts.Exclude {
		excl[p] = true
	}
	want := k + opts.Offset
	if k < 0 {
		want = n
	}
	top := newTopK(want)
	u := make([]float32, v.dim)
	for i := 0; i < n; i++ {
		if i%65536 == 65535 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		x := v.SearchVector(i)
		if v.metric != Cosine {
			copy(u, x)
			vec.Normalize(u)
			x = u
		}
		num, den := float32(1), float32(1)
		for _, p := range positive {
			num *= (1 + vec.Dot(x, p)) / 2
		}
		for _, q := range negative {
			den *= (1 + vec.Dot(x, q)) / 2
		}
		var s float32
		if len(negative) > 0 {
			s = num / (den + 1e-6)
		} else {
			s = num / (1 + 1e-6)
		}
		if !top.wants(s) || excl[i] || (opts.Filter != nil && !opts.Filter(i)) {
			continue
		}
		if opts.MinSimilarity != nil && s < *opts.MinSimilarity {
			continue
		}
		top.push(s, i)
	}
	var out []Hit
	for i, e := range top.sorted() {
		if i >= opts.Offset {
			out = append(out, Hit{Pos: e.pos, Key: v.Key(e.pos), Similarity: e.score, Distance: 1 - e.score})
		}
	}
	return out, nil
}

// Similarity returns the similarity of two keys under the collection's
// metric (cosine for COSINE collections, as gensim's similarity).
func (v *View) Similarity(a, b string) (float32, error) {
	p, err := v.Positions([]string{a, b})
	if err != nil {
		return 0, err
	}
	return v.Score(p[0], p[1]), nil
}

// Rank is gensim's rank(a, b): 1 + the number of keys other than a that are
// closer to a than b is.
func (v *View) Rank(a, b string) (int, error) {
	p, err := v.Positions([]string{a, b})
	if err != nil {
		return 0, err
	}
	target := v.Score(p[0], p[1])
	qa := v.SearchVector(p[0])
	r := 1
	for i := range v.rows {
		if i == p[0] || i == p[1] {
			continue
		}
		if v.scoreVec(qa, v.SearchVector(i)) > target {
			r++
		}
	}
	return r, nil
}

// NSimilarity is gensim's n_similarity: the cosine between the means of two
// sets of raw vectors.
func (v *View) NSimilarity(a, b []string) (float32, error) {
	if len(a) == 0 || len(b) == 0 {
		return 0, invalidf("both key lists must be non-empty")
	}
	pos, err := v.Positions(append(append([]string(nil), a...), b...))
	if err != nil {
		return 0, err
	}
	ma, mb := make([]float32, v.dim), make([]float32, v.dim)
	for _, p := range pos[:len(a)] {
		vec.Axpy(1, v.Vector(p), ma)
	}
	for _, p := range pos[len(a):] {
		vec.Axpy(1, v.Vector(p), mb)
	}
	if vec.Normalize(ma) == 0 || vec.Normalize(mb) == 0 {
		return 0, invalidf("a mean vector has zero norm")
	}
	return vec.Dot(ma, mb), nil
}

// DoesntMatch is gensim's doesnt_match: the key whose unit vector is least
// similar to the normalised mean of all the keys' unit vectors. It also
// returns each key's cosine to that mean.
func (v *View) DoesntMatch(keys []string) (string, []float32, error) {
	if len(keys) < 2 {
		return "", nil, invalidf("ODD_ONE_OUT needs at least 2 keys, got %d", len(keys))
	}
	pos, err := v.Positions(keys)
	if err != nil {
		return "", nil, err
	}
	mean := make([]float32, v.dim)
	units := make([][]float32, len(pos))
	for i, p := range pos {
		units[i] = v.Unit(p)
		vec.Axpy(1, units[i], mean)
	}
	if vec.Normalize(mean) == 0 {
		return "", nil, invalidf("the keys' mean vector has zero norm")
	}
	sims := make([]float32, len(pos))
	worst := 0
	for i, u := range units {
		sims[i] = vec.Dot(u, mean)
		if sims[i] < sims[worst] || (sims[i] == sims[worst] && keys[i] < keys[worst]) {
			worst = i
		}
	}
	return keys[worst], sims, nil
}

// SearchBatch answers several queries at once with exact search: the rows
// are visited in cache-sized blocks and every query is scored against a
// block while it is hot, so the collection is read from memory once per
// batch instead of once per query. Results equal those of Search: the same
// rows under the same filters, exclusions, MinSimilarity and Offset, with
// the same similarities, bit for bit.
//
// For DOT and COSINE the queries go in groups of batchGroup through
// vec.DotBlock, which scores a whole group against a block with register
// tiles. Its float32 sums may be added in another order than Search's
// vec.DotBatch, so each query keeps batchMargin spare candidates (and
// MinSimilarity is applied with a little slack) during the scan; the
// candidates are then scored again with vec.DotBatch, which gives a row the
// same bits as in Search, checked against MinSimilarity and ranked on those
// scores. Only rows whose scores are within rounding error of each other at
// the k-th place (more than batchMargin of them) could make the two differ.
//
// The blocks are spread over up to threads goroutines (DB.SetThreads;
// opts.Filter must then be safe for concurrent use), each scoring its block
// against every group of queries while the block is in its cache, so that
// no row is read from memory twice (with fewer than batchItemsPerWorker
// blocks per worker a block's groups are split between workers instead);
// merging the workers' candidates and rescoring are spread per query. The
// answer does not depend on the number of workers. ctx is checked before
// each block: a cancelled batch returns ctx.Err() once the blocks under
// way are scored.
func (v *View) SearchBatch(ctx context.Context, queries [][]float32, k int, opts *SearchOptions) ([][]Hit, error) {
	if opts == nil {
		opts = &SearchOptions{}
	}
	if k <= 0 {
		return nil, invalidf("k must be positive, got %d", k)
	}
	opts = v.withoutZeros(opts)
	dim := v.dim
	// The prepared queries, one after another, as DotBlock wants them.
	qbuf := make([]float32, len(queries)*dim)
	for i, q := range queries {
		p, err := v.PrepareQuery(q)
		if err != nil {
			return nil, fmt.Errorf("query %d: %w", i+1, err)
		}
		copy(qbuf[i*dim:], p)
	}
	nq := len(queries)
	n := v.rows
	if opts.WithinTop > 0 && opts.WithinTop < n {
		n = opts.WithinTop
	}
	var excl map[int]bool
	if len(opts.Exclude) > 0 {
		excl = make(map[int]bool, len(opts.Exclude))
		for _, p := range opts.Exclude {
			excl[p] = true
		}
	}
	want := k + opts.Offset
	rescore := v.metric != L2
	keep, minSim := want, float32(0)
	if opts.MinSimilarity != nil {
		minSim = *opts.MinSimilarity
	}
	if rescore {
		keep += batchMargin
		minSim -= 1e-5 * (1 + float32(math.Abs(float64(minSim))))
	}
	block := max(64, batchBlockBytes/(4*max(dim, 1)))
	block -= block % 12 // whole tiles of 3 or 4 rows: no leftover rows but in the last block
	group := min(batchGroup, max(nq, 1))
	ctx, release, err := v.d.hold(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	if step := v.rowStep(); step > 0 {
		// Vectors read in place: a block of the scan must not cross one
		// of the file's (a power of two rows each).
		for block = step; block > 16 && block*4*max(dim, 1) > batchBlockBytes; block /= 2 {
		}
	}
	return v.searchBatchRows(ctx, qbuf, nq, n, block, group, keep, want, rescore, minSim, excl, opts)
}

// searchBatchRows is SearchBatch's scan, in blocks of block rows.
func (v *View) searchBatchRows(ctx context.Context, qbuf []float32, nq, n, block, group, keep, want int, rescore bool, minSim float32, excl map[int]bool, opts *SearchOptions) ([][]Hit, error) {
	dim := v.dim
	nblocks, ngroups := (n+block-1)/block, (nq+group-1)/group
	// An item is one block of rows scored against a run of groups of
	// queries, one group after another: the block is read from memory once
	// and stays in the worker's cache while the groups sweep it, so two
	// workers do not read the same rows twice. A run is every group, unless
	// the blocks are too few to keep the workers busy. The groups are the
	// same whatever the split, each (block, group) pair is scored exactly as
	// on one worker, and the heaps keep the best of a strict order (score,
	// then position), so merging them gives the same candidates whatever
	// the number of workers.
	perRun := batchRun(nblocks, ngroups, v.d.workers(nblocks*ngroups))
	runs := (ngroups + perRun - 1) / perRun
	limit := v.d.workers(nblocks * runs)
	type worker struct {
		tops   []*topK
		scores []float32
	}
	ws := make([]*worker, limit)
	err := v.d.spread(ctx, nblocks*runs, limit, func(ctx context.Context, w, item int) error {
		wk := ws[w]
		if wk == nil {
			wk = &worker{tops: make([]*topK, nq), scores: make([]float32, group*block)}
			for i := range wk.tops {
				wk.tops[i] = newTopK(keep)
			}
			ws[w] = wk
		}
		start := item / runs * block
		end := min(start+block, n)
		nr := end - start
		first := item % runs * perRun
		for gi := first; gi < min(first+perRun, ngroups); gi++ {
			g := gi * group
			ng := min(group, nq-g)
			sc := wk.scores[:ng*nr]
			// withSpan only scores (its fn may not call out); the block
			// stays in cache from one group to the next all the same.
			err := v.withSpan(start, end, func(rows []float32) {
				if v.metric == L2 {
					for qi := 0; qi < ng; qi++ {
						q := qbuf[(g+qi)*dim : (g+qi+1)*dim]
						s := sc[qi*nr : (qi+1)*nr]
						for i := range s {
							s[i] = -vec.L2Sq(q, rows[i*dim:(i+1)*dim])
						}
					}
				} else {
					vec.DotBlock(qbuf[g*dim:], ng, rows, nr, dim, sc)
				}
			})
			if err != nil {
				return err
			}
			for qi := 0; qi < ng; qi++ {
				v.feedTop(wk.tops[g+qi], sc[qi*nr:(qi+1)*nr], start, excl, opts.Filter, opts.MinSimilarity != nil, minSim)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Merging the workers' heaps and rescoring is per query: spread too,
	// so that it does not run on one core while the others wait.
	out := make([][]Hit, nq)
	err = v.d.spread(ctx, nq, v.d.workers(nq), func(ctx context.Context, _, qi int) error {
		var top *topK
		for _, wk := range ws {
			if wk == nil {
				continue
			}
			if top == nil {
				top = wk.tops[qi]
				continue
			}
			for _, e := range wk.tops[qi].h {
				if top.wants(e.score) {
					top.push(e.score, e.pos)
				}
			}
		}
		if top == nil {
			top = newTopK(keep)
		}
		res := top.sorted()
		if rescore {
			var err error
			if res, err = v.rescoreBatch(qbuf[qi*dim:(qi+1)*dim], res, want, opts.MinSimilarity); err != nil {
				return err
			}
		}
		for i, e := range res {
			if i >= opts.Offset {
				out[qi] = append(out[qi], v.hit(e.pos, v.simOf(e.score)))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SearchBatch's blocking: batchBlockBytes of rows per block (a share of L2
// that leaves room for the scores), scored against batchGroup queries at a
// time (whose vectors stay in L1 while DotBlock sweeps them); batchMargin
// spare candidates per query are kept for the final rescoring.
const (
	batchBlockBytes = 128 << 10
	batchGroup      = 32
	batchMargin     = 8
	// batchItemsPerWorker: below this many blocks per worker the groups of
	// queries are split between items too, so the workers' shares even out.
	batchItemsPerWorker = 4
)

// batchRun returns how many groups of queries (of ngroups) one item of
// SearchBatch scores against its block of rows, for nblocks blocks and
// the given number of workers: all of them when there are at least
// batchItemsPerWorker blocks per worker, else fewer, so that the items
// are enough to share out.
func batchRun(nblocks, ngroups, workers int) int {
	if nblocks >= batchItemsPerWorker*workers || ngroups <= 1 {
		return max(ngroups, 1)
	}
	runs := min(ngroups, (batchItemsPerWorker*workers+nblocks-1)/max(nblocks, 1))
	return (ngroups + runs - 1) / runs
}

// rescoreBatch scores the candidates res of query q again with vec.DotBatch,
// exactly as Search does, drops those below MinSimilarity and returns the
// best want of them, best first.
func (v *View) rescoreBatch(q []float32, res []scored, want int, minSim *float32) ([]scored, error) {
	kept := res[:0]
	var one [1]float32
	for _, e := range res {
		if err := v.withSpan(e.pos, e.pos+1, func(row []float32) { vec.DotBatch(q, row, one[:]) }); err != nil {
			return nil, err
		}
		e.score = one[0]
		if minSim != nil && e.score < *minSim {
			continue
		}
		kept = append(kept, e)
	}
	sort.Slice(kept, func(i, j int) bool { return worse(kept[j], kept[i]) })
	return kept[:min(want, len(kept))], nil
}

// feedTop offers the scores sc of rows start, start+1, ... to top as Search
// does: a row is kept when top wants its score, it is not excluded or
// filtered out and, when hasMin, its similarity reaches minSim. While the
// heap is full, vec.IndexAtLeast skips to the next score that reaches its
// threshold, so the rows that cannot enter cost a fraction of a comparison.
func (v *View) feedTop(top *topK, sc []float32, start int, excl map[int]bool, filter func(int) bool, hasMin bool, minSim float32) {
	full := len(top.h) >= top.n
	var thr float32
	if full {
		thr = top.h[0].score
	}
	for i := 0; i < len(sc); i++ {
		if full {
			if i += vec.IndexAtLeast(sc[i:], thr); i >= len(sc) {
				break
			}
		}
		s := sc[i]
		p := start + i
		if excl[p] || (filter != nil && !filter(p)) {
			continue
		}
		if hasMin && v.simOf(s) < minSim {
			continue
		}
		top.push(s, p)
		if full = len(top.h) >= top.n; full {
			thr = top.h[0].score
		}
	}
}
