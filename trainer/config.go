package trainer

import (
	"fmt"
	"math"
)

// Config holds the word2vec hyper-parameters. Start from DefaultConfig and
// change what you need: apart from Alpha, ShrinkWindow and Stripes, every
// field is used literally, so a zero Config does not validate.
type Config struct {
	Dim      int // vector size; default 100; 1..10000
	Window   int // maximum distance between a key and its context; default 5
	Negative int // noise keys per positive example; default 5; 1..100
	MinCount int // keys seen fewer times are dropped; default 5
	MaxVocab int // keep only the MaxVocab most frequent keys after MinCount; 0 = unlimited
	Epochs   int // passes over the corpus; default 5
	Threads  int // worker goroutines; default 1 in DefaultConfig

	// Sample is the subsampling threshold for frequent keys (word2vec's
	// -sample); default 1e-3; 0 disables subsampling.
	Sample float64
	// Alpha is the initial learning rate. 0 selects the default for the
	// mode: 0.025 for skip-gram and 0.05 for CBOW (word2vec.c's defaults;
	// gensim uses 0.025 for both), and 0.045 for skip-gram with Subwords
	// (fastText uses 0.05; see DefaultAlphaSubwordsSG).
	Alpha float64
	// MinAlpha is the learning rate reached at the end of the last epoch;
	// default 0.0001. The rate falls linearly with the words processed.
	MinAlpha float64
	// NsExponent shapes the noise distribution count^NsExponent; default
	// 0.75; 0 samples uniformly, negative values favour rare keys.
	NsExponent float64

	CBOW bool  // train CBOW (mean of context vectors) instead of skip-gram
	Seed int64 // seeds initial vectors and every worker's random numbers

	// ShrinkWindow draws the effective window of each position uniformly
	// from 1..Window as word2vec does; nil means true.
	ShrinkWindow *bool
	// WholeSequenceWindow makes the window span the whole sequence, so
	// every pair of items in a sequence is a training pair (item2vec).
	WholeSequenceWindow bool
	// ShuffleSequences shuffles the tokens of each sequence before every
	// use, for sequences that are really sets (baskets, playlists as sets).
	ShuffleSequences bool
	// Stripes cuts every pass over the corpus into this many runs of
	// sequences of about equal token count and reads them side by side,
	// one sequence from each in turn, as fastText does with one stream per
	// thread (a line of a file is a sequence; a line longer than
	// MaxSequenceLength tokens is read in pieces of that length). The last
	// part of training, at the lowest learning rates, then sees text from
	// the whole corpus rather than only from its end, which matters when
	// the corpus joins texts of different kinds. 0 means DefaultStripes; 1
	// reads the corpus in order. The order does not depend on Threads.
	Stripes int

	// Subwords trains fastText-style subword vectors: a key's input vector
	// is the mean of its own row and the rows of its character n-grams
	// (MinN..MaxN runes of "<key>", hashed into Buckets buckets), and every
	// one of them receives the gradient. Model.Vectors then holds the
	// composed vectors and Model.Subwords the n-gram rows, from which
	// Model.WordVector builds vectors for unknown words. Default false;
	// the four fields below are read only when it is true.
	Subwords bool
	// MinN and MaxN bound the n-gram length in runes, "<" and ">"
	// included; defaults 3 and 6 (fastText's); 1 <= MinN <= MaxN <= 32.
	MinN, MaxN int
	// Buckets is the hash space of n-grams; default 2,000,000 (fastText's,
	// so an n-gram falls in the bucket fastText gives it). It costs no
	// memory: only buckets that the vocabulary's n-grams hit get a row.
	Buckets int
	// MinNgramWords keeps a row only for buckets hit by the n-grams of at
	// least this many keys; default 1 (every n-gram of the vocabulary).
	// Raising it shrinks the n-gram table (see BENCHMARKS.md for what it
	// costs).
	MinNgramWords int
}

// Defaults used by DefaultConfig.
const (
	DefaultDim       = 100
	DefaultWindow    = 5
	DefaultNegative  = 5
	DefaultMinCount  = 5
	DefaultEpochs    = 5
	DefaultSample    = 1e-3
	DefaultAlphaSG   = 0.025
	DefaultAlphaCBOW = 0.05
	// DefaultAlphaSubwordsSG is skip-gram's rate with subwords. Measured
	// on the shared corpus with 8 stripes against fastText at its own
	// 0.05 (BENCHMARKS.md, "Reading order"): 0.045 meets every quality
	// goal of issue 14 on the mean of six paired runs; 0.05 falls 1.5
	// analogy points short of fastText on all 6M tokens, and 0.04 only
	// ties fastText's SimLex-999 for unseen words on half of them.
	// word2vec's 0.025 costs 0.04-0.05 of WordSim-353 Spearman.
	DefaultAlphaSubwordsSG = 0.045
	DefaultMinAlpha        = 0.0001
	DefaultNsExponent      = 0.75

	// DefaultStripes is Stripes' default. Measured on the shared corpus,
	// seven texts joined end to end (BENCHMARKS.md, "Reading order"): 8
	// stripes give subword vectors 0.035 more WordSim-353 Spearman than
	// reading in order (mean of five seeds), for 0.3 fewer analogy points
	// and 0.014 less SimLex-999.
	DefaultStripes = 8
	MaxStripes     = 256

	DefaultMinN          = 3
	DefaultMaxN          = 6
	DefaultBuckets       = 2000000
	DefaultMinNgramWords = 1

	// MaxSequenceLength is the longest sequence trained as one; longer
	// lines are cut into pieces of this many tokens (gensim's
	// max_sentence_length).
	MaxSequenceLength = 10000

	// MaxTokenBytes is the longest token the file readers (FileSource,
	// KeyedFileSource) pass on: 4 KiB. A longer run of bytes without white
	// space (binary data, a base64 blob, a file without separators) is
	// skipped as it streams, in bounded memory, and counted in
	// Model.SkippedTokens; it never becomes a key.
	MaxTokenBytes = 4096
)

