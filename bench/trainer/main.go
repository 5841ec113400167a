// Command trainer-bench trains vecdb's word2vec on a corpus, writes the
// vectors as word2vec text and prints one JSON line with the timing, in the
// shape of shared/bench/train_gensim.py. With -subwords it trains
// fastText-style subword vectors (the .vec file holds the composed vectors,
// as fastText's does). With -score-vec FILE it trains nothing and scores
// another tool's vectors with vecdb's evaluator (-eval), so that every tool
// is judged by the same code.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/vecdb/vecdb/format"
	"github.com/vecdb/vecdb/trainer"
)

func main() {
	cfg := trainer.DefaultConfig()
	flag.IntVar(&cfg.Dim, "dim", 100, "vector size")
	flag.IntVar(&cfg.Window, "window", 5, "window")
	flag.IntVar(&cfg.Negative, "negative", 5, "negative samples")
	flag.IntVar(&cfg.MinCount, "min-count", 5, "min count")
	flag.Float64Var(&cfg.Sample, "sample", 1e-3, "subsampling threshold")
	flag.IntVar(&cfg.Epochs, "epochs", 5, "epochs")
	flag.IntVar(&cfg.Threads, "threads", 2, "worker goroutines")
	flag.BoolVar(&cfg.CBOW, "cbow", false, "CBOW instead of skip-gram")
	flag.Float64Var(&cfg.Alpha, "alpha", 0, "initial learning rate (0 = mode default)")
	flag.Int64Var(&cfg.Seed, "seed", 1, "seed")
	flag.IntVar(&cfg.Stripes, "stripes", 0, "stripes read side by side in each pass (0 = default, 1 = in order)")
	flag.BoolVar(&cfg.Subwords, "subwords", false, "train subword (character n-gram) vectors, as fastText")
	flag.IntVar(&cfg.MinN, "minn", trainer.DefaultMinN, "shortest n-gram, in runes (with -subwords)")
	flag.IntVar(&cfg.MaxN, "maxn", trainer.DefaultMaxN, "longest n-gram, in runes (with -subwords)")
	flag.IntVar(&cfg.Buckets, "buckets", trainer.DefaultBuckets, "n-gram hash space (with -subwords)")
	flag.IntVar(&cfg.MinNgramWords, "min-ngram-words", trainer.DefaultMinNgramWords, "keep n-grams shared by at least this many keys (with -subwords)")
	scoreVec := flag.String("score-vec", "", "score this word2vec text file with -eval and exit")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile here")
	evalDir := flag.String("eval", "", "folder with questions-words.txt, wordsim353.tsv, simlex999.txt: evaluate with vecdb's evaluator too")
	flag.Parse()
	if *scoreVec != "" {
		if err := score(*scoreVec, *evalDir); err != nil {
			log.Fatal(err)
		}
		return
	}
	if flag.NArg() != 2 {
		log.Fatal("usage: trainer-bench [flags] CORPUS OUT.vec")
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	t0 := time.Now()
	m, err := trainer.Train(context.Background(), trainer.FileSource(flag.Arg(0)), cfg, trainer.Options{})
	if err != nil {
		log.Fatal(err)
	}
	secs := time.Since(t0).Seconds()
	cpu := cpuSeconds() // training only: the evaluation below is not counted
	if err := writeVec(flag.Arg(1), m); err != nil {
		log.Fatal(err)
	}
	sg := 1
	if cfg.CBOW {
		sg = 0
	}
	res := map[string]any{
		"anchor":        "vecdb",
		"seconds":       float64(int(secs*100)) / 100,
		"words_per_sec": int64(float64(m.CorpusWords*int64(cfg.Epochs)) / secs),
		"vocab":         len(m.Keys),
		"epochs":        cfg.Epochs,
		"threads":       cfg.Threads,
		"sg":            sg,
		"cpu_seconds":   float64(int(cpu*10)) / 10,
	}
	if m.Subwords != nil {
		res["ngram_rows"] = m.Subwords.Len()
	}
	if *evalDir != "" {
		if err := evaluate(*evalDir, m, res); err != nil {
			log.Fatal(err)
		}
	}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
}

// writeVec writes m in word2vec text format.
func writeVec(path string, m *trainer.Model) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintf(w, "%d %d\n", len(m.Keys), m.Dim)
	var b []byte
	for i, k := range m.Keys {
		b = append(b[:0], k...)
		for _, x := range m.Vector(i) {
			b = append(b, ' ')
			b = strconv.AppendFloat(b, float64(x), 'g', 6, 32)
		}
		b = append(b, '\n')
		w.Write(b)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// evaluate adds vecdb's own evaluation (restrict_vocab 30000 for analogies,
// as eval_vectors.py) to res, to cross-check it against gensim's.
func evaluate(dir string, m *trainer.Model, res map[string]any) error {
	f, err := os.Open(filepath.Join(dir, "questions-words.txt"))
	if err != nil {
		return err
	}
	a, err := trainer.EvaluateAnalogies(m, f, 30000, true)
	f.Close()
	if err != nil {
		return err
	}
	res["vecdb_eval_analogy_accuracy"] = round4(a.Accuracy)
	res["vecdb_eval_analogy_questions"] = a.Sections[len(a.Sections)-1].Total
	var syn, sem trainer.AnalogySection // gram* sections are syntactic
	for _, s := range a.Sections[:len(a.Sections)-1] {
		part := &sem
		if strings.HasPrefix(s.Name, "gram") {
			part = &syn
		}
		part.Correct += s.Correct
		part.Total += s.Total
	}
	res["vecdb_eval_analogy_semantic"] = round4(sem.Accuracy())
	res["vecdb_eval_analogy_syntactic"] = round4(syn.Accuracy())
	for name, file := range map[string]string{"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.txt"} {
		f, err := os.Open(filepath.Join(dir, file))
		if err != nil {
			return err
		}
		p, err := trainer.EvaluatePairs(m, f, 0, true)
		f.Close()
		if err != nil {
			return err
		}
		res["vecdb_eval_"+name+"_spearman"] = round4(p.Spearman)
	}
	return nil
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// score evaluates the vectors of a word2vec text file (another tool's) with
// vecdb's evaluator and prints them as one JSON line.
func score(path, evalDir string) error {
	r, err := format.Open(path, format.ReaderOptions{})
	if err != nil {
		return err
	}
	defer r.Close()
	m := &trainer.Model{Dim: r.Dim()}
	for {
		k, v, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		m.Keys = append(m.Keys, k)
		m.Vectors = append(m.Vectors, v...)
	}
	res := map[string]any{"file": path, "vocab": len(m.Keys)}
	if err := evaluate(evalDir, m, res); err != nil {
		return err
	}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
	return nil
}
