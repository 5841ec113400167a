package db

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vecdb/vecdb/internal/vec"
	"github.com/vecdb/vecdb/query"
	"github.com/vecdb/vecdb/storage"
	"github.com/vecdb/vecdb/trainer"
)

// This file runs EVALUATE RECOMMEND: the offline measure of a
// recommender (trainer.HoldoutLast, trainer.EvaluateRecommender) on a
// collection's own training settings, beside the popularity baseline.

// EvaluateRecommendOptions are the settings of EvaluateRecommend (the WITH
// options of EVALUATE RECOMMEND). The zero value holds the last item of
// each sequence out, retrains with the collection's recorded settings and
// scores the top 10.
type EvaluateRecommendOptions struct {
	// K is the cut-off: each history gets K recommendations; 0 means 10.
	K int
	// Holdout is "last" (the default: the last Last items of each
	// sequence) or "time" (every event at or after a time; the source must
	// be a *trainer.EventLog with a numeric OrderBy column, made with
	// EventLogOptions.KeepOrder).
	Holdout string
	// Last is how many items of each sequence are held out; 0 means 1.
	Last int
	// SplitAt is the time of a time split: events whose order value is at
	// least SplitAt are held out. Nil uses SplitFraction.
	SplitAt *float64
	// SplitFraction is the share of the latest events a time split holds
	// out when SplitAt is nil; 0 means 0.2.
	SplitFraction float64
	// MaxCases scores at most this many test cases, a sample drawn with
	// Seed (bench/items scores 2000); 0 scores every one. Training always
	// uses every sequence.
	MaxCases int
	// Seed seeds training and the sample of MaxCases; nil takes the
	// collection's recorded seed (1 when none).
	Seed *int64
	// NoTrain scores the collection as it is, on histories and targets
	// split from the source, instead of training a model on the rest of
	// the source: the source is then a held-out file. The popularity
	// baseline and the catalogue are then the collection's keys and
	// counts.
	NoTrain bool
	// Recency, Popularity and Repeats are RECOMMEND's weights for the
	// model (see RecommendOptions); nil takes the collection's defaults
	// (View.RecommendDefaults). With Repeats > 0 the model may recommend
	// a history's own items; the popularity baseline still leaves them
	// out.
	Recency, Popularity, Repeats *float64
	// Threads trains with that many goroutines; 0 means 1, which keeps the
	// result reproducible.
	Threads int
	// SaveAs, when not "", stores the trained model as a new collection of
	// that name (atomically, with its settings recorded as TRAIN records
	// them). Nothing else persists.
	SaveAs string
}

// RecommendEvaluation is what EvaluateRecommend measured.
type RecommendEvaluation struct {
	Collection string
	K          int
	// Model is the recommender's figures (RECOMMEND on the trained model,
	// or on the collection with NoTrain), Popularity the baseline's, on the
	// same test cases.
	Model, Popularity trainer.RecMetrics
	// Sequences is the number of sequences read; Skipped of them were too
	// short to hold anything out (or, in a time split, wholly after the
	// cut). Cases test cases were scored (fewer than the eligible ones
	// with MaxCases).
	Sequences, Skipped, Cases int
	// ColdTargets counts held-out items that the model has no vector for
	// (no training events, or fewer than min_count): no model can rank
	// them. Fallback counts histories with no item the model knows, which
	// were given the popularity list (as bench/items does).
	ColdTargets, Fallback int
	// Keys is the number of keys of the model scored; Catalog the number
	// of distinct items the baseline and coverage count.
	Keys, Catalog int
	// Config is the training configuration (zero with NoTrain); Recency,
	// PopularityWeight and Repeats the RECOMMEND weights used.
	Config                             trainer.Config
	Recency, PopularityWeight, Repeats float64
	// HoldoutAt is the time of a time split.
	HoldoutAt float64
	Seconds   float64
	SavedAs   string
}

