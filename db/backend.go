package db

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/vecdb/vecdb/format"
	"github.com/vecdb/vecdb/trainer"
)

// This file implements Backend over a DB and Source over a
// View, so that the language runs on the same engine as the Go API.

// ErrNotBuilt is returned by statements whose engine is not wired into db
// yet (TRAIN, EVALUATE, CREATE INDEX, PROJECT, CLUSTER, ...).
var ErrNotBuilt = errors.New("not built yet")

// settings are the values of SET for one DB, shared by its statements.
type settings struct {
	mu   sync.Mutex
	vals map[string]any
}

func (d *DB) settings() *settings {
	d.setOnce.Do(func() { d.set = &settings{vals: map[string]any{}} })
	return d.set
}

// Setting returns the value of a SET setting (nil when never set).
func (d *DB) Setting(name string) any {
	s := d.settings()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.vals[strings.ToLower(name)]
}

// cachedView returns the loaded read view of a collection, or nil when
// none is loaded (a write drops it, DropCollection forgets the state).
func (d *DB) cachedView(name string) *View {
	d.mu.Lock()
	s := d.colls[name]
	d.mu.Unlock()
	if s == nil {
		return nil
	}
	return s.view.Load()
}

func (d *DB) execCollections() ([]Info, error) { return d.Collections() }

func (d *DB) execSource(name string) (*View, error) {
	if v := d.cachedView(name); v != nil {
		return v, nil
	}
	c, err := d.Collection(name)
	if err != nil {
		return nil, err
	}
	v, err := c.View()
	if err != nil {
		return nil, err
	}
	return v, nil
}

func (d *DB) execCreateCollection(ctx context.Context, s CollectionSpec) (bool, error) {
	if s.IfNotExists {
		if _, err := d.Collection(s.Name); err == nil {
			return false, nil
		}
	}
	_, err := d.CreateCollection(ctx, Spec{Name: s.Name, Dim: s.Dim, Metric: s.Metric, Fields: s.Fields}, false)
	return err == nil, err
}

func (d *DB) execDropCollection(ctx context.Context, name string, ifExists bool) (bool, error) {
	if ifExists {
		if _, err := d.Collection(name); err != nil {
			return false, nil
		}
	}
	return true, d.DropCollection(ctx, name, ifExists)
}

func (d *DB) execInsert(ctx context.Context, name string, rows []Row, upsert bool) (int, error) {
	c, err := d.Collection(name)
	if err != nil {
		return 0, err
	}
	rs := make([]Row, len(rows))
	for i, r := range rows {
		rs[i] = Row{Key: r.Key, Vector: r.Vector, Count: r.Count, Meta: r.Meta}
	}
	if upsert {
		return c.Upsert(ctx, rs...)
	}
	if err := c.Insert(ctx, rs...); err != nil {
		return 0, err
	}
	return len(rs), nil
}

func (d *DB) execUpdateMeta(ctx context.Context, name string, keys []string, values map[string]any) error {
	c, err := d.Collection(name)
	if err != nil {
		return err
	}
	return c.SetMeta(ctx, keys, values)
}

func (d *DB) execDelete(ctx context.Context, name string, keys []string) (int, error) {
	c, err := d.Collection(name)
	if err != nil {
		return 0, err
	}
	return c.Delete(ctx, keys...)
}

func parseFormat(name string, binary bool) (Format, error) {
	switch name {
	case "":
		return format.Auto, nil
	case "GLOVE":
		return format.GloVe, nil
	case "WORD2VEC":
		if binary {
			return format.Word2VecBinary, nil
		}
		return format.Word2VecText, nil
	case "FASTTEXT":
		return format.FastText, nil
	case "CSV":
		return format.CSV, nil
	case "JSONL":
		return format.JSONL, nil
	}
	return format.Auto, invalidf("unknown format %s", name)
}

