package trainer

import (
	"math"
	"strings"
	"testing"
)

// memKV is a KeyedVectors over literal vectors.
type memKV struct {
	keys []string
	vecs [][]float32
}

func (m memKV) Len() int               { return len(m.keys) }
func (m memKV) Key(i int) string       { return m.keys[i] }
func (m memKV) Vector(i int) []float32 { return m.vecs[i] }
func (m memKV) Index(k string) (int, bool) {
	for i, x := range m.keys {
		if x == k {
			return i, true
		}
	}
	return 0, false
}

var _ KeyedVectors = (*Model)(nil)

func TestPearsonSpearman(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5}
	y := []float64{2, 1, 4, 3, 7}
	// Hand computed: mean x 3, mean y 3.4; sxy = 12, sxx = 10, syy = 21.2;
	// r = 12/sqrt(212) = 0.824163...
	if got, want := Pearson(x, y), 12/math.Sqrt(212); math.Abs(got-want) > 1e-12 {
		t.Errorf("Pearson = %v, want %v", got, want)
	}
	// Ranks of y: 2 1 4 3 5; d = -1 1 -1 1 0; rho = 1 - 6*4/(5*24) = 0.8.
	if got := Spearman(x, y); math.Abs(got-0.8) > 1e-12 {
		t.Errorf("Spearman = %v, want 0.8", got)
	}
	// Ties share their average rank: y ranks 1.5 1.5 3 4.5 4.5.
	yt := []float64{1, 1, 2, 3, 3}
	if got := ranks(yt); got[0] != 1.5 || got[1] != 1.5 || got[2] != 3 || got[3] != 4.5 || got[4] != 4.5 {
		t.Errorf("ranks(%v) = %v", yt, got)
	}
	// Pearson of 1..5 with 1.5 1.5 3 4.5 4.5: sxy = 9, syy = 9 → 9/sqrt(90).
	if got, want := Spearman(x, yt), 9/math.Sqrt(90); math.Abs(got-want) > 1e-12 {
		t.Errorf("Spearman with ties = %v, want %v", got, want)
	}
	if !math.IsNaN(Pearson([]float64{1}, []float64{2})) || !math.IsNaN(Pearson([]float64{1, 1}, []float64{1, 2})) {
		t.Error("Pearson of one value or a constant should be NaN")
	}
}

func TestEvaluatePairs(t *testing.T) {
	kv := memKV{
		keys: []string{"a", "b", "c", "d"},
		vecs: [][]float32{{1, 0}, {1, 1}, {0, 1}, {-1, 0}},
	}
	// cos(a,b)=0.7071, cos(a,c)=0, cos(a,d)=-1, cos(b,c)=0.7071.
	file := "# comment\nA\tb\t9\na\tc\t5\na\td\t1\nb\tzzz\t3\nmalformed line\nb\tc\tnot-a-number\n"
	res, err := EvaluatePairs(kv, strings.NewReader(file), 0, true)
	if err != nil {
		t.Fatal(err)
	}
	if res.Pairs != 3 || math.Abs(res.OOVRatio-25) > 1e-12 {
		t.Errorf("pairs %d, oov %v%%; want 3, 25%%", res.Pairs, res.OOVRatio)
	}
	if math.Abs(res.Spearman-1) > 1e-12 {
		t.Errorf("Spearman = %v, want 1", res.Spearman)
	}
	want := Pearson([]float64{9, 5, 1}, []float64{math.Sqrt2 / 2, 0, -1})
	if math.Abs(res.Pearson-want) > 1e-6 {
		t.Errorf("Pearson = %v, want %v", res.Pearson, want)
	}
}

