package fasttext

import (
	"slices"

	"github.com/vecdb/vecdb/trainer"
)

// Magic and Version are the first two int32 values of a model file that
// fastText 0.9 writes. Read also accepts version 11, which differs only in
// that a supervised model of that version has no character n-grams.
const (
	Magic   = 793712314
	Version = 12
)

// Loss is fastText's loss function (Args.Loss), as the file stores it.
type Loss int32

// The losses fastText knows.
const (
	LossHS       Loss = 1 // hierarchical softmax
	LossNS       Loss = 2 // negative sampling
	LossSoftmax  Loss = 3
	LossOneVsAll Loss = 4
)

// Kind is fastText's model kind (Args.Model), as the file stores it.
type Kind int32

// The kinds of model fastText trains.
const (
	CBOW       Kind = 1
	Skipgram   Kind = 2
	Supervised Kind = 3
)

// Args are fastText's training arguments as a model file stores them, in
// the file's order. Read fills them from the file; Write writes them,
// except Dim, Bucket, MinN and MaxN, which it takes from the data.
type Args struct {
	Dim, WS, Epoch, MinCount, Neg, WordNgrams int32
	Loss                                      Loss
	Model                                     Kind
	Bucket, MinN, MaxN, LrUpdateRate          int32
	T                                         float64 // sampling threshold
}

// DefaultArgs returns the arguments `fasttext skipgram` trains with by
// default, for dim: window 5, 5 epochs, min count 5, 5 negatives, loss
// ns, 2,000,000 buckets, n-grams of 3 to 6 characters, update rate 100,
// threshold 1e-4.
func DefaultArgs(dim int) Args {
	return Args{Dim: int32(dim), WS: 5, Epoch: 5, MinCount: 5, Neg: 5, WordNgrams: 1,
		Loss: LossNS, Model: Skipgram, Bucket: 2000000, MinN: 3, MaxN: 6, LrUpdateRate: 100, T: 1e-4}
}

// Model is a fastText model as vecdb uses it: the vocabulary with the
// vector fastText computes for each word, and the character n-gram rows
// that give a vector to any other word.
type Model struct {
	// Version is the file's format version (11 or 12); Write writes 12.
	Version int
	Args    Args
	// Words are the vocabulary in the file's order (most frequent first),
	// Counts their counts. Labels and LabelCounts are a supervised
	// model's labels (such as "__label__sports"), which have no vectors.
	Words       []string
	Counts      []int64
	Labels      []string
	LabelCounts []int64
	// Tokens is the number of tokens the model was trained on.
	Tokens int64
	// Vectors holds len(Words)*Args.Dim values, row-major: word i's
	// vector as `fasttext print-word-vectors` prints it, the mean of the
	// word's own input row and the rows of its character n-grams.
	Vectors []float32
	// Subwords holds the n-gram rows, nil when the model has no character
	// n-grams (maxn 0, as supervised models default to). Its bucket of an
	// n-gram is fastText's, so Subwords.MeanVector gives a word outside
	// Words its vector (see the package documentation for when that is
	// exactly fastText's).
	Subwords *trainer.Subwords

	index  map[string]int32 // Words by name, built by Read
	pruned bool             // the dictionary has a pruned index (quantized models)
}

// Dim returns the length of every vector.
func (m *Model) Dim() int { return int(m.Args.Dim) }

// Vector returns word's vector as fastText computes it: for a word of
// Words its row of Vectors (aliased), for any other word the sum of the
// kept rows of its n-grams divided by the number of its n-grams, by
// fastText's rules for splitting bytes into characters. It returns false
// for a word with no n-gram (or "</s>"), for which fastText prints zeros.
// When Read kept every bucket (ReadOptions.AllBuckets) this equals
// fastText's vector for every word. It is safe for concurrent use on a
// Model that Read returned; on a Model built by hand the first call
// indexes Words and must not run concurrently with another.
func (m *Model) Vector(word string) ([]float32, bool) {
	dim := m.Dim()
	if m.index == nil {
		m.index = make(map[string]int32, len(m.Words))
		for i, w := range m.Words {
			m.index[w] = int32(i)
		}
	}
	if i, ok := m.index[word]; ok {
		return m.Vectors[int(i)*dim : (int(i)+1)*dim : (int(i)+1)*dim], true
	}
	s := m.Subwords
	if s == nil {
		return nil, false
	}
	buckets := appendBuckets(nil, word, int(m.Args.MinN), int(m.Args.MaxN), uint32(s.Buckets))
	if len(buckets) == 0 {
		return nil, false
	}
	out := make([]float32, dim)
	for _, b := range buckets {
		if r, ok := slices.BinarySearch(s.Hashes, b); ok {
			for j, x := range s.Vector(r) {
				out[j] += x
			}
		}
	}
	scale := float32(1 / float64(len(buckets)))
	for j := range out {
		out[j] *= scale
	}
	return out, true
}
