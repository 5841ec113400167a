package db

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vecdb/vecdb/trainer"
)

// optCase shows what one WITH option does: base and with are run on fresh
// copies of the fixture (after setup), and their observations must differ
// (how "differs": the result, the collection written or the file written
// changes; an error counts as a change), the with statement must be
// refused naming the option ("refused"), or their EXPLAIN output must
// differ ("plan", only for options that change speed and nothing else).
type optCase struct {
	setup, base, with string
	target            string   // collection the statements write, "" for none
	files             []string // files the statements write
	how               string
}

// optionCases has one entry per option of every statement kind, keyed
// "KIND/option" with the kinds and names of OptionKinds and
// OptionNames. TestEveryOptionDoesSomething fails for an option that
// has no entry, so a new option cannot be added without showing what it
// does.
var optionCases = func() map[string]optCase {
	const tr = "TRAIN t2 FROM 'corpus.txt' WITH (dim = 8, epochs = 1, threads = 1, seed = 1, min_count = 1%s)"
	train := func(extra string) optCase {
		return optCase{base: fmt.Sprintf(tr, ""), with: fmt.Sprintf(tr, ", "+extra), target: "t2", how: "differs"}
	}
	const ev = "TRAIN t2 FROM 'events.tsv' WITH (dim = 8, epochs = 1, threads = 1, seed = 1, min_count = 1, sequence_by = 'user', item = 'item'%s)"
	const evNoOrder = "TRAIN t2 FROM 'events.tsv' WITH (dim = 8, epochs = 1, threads = 1, seed = 1, min_count = 1%s)"
	// Thirty points: t-SNE caps the perplexity below a third of the points.
	const pj = "PROJECT (SELECT NEAREST 30 TO 'w1' FROM t) USING %s%s"
	const pjTo = "PROJECT ('w1', 'w2', 'w3', 'w4', 'w5', 'w6') FROM t USING PCA%s TO 'p.svg'"
	const cl = "CLUSTER t INTO 3%s"
	const users = "CREATE COLLECTION u FROM SEQUENCES OF t FROM 'users.txt'%s"
	const usersEv = "CREATE COLLECTION u FROM SEQUENCES OF t FROM 'events.tsv' WITH (sequence_by = 'user', item = 'item'%s)"
	const imp = "IMPORT INTO v FROM 'vectors.vec'%s"
	const meta = "IMPORT METADATA INTO t FROM 'meta.tsv'%s"
	const evalP = "EVALUATE PAIRS t FROM 'pairs.tsv'%s"
	const evalA = "EVALUATE ANALOGIES t FROM 'analogies.txt'%s"
	const evalR = "EVALUATE RECOMMEND t FROM 'corpus.txt'%s"
	const evalRLog = "EVALUATE RECOMMEND t FROM 'events.tsv' WITH (sequence_by = 'user', item = 'item'%s)"
	const evalRTime = "EVALUATE RECOMMEND t FROM 'events.tsv' WITH (sequence_by = 'user', item = 'item', order_by = 'ts', holdout = 'time'%s)"
	with := func(s string) string {
		if s == "" {
			return ""
		}
		return " WITH (" + s + ")"
	}
	pair := func(format, opt string, target string) optCase {
		return optCase{base: fmt.Sprintf(format, ""), with: fmt.Sprintf(format, with(opt)), target: target, how: "differs"}
	}
	inner := func(format, opt string, target string) optCase {
		return optCase{base: fmt.Sprintf(format, ""), with: fmt.Sprintf(format, ", "+opt), target: target, how: "differs"}
	}
	idx := func(opt, how string) optCase {
		return optCase{base: "CREATE INDEX ON t", with: "CREATE INDEX ON t WITH (" + opt + ")", target: "t", how: how}
	}
	return map[string]optCase{
		"TRAIN/dim":             train("dim = 6"),
		"TRAIN/window":          train("window = 1"),
		"TRAIN/negative":        train("negative = 2"),
		"TRAIN/min_count":       train("min_count = 20"),
		"TRAIN/max_vocab":       train("max_vocab = 10"),
		"TRAIN/sample":          train("sample = 0"),
		"TRAIN/epochs":          train("epochs = 2"),
		"TRAIN/alpha":           train("alpha = 0.1"),
		"TRAIN/min_alpha":       train("min_alpha = 0.02"),
		"TRAIN/threads":         train("threads = 2"),
		"TRAIN/seed":            train("seed = 2"),
		"TRAIN/ns_exponent":     train("ns_exponent = -0.5"),
		"TRAIN/shrink_window":   train("shrink_window = false"),
		"TRAIN/whole_sequence":  train("whole_sequence = true"),
		"TRAIN/shuffle":         train("shuffle = true"),
		"TRAIN/stripes":         train("stripes = 1"),
		"TRAIN/subwords":        train("subwords = true"),
		"TRAIN/minn":            {base: fmt.Sprintf(tr, ", subwords = true"), with: fmt.Sprintf(tr, ", subwords = true, minn = 2"), target: "t2", how: "differs"},
		"TRAIN/maxn":            {base: fmt.Sprintf(tr, ", subwords = true"), with: fmt.Sprintf(tr, ", subwords = true, maxn = 4"), target: "t2", how: "differs"},
		"TRAIN/buckets":         {base: fmt.Sprintf(tr, ", subwords = true"), with: fmt.Sprintf(tr, ", subwords = true, buckets = 7"), target: "t2", how: "differs"},
		"TRAIN/min_ngram_words": {base: fmt.Sprintf(tr, ", subwords = true"), with: fmt.Sprintf(tr, ", subwords = true, min_ngram_words = 3"), target: "t2", how: "differs"},
		"TRAIN/continue": {setup: fmt.Sprintf(tr, ""), base: fmt.Sprintf(tr, ""), with: fmt.Sprintf(tr, ", continue = true"),
			target: "t2", how: "differs"},
		"TRAIN/watch": train("watch = 'w1:w2'"),
		"TRAIN/index": train("index = true"),
		// tune: the settings searched and RECOMMEND's weights recorded.
		"TRAIN/tune":       train("tune = true, max_trials = 2"),
		"TRAIN/max_trials": {base: fmt.Sprintf(tr, ", tune = true, max_trials = 1"), with: fmt.Sprintf(tr, ", tune = true, max_trials = 3"), target: "t2", how: "differs"},
		// A budget bounds time only (TestSentinelsThroughLanguage refuses
		// one too small for the first trial): EXPLAIN shows it.
		"TRAIN/budget":      {base: fmt.Sprintf(tr, ", tune = true"), with: fmt.Sprintf(tr, ", tune = true, budget = 30"), how: "plan"},
		"TRAIN/sequence_by": {base: fmt.Sprintf(evNoOrder, ""), with: fmt.Sprintf(evNoOrder, ", sequence_by = 'user', item = 'item'"), target: "t2", how: "differs"},
		"TRAIN/item":        {base: fmt.Sprintf(ev, ""), with: fmt.Sprintf(evNoOrder, ", sequence_by = 'user', item = 'ts'"), target: "t2", how: "differs"},
		"TRAIN/order_by":    inner(ev, "order_by = 'ts'", "t2"),
		"TRAIN/delimiter":   inner(ev, "delimiter = ','", "t2"),

		"CREATE INDEX/m":               idx("m = 4", "differs"),
		"CREATE INDEX/ef_construction": idx("ef_construction = 20", "differs"),
		"CREATE INDEX/ef_search":       idx("ef_search = 10", "differs"),
		"CREATE INDEX/threads":         idx("threads = 2", "plan"),
		"CREATE INDEX/quantize":        idx("quantize = 'int8'", "differs"),
		"CREATE INDEX/rescore": {base: "CREATE INDEX ON t WITH (quantize = 'int8')",
			with: "CREATE INDEX ON t WITH (quantize = 'int8', rescore = 1)", target: "t", how: "differs"},

		"IMPORT/limit":  pair(imp, "limit = 5", "v"),
		"IMPORT/metric": pair(imp, "metric = 'dot'", "v"),
		"IMPORT/index":  pair(imp, "index = true", "v"),
		// Parquet only; the columns they pick are tested in format/parquet.
		"IMPORT/key":    {base: "IMPORT INTO v FROM 'v.parquet'", with: "IMPORT INTO v FROM 'v.parquet' WITH (key = 'name')", how: "plan"},
		"IMPORT/vector": {base: "IMPORT INTO v FROM 'v.parquet'", with: "IMPORT INTO v FROM 'v.parquet' WITH (vector = 'emb')", how: "plan"},
		// Every n-gram row of the fastText model, not only the words' ones.
		"IMPORT/all_buckets": {base: "IMPORT INTO ft FROM 'tiny.bin'", with: "IMPORT INTO ft FROM 'tiny.bin' WITH (all_buckets = true)", target: "ft", how: "differs"},

		// The written schema is checked in package format/parquet (db's
		// tests link no Parquet codec); here the plan shows the option.
		"EXPORT/fixed_size": {base: "EXPORT t TO 'x.parquet'", with: "EXPORT t TO 'x.parquet' WITH (fixed_size = true)", how: "plan"},

		"IMPORT METADATA/key":        pair(meta, "key = 'title'", "t"),
		"IMPORT METADATA/header":     pair(meta, "header = false", "t"),
		"IMPORT METADATA/columns":    pair(meta, "header = true, columns = 'id,name,year'", "t"),
		"IMPORT METADATA/delimiter":  pair(meta, "delimiter = ','", "t"),
		"IMPORT METADATA/trim":       pair("IMPORT METADATA INTO t FROM 'meta_space.tsv'%s", "trim = false", "t"),
		"IMPORT METADATA/cold_start": pair("IMPORT METADATA INTO t FROM 'cold.tsv'%s", "cold_start = 'genre'", "t"),

		"NEAREST/ef_search": {setup: "CREATE INDEX ON t", base: "SELECT NEAREST 3 TO 'w1' FROM t",
			with: "SELECT NEAREST 3 TO 'w1' FROM t WITH (ef_search = 5)", how: "plan"},

		"PROJECT/dims":       {base: fmt.Sprintf(pj, "PCA", ""), with: fmt.Sprintf(pj, "PCA", with("dims = 3")), how: "differs"},
		"PROJECT/perplexity": {base: fmt.Sprintf(pj, "TSNE", with("seed = 1")), with: fmt.Sprintf(pj, "TSNE", with("seed = 1, perplexity = 2")), how: "differs"},
		"PROJECT/iterations": {base: fmt.Sprintf(pj, "TSNE", with("seed = 1")), with: fmt.Sprintf(pj, "TSNE", with("seed = 1, iterations = 10")), how: "differs"},
		"PROJECT/seed":       {base: fmt.Sprintf(pj, "TSNE", with("seed = 1")), with: fmt.Sprintf(pj, "TSNE", with("seed = 2")), how: "differs"},
		"PROJECT/width":      {base: fmt.Sprintf(pjTo, ""), with: fmt.Sprintf(pjTo, with("width = 300")), files: []string{"p.svg"}, how: "differs"},
		"PROJECT/height":     {base: fmt.Sprintf(pjTo, ""), with: fmt.Sprintf(pjTo, with("height = 300")), files: []string{"p.svg"}, how: "differs"},
		"PROJECT/title":      {base: fmt.Sprintf(pjTo, ""), with: fmt.Sprintf(pjTo, with("title = 'Words'")), files: []string{"p.svg"}, how: "differs"},

		"CLUSTER/iterations": pair(cl, "iterations = 1, seed = 3", ""),
		"CLUSTER/seed":       pair(cl, "seed = 5", ""),
		"CLUSTER/top":        pair(cl, "top = 1", ""),
		"CLUSTER/save_as":    pair(cl, "save_as = 'cents'", "cents"),
		"CLUSTER/threads":    {base: fmt.Sprintf(cl, ""), with: fmt.Sprintf(cl, with("threads = 2")), how: "plan"},

		"RECOMMEND/recency": {base: "RECOMMEND 5 FROM t FOR ('w1', 'w9', 'w20')",
			with: "RECOMMEND 5 FROM t FOR ('w1', 'w9', 'w20') WITH (recency = 3)", how: "differs"},

		"RECOMMEND/popularity": {base: "RECOMMEND 5 FROM t FOR ('w1', 'w9', 'w20')",
			with: "RECOMMEND 5 FROM t FOR ('w1', 'w9', 'w20') WITH (popularity = 1)", how: "differs"},
		"RECOMMEND/repeats": {base: "RECOMMEND 5 FROM t FOR ('w1', 'w9', 'w20')",
			with: "RECOMMEND 5 FROM t FOR ('w1', 'w9', 'w20') WITH (repeats = 1)", how: "differs"},
		"EVALUATE RECOMMEND/k":              pair(evalR, "k = 3", ""),
		"EVALUATE RECOMMEND/holdout":        inner(evalRLog, "order_by = 'ts', holdout = 'time'", ""),
		"EVALUATE RECOMMEND/last":           pair(evalR, "last = 2", ""),
		"EVALUATE RECOMMEND/split_at":       inner(evalRTime, "split_at = 50000", ""),
		"EVALUATE RECOMMEND/split_fraction": inner(evalRTime, "split_fraction = 0.5", ""),
		"EVALUATE RECOMMEND/max_cases":      pair(evalR, "max_cases = 50", ""),
		"EVALUATE RECOMMEND/seed":           pair(evalR, "seed = 5", ""),
		"EVALUATE RECOMMEND/train":          pair(evalR, "train = false", ""),
		"EVALUATE RECOMMEND/recency":        pair(evalR, "recency = 3", ""),
		"EVALUATE RECOMMEND/popularity":     pair(evalR, "popularity = 1", ""),
		"EVALUATE RECOMMEND/repeats":        pair(evalR, "repeats = 1", ""),
		"EVALUATE RECOMMEND/threads":        {base: fmt.Sprintf(evalR, ""), with: fmt.Sprintf(evalR, " WITH (threads = 2)"), how: "plan"},
		"EVALUATE RECOMMEND/save_as":        pair(evalR, "save_as = 'saved'", "saved"),
		"EVALUATE RECOMMEND/sequence_by": {base: "EVALUATE RECOMMEND t FROM 'events.tsv'",
			with: fmt.Sprintf(evalRLog, ""), how: "differs"},
		"EVALUATE RECOMMEND/item": {base: fmt.Sprintf(evalRLog, ""),
			with: "EVALUATE RECOMMEND t FROM 'events.tsv' WITH (sequence_by = 'user', item = 'ts')", how: "differs"},
		"EVALUATE RECOMMEND/order_by":         inner(evalRLog, "order_by = 'ts'", ""),
		"EVALUATE RECOMMEND/delimiter":        inner(evalRLog, "delimiter = ','", ""),
		"EVALUATE ANALOGIES/restrict_vocab":   pair(evalA, "restrict_vocab = 5", ""),
		"EVALUATE ANALOGIES/case_insensitive": pair(evalA, "case_insensitive = false", ""),
		"EVALUATE PAIRS/restrict_vocab":       pair(evalP, "restrict_vocab = 5", ""),
		"EVALUATE PAIRS/case_insensitive":     pair(evalP, "case_insensitive = false", ""),

		"SEQUENCES/min_items":   pair(users, "min_items = 3", "u"),
		"SEQUENCES/recency":     pair(users, "recency = 2", "u"),
		"SEQUENCES/key_prefix":  pair(users, "key_prefix = 'x'", "u"),
		"SEQUENCES/sequence_by": {base: fmt.Sprintf(users, ""), with: fmt.Sprintf(usersEv, ""), target: "u", how: "differs"},
		"SEQUENCES/item":        {base: fmt.Sprintf(usersEv, ""), with: "CREATE COLLECTION u FROM SEQUENCES OF t FROM 'events.tsv' WITH (sequence_by = 'item', item = 'user')", target: "u", how: "differs"},
		// The mean ignores order unless recency weighs it.
		"SEQUENCES/order_by":  {base: fmt.Sprintf(usersEv, ", recency = 1"), with: fmt.Sprintf(usersEv, ", recency = 1, order_by = 'ts'"), target: "u", how: "differs"},
		"SEQUENCES/delimiter": inner(usersEv, "delimiter = ','", "u"),
	}
}()

