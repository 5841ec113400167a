package db

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/vecdb/vecdb/internal/errdefs"
	"github.com/vecdb/vecdb/query"
	"github.com/vecdb/vecdb/storage"
	"github.com/vecdb/vecdb/trainer"
)

// TrainOptions tune Train.
type TrainOptions struct {
	// Config holds the word2vec settings; start from trainer.DefaultConfig
	// (one thread), or from TrainConfig to continue with the settings the
	// collection recorded. Threads = 0 means the machine's cores
	// (runtime.GOMAXPROCS); only Threads = 1 is reproducible bit for bit.
	Config trainer.Config
	// Continue trains the existing collection further (gensim's
	// build_vocab(update=True) + train): its keys keep their vectors and
	// output weights and new keys are appended. Without it, Train replaces
	// the collection's contents. Config is used as given, but for a Dim of
	// 0, which takes the collection's; another Dim is refused (ErrDimension).
	// It keeps RECOMMEND's recorded weights (View.RecommendDefaults).
	Continue bool
	// Watch lists key pairs whose cosine is reported after every epoch.
	Watch [][2]string
	// Metric of a collection that Train creates (default COSINE).
	Metric Metric
	// Index says whether to build an HNSW index with the result; nil builds
	// one when the collection had one or has at least AutoIndexRows keys.
	Index *bool
	// Tune, when set, searches item settings before training
	// (trainer.Tune: a validation split carved from src, next-item hit
	// rate): the search starts from Config (start from
	// trainer.ItemConfig) and the collection is trained on all of src with
	// the best settings found, recorded as any TRAIN records its
	// settings, with RECOMMEND's best recency, popularity and repeats weights
	// (View.RecommendDefaults) in the same atomic write. It does not go
	// with Continue.
	Tune *TuneOptions
}

// TrainResult says what Train did.
type TrainResult struct {
	Collection  string
	Keys        int
	Words       int64 // corpus words per epoch (gensim's corpus_total_words)
	Epochs      int
	Seconds     float64
	WordsPerSec float64 // corpus words × epochs / seconds
	History     []trainer.Progress
	// SkippedTokens counts the corpus tokens longer than
	// trainer.MaxTokenBytes that were skipped (in one pass).
	SkippedTokens int64
	// NgramRows is the number of n-gram rows stored with subwords (0
	// without).
	NgramRows int
	// Tune is the search of TrainOptions.Tune (nil without it); Seconds
	// and WordsPerSec count the final training only.
	Tune *trainer.TuneResult
}

