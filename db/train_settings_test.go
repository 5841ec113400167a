package db

import (
	"errors"
	"fmt"
	"maps"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/query"
	"github.com/vecdb/vecdb/storage"
	"github.com/vecdb/vecdb/trainer"
)

// writeCorpus writes lines of words drawn from a vocabulary of n words
// ("w0" … ) with a fixed seed, and returns the file's path.
func writeCorpus(t *testing.T, name string, lines, n int, seed int64) string {
	t.Helper()
	r := rand.New(rand.NewSource(seed))
	var b strings.Builder
	for range lines {
		for j := range 8 {
			if j > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "w%d", r.Intn(n))
		}
		b.WriteByte('\n')
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func describeParams(t *testing.T, d *DB, name string) map[string]string {
	t.Helper()
	res, err := d.Query(bg, "DESCRIBE "+name)
	if err != nil {
		t.Fatal(err)
	}
	p := map[string]string{}
	for _, r := range res.Rows {
		if k, ok := strings.CutPrefix(r[0].(string), "param "); ok {
			p[k] = r[1].(string)
		}
	}
	return p
}

// TRAIN … WITH (continue = true) keeps the settings the model recorded
// (gensim's build_vocab(update=True)): DESCRIBE shows CBOW, window 8,
// min_count 3 after continuing, and only what the statement names changes.
func TestTrainContinueKeepsRecordedSettings(t *testing.T) {
	d := MustOpen(t)
	first := writeCorpus(t, "first.txt", 400, 40, 1)
	more := writeCorpus(t, "more.txt", 200, 60, 2)
	if _, err := d.Exec(bg, fmt.Sprintf("TRAIN c FROM %s USING CBOW WITH (dim = 12, min_count = 3, window = 8, negative = 7, sample = 0.01, ns_exponent = 0.5, seed = 9, threads = 1)", query.QuoteString(first))); err != nil {
		t.Fatal(err)
	}
	before := describeParams(t, d, "c")
	if before["algorithm"] != "CBOW" || before["window"] != "8" || before["min_count"] != "3" || before["alpha"] != "0.05" {
		t.Fatalf("first TRAIN recorded %v", before)
	}
	if _, err := d.Exec(bg, fmt.Sprintf("TRAIN c FROM %s WITH (epochs = 2, continue = true)", query.QuoteString(more))); err != nil {
		t.Fatal(err)
	}
	after := describeParams(t, d, "c")
	for _, k := range []string{"algorithm", "dim", "window", "min_count", "negative", "sample", "ns_exponent", "seed", "alpha", "min_alpha", "threads"} {
		if after[k] != before[k] {
			t.Errorf("after continue, %s = %q, want the recorded %q", k, after[k], before[k])
		}
	}
	if after["epochs"] != "2" || after["continued"] != "true" {
		t.Errorf("after continue: epochs %q continued %q, want the statement's 2 and true", after["epochs"], after["continued"])
	}
	// Keys of more.txt beyond w39 reach min_count 3 (kept) and are appended.
	c, _ := d.Collection("c")
	v, _ := c.View()
	if _, ok := v.Lookup("w55"); !ok {
		t.Error("continue did not add the new keys")
	}

	// A setting the statement names replaces the recorded one.
	if _, err := d.Exec(bg, fmt.Sprintf("TRAIN c FROM %s WITH (epochs = 1, window = 3, continue = true)", query.QuoteString(more))); err != nil {
		t.Fatal(err)
	}
	if p := describeParams(t, d, "c"); p["window"] != "3" || p["algorithm"] != "CBOW" || p["min_count"] != "3" {
		t.Errorf("continue with window = 3: %v", p)
	}

	// Contradictions are refused, and the collection stays as it was.
	rows := snapshotRows(t, c)
	kept := describeParams(t, d, "c")
	for _, tc := range []struct {
		stmt string
		want error
	}{
		{"TRAIN c FROM %s WITH (dim = 30, continue = true)", ErrDimension},
		{"TRAIN c FROM %s USING SKIPGRAM WITH (continue = true)", ErrInvalid},
	} {
		_, err := d.Exec(bg, fmt.Sprintf(tc.stmt, query.QuoteString(more)))
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.stmt, err, tc.want)
		}
		var qe *query.Error
		if !errors.As(err, &qe) || !qe.Pos.IsValid() {
			t.Errorf("%s: %v is not a language error with a position", tc.stmt, err)
		}
	}
	if !reflect.DeepEqual(rows, snapshotRows(t, c)) {
		t.Error("a refused continue changed the rows")
	}
	if p := describeParams(t, d, "c"); !reflect.DeepEqual(p, kept) {
		t.Errorf("a refused continue changed the settings: %v, was %v", p, kept)
	}
	// The same USING as recorded is fine.
	if _, err := d.Exec(bg, fmt.Sprintf("TRAIN c FROM %s USING CBOW WITH (epochs = 1, continue = true)", query.QuoteString(more))); err != nil {
		t.Errorf("continue USING the recorded algorithm: %v", err)
	}

	// A collection that was not trained has no settings to keep.
	if _, err := d.Exec(bg, "CREATE COLLECTION plain (DIM 12); INSERT INTO plain (key, vector) VALUES ('w1', [1,0,0,0,0,0,0,0,0,0,0,0])"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(bg, fmt.Sprintf("TRAIN plain FROM %s WITH (continue = true)", query.QuoteString(more))); !errors.Is(err, ErrInvalid) {
		t.Errorf("continue an untrained collection: %v, want ErrInvalid", err)
	}
}

