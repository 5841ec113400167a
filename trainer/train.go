package trainer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Options are the non-numeric inputs of Train.
type Options struct {
	// Progress, when set, is called from one goroutine about once a second
	// and at the end of every epoch (then with Watch filled in).
	Progress func(Progress)
	// Watch lists key pairs whose cosine is reported after every epoch.
	Watch [][2]string
	// Continue, when set, continues training that model (gensim's
	// build_vocab(update=True) then train): its keys keep their rows,
	// vectors and output weights; keys of src not yet known that occur at
	// least MinCount times in src are appended; the counts of known keys
	// grow by their counts in src. The model is not modified: Train
	// returns a new one. cfg.Dim must be 0 or the model's Dim.
	Continue *Model
	// CheckSize, when set, is called once the vocabulary is known and before
	// the weights are allocated (2 × keys × dim float32s); an error from it
	// ends Train with that error. db uses it to refuse a model too large
	// for its memory limit. With Config.Subwords, keys also counts the
	// n-gram rows, two for one key (they have no output weights).
	CheckSize func(keys, dim int) error
}

// Progress reports the state of a training run.
type Progress struct {
	Epoch, Epochs     int     // current epoch, 1-based, and the total
	Words, TotalWords int64   // in-vocabulary words processed so far / in all epochs
	Alpha             float64 // current learning rate
	WordsPerSec       float64
	ETA               time.Duration
	Watch             []PairCosine // at epoch ends only
}

// PairCosine is the cosine similarity of two watched keys; Known is false
// (and Cosine NaN) when either key is not in the vocabulary.
type PairCosine struct {
	A, B   string
	Cosine float64
	Known  bool
}