// RecommendDefaults are the weights a plain RECOMMEND uses on a
// collection, recorded with it (SetRecommendDefaults; the tuner records
// the best ones).
type RecommendDefaults struct {
	Recency, Popularity, Repeats float64
}

// Params recorded for RecommendDefaults.
const (
	paramRecency    = "recency"
	paramPopularity = "popularity"
	paramRepeats    = "repeats"
)

// recommendParams are the params of RecommendDefaults.
var recommendParams = []string{paramRecency, paramPopularity, paramRepeats}

// RecommendDefaults returns the weights recorded with the collection (zero
// when none were).
func (v *View) RecommendDefaults() RecommendDefaults {
	var r RecommendDefaults
	if x, err := strconv.ParseFloat(v.info.Params[paramRecency], 64); err == nil && x >= 0 && !math.IsInf(x, 0) {
		r.Recency = x
	}
	if x, err := strconv.ParseFloat(v.info.Params[paramPopularity], 64); err == nil && x >= 0 && !math.IsInf(x, 0) {
		r.Popularity = x
	}
	if x, err := strconv.ParseFloat(v.info.Params[paramRepeats], 64); err == nil && x >= 0 && !math.IsInf(x, 0) {
		r.Repeats = x
	}
	return r
}

// SetRecommendDefaults records the weights a plain RECOMMEND on the
// collection uses (shown by DESCRIBE as param recency, param popularity
// and, when not 0, param repeats). All must be finite and >= 0.
func (d *DB) SetRecommendDefaults(ctx context.Context, name string, r RecommendDefaults) error {
	if d.ReadOnly() {
		return ErrReadOnly
	}
	for _, x := range []float64{r.Recency, r.Popularity, r.Repeats} {
		if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
			return invalidf("recommend defaults must be finite numbers >= 0, got %g", x)
		}
	}
	return d.update(ctx, name, func(c *storage.Coll) error {
		m := c.Meta()
		p := make(map[string]string, len(m.Params)+2)
		for k, v := range m.Params {
			p[k] = v
		}
		p[paramRecency] = strconv.FormatFloat(r.Recency, 'g', -1, 64)
		p[paramPopularity] = strconv.FormatFloat(r.Popularity, 'g', -1, 64)
		setRepeatsParam(p, r.Repeats)
		c.SetParams(p, m.Source)
		return nil
	})
}

// setRepeatsParam records the repeats weight in p, or removes it when it
// is 0 (the default: DESCRIBE shows it only when it changes RECOMMEND).
func setRepeatsParam(p map[string]string, w float64) {
	if w == 0 {
		delete(p, paramRepeats)
		return
	}
	p[paramRepeats] = strconv.FormatFloat(w, 'g', -1, 64)
}

// trainedConfig rebuilds the training configuration recorded by TRAIN.
func trainedConfig(name string, p map[string]string) (trainer.Config, error) {
	cfg := trainer.DefaultConfig()
	alg, ok := p["algorithm"]
	if !ok {
		return cfg, invalidf("%s has no recorded training settings (it was not trained by vecdb); use train = false to score it as it is", name)
	}
	cfg.CBOW = alg == "CBOW"
	var bad error
	num := func(key string, dst *int) {
		if s, ok := p[key]; ok {
			n, err := strconv.Atoi(s)
			if err != nil && bad == nil {
				bad = invalidf("%s: recorded %s %q is not a number", name, key, s)
			}
			*dst = n
		}
	}
	flt := func(key string, dst *float64) {
		if s, ok := p[key]; ok {
			x, err := strconv.ParseFloat(s, 64)
			if err != nil && bad == nil {
				bad = invalidf("%s: recorded %s %q is not a number", name, key, s)
			}
			*dst = x
		}
	}
	num("dim", &cfg.Dim)
	if p["window"] == "sequence" {
		cfg.WholeSequenceWindow = true
	} else {
		num("window", &cfg.Window)
	}
	num("negative", &cfg.Negative)
	num("min_count", &cfg.MinCount)
	num("max_vocab", &cfg.MaxVocab)
	num("epochs", &cfg.Epochs)
	flt("sample", &cfg.Sample)
	flt("alpha", &cfg.Alpha)
	flt("min_alpha", &cfg.MinAlpha)
	flt("ns_exponent", &cfg.NsExponent)
	if s, ok := p["seed"]; ok {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil && bad == nil {
			bad = invalidf("%s: recorded seed %q is not a number", name, s)
		}
		cfg.Seed = n
	}
	cfg.ShuffleSequences = p["shuffle"] == "true"
	cfg.Stripes = 1 // collections trained before stripes read in order
	num("stripes", &cfg.Stripes)
	if p["shrink_window"] == "false" {
		f := false
		cfg.ShrinkWindow = &f
	}
	if bad != nil {
		return cfg, bad
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("%w: %s: recorded settings: %v", ErrInvalid, name, err)
	}
	return cfg, nil
}