// Train fills a collection with word2vec vectors learned from src (one
// sequence per line for files: sentences, playlists, sessions). The
// collection is written atomically: a failed or cancelled run leaves the
// previous contents exactly as they were. The training parameters are
// recorded in the collection (Info.Params, shown by DESCRIBE), and the
// output weights are stored so that training can be continued later.
// Progress (epoch, words/sec, ETA, alpha, watched pairs) goes to the
// context's progress callback (WithProgress). With opts.Tune, a search of
// item settings comes first (each trial a Progress.Note); a budget too
// small for its first trial is ErrBudgetTooSmall, and nothing is written
// until the final training commits.
func (d *DB) Train(ctx context.Context, name string, src trainer.Source, opts TrainOptions) (*TrainResult, error) {
	if d.ReadOnly() {
		return nil, ErrReadOnly
	}
	if !storage.ValidName(name) {
		return nil, fmt.Errorf("invalid collection name %q: use letters, digits and _", name)
	}
	cfg := opts.Config
	if cfg.Threads == 0 {
		cfg.Threads = runtime.GOMAXPROCS(0)
	}
	if opts.Tune != nil && opts.Continue {
		return nil, invalidf("tune trains %s afresh: it does not go with continue", name)
	}
	if opts.Tune != nil && cfg.Subwords {
		return nil, invalidf("tune searches item settings by next-item hit rate, which says nothing of word vectors: it does not go with subwords")
	}
	var existing *storage.CollectionMeta
	var prev *trainer.Model
	var prevMeta [][]any // the rows' metadata, kept by continued training
	err := d.store.View(func(tx *storage.Tx) error {
		c, err := tx.Collection(name)
		if errors.Is(err, ErrCollectionNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		existing = c.Meta().Clone()
		if !opts.Continue {
			return nil
		}
		if c.HasSubwords() || cfg.Subwords {
			return errContinueSubwords(name, c.HasSubwords())
		}
		if !c.HasOutput() {
			return fmt.Errorf("cannot continue training %s: it was not trained by vecdb (no output weights); train it afresh", name)
		}
		prev = &trainer.Model{Dim: existing.Dim, Config: cfg}
		return c.Scan(storage.ScanOptions{Output: true}, func(r *storage.Row) (bool, error) {
			if r.Output == nil {
				return false, fmt.Errorf("cannot continue training %s: key %q has no output weights (inserted after training?)", name, r.Key)
			}
			prev.Keys = append(prev.Keys, r.Key)
			prev.Counts = append(prev.Counts, r.Count)
			prev.Vectors = append(prev.Vectors, r.Vector...)
			prev.Output = append(prev.Output, r.Output...)
			prevMeta = append(prevMeta, r.Meta)
			return true, nil
		})
	})
	if err != nil {
		return nil, err
	}
	if opts.Continue && existing == nil {
		return nil, collNotFound(name)
	}
	if prev != nil {
		if cfg.Dim != 0 && cfg.Dim != existing.Dim {
			return nil, fmt.Errorf("%w: cannot continue training %s (DIM %d) with dim = %d", ErrDimension, name, existing.Dim, cfg.Dim)
		}
		cfg.Dim = existing.Dim
	}
	prog := newThrottle(ctx)
	var tuned *trainer.TuneResult
	if opts.Tune != nil {
		r, seqs, err := d.tuneSequences(ctx, src, cfg, *opts.Tune, prog)
		if err != nil {
			var det *errdefs.Detailed
			if errors.As(err, &det) {
				// A language error prints the detail alone.
				return nil, errdefs.Newf(det.Err, "train %s: tune: %s", name, det.Detail)
			}
			return nil, fmt.Errorf("train %s: tune: %w", name, err)
		}
		tuned, cfg = r, r.Best.Settings.Config
		src = namedSource{trainer.SliceSource(seqs), sourceName(src)}
	}
	start := time.Now()
	var last trainer.Progress
	topts := trainer.Options{Watch: opts.Watch, Continue: prev, Progress: func(p trainer.Progress) {
		last = p
		prog.report(Progress{Op: "train", Done: p.Words, Total: p.TotalWords, Unit: "words", Detail: describeProgress(p), Note: watchNote(p)}, len(p.Watch) > 0)
	}, CheckSize: func(keys, dim int) error {
		// The two weight matrices, the rows written to the file and the
		// view read back: about four copies of keys × dim float32s.
		return d.checkMemory(fmt.Sprintf("a model of %d keys × dim %d", keys, dim), 4*4*int64(keys)*int64(dim))
	}}
	m, err := trainer.Train(ctx, src, cfg, topts)
	if err != nil {
		return nil, fmt.Errorf("train %s: %w", name, err)
	}
	_ = last
	secs := time.Since(start).Seconds()
	meta := &storage.CollectionMeta{Name: name, Dim: m.Dim, Metric: opts.Metric}
	if existing != nil {
		if existing.Dim != m.Dim && existing.Rows > 0 && !opts.Continue {
			// replacing with another dimension is allowed: a new model
			meta.Fields = nil
		} else {
			meta.Metric = existing.Metric
		}
		if existing.Dim == m.Dim {
			meta.Fields = existing.Fields
		}
	}
	meta.Params = trainParams(m, src, secs, opts)
	meta.Source = fmt.Sprintf("TRAIN FROM '%s'", sourceName(src))
	if tuned != nil {
		tunedParams(meta.Params, tuned)
	}
	if opts.Continue && existing != nil {
		// Continued training keeps RECOMMEND's recorded weights (a
		// tune's, or SetRecommendDefaults').
		for _, k := range recommendParams {
			if v, ok := existing.Params[k]; ok {
				meta.Params[k] = v
			}
		}
	}
	l, err := d.store.NewLoader(meta)
	if err != nil {
		return nil, err
	}
	defer l.Abort()
	coldFlag := -1
	for i, f := range meta.Fields {
		if strings.EqualFold(f.Name, ColdField) {
			coldFlag = i
		}
	}
	for i, k := range m.Keys {
		if i%4096 == 4095 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		row := &storage.Row{Key: k, Count: m.Counts[i], Vector: m.Vector(i), Output: m.Output[i*m.Dim : (i+1)*m.Dim]}
		if i < len(prevMeta) {
			row.Meta = keptMeta(prevMeta[i], coldFlag, m.Counts[i])
		}
		if _, err := l.Add(row); err != nil {
			return nil, fmt.Errorf("train %s: %w", name, err)
		}
	}
	if m.Subwords != nil {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := l.PutSubwords(func(w io.Writer) error { _, err := m.Subwords.WriteTo(w); return err }); err != nil {
			return nil, fmt.Errorf("train %s: subwords: %w", name, err)
		}
	}
	var prevIndex *IndexConfig
	if existing != nil {
		prevIndex = existing.Index
	}
	if icfg, ok := wantIndex(opts.Index, prevIndex, len(m.Keys)); ok {
		vecs := make([][]float32, len(m.Keys))
		for i := range vecs {
			vecs[i] = m.Vector(i)
		}
		if err := indexLoad(ctx, l, meta.Metric, m.Dim, vecs, icfg); err != nil {
			return nil, fmt.Errorf("train %s: index: %w", name, err)
		}
	}
	if err := d.commitLoad(ctx, name, l); err != nil {
		return nil, err
	}
	words := m.CorpusWords
	res := &TrainResult{Collection: name, Keys: len(m.Keys), Words: words, Epochs: m.Config.Epochs, Seconds: secs,
		WordsPerSec: float64(words) * float64(m.Config.Epochs) / secs, History: m.History, SkippedTokens: m.SkippedTokens, Tune: tuned}
	if m.Subwords != nil {
		res.NgramRows = m.Subwords.Len()
	}
	return res, nil
}

// namedSource is a Source with the name of another: the sequences a tune
// read, trained on under the name of the file they came from.
type namedSource struct {
	trainer.Source
	name string
}

func (s namedSource) String() string { return s.name }

// describeProgress is the Detail of a training report: the epoch and the
// learning rate. The rate and the ETA are the progress line's own (from
// Done, Total and Elapsed), so they are not repeated here.
func describeProgress(p trainer.Progress) string {
	return fmt.Sprintf("epoch %d/%d  alpha %.4f", p.Epoch, p.Epochs, p.Alpha)
}

// watchNote is the Note of the report that ends an epoch with watched
// pairs: "epoch 2/5: king:queen 0.512, cat:dog ?" ("?" for a pair with a
// key not in the vocabulary); "" for other reports.
func watchNote(p trainer.Progress) string {
	if len(p.Watch) == 0 {
		return ""
	}
	return fmt.Sprintf("epoch %d/%d: %s", p.Epoch, p.Epochs, watchText(p.Watch))
}

func watchText(ws []trainer.PairCosine) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		if w.Known {
			parts[i] = fmt.Sprintf("%s:%s %.3f", w.A, w.B, w.Cosine)
		} else {
			parts[i] = fmt.Sprintf("%s:%s ?", w.A, w.B)
		}
	}
	return strings.Join(parts, ", ")
}

