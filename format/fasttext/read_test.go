package fasttext

import (
	"os"
	"slices"
	"testing"

	"github.com/vecdb/vecdb/trainer"
)

// The fixture testdata/tiny.bin was trained by fastText 0.9.2 on
// testdata/tiny.txt (written for this test):
//
//	fasttext skipgram -input tiny.txt -output tiny -dim 8 -minCount 2 \
//	  -bucket 500 -minn 2 -maxn 4 -epoch 50 -thread 1 -lr 0.5
//	fasttext print-word-vectors tiny.bin < tiny_words.txt > tiny_vectors.txt
//
// tiny_words.txt holds words of the vocabulary and words outside it, some
// with bytes above 0x7f (whose hash sign-extends them).
func tinyExpected(t *testing.T) (words []string, vecs [][]float32) {
	out, err := os.ReadFile("testdata/tiny_vectors.txt")
	if err != nil {
		t.Fatal(err)
	}
	return parseVectors(t, out)
}

func TestReadFixture(t *testing.T) {
	m := readFile(t, "testdata/tiny.bin", ReadOptions{AllBuckets: true})
	a := m.Args
	if a.Dim != 8 || a.Bucket != 500 || a.MinN != 2 || a.MaxN != 4 || a.Model != Skipgram || a.Loss != LossNS || a.Epoch != 50 || a.MinCount != 2 || a.T != 1e-4 {
		t.Fatalf("args %+v", a)
	}
	if m.Version != 12 || len(m.Words) != 55 || m.Words[0] != "the" || m.Counts[0] != 40 || m.Words[2] != "</s>" || len(m.Labels) != 0 || m.Tokens == 0 {
		t.Fatalf("version %d, %d words, first %q ×%d, third %q, %d labels, %d tokens", m.Version, len(m.Words), m.Words[0], m.Counts[0], m.Words[2], len(m.Labels), m.Tokens)
	}
	if len(m.Vectors) != 55*8 {
		t.Fatalf("%d values", len(m.Vectors))
	}
	s := m.Subwords
	if s == nil || s.MinN != 2 || s.MaxN != 4 || s.Buckets != 500 || s.Dim != 8 || s.Len() != 500 {
		t.Fatalf("subwords %+v", s)
	}
	words, want := tinyExpected(t)
	inVocab, oov := 0, 0
	for i, w := range words {
		got, ok := m.Vector(w)
		if !ok || !closeTo(got, want[i]) {
			t.Errorf("%q: got %v, fastText %v", w, got, want[i])
		}
		if slices.Contains(m.Words, w) {
			inVocab++
			continue
		}
		oov++
		// trainer.Subwords, with every bucket, gives fastText's vector:
		// its n-grams and hash are fastText's.
		mean, ok := s.MeanVector(w)
		if !ok || !closeTo(mean, want[i]) {
			t.Errorf("%q: Subwords.MeanVector %v, fastText %v", w, mean, want[i])
		}
	}
	if inVocab < 5 || oov < 5 {
		t.Fatalf("%d words in the vocabulary and %d out of it", inVocab, oov)
	}
}

// By default only the rows the words use are kept; every word's vector
// is the same, and so is that of an unknown word whose n-grams all have a
// row.
func TestReadUsedBuckets(t *testing.T) {
	all := readFile(t, "testdata/tiny.bin", ReadOptions{AllBuckets: true})
	m := readFile(t, "testdata/tiny.bin", ReadOptions{})
	if m.Subwords.Len() >= all.Subwords.Len() || m.Subwords.Len() == 0 {
		t.Fatalf("%d rows kept of %d", m.Subwords.Len(), all.Subwords.Len())
	}
	if !slices.Equal(m.Vectors, all.Vectors) {
		t.Fatal("the words' vectors depend on the rows kept")
	}
	words, want := tinyExpected(t)
	exact := 0
	for i, w := range words {
		if slices.Contains(m.Words, w) {
			continue
		}
		buckets := appendBuckets(nil, w, 2, 4, 500)
		complete := true
		for _, b := range buckets {
			if _, ok := slices.BinarySearch(m.Subwords.Hashes, b); !ok {
				complete = false
			}
		}
		got, _ := m.Subwords.MeanVector(w)
		if complete {
			exact++
			if !closeTo(got, want[i]) {
				t.Errorf("%q: %v, fastText %v", w, got, want[i])
			}
		}
	}
	if exact == 0 {
		t.Fatal("no unknown word has all its rows")
	}
}

