package db

import (
	"context"
	"fmt"

	"github.com/vecdb/vecdb/analysis"
	"github.com/vecdb/vecdb/internal/errdefs"
	"github.com/vecdb/vecdb/query"
	"github.com/vecdb/vecdb/storage"
)

// ClusterOptions configure Cluster. The zero value clusters every row with
// 25 iterations and seed 1.
type ClusterOptions struct {
	// Iterations is the most Lloyd iterations; 0 means 25. Clustering stops
	// earlier when no row changes cluster.
	Iterations int
	// Seed seeds the k-means++ initialisation and the silhouette sample;
	// 0 means 1. Equal seeds give equal results whatever Threads is.
	Seed int64
	// Top, when positive, clusters only the first Top keys in frequency
	// order (gensim's restrict_vocab); Filter then applies to those.
	Top int
	// Filter, when set, keeps only the positions of the view for which it
	// returns true (a WHERE compiled by the language).
	Filter func(pos int) bool
	// SaveAs, when not empty, stores each clustered key's cluster id as an
	// INT metadata field of that name, adding the field when it is missing.
	// It is an error when the field exists with another type. All values
	// are written in one transaction: all of them or, on any error or
	// cancellation, none. Rows that were not clustered keep their values.
	SaveAs string
	// Threads is the number of goroutines of the assignment step; 0 means
	// runtime.GOMAXPROCS(0).
	Threads int
}

// ClusterResult is the outcome of Cluster. Keys, Cluster and Distance are
// parallel, in frequency order.
type ClusterResult struct {
	Keys []string
	// Cluster holds each key's cluster, 0..k-1.
	Cluster []int
	// Distance holds each key's distance to its cluster's centroid: 1−cos
	// for COSINE collections, Euclidean otherwise.
	Distance []float32
	// Inertia is the sum of the squared distances.
	Inertia float64
	// Silhouette is the mean silhouette coefficient (−1..1, higher is better
	// separated) on a seeded sample of at most 2000 keys; 0 when k is 1.
	Silhouette float64
	// Iterations is the number of Lloyd iterations run.
	Iterations int
	// Sizes holds the number of keys in each cluster.
	Sizes []int
}

// Cluster groups the rows of the named collection into k clusters with
// k-means (k-means++ seeding, then Lloyd iterations). COSINE collections
// use spherical k-means: unit vectors, assignment by cosine, unit-length
// centroids. L2 and DOT collections use Euclidean k-means on the vectors as
// stored; there is no "dot-product k-means", and the Euclidean objective is
// what FAISS and scikit-learn minimise for such data.
//
// Progress is reported through the context's WithProgress callback with Op
// "cluster", one step per iteration (Detail holds the inertia), a final
// report with Done == Total, and one with Detail "saving" before SaveAs is
// written.
//
// It returns an error wrapping ErrCollectionNotFound for an unknown
// collection, ErrInvalid unless 1 ≤ k ≤ the number of rows clustered,
// ErrFieldType when SaveAs names a field that is not INT, ErrReadOnly for
// SaveAs on a read-only database, and ctx.Err() when cancelled (in which
// case nothing is written). Cluster is safe for concurrent use.
func (d *DB) Cluster(ctx context.Context, name string, k int, opts ClusterOptions) (*ClusterResult, error) {
	v, err := d.viewOf(name)
	if err != nil {
		return nil, err
	}
	return d.ClusterView(ctx, v, k, opts)
}