// Train learns word2vec vectors from src with cfg and returns the model.
// It reads src once to build the vocabulary and once per epoch. When ctx is
// cancelled it returns ctx.Err() promptly and no model. With Threads = 1
// the result depends only on src, cfg and opts.Continue (bit for bit);
// with more threads workers update shared weights without locks (Hogwild),
// so results vary from run to run.
func Train(ctx context.Context, src Source, cfg Config, opts Options) (*Model, error) {
	old := opts.Continue
	if old != nil && cfg.Dim == 0 {
		cfg.Dim = old.Dim
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Alpha = cfg.alpha()
	cfg.Stripes = cfg.stripes()
	c, err := countSource(ctx, src)
	if err != nil {
		return nil, err
	}
	if c.total == 0 {
		var skipped string
		if c.skipped > 0 {
			skipped = fmt.Sprintf(" (%d tokens longer than %d bytes skipped)", c.skipped, maxTokenBytes)
		}
		if s, ok := src.(fmt.Stringer); ok {
			return nil, fmt.Errorf("%s: %w%s", s, ErrEmptyCorpus, skipped)
		}
		return nil, fmt.Errorf("%w%s", ErrEmptyCorpus, skipped)
	}
	m, err := buildModel(c, cfg, old, opts.CheckSize)
	if err != nil {
		return nil, err
	}
	m.CorpusWords = c.total
	m.SkippedTokens = c.skipped
	t := newTrainer(m, c, cfg)
	c = nil // the raw counts are no longer needed
	if err := t.run(ctx, src, opts); err != nil {
		return nil, err
	}
	if m.sub != nil {
		t.compose()
		m.sub = nil
	}
	return m, nil
}

// buildModel makes the vocabulary and the initial weights.
func buildModel(c *counter, cfg Config, old *Model, check func(keys, dim int) error) (*Model, error) {
	m := &Model{Dim: cfg.Dim, Config: cfg}
	var known map[string]int
	if old != nil {
		if old.Dim != cfg.Dim {
			return nil, fmt.Errorf("%w: dim %d does not match the model's dim %d", ErrConfig, cfg.Dim, old.Dim)
		}
		n := len(old.Keys) * old.Dim
		if len(old.Counts) != len(old.Keys) || len(old.Vectors) != n {
			return nil, fmt.Errorf("continue: model is inconsistent: %d keys, %d counts, %d vector values for dim %d", len(old.Keys), len(old.Counts), len(old.Vectors), old.Dim)
		}
		if len(old.Output) != n {
			return nil, fmt.Errorf("continue: model has no output weights (Output has %d values, want %d); keep Model.Output to continue training", len(old.Output), n)
		}
		known = make(map[string]int, len(old.Keys))
		for i, k := range old.Keys {
			known[k] = i
		}
		m.Keys = append([]string(nil), old.Keys...)
		m.Counts = append([]int64(nil), old.Counts...)
		for i, k := range m.Keys {
			if j, ok := c.index[k]; ok {
				m.Counts[i] += c.counts[j]
			}
		}
	}
	max := cfg.MaxVocab
	if max > 0 && old != nil {
		max -= len(old.Keys)
		if max <= 0 {
			max = -1
		}
	}
	var ids []int32
	if max >= 0 {
		ids = c.frequent(cfg.MinCount, max, known)
	}
	if len(m.Keys)+len(ids) == 0 {
		top, n := c.mostFrequent()
		return nil, &NoVocabError{MinCount: cfg.MinCount, Top: top, TopCount: n}
	}
	if old != nil && (cfg.Subwords || old.Subwords != nil) {
		return nil, fmt.Errorf("%w: continuing training with subwords is not supported yet", ErrConfig)
	}
	first := len(m.Keys)
	for _, id := range ids {
		m.Keys = append(m.Keys, c.keys[id])
		m.Counts = append(m.Counts, c.counts[id])
	}
	var ngrams int // n-gram rows, stored after the key rows during training
	if cfg.Subwords {
		var off, rows []int32
		m.Subwords, off, rows = buildSubwords(m.Keys, cfg)
		ngrams = m.Subwords.Len()
		m.sub = newSubIndex(len(m.Keys), off, rows)
	}
	if check != nil {
		// n-gram rows have no output weights: two of them weigh one key.
		if err := check(len(m.Keys)+(ngrams+1)/2, cfg.Dim); err != nil {
			return nil, err
		}
	}
	size := len(m.Keys) * cfg.Dim
	all := make([]float32, size+ngrams*cfg.Dim)
	m.Vectors = all[:size:size]
	if m.Subwords != nil {
		m.Subwords.Vectors = all[size:]
		m.sub.syn0 = all
	}
	m.Output = make([]float32, size)
	if old != nil {
		copy(m.Vectors, old.Vectors)
		copy(m.Output, old.Output)
	}
	// Input vectors uniform in [-0.5/dim, 0.5/dim) (word2vec's), with
	// subwords in [-1/dim, 1/dim) (fastText's: a key's input is then the
	// mean of many rows); output weights zero.
	r := newRNG(cfg.Seed, 0x5eed)
	scale := 1 / float32(cfg.Dim)
	if cfg.Subwords {
		scale *= 2
	}
	for i := first * cfg.Dim; i < size; i++ {
		m.Vectors[i] = (float32(r.next()>>40)/(1<<24) - 0.5) * scale
	}
	if ngrams > 0 { // n-gram rows: the same distribution, from their own stream
		r := newRNG(cfg.Seed, 0x5ab5)
		for i := size; i < len(all); i++ {
			all[i] = (float32(r.next()>>40)/(1<<24) - 0.5) * scale
		}
	}
	return m, nil
}

// trainer holds the state shared by the reader and the workers of one run.
type trainer struct {
	m        *Model
	cfg      Config
	index    map[string]int32
	sampleTh []uint32
	noise    aliasTable
	syn0     []float32 // key rows, then n-gram rows when training subwords
	sub      *subIndex // nil unless training subwords
	rngs     []rng     // one per worker, kept across epochs

	perEpoch  int64 // in-vocabulary tokens of src per pass
	tokens    int64 // all tokens of src per pass (where stripes are cut)
	marks     []mark
	total     int64 // perEpoch * epochs
	pushed    int64 // words handed to workers so far (reader goroutine only)
	processed atomic.Int64
}

func newTrainer(m *Model, c *counter, cfg Config) *trainer {
	t := &trainer{m: m, cfg: cfg, index: make(map[string]int32, len(m.Keys)), syn0: m.Vectors, sub: m.sub, tokens: c.total, marks: c.marks}
	if m.sub != nil {
		t.syn0 = m.sub.syn0
	}
	for i, k := range m.Keys {
		if _, dup := t.index[k]; !dup {
			t.index[k] = int32(i)
		}
	}
	// Subsampling and alpha decay use the counts of this corpus (for a
	// fresh model they equal m.Counts).
	cur := make([]int64, len(m.Keys))
	for i, k := range m.Keys {
		if j, ok := c.index[k]; ok {
			cur[i] = c.counts[j]
			t.perEpoch += cur[i]
		}
	}
	t.sampleTh = sampleThresholds(cur, cfg.Sample)
	t.noise = newAliasTable(m.Counts, cfg.NsExponent)
	t.total = t.perEpoch * int64(cfg.Epochs)
	for w := range cfg.Threads {
		t.rngs = append(t.rngs, newRNG(cfg.Seed, uint64(w)+1))
	}
	return t
}

// job is a batch of about jobWords in-vocabulary tokens, as ids, with the
// end offset of each sequence.
type job struct {
	ids   []int32
	ends  []int32
	alpha float32
}

const jobWords = 10000

func (t *trainer) run(ctx context.Context, src Source, opts Options) error {
	start := time.Now()
	cfg := t.cfg
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		if err := t.epoch(ctx, src, opts, epoch, start); err != nil {
			return err
		}
		p := t.progress(epoch, start)
		p.ETA = time.Duration(float64(time.Since(start)) * float64(cfg.Epochs-epoch) / float64(epoch))
		for _, w := range opts.Watch {
			pc := PairCosine{A: w[0], B: w[1]}
			pc.Cosine, pc.Known = t.similarity(w[0], w[1])
			p.Watch = append(p.Watch, pc)
		}
		t.m.History = append(t.m.History, p)
		if opts.Progress != nil {
			opts.Progress(p)
		}
	}
	return nil
}