func sourceName(src trainer.Source) string {
	if s, ok := src.(fmt.Stringer); ok {
		return s.String()
	}
	return "(sequences)"
}

func trainParams(m *trainer.Model, src trainer.Source, secs float64, opts TrainOptions) map[string]string {
	c := m.Config
	mode := "SKIPGRAM"
	if c.CBOW {
		mode = "CBOW"
	}
	alpha := c.Alpha
	p := map[string]string{
		"algorithm":    mode,
		"dim":          strconv.Itoa(c.Dim),
		"window":       strconv.Itoa(c.Window),
		"negative":     strconv.Itoa(c.Negative),
		"min_count":    strconv.Itoa(c.MinCount),
		"sample":       strconv.FormatFloat(c.Sample, 'g', -1, 64),
		"epochs":       strconv.Itoa(c.Epochs),
		"alpha":        strconv.FormatFloat(alpha, 'g', -1, 64),
		"min_alpha":    strconv.FormatFloat(c.MinAlpha, 'g', -1, 64),
		"ns_exponent":  strconv.FormatFloat(c.NsExponent, 'g', -1, 64),
		"threads":      strconv.Itoa(c.Threads),
		"seed":         strconv.FormatInt(c.Seed, 10),
		"corpus":       sourceName(src),
		"corpus_words": strconv.FormatInt(m.CorpusWords, 10),
		"seconds":      strconv.FormatFloat(secs, 'f', 2, 64),
		"trained_at":   time.Now().UTC().Format(time.RFC3339),
	}
	if c.MaxVocab > 0 {
		p["max_vocab"] = strconv.Itoa(c.MaxVocab)
	}
	if c.WholeSequenceWindow {
		p["window"] = "sequence"
	}
	if c.ShuffleSequences {
		p["shuffle"] = "true"
	}
	p["stripes"] = strconv.Itoa(c.Stripes)
	if c.ShrinkWindow != nil && !*c.ShrinkWindow {
		p["shrink_window"] = "false"
	}
	if opts.Continue {
		p["continued"] = "true"
	}
	if c.Subwords {
		p["subwords"] = "true"
		p["minn"] = strconv.Itoa(c.MinN)
		p["maxn"] = strconv.Itoa(c.MaxN)
		p["buckets"] = strconv.Itoa(c.Buckets)
		p["min_ngram_words"] = strconv.Itoa(c.MinNgramWords)
		if m.Subwords != nil {
			p["ngram_rows"] = strconv.Itoa(m.Subwords.Len())
		}
	}
	return p
}

// keyedView adapts a View to trainer.KeyedVectors for evaluation.
type keyedView struct{ v *View }

func (k keyedView) Len() int                     { return k.v.Len() }
func (k keyedView) Key(i int) string             { return k.v.Key(i) }
func (k keyedView) Index(key string) (int, bool) { return k.v.Lookup(key) }
func (k keyedView) Vector(i int) []float32       { return k.v.Vector(i) }

// WordVector builds a vector from n-grams for a word the collection does
// not store, when the view builds them (trainer.WordVectors).
func (k keyedView) WordVector(word string) ([]float32, bool) {
	if k.v.built == nil {
		return nil, false
	}
	p, ok, err := k.v.build(word)
	if err != nil || !ok {
		return nil, false
	}
	return k.v.Vector(p), true
}

// EvaluateOptions are the settings of EVALUATE (the language's WITH
// options of the same names); the zero value is gensim's defaults.
type EvaluateOptions struct {
	// RestrictVocab limits the words looked up (and, for analogies, the
	// answers) to the first RestrictVocab keys in frequency order; 0 means
	// 300000 (restrict_vocab).
	RestrictVocab int
	// CaseSensitive compares words and keys as written; by default both are
	// upper-cased first (case_insensitive = false sets it).
	CaseSensitive bool
	// Subwords gives words that are not keys vectors built from their
	// character n-grams, in a collection trained with subwords (the
	// language sets it unless SET subwords = false); the results count
	// them in Built.
	Subwords bool
}

// EvaluateAnalogies scores a collection on an analogy file in the
// questions-words.txt layout with gensim's semantics (see
// trainer.EvaluateAnalogies).
func (d *DB) EvaluateAnalogies(ctx context.Context, name, path string, opts EvaluateOptions) (*trainer.AnalogyResult, error) {
	v, r, err := d.evalInput(name, path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if opts.Subwords {
		if _, err := v.subwords(); err != nil { // a damaged table is an error, not unknown words
			return nil, err
		}
		v = v.withSubwords()
	}
	res, err := trainer.EvaluateAnalogies(keyedView{v}, r, opts.RestrictVocab, !opts.CaseSensitive)
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %s: %w", name, path, err)
	}
	return &res, ctx.Err()
}