// readSequences reads every sequence of src as strings, checking ctx.
func readSequences(ctx context.Context, src trainer.Source) ([][]string, error) {
	r, err := src.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out [][]string
	intern := map[string]string{}
	for {
		if len(out)%4096 == 4095 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		toks, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		s := make([]string, len(toks))
		for i, t := range toks {
			k, ok := intern[string(t)]
			if !ok {
				k = string(t)
				intern[k] = k
			}
			s[i] = k
		}
		out = append(out, s)
	}
}

// sampleCases keeps n of the split's test cases, drawn with seed, in their
// order (bench/items's sample: a seeded shuffle of the eligible sequences).
func sampleCases(s *trainer.HoldoutSplit, n int, seed int64) {
	if n <= 0 || len(s.Histories) <= n {
		return
	}
	idx := make([]int, len(s.Histories))
	for i := range idx {
		idx[i] = i
	}
	rng := rand.New(rand.NewSource(seed))
	rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	idx = idx[:n]
	sort.Ints(idx)
	h, t := make([][]string, n), make([][]string, n)
	for i, j := range idx {
		h[i], t[i] = s.Histories[j], s.Targets[j]
	}
	s.Histories, s.Targets = h, t
}

// EvaluateRecommend measures RECOMMEND on the collection name against the
// sequences of src: it holds out the last item(s) of each sequence (or the
// events after a time), trains a model with the collection's recorded
// settings on what remains (unless opts.NoTrain), asks it for K
// recommendations from each history, and reports HR@K, MRR@K, NDCG@K and
// catalogue coverage beside the popularity baseline's (see
// trainer.EvaluateRecommender). Nothing is written unless opts.SaveAs.
// Progress goes to the context's callback; cancelling ctx stops it.
// Errors: ErrInvalid when no sequence is long enough to hold an item out,
// when K exceeds the catalogue, or when the collection has no recorded
// training settings (and NoTrain is not set); ErrCollectionExists when
// SaveAs is taken; ErrReadOnly for SaveAs on a read-only database.
func (d *DB) EvaluateRecommend(ctx context.Context, name string, src trainer.Source, opts EvaluateRecommendOptions) (*RecommendEvaluation, error) {
	start := time.Now()
	c, err := d.Collection(name)
	if err != nil {
		return nil, err
	}
	cv, err := c.View()
	if err != nil {
		return nil, err
	}
	if opts.SaveAs != "" {
		if opts.NoTrain {
			return nil, invalidf("save_as needs a trained model; it does not go with train = false")
		}
		if d.ReadOnly() {
			return nil, ErrReadOnly
		}
		if !storage.ValidName(opts.SaveAs) {
			return nil, invalidf("invalid collection name %q for save_as: use letters, digits and _", opts.SaveAs)
		}
		if _, err := d.Collection(opts.SaveAs); err == nil {
			return nil, fmt.Errorf("%w: %s (save_as stores a new collection)", ErrCollectionExists, opts.SaveAs)
		}
	}
	k := opts.K
	if k == 0 {
		k = 10
	}
	if k < 0 {
		return nil, invalidf("k must be positive, got %d", k)
	}
	var cfg trainer.Config
	if !opts.NoTrain {
		if cfg, err = trainedConfig(name, cv.Info().Params); err != nil {
			return nil, err
		}
		cfg.Threads = max(opts.Threads, 1)
	} else if opts.Threads > 0 {
		return nil, invalidf("threads goes with training; it does not go with train = false")
	}
	seed := int64(1)
	if s, err := strconv.ParseInt(cv.Info().Params["seed"], 10, 64); err == nil {
		seed = s
	}
	if opts.Seed != nil {
		seed = *opts.Seed
	}
	cfg.Seed = seed
	prog := newThrottle(ctx)
	prog.report(Progress{Op: "evaluate", Detail: "reading " + sourceName(src)}, true)

	// The split.
	ev, _ := src.(*trainer.EventLog)
	var split trainer.HoldoutSplit
	res := &RecommendEvaluation{Collection: name, K: k}
	switch h := strings.ToLower(opts.Holdout); h {
	case "", "last":
		if opts.SplitAt != nil || opts.SplitFraction != 0 {
			return nil, invalidf("split_at and split_fraction go with holdout = 'time'")
		}
		seqs, err := readSequences(ctx, src)
		if err != nil {
			return nil, fmt.Errorf("evaluate %s: %w", name, err)
		}
		res.Sequences = len(seqs)
		split = trainer.HoldoutLast(seqs, max(opts.Last, 1))
	case "time":
		if opts.Last != 0 {
			return nil, invalidf("last goes with holdout = 'last'")
		}
		if ev == nil {
			return nil, invalidf("holdout = 'time' needs an event log with a numeric order_by column (sequence_by, order_by, item)")
		}
		if opts.SplitAt != nil && opts.SplitFraction != 0 {
			return nil, invalidf("give split_at or split_fraction, not both")
		}
		seqs, err := readSequences(ctx, src)
		if err != nil {
			return nil, fmt.Errorf("evaluate %s: %w", name, err)
		}
		times := ev.Times()
		if times == nil {
			return nil, invalidf("holdout = 'time' needs order_by naming a column whose every value is a number (from Go, a log read with EventLogOptions.KeepOrder)")
		}
		at := trainer.TimeCut(times, orDefault(opts.SplitFraction, 0.2))
		if opts.SplitAt != nil {
			at = *opts.SplitAt
		}
		res.Sequences, res.HoldoutAt = len(seqs), at
		split = trainer.HoldoutTime(seqs, times, at)
	default:
		return nil, invalidf("holdout must be 'last' or 'time', got %q", opts.Holdout)
	}
	res.Skipped = split.Skipped
	if len(split.Histories) == 0 {
		if res.Sequences == 0 {
			return nil, invalidf("%s holds no sequences", sourceName(src))
		}
		return nil, invalidf("no sequence of %s can be evaluated: all %d are too short to hold an item out and keep a history", sourceName(src), res.Skipped)
	}
	sampleCases(&split, opts.MaxCases, seed)
	res.Cases = len(split.Histories)

	// The model.
	var mv *View
	var model *trainer.Model
	if opts.NoTrain {
		mv = cv
		res.Catalog = cv.Len()
	} else {
		res.Catalog = countItems(split.Train)
	}
	if k > res.Catalog {
		return nil, invalidf("k = %d is larger than the catalogue (%d items)", k, res.Catalog)
	}
	if !opts.NoTrain {
		topts := trainer.Options{Progress: func(p trainer.Progress) {
			prog.report(Progress{Op: "evaluate", Done: p.Words, Total: p.TotalWords, Unit: "words", Detail: "training: " + describeProgress(p)}, false)
		}, CheckSize: func(keys, dim int) error {
			return d.checkMemory(fmt.Sprintf("a model of %d keys × dim %d", keys, dim), 3*4*int64(keys)*int64(dim))
		}}
		model, err = trainer.Train(ctx, trainer.SliceSource(split.Train), cfg, topts)
		if err != nil {
			return nil, fmt.Errorf("evaluate %s: train: %w", name, err)
		}
		res.Config = model.Config
		mv = modelView(d, name, cv.Metric(), model)
	}
	res.Keys = mv.Len()
	defs := cv.RecommendDefaults()
	res.Recency, res.PopularityWeight, res.Repeats = defs.Recency, defs.Popularity, defs.Repeats
	if opts.Repeats != nil {
		res.Repeats = *opts.Repeats
	}
	if res.Repeats < 0 || math.IsNaN(res.Repeats) || math.IsInf(res.Repeats, 0) {
		return nil, invalidf("repeats must be a finite number >= 0, got %g", res.Repeats)
	}
	if opts.Recency != nil {
		res.Recency = *opts.Recency
	}
	if opts.Popularity != nil {
		res.PopularityWeight = *opts.Popularity
	}

	// The recommenders.
	var pop trainer.Recommender
	scored := split
	if opts.NoTrain {
		pop = viewPopularity(cv)
		// The catalogue is the collection's keys.
		keys := make([]string, cv.Len())
		for i := range keys {
			keys[i] = cv.Key(i)
		}
		scored.Train = [][]string{keys}
	} else {
		pop = trainer.PopularityRecommender(split.Train)
	}
	done := 0
	var recErr error
	rec := func(hist []string, k int) []string {
		if recErr != nil {
			return nil
		}
		if done%64 == 0 {
			if err := ctx.Err(); err != nil {
				recErr = err
				return nil
			}
			prog.report(Progress{Op: "evaluate", Done: int64(done), Total: int64(res.Cases), Unit: "cases", Detail: "scoring"}, false)
		}
		done++
		known := make([]string, 0, len(hist))
		for _, h := range hist {
			if _, ok := mv.Lookup(h); ok {
				known = append(known, h)
			}
		}
		if len(known) == 0 {
			res.Fallback++
			return pop(hist, k)
		}
		hits, err := mv.Recommend(ctx, known, k, RecommendOptions{Recency: res.Recency, Popularity: res.PopularityWeight, Repeats: res.Repeats})
		if err != nil {
			if errors.Is(err, ErrInvalid) { // a history whose mean is zero: nothing to rank by
				res.Fallback++
				return pop(hist, k)
			}
			recErr = err
			return nil
		}
		out := make([]string, len(hits))
		for i, h := range hits {
			out[i] = h.Key
		}
		return out
	}
	res.Model = trainer.EvaluateRecommender(rec, scored, k)
	if recErr != nil {
		return nil, recErr
	}
	res.Popularity = trainer.EvaluateRecommender(pop, scored, k)
	for _, ts := range split.Targets {
		for _, t := range ts {
			if _, ok := mv.Lookup(t); !ok {
				res.ColdTargets++
			}
		}
	}
	prog.report(Progress{Op: "evaluate", Done: int64(res.Cases), Total: int64(res.Cases), Unit: "cases", Detail: "scored"}, true)
	if opts.SaveAs != "" {
		if err := d.saveModel(ctx, opts.SaveAs, model, cv.Metric(), trainer.SliceSource(split.Train), time.Since(start).Seconds(),
			fmt.Sprintf("EVALUATE RECOMMEND %s FROM '%s'", name, sourceName(src))); err != nil {
			return nil, err
		}
		res.SavedAs = opts.SaveAs
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

func orDefault(x, def float64) float64 {
	if x == 0 {
		return def
	}
	return x
}

func countItems(seqs [][]string) int {
	seen := map[string]bool{}
	for _, q := range seqs {
		for _, it := range q {
			seen[it] = true
		}
	}
	return len(seen)
}

// viewPopularity is the popularity baseline of an existing collection: its
// keys by descending count (positions are in frequency order).
func viewPopularity(v *View) trainer.Recommender {
	order := make([]int, v.Len())
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return v.Count(order[a]) > v.Count(order[b]) })
	return func(history []string, k int) []string {
		seen := make(map[string]bool, len(history))
		for _, h := range history {
			seen[h] = true
		}
		out := make([]string, 0, k)
		for _, p := range order {
			if len(out) == k {
				break
			}
			if key := v.Key(p); !seen[key] {
				out = append(out, key)
			}
		}
		return out
	}
}