func (t *trainer) progress(epoch int, start time.Time) Progress {
	done := t.processed.Load()
	p := Progress{Epoch: epoch, Epochs: t.cfg.Epochs, Words: done, TotalWords: t.total, Alpha: t.alphaAt(done)}
	if secs := time.Since(start).Seconds(); secs > 0 && done > 0 {
		p.WordsPerSec = float64(done) / secs
		p.ETA = time.Duration(float64(t.total-done) / p.WordsPerSec * float64(time.Second))
	}
	return p
}

// alphaAt is the learning rate after done of total words: linear decay.
func (t *trainer) alphaAt(done int64) float64 {
	a0, a1 := t.cfg.Alpha, t.cfg.MinAlpha
	if t.total <= 0 {
		return a0
	}
	a := a0 - (a0-a1)*float64(done)/float64(t.total)
	return max(a, a1)
}

// epoch runs one pass: a reader goroutine hands jobs to Threads workers.
func (t *trainer) epoch(ctx context.Context, src Source, opts Options, epoch int, start time.Time) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	nw := t.cfg.Threads
	jobs := make(chan *job, 2*nw)
	free := make(chan *job, 3*nw+1)
	for range 3*nw + 1 {
		free <- &job{ids: make([]int32, 0, jobWords+MaxSequenceLength)}
	}
	var readErr error
	go func() {
		defer close(jobs)
		readErr = t.read(ctx, src, jobs, free)
		if readErr != nil {
			cancel()
		}
	}()
	var wg sync.WaitGroup
	for w := range nw {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk := newWorker(t, &t.rngs[w])
			for j := range jobs {
				if ctx.Err() == nil {
					wk.train(j)
					t.processed.Add(int64(len(j.ids)))
				}
				free <- j
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-done:
			if readErr != nil {
				return readErr
			}
			return ctx.Err()
		case <-tick.C:
			if opts.Progress != nil {
				opts.Progress(t.progress(epoch, start))
			}
		}
	}
}

