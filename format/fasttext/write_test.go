package fasttext

import (
	"bytes"
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/vecdb/vecdb/internal/errdefs"
	"github.com/vecdb/vecdb/trainer"
)

func writeRead(t *testing.T, m *Model, opts ReadOptions) *Model {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, m); err != nil {
		t.Fatal(err)
	}
	opts.Size = int64(buf.Len())
	back, err := Read(bytes.NewReader(buf.Bytes()), opts)
	if err != nil {
		t.Fatalf("reading what Write wrote: %v", err)
	}
	return back
}

// sameVectors checks that got equals want up to float32 rounding.
func sameVectors(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(float64(got[i] - want[i])); d > 1e-6+1e-5*math.Abs(float64(want[i])) {
			t.Fatalf("%s: value %d is %v, want %v", what, i, got[i], want[i])
		}
	}
}

// A fastText model read and written back reads the same: the words'
// vectors (through rows rebuilt from them) and the table, bit for bit.
func TestWriteRoundTrip(t *testing.T) {
	m := readFile(t, "testdata/tiny.bin", ReadOptions{})
	back := writeRead(t, m, ReadOptions{})
	if back.Version != Version || back.Args != m.Args || !slices.Equal(back.Words, m.Words) || !slices.Equal(back.Counts, m.Counts) || back.Tokens != m.Tokens {
		t.Fatalf("read back version %d, args %+v, %d words, tokens %d", back.Version, back.Args, len(back.Words), back.Tokens)
	}
	sameVectors(t, "vectors", back.Vectors, m.Vectors)
	if !slices.Equal(back.Subwords.Hashes, m.Subwords.Hashes) || !slices.Equal(back.Subwords.Vectors, m.Subwords.Vectors) {
		t.Fatal("the n-gram table changed")
	}
}