// ClusterView is Cluster on a given view of a collection, so that
// opts.Filter's positions refer to the view it was compiled against.
// SaveAs writes by key to the collection's current state; keys deleted
// since the view was taken are skipped.
func (d *DB) ClusterView(ctx context.Context, v *View, k int, opts ClusterOptions) (*ClusterResult, error) {
	if k <= 0 {
		return nil, fmt.Errorf("cluster: %w: the number of clusters must be positive, got %d", ErrInvalid, k)
	}
	if opts.Top < 0 {
		return nil, fmt.Errorf("cluster: %w: top must be >= 0, got %d", ErrInvalid, opts.Top)
	}
	if opts.SaveAs != "" {
		if d.ReadOnly() {
			return nil, fmt.Errorf("cluster: save as %s: %w", opts.SaveAs, ErrReadOnly)
		}
		if i := v.FieldIndex(opts.SaveAs); i >= 0 && v.info.Fields[i].Type != Int {
			f := v.info.Fields[i]
			return nil, fmt.Errorf("cluster: %w: field %s of %s is %s, cluster ids need INT", ErrFieldType, f.Name, v.info.Name, f.Type)
		}
	}
	pos := v.selectPositions(opts.Top, opts.Filter)
	if len(pos) == 0 {
		return nil, fmt.Errorf("cluster: %w: no rows of %s to cluster", ErrInvalid, v.info.Name)
	}
	if k > len(pos) {
		return nil, invalidf("cannot make %d clusters of %d rows (at most one cluster per row)", k, len(pos))
	}
	iters := opts.Iterations
	if iters <= 0 {
		iters = 25
	}
	seed := opts.Seed
	if seed == 0 {
		seed = 1
	}
	prog := newThrottle(ctx)
	km, err := analysis.KMeans(ctx, v.gather(pos), v.dim, k, analysis.KMeansOptions{
		Iterations: iters,
		Seed:       seed,
		Spherical:  v.metric == Cosine,
		Threads:    opts.Threads,
		Progress: func(it int, inertia float64) {
			prog.report(Progress{Op: "cluster", Done: int64(it), Total: int64(iters), Unit: "iterations",
				Detail: fmt.Sprintf("inertia %.6g", inertia)}, it == iters)
		},
	})
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, fmt.Errorf("cluster %s: %w", v.info.Name, err)
	}
	res := &ClusterResult{
		Keys:       make([]string, len(pos)),
		Cluster:    km.Assign,
		Distance:   km.Distance,
		Inertia:    km.Inertia,
		Silhouette: km.Silhouette,
		Iterations: km.Iterations,
		Sizes:      make([]int, k),
	}
	for i, p := range pos {
		res.Keys[i] = v.Key(p)
		res.Sizes[km.Assign[i]]++
	}
	prog.report(Progress{Op: "cluster", Done: int64(iters), Total: int64(iters), Unit: "iterations",
		Detail: fmt.Sprintf("%d iterations, inertia %.6g", km.Iterations, km.Inertia)}, true)
	if opts.SaveAs != "" {
		prog.report(Progress{Op: "cluster", Done: int64(iters), Total: int64(iters), Unit: "iterations", Detail: "saving"}, true)
		if err := d.saveClusters(ctx, v.info.Name, opts.SaveAs, res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// saveClusters writes res's cluster ids into the INT field name of the
// collection in one transaction, adding the field when it is missing.
func (d *DB) saveClusters(ctx context.Context, coll, name string, res *ClusterResult) error {
	err := d.update(ctx, coll, func(sc *storage.Coll) error {
		m := sc.Meta()
		fi := m.FieldIndex(name)
		if fi < 0 {
			if err := sc.AddField(Field{Name: name, Type: Int}); err != nil {
				return err
			}
			fi = m.FieldIndex(name)
		} else if t := m.Fields[fi].Type; t != Int {
			return fmt.Errorf("%w: field %s of %s is %s, cluster ids need INT", ErrFieldType, m.Fields[fi].Name, coll, t)
		}
		nf := len(m.Fields)
		for i, key := range res.Keys {
			if i%1000 == 999 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			id, ok := sc.ID(key)
			if !ok {
				continue // deleted since the view was taken
			}
			r, err := sc.GetID(id)
			if err != nil {
				return err
			}
			meta := make([]any, nf)
			copy(meta, r.Meta)
			meta[fi] = int64(res.Cluster[i])
			if err := sc.SetMeta(id, meta); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		return fmt.Errorf("cluster: save as %s: %w", name, err)
	}
	return nil
}

// selectPositions returns the positions among the first top rows (all rows
// when top is 0) that pass filter (all when nil), in frequency order.
func (v *View) selectPositions(top int, filter func(int) bool) []int {
	n := v.rows
	if top > 0 && top < n {
		n = top
	}
	pos := make([]int, 0, n)
	for i := range n {
		if filter == nil || filter(i) {
			pos = append(pos, i)
		}
	}
	return pos
}

// gather returns the search vectors (unit for COSINE, raw otherwise) at pos
// as one row-major matrix. When pos is 0..n-1 it shares the view's storage;
// the caller must not modify the result.
func (v *View) gather(pos []int) []float32 {
	contiguous := true
	for i, p := range pos {
		if p != i {
			contiguous = false
			break
		}
	}
	if contiguous && v.file == nil {
		return v.data[: len(pos)*v.dim : len(pos)*v.dim]
	}
	out := make([]float32, 0, len(pos)*v.dim)
	for _, p := range pos {
		out = append(out, v.SearchVector(p)...)
	}
	return out
}

var clusterOptions = []optDef{
	{name: "iterations", kind: optInt, min: 1, max: 100000, def: "25", doc: "most Lloyd iterations (stops earlier when nothing moves)",
		set: bindInt(func(o *ClusterOptions) *int { return &o.Iterations })},
	{name: "seed", kind: optInt, min: 0, def: "1", doc: "seeds k-means++ and the silhouette sample",
		set: bindInt64(func(o *ClusterOptions) *int64 { return &o.Seed })},
	{name: "top", kind: optInt, min: 1, def: "all", doc: "cluster only the most frequent keys",
		set: bindInt(func(o *ClusterOptions) *int { return &o.Top })},
	{name: "save_as", kind: optString, def: "", doc: "store each key's cluster in this INT field",
		set: bindString(func(o *ClusterOptions) *string { return &o.SaveAs })},
	{name: "threads", kind: optInt, min: 1, max: 1024, def: "all cores, or SET threads", doc: "goroutines of the assignment step (results do not depend on it)",
		set: bindInt(func(o *ClusterOptions) *int { return &o.Threads })},
}

func (c *compiler) compileCluster(s *query.Cluster) (Plan, error) {
	src, err := c.source(s.Collection, s.NameAt(s.Collection, s.Pos))
	if err != nil {
		return nil, err
	}
	if s.K < 1 {
		return nil, errorIs(errdefs.ErrInvalid, s.At("num the number of clusters", s.Pos), "the number of clusters must be positive, got %d", s.K)
	}
	opts, err := c.options(s, s.With, clusterOptions, "CLUSTER")
	if err != nil {
		return nil, err
	}
	where, err := c.where(src, s.Where, false)
	if err != nil {
		return nil, err
	}
	spec := ClusterSpec{Collection: s.Collection, K: s.K, Options: opts}
	if where != nil {
		spec.Filter = func(pos int) bool { r := row{src: src, pos: pos}; return where.fn(&r) }
	}
	desc := fmt.Sprintf("CLUSTER %s INTO %d (k-means)%s", query.QuoteIdent(s.Collection), s.K, optionsText(opts))
	if where != nil {
		desc += "\n  filter: " + where.text
	}
	return &backendPlan{desc: desc, pos: s.Pos, run: func(ctx context.Context, d *DB) (*Result, error) { return d.execCluster(ctx, spec) }}, nil
}

// ClusterSpec is a compiled CLUSTER. Filter, when set, keeps positions of
// the source that pass the WHERE.
type ClusterSpec struct {
	Collection string
	K          int
	Filter     func(pos int) bool
	Options    map[string]any
}

func (d *DB) execCluster(ctx context.Context, s ClusterSpec) (*Result, error) {
	opts := ClusterOptions{Filter: s.Filter, Threads: d.threads()}
	if err := bindOptions(clusterOptions, s.Options, &opts); err != nil {
		return nil, err
	}
	r, err := d.Cluster(ctx, s.Collection, s.K, opts)
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: []string{"key", "cluster", "distance"}}
	for i, k := range r.Keys {
		res.Rows = append(res.Rows, []any{k, int64(r.Cluster[i]), float64(r.Distance[i])})
	}
	res.Message = fmt.Sprintf("%d clusters of %d keys: inertia %.4g, silhouette %.4f, %d iterations", s.K, len(r.Keys), r.Inertia, r.Silhouette, r.Iterations)
	if opts.SaveAs != "" {
		res.Message += fmt.Sprintf("; labels saved in field %s", opts.SaveAs)
	}
	return res, nil
}

// The statements this file plans (see register).
func init() {
	register((*compiler).compileCluster, true, func(s *query.Cluster) bool { _, saves := s.With["save_as"]; return saves })
}