// EvaluatePairs scores a collection on a word-pair similarity file
// (WordSim-353, SimLex-999 layouts) with gensim's semantics.
func (d *DB) EvaluatePairs(ctx context.Context, name, path string, opts EvaluateOptions) (*trainer.PairsResult, error) {
	v, r, err := d.evalInput(name, path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if opts.Subwords {
		if _, err := v.subwords(); err != nil { // a damaged table is an error, not unknown words
			return nil, err
		}
		v = v.withSubwords()
	}
	res, err := trainer.EvaluatePairs(keyedView{v}, r, opts.RestrictVocab, !opts.CaseSensitive)
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %s: %w", name, path, err)
	}
	return &res, ctx.Err()
}

func (d *DB) evalInput(name, path string) (*View, io.ReadCloser, error) {
	c, err := d.Collection(name)
	if err != nil {
		return nil, nil, err
	}
	v, err := c.View()
	if err != nil {
		return nil, nil, err
	}
	f, err := d.openRead(path)
	if err != nil {
		return nil, nil, fmt.Errorf("evaluate %s: %w", name, err)
	}
	return v, f, nil
}

var trainOptions = []optDef{
	{name: "dim", kind: optInt, min: 1, max: 10000, def: "100", doc: "vector dimension",
		set: func(o *trainStatement, v any) error { o.Config.Dim, o.dimGiven = v.(int), true; return nil }},
	{name: "window", kind: optInt, min: 1, max: 1000, def: "5", doc: "context window on each side (the largest; see shrink_window)",
		set: bindInt(func(o *trainStatement) *int { return &o.Config.Window })},
	{name: "negative", kind: optInt, min: 1, max: 100, def: "5", doc: "negative samples per positive pair",
		set: bindInt(func(o *trainStatement) *int { return &o.Config.Negative })},
	{name: "min_count", kind: optInt, min: 1, def: "5", doc: "keys seen fewer times are dropped",
		set: bindInt(func(o *trainStatement) *int { return &o.Config.MinCount })},
	{name: "max_vocab", kind: optInt, min: 0, def: "0 (no limit)", doc: "keep only the most frequent keys",
		set: bindInt(func(o *trainStatement) *int { return &o.Config.MaxVocab })},
	{name: "sample", kind: optFloat, min: 0, max: 1, def: "0.001", doc: "down-sampling threshold of frequent keys (0: off)",
		set: bindFloat(func(o *trainStatement) *float64 { return &o.Config.Sample })},
	{name: "epochs", kind: optInt, min: 1, max: 10000, def: "5", doc: "passes over the corpus",
		set: bindInt(func(o *trainStatement) *int { return &o.Config.Epochs })},
	{name: "alpha", kind: optFloat, min: 1e-9, max: 1, def: "0.025 (0.05 for CBOW, 0.045 for skip-gram with subwords)", doc: "initial learning rate",
		set: bindFloat(func(o *trainStatement) *float64 { return &o.Config.Alpha })},
	{name: "min_alpha", kind: optFloat, min: 0, max: 1, def: "0.0001", doc: "final learning rate",
		set: bindFloat(func(o *trainStatement) *float64 { return &o.Config.MinAlpha })},
	{name: "threads", kind: optInt, min: 1, max: 1024, def: "all cores, or SET threads", doc: "training goroutines; threads = 1 gives bit-for-bit reproducible vectors for a seed (more threads update shared weights without locks, as word2vec and gensim do)",
		set: bindInt(func(o *trainStatement) *int { return &o.Config.Threads })},
	{name: "seed", kind: optInt, min: 0, def: "1", doc: "random seed (one thread: reproducible); with tune, it also draws the validation split",
		set: bindInt64(func(o *trainStatement) *int64 { return &o.Config.Seed })},
	{name: "ns_exponent", kind: optFloat, min: -10, max: 10, def: "0.75", doc: "exponent of the negative-sampling distribution",
		set: bindFloat(func(o *trainStatement) *float64 { return &o.Config.NsExponent })},
	{name: "shrink_window", kind: optBool, def: "true", doc: "draw each window size between 1 and window (word2vec's reduced windows)",
		set: func(o *trainStatement, v any) error { b := v.(bool); o.Config.ShrinkWindow = &b; return nil }},
	{name: "whole_sequence", kind: optBool, def: "false", doc: "the window is the whole sequence (item2vec for playlists, sessions)",
		set: bindBool(func(o *trainStatement) *bool { return &o.Config.WholeSequenceWindow })},
	{name: "shuffle", kind: optBool, def: "false", doc: "shuffle the keys within each sequence before every use (sequences that are really sets: baskets, playlists as sets)",
		set: bindBool(func(o *trainStatement) *bool { return &o.Config.ShuffleSequences })},
	{name: "stripes", kind: optInt, min: 1, max: trainer.MaxStripes, def: "8", doc: "cut each pass into this many runs of sequences and read them side by side, so that the end of training sees the whole corpus, not only its last text; 1 reads the corpus in order",
		set: bindInt(func(o *trainStatement) *int { return &o.Config.Stripes })},
	{name: "subwords", kind: optBool, def: "false", doc: "fastText subword vectors: a key is the mean of its own row and its character n-grams' rows, and keys never trained get vectors from their n-grams (see SET subwords)",
		set: bindBool(func(o *trainStatement) *bool { return &o.Config.Subwords })},
	{name: "minn", kind: optInt, min: 1, max: 32, def: "3", doc: "subwords: shortest n-gram, in characters (\"<\" and \">\" mark the key's ends)",
		set: func(o *trainStatement, v any) error {
			o.Config.MinN = v.(int)
			o.subGiven = append(o.subGiven, "minn")
			return nil
		}},
	{name: "maxn", kind: optInt, min: 1, max: 32, def: "6", doc: "subwords: longest n-gram, in characters",
		set: func(o *trainStatement, v any) error {
			o.Config.MaxN = v.(int)
			o.subGiven = append(o.subGiven, "maxn")
			return nil
		}},
	{name: "buckets", kind: optInt, min: 1, max: 2147483647, def: "2000000", doc: "subwords: hash space of n-grams (fastText's); only buckets the vocabulary's n-grams hit are stored",
		set: func(o *trainStatement, v any) error {
			o.Config.Buckets = v.(int)
			o.subGiven = append(o.subGiven, "buckets")
			return nil
		}},
	{name: "min_ngram_words", kind: optInt, min: 1, def: "1", doc: "subwords: keep an n-gram row only when the n-grams of at least this many keys hit it (a smaller table)",
		set: func(o *trainStatement, v any) error {
			o.Config.MinNgramWords = v.(int)
			o.subGiven = append(o.subGiven, "min_ngram_words")
			return nil
		}},
	{name: "continue", kind: optBool, def: "false", doc: "train the existing collection further (new keys appended), keeping its recorded settings (DESCRIBE) unless the statement names others; another dim or USING is refused",
		set: bindBool(func(o *trainStatement) *bool { return &o.Continue })},
	{name: "watch", kind: optString, def: "", doc: "key pairs whose cosine is reported after every epoch ('king:queen, cat:dog')",
		set: func(o *trainStatement, v any) error { w, err := parseWatch(v.(string)); o.Watch = w; return err }},
	{name: "index", kind: optBool, def: "the collection's", doc: "build (or drop) the HNSW index with the new rows",
		set: func(o *trainStatement, v any) error { b := v.(bool); o.Index = &b; return nil }},
	{name: "sequence_by", kind: optString, def: "", doc: "read an event log: the column that groups rows into sequences",
		set: func(o *trainStatement, v any) error { return o.log.set("sequence_by", v) }},
	{name: "order_by", kind: optString, def: "file order", doc: "event log: the column that orders each sequence",
		set: func(o *trainStatement, v any) error { return o.log.set("order_by", v) }},
	{name: "item", kind: optString, def: "", doc: "event log: the column whose values are the keys",
		set: func(o *trainStatement, v any) error { return o.log.set("item", v) }},
	{name: "delimiter", kind: optString, def: "tab, else comma", doc: "event log: the field separator (one character)",
		set: func(o *trainStatement, v any) error { return o.log.set("delimiter", v) }},
	{name: "tune", kind: optBool, def: "false", doc: "search item settings (window, ns_exponent, sample, epochs, dim, min_count; those the statement names stay fixed) from window 20, epochs 10, min_count 1, each trial scored by next-item HR@10 on a validation split of the sequences, then train with the best and record RECOMMEND's best recency, popularity and repeats; for item sequences (sessions, playlists, histories), not text",
		set: bindBool(func(o *trainStatement) *bool { return &o.tune })},
	{name: "budget", kind: optFloat, min: 1, def: "600 (none with max_trials)", doc: "tune: seconds the search may take (the final training not counted)",
		set: func(o *trainStatement, v any) error { o.budget = optFloatValue(v); return nil }},
	{name: "max_trials", kind: optInt, min: 1, max: 10000, def: "no limit", doc: "tune: the most trials (trained models) to run",
		set: bindInt(func(o *trainStatement) *int { return &o.maxTrials })},
}