func (d *DB) execImport(ctx context.Context, s ImportSpec) (*Result, error) {
	f, err := parseFormat(s.Format, s.Binary)
	if err != nil {
		return nil, err
	}
	opts := ImportOptions{Format: f, Limit: s.Limit, Index: s.Index}
	if s.Metric != nil {
		opts.Metric = *s.Metric
	}
	var res *ImportResult
	if s.Catalog {
		res, err = d.ImportCatalog(ctx, s.Collection, s.Path, opts)
	} else {
		res, err = d.Import(ctx, s.Collection, s.Path, opts)
	}
	if err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("imported %d rows into %s (DIM %d, %s)", res.Rows, res.Collection, res.Dim, res.Format)
	if res.Replaced {
		msg += ", replacing its rows"
	}
	return &Result{Message: msg, Stats: Stats{RowsAffected: res.Rows}}, nil
}

func (d *DB) execImportMetadata(ctx context.Context, s MetadataSpec) (*Result, error) {
	opts := MetadataOptions{Key: s.Key, Header: s.Header, Columns: s.Columns, Delimiter: s.Delimiter}
	res, err := d.ImportMetadata(ctx, s.Collection, s.Path, opts)
	if err != nil {
		return nil, err
	}
	return &Result{Message: res.String(), Stats: Stats{RowsAffected: res.Rows}}, nil
}

func (d *DB) execExport(ctx context.Context, s ExportSpec) (*Result, error) {
	f, err := parseFormat(s.Format, s.Binary)
	if err != nil {
		return nil, err
	}
	n, err := d.Export(ctx, s.Collection, s.Path, f)
	if err != nil {
		return nil, err
	}
	return &Result{Message: fmt.Sprintf("exported %d rows of %s to %s", n, s.Collection, s.Path), Stats: Stats{RowsAffected: n}}, nil
}

func (d *DB) execStats(name string) (*Result, error) {
	c, err := d.Collection(name)
	if err != nil {
		return nil, err
	}
	v, err := c.View()
	if err != nil {
		return nil, err
	}
	in := v.Info()
	vecBytes := int64(v.Len()) * int64(v.Dim()) * 4
	total := d.FileSize()
	var all int64
	infos, _ := d.Collections()
	for _, x := range infos {
		all += int64(x.Rows) * int64(x.Dim) * 4
	}
	share := 0.0
	if all > 0 && total > 0 {
		share = float64(vecBytes) / float64(all)
	}
	res := &Result{Columns: []string{"stat", "value"}}
	add := func(k string, v any) { res.Rows = append(res.Rows, []any{k, fmt.Sprint(v)}) }
	add("rows", v.Len())
	add("dim", v.Dim())
	add("vector_bytes", vecBytes)
	add("file_bytes", total)
	add("file_share", fmt.Sprintf("%.1f%%", 100*share))
	if in.Index == nil {
		add("index", "none")
	} else {
		add("index", fmt.Sprintf("%s m=%d ef_construction=%d ef_search=%d", in.Index.Kind, in.Index.M, in.Index.EfConstruction, in.Index.EfSearch))
		if idx, err := v.loadedIndex(); err == nil && idx != nil {
			add("index_nodes", idx.Len())
			add("index_deleted_fraction", fmt.Sprintf("%.4f", idx.DeletedFraction()))
		}
	}
	return res, nil
}

func (d *DB) execCheck(ctx context.Context, name string) (*Result, error) {
	rep, err := d.Check(ctx, name)
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: []string{"check", "result"}}
	for _, c := range rep.Checks {
		res.Rows = append(res.Rows, []any{c.Name, c.Result})
	}
	if !rep.OK() {
		return res, fmt.Errorf("%w: %s failed its check: %s", ErrCorrupt, name, strings.Join(rep.Problems(), "; "))
	}
	return res, nil
}

func (d *DB) execSet(name string, value any) error {
	s := d.settings()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.vals[name] = value
	if name == "ef_search" {
		if n, ok := value.(int); ok {
			return d.SetEfSearch(n)
		}
	}
	return nil
}

func (d *DB) threads() int {
	if n, ok := d.Setting("threads").(int); ok {
		return n
	}
	return 0
}

func notBuilt(what string) error { return fmt.Errorf("%s is %w", what, ErrNotBuilt) }

