package db

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"

	"github.com/vecdb/vecdb/ann"
	"github.com/vecdb/vecdb/internal/errdefs"
	"github.com/vecdb/vecdb/internal/vec"
	"github.com/vecdb/vecdb/query"
	"github.com/vecdb/vecdb/storage"
)

// AutoIndexRows is the size from which IMPORT and TRAIN give a new
// collection an HNSW index by default. Below it an exact scan answers in a
// few milliseconds (100k × 100 floats take about 2.5 ms per query on one
// core), so the build time would not pay off.
const AutoIndexRows = 100000

// exactSelectivity is the estimated fraction of matching rows under which a
// filtered NEAREST scans the matching rows exactly instead of walking the
// graph: with few matches the graph search would visit most of the graph
// to find k of them.
const exactSelectivity = 0.02

// DefaultIndexConfig returns the index settings used when none are given:
// M 16, ef_construction 200, ef_search 64.
func DefaultIndexConfig() IndexConfig {
	return IndexConfig{Kind: "HNSW", M: ann.DefaultM, EfConstruction: ann.DefaultEfConstruction, EfSearch: ann.DefaultEfSearch}
}

func annConfig(cfg IndexConfig, m Metric) ann.Config {
	return ann.Config{M: cfg.M, EfConstruction: cfg.EfConstruction, EfSearch: cfg.EfSearch, Metric: m, Seed: 1,
		Int8: cfg.Quantize == quantInt8}
}

// The values of CREATE INDEX's quantize option.
const (
	quantNone = "none"
	quantInt8 = "int8"
)

// checkQuantize validates and canonicalises the quantization settings:
// Quantize "" (none) or "int8", Rescore the oversampling factor of int8
// (ann.DefaultRescore when 0), refused without int8.
func checkQuantize(cfg *IndexConfig) error {
	switch strings.ToLower(cfg.Quantize) {
	case "", quantNone:
		cfg.Quantize = ""
		if cfg.Rescore != 0 {
			return invalidf("rescore needs quantize = 'int8' (a float32 index has nothing to rescore)")
		}
		return nil
	case quantInt8:
		cfg.Quantize = quantInt8
	default:
		return invalidf("quantize must be 'none' or 'int8', got %q", cfg.Quantize)
	}
	if cfg.Rescore == 0 {
		cfg.Rescore = ann.DefaultRescore
	}
	if cfg.Rescore < 1 || cfg.Rescore > ann.MaxRescore {
		return invalidf("rescore must be between 1 and %d, got %d", ann.MaxRescore, cfg.Rescore)
	}
	return nil
}

func checkIndexConfig(cfg *IndexConfig) error {
	if cfg.Kind == "" {
		cfg.Kind = "HNSW"
	}
	def := DefaultIndexConfig()
	if cfg.M == 0 {
		cfg.M = def.M
	}
	if cfg.EfConstruction == 0 {
		cfg.EfConstruction = def.EfConstruction
	}
	if cfg.EfSearch == 0 {
		cfg.EfSearch = def.EfSearch
	}
	switch {
	case !strings.EqualFold(cfg.Kind, "HNSW"):
		return invalidf("unknown index kind %q (only HNSW)", cfg.Kind)
	case cfg.M < 2 || cfg.M > 128:
		return invalidf("m must be between 2 and 128, got %d", cfg.M)
	case cfg.EfConstruction < 1 || cfg.EfConstruction > 4096:
		return invalidf("ef_construction must be between 1 and 4096, got %d", cfg.EfConstruction)
	case cfg.EfSearch < 1 || cfg.EfSearch > 4096:
		return invalidf("ef_search must be between 1 and 4096, got %d", cfg.EfSearch)
	}
	if err := checkQuantize(cfg); err != nil {
		return err
	}
	cfg.Kind = "HNSW"
	return nil
}

// writeGraphSegments is whether a graph written whole gets its segment
// (storage/segment.go), read in place by the views. A variable for tests
// of the graph's records alone.
var writeGraphSegments = true

