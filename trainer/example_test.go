package trainer_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/vecdb/vecdb/trainer"
)

func ExampleTrain() {
	// Playlists as sequences of song ids; every song occurs at least twice.
	playlists := [][]string{
		{"s1", "s2", "s3"}, {"s2", "s3", "s4"}, {"s1", "s3", "s4"}, {"s5", "s1", "s2"}, {"s5", "s4"},
	}
	cfg := trainer.DefaultConfig()
	cfg.Dim = 8
	cfg.MinCount = 2
	cfg.Sample = 0 // a tiny corpus: keep every occurrence
	m, err := trainer.Train(context.Background(), trainer.SliceSource(playlists), cfg, trainer.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Keys, m.Counts, len(m.Vectors))
	// Output: [s1 s2 s3 s4 s5] [3 3 3 3 2] 40
}

func ExampleEvaluatePairs() {
	m := &trainer.Model{Keys: []string{"cat", "dog", "car"}, Dim: 2, Vectors: []float32{1, 0.1, 0.9, 0.2, 0, 1}}
	pairs := "# word1\tword2\tscore\ncat\tdog\t9\ncat\tcar\t2\ndog\tcar\t3\ncat\tunicorn\t5\n"
	res, _ := trainer.EvaluatePairs(m, strings.NewReader(pairs), 0, true)
	fmt.Printf("pairs %d, Spearman %.2f, OOV %.0f%%\n", res.Pairs, res.Spearman, res.OOVRatio)
	// Output: pairs 3, Spearman 1.00, OOV 25%
}

func ExampleConfig_Validate() {
	cfg := trainer.DefaultConfig()
	cfg.Negative = 0
	fmt.Println(cfg.Validate())
	// Output: invalid training option: negative must be at least 1: negative = 0 asks for hierarchical softmax, which is not implemented
}

func ExampleNgrams() {
	fmt.Println(trainer.Ngrams("where", 3, 4))
	fmt.Println(trainer.Ngrams("été", 3, 3)) // by rune, not by byte
	// Output:
	// [<wh <whe whe wher her here ere ere> re>]
	// [<ét été té>]
}

func ExampleModel_WordVector() {
	sentences := [][]string{
		{"we", "walk", "to", "work"}, {"they", "walked", "to", "school"},
		{"she", "is", "walking", "home"}, {"we", "talk", "at", "work"},
	}
	cfg := trainer.DefaultConfig()
	cfg.Dim, cfg.MinCount, cfg.Sample = 8, 1, 0
	cfg.Subwords = true
	m, err := trainer.Train(context.Background(), trainer.SliceSource(sentences), cfg, trainer.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, w := range []string{"walk", "walks", "qxz"} {
		v, ok := m.WordVector(w) // a key, an unseen word built from n-grams, no known n-gram
		fmt.Println(w, ok, len(v))
	}
	// Output:
	// walk true 8
	// walks true 8
	// qxz false 0
}
