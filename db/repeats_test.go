package db

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/query"
	"github.com/vecdb/vecdb/trainer"
)

// TestRecommendRepeats: repeats = 0 is RECOMMEND as before (the history
// left out, the same hits as a search excluding it); repeats = w > 0 ranks
// every row, history included, by similarity + popularity prior + w ×
// the row's recency-weighted share of the history, as RecommendOptions
// documents, and the score column shows that sum.
func TestRecommendRepeats(t *testing.T) {
	d := MustOpen(t)
	c := planeItems(t, d)
	v, _ := c.View()
	hist := []string{"A", "Y", "A", "B"}
	pos, err := v.Positions(hist)
	if err != nil {
		t.Fatal(err)
	}
	for _, base := range []RecommendOptions{{}, {Recency: 1}, {Recency: 0.5, Popularity: 0.3}} {
		// w = 0: as before.
		got, err := v.Recommend(bg, hist, 6, base)
		if err != nil {
			t.Fatal(err)
		}
		if base.Popularity == 0 {
			q, _, _ := v.HistoryVector(hist, base.Recency)
			want, err := v.Search(bg, q, 6, &SearchOptions{Exclude: pos})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%+v: repeats 0 gave %v, the search without the history %v", base, keysOf(got), keysOf(want))
			}
		}
		for _, h := range got {
			if slices.Contains(hist, h.Key) {
				t.Errorf("%+v: repeats 0 returned history key %s", base, h.Key)
			}
		}
		// w > 0: by hand.
		for _, w := range []float64{0.01, 0.2, 2} {
			opts := base
			opts.Repeats = w
			q, _, _ := v.HistoryVector(hist, opts.Recency)
			shares := trainer.RepeatShares(pos, opts.Recency)
			type cand struct {
				pos   int
				score float64
			}
			var all []cand
			for p := range v.Len() {
				var dot float64
				x := v.Vector(p)
				n := math.Hypot(float64(x[0]), float64(x[1]))
				for i := range x {
					dot += float64(q[i]) * float64(x[i]) / n
				}
				s := dot + opts.Popularity*v.PopularityPrior(p) + w*shares[p]
				all = append(all, cand{p, s})
			}
			sort.SliceStable(all, func(a, b int) bool { return all[a].score > all[b].score })
			var want []string
			for _, c := range all[:6] {
				want = append(want, v.Key(c.pos))
			}
			hits, err := v.Recommend(bg, hist, 6, opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := keysOf(hits); !reflect.DeepEqual(got, want) {
				t.Errorf("%+v: got %v, want %v", opts, got, want)
			}
			if w == 2 && hits[0].Key != "A" && hits[0].Key != "B" {
				t.Errorf("%+v: a large weight should put A (half the history) or B (the last) first: %v", opts, keysOf(hits))
			}
			for i, h := range hits {
				if s := v.RecommendScore(h, hist, opts); math.Abs(s-all[i].score) > 1e-5 {
					t.Errorf("%+v: RecommendScore(%s) = %v, want %v", opts, h.Key, s, all[i].score)
				}
			}
		}
	}
	// Exclude and Filter still apply to the history's rows.
	a, _ := v.Lookup("A")
	hits, err := v.Recommend(bg, hist, 3, RecommendOptions{Repeats: 5, Exclude: []int{a}, Filter: func(p int) bool { return v.Key(p) != "B" }})
	if err != nil {
		t.Fatal(err)
	}
	if got := keysOf(hits); slices.Contains(got, "A") || slices.Contains(got, "B") || got[0] != "Y" {
		t.Errorf("exclude A, filter out B: %v, want Y first", got)
	}
}