// modelView is an in-memory View of a trained model, never stored: exact
// search, no metadata.
func modelView(d *DB, name string, metric Metric, m *trainer.Model) *View {
	v := &View{viewData: &viewData{d: d, dim: m.Dim, metric: metric, rows: len(m.Keys), keys: m.Keys, counts: m.Counts}}
	v.info = Info{Name: name, Dim: m.Dim, Metric: metric, Rows: len(m.Keys)}
	v.data = append([]float32(nil), m.Vectors...)
	v.norms = make([]float32, len(m.Keys))
	v.ids = make([]uint32, len(m.Keys))
	for i := range m.Keys {
		row := v.data[i*m.Dim : (i+1)*m.Dim]
		n := vec.Norm(row)
		v.norms[i] = n
		v.ids[i] = uint32(i + 1)
		if metric == Cosine && n > 0 {
			vec.Scale(1/n, row)
		}
	}
	v.posMap() // every Lookup goes through the map, never the file
	return v
}

// saveModel stores a trained model as a new collection, atomically.
func (d *DB) saveModel(ctx context.Context, name string, m *trainer.Model, metric Metric, src trainer.Source, secs float64, source string) error {
	meta := &storage.CollectionMeta{Name: name, Dim: m.Dim, Metric: metric}
	meta.Params = trainParams(m, src, secs, TrainOptions{})
	meta.Source = source
	l, err := d.store.NewLoader(meta)
	if err != nil {
		return err
	}
	defer l.Abort()
	for i, k := range m.Keys {
		if i%4096 == 4095 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		row := &storage.Row{Key: k, Count: m.Counts[i], Vector: m.Vector(i), Output: m.Output[i*m.Dim : (i+1)*m.Dim]}
		if _, err := l.Add(row); err != nil {
			return fmt.Errorf("save_as %s: %w", name, err)
		}
	}
	if icfg, ok := wantIndex(nil, nil, len(m.Keys)); ok {
		vecs := make([][]float32, len(m.Keys))
		for i := range vecs {
			vecs[i] = m.Vector(i)
		}
		if err := indexLoad(ctx, l, metric, m.Dim, vecs, icfg); err != nil {
			return fmt.Errorf("save_as %s: index: %w", name, err)
		}
	}
	return d.commitLoad(ctx, name, l)
}

