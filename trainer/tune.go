package trainer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/vecdb/vecdb/internal/errdefs"
)

// This file searches item settings (automatic item settings, issue 18).
// See Tune and the package documentation's "Tuning item settings".

// ItemConfig returns the item settings that bench/items recommends for
// sessions, playlists and rating histories, which Tune starts from:
// DefaultConfig with MinCount 1, Epochs 10 and Window 20 (skip-gram, dim
// 100, ns_exponent 0.75, sample 1e-3). RECOMMEND's recency 1 goes with
// them (ItemRecency).
func ItemConfig() Config {
	c := DefaultConfig()
	c.MinCount, c.Epochs, c.Window = 1, 10, 20
	return c
}

// ItemRecency is the recency weight that bench/items recommends with
// ItemConfig.
const ItemRecency = 1.0

// Defaults of TuneConfig.
const (
	DefaultTuneK               = 10
	DefaultTuneValidationCases = 2000
)

// DefaultTuneRecencies, DefaultTunePopularities and DefaultTuneRepeats
// are the recommend-time weights Tune scores every trained model with,
// when TuneConfig leaves them nil. Scoring them needs no training.
var (
	DefaultTuneRecencies    = []float64{0, 0.3, 1, 3, 10}
	DefaultTunePopularities = []float64{0, 0.05, 0.1, 0.2, 0.4, 0.8}
	DefaultTuneRepeats      = []float64{0, 0.03, 0.1, 0.3, 1, 3}
)

// ItemSettings are what Tune chooses: the training configuration and
// RECOMMEND's recency, popularity and repeats weights.
type ItemSettings struct {
	Config     Config
	Recency    float64 // see RecencyWeight
	Popularity float64 // see RecommendScore
	Repeats    float64 // see RecScoring.Repeats
}

// Scoring returns the settings' recommend-time weights.
func (s ItemSettings) Scoring() RecScoring {
	return RecScoring{Recency: s.Recency, Popularity: s.Popularity, Repeats: s.Repeats}
}

// String describes the searched settings: "window=20 ns_exponent=0.75
// sample=0.001 epochs=10 dim=100 min_count=1 recency=1 popularity=0
// repeats=0".
func (s ItemSettings) String() string {
	return fmt.Sprintf("%s recency=%g popularity=%g repeats=%g", configKey(s.Config), s.Recency, s.Popularity, s.Repeats)
}

// TuneConfig controls Tune. The zero value (apart from a Budget or
// MaxTrials, one of which should be set) is ready to use.
type TuneConfig struct {
	// Base is the configuration searched around: the searched fields
	// (Window, NsExponent, Sample, Epochs, Dim, MinCount) start from its
	// values, and the others (Negative, Threads, Seed, CBOW, Alpha,
	// MaxVocab, ShuffleSequences, ...) are used as they are. A zero Base
	// (Dim 0) means ItemConfig(). With Threads > 1 trials are not
	// reproducible bit for bit (see Train).
	Base Config
	// Budget bounds the search's wall-clock time (training and scoring
	// the trials; not the final training, which is the caller's); 0 means
	// no limit. A trial still running at the deadline is abandoned and
	// Tune returns the best so far. A trial that would not fit in what is
	// left (estimated from the previous trials' speed) is skipped. A
	// budget that cannot hold the first trial is ErrBudgetTooSmall,
	// returned as soon as the first trial's progress shows it.
	Budget time.Duration
	// MaxTrials bounds the number of trials (trained models); 0 means no
	// limit. Without a Budget, the search is reproducible: the same
	// sequences, configuration and MaxTrials give the same trials.
	MaxTrials int
	// K is the cut-off of the validation hit rate; default 10.
	K int
	// ValidationCases is how many sequences, drawn with Seed, lose their
	// last item to the validation split; default 2000.
	ValidationCases int
	// Seed draws the validation sequences.
	Seed int64
	// Fixed names searched fields (of TuneParams) that the search holds
	// at Base's values, such as the ones a user chose by hand.
	Fixed []string
	// Recencies, Popularities and Repeats are the recommend-time weights
	// every trained model is scored with (every combination); nil means
	// DefaultTuneRecencies, DefaultTunePopularities and
	// DefaultTuneRepeats. Values must be finite and >= 0.
	Recencies, Popularities, Repeats []float64
	// OnTrial, when set, is called after every trial, from Tune's
	// goroutine.
	OnTrial func(Trial)
	// TrainProgress, when set, receives the training progress of trial n
	// (1-based), as Options.Progress does, from Tune's goroutine.
	TrainProgress func(n int, p Progress)
}

