package trainer

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/vecdb/vecdb/internal/textline"
	"github.com/vecdb/vecdb/internal/vec"
)

// KeyedVectors is the read-only view of a set of vectors that the
// evaluations need; keys are in frequency order. *Model implements it, and
// so can a database collection.
type KeyedVectors interface {
	Len() int
	Key(i int) string
	Index(key string) (int, bool)
	Vector(i int) []float32 // raw, not normalised
}

// WordVectors is implemented by KeyedVectors that can give a vector to a
// word they do not store (fastText's subword vectors: Model.WordVector).
// The evaluations use it for words that are not keys at all (a key beyond
// restrict_vocab stays unknown); ok is false when the word has no vector.
type WordVectors interface {
	WordVector(word string) (v []float32, ok bool)
}

// isKey reports whether word is a key of kv (perhaps beyond the keys an
// evaluation looks up): WordVectors is asked only for other words, so a
// key outside restrict_vocab stays unknown.
func isKey(kv KeyedVectors, word string) bool {
	_, ok := kv.Index(word)
	return ok
}

// buildWord asks wv for a vector of word, which the evaluation did not
// find among kv's keys. A case-insensitive evaluation (gensim's default)
// builds it from the lowercase spelling: evaluation files capitalise names
// ("Athens", "Jerusalem") that models are mostly trained lowercased, and
// n-grams are case-sensitive.
func buildWord(kv KeyedVectors, wv WordVectors, word string, caseInsensitive bool) ([]float32, bool) {
	if wv == nil {
		return nil, false
	}
	if caseInsensitive {
		word = strings.ToLower(word)
	}
	if isKey(kv, word) {
		return nil, false
	}
	return wv.WordVector(word)
}

// DefaultRestrictVocab is gensim's default restrict_vocab for evaluations.
const DefaultRestrictVocab = 300000

// AnalogySection is the score of one ": name" section of an analogy file,
// or of all of them ("Total accuracy").
type AnalogySection struct {
	Name           string
	Correct, Total int // Total counts the questions scored (all words known)
}

// Accuracy returns Correct/Total, or 0 when nothing was scored.
func (s AnalogySection) Accuracy() float64 {
	if s.Total == 0 {
		return 0
	}
	return float64(s.Correct) / float64(s.Total)
}

// AnalogyResult is the outcome of EvaluateAnalogies. Sections ends with the
// "Total accuracy" section, as gensim's does.
type AnalogyResult struct {
	Sections  []AnalogySection
	Accuracy  float64 // Correct/Total over all sections
	Questions int     // well-formed question lines read
	OOVRatio  float64 // percent of questions skipped for unknown words
	// Built counts the questions scored with a vector built for one of
	// their first three words (kv implements WordVectors); the answer is
	// always searched among the keys.
	Built int
}