// optionFixture writes the files the cases read into dir and returns a
// database there holding t, a collection trained on corpus.txt whose keys
// are w0 … w39 (w0 the most frequent).
func optionFixture(t *testing.T, dir string) *DB {
	t.Helper()
	r := rand.New(rand.NewSource(7))
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	word := func() string { return fmt.Sprintf("w%d", min(39, int(r.ExpFloat64()*10))) }
	var sb strings.Builder
	for i := 0; i < 300; i++ {
		for j := 0; j < 8+r.Intn(5); j++ {
			if j > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(word())
		}
		sb.WriteByte('\n')
	}
	write("corpus.txt", sb.String())
	sb.Reset()
	sb.WriteString("user\titem\tts\n")
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&sb, "u%d\t%s\t%d\n", r.Intn(20), word(), r.Intn(100000))
	}
	write("events.tsv", sb.String())
	sb.Reset()
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&sb, "h%d\t", i)
		for j := 0; j < 1+r.Intn(5); j++ {
			fmt.Fprintf(&sb, "%s ", word())
		}
		sb.WriteByte('\n')
	}
	write("users.txt", sb.String())
	sb.Reset()
	sb.WriteString("30 4\n")
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&sb, "w%d %.3f %.3f %.3f %.3f\n", i, r.NormFloat64(), r.NormFloat64(), r.NormFloat64(), r.NormFloat64())
	}
	write("vectors.vec", sb.String())
	sb.Reset()
	sb.WriteString("id\ttitle\tyear\n")
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&sb, "w%d\tw%d\t%d\n", i, i+10, 1990+i)
	}
	write("meta.tsv", sb.String())
	write("meta_space.tsv", "id\ttitle\nw1 \t one\nw2\ttwo \n")
	write("cold.tsv", "id\tgenre\nw0\tx\nw1\tx|y\nnew0\tx\nnew1\ty\n")
	sb.Reset()
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&sb, "W%d\tw%d\t%d\n", r.Intn(20), r.Intn(20), r.Intn(10))
	}
	write("pairs.tsv", sb.String())
	sb.Reset()
	sb.WriteString(": section\n")
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&sb, "w%d W%d w%d w%d\n", r.Intn(20), r.Intn(20), r.Intn(20), r.Intn(20))
	}
	write("analogies.txt", sb.String())
	tiny, err := os.ReadFile("../format/fasttext/testdata/tiny.bin") // a fastText model
	if err != nil {
		t.Fatal(err)
	}
	write("tiny.bin", string(tiny))

	d, err := Open(filepath.Join(dir, "o.vdb"), &Options{NoSync: true, Sandbox: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(context.Background(), "TRAIN t FROM 'corpus.txt' WITH (dim = 8, epochs = 2, threads = 1, seed = 1, min_count = 1)"); err != nil {
		t.Fatal(err)
	}
	return d
}

var timing = regexp.MustCompile(`[0-9.]+s \([0-9]+ words/s\)|in [0-9.]+ ?m?s\b`)

// observe runs stmt and returns what it shows: its result (timings
// removed), the collection target as DESCRIBE and its rows give it, and
// the files it wrote.
func observe(t *testing.T, d *DB, dir, stmt string, c optCase) string {
	t.Helper()
	ctx := context.Background()
	var sb strings.Builder
	res, err := d.Exec(ctx, stmt)
	if err != nil {
		return "error: " + err.Error()
	}
	fmt.Fprintf(&sb, "%v %v %s\n", res.Columns, res.Rows, timing.ReplaceAllString(res.Message, ""))
	if c.target != "" {
		desc, err := d.Query(ctx, "DESCRIBE "+c.target)
		if err != nil {
			return sb.String() + "no " + c.target
		}
		for _, r := range desc.Rows {
			line := fmt.Sprint(r...)
			if strings.Contains(line, "seconds") || strings.Contains(line, "trained_at") || strings.HasPrefix(line, "created") {
				continue
			}
			sb.WriteString(line + "\n")
		}
		coll, err := d.Collection(c.target)
		if err != nil {
			t.Fatal(err)
		}
		v, err := coll.View()
		if err != nil {
			t.Fatal(err)
		}
		h := fnv.New64a()
		for i := 0; i < v.Len(); i++ {
			m, _ := v.Meta(i)
			fmt.Fprintf(h, "%s %d %.4f %v\n", v.Key(i), v.Count(i), v.Vector(i), m)
		}
		fmt.Fprintf(&sb, "rows %x\n", h.Sum64())
	}
	for _, f := range c.files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		h := fnv.New64a()
		h.Write(b)
		fmt.Fprintf(&sb, "%s %v %x\n", f, err == nil, h.Sum64())
	}
	return sb.String()
}