func (d *DB) execTrain(ctx context.Context, s TrainSpec) (*Result, error) {
	cfg := trainer.DefaultConfig()
	o := s.Options
	setInt := func(name string, dst *int) {
		if v, ok := o[name].(int); ok {
			*dst = v
		}
	}
	setFloat := func(name string, dst *float64) {
		if v, ok := o[name].(float64); ok {
			*dst = v
		} else if v, ok := o[name].(int); ok {
			*dst = float64(v)
		}
	}
	setInt("dim", &cfg.Dim)
	setInt("window", &cfg.Window)
	setInt("negative", &cfg.Negative)
	setInt("min_count", &cfg.MinCount)
	setInt("max_vocab", &cfg.MaxVocab)
	setInt("epochs", &cfg.Epochs)
	cfg.Threads = max(cfg.Threads, d.threads())
	setInt("threads", &cfg.Threads)
	setFloat("sample", &cfg.Sample)
	setFloat("alpha", &cfg.Alpha)
	setFloat("min_alpha", &cfg.MinAlpha)
	setFloat("ns_exponent", &cfg.NsExponent)
	if v, ok := o["seed"].(int); ok {
		cfg.Seed = int64(v)
	}
	if v, ok := o["shrink_window"].(bool); ok {
		cfg.ShrinkWindow = &v
	}
	setOpt(o, "whole_sequence", &cfg.WholeSequenceWindow)
	setOpt(o, "shuffle", &cfg.ShuffleSequences)
	cfg.CBOW = s.Method == "CBOW"
	topts := TrainOptions{Config: cfg}
	if v, ok := o["continue"].(bool); ok {
		topts.Continue = v
		if v {
			if _, given := o["dim"]; !given {
				topts.Config.Dim = 0 // take the collection's
			}
		}
	}
	if v, ok := o["index"].(bool); ok {
		topts.Index = &v
	}
	if w, ok := o["watch"].(string); ok {
		pairs, err := parseWatch(w)
		if err != nil {
			return nil, err
		}
		topts.Watch = pairs
	}
	var res *TrainResult
	ev, err := eventLogOptions(o)
	if err != nil {
		return nil, err
	}
	if ev != nil {
		if _, perr := d.ResolvePath(s.Path, false); perr != nil {
			return nil, perr
		}
		ev.Open = d.openRead
		res, err = d.Train(ctx, s.Collection, trainer.EventLogSource(s.Path, *ev), topts)
	} else {
		res, err = d.TrainFile(ctx, s.Collection, s.Path, topts)
	}
	if err != nil {
		return nil, err
	}
	out := &Result{Message: fmt.Sprintf("trained %s: %d keys, %d words × %d epochs in %.1fs (%.0f words/s)",
		res.Collection, res.Keys, res.Words, res.Epochs, res.Seconds, res.WordsPerSec), Stats: Stats{RowsAffected: res.Keys}}
	if res.SkippedTokens > 0 {
		out.Message += fmt.Sprintf("; %d tokens longer than %d bytes skipped", res.SkippedTokens, trainer.MaxTokenBytes)
	}
	if len(topts.Watch) > 0 {
		out.Columns = []string{"epoch", "pair", "cosine"}
		for _, h := range res.History {
			for _, w := range h.Watch {
				var c any
				if w.Known {
					c = w.Cosine
				}
				out.Rows = append(out.Rows, []any{int64(h.Epoch), w.A + ":" + w.B, c})
			}
		}
	}
	return out, nil
}