// Trial is one trained model of a search, with its best recommend-time
// weights.
type Trial struct {
	N        int          // 1-based
	Settings ItemSettings // the configuration trained, with its best recency, popularity and repeats
	HR, MRR  float64      // on the validation split at TuneConfig.K
	Keys     int          // the model's vocabulary size
	Seconds  float64      // training and scoring
	Best     bool         // the best trial so far (this one included)
}

// StopReason says why Tune ended.
type StopReason string

// The reasons of TuneResult.Stop.
const (
	StopConverged StopReason = "converged"  // no neighbouring setting improved the best
	StopMaxTrials StopReason = "max_trials" // TuneConfig.MaxTrials reached
	StopBudget    StopReason = "budget"     // TuneConfig.Budget spent (or nothing left fits in it)
)

// TuneResult is the outcome of Tune.
type TuneResult struct {
	Best   Trial   // the best trial: the settings to train the final model with
	Trials []Trial // every trial, in order; Trials[0] is the starting point
	// PopularityHR and PopularityMRR are the popularity baseline's
	// figures on the same validation split.
	PopularityHR, PopularityMRR float64
	Cases                       int        // validation cases
	Skipped                     int        // sequences too short (under 2 items) to lose an item
	Stop                        StopReason // why the search ended
	// Unaffordable counts trials skipped because they would not have
	// finished within the budget.
	Unaffordable int
}

// HoldoutSample is HoldoutLast for at most maxCases sequences drawn with
// seed (all of them when maxCases <= 0): those lose their last n items to
// the split's targets; every other sequence goes to Train whole. Skipped
// counts sequences too short to hold n items out.
func HoldoutSample(seqs [][]string, n, maxCases int, seed int64) HoldoutSplit {
	n = max(n, 1)
	var s HoldoutSplit
	var cand []int
	for i, q := range seqs {
		if len(q) > n {
			cand = append(cand, i)
		} else {
			s.Skipped++
		}
	}
	if maxCases > 0 && len(cand) > maxCases {
		rng := rand.New(rand.NewSource(seed))
		rng.Shuffle(len(cand), func(i, j int) { cand[i], cand[j] = cand[j], cand[i] })
		cand = cand[:maxCases]
		sort.Ints(cand)
	}
	chosen := make(map[int]bool, len(cand))
	for _, i := range cand {
		chosen[i] = true
	}
	for i, q := range seqs {
		if !chosen[i] {
			if len(q) > 0 {
				s.Train = append(s.Train, q)
			}
			continue
		}
		cut := len(q) - n
		s.Train = append(s.Train, q[:cut:cut])
		s.Histories = append(s.Histories, q[:cut:cut])
		s.Targets = append(s.Targets, q[cut:])
	}
	return s
}

// tuneParam is one searched field: its ladder of values, ordered from the
// cheapest or weakest setting to the costliest or strongest.
type tuneParam struct {
	name   string
	ladder []float64
	get    func(Config) float64
	set    func(*Config, float64)
	// order places a value not in the ladder (the base's own value).
	order func(float64) float64
}

func identity(x float64) float64 { return x }

