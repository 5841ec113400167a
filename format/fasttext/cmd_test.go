package fasttext

import (
	"bytes"
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/internal/testutil"
	"github.com/vecdb/vecdb/trainer"
)

// These tests run the fasttext program (the Debian package fasttext, which
// ../shared/bench/setup.sh installs) on a slice of the shared corpus, and
// skip when either is absent; the committed fixture covers the same
// ground without them.

func needFastText(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping: trains fastText models (-short)")
	}
	p, err := exec.LookPath("fasttext")
	if err != nil {
		t.Skip("skipping: the fasttext program is not installed (Debian package fasttext; ../shared/bench/setup.sh)")
	}
	return p
}

func runFastText(t *testing.T, bin string, stdin string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("fasttext %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

// corpusSlice writes the first n tokens of the shared corpus to dir, 1000
// to a line, and returns its path and the tokens.
func corpusSlice(t *testing.T, dir string, n int) (string, []string) {
	t.Helper()
	f, err := os.Open(testutil.SharedData(t, "corpus.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 16*n) // words average under 6 bytes
	k, _ := f.Read(buf)
	toks := strings.Fields(string(buf[:k]))
	if len(toks) <= n {
		t.Skipf("skipping: the corpus has %d tokens, the test needs %d", len(toks), n)
	}
	toks = toks[:n]
	var b strings.Builder
	for i := 0; i < n; i += 1000 {
		b.WriteString(strings.Join(toks[i:min(i+1000, n)], " "))
		b.WriteByte('\n')
	}
	path := filepath.Join(dir, "slice.txt")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, toks
}

// unknownWords returns words outside vocab: rare corpus tokens and a few
// made up, some with multi-byte characters.
func unknownWords(toks []string, known func(string) bool, n int) []string {
	out := []string{"unbelievably", "lobsterish", "zürichers", "日本の", "naïvety", "x", "qqqq"}
	seen := map[string]bool{}
	for _, w := range toks {
		if len(out) >= n {
			break
		}
		if !known(w) && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// TestFastTextSkipgram: for a model that fastText trains on a slice of the
// corpus, vecdb's vectors for words in and out of the vocabulary equal
// `fasttext print-word-vectors`.
func TestFastTextSkipgram(t *testing.T) {
	bin := needFastText(t)
	dir := t.TempDir()
	slice, toks := corpusSlice(t, dir, 200000)
	runFastText(t, bin, "", "skipgram", "-input", slice, "-output", filepath.Join(dir, "m"),
		"-dim", "10", "-minCount", "5", "-bucket", "20000", "-epoch", "1", "-thread", "1", "-verbose", "0")
	path := filepath.Join(dir, "m.bin")
	all := readFile(t, path, ReadOptions{AllBuckets: true})
	used := readFile(t, path, ReadOptions{})
	if !slices.Equal(all.Vectors, used.Vectors) {
		t.Fatal("the words' vectors depend on the rows kept")
	}
	known := func(w string) bool { _, ok := used.index[w]; return ok }
	var in []string
	for i := 0; i < len(all.Words); i += 10 {
		in = append(in, all.Words[i])
	}
	out := unknownWords(toks, known, 300)
	queries := append(slices.Clone(in), out...)
	words, want := parseVectors(t, runFastText(t, bin, strings.Join(queries, "\n")+"\n", "print-word-vectors", path))
	if !slices.Equal(words, queries) {
		t.Fatalf("fastText printed %d words for %d queries", len(words), len(queries))
	}
	complete := 0
	for i, w := range words {
		got, ok := all.Vector(w)
		if !ok || !closeTo(got, want[i]) {
			t.Errorf("%q: vecdb %v, fastText %v", w, got, want[i])
		}
		if known(w) {
			if g, _ := used.Vector(w); !closeTo(g, want[i]) {
				t.Errorf("%q: vecdb %v, fastText %v (rows the words use)", w, g, want[i])
			}
			continue
		}
		if mean, ok := all.Subwords.MeanVector(w); !ok || !closeTo(mean, want[i]) {
			t.Errorf("%q: Subwords.MeanVector %v, fastText %v", w, mean, want[i])
		}
		if hasAllRows(used, w) {
			complete++
			if mean, ok := used.Subwords.MeanVector(w); !ok || !closeTo(mean, want[i]) {
				t.Errorf("%q: Subwords.MeanVector %v, fastText %v (rows the words use)", w, mean, want[i])
			}
		}
	}
	t.Logf("%d words, %d buckets: %d rows used by the words; checked %d known and %d unknown words (%d with every row)",
		len(all.Words), all.Args.Bucket, used.Subwords.Len(), len(in), len(out), complete)
}

func hasAllRows(m *Model, w string) bool {
	for _, b := range appendBuckets(nil, w, int(m.Args.MinN), int(m.Args.MaxN), uint32(m.Args.Bucket)) {
		if _, ok := slices.BinarySearch(m.Subwords.Hashes, b); !ok {
			return false
		}
	}
	return true
}

// TestFastTextLoadsExport: a model vecdb trains with subwords, written by
// Write, loads in fastText, whose print-word-vectors gives vecdb's vectors
// and whose nn gives vecdb's nearest neighbours.
func TestFastTextLoadsExport(t *testing.T) {
	bin := needFastText(t)
	dir := t.TempDir()
	_, toks := corpusSlice(t, dir, 200000)
	var sents [][]string
	for i := 0; i < len(toks); i += 1000 {
		sents = append(sents, toks[i:min(i+1000, len(toks))])
	}
	cfg := trainer.DefaultConfig()
	cfg.Dim, cfg.MinCount, cfg.Epochs = 10, 5, 1
	cfg.Subwords, cfg.Buckets, cfg.MinNgramWords = true, 20000, 2
	tm, err := trainer.Train(context.Background(), trainer.SliceSource(sents), cfg, trainer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "vecdb.bin")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	m := &Model{Args: Args{Dim: int32(tm.Dim), MinCount: 5, Epoch: 1}, Words: tm.Keys, Counts: tm.Counts, Vectors: tm.Vectors, Subwords: tm.Subwords}
	if err := Write(f, m); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	known := func(w string) bool { _, ok := tm.Index(w); return ok }
	var in []string
	for i := 0; i < len(tm.Keys); i += 10 {
		in = append(in, tm.Keys[i])
	}
	out := unknownWords(toks, known, 300)
	queries := append(slices.Clone(in), out...)
	words, want := parseVectors(t, runFastText(t, bin, strings.Join(queries, "\n")+"\n", "print-word-vectors", path))
	if !slices.Equal(words, queries) {
		t.Fatalf("fastText printed %d words for %d queries", len(words), len(queries))
	}
	exact, parallel := 0, 0
	for i, w := range words {
		mine, ok := tm.WordVector(w)
		if !ok {
			continue // no n-gram with a row: vecdb has no vector, fastText prints its zeros
		}
		switch {
		case known(w) || hasAllRowsSub(tm.Subwords, w):
			exact++
			if !closeTo(mine, want[i]) {
				t.Errorf("%q: vecdb %v, fastText %v", w, mine, want[i])
			}
		default:
			parallel++
			if c := cosine(mine, want[i]); c < 1-1e-4 {
				t.Errorf("%q: cosine %v between vecdb's vector and fastText's", w, c)
			}
		}
	}
	if parallel == 0 {
		t.Error("no unknown word with n-grams that have no row")
	}

	// Nearest neighbours: fastText's nn against cosine over vecdb's
	// vectors, for known and unknown words.
	nnQueries := []string{in[1], in[5], in[20], in[50], "unbelievably", "lobsterish", out[10]}
	got := parseNN(t, runFastText(t, bin, strings.Join(nnQueries, "\n")+"\n", "nn", path, "10"), len(nnQueries))
	for qi, q := range nnQueries {
		qv, ok := tm.WordVector(q)
		if !ok {
			t.Fatalf("%q has no vector", q)
		}
		type hit struct {
			word  string
			score float64
		}
		var best []hit
		score := map[string]float64{}
		for i, w := range tm.Keys {
			if w == q {
				continue
			}
			s := cosine(qv, tm.Vector(i))
			score[w] = s
			best = append(best, hit{w, s})
		}
		sort.Slice(best, func(i, j int) bool { return best[i].score > best[j].score })
		if len(got[qi]) != 10 {
			t.Fatalf("nn %q: %d answers", q, len(got[qi]))
		}
		for r, h := range got[qi] {
			// the same word at every rank, or one within fastText's
			// printing of the score (a tie)
			if math.Abs(score[h.word]-h.score) > 1e-4 || math.Abs(best[r].score-h.score) > 1e-4 {
				t.Errorf("nn %q rank %d: fastText %q %.5f, vecdb %q %.5f (vecdb scores fastText's word %.5f)", q, r+1, h.word, h.score, best[r].word, best[r].score, score[h.word])
			}
		}
	}
	t.Logf("%d words, %d n-gram rows of %d buckets; %d vectors equal fastText's, %d unknown words parallel to it; nn checked for %d queries",
		len(tm.Keys), tm.Subwords.Len(), tm.Subwords.Buckets, exact, parallel, len(nnQueries))
}

func hasAllRowsSub(s *trainer.Subwords, w string) bool {
	return len(s.Rows(w)) == len(trainer.Ngrams(w, s.MinN, s.MaxN))
}

type nnHit struct {
	word  string
	score float64
}

// parseNN parses the output of `fasttext nn`: for each query a prompt
// "Query word? " and then k lines "word score".
func parseNN(t *testing.T, out []byte, queries int) [][]nnHit {
	t.Helper()
	blocks := strings.Split(string(out), "Query word? ")
	var res [][]nnHit
	for _, b := range blocks[1:] {
		var hits []nnHit
		for _, line := range strings.Split(strings.TrimSpace(b), "\n") {
			f := strings.Fields(line)
			if len(f) != 2 {
				continue
			}
			s, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				t.Fatalf("nn line %q: %v", line, err)
			}
			hits = append(hits, nnHit{f[0], s})
		}
		if len(hits) > 0 {
			res = append(res, hits)
		}
	}
	if len(res) != queries {
		t.Fatalf("nn answered %d queries of %d:\n%s", len(res), queries, out)
	}
	return res
}