func (d *DB) execEvaluate(ctx context.Context, s EvaluateSpec) (*Result, error) {
	var opts EvaluateOptions
	setOpt(s.Options, "restrict_vocab", &opts.RestrictVocab)
	if ci, ok := s.Options["case_insensitive"].(bool); ok {
		opts.CaseSensitive = !ci
	}
	if s.Kind == "PAIRS" {
		r, err := d.EvaluatePairs(ctx, s.Collection, s.Path, opts)
		if err != nil {
			return nil, err
		}
		return &Result{Columns: []string{"pairs", "pearson", "spearman", "oov_percent"},
			Rows: [][]any{{int64(r.Pairs), r.Pearson, r.Spearman, r.OOVRatio}}}, nil
	}
	r, err := d.EvaluateAnalogies(ctx, s.Collection, s.Path, opts)
	if err != nil {
		return nil, err
	}
	// The sections end with gensim's "Total accuracy" line.
	res := &Result{Columns: []string{"section", "correct", "total", "accuracy"}}
	for _, sec := range r.Sections {
		res.Rows = append(res.Rows, []any{sec.Name, int64(sec.Correct), int64(sec.Total), sec.Accuracy()})
	}
	res.Message = fmt.Sprintf("accuracy %.4f on %d questions (%.1f%% skipped for unknown words)", r.Accuracy, r.Questions, r.OOVRatio)
	return res, nil
}

func (d *DB) execProject(ctx context.Context, s ProjectSpec) (*Result, error) {
	if s.Axis != nil {
		return d.execProjectOnto(ctx, s)
	}
	opts := ProjectOptions{Method: s.Method, ColorBy: s.ColorBy}
	setOpt(s.Options, "dims", &opts.Dims)
	if v, ok := s.Options["seed"].(int); ok {
		opts.Seed = int64(v)
	}
	setOpt(s.Options, "perplexity", &opts.Perplexity)
	setOpt(s.Options, "iterations", &opts.Iterations)
	setOpt(s.Options, "width", &opts.Width)
	setOpt(s.Options, "height", &opts.Height)
	setOpt(s.Options, "title", &opts.Title)
	p, err := d.Project(ctx, s.Collection, s.Keys, opts)
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: []string{"key"}}
	dims := 0
	if len(p.Coords) > 0 {
		dims = len(p.Coords[0])
	}
	for i := 0; i < dims; i++ {
		res.Columns = append(res.Columns, string(rune('x'+i)))
	}
	if p.Groups != nil {
		res.Columns = append(res.Columns, "group")
	}
	for i, k := range p.Keys {
		row := []any{k}
		for _, c := range p.Coords[i] {
			row = append(row, c)
		}
		if p.Groups != nil {
			row = append(row, p.Groups[i])
		}
		res.Rows = append(res.Rows, row)
	}
	if s.To != "" {
		if err := d.writeOutput(s.To, func(w io.Writer) error { return p.Write(w, s.To) }); err != nil {
			return nil, err
		}
		res.Message = fmt.Sprintf("wrote %s (%s of %d keys)", s.To, p.Method, len(p.Keys))
	}
	return res, nil
}

// projectOnto is PROJECT (keys) ONTO axis: each key's cosine with the axis.
func (d *DB) execProjectOnto(ctx context.Context, s ProjectSpec) (*Result, error) {
	a, err := d.ProjectOntoAxis(ctx, s.Collection, s.Keys, s.Axis, s.AxisNeg, s.AxisPos)
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: []string{"key", "projection"}}
	for i, k := range a.Keys {
		res.Rows = append(res.Rows, []any{k, a.Positions[i]})
	}
	if s.To != "" {
		if err := d.writeOutput(s.To, func(w io.Writer) error { return a.Write(w, s.To) }); err != nil {
			return nil, err
		}
		res.Message = fmt.Sprintf("wrote %s (%d keys on the axis)", s.To, len(a.Keys))
	}
	return res, nil
}