func TestEvaluateAnalogies(t *testing.T) {
	// king - man + woman = queen in 2-d; "Queen" (a rarer duplicate
	// spelling) is folded onto "queen" case-insensitively.
	kv := memKV{
		keys: []string{"man", "woman", "king", "queen", "apple", "Queen", "rare"},
		vecs: [][]float32{{1, 0}, {0, 1}, {1, 0.2}, {0.2, 1}, {-1, -1}, {0.2, 1}, {1, -1}},
	}
	file := ": royal\nman king woman queen\nMAN KING WOMAN QUEEN\nwoman queen man apple\n" +
		"bad line\n: other\nman woman king rare\nman woman king queen\n"
	res, err := EvaluateAnalogies(kv, strings.NewReader(file), 6, true)
	if err != nil {
		t.Fatal(err)
	}
	want := []AnalogySection{{"royal", 2, 3}, {"other", 1, 1}, {"Total accuracy", 3, 4}}
	if len(res.Sections) != 3 || res.Sections[0] != want[0] || res.Sections[1] != want[1] || res.Sections[2] != want[2] {
		t.Errorf("sections %v, want %v", res.Sections, want)
	}
	if res.Questions != 5 || res.OOVRatio != 20 || res.Accuracy != 0.75 {
		t.Errorf("questions %d oov %v accuracy %v; want 5, 20, 0.75", res.Questions, res.OOVRatio, res.Accuracy)
	}
	// Case-sensitive: upper-case words are unknown.
	res, err = EvaluateAnalogies(kv, strings.NewReader(file), 0, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Sections[0] != (AnalogySection{"royal", 1, 2}) {
		t.Errorf("case-sensitive royal = %v", res.Sections[0])
	}
	if _, err := EvaluateAnalogies(kv, strings.NewReader("a b c d\n"), 0, true); err == nil || err.Error() != `analogies: line 1: question before any ": section" header` {
		t.Errorf("missing header: %v", err)
	}
}

// builtKV is memKV with vectors for a few words it does not store
// (WordVectors), as a subword model has.
type builtKV struct {
	memKV
	extra map[string][]float32
}

func (b builtKV) WordVector(w string) ([]float32, bool) {
	if i, ok := b.Index(w); ok {
		return b.vecs[i], true
	}
	v, ok := b.extra[w]
	return v, ok
}

// TestEvaluateWordVectors: words that are not keys get the vectors of
// WordVectors and are counted in Built; a key beyond restrict_vocab stays
// unknown; a word without a vector is still skipped.
func TestEvaluateWordVectors(t *testing.T) {
	kv := builtKV{
		memKV: memKV{keys: []string{"man", "woman", "king", "queen", "apple", "far"},
			vecs: [][]float32{{1, 0}, {0, 1}, {1, 0.2}, {0.2, 1}, {-1, -1}, {1, 1}}},
		extra: map[string][]float32{"kings": {1, 0.25}, "men": {1, 0.05}},
	}
	pairs := "kings\tking\t9\nmen\tqueen\t2\nman\twoman\t1\nfar\tman\t5\nzzz\tman\t3\n"
	res, err := EvaluatePairs(kv, strings.NewReader(pairs), 5, false)
	if err != nil {
		t.Fatal(err)
	}
	// "far" is a key outside restrict_vocab 5: unknown, not built.
	if res.Pairs != 3 || res.Built != 2 || math.Abs(res.OOVRatio-40) > 1e-9 || math.Abs(res.Spearman-1) > 1e-9 {
		t.Errorf("pairs %+v; want 3 scored, 2 built, 40%% oov, Spearman 1", res)
	}
	ana := ": s\nmen kings woman queen\nman king woman queen\nman king woman queens\n"
	ares, err := EvaluateAnalogies(kv, strings.NewReader(ana), 0, false)
	if err != nil {
		t.Fatal(err)
	}
	// The answer must be a key: "queens" has no row to be found.
	if ares.Built != 1 || ares.Sections[0] != (AnalogySection{"s", 2, 2}) || math.Abs(ares.OOVRatio-100.0/3) > 1e-9 {
		t.Errorf("analogies %+v; want 2 of 2 right, 1 built, a third skipped", ares)
	}
	// Without WordVectors the built words are unknown.
	res, _ = EvaluatePairs(kv.memKV, strings.NewReader(pairs), 5, false)
	if res.Pairs != 1 || res.Built != 0 {
		t.Errorf("without WordVectors: %+v", res)
	}
}

// TestEvaluateBuildsLowercase: a case-insensitive evaluation builds a
// word it does not store from its lowercase spelling (n-grams are
// case-sensitive and models are mostly trained lowercased); a
// case-sensitive one asks for the spelling of the file.
func TestEvaluateBuildsLowercase(t *testing.T) {
	kv := builtKV{
		memKV: memKV{keys: []string{"man", "woman", "king", "queen"},
			vecs: [][]float32{{1, 0}, {0, 1}, {1, 0.2}, {0.2, 1}}},
		extra: map[string][]float32{"kings": {1, 0.25}, "Queens": {-1, 0}},
	}
	pairs := "Kings\tking\t9\nqueens\tqueen\t2\nman\twoman\t1\n"
	res, err := EvaluatePairs(kv, strings.NewReader(pairs), 0, true)
	if err != nil {
		t.Fatal(err)
	}
	// "Kings" is built from "kings"; "queens" has no lowercase vector.
	if res.Pairs != 2 || res.Built != 1 {
		t.Errorf("case-insensitive: %+v; want 2 scored, 1 built", res)
	}
	res, err = EvaluatePairs(kv, strings.NewReader(pairs), 0, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Pairs != 1 || res.Built != 0 {
		t.Errorf("case-sensitive: %+v; want only man/woman", res)
	}
	ana := ": s\nMan Kings woman queen\n"
	ares, err := EvaluateAnalogies(kv, strings.NewReader(ana), 0, true)
	if err != nil {
		t.Fatal(err)
	}
	if ares.Built != 1 || ares.Sections[0].Total != 1 {
		t.Errorf("analogies: %+v; want the question scored with Kings built from kings", ares)
	}
}