// trainStatement is what TRAIN's WITH options set: the Go API's
// TrainOptions and, for an event log, how to read it.
type trainStatement struct {
	TrainOptions
	log      eventLogSpec
	dimGiven bool
	subGiven []string // subword options given (they need subwords = true)
	// tune = true, budget in seconds (0: not given), max_trials.
	tune      bool
	budget    float64
	maxTrials int
}

// tuneOptions returns the search that the statement asks for, or nil.
func (st *trainStatement) tuneOptions(given map[string]any) *TuneOptions {
	if !st.tune {
		return nil
	}
	t := &TuneOptions{MaxTrials: st.maxTrials, Fixed: tuneFixed(given)}
	switch {
	case st.budget > 0:
		t.Budget = time.Duration(st.budget * float64(time.Second))
	case st.maxTrials == 0:
		t.Budget = DefaultTuneBudget
	}
	return t
}

// eventLogSpec gathers the event-log options of TRAIN and CREATE
// COLLECTION … FROM SEQUENCES.
type eventLogSpec struct {
	opts  trainer.EventLogOptions
	given []string
}

func (e *eventLogSpec) set(name string, v any) error {
	e.given = append(e.given, name)
	s := v.(string)
	switch name {
	case "sequence_by":
		e.opts.SequenceBy = s
	case "order_by":
		e.opts.OrderBy = s
	case "item":
		e.opts.Item = s
	case "delimiter":
		r := []rune(s)
		if len(r) != 1 {
			return invalidf("delimiter must be one character, got %q", s)
		}
		e.opts.Delimiter = r[0]
	}
	return nil
}