// tuneParams are searched in this order: the window first (the largest
// effect in the item2vec studies and in bench/items), then the noise
// exponent and subsampling (Caselles-Dupré et al. 2018), then the epochs,
// the dimension and min_count.
var tuneParams = []tuneParam{
	{name: "window", ladder: []float64{2, 5, 10, 20, 40}, order: identity,
		get: func(c Config) float64 { return float64(c.Window) }, set: func(c *Config, v float64) { c.Window = int(v) }},
	{name: "ns_exponent", ladder: []float64{-0.5, 0, 0.5, 0.75, 1}, order: identity,
		get: func(c Config) float64 { return c.NsExponent }, set: func(c *Config, v float64) { c.NsExponent = v }},
	// Stronger subsampling first; 0 (off) keeps every token.
	{name: "sample", ladder: []float64{1e-5, 1e-4, 1e-3, 1e-2, 0},
		order: func(v float64) float64 {
			if v == 0 {
				return math.Inf(1)
			}
			return v
		},
		get: func(c Config) float64 { return c.Sample }, set: func(c *Config, v float64) { c.Sample = v }},
	{name: "epochs", ladder: []float64{5, 10, 20, 40}, order: identity,
		get: func(c Config) float64 { return float64(c.Epochs) }, set: func(c *Config, v float64) { c.Epochs = int(v) }},
	{name: "dim", ladder: []float64{25, 50, 100, 200}, order: identity,
		get: func(c Config) float64 { return float64(c.Dim) }, set: func(c *Config, v float64) { c.Dim = int(v) }},
	{name: "min_count", ladder: []float64{1, 2, 3, 5, 10}, order: identity,
		get: func(c Config) float64 { return float64(c.MinCount) }, set: func(c *Config, v float64) { c.MinCount = int(v) }},
}

// TuneParams returns the names of the fields Tune searches, in the
// order it searches them: window, ns_exponent, sample, epochs, dim,
// min_count (TuneConfig.Fixed takes these names).
func TuneParams() []string {
	out := make([]string, len(tuneParams))
	for i, p := range tuneParams {
		out[i] = p.name
	}
	return out
}

// ladderOf returns p's ladder with v in its place and v's index.
func (p tuneParam) ladderOf(v float64) ([]float64, int) {
	if i := slices.Index(p.ladder, v); i >= 0 {
		return p.ladder, i
	}
	l := slices.Clone(p.ladder)
	i := sort.Search(len(l), func(j int) bool { return p.order(l[j]) > p.order(v) })
	return slices.Insert(l, i, v), i
}

// configKey names the searched fields of c.
func configKey(c Config) string {
	w := strconv.Itoa(c.Window)
	if c.WholeSequenceWindow {
		w = "sequence"
	}
	return fmt.Sprintf("window=%s ns_exponent=%g sample=%g epochs=%d dim=%d min_count=%d", w, c.NsExponent, c.Sample, c.Epochs, c.Dim, c.MinCount)
}

// Tune searches item settings for recommending from seqs, the training
// sequences (oldest item first; a caller that measures the result on a
// hold-out must pass the sequences without it: Tune never sees it). It
// carves a validation split from seqs (HoldoutSample: the last item of up
// to ValidationCases sequences drawn with Seed), trains a model per trial
// on the rest and scores it as RECOMMEND would (ItemRecommender) with
// every combination of Recencies, Popularities and Repeats, which costs no training; a
// trial's figure is its best pair's hit rate at K (ties by MRR).
//
// The search is a coordinate descent from Base (ItemConfig, the settings
// bench/items measured as good on sessions, playlists and ratings): for
// each of window, ns_exponent, sample, epochs, dim and min_count in turn it
// tries the next cheaper value on the field's ladder, then the next
// costlier one, and keeps moving while the hit rate improves; passes repeat
// until one improves nothing (StopConverged), MaxTrials trials have run or
// the Budget is spent. Fields named in Fixed keep Base's values. A
// configuration is never trained twice. Starting
// from known-good settings means the first trial is already a sound
// answer, and each later one can only replace it by beating it on
// validation, so any budget that holds one trial gives a usable result.
//
// Tune returns the best settings and every trial, each also passed to
// OnTrial; train the final model on all of seqs with Best.Settings.Config
// and recommend with its Recency, Popularity and Repeats (Scoring). Errors: seqs with no sequence of 2 items or more, a bad
// TuneConfig (errdefs.ErrInvalid), a bad Base (ErrConfig), a budget too
// small for the first trial (ErrBudgetTooSmall), and ctx's error when it is
// cancelled (promptly, with the trials so far).
func Tune(ctx context.Context, seqs [][]string, tc TuneConfig) (TuneResult, error) {
	var res TuneResult
	if tc.Base.Dim == 0 {
		tc.Base = ItemConfig()
	}
	if err := tc.check(); err != nil {
		return res, err
	}
	start := time.Now()
	split := HoldoutSample(seqs, 1, tc.ValidationCases, tc.Seed)
	res.Cases, res.Skipped = len(split.Histories), split.Skipped
	if res.Cases == 0 {
		return res, errdefs.Newf(errdefs.ErrInvalid, "no sequence has 2 items or more (%d too short): nothing to validate item settings on", split.Skipped)
	}
	pop := EvaluateRecommender(PopularityRecommender(split.Train), split, tc.K)
	res.PopularityHR, res.PopularityMRR = pop.HR, pop.MRR

	s := &search{tc: tc, split: split, seen: map[string]bool{}, res: &res}
	if tc.Budget > 0 {
		s.deadline = start.Add(tc.Budget)
	}
	s.counts(split.Train)
	err := s.run(ctx)
	return res, err
}