func TestReadLimit(t *testing.T) {
	all := readFile(t, "testdata/tiny.bin", ReadOptions{})
	m := readFile(t, "testdata/tiny.bin", ReadOptions{Limit: 5})
	if !slices.Equal(m.Words, all.Words[:5]) || !slices.Equal(m.Counts, all.Counts[:5]) || !slices.Equal(m.Vectors, all.Vectors[:5*8]) {
		t.Fatalf("limit 5 kept %q", m.Words)
	}
	if m.Subwords.Len() >= all.Subwords.Len() {
		t.Fatalf("limit 5 kept %d rows of %d", m.Subwords.Len(), all.Subwords.Len())
	}
	if _, ok := m.Vector(all.Words[10]); !ok {
		t.Fatalf("%q has no vector from n-grams", all.Words[10])
	}
	if v, _ := m.Vector(all.Words[10]); slices.Equal(v, all.Vectors[10*8:11*8]) {
		t.Fatal("a word past the limit kept its vector")
	}
}

// The n-grams are fastText's, in its order: `fasttext print-ngrams`
// lists a word's n-grams with their rows (after the word's own row when it
// is in the vocabulary). zürich is in the vocabulary, 日本語 is not, and
// some of its rows are zeros (fastText -thread 1 only initialises a tenth
// of the matrix).
func TestNgramsMatchPrintNgrams(t *testing.T) {
	m := readFile(t, "testdata/tiny.bin", ReadOptions{AllBuckets: true})
	for _, c := range []struct {
		file, word string
		inVocab    bool
	}{{"testdata/ngrams_zurich.txt", "zürich", true}, {"testdata/ngrams_nihongo.txt", "日本語", false}} {
		out, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		grams, rows := parseVectors(t, out)
		if c.inVocab {
			grams, rows = grams[1:], rows[1:]
		}
		if got := trainer.Ngrams(c.word, 2, 4); !slices.Equal(got, grams) {
			t.Errorf("trainer.Ngrams(%q) = %q, fastText %q", c.word, got, grams)
		}
		buckets := appendBuckets(nil, c.word, 2, 4, 500)
		if len(buckets) != len(grams) {
			t.Fatalf("%q: %d buckets for %d n-grams", c.word, len(buckets), len(grams))
		}
		for k, b := range buckets {
			if got := m.Subwords.Vector(int(b)); !closeTo(got, rows[k]) {
				t.Errorf("%q: n-gram %q in bucket %d has row %v, fastText %v", c.word, grams[k], b, got, rows[k])
			}
		}
	}
}

// A classifier (testdata/tiny_sup.bin, from testdata/tiny_sup.txt):
//
//	fasttext supervised -input tiny_sup.txt -output tiny_sup -dim 4 \
//	  -minCount 1 -bucket 300 -minn 2 -maxn 3 -wordNgrams 2 -epoch 20 \
//	  -thread 1 -lr 0.5
//
// has labels after its words and an output row per label; its words'
// vectors are fastText's. Quantizing it (`fasttext quantize -dsub 2`, and
// with -cutoff 280, which prunes the dictionary) gives .ftz files that are
// refused.
func TestReadSupervised(t *testing.T) {
	m := readFile(t, "testdata/tiny_sup.bin", ReadOptions{AllBuckets: true})
	if m.Args.Model != Supervised || m.Args.WordNgrams != 2 || m.Args.Loss != LossSoftmax ||
		!slices.Equal(m.Labels, []string{"__label__food", "__label__music", "__label__art"}) || !slices.Equal(m.LabelCounts, []int64{4, 4, 4}) {
		t.Fatalf("args %+v, labels %q %v", m.Args, m.Labels, m.LabelCounts)
	}
	if slices.Contains(m.Words, "__label__food") {
		t.Fatal("a label among the words")
	}
	words, want := parseVectors(t, mustRead(t, "testdata/tiny_sup_vectors.txt"))
	for i, w := range words {
		if got, ok := m.Vector(w); !ok || !closeTo(got, want[i]) {
			t.Errorf("%q: %v, fastText %v", w, got, want[i])
		}
	}
	for _, name := range []string{"testdata/tiny_sup.ftz", "testdata/tiny_sup_pruned.ftz"} {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Read(f, ReadOptions{})
		f.Close()
		wantErr(t, err, ErrQuantized, -1)
		t.Logf("%s: %v", name, err)
	}
}