// TrainConfig reads back what DESCRIBE shows, for the Go API.
func TestTrainConfigFromRecordedSettings(t *testing.T) {
	d := MustOpen(t)
	first := writeCorpus(t, "first.txt", 300, 30, 3)
	if _, err := d.Exec(bg, fmt.Sprintf("TRAIN c FROM %s WITH (dim = 6, min_count = 2, whole_sequence = true, shrink_window = false, shuffle = true, seed = 4, threads = 1, max_vocab = 25, stripes = 3)", query.QuoteString(first))); err != nil {
		t.Fatal(err)
	}
	cfg, err := d.TrainConfig("c")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CBOW || cfg.Dim != 6 || cfg.MinCount != 2 || !cfg.WholeSequenceWindow || cfg.ShrinkWindow == nil || *cfg.ShrinkWindow ||
		!cfg.ShuffleSequences || cfg.Seed != 4 || cfg.Threads != 1 || cfg.MaxVocab != 25 || cfg.Alpha != 0.025 || cfg.Stripes != 3 {
		t.Fatalf("TrainConfig: %+v", cfg)
	}
	// A collection trained before stripes existed read its corpus in
	// order, and continues to.
	if err := d.update(bg, "c", func(c *storage.Coll) error {
		m := c.Meta()
		p := maps.Clone(m.Params)
		delete(p, "stripes")
		c.SetParams(p, m.Source)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if cfg, err := d.TrainConfig("c"); err != nil || cfg.Stripes != 1 {
		t.Fatalf("TrainConfig without recorded stripes: %d, %v; want 1", cfg.Stripes, err)
	}
	if _, err := d.Exec(bg, fmt.Sprintf("TRAIN c FROM %s WITH (epochs = 1, continue = true)", query.QuoteString(first))); err != nil {
		t.Fatal(err)
	}
	if p := describeParams(t, d, "c"); p["stripes"] != "1" {
		t.Errorf("continued without recorded stripes: DESCRIBE stripes %q, want 1", p["stripes"])
	}
	if _, err := d.Exec(bg, fmt.Sprintf("TRAIN c2 FROM %s WITH (dim = 6, epochs = 1)", query.QuoteString(first))); err != nil {
		t.Fatal(err)
	}
	if p := describeParams(t, d, "c2"); p["stripes"] != fmt.Sprint(trainer.DefaultStripes) {
		t.Errorf("default stripes: DESCRIBE shows %q", p["stripes"])
	}
	if _, err := d.TrainConfig("nope"); !errors.Is(err, ErrCollectionNotFound) {
		t.Fatalf("TrainConfig of a missing collection: %v", err)
	}
}

// threads defaults to the machine's cores; with threads = 1 two runs with
// the same seed give the same vectors bit for bit.
func TestTrainThreadsDefaultAndReproducible(t *testing.T) {
	d := MustOpen(t)
	corpus := writeCorpus(t, "c.txt", 300, 30, 5)
	if _, err := d.Exec(bg, fmt.Sprintf("TRAIN a FROM %s WITH (dim = 8, min_count = 1, epochs = 1)", query.QuoteString(corpus))); err != nil {
		t.Fatal(err)
	}
	if p := describeParams(t, d, "a"); p["threads"] != fmt.Sprint(runtime.GOMAXPROCS(0)) {
		t.Errorf("default threads %q, want the machine's %d", p["threads"], runtime.GOMAXPROCS(0))
	}
	for _, name := range []string{"r1", "r2"} {
		if _, err := d.Exec(bg, fmt.Sprintf("TRAIN %s FROM %s WITH (dim = 8, min_count = 1, epochs = 2, threads = 1, seed = 7)", name, query.QuoteString(corpus))); err != nil {
			t.Fatal(err)
		}
	}
	c1, _ := d.Collection("r1")
	c2, _ := d.Collection("r2")
	v1, _ := c1.View()
	v2, _ := c2.View()
	if v1.Len() != v2.Len() || v1.Len() == 0 {
		t.Fatalf("%d and %d keys", v1.Len(), v2.Len())
	}
	for i := range v1.Len() {
		if v1.Key(i) != v2.Key(i) || !reflect.DeepEqual(v1.Vector(i), v2.Vector(i)) {
			t.Fatalf("threads = 1 runs differ at %d (%s)", i, v1.Key(i))
		}
	}
}

// watch reports the pairs after every epoch, as the epoch ends, through the
// progress callback (Progress.Note), in order; the Detail carries no rate or
// ETA of its own (the progress line computes one of each).
func TestTrainWatchReportsEveryEpoch(t *testing.T) {
	d := MustOpen(t)
	corpus := writeCorpus(t, "c.txt", 300, 30, 6)
	var notes []string
	var details []string
	ctx := WithProgress(bg, func(p Progress) {
		if p.Note != "" {
			notes = append(notes, p.Note)
		}
		details = append(details, p.Detail)
	})
	res, err := d.Exec(ctx, fmt.Sprintf("TRAIN c FROM %s WITH (dim = 8, min_count = 1, epochs = 3, threads = 1, watch = 'w1:w2, w1:nope')", query.QuoteString(corpus)))
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 3 {
		t.Fatalf("%d watch reports, want 3: %q", len(notes), notes)
	}
	for i, n := range notes {
		prefix := fmt.Sprintf("epoch %d/3: w1:w2 ", i+1)
		if !strings.HasPrefix(n, prefix) || !strings.HasSuffix(n, ", w1:nope ?") {
			t.Errorf("report %d = %q, want %q… and the unknown pair as ?", i+1, n, prefix)
		}
	}
	for _, dt := range details {
		if strings.Contains(dt, "/s") || strings.Contains(dt, "ETA") {
			t.Fatalf("Detail %q repeats a rate or an ETA", dt)
		}
	}
	// No table at the end: the result is the message, with the last pairs.
	if res.Columns != nil || len(res.Rows) != 0 {
		t.Errorf("TRAIN with watch returned a table: %v %v", res.Columns, res.Rows)
	}
}

// Skip-gram with subwords has its own default learning rate (fastText's
// 0.05, chosen by measurement); without subwords it stays word2vec's, and
// a rate the statement gives is kept.
func TestTrainSubwordsDefaultAlpha(t *testing.T) {
	d := MustOpen(t)
	corpus := query.QuoteString(writeCorpus(t, "c.txt", 300, 30, 1))
	for _, c := range []struct{ name, using, with, want string }{
		{"sub", "", "subwords = true", "0.045"},
		{"words", "", "subwords = false", "0.025"},
		{"subcbow", " USING CBOW", "subwords = true", "0.05"},
		{"given", "", "subwords = true, alpha = 0.03", "0.03"},
	} {
		if _, err := d.Exec(bg, fmt.Sprintf("TRAIN %s FROM %s%s WITH (dim = 8, min_count = 1, epochs = 1, %s)", c.name, corpus, c.using, c.with)); err != nil {
			t.Fatal(err)
		}
		if got := describeParams(t, d, c.name)["alpha"]; got != c.want {
			t.Errorf("TRAIN %s WITH (%s): alpha %q, want %q", c.name, c.with, got, c.want)
		}
	}
}