// options returns the event log's options, or nil when the input is a
// plain sequences file.
func (e *eventLogSpec) options() (*trainer.EventLogOptions, error) {
	if e.opts.SequenceBy == "" {
		if len(e.given) > 0 {
			return nil, invalidf("%s goes with sequence_by (reading an event log)", e.given[0])
		}
		return nil, nil
	}
	if e.opts.Item == "" {
		return nil, invalidf("an event log needs item = 'column' with sequence_by")
	}
	ev := e.opts
	return &ev, nil
}

var evaluateOptions = func() map[string][]optDef {
	defs := []optDef{
		{name: "restrict_vocab", kind: optInt, min: 1, def: "300000", doc: "look words up among the most frequent keys only (gensim's)",
			set: bindInt(func(o *EvaluateOptions) *int { return &o.RestrictVocab })},
		{name: "case_insensitive", kind: optBool, def: "true", doc: "compare words and keys upper-cased (gensim's); a word built from n-grams is built from its lowercase spelling",
			set: func(o *EvaluateOptions, v any) error { o.CaseSensitive = !v.(bool); return nil }},
	}
	return map[string][]optDef{"ANALOGIES": defs, "PAIRS": defs}
}()

func (c *compiler) compileTrain(s *query.Train) (Plan, error) {
	method, err := c.choice(s.Using, []string{"SKIPGRAM", "CBOW"}, s.At("word training method", s.Pos), "TRAIN")
	if err != nil {
		return nil, err
	}
	opts, err := c.options(s, s.With, trainOptions, "TRAIN")
	if err != nil {
		return nil, err
	}
	if err := checkSubwordOptions(s, opts); err != nil {
		return nil, err
	}
	tune, _ := opts["tune"].(bool)
	for _, o := range tuneOnlyOptions {
		if _, ok := opts[o]; ok && !tune {
			return nil, errorIs(ErrInvalid, s.At("option "+o, s.With[o].Pos), "%s goes with tune = true", o)
		}
	}
	if cont, _ := opts["continue"].(bool); cont && tune {
		return nil, errorIs(ErrInvalid, s.At("option continue", s.With["continue"].Pos), "tune = true trains afresh: it does not go with continue = true")
	}
	if sub, _ := opts["subwords"].(bool); sub && tune {
		return nil, errorIs(ErrInvalid, s.At("option subwords", s.With["subwords"].Pos), "tune = true searches item settings by next-item hit rate, which says nothing of word vectors: it does not go with subwords = true")
	}
	spec := TrainSpec{Collection: s.Collection, Path: s.Path, Method: method, Options: opts}
	using := method
	if using == "" {
		using = "SKIPGRAM"
		if cont, _ := opts["continue"].(bool); cont {
			using = "the model's algorithm"
		}
	}
	desc := fmt.Sprintf("TRAIN %s FROM %s USING %s%s", query.QuoteIdent(s.Collection), query.QuoteString(s.Path), using, optionsText(opts))
	run := func(ctx context.Context, d *DB) (*Result, error) { return d.execTrain(ctx, spec) }
	if tune {
		var st trainStatement
		if err := bindOptions(trainOptions, opts, &st); err != nil {
			return nil, wrapAt(s.At("path", s.Pos), err)
		}
		desc += "; " + st.tuneOptions(opts).String() + ", then train with the best"
		// A budget too small for one trial is the budget's fault (or,
		// when the statement names none, the default's: the tune option).
		at := s.At("option tune", s.With["tune"].Pos)
		if b, ok := s.With["budget"]; ok {
			at = s.At("option budget", b.Pos)
		}
		run = func(ctx context.Context, d *DB) (*Result, error) {
			res, err := d.execTrain(ctx, spec)
			if errors.Is(err, ErrBudgetTooSmall) {
				return nil, wrapAt(at, err)
			}
			return res, err
		}
	}
	return &backendPlan{desc: desc, pos: s.At("path", s.Pos), run: run}, nil
}

func (c *compiler) compileEvaluate(s *query.Evaluate) (Plan, error) {
	if strings.EqualFold(s.Kind, "RECOMMEND") {
		return c.compileEvaluateRecommend(s)
	}
	src, err := c.source(s.Collection, s.NameAt(s.Collection, s.Pos))
	if err != nil {
		return nil, err
	}
	kind := strings.ToUpper(s.Kind)
	opts, err := c.options(s, s.With, evaluateOptions[kind], "EVALUATE "+kind)
	if err != nil {
		return nil, err
	}
	spec := EvaluateSpec{Kind: kind, Collection: s.Collection, Path: s.Path, Options: opts, Subwords: src.built != nil}
	desc := fmt.Sprintf("EVALUATE %s %s FROM %s%s", kind, query.QuoteIdent(s.Collection), query.QuoteString(s.Path), optionsText(opts))
	if spec.Subwords {
		desc += "\n  words not stored: vectors built from n-grams"
	}
	return &backendPlan{desc: desc, pos: s.At("path", s.Pos), run: func(ctx context.Context, d *DB) (*Result, error) { return d.execEvaluate(ctx, spec) }}, nil
}