// A model vecdb trained, with fewer n-gram rows than its words use
// (MinNgramWords 2), written and read back: the same vectors and the same
// table; with every bucket kept, an unknown word's vector from the file
// points where vecdb's does.
func TestWriteTrainedModel(t *testing.T) {
	var sents [][]string
	for _, line := range bytes.Split(mustRead(t, "testdata/tiny.txt"), []byte("\n")) {
		if f := bytes.Fields(line); len(f) > 0 {
			s := make([]string, len(f))
			for i, w := range f {
				s[i] = string(w)
			}
			sents = append(sents, s)
		}
	}
	cfg := trainer.DefaultConfig()
	cfg.Dim, cfg.MinCount, cfg.Sample, cfg.Epochs = 8, 2, 0, 20
	cfg.Subwords, cfg.MinN, cfg.MaxN, cfg.Buckets, cfg.MinNgramWords = true, 2, 4, 500, 2
	tm, err := trainer.Train(context.Background(), trainer.SliceSource(sents), cfg, trainer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := &Model{Args: Args{Dim: 8}, Words: tm.Keys, Counts: tm.Counts, Vectors: tm.Vectors, Subwords: tm.Subwords}
	back := writeRead(t, m, ReadOptions{})
	if !slices.Equal(back.Words, tm.Keys) || back.Args.Bucket != 500 || back.Args.MinN != 2 || back.Args.MaxN != 4 || back.Args.Model != Skipgram {
		t.Fatalf("read back %d words, args %+v", len(back.Words), back.Args)
	}
	sameVectors(t, "vectors", back.Vectors, tm.Vectors)
	if !slices.Equal(back.Subwords.Hashes, tm.Subwords.Hashes) || !slices.Equal(back.Subwords.Vectors, tm.Subwords.Vectors) {
		t.Fatalf("table of %d rows read back with %d", tm.Subwords.Len(), back.Subwords.Len())
	}
	all := writeRead(t, m, ReadOptions{AllBuckets: true})
	if all.Subwords.Len() != 500 {
		t.Fatalf("%d rows with AllBuckets", all.Subwords.Len())
	}
	partial := 0
	for _, w := range []string{"walkings", "bakeries", "züricher", "日本語", "xq"} {
		mine, ok := tm.WordVector(w)
		if !ok {
			continue
		}
		theirs, _ := all.Vector(w)
		if c := cosine(mine, theirs); c < 1-1e-5 {
			t.Errorf("%q: cosine %v between vecdb's vector and the file's", w, c)
		}
		if n1, n2 := norm(mine), norm(theirs); n2 < n1*(1-1e-5) {
			partial++
		}
	}
	if partial == 0 {
		t.Fatal("no unknown word has n-grams without a row: the test proves nothing")
	}
}

func norm(v []float32) float64 { return math.Sqrt(cosineDot(v, v)) }

func cosineDot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func TestWriteWithoutSubwords(t *testing.T) {
	m := &Model{Args: Args{Dim: 3, Model: CBOW}, Words: []string{"b", "a", "</s>"}, Counts: []int64{5, 3, 1},
		Vectors: []float32{1, 2, 3, -1, 0.5, 0.25, 7, 8, 9}}
	back := writeRead(t, m, ReadOptions{})
	if back.Subwords != nil || back.Args.MaxN != 0 || back.Args.Bucket != 0 || back.Args.Model != CBOW || back.Args.WS != 5 {
		t.Fatalf("args %+v, subwords %v", back.Args, back.Subwords)
	}
	if !slices.Equal(back.Vectors, m.Vectors) || !slices.Equal(back.Counts, m.Counts) || back.Tokens != 9 {
		t.Fatalf("vectors %v, counts %v, tokens %d", back.Vectors, back.Counts, back.Tokens)
	}
	if _, ok := back.Vector("c"); ok {
		t.Fatal("an unknown word has a vector without n-grams")
	}
}

// A classifier's labels are written after its words, and its output
// matrix has a row per label.
func TestWriteLabels(t *testing.T) {
	m := &Model{Args: Args{Dim: 2, Model: Supervised, Loss: LossSoftmax}, Words: []string{"good", "bad"},
		Vectors: []float32{1, 0, 0, 1}, Labels: []string{"__label__pos", "__label__neg", "__label__meh"}, LabelCounts: []int64{4, 2, 1}}
	back := writeRead(t, m, ReadOptions{})
	if !slices.Equal(back.Labels, m.Labels) || !slices.Equal(back.LabelCounts, m.LabelCounts) || !slices.Equal(back.Counts, []int64{1, 1}) || back.Tokens != 9 {
		t.Fatalf("labels %q %v, counts %v, tokens %d", back.Labels, back.LabelCounts, back.Counts, back.Tokens)
	}
}

func TestWriteErrors(t *testing.T) {
	sub := &trainer.Subwords{MinN: 2, MaxN: 3, Buckets: 10, Dim: 2, Hashes: []uint32{3, 7}, Vectors: []float32{1, 2, 3, 4}}
	ok := func() *Model {
		s := *sub
		s.Hashes, s.Vectors = slices.Clone(s.Hashes), slices.Clone(s.Vectors)
		return &Model{Args: Args{Dim: 2}, Words: []string{"a", "b"}, Vectors: []float32{1, 2, 3, 4}, Subwords: &s}
	}
	for _, c := range []struct {
		name string
		edit func(m *Model)
		want error
	}{
		{"no dimension", func(m *Model) { m.Args.Dim = 0 }, errdefs.ErrInvalid},
		{"short vectors", func(m *Model) { m.Vectors = m.Vectors[:3] }, errdefs.ErrDimension},
		{"table of another dimension", func(m *Model) { m.Subwords.Dim = 1; m.Subwords.Vectors = []float32{1, 2} }, errdefs.ErrDimension},
		{"table rows short", func(m *Model) { m.Subwords.Vectors = []float32{1} }, errdefs.ErrDimension},
		{"hash out of range", func(m *Model) { m.Subwords.Hashes = []uint32{3, 10} }, errdefs.ErrInvalid},
		{"hashes out of order", func(m *Model) { m.Subwords.Hashes = []uint32{7, 3} }, errdefs.ErrInvalid},
		{"bad n-gram lengths", func(m *Model) { m.Subwords.MinN = 0 }, errdefs.ErrInvalid},
		{"duplicate word", func(m *Model) { m.Words[1] = "a" }, errdefs.ErrDuplicateKey},
		{"label named as a word", func(m *Model) { m.Labels = []string{"b"} }, errdefs.ErrDuplicateKey},
		{"empty word", func(m *Model) { m.Words[0] = "" }, errdefs.ErrInvalid},
		{"NUL in a word", func(m *Model) { m.Words[0] = "a\x00b" }, errdefs.ErrInvalid},
		{"NaN", func(m *Model) { m.Vectors[2] = float32(math.NaN()) }, errdefs.ErrInvalid},
		{"infinite table value", func(m *Model) { m.Subwords.Vectors[1] = float32(math.Inf(1)) }, errdefs.ErrInvalid},
		{"counts short", func(m *Model) { m.Counts = []int64{1} }, errdefs.ErrInvalid},
		{"negative count", func(m *Model) { m.Counts = []int64{1, -1} }, errdefs.ErrInvalid},
		{"unknown kind", func(m *Model) { m.Args.Model = 9 }, errdefs.ErrInvalid},
		{"row overflows", func(m *Model) { m.Vectors[0] = math.MaxFloat32 }, errdefs.ErrInvalid},
	} {
		m := ok()
		c.edit(m)
		var buf bytes.Buffer
		err := Write(&buf, m)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
		}
	}
	var buf bytes.Buffer
	if err := Write(&buf, ok()); err != nil {
		t.Fatal(err)
	}
}

// Write returns the writer's error.
func TestWriteWriterError(t *testing.T) {
	m := readFile(t, "testdata/tiny.bin", ReadOptions{})
	boom := errors.New("disk full")
	if err := Write(failWriter{boom}, m); !errors.Is(err, boom) {
		t.Fatalf("error %v, want the writer's", err)
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }
