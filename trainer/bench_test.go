package trainer

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
)

// BenchmarkTrain trains one epoch on the Factbook excerpt (dim 100) and
// reports in-vocabulary words per second, with and without subwords.
func BenchmarkTrain(b *testing.B) {
	for _, mode := range []struct {
		name           string
		cbow, subwords bool
	}{{"sg", false, false}, {"cbow", true, false}, {"sg-subwords", false, true}, {"cbow-subwords", true, true}} {
		b.Run(mode.name, func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Epochs = 1
			cfg.CBOW = mode.cbow
			cfg.Subwords = mode.subwords
			b.ReportAllocs()
			var words int64
			for b.Loop() {
				m, err := Train(context.Background(), FileSource(factbook), cfg, Options{})
				if err != nil {
					b.Fatal(err)
				}
				words += m.History[0].Words
			}
			b.ReportMetric(float64(words)/b.Elapsed().Seconds(), "words/s")
		})
	}
}

var sink float32

// BenchmarkSigmoid compares the table lookup used in training with the
// exact logistic function through math.Exp.
func BenchmarkSigmoid(b *testing.B) {
	xs := make([]float32, 1024)
	for i := range xs {
		xs[i] = float32(i%97)/8 - 6
	}
	b.Run("table", func(b *testing.B) {
		var s float32
		for i := 0; b.Loop(); i++ {
			f := xs[i&1023]
			s += sigTable[min(int((f+maxExp)*sigScale), sigMaxIdx)]
		}
		sink = s
	})
	b.Run("exp", func(b *testing.B) {
		var s float32
		for i := 0; b.Loop(); i++ {
			f := xs[i&1023]
			s += float32(1 / (1 + math.Exp(-float64(f))))
		}
		sink = s
	})
}

// BenchmarkReadAndCount streams the Factbook excerpt (1.5 MB, in memory)
// through the tokenizer and the vocabulary counter.
func BenchmarkReadAndCount(b *testing.B) {
	text := []byte(strings.Join(flatten(sliceOfFactbook(b, 1<<20)), " "))
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		c := newCounter()
		r := &textReader{name: "factbook", r: bytes.NewReader(text), buf: make([]byte, 1<<20)}
		for {
			seq, err := r.Next()
			if err != nil {
				break
			}
			for _, tok := range seq {
				c.add(tok)
			}
		}
	}
}

func flatten(seqs [][]string) []string {
	var out []string
	for _, s := range seqs {
		out = append(out, s...)
	}
	return out
}
