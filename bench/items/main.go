// Command items-bench measures next-item prediction with vecdb's RECOMMEND:
// the last item of each sequence is held out, a model is trained on the
// rest, and the previous items of each sequence are asked for 10
// recommendations (HR@10, MRR@10). See run.sh, tuned.sh and RESULTS.md.
// split writes train.txt and test.tsv (the test split), valid_train.txt
// and valid.tsv (the validation split, carved from train.txt), all.txt
// (the whole sequences) and test_seqs.txt (each test case as one
// sequence, for EVALUATE RECOMMEND … WITH (train = false)).
//
//	items-bench split -seq FILE | -events FILE -by COL -order COL -item COL  -out DIR [-max-test N] [-seed S]
//	items-bench eval  -train DIR/train.txt -test DIR/test.tsv [word2vec flags] [-recency 0,0.3] [-pop]
//	items-bench tune  -dir DIR [-recency R]   (grid on the validation split)
//	items-bench cold  -ratings ratings.csv -movies movies.csv [word2vec flags]   (cold-start items, cold.go)
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vecdb/vecdb/db"
	"github.com/vecdb/vecdb/trainer"
)

func main() {
	log.SetFlags(0)
	if len(os.Args) < 2 {
		log.Fatal("usage: items-bench split|eval|tune|cold [flags]")
	}
	switch os.Args[1] {
	case "split":
		split(os.Args[2:])
	case "eval":
		evalCmd(os.Args[2:])
	case "tune":
		tune(os.Args[2:])
	case "cold":
		coldCmd(os.Args[2:])
	default:
		log.Fatalf("unknown command %q", os.Args[1])
	}
}

// readSeqs reads every sequence of src as strings.
func readSeqs(src trainer.Source) [][]string {
	r, err := src.Open()
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	var out [][]string
	for {
		toks, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			log.Fatal(err)
		}
		s := make([]string, len(toks))
		for i, t := range toks {
			s[i] = string(t)
		}
		out = append(out, s)
	}
}

func writeSeqs(path string, seqs [][]string) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for _, s := range seqs {
		if len(s) > 0 {
			fmt.Fprintln(w, strings.Join(s, " "))
		}
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	f.Close()
}

// holdOut removes the last item of every sequence of at least 2 items and
// returns the shortened sequences and, for up to maxTest of them (chosen
// with seed), "target<TAB>history" lines.
func holdOut(seqs [][]string, maxTest int, seed int64) ([][]string, []string) {
	train := make([][]string, len(seqs))
	var cand []int
	for i, s := range seqs {
		if len(s) >= 2 {
			train[i] = s[:len(s)-1]
			cand = append(cand, i)
		} else {
			train[i] = s
		}
	}
	rng := rand.New(rand.NewSource(seed))
	rng.Shuffle(len(cand), func(i, j int) { cand[i], cand[j] = cand[j], cand[i] })
	if maxTest > 0 && len(cand) > maxTest {
		cand = cand[:maxTest]
	}
	sort.Ints(cand)
	var test []string
	for _, i := range cand {
		s := seqs[i]
		test = append(test, s[len(s)-1]+"\t"+strings.Join(s[:len(s)-1], " "))
	}
	return train, test
}

func writeLines(path string, lines []string) {
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		log.Fatal(err)
	}
}

func split(args []string) {
	fs := flag.NewFlagSet("split", flag.ExitOnError)
	seqPath := fs.String("seq", "", "sequences file (one per line)")
	events := fs.String("events", "", "event log (CSV/TSV)")
	by := fs.String("by", "", "event log: sequence column")
	order := fs.String("order", "", "event log: order column")
	item := fs.String("item", "", "event log: item column")
	out := fs.String("out", "", "output folder")
	maxTest := fs.Int("max-test", 2000, "evaluate at most this many sequences (seeded sample)")
	seed := fs.Int64("seed", 1, "seed of the test sample")
	fs.Parse(args)
	var src trainer.Source
	switch {
	case *seqPath != "":
		src = trainer.FileSource(*seqPath)
	case *events != "":
		src = trainer.EventLogSource(*events, trainer.EventLogOptions{SequenceBy: *by, OrderBy: *order, Item: *item})
	default:
		log.Fatal("split needs -seq or -events")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	seqs := readSeqs(src)
	// all.txt: the whole sequences, for EVALUATE RECOMMEND's own split.
	writeSeqs(filepath.Join(*out, "all.txt"), seqs)
	train, test := holdOut(seqs, *maxTest, *seed)
	writeSeqs(filepath.Join(*out, "train.txt"), train)
	writeLines(filepath.Join(*out, "test.tsv"), test)
	// test_seqs.txt: each test case as one sequence (history, then the
	// target), for EVALUATE RECOMMEND … WITH (train = false).
	testSeqs := make([]string, len(test))
	for i, l := range test {
		t, h, _ := strings.Cut(l, "\t")
		testSeqs[i] = h + " " + t
	}
	writeLines(filepath.Join(*out, "test_seqs.txt"), testSeqs)
	// The validation split holds out the last training item: the test
	// items are never seen while tuning.
	vtrain, valid := holdOut(train, *maxTest, *seed+1)
	writeSeqs(filepath.Join(*out, "valid_train.txt"), vtrain)
	writeLines(filepath.Join(*out, "valid.tsv"), valid)
	fmt.Printf("%d sequences, %d test, %d validation\n", len(seqs), len(test), len(valid))
}

type testCase struct {
	target string
	hist   []string
}

func readTest(path string) []testCase {
	data, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	var out []testCase
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		t, h, _ := strings.Cut(l, "\t")
		out = append(out, testCase{t, strings.Fields(h)})
	}
	return out
}