// segmentUsable reports whether a graph segment over v's rows would be
// read: writeGraphSegments is set and the row ids are 0 … n-1, as the
// views that read their vectors, and so their graph, in place need them
// (a collection with deleted rows holds its vectors in memory, and opens
// its graph from the records).
func segmentUsable(v *View) bool {
	ids := v.idList()
	return writeGraphSegments && len(ids) > 0 && ids[len(ids)-1] == uint32(len(ids)-1)
}

// buildIndex builds a graph over a view's rows with every core.
func buildIndex(ctx context.Context, v *View, cfg IndexConfig, threads int) (*ann.Index, error) {
	idx := ann.New(v.dim, annConfig(cfg, v.metric))
	data, err := v.searchData()
	if err != nil {
		return nil, err
	}
	vecs := make([][]float32, v.Len())
	for i := range vecs {
		vecs[i] = data[i*v.dim : (i+1)*v.dim : (i+1)*v.dim]
	}
	ids, vecs := indexable(v.metric, v.idList(), vecs)
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	prog := newThrottle(ctx)
	err = idx.Build(ctx, ids, vecs, threads, func(done, total int) {
		prog.report(Progress{Op: "index", Done: int64(done), Total: int64(total), Unit: "vectors",
			Detail: fmt.Sprintf("HNSW m=%d ef_construction=%d", cfg.M, cfg.EfConstruction)}, done == total)
	})
	if err != nil {
		return nil, err
	}
	idx.TakeDirty()
	return idx, nil
}

// indexable leaves out of a COSINE graph the zero vectors (which an
// IMPORT keeps): they have no direction, no search returns them, and a
// cosine graph holds unit vectors only. It returns ids and vecs
// themselves when there are none.
func indexable(metric Metric, ids []uint32, vecs [][]float32) ([]uint32, [][]float32) {
	if metric != Cosine {
		return ids, vecs
	}
	zeros := 0
	for _, v := range vecs {
		if vec.Norm(v) == 0 {
			zeros++
		}
	}
	if zeros == 0 {
		return ids, vecs
	}
	keepIDs := make([]uint32, 0, len(ids)-zeros)
	keepVecs := make([][]float32, 0, len(ids)-zeros)
	for i, v := range vecs {
		if vec.Norm(v) != 0 {
			keepIDs, keepVecs = append(keepIDs, ids[i]), append(keepVecs, v)
		}
	}
	return keepIDs, keepVecs
}

// CreateIndex builds an HNSW index over a collection with every core
// (threads <= 0) and stores it in the file. Progress goes to the context's
// callback; a cancelled or failed build leaves the collection as it was
// (including any previous index). Later inserts, updates and deletes keep
// the index current in the same transactions as the rows.
func (d *DB) CreateIndex(ctx context.Context, name string, cfg IndexConfig, threads int) error {
	if d.ReadOnly() {
		return ErrReadOnly
	}
	if err := checkIndexConfig(&cfg); err != nil {
		return err
	}
	d.wmu.Lock()
	defer d.wmu.Unlock()
	c, err := d.Collection(name)
	if err != nil {
		return err
	}
	v, err := c.View()
	if err != nil {
		return err
	}
	if v.Len() == 0 {
		// An empty index is recorded; rows inserted later are linked in.
		idx := ann.New(v.dim, annConfig(cfg, v.metric))
		var at collVersion
		err := d.store.Update(func(tx *storage.Tx) error {
			sc, err := tx.Collection(name)
			if err != nil {
				return err
			}
			if err := sc.IndexClear(); err != nil {
				return err
			}
			if err := sc.IndexPutMeta(idx.MarshalMeta()); err != nil {
				return err
			}
			sc.SetIndexConfig(&cfg)
			if err := sc.Save(); err != nil {
				return err
			}
			at = versionOf(sc.Meta())
			return nil
		})
		if err != nil {
			return err
		}
		d.setIndex(name, idx, at) // after the commit, so no older view is cached
		return nil
	}
	idx, err := buildIndex(ctx, v, cfg, threads)
	if err != nil {
		return err
	}
	w, err := d.store.NewIndexWriter(name)
	if err != nil {
		return err
	}
	defer w.Abort()
	// The graph's segment, read in place by the next views; none when it
	// cannot be made or would not be used (the records alone serve then).
	if segmentUsable(v) {
		if seg, err := idx.Segment(v.idList()); err == nil {
			if err := w.PutSegment(seg); err != nil {
				return err
			}
		}
	}
	for i, id := range v.idList() {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if v.metric == Cosine && v.norms[i] == 0 {
			continue // a zero vector: not in the graph (see indexable)
		}
		if err := w.Put(id, idx.MarshalNode(id)); err != nil {
			return err
		}
	}
	if err := w.Commit(ctx, idx.MarshalMeta(), &cfg, v.version); err != nil {
		return err
	}
	// The built graph holds a copy of every vector. Searches open the
	// written one instead, lazily and on the view's vectors (read in
	// place from the file), so memory after CREATE INDEX is what it is
	// after reopening the database.
	d.setIndex(name, nil, collVersion{})
	return nil
}

