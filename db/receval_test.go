package db

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/internal/testutil"
	"github.com/vecdb/vecdb/trainer"
)

// chainSequences returns n sequences with an obvious next item: runs of
// 4 to 9 consecutive items of a ring of items i0 … i(ring-1), starting
// anywhere. The item after the history's last is the one held out.
func chainSequences(n, ring int, seed int64) [][]string {
	rng := rand.New(rand.NewSource(seed))
	out := make([][]string, n)
	for i := range out {
		start, l := rng.Intn(ring), 4+rng.Intn(6)
		for j := 0; j < l; j++ {
			out[i] = append(out[i], fmt.Sprintf("i%d", (start+j)%ring))
		}
	}
	return out
}

func writeSequences(t *testing.T, path string, seqs [][]string) {
	t.Helper()
	var b strings.Builder
	for _, s := range seqs {
		b.WriteString(strings.Join(s, " ") + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// chainDB returns a database holding "items", trained on the chain
// sequences (whose file is returned too) with small settings.
func chainDB(t *testing.T) (*DB, string, [][]string) {
	t.Helper()
	d := MustOpen(t)
	seqs := chainSequences(600, 150, 7)
	path := filepath.Join(t.TempDir(), "chains.txt")
	writeSequences(t, path, seqs)
	if _, err := d.Exec(bg, "TRAIN items FROM ? WITH (dim = 16, window = 2, min_count = 1, epochs = 20, seed = 3, threads = 1)", path); err != nil {
		t.Fatal(err)
	}
	return d, path, seqs
}

func rowsOf(t *testing.T, r *Result) [][]any {
	t.Helper()
	if len(r.Rows) != 2 || r.Rows[1][0] != "popularity" {
		t.Fatalf("EVALUATE RECOMMEND gave %v %v", r.Columns, r.Rows)
	}
	return r.Rows
}

// TestEvaluateRecommendChains: on sequences with an obvious next item,
// the retrained model's HR@10 is far above the popularity row's; the same
// seed gives the same table; the figures are trainer.EvaluateRecommender's
// on the same split; nothing is written.
func TestEvaluateRecommendChains(t *testing.T) {
	d, path, seqs := chainDB(t)
	before := snapshot(t, d)
	var reports []Progress
	ctx := WithProgress(bg, func(p Progress) { reports = append(reports, p) })
	res, err := d.Query(ctx, "EVALUATE RECOMMEND items FROM ? WITH (k = 10)", path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"method", "hr@10", "mrr@10", "ndcg@10", "coverage", "evaluated", "skipped", "cold_targets"}
	if !reflect.DeepEqual(res.Columns, want) {
		t.Fatalf("columns %v", res.Columns)
	}
	rows := rowsOf(t, res)
	hr, popHR := rows[0][1].(float64), rows[1][1].(float64)
	t.Logf("chains: HR@10 %.4f, popularity %.4f; %s", hr, popHR, res.Message)
	if hr < 0.5 || hr < 4*popHR {
		t.Errorf("HR@10 %.4f, popularity %.4f: want the model far above", hr, popHR)
	}
	if rows[0][5] != int64(600) || rows[0][6] != int64(0) {
		t.Errorf("evaluated/skipped: %v", rows[0])
	}
	if len(reports) == 0 || reports[len(reports)-1].Op != "evaluate" || reports[len(reports)-1].Unit != "cases" {
		t.Errorf("progress: %+v", reports)
	}
	if ok, diff := sameSnapshot(before, snapshot(t, d)); !ok {
		t.Errorf("EVALUATE RECOMMEND changed the database: %s", diff)
	}

	// Same seed: the same table.
	again, err := d.Query(bg, "EVALUATE RECOMMEND items FROM ?", path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Rows, res.Rows) {
		t.Errorf("same seed, another table:\n%v\n%v", res.Rows, again.Rows)
	}
	// Another seed trains another model.
	other, err := d.Query(bg, "EVALUATE RECOMMEND items FROM ? WITH (seed = 11)", path)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(other.Rows[0], res.Rows[0]) {
		t.Errorf("seed 11 gave seed 3's figures: %v", other.Rows[0])
	}

	// The engine by hand: the same split, the same settings, RECOMMEND
	// on the stored model, trainer.EvaluateRecommender.
	split := trainer.HoldoutLast(seqs, 1)
	cfg := trainer.DefaultConfig()
	cfg.Dim, cfg.Window, cfg.MinCount, cfg.Epochs, cfg.Seed = 16, 2, 1, 20, 3
	if _, err := d.Train(bg, "by_hand", trainer.SliceSource(split.Train), TrainOptions{Config: cfg}); err != nil {
		t.Fatal(err)
	}
	c, _ := d.Collection("by_hand")
	v, _ := c.View()
	pop := trainer.PopularityRecommender(split.Train)
	rec := func(hist []string, k int) []string {
		hits, err := v.Recommend(bg, hist, k, RecommendOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range hits {
			out = append(out, h.Key)
		}
		return out
	}
	m := trainer.EvaluateRecommender(rec, split, 10)
	p := trainer.EvaluateRecommender(pop, split, 10)
	if got := []any{m.HR, m.MRR, m.NDCG, m.Coverage}; !reflect.DeepEqual(got, rows[0][1:5]) {
		t.Errorf("model: EVALUATE RECOMMEND %v, trainer.EvaluateRecommender %v", rows[0][1:5], got)
	}
	if got := []any{p.HR, p.MRR, p.NDCG, p.Coverage}; !reflect.DeepEqual(got, rows[1][1:5]) {
		t.Errorf("popularity: EVALUATE RECOMMEND %v, trainer.EvaluateRecommender %v", rows[1][1:5], got)
	}

	// train = false scores by_hand as it is: the model it would retrain.
	asIs, err := d.Query(bg, "EVALUATE RECOMMEND by_hand FROM ? WITH (train = false)", path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(asIs.Rows[0][1:], rows[0][1:]) {
		t.Errorf("train = false on the same model: %v, retrained %v", asIs.Rows[0], rows[0])
	}
}

// TestEvaluateRecommendSaveAs: save_as stores the trained model, with its
// settings, and refuses a name in use; the figures match the stored model.
func TestEvaluateRecommendSaveAs(t *testing.T) {
	d, path, _ := chainDB(t)
	res, err := d.Query(bg, "EVALUATE RECOMMEND items FROM ? WITH (save_as = 'evaluated', last = 2)", path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.Collection("evaluated")
	if err != nil {
		t.Fatal(err)
	}
	info, _ := c.Info()
	if info.Params["dim"] != "16" || info.Params["window"] != "2" || info.Params["seed"] != "3" || info.Rows != 150 {
		t.Errorf("saved: %d rows, params %v", info.Rows, info.Params)
	}
	asIs, err := d.Query(bg, "EVALUATE RECOMMEND evaluated FROM ? WITH (train = false, last = 2)", path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(asIs.Rows[0][1:], res.Rows[0][1:]) {
		t.Errorf("saved model %v, evaluated %v", asIs.Rows[0], res.Rows[0])
	}
	before := snapshot(t, d)
	if _, err := d.Query(bg, "EVALUATE RECOMMEND items FROM ? WITH (save_as = 'evaluated')", path); !errors.Is(err, ErrCollectionExists) {
		t.Errorf("save_as an existing name: %v", err)
	}
	if ok, diff := sameSnapshot(before, snapshot(t, d)); !ok {
		t.Errorf("a refused save_as changed the database: %s", diff)
	}

	// On a read-only database save_as is refused, the evaluation is not.
	file := filepath.Join(t.TempDir(), "ro.vdb")
	if _, err := d.Exec(bg, "VACUUM INTO ?", file); err != nil {
		t.Fatal(err)
	}
	ro, err := Open(file, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.Query(bg, "EVALUATE RECOMMEND items FROM ? WITH (save_as = 'again')", path); !errors.Is(err, ErrReadOnly) {
		t.Errorf("read-only save_as: %v", err)
	}
	if _, err := ro.EvaluateRecommend(bg, "items", trainer.FileSource(path), EvaluateRecommendOptions{SaveAs: "again"}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("read-only EvaluateRecommend with SaveAs: %v", err)
	}
	r, err := ro.EvaluateRecommend(bg, "items", trainer.FileSource(path), EvaluateRecommendOptions{Last: 2})
	if err != nil {
		t.Fatal(err)
	}
	if r.Model.HR != res.Rows[0][1] || r.Cases != 600 || r.Keys != 150 {
		t.Errorf("read-only EvaluateRecommend: %+v, EVALUATE RECOMMEND gave %v", r, res.Rows[0])
	}
}

// TestEvaluateRecommendCancel: a cancelled evaluation returns the
// cancellation and writes nothing, even with save_as.
func TestEvaluateRecommendCancel(t *testing.T) {
	d, path, _ := chainDB(t)
	before := snapshot(t, d)
	ctx, cancel := context.WithCancel(bg)
	n := 0
	ctx = WithProgress(ctx, func(p Progress) {
		if n++; n == 2 {
			cancel()
		}
	})
	if _, err := d.Query(ctx, "EVALUATE RECOMMEND items FROM ? WITH (save_as = 'x')", path); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	if ok, diff := sameSnapshot(before, snapshot(t, d)); !ok {
		t.Errorf("a cancelled EVALUATE RECOMMEND changed the database: %s", diff)
	}
}

// TestEvaluateRecommendBadInput: too-short sequences are counted, all too
// short is an error, a held-out item without training events is counted,
// k above the catalogue and unknown collections or files are errors.
func TestEvaluateRecommendBadInput(t *testing.T) {
	d, _, _ := chainDB(t)
	dir := t.TempDir()
	mixed := filepath.Join(dir, "mixed.txt")
	// Two one-item sequences (skipped), and "zz" seen only as a target.
	writeSequences(t, mixed, [][]string{{"i1"}, {"i2", "i3", "i4"}, {"i5"}, {"i6", "i7", "zz"}, {"i3", "i4", "i5", "i6"}})
	short := filepath.Join(dir, "short.txt")
	writeSequences(t, short, [][]string{{"i1"}, {"i2"}, {"i3"}})
	before := snapshot(t, d)
	res, err := d.Query(bg, "EVALUATE RECOMMEND items FROM ? WITH (train = false, k = 5)", mixed)
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Rows[0]; r[5] != int64(3) || r[6] != int64(2) || r[7] != int64(1) {
		t.Errorf("evaluated/skipped/cold: %v", r)
	}
	// Retrained on the rest, zz has no training events either.
	res, err = d.Query(bg, "EVALUATE RECOMMEND items FROM ? WITH (k = 3)", mixed)
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Rows[0]; r[6] != int64(2) || r[7] != int64(1) {
		t.Errorf("retrained: evaluated/skipped/cold: %v", r)
	}
	for _, c := range []struct {
		stmt string
		arg  any
		want error
	}{
		{"EVALUATE RECOMMEND items FROM ?", short, ErrInvalid},
		{"EVALUATE RECOMMEND items FROM ? WITH (k = 50)", mixed, ErrInvalid}, // 9 items were trained on
		{"EVALUATE RECOMMEND nope FROM ?", mixed, ErrCollectionNotFound},
		{"EVALUATE RECOMMEND items FROM ?", filepath.Join(dir, "missing.txt"), os.ErrNotExist},
		{"EVALUATE RECOMMEND items FROM ? WITH (holdout = 'time')", mixed, ErrInvalid},
		{"EVALUATE RECOMMEND items FROM ? WITH (holdout = 'soon')", mixed, ErrInvalid},
		{"EVALUATE RECOMMEND items FROM ? WITH (train = false, save_as = 'x')", mixed, ErrInvalid},
	} {
		_, err := d.Query(bg, c.stmt, c.arg)
		if !errors.Is(err, c.want) {
			t.Errorf("%s (%v): %v, want %v", c.stmt, c.arg, err, c.want)
		}
	}
	// An imported collection has no settings to retrain with.
	if _, err := d.Exec(bg, "CREATE COLLECTION flat (DIM 2); INSERT INTO flat (key, vector) VALUES ('i1', [1, 0]), ('i2', [0, 1])"); err != nil {
		t.Fatal(err)
	}
	before = snapshot(t, d)
	if _, err := d.Query(bg, "EVALUATE RECOMMEND flat FROM ? WITH (k = 1)", mixed); !errors.Is(err, ErrInvalid) {
		t.Errorf("untrained collection: %v", err)
	}
	if ok, diff := sameSnapshot(before, snapshot(t, d)); !ok {
		t.Errorf("bad input changed the database: %s", diff)
	}
}

// TestEvaluateRecommendTimeSplit: an event log split in time holds out the
// events at or after split_at; sequences wholly after it are skipped.
func TestEvaluateRecommendTimeSplit(t *testing.T) {
	d, _, seqs := chainDB(t)
	var b strings.Builder
	b.WriteString("user,item,ts\n")
	for u, s := range seqs {
		for j, it := range s {
			// user u's j-th event at time u + 100·j: users from 300 on
			// start at or after the cut at 300, the others before it.
			fmt.Fprintf(&b, "u%d,%s,%d\n", u, it, u+100*j)
		}
	}
	path := filepath.Join(t.TempDir(), "events.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := d.Query(bg, "EVALUATE RECOMMEND items FROM ? WITH (sequence_by = 'user', order_by = 'ts', item = 'item', holdout = 'time', split_at = 300)", path)
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Rows[0]; r[5] != int64(300) || r[6] != int64(300) {
		t.Errorf("time split: %v (%s)", r, res.Message)
	}
	res, err = d.Query(bg, "EVALUATE RECOMMEND items FROM ? WITH (sequence_by = 'user', order_by = 'ts', item = 'item', holdout = 'time', split_fraction = 0.5)", path)
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Rows[0]; r[5].(int64) == 0 || r[5].(int64) == 600 {
		t.Errorf("time split by fraction: %v (%s)", r, res.Message)
	}
	if _, err := d.Query(bg, "EVALUATE RECOMMEND items FROM ? WITH (sequence_by = 'user', item = 'item', holdout = 'time')", path); !errors.Is(err, ErrInvalid) {
		t.Errorf("time split without order_by: %v", err)
	}
	// The same log, last item held out: as many cases as users.
	res, err = d.Query(bg, "EVALUATE RECOMMEND items FROM ? WITH (sequence_by = 'user', order_by = 'ts', item = 'item')", path)
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Rows[0]; r[5] != int64(600) {
		t.Errorf("event log, last item: %v", r)
	}
}

// TestRecommendPopularityAndDefaults: WITH (popularity = w) ranks by
// similarity plus w·PopularityPrior; weights recorded with the collection
// (SetRecommendDefaults, the tuner's hook) are what a plain RECOMMEND and
// EVALUATE RECOMMEND use; a statement's own weights override them.
func TestRecommendPopularityAndDefaults(t *testing.T) {
	d, path, _ := chainDB(t)
	const q = "RECOMMEND 8 FROM items FOR ('i1', 'i2', 'i3')"
	run := func(stmt string) *Result {
		t.Helper()
		r, err := d.Query(bg, stmt)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	plain := run(q)
	weighted := run(q + " WITH (recency = 2, popularity = 0.5)")
	if reflect.DeepEqual(plain.Rows, weighted.Rows) {
		t.Fatalf("the weights change nothing: %v", plain.Rows)
	}
	if got := weighted.Columns[:4]; !reflect.DeepEqual(got, []string{"rank", "key", "similarity", "score"}) {
		t.Errorf("columns with a popularity weight: %v", weighted.Columns)
	}
	// The score is the similarity plus the weighted prior, and orders the rows.
	c, _ := d.Collection("items")
	v, _ := c.View()
	for i, r := range weighted.Rows {
		p, _ := v.Lookup(r[1].(string))
		if want := r[2].(float64) + 0.5*v.PopularityPrior(p); r[3].(float64) != want {
			t.Errorf("row %d: score %v, similarity + 0.5·prior = %v", i, r[3], want)
		}
		if i > 0 && r[3].(float64) > weighted.Rows[i-1][3].(float64) {
			t.Errorf("rows not in score order: %v", weighted.Rows)
		}
	}
	// A huge weight ranks by popularity.
	hits, err := v.Recommend(bg, []string{"i1", "i2"}, 10, RecommendOptions{Popularity: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(hits); i++ {
		if v.Count(hits[i].Pos) > v.Count(hits[i-1].Pos) {
			t.Errorf("popularity 1000: %s (count %d) after %s (count %d)", hits[i].Key, v.Count(hits[i].Pos), hits[i-1].Key, v.Count(hits[i-1].Pos))
		}
	}
	if _, err := v.Recommend(bg, []string{"i1"}, 3, RecommendOptions{Popularity: -1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative popularity: %v", err)
	}

	// Recorded defaults.
	if err := d.SetRecommendDefaults(bg, "items", RecommendDefaults{Recency: 2, Popularity: 0.5}); err != nil {
		t.Fatal(err)
	}
	if got := run(q); !reflect.DeepEqual(got.Rows, weighted.Rows) {
		t.Errorf("plain RECOMMEND after recording recency 2, popularity 0.5:\n%v\nwant\n%v", got.Rows, weighted.Rows)
	}
	if got := run(q + " WITH (recency = 0, popularity = 0)"); !reflect.DeepEqual(got.Rows, plain.Rows) {
		t.Errorf("the statement's weights do not override the recorded ones:\n%v\nwant\n%v", got.Rows, plain.Rows)
	}
	desc := fmt.Sprint(run("DESCRIBE items").Rows)
	if !strings.Contains(desc, "param popularity 0.5") || !strings.Contains(desc, "param recency 2") {
		t.Errorf("DESCRIBE does not show the defaults: %s", desc)
	}
	ev, err := d.Query(bg, "EVALUATE RECOMMEND items FROM ?", path)
	if err != nil {
		t.Fatal(err)
	}
	ev0, err := d.Query(bg, "EVALUATE RECOMMEND items FROM ? WITH (recency = 0, popularity = 0)", path)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(ev.Rows[0], ev0.Rows[0]) {
		t.Errorf("EVALUATE RECOMMEND ignores the recorded weights: %v", ev.Rows[0])
	}
	// train = false scores the collection as a plain RECOMMEND would: with
	// the recorded weights (bench/items/tuned.sh measures a tuned
	// collection this way).
	asIs := run(fmt.Sprintf("EVALUATE RECOMMEND items FROM '%s' WITH (train = false)", path))
	explicit := run(fmt.Sprintf("EVALUATE RECOMMEND items FROM '%s' WITH (train = false, recency = 2, popularity = 0.5)", path))
	unweighted := run(fmt.Sprintf("EVALUATE RECOMMEND items FROM '%s' WITH (train = false, recency = 0, popularity = 0)", path))
	if !reflect.DeepEqual(asIs.Rows, explicit.Rows) {
		t.Errorf("train = false without weights %v, with the recorded ones given %v", asIs.Rows, explicit.Rows)
	}
	if reflect.DeepEqual(asIs.Rows[0], unweighted.Rows[0]) {
		t.Errorf("train = false ignores the recorded weights: %v", asIs.Rows[0])
	}
	for _, bad := range []RecommendDefaults{{Recency: -1}, {Popularity: -0.5}} {
		if err := d.SetRecommendDefaults(bg, "items", bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("SetRecommendDefaults(%+v): %v", bad, err)
		}
	}
	if err := d.SetRecommendDefaults(bg, "nope", RecommendDefaults{}); !errors.Is(err, ErrCollectionNotFound) {
		t.Errorf("SetRecommendDefaults on a missing collection: %v", err)
	}
}

// TestEvaluateRecommendSessions runs EVALUATE RECOMMEND on a slice of the
// data kit's e-commerce sessions (the first 1500): the retrained model
// must beat the popularity baseline by far.
func TestEvaluateRecommendSessions(t *testing.T) {
	path := testutil.SharedData(t, "sessions/ecommerce_sessions.txt")
	if testing.Short() {
		t.Skip("skipping real-data training in -short mode")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	slice := filepath.Join(t.TempDir(), "sessions.txt")
	if err := os.WriteFile(slice, []byte(strings.Join(lines[:min(1500, len(lines))], "")), 0o644); err != nil {
		t.Fatal(err)
	}
	d := MustOpen(t)
	if _, err := d.Exec(bg, "TRAIN shop FROM ? WITH (dim = 32, min_count = 2, window = 20, epochs = 10, threads = 1, seed = 1)", slice); err != nil {
		t.Fatal(err)
	}
	res, err := d.Query(bg, "EVALUATE RECOMMEND shop FROM ? WITH (max_cases = 300, recency = 1)", slice)
	if err != nil {
		t.Fatal(err)
	}
	rows := rowsOf(t, res)
	hr, popHR := rows[0][1].(float64), rows[1][1].(float64)
	t.Logf("e-commerce, first 1500 sessions: %s", res.Message)
	if rows[0][5] != int64(300) || hr < 2*popHR || hr < 0.05 {
		t.Errorf("HR@10 %.4f vs popularity %.4f on %v cases: want the model at least twice the baseline", hr, popHR, rows[0][5])
	}
}