// checkSubwordOptions refuses n-gram options without subwords = true and
// a maxn below minn (either given, the other its default), at the option.
func checkSubwordOptions(s *query.Train, opts map[string]any) error {
	for _, n := range []string{"minn", "maxn", "buckets", "min_ngram_words"} {
		if _, ok := opts[n]; ok && opts["subwords"] != true {
			return errorIs(ErrInvalid, s.At("option "+n, s.Pos), "%s goes with subwords = true", n)
		}
	}
	minn, ok1 := opts["minn"].(int)
	maxn, ok2 := opts["maxn"].(int)
	if !ok1 {
		minn = trainer.DefaultMinN
	}
	if !ok2 {
		maxn = trainer.DefaultMaxN
	}
	if maxn < minn {
		at := "option maxn"
		if !ok2 {
			at = "option minn"
		}
		return errorIs(ErrInvalid, s.At(at, s.Pos), "maxn (%d) must not be below minn (%d)", maxn, minn)
	}
	return nil
}

// TrainSpec is a compiled TRAIN. Options hold validated values (int,
// float64, string or bool) by lower-case name; Method is SKIPGRAM, CBOW or
// "" when the statement names none (SKIPGRAM, or when continuing, the
// model's recorded algorithm).
type TrainSpec struct {
	Collection string
	Path       string
	Method     string
	Options    map[string]any
}

// EvaluateSpec is a compiled EVALUATE ANALOGIES|PAIRS.
type EvaluateSpec struct {
	Kind       string
	Collection string
	Path       string
	Options    map[string]any
	Subwords   bool // words not stored get vectors from n-grams
}

func (d *DB) execTrain(ctx context.Context, s TrainSpec) (*Result, error) {
	st := trainStatement{TrainOptions: TrainOptions{Config: trainer.DefaultConfig()}}
	if tune, _ := s.Options["tune"].(bool); tune {
		// The search starts from the item settings (window 20, epochs
		// 10, min_count 1), not from the word defaults.
		st.Config = trainer.ItemConfig()
	}
	st.Config.Threads = d.threads()
	if cont, _ := s.Options["continue"].(bool); cont {
		// Continuing keeps the model's recorded settings (gensim's
		// build_vocab(update=True) keeps the model's attributes); the
		// statement's options and USING override them below.
		recorded, err := d.TrainConfig(s.Collection)
		if err != nil {
			return nil, err
		}
		rec := "SKIPGRAM"
		if recorded.CBOW {
			rec = "CBOW"
		}
		if s.Method != "" && s.Method != rec {
			return nil, invalidf("cannot continue training %s (trained USING %s) USING %s: the algorithm is the model's; leave USING out, or train afresh without continue", s.Collection, rec, s.Method)
		}
		st.Config = recorded
		if _, ok := s.Options["threads"]; !ok && d.Setting("threads") != nil {
			st.Config.Threads = d.threads()
		}
	}
	if err := bindOptions(trainOptions, s.Options, &st); err != nil {
		return nil, err
	}
	if !st.Continue {
		st.Config.CBOW = s.Method == "CBOW"
	}
	if len(st.subGiven) > 0 && !st.Config.Subwords {
		return nil, invalidf("%s goes with subwords = true", st.subGiven[0])
	}
	if st.Config.Subwords && st.Config.MaxN < st.Config.MinN {
		return nil, invalidf("maxn (%d) must not be below minn (%d)", st.Config.MaxN, st.Config.MinN)
	}
	if st.Continue && !st.dimGiven {
		st.Config.Dim = 0 // take the collection's
	}
	topts := st.TrainOptions
	topts.Tune = st.tuneOptions(s.Options)
	var res *TrainResult
	ev, err := st.log.options()
	if err != nil {
		return nil, err
	}
	if ev != nil {
		if _, perr := d.ResolvePath(s.Path, false); perr != nil {
			return nil, perr
		}
		src, serr := d.EventLogSource(s.Path, *ev)
		if serr != nil {
			return nil, fmt.Errorf("train %s: %w", s.Collection, serr)
		}
		res, err = d.Train(ctx, s.Collection, src, topts)
	} else {
		res, err = d.TrainFile(ctx, s.Collection, s.Path, topts)
	}
	if err != nil {
		return nil, err
	}
	out := &Result{Message: fmt.Sprintf("trained %s: %d keys, %d words × %d epochs in %.1fs (%.0f words/s)",
		res.Collection, res.Keys, res.Words, res.Epochs, res.Seconds, res.WordsPerSec), Stats: Stats{RowsAffected: res.Keys}}
	if res.Tune != nil {
		out.Message = fmt.Sprintf("tuned %s: %s; trained with them: %d keys, %d words × %d epochs in %.1fs (%.0f words/s)",
			res.Collection, tuneMessage(res.Tune), res.Keys, res.Words, res.Epochs, res.Seconds, res.WordsPerSec)
	}
	if res.NgramRows > 0 {
		out.Message += fmt.Sprintf("; %d n-gram rows", res.NgramRows)
	}
	if res.SkippedTokens > 0 {
		out.Message += fmt.Sprintf("; %d tokens longer than %d bytes skipped", res.SkippedTokens, trainer.MaxTokenBytes)
	}
	// The watched pairs went to the progress callback after every epoch
	// (Progress.Note); the message gives the last ones.
	if n := len(res.History); len(topts.Watch) > 0 && n > 0 {
		out.Message += "; " + watchText(res.History[n-1].Watch)
	}
	return out, nil
}