func (tc *TuneConfig) check() error {
	if err := tc.Base.Validate(); err != nil {
		return err
	}
	bad := func(format string, a ...any) error { return errdefs.Newf(errdefs.ErrInvalid, format, a...) }
	switch {
	case tc.Budget < 0:
		return bad("tuning budget must be >= 0 (0 = no limit), got %v", tc.Budget)
	case tc.MaxTrials < 0:
		return bad("max trials must be >= 0 (0 = no limit), got %d", tc.MaxTrials)
	case tc.K < 0:
		return bad("k must be positive, got %d", tc.K)
	case tc.ValidationCases < 0:
		return bad("validation cases must be >= 0 (0 = default), got %d", tc.ValidationCases)
	}
	tc.K = orDefault(tc.K, DefaultTuneK)
	tc.ValidationCases = orDefault(tc.ValidationCases, DefaultTuneValidationCases)
	for _, f := range tc.Fixed {
		if !slices.Contains(TuneParams(), f) {
			return bad("cannot hold %q fixed: the searched settings are %v", f, TuneParams())
		}
	}
	if tc.Recencies == nil {
		tc.Recencies = DefaultTuneRecencies
	}
	if tc.Popularities == nil {
		tc.Popularities = DefaultTunePopularities
	}
	if tc.Repeats == nil {
		tc.Repeats = DefaultTuneRepeats
	}
	for _, l := range []struct {
		name string
		v    []float64
	}{{"recency", tc.Recencies}, {"popularity", tc.Popularities}, {"repeats", tc.Repeats}} {
		if len(l.v) == 0 {
			return bad("no %s weight to try", l.name)
		}
		for _, x := range l.v {
			if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
				return bad("%s weights must be finite numbers >= 0, got %g", l.name, x)
			}
		}
	}
	return nil
}

// orDefault returns v, or def when v is 0.
func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// search is the state of one Tune.
type search struct {
	tc       TuneConfig
	split    HoldoutSplit
	deadline time.Time // zero: no budget
	seen     map[string]bool
	res      *TuneResult
	best     *Trial

	// The cost model: seconds per unit of training and of scoring,
	// averaged over the trials so far.
	trainRate, scoreRate float64
	rated                int
	fastest              float64 // seconds of the quickest trial
	// Token counts of the validation training set, by descending count.
	counts64 []int64
	total    int64
}

var errOutOfBudget = errors.New("out of budget")

func (s *search) counts(train [][]string) {
	m := map[string]int64{}
	for _, q := range train {
		for _, it := range q {
			m[it]++
		}
	}
	for _, c := range m {
		s.counts64 = append(s.counts64, c)
		s.total += c
	}
	sort.Slice(s.counts64, func(i, j int) bool { return s.counts64[i] > s.counts64[j] })
}

// units estimates the work of training and scoring cfg, in units that the
// cost model turns into seconds.
func (s *search) units(cfg Config) (train, score float64) {
	var kept float64
	keys := 0
	for _, c := range s.counts64 {
		if c < int64(cfg.MinCount) {
			break
		}
		keys++
		kept += float64(c) * KeepProbability(c, s.total, cfg.Sample)
	}
	window := float64(cfg.Window + 1)
	train = kept * float64(cfg.Epochs) * window * float64(cfg.Negative+1) * float64(cfg.Dim)
	score = float64(len(s.split.Histories)) * float64(len(s.tc.Recencies)) * float64(keys) * float64(cfg.Dim)
	return train, score
}

