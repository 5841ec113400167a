package trainer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"testing"
	"time"

	"github.com/vecdb/vecdb/internal/errdefs"
)

// topicSequences makes n sequences in which only items two steps apart are
// related: each draws 7 items of one of 10 topics (20 items each) and puts
// a random noise item (of 50) between consecutive ones, ending with a topic
// item. A window of 1 sees only noise; a window of 2 or more sees the
// topic.
func topicSequences(n int, seed int64) [][]string {
	rng := rand.New(rand.NewSource(seed))
	const topics, perTopic, noise = 10, 20, 50
	var seqs [][]string
	for range n {
		t := rng.Intn(topics)
		var q []string
		for i, p := range rng.Perm(perTopic)[:7] {
			if i > 0 {
				q = append(q, fmt.Sprintf("n%d", rng.Intn(noise)))
			}
			q = append(q, fmt.Sprintf("t%d_%d", t, p))
		}
		seqs = append(seqs, q)
	}
	return seqs
}

// smallBase is a cheap starting point with window 1, the wrong window for
// topicSequences.
func smallBase() Config {
	c := ItemConfig()
	c.Dim, c.Epochs, c.Window = 16, 5, 1
	return c
}

func TestHoldoutSample(t *testing.T) {
	seqs := [][]string{{"a", "b", "c"}, {"d"}, {"e", "f"}, {"g", "h"}, {}, {"i", "j", "k"}}
	all := HoldoutSample(seqs, 1, 0, 1)
	want := HoldoutLast(seqs, 1)
	if !reflect.DeepEqual(all, want) {
		t.Errorf("every sequence: got %+v, want HoldoutLast's %+v", all, want)
	}
	s := HoldoutSample(seqs, 1, 2, 7)
	if len(s.Histories) != 2 || s.Skipped != 2 || len(s.Train) != 5 {
		t.Fatalf("two cases: %+v", s)
	}
	// The sequences not drawn train whole; the drawn ones lose their last
	// item, which is their target.
	held := 0
	for i, q := range s.Train {
		_ = i
		for j, h := range s.Histories {
			if reflect.DeepEqual(q, h) {
				held++
				if len(s.Targets[j]) != 1 {
					t.Errorf("targets %v", s.Targets[j])
				}
			}
		}
	}
	if held != 2 {
		t.Errorf("%d training sequences are histories, want 2: %+v", held, s)
	}
	if again := HoldoutSample(seqs, 1, 2, 7); !reflect.DeepEqual(again, s) {
		t.Error("HoldoutSample is not reproducible with the same seed")
	}
}