// EvaluateAnalogies scores an analogy file (questions-words.txt format) as
// gensim's evaluate_word_analogies does: ": name" lines start sections;
// a question "a b c d" is scored only when all four words are among the
// first restrictVocab keys (<= 0 means DefaultRestrictVocab); the answer
// is the key nearest by cosine to b - a + c (unit vectors), searched among
// those keys, excluding a, b and c; with caseInsensitive, words and keys
// are compared upper-cased and the first (most frequent) key of each
// upper-cased spelling is used. Lines that do not hold four words are
// skipped. A question before any section header is an error.
func EvaluateAnalogies(kv KeyedVectors, r io.Reader, restrictVocab int, caseInsensitive bool) (AnalogyResult, error) {
	if restrictVocab <= 0 {
		restrictVocab = DefaultRestrictVocab
	}
	n := min(restrictVocab, kv.Len())
	norm := func(s string) string {
		if caseInsensitive {
			return strings.ToUpper(s)
		}
		return s
	}
	okVocab := make(map[string]int, n)
	for i := n - 1; i >= 0; i-- { // earlier keys win
		okVocab[norm(kv.Key(i))] = i
	}
	unit := unitRows(kv, n)
	dim := 0
	if n > 0 {
		dim = len(kv.Vector(0))
	}

	type question struct {
		section       int
		a, b, c, want int
		built         [3][]float32 // unit vectors of words built by WordVectors (id -1)
		words         [3]string
	}
	wv, _ := kv.(WordVectors)
	var res AnalogyResult
	var qs []question
	oov := 0
	sc := textline.NewScanner(r)
	for sc.Scan() {
		line, text := sc.Line(), sc.Text()
		if strings.HasPrefix(text, ": ") {
			res.Sections = append(res.Sections, AnalogySection{Name: strings.TrimSpace(strings.TrimLeft(text, ": "))})
			continue
		}
		if len(res.Sections) == 0 {
			return AnalogyResult{}, fmt.Errorf("analogies: line %d: question before any \": section\" header", line)
		}
		f := strings.Fields(text)
		if len(f) != 4 {
			continue
		}
		res.Questions++
		var ids [4]int
		var built [3][]float32
		known, nbuilt := true, 0
		for k, w := range f {
			id, ok := okVocab[norm(w)]
			if !ok && k < 3 {
				if v, vok := buildWord(kv, wv, w, caseInsensitive); vok && len(v) == dim {
					u := append([]float32(nil), v...)
					if vec.Normalize(u) > 0 {
						built[k], id, ok = u, -1, true
						nbuilt++
					}
				}
			}
			ids[k] = id
			known = known && ok
		}
		if !known {
			oov++
			continue
		}
		if nbuilt > 0 {
			res.Built++
		}
		qs = append(qs, question{len(res.Sections) - 1, ids[0], ids[1], ids[2], ids[3], built, [3]string{f[0], f[1], f[2]}})
	}
	if err := sc.Err(); err != nil {
		return AnalogyResult{}, fmt.Errorf("analogies: %w", err)
	}

	correct := make([]bool, len(qs))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			target := make([]float32, dim)
			for qi := w; qi < len(qs); qi += workers {
				q := qs[qi]
				row := func(k, id int) []float32 {
					if id < 0 {
						return q.built[k]
					}
					return unit[id*dim : (id+1)*dim]
				}
				clear(target)
				vec.Axpy(1, row(1, q.b), target)
				vec.Axpy(1, row(2, q.c), target)
				vec.Axpy(-1, row(0, q.a), target)
				// Top 5 by cosine excluding the inputs (gensim's
				// most_similar(topn=5)), then the first whose spelling is
				// not one of the inputs'.
				top := topK(unit, target, dim, n, 5, q.a, q.b, q.c)
				var ignore [3]string
				for k, id := range [3]int{q.a, q.b, q.c} {
					if id < 0 {
						ignore[k] = norm(q.words[k])
					} else {
						ignore[k] = norm(kv.Key(id))
					}
				}
				predicted := -1
				for _, id := range top {
					s := norm(kv.Key(id))
					predicted = okVocab[s]
					if s != ignore[0] && s != ignore[1] && s != ignore[2] {
						break
					}
				}
				correct[qi] = predicted >= 0 && norm(kv.Key(predicted)) == norm(kv.Key(q.want))
			}
		}()
	}
	wg.Wait()

	total := AnalogySection{Name: "Total accuracy"}
	for i, q := range qs {
		s := &res.Sections[q.section]
		s.Total++
		total.Total++
		if correct[i] {
			s.Correct++
			total.Correct++
		}
	}
	res.Sections = append(res.Sections, total)
	res.Accuracy = total.Accuracy()
	if res.Questions > 0 {
		res.OOVRatio = 100 * float64(oov) / float64(res.Questions)
	}
	return res, nil
}

// unitRows copies the first n vectors of kv, scaled to unit length.
func unitRows(kv KeyedVectors, n int) []float32 {
	if n == 0 {
		return nil
	}
	dim := len(kv.Vector(0))
	out := make([]float32, n*dim)
	for i := range n {
		row := out[i*dim : (i+1)*dim]
		copy(row, kv.Vector(i))
		vec.Normalize(row)
	}
	return out
}