// TestEveryOptionDoesSomething walks every WITH option the language
// accepts and shows that it changes the result (or the collection or file
// written), or the plan for options that only change speed, or that it is
// refused: no option is accepted and dropped.
func TestEveryOptionDoesSomething(t *testing.T) {
	if testing.Short() {
		t.Skip("trains many small collections")
	}
	// A writer that prints what it is asked to draw shows that width,
	// height and title reach the plot (package db links no drawing code).
	RegisterPlotWriter(".svg", func(w io.Writer, ext string, spec *PlotSpec) error {
		_, err := fmt.Fprintf(w, "%q %g×%g %d points", spec.Title, spec.Width, spec.Height, len(spec.Points))
		return err
	})
	t.Cleanup(func() { RegisterPlotWriter(".svg", nil) })
	seen := map[string]bool{}
	for _, kind := range OptionKinds() {
		for _, name := range OptionNames(kind) {
			key := kind + "/" + name
			seen[key] = true
			c, ok := optionCases[key]
			if !ok {
				t.Errorf("option %s has no case in optionCases: show what it does", key)
				continue
			}
			t.Run(strings.ReplaceAll(key, " ", "_"), func(t *testing.T) {
				run := func(stmt string) string {
					dir := t.TempDir()
					d := optionFixture(t, dir)
					defer d.Close()
					if c.setup != "" {
						if _, err := d.Exec(context.Background(), c.setup); err != nil {
							t.Fatalf("setup: %v", err)
						}
					}
					if c.how == "plan" {
						res, err := d.Exec(context.Background(), "EXPLAIN "+stmt)
						if err != nil {
							t.Fatalf("EXPLAIN %s: %v", stmt, err)
						}
						return fmt.Sprint(res.Rows, res.Message)
					}
					return observe(t, d, dir, stmt, c)
				}
				base, with := run(c.base), run(c.with)
				if strings.HasPrefix(base, "error: ") {
					t.Fatalf("the base statement fails: %s\n%s", c.base, base)
				}
				switch c.how {
				case "differs", "plan":
					if base == with {
						t.Errorf("%s changes nothing:\n%s\n%s\nboth give\n%s", key, c.base, c.with, base)
					}
				case "refused":
					if !strings.HasPrefix(with, "error: ") || !strings.Contains(with, name) {
						t.Errorf("%s is not refused: %s", key, with)
					}
				default:
					t.Fatalf("unknown how %q", c.how)
				}
			})
		}
	}
	for key := range optionCases {
		if !seen[key] {
			t.Errorf("optionCases has %s, which the language does not accept", key)
		}
	}
}