// popularity returns the training items by descending count (ties by key).
func popularity(train string) []string {
	counts := map[string]int{}
	for _, s := range readSeqs(trainer.FileSource(train)) {
		for _, it := range s {
			counts[it]++
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}

func popTop(pop []string, hist []string, k int) []string {
	in := map[string]bool{}
	for _, h := range hist {
		in[h] = true
	}
	var out []string
	for _, p := range pop {
		if len(out) == k {
			break
		}
		if !in[p] {
			out = append(out, p)
		}
	}
	return out
}

// Score is one evaluation.
type Score struct {
	Method   string  `json:"method"`
	Recency  float64 `json:"recency"`
	HR       float64 `json:"hr10"`
	MRR      float64 `json:"mrr10"`
	N        int     `json:"n"`
	Fallback int     `json:"fallback"` // histories with no known item: popularity used
	Keys     int     `json:"keys"`
	Seconds  float64 `json:"train_seconds"`
	Config   string  `json:"config,omitempty"`
}

func (s *Score) add(recs []string, target string) {
	s.N++
	for i, r := range recs {
		if r == target {
			s.HR++
			s.MRR += 1 / float64(i+1)
			break
		}
	}
}

func (s *Score) done() {
	s.HR /= float64(s.N)
	s.MRR /= float64(s.N)
}

func configFlags(fs *flag.FlagSet) *trainer.Config {
	cfg := trainer.DefaultConfig()
	fs.IntVar(&cfg.Dim, "dim", cfg.Dim, "vector size")
	fs.IntVar(&cfg.Window, "window", cfg.Window, "window")
	fs.BoolVar(&cfg.WholeSequenceWindow, "whole", false, "window spans the whole sequence")
	fs.IntVar(&cfg.Negative, "negative", cfg.Negative, "negative samples")
	fs.IntVar(&cfg.MinCount, "min-count", cfg.MinCount, "min count")
	fs.Float64Var(&cfg.Sample, "sample", cfg.Sample, "subsampling threshold")
	fs.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "epochs")
	fs.Float64Var(&cfg.NsExponent, "ns-exponent", cfg.NsExponent, "noise exponent")
	fs.BoolVar(&cfg.CBOW, "cbow", false, "CBOW")
	fs.IntVar(&cfg.Threads, "threads", 1, "threads")
	fs.Int64Var(&cfg.Seed, "seed", 1, "seed")
	fs.IntVar(&cfg.Stripes, "stripes", 0, "stripes read side by side in each pass (0 = default, 1 = in order)")
	return &cfg
}

func describe(c trainer.Config) string {
	w := strconv.Itoa(c.Window)
	if c.WholeSequenceWindow {
		w = "sequence"
	}
	mode := "sg"
	if c.CBOW {
		mode = "cbow"
	}
	return fmt.Sprintf("%s dim=%d window=%s negative=%d min_count=%d sample=%g epochs=%d ns_exponent=%g", mode, c.Dim, w, c.Negative, c.MinCount, c.Sample, c.Epochs, c.NsExponent)
}

// evaluate trains cfg on train and scores RECOMMEND on the test cases for
// each recency.
func evaluate(train string, tests []testCase, cfg trainer.Config, recencies []float64, pop []string) []Score {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "items-bench")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	d, err := db.Open(filepath.Join(dir, "b.vdb"), &db.Options{NoSync: true})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	start := time.Now()
	if _, err := d.Train(ctx, "items", trainer.FileSource(train), db.TrainOptions{Config: cfg}); err != nil {
		log.Fatal(err)
	}
	secs := time.Since(start).Seconds()
	c, _ := d.Collection("items")
	v, err := c.View()
	if err != nil {
		log.Fatal(err)
	}
	var out []Score
	for _, rec := range recencies {
		s := Score{Method: "vecdb", Recency: rec, Keys: v.Len(), Seconds: secs, Config: describe(cfg)}
		for _, tc := range tests {
			var known []string
			for _, h := range tc.hist {
				if _, ok := v.Lookup(h); ok {
					known = append(known, h)
				}
			}
			var recs []string
			if len(known) == 0 {
				s.Fallback++
				recs = popTop(pop, tc.hist, 10)
			} else {
				hits, err := v.Recommend(ctx, known, 10, db.RecommendOptions{Recency: rec})
				if err != nil {
					log.Fatal(err)
				}
				for _, h := range hits {
					recs = append(recs, h.Key)
				}
			}
			s.add(recs, tc.target)
		}
		s.done()
		out = append(out, s)
	}
	return out
}