// TestRecommendRepeatsStatement: the repeats option through the language,
// its score column, the recorded default (DESCRIBE, a plain RECOMMEND), and
// bad values refused with a position, matching ErrInvalid.
func TestRecommendRepeatsStatement(t *testing.T) {
	d := MustOpen(t)
	c := planeItems(t, d)
	v, _ := c.View()
	const q = "RECOMMEND 3 FROM items FOR ('A', 'Y', 'A', 'B')"
	run := func(stmt string) *Result {
		t.Helper()
		r, err := d.Query(bg, stmt)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	plain := run(q)
	if !reflect.DeepEqual(plain.Columns, []string{"rank", "key", "similarity"}) {
		t.Errorf("plain columns %v", plain.Columns)
	}
	rep := run(q + " WITH (repeats = 0.5)")
	if !reflect.DeepEqual(rep.Columns, []string{"rank", "key", "similarity", "score"}) {
		t.Fatalf("columns with repeats: %v", rep.Columns)
	}
	if rep.Rows[0][1] != "A" {
		t.Errorf("repeats 0.5: %v, want A (half the history) first", rep.Rows)
	}
	pos, _ := v.Positions([]string{"A", "Y", "A", "B"})
	shares := trainer.RepeatShares(pos, 0)
	for i, r := range rep.Rows {
		p, _ := v.Lookup(r[1].(string))
		if want := r[2].(float64) + 0.5*shares[p]; r[3].(float64) != want {
			t.Errorf("row %d: score %v, similarity + 0.5·share = %v", i, r[3], want)
		}
		if i > 0 && r[3].(float64) > rep.Rows[i-1][3].(float64) {
			t.Errorf("rows not in score order: %v", rep.Rows)
		}
	}
	if got := run(q + " WITH (repeats = 0)"); !reflect.DeepEqual(got.Rows, plain.Rows) {
		t.Errorf("repeats = 0 %v, plain %v", got.Rows, plain.Rows)
	}
	// Recorded default.
	if err := d.SetRecommendDefaults(bg, "items", RecommendDefaults{Repeats: 0.5}); err != nil {
		t.Fatal(err)
	}
	if got := run(q); !reflect.DeepEqual(got.Rows, rep.Rows) {
		t.Errorf("plain RECOMMEND after recording repeats 0.5:\n%v\nwant\n%v", got.Rows, rep.Rows)
	}
	if p := describeParams(t, d, "items"); p["repeats"] != "0.5" {
		t.Errorf("DESCRIBE params %v: want repeats 0.5", p)
	}
	if ex := fmt.Sprint(run("EXPLAIN " + q).Rows); !strings.Contains(ex, "history items scored with repeats") {
		t.Errorf("EXPLAIN with a recorded repeats weight: %s", ex)
	}
	if ex := fmt.Sprint(run("EXPLAIN " + q + " WITH (repeats = 0)").Rows); !strings.Contains(ex, "history excluded") {
		t.Errorf("EXPLAIN with repeats = 0: %s", ex)
	}
	if got := run(q + " WITH (repeats = 0)"); !reflect.DeepEqual(got.Rows[:3], plain.Rows) {
		t.Errorf("the statement's repeats = 0 does not override the recorded weight: %v", got.Rows)
	}
	if err := d.SetRecommendDefaults(bg, "items", RecommendDefaults{}); err != nil {
		t.Fatal(err)
	}
	if p := describeParams(t, d, "items"); p["repeats"] != "" {
		t.Errorf("repeats 0 recorded: DESCRIBE still shows %q", p["repeats"])
	}
	// Bad values.
	_, err := d.Query(bg, q+" WITH (repeats = -1)")
	var qe *query.Error
	if !errors.Is(err, ErrInvalid) || !errors.As(err, &qe) {
		t.Errorf("repeats = -1: %v, want a positioned ErrInvalid", err)
	}
	for _, w := range []float64{-0.5, math.NaN(), math.Inf(1)} {
		if _, err := v.Recommend(bg, []string{"A"}, 3, RecommendOptions{Repeats: w}); !errors.Is(err, ErrInvalid) {
			t.Errorf("Recommend with repeats %v: %v", w, err)
		}
		if err := d.SetRecommendDefaults(bg, "items", RecommendDefaults{Repeats: w}); !errors.Is(err, ErrInvalid) {
			t.Errorf("SetRecommendDefaults with repeats %v: %v", w, err)
		}
	}
}

// revisitDB returns a database and the path of sessions whose next item is
// always in the history: chains of 5 to 9 consecutive items of a ring of
// 120 that go back, last, to the item three steps earlier.
func revisitDB(t *testing.T) (*DB, string, [][]string) {
	t.Helper()
	rng := rand.New(rand.NewSource(5))
	seqs := make([][]string, 600)
	for i := range seqs {
		start, l := rng.Intn(120), 5+rng.Intn(5)
		for j := range l {
			seqs[i] = append(seqs[i], "i"+strconv.Itoa((start+j)%120))
		}
		seqs[i] = append(seqs[i], seqs[i][l-3])
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "revisits.txt")
	writeSequences(t, path, seqs)
	d, err := Open(filepath.Join(dir, "r.vdb"), &Options{NoSync: true, Sandbox: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, path, seqs
}

// TestEvaluateRecommendRepeats: EVALUATE RECOMMEND honours repeats (given
// or recorded), its figures are trainer.EvaluateRecommender's with
// RECOMMEND and with the tuner's ItemRecommender on the same model, and a
// bad value is refused.
func TestEvaluateRecommendRepeats(t *testing.T) {
	d, path, seqs := revisitDB(t)
	const train = "TRAIN items FROM 'revisits.txt' WITH (dim = 16, window = 3, min_count = 1, epochs = 10, seed = 3, threads = 1)"
	if _, err := d.Exec(bg, train); err != nil {
		t.Fatal(err)
	}
	eval := func(with string) [][]any {
		t.Helper()
		res, err := d.Query(bg, "EVALUATE RECOMMEND items FROM 'revisits.txt'"+with)
		if err != nil {
			t.Fatal(err)
		}
		return rowsOf(t, res)
	}
	without, with := eval(""), eval(" WITH (repeats = 0.3)")
	t.Logf("HR@10 without repeats %v, with %v", without[0][1], with[0][1])
	if with[0][1].(float64) < 0.9 || without[0][1].(float64) > 0.1 {
		t.Errorf("HR@10 without repeats %v, with %v: every target is in the history", without[0][1], with[0][1])
	}
	if !reflect.DeepEqual(with[1], without[1]) {
		t.Errorf("the popularity row changed: %v vs %v", with[1], without[1])
	}
	// By hand: the same split and model.
	split := trainer.HoldoutLast(seqs, 1)
	cfg := trainer.DefaultConfig()
	cfg.Dim, cfg.Window, cfg.MinCount, cfg.Epochs, cfg.Seed = 16, 3, 1, 10, 3
	m, err := trainer.Train(bg, trainer.SliceSource(split.Train), cfg, trainer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Train(bg, "by_hand", trainer.SliceSource(split.Train), TrainOptions{Config: cfg}); err != nil {
		t.Fatal(err)
	}
	bc, _ := d.Collection("by_hand")
	v, _ := bc.View()
	rec := func(hist []string, k int) []string {
		hits, err := v.Recommend(bg, hist, k, RecommendOptions{Repeats: 0.3})
		if err != nil {
			t.Fatal(err)
		}
		return keysOf(hits)
	}
	byHand := trainer.EvaluateRecommender(rec, split, 10)
	if got := []any{byHand.HR, byHand.MRR, byHand.NDCG, byHand.Coverage}; !reflect.DeepEqual(got, with[0][1:5]) {
		t.Errorf("EVALUATE RECOMMEND %v, RECOMMEND by hand %v", with[0][1:5], got)
	}
	tuner := trainer.EvaluateRecommender(trainer.NewItemRecommender(m).Recommender(trainer.RecScoring{Repeats: 0.3}), split, 10)
	if tuner.HR != byHand.HR || tuner.MRR != byHand.MRR {
		t.Errorf("the tuner's recommender: HR %v MRR %v, RECOMMEND HR %v MRR %v", tuner.HR, tuner.MRR, byHand.HR, byHand.MRR)
	}
	// The recorded weight is used, and the statement's overrides it.
	if err := d.SetRecommendDefaults(bg, "items", RecommendDefaults{Repeats: 0.3}); err != nil {
		t.Fatal(err)
	}
	if got := eval(""); !reflect.DeepEqual(got, with) {
		t.Errorf("recorded repeats 0.3: %v, want %v", got, with)
	}
	if got := eval(" WITH (repeats = 0)"); !reflect.DeepEqual(got, without) {
		t.Errorf("repeats = 0 over the recorded 0.3: %v, want %v", got, without)
	}
	// Go API and language refuse bad values.
	w := -1.0
	if _, err := d.EvaluateRecommend(bg, "items", trainer.FileSource(path), EvaluateRecommendOptions{Repeats: &w}); !errors.Is(err, ErrInvalid) {
		t.Errorf("EvaluateRecommend with repeats -1: %v", err)
	}
	_, err = d.Query(bg, "EVALUATE RECOMMEND items FROM 'revisits.txt' WITH (repeats = -0.5)")
	var qe *query.Error
	if !errors.Is(err, ErrInvalid) || !errors.As(err, &qe) {
		t.Errorf("repeats = -0.5: %v, want a positioned ErrInvalid", err)
	}
}

// TestTrainTuneRecordsRepeats: a tune on sessions that revisit items
// records a repeats weight, which a plain RECOMMEND uses; a tune on
// sessions that do not (driftSessions) records none.
func TestTrainTuneRecordsRepeats(t *testing.T) {
	d, _, _ := revisitDB(t)
	res, err := d.Exec(bg, "TRAIN r FROM 'revisits.txt' WITH (tune = true, max_trials = 1, dim = 16, epochs = 5, window = 3, threads = 1, seed = 1)")
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res.Message)
	p := describeParams(t, d, "r")
	w, err := strconv.ParseFloat(p["repeats"], 64)
	if err != nil || w <= 0 {
		t.Fatalf("DESCRIBE params %v: want a repeats weight > 0", p)
	}
	c, _ := d.Collection("r")
	v, _ := c.View()
	if got := v.RecommendDefaults().Repeats; got != w {
		t.Errorf("RecommendDefaults().Repeats = %v, DESCRIBE %v", got, w)
	}
	// A plain RECOMMEND brings the revisited item back.
	r, err := d.Query(bg, "RECOMMEND 10 FROM r FOR ('i10', 'i11', 'i12', 'i13', 'i14')")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, row := range r.Rows {
		keys = append(keys, row[1].(string))
	}
	if !slices.Contains(keys, "i12") {
		t.Errorf("plain RECOMMEND on the tuned collection: %v, want the revisited i12 among them", keys)
	}
	// TRAIN … continue keeps it.
	if _, err := d.Exec(bg, "TRAIN r FROM 'revisits.txt' WITH (continue = true, epochs = 1)"); err != nil {
		t.Fatal(err)
	}
	if got := describeParams(t, d, "r")["repeats"]; got != p["repeats"] {
		t.Errorf("after continue: repeats %q, want %q", got, p["repeats"])
	}

	d2, _ := openTuneDB(t)
	if _, err := d2.Exec(bg, "TRAIN s FROM 'sessions.txt' WITH (tune = true, max_trials = 1, threads = 1, seed = 3, window = 5)"); err != nil {
		t.Fatal(err)
	}
	if got, ok := describeParams(t, d2, "s")["repeats"]; ok {
		t.Errorf("drift sessions (no revisits): repeats %s recorded", got)
	}
}
