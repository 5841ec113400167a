package db

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vecdb/vecdb/trainer"
)

// This file runs TRAIN … WITH (tune = true): automatic item settings
// (trainer.Tune) before the training of the collection, with RECOMMEND's
// best weights recorded beside the settings.

// TuneOptions make Train search item settings before it trains
// (TrainOptions.Tune; TRAIN … WITH (tune = true)).
type TuneOptions struct {
	// Budget bounds the search's wall-clock time (not the final
	// training); 0 means no limit. A budget that cannot hold the first
	// trial is ErrBudgetTooSmall.
	Budget time.Duration
	// MaxTrials bounds the number of trained trials; 0 means no limit.
	// Without a Budget, with one thread, the same sequences, settings and
	// seed give the same trials.
	MaxTrials int
	// Fixed names searched settings (trainer.TuneParams: window,
	// ns_exponent, sample, epochs, dim, min_count) held at Config's
	// values; the others start from Config's values and are searched.
	Fixed []string
}

// String describes the search as EXPLAIN shows it: "search window,
// ns_exponent, sample, epochs, min_count (dim fixed) within 10m0s".
func (t *TuneOptions) String() string {
	var searched []string
	for _, p := range trainer.TuneParams() {
		if !slices.Contains(t.Fixed, p) {
			searched = append(searched, p)
		}
	}
	s := "search " + strings.Join(searched, ", ")
	if len(searched) == 0 {
		s = "search recency, popularity and repeats only"
	}
	if len(t.Fixed) > 0 {
		s += " (" + strings.Join(t.Fixed, ", ") + " fixed)"
	}
	if t.MaxTrials > 0 {
		s += fmt.Sprintf(" in at most %d trials", t.MaxTrials)
	}
	if t.Budget > 0 {
		s += fmt.Sprintf(" within %v", t.Budget)
	}
	return s
}

// DefaultTuneBudget is the budget of TRAIN … WITH (tune = true) when the
// statement names neither budget nor max_trials.
const DefaultTuneBudget = 10 * time.Minute

// tuneNote is the Progress.Note of a finished trial: its settings, its
// validation hit rate and its time.
func tuneNote(tr trainer.Trial, k int) string {
	s := fmt.Sprintf("trial %d: %s: HR@%d %.4f in %.2fs", tr.N, tr.Settings, k, tr.HR, tr.Seconds)
	if tr.Best {
		s += " (best so far)"
	}
	return s
}

// tuneSequences reads src and searches item settings from cfg with
// trainer.Tune, reporting each trial to prog. It returns the search's
// result and the sequences read, which the final training reuses.
func (d *DB) tuneSequences(ctx context.Context, src trainer.Source, cfg trainer.Config, opts TuneOptions, prog *throttle) (*trainer.TuneResult, [][]string, error) {
	prog.report(Progress{Op: "tune", Detail: "reading " + sourceName(src)}, true)
	seqs, err := readSequences(ctx, src)
	if err != nil {
		return nil, nil, err
	}
	if len(seqs) == 0 {
		return nil, nil, invalidf("%s holds no sequences", sourceName(src))
	}
	// A trial holds two weight matrices and the view it is scored on
	// (the final training checks its own size as any TRAIN does).
	keys := int64(countItems(seqs))
	if err := d.checkMemory(fmt.Sprintf("a tuning trial of %d keys × dim %d", keys, cfg.Dim), 3*4*keys*int64(cfg.Dim)); err != nil {
		return nil, nil, err
	}
	tc := trainer.TuneConfig{Base: cfg, Budget: opts.Budget, MaxTrials: opts.MaxTrials, Seed: cfg.Seed, Fixed: opts.Fixed,
		OnTrial: func(tr trainer.Trial) {
			prog.report(Progress{Op: "tune", Done: int64(tr.N), Total: int64(opts.MaxTrials), Unit: "trials",
				Detail: fmt.Sprintf("trial %d done", tr.N), Note: tuneNote(tr, trainer.DefaultTuneK)}, true)
		},
		TrainProgress: func(n int, p trainer.Progress) {
			prog.report(Progress{Op: "tune", Done: p.Words, Total: p.TotalWords, Unit: "words",
				Detail: fmt.Sprintf("trial %d: %s", n, describeProgress(p))}, false)
		}}
	res, err := trainer.Tune(ctx, seqs, tc)
	if err != nil {
		return nil, nil, err
	}
	return &res, seqs, nil
}

// tunedParams records the search's outcome in the collection's params:
// RECOMMEND's weights (View.RecommendDefaults) and a summary.
func tunedParams(p map[string]string, r *trainer.TuneResult) {
	p[paramRecency] = strconv.FormatFloat(r.Best.Settings.Recency, 'g', -1, 64)
	p[paramPopularity] = strconv.FormatFloat(r.Best.Settings.Popularity, 'g', -1, 64)
	setRepeatsParam(p, r.Best.Settings.Repeats)
	p["tuned"] = fmt.Sprintf("%d trials (%s), best trial %d: validation HR@%d %.4f vs popularity %.4f on %d sequences",
		len(r.Trials), r.Stop, r.Best.N, trainer.DefaultTuneK, r.Best.HR, r.PopularityHR, r.Cases)
}

// tuneMessage is TRAIN's message for a tuned collection.
func tuneMessage(r *trainer.TuneResult) string {
	gain := "n/a"
	if r.PopularityHR > 0 {
		gain = fmt.Sprintf("%.2f×", r.Best.HR/r.PopularityHR)
	}
	s := fmt.Sprintf("%d trials (stopped: %s), best validation HR@%d %.4f vs popularity %.4f (%s) on %d sequences; chose %s",
		len(r.Trials), r.Stop, trainer.DefaultTuneK, r.Best.HR, r.PopularityHR, gain, r.Cases, r.Best.Settings)
	if r.Unaffordable > 0 {
		s += fmt.Sprintf("; %d trials did not fit in the budget", r.Unaffordable)
	}
	return s
}

// tuneFixed returns the searched settings that a TRAIN statement names:
// the search holds them.
func tuneFixed(given map[string]any) []string {
	var out []string
	for _, p := range trainer.TuneParams() {
		if _, ok := given[p]; ok {
			out = append(out, p)
		}
	}
	return out
}

// tuneOnlyOptions go with tune = true.
var tuneOnlyOptions = []string{"budget", "max_trials"}