func parseFloats(s string) []float64 {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		x, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			log.Fatal(err)
		}
		out = append(out, x)
	}
	return out
}

func printJSON(s Score) {
	b, _ := json.Marshal(s)
	fmt.Println(string(b))
}

func evalCmd(args []string) {
	fs := flag.NewFlagSet("eval", flag.ExitOnError)
	train := fs.String("train", "", "training sequences")
	test := fs.String("test", "", "test cases (target<TAB>history)")
	recency := fs.String("recency", "0", "comma-separated recency values")
	popOnly := fs.Bool("pop", false, "score the popularity baseline only")
	cfg := configFlags(fs)
	fs.Parse(args)
	tests := readTest(*test)
	pop := popularity(*train)
	if *popOnly {
		s := Score{Method: "popularity"}
		for _, tc := range tests {
			s.add(popTop(pop, tc.hist, 10), tc.target)
		}
		s.done()
		printJSON(s)
		return
	}
	for _, s := range evaluate(*train, tests, *cfg, parseFloats(*recency), pop) {
		printJSON(s)
	}
}

// tune runs a small grid on the validation split (DIR/valid_train.txt,
// DIR/valid.tsv) and prints every result, then the best configuration's
// flags on the last line.
func tune(args []string) {
	fs := flag.NewFlagSet("tune", flag.ExitOnError)
	dir := fs.String("dir", "", "split folder")
	recency := fs.String("recency", "0", "recency values to try")
	windows := fs.String("windows", "5,20,sequence", "windows to try")
	nsExps := fs.String("ns", "0.75,0,-0.5", "ns_exponent values to try")
	epochs := fs.Int("epochs", 20, "epochs of the tuned models")
	samples := fs.String("samples", "0.001,0.00001", "sample values to try")
	fs.Parse(args)
	train := filepath.Join(*dir, "valid_train.txt")
	tests := readTest(filepath.Join(*dir, "valid.tsv"))
	pop := popularity(train)
	var best Score
	var bestCfg trainer.Config
	try := func(cfg trainer.Config) {
		for _, s := range evaluate(train, tests, cfg, parseFloats(*recency), pop) {
			printJSON(s)
			if s.HR > best.HR || (s.HR == best.HR && s.MRR > best.MRR) {
				best, bestCfg = s, cfg
			}
		}
	}
	base := trainer.DefaultConfig()
	base.MinCount, base.Epochs = 1, *epochs
	// Stage 1: window and ns_exponent; stage 2: sample, from the best.
	for _, w := range strings.Split(*windows, ",") {
		for _, ns := range parseFloats(*nsExps) {
			cfg := base
			cfg.NsExponent = ns
			if w == "sequence" {
				cfg.WholeSequenceWindow = true
			} else {
				cfg.Window, _ = strconv.Atoi(w)
			}
			try(cfg)
		}
	}
	stage1 := bestCfg
	for _, sm := range parseFloats(*samples) {
		if sm == stage1.Sample {
			continue
		}
		cfg := stage1
		cfg.Sample = sm
		try(cfg)
	}
	c := bestCfg
	flags := fmt.Sprintf("-min-count %d -epochs %d -ns-exponent %g -sample %g -recency %g", c.MinCount, c.Epochs, c.NsExponent, c.Sample, best.Recency)
	if c.WholeSequenceWindow {
		flags += " -whole"
	} else {
		flags += fmt.Sprintf(" -window %d", c.Window)
	}
	fmt.Println(flags)
}