// evalRecStatement is what EVALUATE RECOMMEND's WITH options set.
type evalRecStatement struct {
	EvaluateRecommendOptions
	log eventLogSpec
}

var evalRecOptions = []optDef{
	{name: "k", kind: optInt, min: 1, def: "10", doc: "recommendations per history: the cut-off of HR@k, MRR@k and NDCG@k",
		set: bindInt(func(o *evalRecStatement) *int { return &o.K })},
	{name: "holdout", kind: optString, def: "'last'", doc: "'last': the last items of each sequence; 'time': the events at or after a time (an event log with a numeric order_by)",
		set: bindString(func(o *evalRecStatement) *string { return &o.Holdout })},
	{name: "last", kind: optInt, min: 1, max: 1000, def: "1", doc: "holdout = 'last': items held out of each sequence",
		set: bindInt(func(o *evalRecStatement) *int { return &o.Last })},
	{name: "split_at", kind: optFloat, min: 0, def: "from split_fraction", doc: "holdout = 'time': events whose order_by value is at least this are held out",
		set: func(o *evalRecStatement, v any) error {
			var x float64
			if err := bindFloat(func(*evalRecStatement) *float64 { return &x })(o, v); err != nil {
				return err
			}
			o.SplitAt = &x
			return nil
		}},
	{name: "split_fraction", kind: optFloat, min: 1e-9, max: 0.999999, def: "0.2", doc: "holdout = 'time' without split_at: the share of the latest events held out",
		set: bindFloat(func(o *evalRecStatement) *float64 { return &o.SplitFraction })},
	{name: "max_cases", kind: optInt, min: 0, def: "0 (all)", doc: "score at most this many held-out sequences, a sample drawn with seed (training uses all)",
		set: bindInt(func(o *evalRecStatement) *int { return &o.MaxCases })},
	{name: "seed", kind: optInt, min: 0, def: "the collection's", doc: "seed of training and of the max_cases sample",
		set: func(o *evalRecStatement, v any) error { s := int64(v.(int)); o.Seed = &s; return nil }},
	{name: "train", kind: optBool, def: "true", doc: "false: score the collection as it is against the held-out items, without training",
		set: func(o *evalRecStatement, v any) error { o.NoTrain = !v.(bool); return nil }},
	{name: "recency", kind: optFloat, min: 0, def: "the collection's (0)", doc: "RECOMMEND's recency weight for the model",
		set: func(o *evalRecStatement, v any) error { x := optFloatValue(v); o.Recency = &x; return nil }},
	{name: "popularity", kind: optFloat, min: 0, def: "the collection's (0)", doc: "RECOMMEND's popularity weight for the model",
		set: func(o *evalRecStatement, v any) error { x := optFloatValue(v); o.Popularity = &x; return nil }},
	{name: "repeats", kind: optFloat, min: 0, def: "the collection's (0)", doc: "RECOMMEND's repeats weight for the model (history items may come back)",
		set: func(o *evalRecStatement, v any) error { x := optFloatValue(v); o.Repeats = &x; return nil }},
	{name: "threads", kind: optInt, min: 1, max: 1024, def: "1 (reproducible)", doc: "training goroutines",
		set: bindInt(func(o *evalRecStatement) *int { return &o.Threads })},
	{name: "save_as", kind: optString, def: "", doc: "store the trained model as a new collection of this name",
		set: bindString(func(o *evalRecStatement) *string { return &o.SaveAs })},
	{name: "sequence_by", kind: optString, def: "", doc: "read an event log: the column that groups rows into sequences",
		set: func(o *evalRecStatement, v any) error { return o.log.set("sequence_by", v) }},
	{name: "order_by", kind: optString, def: "file order", doc: "event log: the column that orders each sequence",
		set: func(o *evalRecStatement, v any) error { return o.log.set("order_by", v) }},
	{name: "item", kind: optString, def: "", doc: "event log: the column whose values are the keys",
		set: func(o *evalRecStatement, v any) error { return o.log.set("item", v) }},
	{name: "delimiter", kind: optString, def: "tab, else comma", doc: "event log: the field separator (one character)",
		set: func(o *evalRecStatement, v any) error { return o.log.set("delimiter", v) }},
}

