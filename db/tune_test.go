package db

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vecdb/vecdb/trainer"
)

// driftSessions writes n sessions that drift from one topic to another:
// four items of a topic (of 10 topics × 15 items), then four of another
// drawn at random. The next item belongs to the second topic, which the
// latest items show: a recency weight helps, and any model beats
// popularity by far.
func driftSessions(t *testing.T, dir string, n int, seed int64) {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	var sb strings.Builder
	for range n {
		a := rng.Intn(10)
		b := (a + 1 + rng.Intn(9)) % 10
		var q []string
		for _, topic := range []int{a, b} {
			for _, p := range rng.Perm(15)[:4] {
				q = append(q, fmt.Sprintf("t%d_%d", topic, p))
			}
		}
		sb.WriteString(strings.Join(q, " ") + "\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "sessions.txt"), []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func openTuneDB(t *testing.T) (*DB, string) {
	t.Helper()
	dir := t.TempDir()
	driftSessions(t, dir, 500, 1)
	d, err := Open(filepath.Join(dir, "t.vdb"), &Options{NoSync: true, Sandbox: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, dir
}

const tuneStmt = "TRAIN s FROM 'sessions.txt' WITH (tune = true, max_trials = 3, threads = 1, seed = 3, window = 5)"

// stableParams is describeParams without the params that change from run
// to run.
func stableParams(t *testing.T, d *DB, name string) map[string]string {
	t.Helper()
	p := describeParams(t, d, name)
	delete(p, "seconds")
	delete(p, "trained_at")
	return p
}

// TestTrainTune: TRAIN … WITH (tune = true) shows every trial, trains the
// collection with the best settings and records them with RECOMMEND's
// best weights, which a plain RECOMMEND then uses; the tuned collection
// beats popularity under EVALUATE RECOMMEND.
func TestTrainTune(t *testing.T) {
	d, _ := openTuneDB(t)
	var notes []string
	ctx := WithProgress(context.Background(), func(p Progress) {
		if p.Note != "" {
			if p.Op != "tune" {
				t.Errorf("note of op %q: %s", p.Op, p.Note)
			}
			notes = append(notes, p.Note)
		}
	})
	res, err := d.Exec(ctx, tuneStmt)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res.Message)
	for _, n := range notes {
		t.Log(n)
	}
	if len(notes) != 3 {
		t.Errorf("%d trial notes, want 3 (max_trials)", len(notes))
	}

	// The Go API's search on the same sequences and settings: the trials
	// the statement reported and the settings it recorded are its.
	seqs := readLines(t, d, "sessions.txt")
	base := trainer.ItemConfig()
	base.Threads, base.Seed, base.Window = 1, 3, 5
	want, err := trainer.Tune(context.Background(), seqs, trainer.TuneConfig{Base: base, MaxTrials: 3, Seed: 3, Fixed: []string{"window"}})
	if err != nil {
		t.Fatal(err)
	}
	for i, tr := range want.Trials {
		if tr.Settings.Config.Window != 5 {
			t.Errorf("trial %d moved the window the statement fixed: %s", tr.N, tr.Settings)
		}
		if i < len(notes) && notes[i] != tuneNote(tr, 10) {
			// Only the seconds may differ.
			if strings.Split(notes[i], " in ")[0] != strings.Split(tuneNote(tr, 10), " in ")[0] {
				t.Errorf("note %d: %q, want %q", i, notes[i], tuneNote(tr, 10))
			}
		}
	}
	best := want.Best.Settings
	p := stableParams(t, d, "s")
	for k, v := range map[string]string{
		"window": "5", "dim": strconv.Itoa(best.Config.Dim), "epochs": strconv.Itoa(best.Config.Epochs),
		"min_count": strconv.Itoa(best.Config.MinCount), "ns_exponent": strconv.FormatFloat(best.Config.NsExponent, 'g', -1, 64),
		"sample": strconv.FormatFloat(best.Config.Sample, 'g', -1, 64), "seed": "3",
		"recency": strconv.FormatFloat(best.Recency, 'g', -1, 64), "popularity": strconv.FormatFloat(best.Popularity, 'g', -1, 64),
	} {
		if p[k] != v {
			t.Errorf("DESCRIBE param %s = %q, want %q (best %s)", k, p[k], v, best)
		}
	}
	if p["tuned"] == "" {
		t.Errorf("DESCRIBE shows no tuned param: %v", p)
	}
	// On these sessions the latest items tell the next one: the search
	// chooses a recency weight.
	if best.Recency == 0 {
		t.Errorf("best %s: want a recency weight on drifting sessions", best)
	}

	// A plain RECOMMEND uses the recorded weights.
	c, _ := d.Collection("s")
	v, _ := c.View()
	if res.Stats.RowsAffected != v.Len() || v.Len() == 0 {
		t.Errorf("%d keys trained, the collection holds %d", res.Stats.RowsAffected, v.Len())
	}
	defs := v.RecommendDefaults()
	if defs.Recency != best.Recency || defs.Popularity != best.Popularity {
		t.Errorf("recorded defaults %+v, want %s", defs, best)
	}
	hist := "('t0_1', 't0_2', 't0_3', 't0_4', 't5_1', 't5_2', 't5_3', 't5_4')"
	rec := func(with string) string {
		r, err := d.Query(context.Background(), "RECOMMEND 10 FROM s FOR "+hist+with)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(r.Rows)
	}
	plain := rec("")
	explicit := rec(fmt.Sprintf(" WITH (recency = %g, popularity = %g)", defs.Recency, defs.Popularity))
	if plain != explicit {
		t.Errorf("plain RECOMMEND %s, with the recorded weights %s", plain, explicit)
	}
	if none := rec(" WITH (recency = 0, popularity = 0)"); none == plain {
		t.Errorf("RECOMMEND without weights gives the same as with the recorded ones: %s", none)
	}

	// The tuned collection beats popularity.
	ev, err := d.Query(context.Background(), "EVALUATE RECOMMEND s FROM 'sessions.txt' WITH (threads = 1)")
	if err != nil {
		t.Fatal(err)
	}
	t.Log(ev.Message)
	if hr, pop := ev.Rows[0][1].(float64), ev.Rows[1][1].(float64); hr < 2*pop || hr < 0.3 {
		t.Errorf("EVALUATE RECOMMEND: HR@10 %.3f, popularity %.3f", hr, pop)
	}
}

// readLines reads a sequences file of the database's sandbox.
func readLines(t *testing.T, d *DB, path string) [][]string {
	t.Helper()
	seqs, err := readSequences(context.Background(), trainer.FileSourceWith(d.openRead, path))
	if err != nil {
		t.Fatal(err)
	}
	return seqs
}

// TestTrainTuneDeterministic: with a seed, max_trials and one thread, a
// tune gives the same settings and vectors twice.
func TestTrainTuneDeterministic(t *testing.T) {
	run := func() (map[string]string, []float32) {
		d, _ := openTuneDB(t)
		if _, err := d.Exec(context.Background(), "TRAIN s FROM 'sessions.txt' WITH (tune = true, max_trials = 2, threads = 1, seed = 4, dim = 16)"); err != nil {
			t.Fatal(err)
		}
		c, _ := d.Collection("s")
		v, _ := c.View()
		var vecs []float32
		for i := 0; i < v.Len(); i++ {
			vecs = append(vecs, v.Vector(i)...)
		}
		return stableParams(t, d, "s"), vecs
	}
	p1, v1 := run()
	p2, v2 := run()
	if !reflect.DeepEqual(p1, p2) || !reflect.DeepEqual(v1, v2) {
		t.Errorf("two tunes differ:\n%v\n%v", p1, p2)
	}
	if p1["dim"] != "16" {
		t.Errorf("dim = 16 was not held: %v", p1)
	}
}

// TestTrainTuneCancel: a tune cancelled during its trials, or after them
// (in its final training), leaves the database as it was: no new collection, and
// an existing one with its contents and settings.
func TestTrainTuneCancel(t *testing.T) {
	d, _ := openTuneDB(t)
	bg := context.Background()
	if _, err := d.Exec(bg, "TRAIN old FROM 'sessions.txt' WITH (dim = 8, epochs = 1, threads = 1, min_count = 1)"); err != nil {
		t.Fatal(err)
	}
	before := stableParams(t, d, "old")
	for _, when := range []string{"trial", "final"} {
		for _, name := range []string{"fresh", "old"} {
			ctx, cancel := context.WithCancel(bg)
			notes := 0
			ctx = WithProgress(ctx, func(p Progress) {
				if p.Note != "" {
					notes++
				}
				// The third trial is the last (max_trials): the search
				// ends well and the final training sees the cancellation.
				if when == "trial" && notes == 1 || when == "final" && notes == 3 {
					cancel()
				}
			})
			_, err := d.Exec(ctx, strings.Replace(tuneStmt, "TRAIN s", "TRAIN "+name, 1))
			cancel()
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("%s, cancelled at %s: %v", name, when, err)
			}
		}
		if _, err := d.Collection("fresh"); !errors.Is(err, ErrCollectionNotFound) {
			t.Errorf("cancelled at %s: collection fresh: %v", when, err)
		}
		if after := stableParams(t, d, "old"); !reflect.DeepEqual(before, after) {
			t.Errorf("cancelled at %s: old changed:\n%v\n%v", when, before, after)
		}
	}
}

// TestTrainTuneAPI: the Go API's TrainOptions.Tune records the settings
// and weights as the statement does, and refuses to continue.
func TestTrainTuneAPI(t *testing.T) {
	d, _ := openTuneDB(t)
	ctx := context.Background()
	cfg := trainer.ItemConfig()
	cfg.Threads, cfg.Dim = 1, 16
	res, err := d.TrainFile(ctx, "s", "sessions.txt", TrainOptions{Config: cfg, Tune: &TuneOptions{MaxTrials: 2, Fixed: []string{"dim"}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Tune == nil || len(res.Tune.Trials) != 2 || res.Tune.Best.Settings.Config.Dim != 16 {
		t.Fatalf("tune result %+v", res.Tune)
	}
	got, err := d.TrainConfig("s")
	if err != nil {
		t.Fatal(err)
	}
	bestCfg := res.Tune.Best.Settings.Config
	if got.Window != bestCfg.Window || got.Epochs != bestCfg.Epochs || got.Sample != bestCfg.Sample || got.Dim != 16 {
		t.Errorf("recorded %+v, best %+v", got, bestCfg)
	}
	_, err = d.TrainFile(ctx, "s", "sessions.txt", TrainOptions{Config: cfg, Continue: true, Tune: &TuneOptions{MaxTrials: 1}})
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("tune with continue: %v", err)
	}
	_, err = d.TrainFile(ctx, "s2", "sessions.txt", TrainOptions{Config: cfg, Tune: &TuneOptions{MaxTrials: 1, Fixed: []string{"negative"}}})
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("fixing a setting that is not searched: %v", err)
	}
}

// TestTuneOptionsBind: the budget the statement gives, or the default one
// without max_trials, reaches the search, with the searched settings it
// names held.
func TestTuneOptionsBind(t *testing.T) {
	for _, tt := range []struct {
		opts map[string]any
		want *TuneOptions
	}{
		{map[string]any{"tune": false}, nil},
		{map[string]any{"tune": true}, &TuneOptions{Budget: DefaultTuneBudget}},
		{map[string]any{"tune": true, "max_trials": 4}, &TuneOptions{MaxTrials: 4}},
		{map[string]any{"tune": true, "budget": 2.5, "max_trials": 4, "window": 3, "negative": 2}, &TuneOptions{Budget: 2500 * time.Millisecond, MaxTrials: 4, Fixed: []string{"window"}}},
		{map[string]any{"tune": true, "budget": 30, "epochs": 3, "min_count": 2}, &TuneOptions{Budget: 30 * time.Second, Fixed: []string{"epochs", "min_count"}}},
	} {
		var st trainStatement
		if err := bindOptions(trainOptions, tt.opts, &st); err != nil {
			t.Fatal(err)
		}
		if got := st.tuneOptions(tt.opts); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v: %+v, want %+v", tt.opts, got, tt.want)
		}
	}
}

// TestTrainTuneMemory: a tune whose trials would not fit in
// Limits.MaxMemory is refused before it trains, and writes nothing.
func TestTrainTuneMemory(t *testing.T) {
	dir := t.TempDir()
	driftSessions(t, dir, 100, 2)
	d, err := Open(filepath.Join(dir, "m.vdb"), &Options{NoSync: true, Sandbox: dir, Limits: Limits{MaxMemory: 1 << 10}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	trials := 0
	ctx := WithProgress(context.Background(), func(p Progress) {
		if p.Note != "" {
			trials++
		}
	})
	_, err = d.Exec(ctx, "TRAIN s FROM 'sessions.txt' WITH (tune = true, max_trials = 2, threads = 1)")
	if !errors.Is(err, ErrInvalid) || trials != 0 {
		t.Errorf("%d trials, error %v", trials, err)
	}
	if _, err := d.Collection("s"); !errors.Is(err, ErrCollectionNotFound) {
		t.Errorf("collection s: %v", err)
	}
}

// TestTrainTuneSubwords: the Go API refuses a tune of subword vectors as
// the language does (the catalogue shows the statement's error).
func TestTrainTuneSubwords(t *testing.T) {
	d, _ := openTuneDB(t)
	cfg := trainer.ItemConfig()
	cfg.Subwords = true
	_, err := d.TrainFile(context.Background(), "s", "sessions.txt", TrainOptions{Config: cfg, Tune: &TuneOptions{MaxTrials: 1}})
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("tune with subwords: %v", err)
	}
	if _, err := d.Collection("s"); !errors.Is(err, ErrCollectionNotFound) {
		t.Errorf("collection s: %v", err)
	}
}

// TestTrainContinueKeepsRecommendDefaults: continuing a tuned collection
// keeps the weights the tune recorded; training it afresh does not.
func TestTrainContinueKeepsRecommendDefaults(t *testing.T) {
	d, _ := openTuneDB(t)
	ctx := context.Background()
	if _, err := d.Exec(ctx, "TRAIN s FROM 'sessions.txt' WITH (tune = true, max_trials = 1, threads = 1, dim = 16)"); err != nil {
		t.Fatal(err)
	}
	tuned := stableParams(t, d, "s")
	if tuned["recency"] == "" || tuned["popularity"] == "" {
		t.Fatalf("no weights recorded: %v", tuned)
	}
	if _, err := d.Exec(ctx, "TRAIN s FROM 'sessions.txt' WITH (continue = true, epochs = 1)"); err != nil {
		t.Fatal(err)
	}
	cont := stableParams(t, d, "s")
	if cont["recency"] != tuned["recency"] || cont["popularity"] != tuned["popularity"] || cont["continued"] != "true" {
		t.Errorf("after continue: %v, tuned: %v", cont, tuned)
	}
	if _, err := d.Exec(ctx, "TRAIN s FROM 'sessions.txt' WITH (epochs = 1, min_count = 1)"); err != nil {
		t.Fatal(err)
	}
	if fresh := stableParams(t, d, "s"); fresh["recency"] != "" || fresh["tuned"] != "" {
		t.Errorf("a fresh TRAIN kept the tune's params: %v", fresh)
	}
}