// read streams one pass of src into jobs, mapping tokens to ids and
// dropping unknown ones. The pass is cut into stripes (Config.Stripes) that
// are read side by side, one sequence from each in turn. It checks ctx
// before every job.
func (t *trainer) read(ctx context.Context, src Source, jobs chan<- *job, free chan *job) (err error) {
	stripes, err := openStripes(src, t.tokens, t.cfg.stripes(), t.marks)
	if err != nil {
		return err
	}
	defer func() {
		for _, s := range stripes {
			if e := s.r.Close(); err == nil && e != nil {
				err = e
			}
		}
	}()
	j := <-free
	j.ids, j.ends = j.ids[:0], j.ends[:0]
	send := func() error {
		if err := ctx.Err(); err != nil {
			return err
		}
		j.alpha = float32(t.alphaAt(t.pushed))
		t.pushed += int64(len(j.ids))
		jobs <- j
		j = <-free
		j.ids, j.ends = j.ids[:0], j.ends[:0]
		return nil
	}
	for k, live := 0, len(stripes); live > 0; {
		s := stripes[k]
		seq, err := s.next(ctx)
		if errors.Is(err, io.EOF) {
			s.done = true
			live--
			k = nextStripe(stripes, k)
			continue
		}
		if err != nil {
			return err
		}
		for len(seq) > 0 {
			piece := seq[:min(len(seq), MaxSequenceLength)]
			seq = seq[len(piece):]
			n := len(j.ids)
			for _, tok := range piece {
				if id, ok := t.index[string(tok)]; ok {
					j.ids = append(j.ids, id)
				}
			}
			if len(j.ids) > n {
				j.ends = append(j.ends, int32(len(j.ids)))
			}
			if len(j.ids) >= jobWords {
				if err := send(); err != nil {
					return err
				}
			}
		}
		k = nextStripe(stripes, k)
	}
	if len(j.ids) > 0 {
		return send()
	}
	return ctx.Err()
}

// stripe reads the sequences of one pass of a Source that start at token
// lo or later and before token hi of the pass: a run of whole sequences,
// so a stripe never cuts one.
type stripe struct {
	r      SequenceReader
	pos    int64 // tokens of the pass before the next sequence
	lo, hi int64
	done   bool
}

// openStripes opens n readers of src, one per stripe; together they read
// every sequence of a pass of tokens tokens exactly once. Stripe i holds
// the sequences that start in [i*tokens/n, (i+1)*tokens/n), so stripes
// may be empty when sequences are long, and one stripe reads in order.
// A stripe starts at the last of marks before its first sequence when src
// can start there (a plain file), and otherwise reads the sequences before
// its own and drops them.
func openStripes(src Source, tokens int64, n int, marks []mark) ([]*stripe, error) {
	n = int(max(1, min(int64(n), tokens)))
	stripes := make([]*stripe, 0, n)
	for i := range n {
		s := &stripe{lo: tokens * int64(i) / int64(n), hi: tokens * int64(i+1) / int64(n)}
		var err error
		k := sort.Search(len(marks), func(k int) bool { return marks[k].tok > s.lo }) - 1
		if sk, ok := src.(seeker); ok && k >= 0 {
			s.r, err = sk.openAt(marks[k].off)
			s.pos = marks[k].tok
		} else {
			s.r, err = src.Open()
		}
		if err != nil {
			for _, s := range stripes {
				s.r.Close()
			}
			return nil, err
		}
		stripes = append(stripes, s)
	}
	stripes[n-1].hi = math.MaxInt64 // the last stripe reads to the end, whatever the count
	return stripes, nil
}

// next returns the stripe's next sequence, or io.EOF after its last.
// While it drops the sequences before the stripe it checks ctx every 1,024
// of them.
func (s *stripe) next(ctx context.Context) ([][]byte, error) {
	for n := 1; s.pos < s.hi; n++ {
		seq, err := s.r.Next()
		if err != nil {
			return nil, err
		}
		start := s.pos
		s.pos += int64(len(seq))
		if start >= s.lo {
			return seq, nil
		}
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	return nil, io.EOF
}

// nextStripe returns the index of the next stripe after k that is not
// done, or k when none is left.
func nextStripe(stripes []*stripe, k int) int {
	for range stripes {
		k = (k + 1) % len(stripes)
		if !stripes[k].done {
			return k
		}
	}
	return k
}
