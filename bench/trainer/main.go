// Command trainer-bench trains vecdb's word2vec on a corpus, writes the
// vectors as word2vec text and prints one JSON line with the timing, in the
// shape of shared/bench/train_gensim.py.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"time"

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
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile here")
	evalDir := flag.String("eval", "", "folder with questions-words.txt, wordsim353.tsv, simlex999.txt: evaluate with vecdb's evaluator too")
	flag.Parse()
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