// TestEverySettingDoesSomething: each SET setting changes the plan or the
// result of a later statement, and SET timeout can only tighten
// Limits.Timeout (it lifted it before).
func TestEverySettingDoesSomething(t *testing.T) {
	if testing.Short() {
		t.Skip("trains small collections")
	}
	ctx := context.Background()
	checks := map[string]func(t *testing.T, d *DB){
		"ef_search": func(t *testing.T, d *DB) {
			if _, err := d.Exec(ctx, "CREATE INDEX ON t"); err != nil {
				t.Fatal(err)
			}
			before, _ := d.Exec(ctx, "EXPLAIN SELECT NEAREST 3 TO 'w1' FROM t")
			if _, err := d.Exec(ctx, "SET ef_search = 7"); err != nil {
				t.Fatal(err)
			}
			after, _ := d.Exec(ctx, "EXPLAIN SELECT NEAREST 3 TO 'w1' FROM t")
			if fmt.Sprint(before) == fmt.Sprint(after) || !strings.Contains(fmt.Sprint(after.Rows, after.Message), "ef_search=7") {
				t.Errorf("SET ef_search does not reach the plan:\n%v\n%v", before, after)
			}
		},
		"threads": func(t *testing.T, d *DB) {
			if _, err := d.Exec(ctx, "SET threads = 3; TRAIN t3 FROM 'corpus.txt' WITH (dim = 4, epochs = 1, min_count = 1)"); err != nil {
				t.Fatal(err)
			}
			res, err := d.Query(ctx, "DESCRIBE t3")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(fmt.Sprint(res.Rows), "param threads 3") {
				t.Errorf("SET threads = 3 did not reach TRAIN: %v", res.Rows)
			}
		},
		"subwords": func(t *testing.T, d *DB) {
			if _, err := d.Exec(ctx, "TRAIN t3 FROM 'corpus.txt' WITH (dim = 4, epochs = 1, min_count = 1, subwords = true)"); err != nil {
				t.Fatal(err)
			}
			if res, err := d.Query(ctx, "SELECT NEAREST 1 TO 'w1zz' FROM t3"); err != nil || len(res.Built) != 1 {
				t.Fatalf("a key built from n-grams: %v %v", res, err)
			}
			if _, err := d.Exec(ctx, "SET subwords = false"); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Query(ctx, "SELECT NEAREST 1 TO 'w1zz' FROM t3"); !errors.Is(err, ErrKeyNotFound) {
				t.Errorf("SET subwords = false did not restore the error: %v", err)
			}
		},
		// What graph_fill does to a lazily opened graph (filled in the
		// background, or only where queries reach) is TestGraphFillOff's;
		// here, that the setting takes and SHOW reports it.
		"graph_fill": func(t *testing.T, d *DB) {
			if _, err := d.Exec(ctx, "SET graph_fill = false"); err != nil {
				t.Fatal(err)
			}
			if d.graphFillOn() {
				t.Error("SET graph_fill = false left the fill on")
			}
			res, err := d.Query(ctx, "SHOW graph_fill")
			if err != nil || fmt.Sprint(res.Rows[0][1]) != "false" {
				t.Errorf("SHOW graph_fill: %v %v", res, err)
			}
		},
		"timeout": func(t *testing.T, d *DB) {
			if _, err := d.Exec(ctx, "SET timeout = 0.05"); err != nil {
				t.Fatal(err)
			}
			_, err := d.Exec(ctx, "TRAIN t3 FROM 'corpus.txt' WITH (dim = 8, epochs = 10000, min_count = 1, threads = 1)")
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("SET timeout = 0.05 did not stop a long TRAIN: %v", err)
			}
		},
	}
	for _, name := range SettingNames() {
		check, ok := checks[name]
		if !ok {
			t.Errorf("setting %s has no check: show what it does", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			d := optionFixture(t, t.TempDir())
			defer d.Close()
			check(t, d)
		})
	}

	// The application's limit holds whatever SET says.
	dir := t.TempDir()
	d := optionFixture(t, dir)
	d.Close()
	d, err := Open(filepath.Join(dir, "o.vdb"), &Options{NoSync: true, Sandbox: dir, Limits: Limits{Timeout: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Exec(ctx, "SET timeout = 1000000"); err != nil {
		t.Fatal(err)
	}
	_, err = d.Exec(ctx, "TRAIN t3 FROM 'corpus.txt' WITH (dim = 8, epochs = 10000, min_count = 1, threads = 1)")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("SET timeout lifted Limits.Timeout: %v", err)
	}
}

// TestSizeOptionsBounded: size options are bounded (a 100000×100000 plot
// ran the process out of memory), and TRAIN and t-SNE estimate their memory
// before allocating and refuse what Limits.MaxMemory does not allow,
// leaving the database as it was.
func TestSizeOptionsBounded(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d := optionFixture(t, dir)
	d.Close()
	d, err := Open(filepath.Join(dir, "o.vdb"), &Options{NoSync: true, Sandbox: dir, Limits: Limits{MaxMemory: 1 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, c := range []struct{ stmt, want string }{
		{"PROJECT (SELECT NEAREST 30 TO 'w1' FROM t) USING PCA WITH (width = 100000, height = 100000) TO 'h.png'", "option width must be between 100 and 8192"},
		{"PROJECT (SELECT NEAREST 30 TO 'w1' FROM t) USING TSNE WITH (iterations = 1000000000)", "option iterations must be between 1 and 100000"},
		{"PROJECT (SELECT NEAREST 30 TO 'w1' FROM t) USING TSNE WITH (perplexity = 1e9)", "option perplexity must be between 1 and 1000"},
		{"CLUSTER t INTO 2 WITH (iterations = 1000000000)", "option iterations must be between 1 and 100000"},
		{"TRAIN big FROM 'corpus.txt' WITH (dim = 10000, min_count = 1)", "would need about"},
		{"PROJECT (SELECT NEAREST 300 TO 'w1' FROM t) USING TSNE", "no error"}, // 40 keys: fits
		{"PROJECT (SELECT NEAREST 30 TO 'w1' FROM t) USING PCA WITH (width = 8000, height = 8000) TO 'h.png'", "would need about"},
	} {
		_, err := d.Exec(ctx, c.stmt)
		if c.want == "no error" {
			if err != nil {
				t.Errorf("%s: %v", c.stmt, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.stmt, err, c.want)
		}
	}
	if _, err := d.Collection("big"); !errors.Is(err, ErrCollectionNotFound) {
		t.Errorf("a refused TRAIN left a collection: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "h.png")); err == nil {
		t.Error("a refused PROJECT wrote its file")
	}
	// The typed API gives the same refusals.
	_, err = d.Project(ctx, "t", []string{"w1", "w2", "w3"}, ProjectOptions{Width: 100000})
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("Project with width 100000: %v", err)
	}
	_, err = d.TrainFile(ctx, "big", "corpus.txt", TrainOptions{Config: trainConfigForTest(10000)})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "Limits.MaxMemory") {
		t.Errorf("TrainFile above the memory limit: %v", err)
	}
}

func trainConfigForTest(dim int) trainer.Config {
	c := trainer.DefaultConfig()
	c.Dim, c.MinCount, c.Epochs, c.Threads = dim, 1, 1, 1
	return c
}

var updateDoc = flag.Bool("update-doc", false, "rewrite OPTIONS.md from the option tables")

// TestOptionsDoc: OPTIONS.md is what the option tables say, and every
// option has its one line of doc and a setter or a compiler binding.
func TestOptionsDoc(t *testing.T) {
	for _, k := range OptionKinds() {
		for _, d := range optionTables[k] {
			if d.doc == "" {
				t.Errorf("%s option %s has no doc", k, d.name)
			}
		}
	}
	got := OptionsDoc()
	if *updateDoc {
		if err := os.WriteFile("../OPTIONS.md", []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile("../OPTIONS.md")
	if err != nil || string(want) != got {
		t.Errorf("OPTIONS.md is stale; refresh it with go test ./db -run TestOptionsDoc -update-doc")
	}
}