// topK returns the ids of the k rows of unit most similar to q (by dot
// product), best first, skipping the excluded ids.
func topK(unit, q []float32, dim, n, k int, exclude ...int) []int {
	type hit struct {
		id  int
		sim float32
	}
	best := make([]hit, 0, k+1)
next:
	for i := range n {
		for _, e := range exclude {
			if i == e {
				continue next
			}
		}
		s := vec.Dot(q, unit[i*dim:(i+1)*dim])
		if len(best) == k && s <= best[k-1].sim {
			continue
		}
		j := len(best)
		if j < k {
			best = append(best, hit{})
		} else {
			j = k - 1
		}
		for j > 0 && best[j-1].sim < s {
			best[j] = best[j-1]
			j--
		}
		best[j] = hit{i, s}
	}
	ids := make([]int, len(best))
	for i, h := range best {
		ids[i] = h.id
	}
	return ids
}

// PairsResult is the outcome of EvaluatePairs.
type PairsResult struct {
	Pearson, Spearman float64 // NaN when fewer than two pairs were scored
	OOVRatio          float64 // percent of pairs skipped for unknown words
	Pairs             int     // pairs scored
	// Built counts the pairs scored with a vector built for one of their
	// words (kv implements WordVectors).
	Built int
}

// EvaluatePairs scores a word-similarity file (WordSim-353, SimLex-999:
// "word1<TAB>word2<TAB>score", '#' comment lines) as gensim's
// evaluate_word_pairs does: words are looked up among the first
// restrictVocab keys (<= 0 means DefaultRestrictVocab), case-insensitively
// when caseInsensitive is set (gensim's default), pairs with an unknown
// word are skipped and counted in OOVRatio, malformed lines are skipped,
// and the cosine similarities are correlated with the human scores
// (Pearson, and Spearman with average ranks for ties).
func EvaluatePairs(kv KeyedVectors, r io.Reader, restrictVocab int, caseInsensitive bool) (PairsResult, error) {
	if restrictVocab <= 0 {
		restrictVocab = DefaultRestrictVocab
	}
	fold := func(s string) string {
		if caseInsensitive {
			return strings.ToUpper(s)
		}
		return s
	}
	n := min(restrictVocab, kv.Len())
	okVocab := make(map[string]int, n)
	for i := n - 1; i >= 0; i-- {
		okVocab[fold(kv.Key(i))] = i
	}
	wv, _ := kv.(WordVectors)
	vector := func(word string, id int, ok bool) ([]float32, bool, bool) {
		if ok {
			return kv.Vector(id), true, false
		}
		v, ok := buildWord(kv, wv, word, caseInsensitive)
		return v, ok, ok
	}
	var gold, model []float64
	oov, built := 0, 0
	sc := textline.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			continue
		}
		score, err := strconv.ParseFloat(strings.TrimSpace(f[2]), 64)
		if err != nil {
			continue
		}
		a, okA := okVocab[fold(f[0])]
		b, okB := okVocab[fold(f[1])]
		va, okA, builtA := vector(f[0], a, okA)
		vb, okB, builtB := vector(f[1], b, okB)
		if !okA || !okB || len(va) != len(vb) {
			oov++
			continue
		}
		if builtA || builtB {
			built++
		}
		gold = append(gold, score)
		model = append(model, cosine(va, vb))
	}
	if err := sc.Err(); err != nil {
		return PairsResult{}, fmt.Errorf("pairs: %w", err)
	}
	res := PairsResult{Pairs: len(gold), Pearson: Pearson(gold, model), Spearman: Spearman(gold, model), Built: built}
	if len(gold)+oov > 0 {
		res.OOVRatio = 100 * float64(oov) / float64(len(gold)+oov)
	}
	return res, nil
}

// Pearson returns the Pearson correlation of x and y (equal lengths), or
// NaN when there are fewer than two values or either is constant.
func Pearson(x, y []float64) float64 {
	n := len(x)
	if n < 2 || len(y) != n {
		return math.NaN()
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(n)
	my /= float64(n)
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

// Spearman returns the Spearman rank correlation of x and y: the Pearson
// correlation of their ranks, tied values sharing their average rank.
func Spearman(x, y []float64) float64 {
	return Pearson(ranks(x), ranks(y))
}

// ranks returns 1-based ranks with ties averaged.
func ranks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	r := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && x[idx[j+1]] == x[idx[i]] {
			j++
		}
		avg := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[idx[k]] = avg
		}
		i = j + 1
	}
	return r
}