// maxTokenBytes is MaxTokenBytes; tests lower it.
var maxTokenBytes = MaxTokenBytes

// DefaultConfig returns the word2vec defaults: skip-gram, dim 100, window 5,
// negative 5, min_count 5, sample 1e-3, 5 epochs, alpha 0.025 (0.05 for
// CBOW, 0.045 for skip-gram with subwords) decaying to 0.0001, ns_exponent
// 0.75, one thread, seed 1; subwords off, with minn 3, maxn 6, 2,000,000
// buckets and min_ngram_words 1 ready for when they are turned on.
func DefaultConfig() Config {
	return Config{
		Dim:        DefaultDim,
		Window:     DefaultWindow,
		Negative:   DefaultNegative,
		MinCount:   DefaultMinCount,
		Epochs:     DefaultEpochs,
		Threads:    1,
		Sample:     DefaultSample,
		MinAlpha:   DefaultMinAlpha,
		NsExponent: DefaultNsExponent,
		Seed:       1,

		MinN:          DefaultMinN,
		MaxN:          DefaultMaxN,
		Buckets:       DefaultBuckets,
		MinNgramWords: DefaultMinNgramWords,
	}
}

// Validate reports the first option out of range, naming it. The error
// wraps ErrConfig.
func (c Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...))
	}
	switch {
	case c.Dim < 1 || c.Dim > 10000:
		return bad("dim must be between 1 and 10000, got %d", c.Dim)
	case c.Window < 1:
		return bad("window must be at least 1, got %d", c.Window)
	case c.Negative == 0:
		return bad("negative must be at least 1: negative = 0 asks for hierarchical softmax, which is not implemented")
	case c.Negative < 0 || c.Negative > 100:
		return bad("negative must be between 1 and 100, got %d", c.Negative)
	case c.MinCount < 0:
		return bad("min_count must be at least 0, got %d", c.MinCount)
	case c.MaxVocab < 0:
		return bad("max_vocab must be at least 0 (0 = unlimited), got %d", c.MaxVocab)
	case c.Epochs < 1:
		return bad("epochs must be at least 1, got %d", c.Epochs)
	case c.Threads < 1:
		return bad("threads must be at least 1, got %d", c.Threads)
	case c.Stripes < 0 || c.Stripes > MaxStripes:
		return bad("stripes must be between 1 and %d (0 for the default), got %d", MaxStripes, c.Stripes)
	case math.IsNaN(c.Sample) || math.IsInf(c.Sample, 0) || c.Sample < 0:
		return bad("sample must be a finite number >= 0 (0 disables), got %g", c.Sample)
	case math.IsNaN(c.Alpha) || math.IsInf(c.Alpha, 0) || c.Alpha < 0:
		return bad("alpha must be > 0 (or 0 for the default), got %g", c.Alpha)
	case math.IsNaN(c.MinAlpha) || math.IsInf(c.MinAlpha, 0) || c.MinAlpha < 0:
		return bad("min_alpha must be a finite number >= 0, got %g", c.MinAlpha)
	case c.MinAlpha > c.alpha():
		return bad("min_alpha (%g) must not exceed alpha (%g)", c.MinAlpha, c.alpha())
	case math.IsNaN(c.NsExponent) || math.IsInf(c.NsExponent, 0):
		return bad("ns_exponent must be finite, got %g", c.NsExponent)
	case c.Subwords && (c.MinN < 1 || c.MaxN < c.MinN || c.MaxN > 32):
		return bad("minn and maxn must satisfy 1 <= minn <= maxn <= 32, got %d and %d", c.MinN, c.MaxN)
	case c.Subwords && (c.Buckets < 1 || c.Buckets > math.MaxInt32):
		return bad("buckets must be between 1 and %d, got %d", math.MaxInt32, c.Buckets)
	case c.Subwords && c.MinNgramWords < 1:
		return bad("min_ngram_words must be at least 1, got %d", c.MinNgramWords)
	}
	return nil
}

// stripes returns Stripes, resolving 0 to DefaultStripes.
func (c Config) stripes() int {
	if c.Stripes == 0 {
		return DefaultStripes
	}
	return c.Stripes
}

// alpha returns the starting learning rate, resolving 0 to the mode default.
func (c Config) alpha() float64 {
	if c.Alpha > 0 {
		return c.Alpha
	}
	if c.CBOW {
		return DefaultAlphaCBOW
	}
	if c.Subwords {
		return DefaultAlphaSubwordsSG
	}
	return DefaultAlphaSG
}

func (c Config) shrink() bool { return c.ShrinkWindow == nil || *c.ShrinkWindow }