func (d *DB) execEvaluate(ctx context.Context, s EvaluateSpec) (*Result, error) {
	opts := EvaluateOptions{Subwords: s.Subwords}
	if err := bindOptions(evaluateOptions[s.Kind], s.Options, &opts); err != nil {
		return nil, err
	}
	if s.Kind == "PAIRS" {
		r, err := d.EvaluatePairs(ctx, s.Collection, s.Path, opts)
		if err != nil {
			return nil, err
		}
		res := &Result{Columns: []string{"pairs", "pearson", "spearman", "oov_percent"},
			Rows: [][]any{{int64(r.Pairs), r.Pearson, r.Spearman, r.OOVRatio}}}
		if r.Built > 0 {
			res.Message = fmt.Sprintf("%d of %d pairs (%.1f%%) used vectors built from character n-grams for words not stored", r.Built, r.Pairs, 100*float64(r.Built)/float64(r.Pairs))
		}
		return res, nil
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
	if r.Built > 0 {
		res.Message += fmt.Sprintf("; %d questions used vectors built from character n-grams for words not stored", r.Built)
	}
	return res, nil
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

// TrainConfig returns the settings recorded by the last TRAIN of a
// collection (DESCRIBE's param rows): algorithm, dim, window, negative,
// min_count, max_vocab, sample, epochs, alpha, min_alpha, ns_exponent,
// threads, seed, shrink_window, whole_sequence, shuffle and stripes (1, in
// order, for collections trained before stripes were recorded). Settings it
// did not record keep trainer.DefaultConfig's values. TRAIN … WITH (continue =
// true) starts from it, so that continuing keeps the model's settings
// unless the statement names others; a program continuing with Train can
// do the same. A collection without recorded settings (imported, or
// created by INSERT) is an error matching ErrInvalid.
func (d *DB) TrainConfig(name string) (trainer.Config, error) {
	cfg := trainer.DefaultConfig()
	c, err := d.Collection(name)
	if err != nil {
		return cfg, err
	}
	info, err := c.Info()
	if err != nil {
		return cfg, err
	}
	p := info.Params
	if p["algorithm"] == "" {
		return cfg, invalidf("%s has no recorded training settings (it was not trained by vecdb); train it afresh", name)
	}
	cfg.Dim = info.Dim
	var bad error
	atoi := func(k string, dst *int) {
		if v, ok := p[k]; ok && bad == nil {
			n, err := strconv.Atoi(v)
			if err != nil {
				bad = fmt.Errorf("%w: %s: recorded %s %q is not a number", ErrCorrupt, name, k, v)
			}
			*dst = n
		}
	}
	atof := func(k string, dst *float64) {
		if v, ok := p[k]; ok && bad == nil {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				bad = fmt.Errorf("%w: %s: recorded %s %q is not a number", ErrCorrupt, name, k, v)
			}
			*dst = f
		}
	}
	cfg.CBOW = p["algorithm"] == "CBOW"
	if p["window"] == "sequence" {
		cfg.WholeSequenceWindow = true
	} else {
		atoi("window", &cfg.Window)
	}
	atoi("negative", &cfg.Negative)
	atoi("min_count", &cfg.MinCount)
	atoi("max_vocab", &cfg.MaxVocab)
	atoi("epochs", &cfg.Epochs)
	atoi("threads", &cfg.Threads)
	atof("sample", &cfg.Sample)
	atof("alpha", &cfg.Alpha)
	atof("min_alpha", &cfg.MinAlpha)
	atof("ns_exponent", &cfg.NsExponent)
	if v, ok := p["seed"]; ok && bad == nil {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			bad = fmt.Errorf("%w: %s: recorded seed %q is not a number", ErrCorrupt, name, v)
		}
		cfg.Seed = n
	}
	cfg.ShuffleSequences = p["shuffle"] == "true"
	cfg.Stripes = 1 // collections trained before stripes read in order
	atoi("stripes", &cfg.Stripes)
	if cfg.Subwords = p["subwords"] == "true"; cfg.Subwords {
		atoi("minn", &cfg.MinN)
		atoi("maxn", &cfg.MaxN)
		atoi("buckets", &cfg.Buckets)
		atoi("min_ngram_words", &cfg.MinNgramWords)
	}
	if p["shrink_window"] == "false" {
		f := false
		cfg.ShrinkWindow = &f
	}
	return cfg, bad
}

// The statements this file plans (see register).
func init() {
	register((*compiler).compileTrain, false, writesAlways[*query.Train])
	register((*compiler).compileEvaluate, true, writesEvaluate)
}

// keptMeta is the metadata a continued TRAIN keeps for a row that was in
// the collection: all of it, except that a cold-start item (ColdField)
// that now has events (count > 0) is no longer marked cold: its vector was
// trained from the metadata vector on those events.
func keptMeta(meta []any, coldFlag int, count int64) []any {
	if count > 0 && isCold(meta, coldFlag) {
		meta = append([]any(nil), meta...)
		meta[coldFlag] = nil
	}
	return meta
}