// DropIndex removes a collection's index; searches become exact.
func (d *DB) DropIndex(ctx context.Context, name string, ifExists bool) error {
	had := false
	err := d.update(ctx, name, func(c *storage.Coll) error {
		had = c.Meta().Index != nil
		if !had {
			if ifExists {
				return nil
			}
			return notFound{fmt.Errorf("collection %s has no index; nothing to drop", name)}
		}
		if err := c.IndexClear(); err != nil {
			return err
		}
		c.SetIndexConfig(nil)
		return nil
	})
	if err == nil {
		d.setIndex(name, nil, collVersion{})
	}
	return err
}

// setIndex records idx as the graph of the collection in state at (nil
// for none, or to load it from the file on next use) and drops the cached
// view.
func (d *DB) setIndex(name string, idx *ann.Index, at collVersion) {
	s, err := d.state(name)
	if err != nil {
		return
	}
	s.idxMu.Lock()
	s.setIdx(idx, at)
	s.idxMu.Unlock()
	s.invalidate()
}

// loadedIndex returns the graph that indexes this view's rows, for a
// search: on first use it is opened lazily from the file (ann.LoadLazy:
// only its header record is read; a search fills the nodes it reaches).
// It returns nil without error when the collection has no index, and when
// the view is older than the collection in the file (the index was
// dropped, replaced or rebuilt since the view was taken): its searches
// then scan the view's own rows exactly, and the next view uses the graph.
func (v *View) loadedIndex() (*ann.Index, error) {
	return v.indexLoaded(false)
}

// fullIndex is loadedIndex for a caller that needs the whole graph in
// memory (a write changes it, INFO measures it): a lazily opened graph is
// replaced by one loaded whole (ann.LoadShared, every record read and
// checked).
func (v *View) fullIndex() (*ann.Index, error) {
	return v.indexLoaded(true)
}