func TestTuneFindsWindow(t *testing.T) {
	seqs := topicSequences(600, 1)
	var seen []Trial
	res, err := Tune(context.Background(), seqs, TuneConfig{Base: smallBase(), MaxTrials: 6, Seed: 1,
		OnTrial: func(tr Trial) { seen = append(seen, tr) }})
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range res.Trials {
		t.Logf("trial %d: %s HR %.3f MRR %.3f best=%v", tr.N, tr.Settings, tr.HR, tr.MRR, tr.Best)
	}
	t.Logf("popularity HR %.3f, stop %s", res.PopularityHR, res.Stop)
	if !reflect.DeepEqual(seen, res.Trials) || len(res.Trials) != 6 || res.Stop != StopMaxTrials {
		t.Fatalf("OnTrial saw %d trials, result has %d, stop %q", len(seen), len(res.Trials), res.Stop)
	}
	first, best := res.Trials[0], res.Best
	if first.Settings.Config.Window != 1 || res.Cases != 600 {
		t.Errorf("first trial %s on %d cases", first.Settings, res.Cases)
	}
	if best.Settings.Config.Window < 2 || best.HR < first.HR+0.2 {
		t.Errorf("best %s HR %.3f, first HR %.3f: want a larger window and a clearly better hit rate", best.Settings, best.HR, first.HR)
	}
	if best.HR < 0.3 || best.HR <= res.PopularityHR {
		t.Errorf("best HR %.3f, popularity %.3f", best.HR, res.PopularityHR)
	}
	// The figure Tune reports is EvaluateRecommender's for the same model,
	// split and weights.
	split := HoldoutSample(seqs, 1, DefaultTuneValidationCases, 1)
	m, err := Train(context.Background(), SliceSource(split.Train), best.Settings.Config, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sc := RecScoring{Recency: best.Settings.Recency, Popularity: best.Settings.Popularity}
	if e := EvaluateRecommender(NewItemRecommender(m).Recommender(sc), split, 10); e.HR != best.HR {
		t.Errorf("EvaluateRecommender gives HR %v for the best settings, Tune %v", e.HR, best.HR)
	}
}

func TestTuneReproducible(t *testing.T) {
	seqs := topicSequences(300, 2)
	epochs := map[int]int{} // trial -> last epoch reported
	tc := TuneConfig{Base: smallBase(), MaxTrials: 3, Seed: 5, Recencies: []float64{0, 1}, Popularities: []float64{0, 0.2},
		TrainProgress: func(n int, p Progress) { epochs[n] = max(epochs[n], p.Epoch) }}
	run := func() []Trial {
		clear(epochs)
		res, err := Tune(context.Background(), seqs, tc)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range res.Trials {
			if epochs[tr.N] != tr.Settings.Config.Epochs {
				t.Errorf("no training progress reported for trial %d", tr.N)
			}
		}
		for i := range res.Trials {
			res.Trials[i].Seconds = 0
		}
		return res.Trials
	}
	a, b := run(), run()
	if len(a) != 3 || !reflect.DeepEqual(a, b) {
		t.Errorf("two runs differ:\n%+v\n%+v", a, b)
	}
}

func TestTuneBudgetTooSmall(t *testing.T) {
	seqs := topicSequences(300, 3)
	_, err := Tune(context.Background(), seqs, TuneConfig{Base: smallBase(), Budget: time.Nanosecond})
	if !errors.Is(err, ErrBudgetTooSmall) || !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("1ns budget: %v", err)
	}
	// A first trial far costlier than the budget is refused from the
	// estimate of its first progress report, before the budget is spent.
	heavy := smallBase()
	heavy.Dim, heavy.Epochs, heavy.Window = 300, 1000, 40
	start := time.Now()
	budget := 6 * time.Second
	_, err = Tune(context.Background(), topicSequences(600, 3), TuneConfig{Base: heavy, Budget: budget})
	if !errors.Is(err, ErrBudgetTooSmall) {
		t.Fatalf("heavy first trial: %v", err)
	}
	if el := time.Since(start); el >= budget {
		t.Errorf("the budget error came after %v, not from the estimate", el)
	}
	t.Log(err)
}

func TestTuneCancel(t *testing.T) {
	seqs := topicSequences(600, 4)
	// Cancelled between trials.
	ctx, cancel := context.WithCancel(context.Background())
	res, err := Tune(ctx, seqs, TuneConfig{Base: smallBase(), OnTrial: func(Trial) { cancel() }})
	if !errors.Is(err, context.Canceled) || len(res.Trials) != 1 {
		t.Errorf("cancelled after the first trial: %v, %d trials", err, len(res.Trials))
	}
	// Cancelled while training.
	heavy := smallBase()
	heavy.Dim, heavy.Epochs, heavy.Window = 300, 200, 40
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err = Tune(ctx, seqs, TuneConfig{Base: heavy})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled while training: %v", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("Tune took %v to return after cancellation", el)
	}
}

