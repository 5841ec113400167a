package trainer

import (
	"math"
	"sync"

	"github.com/vecdb/vecdb/internal/vec"
)

// Model is a trained word2vec model. Keys are in frequency order (descending
// count, ties in first-seen order); after continued training the new keys
// follow the old ones, which keep their rows. Model implements KeyedVectors.
// A Model is safe for concurrent reads; do not modify Keys after calling
// Index.
type Model struct {
	Keys    []string
	Counts  []int64 // occurrences of each key in the training corpora
	Dim     int
	Vectors []float32 // input vectors (syn0), len(Keys)*Dim, row-major
	Output  []float32 // output weights (syn1neg), same shape; needed by Options.Continue
	Config  Config    // the configuration of the last training run (Alpha resolved)
	// CorpusWords is the number of tokens (known or not) in one pass over
	// the last training source: gensim's corpus_total_words.
	CorpusWords int64
	// SkippedTokens is the number of tokens longer than MaxTokenBytes that
	// the file readers dropped in one pass over the last training source.
	SkippedTokens int64
	// History has one entry per epoch of the last run, as passed to
	// Options.Progress at the end of the epoch (with Watch filled in).
	History []Progress
	// Subwords holds the character n-gram rows of a model trained with
	// Config.Subwords, nil otherwise. Vectors then holds each key's
	// composed vector (the mean of its own trained row and its n-gram
	// rows), which is what a store keeps per key; WordVector builds a
	// vector for unknown words from Subwords. Persist it with
	// Subwords.WriteTo and read it back with ReadSubwords.
	Subwords *Subwords

	sub   *subIndex // rows of each key while training subwords
	once  sync.Once
	index map[string]int
}

// Len returns the number of keys.
func (m *Model) Len() int { return len(m.Keys) }

// Key returns the i-th key in frequency order.
func (m *Model) Key(i int) string { return m.Keys[i] }

// Vector returns the raw (not normalised) vector of key i; it aliases
// m.Vectors.
func (m *Model) Vector(i int) []float32 { return m.Vectors[i*m.Dim : (i+1)*m.Dim : (i+1)*m.Dim] }

// Index returns the row of key. The map is built on the first call.
func (m *Model) Index(key string) (int, bool) {
	m.once.Do(func() {
		m.index = make(map[string]int, len(m.Keys))
		for i, k := range m.Keys {
			if _, dup := m.index[k]; !dup {
				m.index[k] = i
			}
		}
	})
	i, ok := m.index[key]
	return i, ok
}

// Similarity returns the cosine similarity of keys a and b, and false when
// either is unknown.
func (m *Model) Similarity(a, b string) (float64, bool) {
	i, ok1 := m.Index(a)
	j, ok2 := m.Index(b)
	if !ok1 || !ok2 {
		return math.NaN(), false
	}
	return cosine(m.Vector(i), m.Vector(j)), true
}

func cosine(a, b []float32) float64 {
	na, nb := vec.Norm(a), vec.Norm(b)
	if na == 0 || nb == 0 {
		return 0
	}
	return float64(vec.Dot(a, b)) / (float64(na) * float64(nb))
}

// WordVector returns a new slice with the vector of any word, and false
// when it has none. A key of the model gets its vector (with subwords,
// the composed mean of its own row and its n-gram rows). Another word,
// in a model trained with subwords, gets the mean of the rows of its
// n-grams that Subwords holds (fastText's getWordVector, leaving out
// n-grams with no row); it has no vector when none of them has a row, or
// when the model has no subwords.
func (m *Model) WordVector(word string) ([]float32, bool) {
	if i, ok := m.Index(word); ok {
		return append([]float32(nil), m.Vector(i)...), true
	}
	if m.Subwords == nil {
		return nil, false
	}
	return m.Subwords.MeanVector(word)
}