func optFloatValue(v any) float64 {
	if i, ok := v.(int); ok {
		return float64(i)
	}
	return v.(float64)
}

// EvaluateRecommendSpec is a compiled EVALUATE RECOMMEND.
type EvaluateRecommendSpec struct {
	Collection string
	Path       string
	Options    map[string]any
}

func (c *compiler) compileEvaluateRecommend(s *query.Evaluate) (Plan, error) {
	if _, err := c.source(s.Collection, s.NameAt(s.Collection, s.Pos)); err != nil {
		return nil, err
	}
	opts, err := c.options(s, s.With, evalRecOptions, "EVALUATE RECOMMEND")
	if err != nil {
		return nil, err
	}
	if k, ok := opts["k"].(int); ok {
		if err := c.checkK(k, s.At("option k", s.With["k"].Pos)); err != nil {
			return nil, err
		}
	}
	spec := EvaluateRecommendSpec{Collection: s.Collection, Path: s.Path, Options: opts}
	desc := fmt.Sprintf("EVALUATE RECOMMEND %s FROM %s%s", query.QuoteIdent(s.Collection), query.QuoteString(s.Path), optionsText(opts))
	return &backendPlan{desc: desc, pos: s.At("path", s.Pos), run: func(ctx context.Context, d *DB) (*Result, error) { return d.execEvaluateRecommend(ctx, spec) }}, nil
}