func TestTuneBadInput(t *testing.T) {
	ctx := context.Background()
	short := [][]string{{"a"}, {"b"}, {}}
	if _, err := Tune(ctx, short, TuneConfig{MaxTrials: 1}); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("sequences too short: %v", err)
	}
	seqs := topicSequences(50, 5)
	for name, tc := range map[string]TuneConfig{
		"negative budget":  {Budget: -time.Second},
		"negative trials":  {MaxTrials: -1},
		"negative k":       {K: -1},
		"negative recency": {Recencies: []float64{-1}},
		"empty popularity": {Popularities: []float64{}},
		"negative cases":   {ValidationCases: -2},
		"negative repeats": {Repeats: []float64{0, -0.1}},
		"NaN repeats":      {Repeats: []float64{math.NaN()}},
	} {
		if _, err := Tune(ctx, seqs, tc); !errors.Is(err, errdefs.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	bad := smallBase()
	bad.Negative = 0
	if _, err := Tune(ctx, seqs, TuneConfig{Base: bad, MaxTrials: 1}); !errors.Is(err, ErrConfig) {
		t.Errorf("bad base: %v", err)
	}
}

// TestTuneBudget: a budget that holds a few trials but not the whole search
// ends it in time, with the best so far and no error. OnTrial sleeps so
// that each trial takes a known wall-clock time, whatever the machine.
func TestTuneBudget(t *testing.T) {
	budget := 1500 * time.Millisecond
	start := time.Now()
	res, err := Tune(context.Background(), topicSequences(600, 6), TuneConfig{Base: smallBase(), Budget: budget,
		OnTrial: func(Trial) { time.Sleep(400 * time.Millisecond) }})
	el := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d trials in %v, %d unaffordable", len(res.Trials), el, res.Unaffordable)
	if res.Stop != StopBudget || len(res.Trials) == 0 || len(res.Trials) > 4 || !res.Trials[0].Best {
		t.Errorf("stop %q after %d trials", res.Stop, len(res.Trials))
	}
	if el > budget+time.Second {
		t.Errorf("Tune ran %v on a budget of %v", el, budget)
	}
}

// TestTuneConverges: without a limit the search stops when no neighbouring
// setting improves the best, and never trains a configuration twice.
func TestTuneConverges(t *testing.T) {
	base := smallBase()
	base.Window = 5
	res, err := Tune(context.Background(), topicSequences(150, 7), TuneConfig{Base: base, Recencies: []float64{0}, Popularities: []float64{0}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stop != StopConverged {
		t.Errorf("stop %q", res.Stop)
	}
	seen := map[string]bool{}
	for _, tr := range res.Trials {
		t.Logf("trial %d: %s HR %.3f best=%v %.2fs", tr.N, tr.Settings, tr.HR, tr.Best, tr.Seconds)
		k := configKey(tr.Settings.Config)
		if seen[k] {
			t.Errorf("%s trained twice", k)
		}
		seen[k] = true
	}
}

// TestTuneFixed: fields named in Fixed keep Base's values in every trial
// (window 1 here, which the search would otherwise leave first), and an
// unknown name is refused.
func TestTuneFixed(t *testing.T) {
	base := smallBase()
	res, err := Tune(context.Background(), topicSequences(300, 8), TuneConfig{Base: base, MaxTrials: 3, Seed: 1,
		Fixed: []string{"window", "dim"}, Recencies: []float64{0}, Popularities: []float64{0}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Trials) != 3 {
		t.Fatalf("%d trials", len(res.Trials))
	}
	moved := false
	for _, tr := range res.Trials {
		c := tr.Settings.Config
		if c.Window != base.Window || c.Dim != base.Dim {
			t.Errorf("trial %d changed a fixed field: %s", tr.N, tr.Settings)
		}
		moved = moved || c.NsExponent != base.NsExponent
	}
	if !moved {
		t.Errorf("the search did not move to the next field: %+v", res.Trials)
	}
	if _, err := Tune(context.Background(), topicSequences(50, 8), TuneConfig{MaxTrials: 1, Fixed: []string{"negative"}}); !errors.Is(err, errdefs.ErrInvalid) {
		t.Errorf("fixing a field that is not searched: %v", err)
	}
}