func (d *DB) execCluster(ctx context.Context, s ClusterSpec) (*Result, error) {
	opts := ClusterOptions{Filter: s.Filter, Threads: d.threads()}
	setOpt(s.Options, "iterations", &opts.Iterations)
	if v, ok := s.Options["seed"].(int); ok {
		opts.Seed = int64(v)
	}
	setOpt(s.Options, "top", &opts.Top)
	setOpt(s.Options, "threads", &opts.Threads)
	setOpt(s.Options, "save_as", &opts.SaveAs)
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

func (d *DB) execCreateIndex(ctx context.Context, s IndexSpec) (*Result, error) {
	cfg := DefaultIndexConfig()
	cfg.Kind = s.Kind
	setOpt(s.Options, "m", &cfg.M)
	setOpt(s.Options, "ef_construction", &cfg.EfConstruction)
	setOpt(s.Options, "ef_search", &cfg.EfSearch)
	threads := d.threads()
	setOpt(s.Options, "threads", &threads)
	if err := d.CreateIndex(ctx, s.Collection, cfg, threads); err != nil {
		return nil, err
	}
	return &Result{Message: fmt.Sprintf("created %s index on %s (m=%d, ef_construction=%d, ef_search=%d)",
		cfg.Kind, s.Collection, cfg.M, cfg.EfConstruction, cfg.EfSearch)}, nil
}

func (d *DB) execDropIndex(ctx context.Context, name string) (*Result, error) {
	if err := d.DropIndex(ctx, name, false); err != nil {
		return nil, err
	}
	return &Result{Message: "dropped the index on " + name}, nil
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
	opts := RecommendOptions{Filter: s.Filter}
	if r, ok := s.Options["recency"].(float64); ok {
		opts.Recency = r
	}
	hits, err := v.Recommend(ctx, s.History, s.K, opts)
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: []string{"rank", "key", "similarity"}}
	for _, f := range v.Info().Fields {
		res.Columns = append(res.Columns, f.Name)
	}
	for i, h := range hits {
		row := []any{int64(i + 1), h.Key, float64(h.Similarity)}
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

func (d *DB) execCreateUsers(ctx context.Context, s UsersSpec) (*Result, error) {
	var opts UsersOptions
	setOpt(s.Options, "min_items", &opts.MinItems)
	setOpt(s.Options, "recency", &opts.Recency)
	setOpt(s.Options, "key_prefix", &opts.KeyPrefix)
	ev, err := eventLogOptions(s.Options)
	if err != nil {
		return nil, err
	}
	opts.EventLog = ev
	res, err := d.CreateUsersFromFile(ctx, s.Name, s.Items, s.Path, opts)
	if err != nil {
		return nil, err
	}
	return &Result{Message: res.String(), Stats: Stats{RowsAffected: res.Users}}, nil
}

// parseWatch reads WITH (watch = 'king:queen, cat:dog').
func parseWatch(s string) ([][2]string, error) {
	var out [][2]string
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		a, b, ok := strings.Cut(part, ":")
		a, b = strings.TrimSpace(a), strings.TrimSpace(b)
		if !ok || a == "" || b == "" {
			return nil, invalidf("watch wants pairs like 'king:queen, cat:dog', got %q", part)
		}
		out = append(out, [2]string{a, b})
	}
	return out, nil
}

// eventLogOptions reads WITH (sequence_by = 'userId', order_by = 'timestamp',
// item = 'movieId' [, delimiter = ',']): nil when the input is a plain
// sequences file.
func eventLogOptions(o map[string]any) (*trainer.EventLogOptions, error) {
	seqBy, ok := o["sequence_by"].(string)
	if !ok {
		for _, name := range []string{"order_by", "item", "delimiter"} {
			if _, ok := o[name]; ok {
				return nil, invalidf("%s goes with sequence_by (reading an event log)", name)
			}
		}
		return nil, nil
	}
	ev := &trainer.EventLogOptions{SequenceBy: seqBy}
	ev.OrderBy, _ = o["order_by"].(string)
	ev.Item, _ = o["item"].(string)
	if ev.Item == "" {
		return nil, invalidf("an event log needs item = 'column' with sequence_by")
	}
	if d, ok := o["delimiter"].(string); ok {
		r := []rune(d)
		if len(r) != 1 {
			return nil, invalidf("delimiter must be one character, got %q", d)
		}
		ev.Delimiter = r[0]
	}
	return ev, nil
}

// setOpt copies a compiled WITH option into dst when it was given (the
// compiler has already checked its type and range).
func setOpt[T any](o map[string]any, name string, dst *T) {
	if v, ok := o[name].(T); ok {
		*dst = v
	}
}