func (d *DB) execEvaluateRecommend(ctx context.Context, s EvaluateRecommendSpec) (*Result, error) {
	var st evalRecStatement
	if err := bindOptions(evalRecOptions, s.Options, &st); err != nil {
		return nil, err
	}
	ev, err := st.log.options()
	if err != nil {
		return nil, err
	}
	if _, err := d.ResolvePath(s.Path, false); err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", s.Collection, err)
	}
	var src trainer.Source
	if ev != nil {
		ev.Open = d.openRead
		ev.KeepOrder = strings.EqualFold(st.Holdout, "time")
		src = trainer.EventLogSource(s.Path, *ev)
	} else {
		src = trainer.FileSourceWith(d.openRead, s.Path)
	}
	r, err := d.EvaluateRecommend(ctx, s.Collection, src, st.EvaluateRecommendOptions)
	if err != nil {
		return nil, err
	}
	return r.Result(), nil
}

// Result is the evaluation as EVALUATE RECOMMEND shows it: one row for the
// model and one for the popularity baseline.
func (r *RecommendEvaluation) Result() *Result {
	k := strconv.Itoa(r.K)
	res := &Result{Columns: []string{"method", "hr@" + k, "mrr@" + k, "ndcg@" + k, "coverage", "evaluated", "skipped", "cold_targets"}}
	res.Rows = [][]any{
		{r.Collection, r.Model.HR, r.Model.MRR, r.Model.NDCG, r.Model.Coverage, int64(r.Cases), int64(r.Skipped), int64(r.ColdTargets)},
		{"popularity", r.Popularity.HR, r.Popularity.MRR, r.Popularity.NDCG, r.Popularity.Coverage, int64(r.Cases), int64(r.Skipped), int64(r.Popularity.ColdTargets)},
	}
	gain := "n/a"
	if r.Popularity.HR > 0 {
		gain = fmt.Sprintf("%.2f×", r.Model.HR/r.Popularity.HR)
	}
	res.Message = fmt.Sprintf("HR@%d %.4f vs popularity %.4f (%s) on %d of %d sequences (%d too short); %d keys, recency %g, popularity %g",
		r.K, r.Model.HR, r.Popularity.HR, gain, r.Cases, r.Sequences, r.Skipped, r.Keys, r.Recency, r.PopularityWeight)
	if r.Repeats != 0 {
		res.Message += fmt.Sprintf(", repeats %g", r.Repeats)
	}
	if r.Fallback > 0 {
		res.Message += fmt.Sprintf("; %d histories with no known item got the popularity list", r.Fallback)
	}
	if r.SavedAs != "" {
		res.Message += "; saved as " + r.SavedAs
	}
	return res
}

// writesEvaluate says whether an EVALUATE writes: only EVALUATE RECOMMEND
// with save_as.
func writesEvaluate(s *query.Evaluate) bool {
	_, ok := s.With["save_as"]
	return strings.EqualFold(s.Kind, "RECOMMEND") && ok
}