func (v *View) indexLoaded(full bool) (*ann.Index, error) {
	if v.info.Index == nil || v.st == nil {
		return nil, nil
	}
	if !full {
		// The graph written whole is read in place from its segment: no
		// record decoded, nothing copied (inplace.go).
		if g := v.inPlaceGraph(); g != nil {
			return g, nil
		}
	}
	s := v.st
	s.idxMu.Lock()
	defer s.idxMu.Unlock()
	if s.idx != nil {
		if s.idxAt != v.at() {
			return nil, nil // a graph of another state of the collection
		}
		if !full || !s.idx.Lazy() {
			return s.idx, nil
		}
	}
	var idx *ann.Index
	err := v.d.view(v.info.Name, func(c *storage.Coll) error {
		if !v.current(c) {
			return nil // the file has moved on: not this view's graph
		}
		meta := c.IndexMeta()
		if meta == nil {
			return fmt.Errorf("%w: index of %s has no header record", ErrCorrupt, v.info.Name)
		}
		var err error
		if full {
			// The graph uses the view's vectors in place (no second
			// copy); its first change copies them.
			var data []float32
			if data, err = v.searchData(); err != nil {
				return err
			}
			idx, err = ann.LoadShared(meta, data, v.posOfID, func(yield func(id uint32, rec []byte) error) error {
				return c.IndexScan(yield)
			})
		} else {
			idx, err = v.lazyIndex(meta, c.NodeReader())
		}
		if err != nil {
			return fmt.Errorf("%w: index of %s: %v", ErrCorrupt, v.info.Name, err)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrCollectionNotFound) {
			return nil, nil // dropped since the view was taken
		}
		return nil, err
	}
	if idx != nil {
		s.setIdx(idx, v.at())
	}
	return idx, nil
}

// lazyIndex opens the graph from its header record; searches fetch each
// node's record through nr, and its vector from the view (the view's own
// memory, or, when the view reads its vectors in place, a copy; those stay
// in the file), the first time they reach it. An int8 graph over vectors
// read in place keeps no copy: it walks with its codes alone and reads
// the vectors of the candidates it rescores in place, as the exact scan
// does.
func (v *View) lazyIndex(meta []byte, nr *storage.NodeReader) (*ann.Index, error) {
	fetch := func(ids []uint32, pos []int, vecs []float32, recs [][]byte) error {
		if vecs != nil {
			if err := v.file.vectorsInto(pos, vecs); err != nil {
				return err
			}
		}
		return nr.Nodes(ids, recs)
	}
	if v.file == nil {
		return ann.LoadLazy(meta, v.idList(), v.data, v.posOfID, fetch)
	}
	// The functions refer to v, so that the view, whose pin the reads
	// need, lives as long as the graph.
	return ann.LoadLazyInPlace(meta, v.idList(), v.posOfID, fetch, func(pos []int, each func(int, []float32)) error {
		return v.file.eachVector(pos, v.dim, each)
	})
}

// statsIndex returns the graph SHOW STATS measures: the one searches use,
// filled whole first when it was opened lazily (as the background fill
// would fill it); when a node fails to fill, the graph loaded whole, which
// reports the damage. (Rows that are no node, such as the zero vectors a
// cosine graph leaves out, fail to fill too; they do not count.)
func (v *View) statsIndex() (*ann.Index, error) {
	idx, err := v.loadedIndex()
	if err != nil || idx == nil || !idx.Lazy() {
		return idx, err
	}
	for next := 0; next < idx.Slots(); {
		next, _ = idx.FillNext(next, fillBatch)
	}
	if idx.Filled() != idx.Len() {
		return v.fullIndex()
	}
	return idx, nil
}

// posOfID maps a storage row id to its position: the id itself when the
// ids are 0 … Len-1 (no row deleted), through a dense table when ids are
// not too sparse, else through a coarse table of where each range
// of ids starts and a binary search within the range (ids are sorted);
// both tables are built once per view.
func (v *View) posOfID(id uint32) (int, bool) {
	v.byIDOnce.Do(v.buildByID)
	if v.idsDense {
		return int(id), int64(id) < int64(v.rows)
	}
	if v.byID != nil {
		if int(id) < len(v.byID) {
			if p := v.byID[id]; p >= 0 {
				return int(p), true
			}
		}
		return 0, false
	}
	lo, hi := 0, len(v.ids)
	if b := int(id >> v.byRangeShift); b+1 < len(v.byRange) {
		lo, hi = int(v.byRange[b]), int(v.byRange[b+1])
	} else if v.byRange != nil {
		return 0, false
	}
	i := lo + sort.Search(hi-lo, func(i int) bool { return v.ids[lo+i] >= id })
	if i < hi && v.ids[i] == id {
		return i, true
	}
	return 0, false
}

func (v *View) buildByID() {
	if v.denseIDs || len(v.ids) == 0 { // denseIDs: idsDense is set
		return
	}
	maxID := int(v.ids[len(v.ids)-1])
	if v.ids[0] == 0 && maxID == len(v.ids)-1 {
		v.idsDense = true // sorted and distinct: ids[p] == p
		return
	}
	if maxID > 2*len(v.ids)+1024 {
		// Sparse after many deletes: byRange[b] is the position of the
		// first id of at least b<<shift, with at most about two ranges
		// per row.
		shift := uint(0)
		for maxID>>shift > 2*len(v.ids) {
			shift++
		}
		t := make([]int32, maxID>>shift+2)
		b := 0
		for p, id := range v.ids {
			for ; b <= int(id>>shift); b++ {
				t[b] = int32(p)
			}
		}
		for ; b < len(t); b++ {
			t[b] = int32(len(v.ids))
		}
		v.byRange, v.byRangeShift = t, shift
		return
	}
	t := make([]int32, maxID+1)
	for i := range t {
		t[i] = -1
	}
	for p, id := range v.ids {
		t[id] = int32(p)
	}
	v.byID = t
}

// syncIndex applies the row changes of a write transaction to the loaded
// graph and writes the node records that changed, in the same transaction.
func syncIndex(idx *ann.Index, c *storage.Coll) error {
	put, del := c.Changes()
	if len(del) > 0 {
		idx.DeleteBatch(del)
	}
	for _, id := range put {
		r, err := c.GetID(id)
		if err != nil {
			if errors.Is(err, ErrKeyNotFound) {
				continue // written then deleted in the same transaction
			}
			return err
		}
		if err := idx.Insert(id, r.Vector); err != nil {
			return fmt.Errorf("index insert of %q: %w", r.Key, err)
		}
	}
	for _, id := range idx.TakeDirty() {
		if idx.Contains(id) {
			if err := c.IndexPut(id, idx.MarshalNode(id)); err != nil {
				return err
			}
		} else if err := c.IndexDelete(id); err != nil {
			return err
		}
	}
	return c.IndexPutMeta(idx.MarshalMeta())
}

// SearchPlan says how a nearest-neighbour search runs; EXPLAIN prints it.
type SearchPlan struct {
	Path        string  // "HNSW", "HNSW with filter", "exact scan", "exact scan (filtered)"
	Rows        int     // rows in the collection (or the WITHIN TOP prefix)
	EfSearch    int     // beam width for HNSW paths
	M           int     // the index's M
	Selectivity float64 // estimated fraction of rows passing the filter (1 without one)
	Reason      string  // why this path
	Quantize    string  // "int8" when the graph is walked with int8 codes, else ""
	Rescore     int     // int8: the oversampling factor (k*Rescore candidates at least)
	Rescored    int     // int8: the candidates the walk keeps and rescores with float32
}

// walk describes the distances of an HNSW path for EXPLAIN.
func (p SearchPlan) walk() string {
	if p.Quantize == "" {
		return ""
	}
	return fmt.Sprintf(", %s walk, %d candidates rescored with float32 (rescore=%d)", p.Quantize, p.Rescored, p.Rescore)
}

func (p SearchPlan) String() string {
	switch p.Path {
	case "HNSW":
		return fmt.Sprintf("HNSW search (m=%d, ef_search=%d%s) over %d rows", p.M, p.EfSearch, p.walk(), p.Rows)
	case "HNSW with filter":
		return fmt.Sprintf("HNSW search with filter (m=%d, ef_search=%d%s, estimated selectivity %.3g) over %d rows", p.M, p.EfSearch, p.walk(), p.Selectivity, p.Rows)
	}
	s := fmt.Sprintf("exact scan of %d rows", p.Rows)
	if p.Selectivity < 1 {
		s += fmt.Sprintf(" with filter (estimated selectivity %.3g)", p.Selectivity)
	}
	if p.Reason != "" {
		s += " (" + p.Reason + ")"
	}
	return s
}

// selectivity estimates the fraction of the first n positions that pass
// keep, from an evenly spaced sample of at most 1000 positions.
func selectivity(n int, keep func(int) bool) float64 {
	if n == 0 {
		return 0
	}
	step := max(1, n/1000)
	pass, seen := 0, 0
	for p := step / 2; p < n; p += step {
		seen++
		if keep(p) {
			pass++
		}
	}
	if seen == 0 {
		return 1
	}
	return float64(pass) / float64(seen)
}

// Plan decides how Search will run with these options, without running it.
func (v *View) Plan(k int, opts *SearchOptions) SearchPlan {
	if opts == nil {
		opts = &SearchOptions{}
	}
	n := v.rows
	if opts.WithinTop > 0 && opts.WithinTop < n {
		n = opts.WithinTop
	}
	p := SearchPlan{Path: "exact scan", Rows: n, Selectivity: 1}
	keep := v.keepFunc(opts, n)
	if keep != nil && opts.Filter != nil {
		p.Selectivity = selectivity(n, keep)
	}
	switch {
	case opts.Exact:
		p.Reason = "USING EXACT"
	case v.info.Index == nil:
		p.Reason = "no index"
	case k < 0:
		p.Reason = "NEAREST ALL needs every match"
	case p.Selectivity < exactSelectivity:
		p.Reason = fmt.Sprintf("filter keeps under %g%% of rows", 100*exactSelectivity)
	default:
		p.M = v.info.Index.M
		p.EfSearch = v.efSearch(opts)
		if p.Quantize = v.info.Index.Quantize; p.Quantize != "" {
			// What searchIndex and ann.SearchWith will use.
			want := k + opts.Offset
			p.Rescore = v.info.Index.Rescore
			p.Rescored = ann.Int8Beam(max(p.EfSearch, want), want, p.Rescore)
		}
		p.Path = "HNSW"
		p.Reason = ""
		if keep != nil && p.Selectivity < 1 || opts.Filter != nil {
			p.Path = "HNSW with filter"
		}
	}
	return p
}

func (v *View) efSearch(opts *SearchOptions) int {
	if opts.EfSearch > 0 {
		return opts.EfSearch
	}
	if ef := v.d.efSearch.Load(); ef > 0 {
		return int(ef)
	}
	return v.info.Index.EfSearch
}

// keepFunc combines WithinTop and Filter into one predicate (nil when
// neither restricts).
func (v *View) keepFunc(opts *SearchOptions, n int) func(int) bool {
	limit := opts.WithinTop > 0 && opts.WithinTop < v.rows
	switch {
	case opts.Filter != nil && limit:
		return func(p int) bool { return p < n && opts.Filter(p) }
	case opts.Filter != nil:
		return opts.Filter
	case limit:
		return func(p int) bool { return p < n }
	}
	return nil
}

// searchIndex runs an HNSW search; ok is false when the caller must fall
// back to an exact scan (the graph could not supply k rows that exist).
func (v *View) searchIndex(ctx context.Context, q []float32, k int, opts *SearchOptions, plan SearchPlan) ([]Hit, bool, error) {
	idx, err := v.loadedIndex()
	if err != nil || idx == nil {
		return nil, false, err
	}
	want := k + opts.Offset
	keep := v.keepFunc(opts, plan.Rows)
	// The common case (no filter, no exclusions) searches without a filter
	// callback: ids unknown to this view are dropped below.
	var filter func(id uint32) bool
	switch {
	case keep != nil:
		var excl map[int]bool
		if len(opts.Exclude) > 0 {
			excl = make(map[int]bool, len(opts.Exclude))
			for _, p := range opts.Exclude {
				excl[p] = true
			}
		}
		filter = func(id uint32) bool {
			p, ok := v.posOfID(id)
			return ok && !excl[p] && keep(p)
		}
	case len(opts.Exclude) > 0:
		exclIDs := make(map[uint32]bool, len(opts.Exclude))
		for _, p := range opts.Exclude {
			if p >= 0 && p < v.rows {
				exclIDs[v.ID(p)] = true
			}
		}
		filter = func(id uint32) bool { return !exclIDs[id] }
	}
	ef := max(plan.EfSearch, want)
	var res []ann.Result
	if idx.InPlace() {
		err = v.file.searchGraph(idx, func() (err error) {
			res, err = idx.SearchErr(q, want, ef, v.info.Index.Rescore, filter)
			return err
		})
		if errors.Is(err, errGraphGone) {
			// Evicted meanwhile: the graph from its records.
			if idx, err = v.loadedIndex(); err != nil || idx == nil || idx.InPlace() {
				return nil, false, err
			}
			res, err = idx.SearchErr(q, want, ef, v.info.Index.Rescore, filter)
		}
	} else {
		res, err = idx.SearchErr(q, want, ef, v.info.Index.Rescore, filter)
	}
	if err == nil && idx.Lazy() {
		v.d.startFill(v.st, idx)
	}
	switch {
	case errors.Is(err, storage.ErrStale):
		return nil, false, nil // a lazy graph of a state the file has left
	case errors.Is(err, ann.ErrCorrupt):
		return nil, false, fmt.Errorf("%w: index of %s: %v", ErrCorrupt, v.info.Name, err)
	case err != nil:
		return nil, false, err
	}
	out := make([]Hit, 0, len(res))
	for _, r := range res {
		p, ok := v.posOfID(r.ID)
		if !ok {
			continue
		}
		var sim float32
		switch v.metric {
		case Cosine:
			sim = 1 - r.Distance
		case Dot:
			sim = -r.Distance
		case L2:
			sim = l2Sim(r.Distance)
		}
		if opts.MinSimilarity != nil && sim < *opts.MinSimilarity {
			continue
		}
		out = append(out, v.hit(p, sim))
	}
	// Never silently fewer than k: if the graph gave fewer rows than were
	// asked for although more may match, let the exact scan answer.
	if len(out) < want && opts.MinSimilarity == nil {
		matching := float64(plan.Rows) * plan.Selectivity
		if math.Ceil(matching) > float64(len(out)) {
			return nil, false, nil
		}
	}
	if opts.Offset >= len(out) {
		return []Hit{}, true, nil
	}
	return out[opts.Offset:], true, ctx.Err()
}

// wantIndex decides whether a bulk load (IMPORT, TRAIN) builds an index:
// explicitly asked for or not, else when the collection had one, else from
// AutoIndexRows rows.
func wantIndex(explicit *bool, previous *IndexConfig, rows int) (IndexConfig, bool) {
	cfg := DefaultIndexConfig()
	if previous != nil {
		cfg = *previous
	}
	if explicit != nil {
		return cfg, *explicit
	}
	return cfg, previous != nil || rows >= AutoIndexRows
}

// indexLoad builds a graph over the rows of a bulk load (ids 0..n-1, as the
// Loader assigns them) and hands its records to the loader, so that rows
// and graph are swapped in by the same commit.
func indexLoad(ctx context.Context, l *storage.Loader, metric Metric, dim int, vecs [][]float32, cfg IndexConfig) error {
	if err := checkIndexConfig(&cfg); err != nil {
		return err
	}
	idx := ann.New(dim, annConfig(cfg, metric))
	rows := make([]uint32, len(vecs))
	for i := range rows {
		rows[i] = uint32(i)
	}
	ids, vecs := indexable(metric, rows, vecs)
	prog := newThrottle(ctx)
	err := idx.Build(ctx, ids, vecs, runtime.NumCPU(), func(done, total int) {
		prog.report(Progress{Op: "index", Done: int64(done), Total: int64(total), Unit: "vectors",
			Detail: fmt.Sprintf("HNSW m=%d ef_construction=%d", cfg.M, cfg.EfConstruction)}, done == total)
	})
	if err != nil {
		return err
	}
	idx.TakeDirty()
	for i, id := range ids {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := l.PutIndexNode(id, idx.MarshalNode(id)); err != nil {
			return err
		}
	}
	if seg, err := idx.Segment(rows); err == nil && writeGraphSegments {
		if err := l.PutIndexSegment(seg); err != nil {
			return err
		}
	}
	l.SetIndex(&cfg, idx.MarshalMeta())
	return nil
}

var indexOptions = []optDef{
	{name: "m", kind: optInt, min: 2, max: 128, def: "16", doc: "links per node (memory and recall grow with it)",
		set: bindInt(func(o *indexStatement) *int { return &o.cfg.M })},
	{name: "ef_construction", kind: optInt, min: 1, max: 4096, def: "200", doc: "beam width while building (quality vs build time)",
		set: bindInt(func(o *indexStatement) *int { return &o.cfg.EfConstruction })},
	{name: "ef_search", kind: optInt, min: 1, max: 4096, def: "64", doc: "beam width of searches (recall vs speed); SET ef_search overrides",
		set: bindInt(func(o *indexStatement) *int { return &o.cfg.EfSearch })},
	{name: "threads", kind: optInt, min: 1, max: 1024, def: "all cores, or SET threads", doc: "build goroutines (speed only)",
		set: bindInt(func(o *indexStatement) *int { return &o.threads })},
	{name: "quantize", kind: optWord, def: "'none'", doc: "'int8': keep int8 codes of every vector (one scale per vector, dim+4 bytes; dim+8 for L2) and walk the graph with them; the best candidates are rescored with the float32 vectors",
		set: bindString(func(o *indexStatement) *string { return &o.cfg.Quantize })},
	{name: "rescore", kind: optInt, min: 1, max: ann.MaxRescore, def: fmt.Sprint(ann.DefaultRescore), doc: "int8 only: oversampling factor; the int8 beam keeps max(⌈1.1×ef_search⌉, k×rescore) candidates, all rescored with float32 (the tenth over ef_search keeps recall at equal ef_search at least float32's: on 43k word vectors at ef_search 40, 0.866 against 0.857, where a beam of exactly ef_search gave 0.851)",
		set: bindInt(func(o *indexStatement) *int { return &o.cfg.Rescore })},
}

// indexStatement is what CREATE INDEX's WITH options set.
type indexStatement struct {
	cfg     IndexConfig
	threads int
}

func (c *compiler) compileCreateIndex(s *query.CreateIndex) (Plan, error) {
	if _, err := c.source(s.On, s.NameAt(s.On, s.Pos)); err != nil {
		return nil, err
	}
	kind, err := c.choice(s.Using, []string{"HNSW"}, s.At("word index method", s.Pos), "CREATE INDEX")
	if err != nil {
		return nil, err
	}
	if kind == "" {
		kind = "HNSW"
	}
	opts, err := c.options(s, s.With, indexOptions, "CREATE INDEX")
	if err != nil {
		return nil, err
	}
	if q, ok := opts["quantize"].(string); ok {
		qc := IndexConfig{Quantize: q}
		if err := checkQuantize(&qc); err != nil {
			return nil, errorIs(errdefs.ErrInvalid, s.With["quantize"].Pos, "option quantize must be 'none' or 'int8', got %s", s.With["quantize"].String())
		}
		opts["quantize"] = strings.ToLower(q)
	}
	if _, ok := opts["rescore"]; ok && opts["quantize"] != quantInt8 {
		return nil, errorIs(errdefs.ErrInvalid, s.With["rescore"].Pos, "option rescore needs quantize = 'int8'")
	}
	spec := IndexSpec{Collection: s.On, Kind: kind, Options: opts}
	desc := fmt.Sprintf("CREATE INDEX ON %s USING %s%s", query.QuoteIdent(s.On), kind, optionsText(opts))
	return &backendPlan{desc: desc, pos: s.Pos, run: func(ctx context.Context, d *DB) (*Result, error) { return d.execCreateIndex(ctx, spec) }}, nil
}

func (c *compiler) compileDropIndex(s *query.DropIndex) (Plan, error) {
	if _, err := c.source(s.On, s.NameAt(s.On, s.Pos)); err != nil {
		return nil, err
	}
	return &backendPlan{desc: "DROP INDEX ON " + query.QuoteIdent(s.On), pos: s.Pos, run: func(ctx context.Context, d *DB) (*Result, error) {
		return d.execDropIndex(ctx, s.On)
	}}, nil
}

// IndexSpec is a compiled CREATE INDEX.
type IndexSpec struct {
	Collection string
	Kind       string
	Options    map[string]any
}

func (d *DB) execCreateIndex(ctx context.Context, s IndexSpec) (*Result, error) {
	st := indexStatement{cfg: DefaultIndexConfig(), threads: d.threads()}
	st.cfg.Kind = s.Kind
	if err := bindOptions(indexOptions, s.Options, &st); err != nil {
		return nil, err
	}
	cfg := st.cfg
	if err := d.CreateIndex(ctx, s.Collection, cfg, st.threads); err != nil {
		return nil, err
	}
	return &Result{Message: fmt.Sprintf("created %s index on %s (m=%d, ef_construction=%d, ef_search=%d%s)",
		cfg.Kind, s.Collection, cfg.M, cfg.EfConstruction, cfg.EfSearch, quantText(&cfg))}, nil
}

func (d *DB) execDropIndex(ctx context.Context, name string) (*Result, error) {
	if err := d.DropIndex(ctx, name, false); err != nil {
		return nil, err
	}
	return &Result{Message: "dropped the index on " + name}, nil
}

// The statements this file plans (see register).
func init() {
	register((*compiler).compileCreateIndex, false, writesAlways[*query.CreateIndex])
	register((*compiler).compileDropIndex, false, writesAlways[*query.DropIndex])
}
