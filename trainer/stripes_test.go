package trainer

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// stripeCorpus returns sequences of varied lengths, empty ones included;
// every token names its sequence ("s<i>t<j>").
func stripeCorpus() [][]string {
	var seqs [][]string
	for i := range 40 {
		n := (i * 7) % 13 // 0..12 tokens
		seq := make([]string, n)
		for j := range seq {
			seq[j] = fmt.Sprintf("s%dt%d", i, j)
		}
		seqs = append(seqs, seq)
	}
	return seqs
}

// Each stripe is a run of whole sequences in corpus order, the stripes
// follow each other, and together they read every sequence exactly once,
// for any number of stripes (more stripes than tokens included): from
// memory (by reading and dropping what comes before a stripe), from a
// plain file (by starting at a mark), and from a gzip file (no marks).
// The file has a line longer than MaxSequenceLength, read in pieces, and
// overlong tokens, dropped.
func TestStripesPartitionAPass(t *testing.T) {
	defer func(m int64, l int) { markEvery, maxTokenBytes = m, l }(markEvery, maxTokenBytes)
	markEvery, maxTokenBytes = 7, 30
	seqs := stripeCorpus()
	var text strings.Builder
	for i, s := range seqs {
		text.WriteString(strings.Join(s, " "))
		if i == 5 {
			text.WriteString(" " + strings.Repeat("x", 40)) // dropped
		}
		text.WriteString(" \n")
	}
	long := make([]string, MaxSequenceLength+3)
	for j := range long {
		long[j] = fmt.Sprintf("l%d", j%50)
	}
	text.WriteString("\n\n" + strings.Join(long, " ") + "\nlast line")
	dir := t.TempDir()
	plain := filepath.Join(dir, "c.txt")
	if err := os.WriteFile(plain, []byte(text.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(text.String()))
	zw.Close()
	zipped := filepath.Join(dir, "c.txt.gz")
	if err := os.WriteFile(zipped, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	fileSeqs := append(slices.Clone(seqs), long[:MaxSequenceLength], long[MaxSequenceLength:], []string{"last", "line"})

	for _, tc := range []struct {
		name  string
		src   Source
		want  [][]string
		marks bool
	}{
		{"memory", SliceSource(seqs), seqs, false},
		{"plain file", FileSource(plain), fileSeqs, true},
		{"gzip file", FileSource(zipped), fileSeqs, false},
	} {
		c, err := countSource(context.Background(), tc.src)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(c.marks) > 0; got != tc.marks {
			t.Fatalf("%s: %d marks", tc.name, len(c.marks))
		}
		// A pass started at a mark reads the rest of the corpus from the
		// sequence there.
		for _, m := range c.marks {
			r, err := tc.src.(seeker).openAt(m.off)
			if err != nil {
				t.Fatal(err)
			}
			var rest [][]string
			for {
				seq, err := r.Next()
				if err != nil {
					break
				}
				rest = append(rest, strs(seq))
			}
			r.Close()
			if want := tailFrom(nonEmptySeqs(tc.want), m.tok); !slices.EqualFunc(rest, want, slices.Equal[[]string]) {
				t.Fatalf("%s: from the mark at token %d (byte %d): %d sequences, want %d", tc.name, m.tok, m.off, len(rest), len(want))
			}
		}
		for _, n := range []int{1, 2, 3, 8, 40, MaxStripes} {
			stripes, err := openStripes(tc.src, c.total, n, c.marks)
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			nonEmpty := 0
			for i, s := range stripes {
				var run [][]string
				for {
					seq, err := s.next(context.Background())
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					run = append(run, strs(seq))
				}
				if err := s.r.Close(); err != nil {
					t.Fatal(err)
				}
				if run = nonEmptySeqs(run); len(run) > 0 {
					nonEmpty++
					// A stripe starts with the first sequence at or after
					// its share of the tokens.
					if start := startOf(tc.want, run[0]); i > 0 && start < c.total*int64(i)/int64(len(stripes)) {
						t.Errorf("%s, n=%d: stripe %d starts at token %d, before its share", tc.name, n, i, start)
					}
				}
				got = append(got, run...)
			}
			if !slices.EqualFunc(got, nonEmptySeqs(tc.want), slices.Equal[[]string]) {
				t.Errorf("%s, n=%d: stripes read %d sequences, not the corpus's %d in order", tc.name, n, len(got), len(tc.want))
			}
			if n > 1 && nonEmpty < 2 {
				t.Errorf("%s, n=%d: only %d non-empty stripes", tc.name, n, nonEmpty)
			}
			if len(stripes) > int(c.total) {
				t.Errorf("%s, n=%d: %d stripes for %d tokens", tc.name, n, len(stripes), c.total)
			}
		}
	}
}

// tailFrom returns the sequences of seqs from the one that starts at
// token tok of the pass.
func tailFrom(seqs [][]string, tok int64) [][]string {
	var pos int64
	for i, s := range seqs {
		if pos >= tok {
			return seqs[i:]
		}
		pos += int64(len(s))
	}
	return nil
}

// nonEmptySeqs drops empty sequences (a file has no empty lines to read).
func nonEmptySeqs(seqs [][]string) [][]string {
	var out [][]string
	for _, s := range seqs {
		if len(s) > 0 {
			out = append(out, s)
		}
	}
	return out
}

func strs(seq [][]byte) []string {
	out := make([]string, len(seq))
	for i, b := range seq {
		out[i] = string(b)
	}
	return out
}

// startOf returns the index in the pass of seq's first token.
func startOf(seqs [][]string, seq []string) int64 {
	var pos int64
	for _, s := range seqs {
		if slices.Equal(s, seq) {
			return pos
		}
		pos += int64(len(s))
	}
	return -1
}

// The reader takes one sequence from each stripe in turn: with two
// stripes consecutive sequences come from the two halves of the corpus,
// so the last jobs of an epoch hold text from both.
func TestReadInterleavesStripes(t *testing.T) {
	// 60 sequences of 1,000 tokens: "a<i>" in the first half, "b<i>" in
	// the second; every token is its own key.
	var seqs [][]string
	index := map[string]int32{}
	for i := range 60 {
		half := "a"
		if i >= 30 {
			half = "b"
		}
		seq := make([]string, 1000)
		for j := range seq {
			seq[j] = fmt.Sprintf("%s%d", half, i)
		}
		index[seq[0]] = int32(len(index))
		seqs = append(seqs, seq)
	}
	keys := make([]string, len(index))
	for k, id := range index {
		keys[id] = k
	}
	run := func(stripes int) []string {
		cfg := DefaultConfig()
		cfg.Stripes = stripes
		tr := &trainer{cfg: cfg, index: index, tokens: 60000, total: 60000}
		jobs := make(chan *job, 100)
		free := make(chan *job, 100)
		for range 100 {
			free <- &job{}
		}
		if err := tr.read(context.Background(), SliceSource(seqs), jobs, free); err != nil {
			t.Fatal(err)
		}
		close(jobs)
		var halves []string // the halves each job's sequences come from
		for j := range jobs {
			var h strings.Builder
			start := int32(0)
			for _, end := range j.ends {
				h.WriteString(keys[j.ids[start]][:1])
				start = end
			}
			halves = append(halves, h.String())
		}
		return halves
	}
	// jobWords is 10,000 tokens: ten sequences.
	a, b, ab := strings.Repeat("a", 10), strings.Repeat("b", 10), strings.Repeat("ab", 5)
	if got, want := run(1), []string{a, a, a, b, b, b}; !slices.Equal(got, want) {
		t.Errorf("one stripe: jobs %q, want %q", got, want)
	}
	if got, want := run(2), []string{ab, ab, ab, ab, ab, ab}; !slices.Equal(got, want) {
		t.Errorf("two stripes: jobs %q, want %q", got, want)
	}
	// Three stripes of 20 sequences: the first all a, the second ten a
	// then ten b, the third all b; so a, a, b in turn, then a, b, b.
	aab, abb := strings.Repeat("aab", 10), strings.Repeat("abb", 10)
	if got, want := run(3), []string{aab[:10], aab[10:20], aab[20:], abb[:10], abb[10:20], abb[20:]}; !slices.Equal(got, want) {
		t.Errorf("three stripes: jobs %q, want %q", got, want)
	}
}

// Stripes change the order of training, not what a pass reads: the
// counts, the words processed and the vocabulary are the same; the
// vectors differ; one thread stays reproducible.
func TestStripesTrain(t *testing.T) {
	seqs := stripeCorpus()
	train := func(stripes int) *Model {
		cfg := DefaultConfig()
		cfg.Dim, cfg.MinCount, cfg.Epochs, cfg.Stripes = 8, 1, 2, stripes
		m, err := Train(context.Background(), SliceSource(seqs), cfg, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	one, eight, again := train(1), train(8), train(8)
	if one.Config.Stripes != 1 || eight.Config.Stripes != 8 || train(0).Config.Stripes != DefaultStripes {
		t.Errorf("recorded stripes %d, %d", one.Config.Stripes, eight.Config.Stripes)
	}
	if !slices.Equal(one.Keys, eight.Keys) || !slices.Equal(one.Counts, eight.Counts) || one.CorpusWords != eight.CorpusWords {
		t.Error("stripes changed the vocabulary or the counts")
	}
	if last, last8 := one.History[len(one.History)-1], eight.History[len(eight.History)-1]; last.Words != last8.Words || last.Words != last.TotalWords {
		t.Errorf("words processed: %d in order, %d with stripes, of %d", last.Words, last8.Words, last.TotalWords)
	}
	if slices.Equal(one.Vectors, eight.Vectors) {
		t.Error("eight stripes trained the same vectors as one")
	}
	if !slices.Equal(eight.Vectors, again.Vectors) {
		t.Error("one thread with stripes is not reproducible")
	}
}

// A stripe that has to read past the sequences before it stops when the
// context is cancelled, so a cancelled training does not first read most
// of a large compressed corpus.
func TestStripeSkipStopsOnCancel(t *testing.T) {
	seqs := make([][]string, 5000)
	for i := range seqs {
		seqs[i] = []string{"w"}
	}
	stripes, err := openStripes(SliceSource(seqs), int64(len(seqs)), 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, s := range stripes {
			s.r.Close()
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if seq, err := stripes[0].next(ctx); err != nil || len(seq) != 1 {
		t.Errorf("the first stripe, with nothing to skip: %q, %v", seq, err)
	}
	if _, err := stripes[1].next(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("skipping 2,500 sequences after cancel: %v, want context.Canceled", err)
	}
}