func (s *search) run(ctx context.Context) error {
	cur := s.tc.Base
	if _, err := s.trial(ctx, cur); err != nil {
		return err
	}
	for {
		improved := false
		for _, p := range tuneParams {
			if p.name == "window" && cur.WholeSequenceWindow || slices.Contains(s.tc.Fixed, p.name) {
				continue
			}
			ladder, i := p.ladderOf(p.get(cur))
			for _, dir := range []int{-1, 1} {
				moved := false
				for j := i + dir; j >= 0 && j < len(ladder); j += dir {
					cand := cur
					p.set(&cand, ladder[j])
					better, err := s.trial(ctx, cand)
					if err != nil {
						if errors.Is(err, errOutOfBudget) {
							break
						}
						return err
					}
					if !better {
						break
					}
					cur, moved, improved = cand, true, true
				}
				if moved {
					break
				}
			}
			if s.res.Stop != "" {
				return nil
			}
		}
		if !improved {
			s.res.Stop = StopConverged
			if s.res.Unaffordable > 0 {
				s.res.Stop = StopBudget
			}
			return nil
		}
	}
}

// trial trains and scores cfg unless it was tried before, and reports
// whether it became the best. It returns errOutOfBudget when the trial was
// skipped for lack of time (s.res.Stop is set when nothing more can run).
func (s *search) trial(ctx context.Context, cfg Config) (bool, error) {
	key := configKey(cfg)
	if s.seen[key] {
		return false, nil
	}
	if s.res.Stop != "" {
		return false, errOutOfBudget
	}
	if s.tc.MaxTrials > 0 && len(s.res.Trials) >= s.tc.MaxTrials {
		s.res.Stop = StopMaxTrials
		return false, errOutOfBudget
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	tctx := ctx
	first := len(s.res.Trials) == 0
	if !s.deadline.IsZero() {
		left := time.Until(s.deadline)
		if left <= 0 && first {
			return false, errdefs.Newf(ErrBudgetTooSmall, "the budget of %v was spent before the first trial (%s) could start", s.tc.Budget, key)
		}
		if left <= 0 {
			s.res.Stop = StopBudget
			return false, errOutOfBudget
		}
		if s.rated > 0 && left.Seconds() < s.fastest {
			// Not even the quickest trial so far would fit.
			s.res.Stop = StopBudget
			return false, errOutOfBudget
		}
		if s.rated > 0 {
			tu, su := s.units(cfg)
			if est := tu*s.trainRate + su*s.scoreRate; est > left.Seconds() {
				s.res.Unaffordable++
				return false, errOutOfBudget
			}
		}
		var cancel context.CancelFunc
		tctx, cancel = context.WithDeadline(ctx, s.deadline)
		defer cancel()
	}
	s.seen[key] = true

	t0 := time.Now()
	var estimate time.Duration // first trial: projected training time, when over budget
	opts := Options{}
	tctx, cancel := context.WithCancel(tctx)
	defer cancel()
	n := len(s.res.Trials) + 1
	if first && !s.deadline.IsZero() || s.tc.TrainProgress != nil {
		opts.Progress = func(p Progress) {
			if s.tc.TrainProgress != nil {
				s.tc.TrainProgress(n, p)
			}
			if !first || s.deadline.IsZero() || p.Words <= 0 || p.TotalWords <= 0 {
				return
			}
			el := time.Since(t0)
			est := time.Duration(float64(el) * float64(p.TotalWords) / float64(p.Words))
			if t0.Add(est).After(s.deadline) {
				estimate = est
				cancel()
			}
		}
	}
	tooSmall := func() error {
		msg := fmt.Sprintf("the first trial (%s) did not finish within the budget of %v", key, s.tc.Budget)
		if estimate > 0 {
			msg = fmt.Sprintf("the first trial (%s) needs about %v of training, over the budget of %v", key, estimate.Round(100*time.Millisecond), s.tc.Budget)
		}
		return errdefs.Newf(ErrBudgetTooSmall, "%s; raise the budget or start from cheaper settings", msg)
	}
	m, err := Train(tctx, SliceSource(s.split.Train), cfg, opts)
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if first && (estimate > 0 || errors.Is(err, context.DeadlineExceeded)) {
			return false, tooSmall()
		}
		if errors.Is(err, context.DeadlineExceeded) {
			s.res.Stop = StopBudget
			return false, errOutOfBudget
		}
		return false, err
	}
	trained := time.Since(t0)
	best, err := scoreGrid(tctx, NewItemRecommender(m), s.split, s.tc.K, s.tc.Recencies, s.tc.Popularities, s.tc.Repeats)
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if first {
			return false, tooSmall()
		}
		s.res.Stop = StopBudget
		return false, errOutOfBudget
	}
	secs := time.Since(t0).Seconds()
	tu, su := s.units(cfg)
	s.trainRate = (s.trainRate*float64(s.rated) + trained.Seconds()/tu) / float64(s.rated+1)
	s.scoreRate = (s.scoreRate*float64(s.rated) + (secs-trained.Seconds())/su) / float64(s.rated+1)
	s.rated++
	if s.fastest == 0 || secs < s.fastest {
		s.fastest = secs
	}

	t := Trial{N: n, Settings: ItemSettings{Config: cfg, Recency: best.recency, Popularity: best.popularity, Repeats: best.repeats},
		HR: best.hr, MRR: best.mrr, Keys: m.Len(), Seconds: secs}
	better := s.best == nil || t.HR > s.best.HR || (t.HR == s.best.HR && t.MRR > s.best.MRR)
	t.Best = better
	s.res.Trials = append(s.res.Trials, t)
	if better {
		s.res.Best = t
		s.best = &s.res.Best
	}
	if s.tc.OnTrial != nil {
		s.tc.OnTrial(t)
	}
	return better, nil
}

// gridScore is the figures of one (recency, popularity, repeats) triple.
type gridScore struct {
	recency, popularity, repeats float64
	hr, mrr                      float64
}

// scoreGrid scores r on the split's cases (one target each: the first) with
// every triple of recency, popularity and repeats weights, and returns the
// best (by HR, then MRR, then the first in grid order: recency, then
// popularity, then repeats). The repeats weights cost little: the history
// is merged into each (recency, popularity) top k. It checks ctx every 64
// cases.
func scoreGrid(ctx context.Context, r *ItemRecommender, split HoldoutSplit, k int, recencies, pops, repeats []float64) (gridScore, error) {
	grid := make([]gridScore, 0, len(recencies)*len(pops)*len(repeats))
	for _, rc := range recencies {
		for _, p := range pops {
			for _, w := range repeats {
				grid = append(grid, gridScore{recency: rc, popularity: p, repeats: w})
			}
		}
	}
	q := make([]float32, r.dim)
	sims := make([]float32, len(r.keys))
	top := make([]int, 0, k)
	merged := make([]int, 0, k)
	for c, hist := range split.Histories {
		if c%64 == 0 {
			if err := ctx.Err(); err != nil {
				return gridScore{}, err
			}
		}
		target, ok := r.index[split.Targets[c][0]]
		if !ok {
			continue // an unknown target cannot be recommended
		}
		rows := r.rows(hist)
		for i, rc := range recencies {
			have := false
			for j, p := range pops {
				s := RecScoring{Recency: rc, Popularity: p}
				top = r.top(top[:0], rows, q, sims, k, s, &have)
				for l, w := range repeats {
					list := top
					if w > 0 && have {
						s.Repeats = w
						merged = r.withRepeats(append(merged[:0], top...), 0, rows, sims, k, s)
						list = merged
					}
					if rank := slices.Index(list, target); rank >= 0 {
						g := &grid[(i*len(pops)+j)*len(repeats)+l]
						g.hr++
						g.mrr += 1 / float64(rank+1)
					}
				}
			}
		}
	}
	best := 0
	for i, g := range grid {
		if g.hr > grid[best].hr || (g.hr == grid[best].hr && g.mrr > grid[best].mrr) {
			best = i
		}
	}
	g := grid[best]
	n := float64(len(split.Histories))
	g.hr /= n
	g.mrr /= n
	return g, nil
}
