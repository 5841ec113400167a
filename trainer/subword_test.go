package trainer

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/fnv"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
)

func TestNgrams(t *testing.T) {
	cases := []struct {
		word       string
		minn, maxn int
		want       []string
	}{
		// fastText's paper: "where" with n = 3 gives <wh, whe, her, ere, re>.
		{"where", 3, 3, []string{"<wh", "whe", "her", "ere", "re>"}},
		{"where", 3, 6, []string{"<wh", "<whe", "<wher", "<where", "whe", "wher", "where", "where>", "her", "here", "here>", "ere", "ere>", "re>"}},
		// A short word: the whole "<go>" is an n-gram too.
		{"go", 3, 6, []string{"<go", "<go>", "go>"}},
		// By rune, not by byte: é is two bytes, 日 and 本 three.
		{"été", 3, 4, []string{"<ét", "<été", "été", "été>", "té>"}},
		{"日本", 2, 3, []string{"<日", "<日本", "日本", "日本>", "本>"}},
		{"naïve", 5, 5, []string{"<naïv", "naïve", "aïve>"}},
		// minn 1: single runes, but never a lone "<" or ">".
		{"ab", 1, 2, []string{"<a", "a", "ab", "b", "b>"}},
		// Longer than "<word>": nothing beyond the whole.
		{"a", 4, 6, nil},
		{"a", 3, 6, []string{"<a>"}},
		// An invalid byte counts as one rune.
		{"a\xffb", 3, 3, []string{"<a\xff", "a\xffb", "\xffb>"}},
	}
	for _, c := range cases {
		if got := Ngrams(c.word, c.minn, c.maxn); !slices.Equal(got, c.want) {
			t.Errorf("Ngrams(%q, %d, %d) = %q, want %q", c.word, c.minn, c.maxn, got, c.want)
		}
	}
}

func TestNgramHash(t *testing.T) {
	// ASCII: plain FNV-1a 32.
	for _, s := range []string{"", "<wh", "where>", "<go>"} {
		h := fnv.New32a()
		h.Write([]byte(s))
		if got, want := ngramHash(s), h.Sum32(); got != want {
			t.Errorf("ngramHash(%q) = %d, want FNV-1a %d", s, got, want)
		}
	}
	// Bytes >= 0x80 are sign-extended first, as fastText does; the values
	// are fixed, so buckets stay stable across versions (checked against
	// an independent implementation).
	for _, c := range []struct {
		s      string
		h, bkt uint32
	}{{"<wh", 1048167652, 167652}, {"été", 200187927, 187927}, {"日本>", 778196157, 196157}} {
		if got := ngramHash(c.s); got != c.h || bucketOf(c.s, DefaultBuckets) != c.bkt {
			t.Errorf("ngramHash(%q) = %d (bucket %d), want %d (bucket %d)", c.s, got, bucketOf(c.s, DefaultBuckets), c.h, c.bkt)
		}
	}
}

func subwordConfig() Config {
	cfg := smallConfig()
	cfg.Subwords = true
	return cfg
}

// nearestTo returns the k keys nearest to v by cosine.
func nearestTo(m *Model, v []float32, k int) []string {
	type kc struct {
		s string
		c float64
	}
	all := make([]kc, len(m.Keys))
	for j, key := range m.Keys {
		all[j] = kc{key, cosine(v, m.Vector(j))}
	}
	sort.SliceStable(all, func(a, b int) bool { return all[a].c > all[b].c })
	var out []string
	for _, x := range all[:min(k, len(all))] {
		out = append(out, x.s)
	}
	return out
}

func TestSubwordsSkipGram(t *testing.T) {
	m := trainFactbook(t, subwordConfig())
	if m.Config.Alpha != DefaultAlphaSubwordsSG || DefaultAlphaSubwordsSG == DefaultAlphaSG {
		t.Errorf("skip-gram with subwords: alpha = %g, want its own default %g", m.Config.Alpha, DefaultAlphaSubwordsSG)
	}
	s := m.Subwords
	if s == nil || s.MinN != 3 || s.MaxN != 6 || s.Buckets != DefaultBuckets || s.Dim != 50 {
		t.Fatalf("Subwords = %+v, want minn 3, maxn 6, %d buckets, dim 50", s, DefaultBuckets)
	}
	// 2975 keys have about 28,000 distinct n-gram buckets: the table is
	// sized by the vocabulary, not by Buckets.
	if s.Len() < 10000 || s.Len() > 50000 || len(s.Vectors) != s.Len()*50 || !slices.IsSorted(s.Hashes) {
		t.Errorf("%d n-gram rows, %d values", s.Len(), len(s.Vectors))
	}
	if len(m.Vectors) != len(m.Keys)*m.Dim || cap(m.Vectors) != len(m.Vectors) {
		t.Errorf("Vectors len %d cap %d, want %d", len(m.Vectors), cap(m.Vectors), len(m.Keys)*m.Dim)
	}
	checkNeighbours(t, m)
}

// TestSubwordsCBOW checks neighbours of the CBOW model with subwords. Its
// neighbours lean towards shared spelling more than skip-gram's do (for
// "france": "francs", "fraud"), as fastText's CBOW does, so the countries
// of checkNeighbours are not asked for.
func TestSubwordsCBOW(t *testing.T) {
	cfg := subwordConfig()
	cfg.CBOW = true
	m := trainFactbook(t, cfg)
	if m.Config.Alpha != DefaultAlphaCBOW {
		t.Errorf("CBOW with subwords: alpha = %g, want CBOW's %g", m.Config.Alpha, DefaultAlphaCBOW)
	}
	for _, c := range []struct {
		key  string
		want []string
		min  int
	}{
		{"january", months, 7},
		{"christian", []string{"muslim", "catholic", "protestant", "hindu", "jewish", "buddhist", "orthodox", "evangelical", "animist", "roman", "anglican", "shia", "sunni", "baha", "christians", "muslims", "islam", "religion", "religions", "religious"}, 5},
		{"km", []string{"sq"}, 1},
	} {
		if got := nearest(m, c.key, 10); overlap(got, c.want) < c.min {
			t.Errorf("top 10 of %q = %v, want at least %d of %v", c.key, got, c.min, c.want)
		}
	}
	v, ok := m.WordVector("constitutions")
	if nb := nearestTo(m, v, 5); !ok || !slices.Contains(nb, "constitution") {
		t.Errorf("CBOW: top 5 of unseen \"constitutions\" = %v, want \"constitution\" among them", nb)
	}
}

// TestSubwordsAccuracy compares the capitals analogies (semantic, where
// subwords are not expected to help) with and without subwords: with seeds
// 1-4, words alone scored 8, 9, 12, 12 of 380 and subwords 12, 9, 10, 6.
func TestSubwordsAccuracy(t *testing.T) {
	score := func(m *Model) int {
		f, err := os.Open("testdata/capitals.txt")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		res, err := EvaluateAnalogies(m, f, 0, true)
		if err != nil {
			t.Fatal(err)
		}
		return res.Sections[len(res.Sections)-1].Correct
	}
	words, sub := score(trainFactbook(t, smallConfig())), score(trainFactbook(t, subwordConfig()))
	if sub < 5 || sub < words-6 {
		t.Errorf("capitals: %d of 380 with subwords, %d without; want at least 5 and at least %d", sub, words, words-6)
	}
}

// TestSubwordsMorphology counts the keys whose plural (key + "s", also a
// key; 213 pairs) is among their 10 nearest neighbours. With seeds 1-4,
// skip-gram found 51-53 without subwords and 196-198 with them, CBOW 42-45
// and 180-184.
func TestSubwordsMorphology(t *testing.T) {
	for _, cbow := range []bool{false, true} {
		w, s := smallConfig(), subwordConfig()
		w.CBOW, s.CBOW = cbow, cbow
		mw, ms := trainFactbook(t, w), trainFactbook(t, s)
		var pairs, hw, hs int
		for _, k := range mw.Keys {
			if _, ok := mw.Index(k + "s"); !ok || len(k) < 3 {
				continue
			}
			pairs++
			if slices.Contains(nearest(mw, k, 10), k+"s") {
				hw++
			}
			if slices.Contains(nearest(ms, k, 10), k+"s") {
				hs++
			}
		}
		if pairs != 213 || hs < 150 || hs < 2*hw {
			t.Errorf("CBOW %v: plural in the top 10 for %d of %d keys with subwords, %d without; want at least 150 and twice as many", cbow, hs, pairs, hw)
		}
	}
}

// TestCBOWCacheClose trains CBOW with subwords twice, with the cached
// sums (the default) and with the rows updated at every step: the same
// random draws, so the key vectors differ only where keys within a window
// share rows; they stay nearly parallel.
func TestCBOWCacheClose(t *testing.T) {
	seqs := sliceOfFactbook(t, 30000)
	cfg := subwordConfig()
	cfg.CBOW, cfg.MinCount, cfg.Epochs = true, 3, 2
	train := func(exact bool) *Model {
		exactCBOW = exact
		defer func() { exactCBOW = false }()
		m, err := Train(context.Background(), SliceSource(seqs), cfg, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	cached, exact := train(false), train(true)
	if slices.Equal(cached.Vectors, exact.Vectors) {
		t.Fatal("the exact path was not taken")
	}
	var sum, worst float64 = 0, 1
	for i := range cached.Keys {
		c := cosine(cached.Vector(i), exact.Vector(i))
		sum += c
		worst = min(worst, c)
	}
	if mean := sum / float64(len(cached.Keys)); mean < 0.999 || worst < 0.99 {
		t.Errorf("cosine of cached and exact vectors: mean %.4f, worst %.4f; want at least 0.999 and 0.99", mean, worst)
	} else {
		t.Logf("cosine of cached and exact vectors: mean %.4f, worst %.4f over %d keys", mean, worst, len(cached.Keys))
	}
}

// TestSubwordsWholeWindow trains both modes with a window spanning every
// sequence (the CBOW path that updates at every step) and shuffling.
func TestSubwordsWholeWindow(t *testing.T) {
	seqs := sliceOfFactbook(t, 20000)
	for i := range seqs {
		seqs[i] = seqs[i][:min(len(seqs[i]), 12)]
	}
	for _, cbow := range []bool{false, true} {
		cfg := subwordConfig()
		cfg.CBOW, cfg.MinCount, cfg.Epochs = cbow, 2, 1
		cfg.WholeSequenceWindow, cfg.ShuffleSequences = true, true
		m, err := Train(context.Background(), SliceSource(seqs), cfg, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range m.Vectors {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				t.Fatalf("CBOW %v: non-finite vector value", cbow)
			}
		}
		if _, ok := m.WordVector("countries"); !ok {
			t.Errorf("CBOW %v: no vector for an unseen word", cbow)
		}
	}
}

// TestWordVectorOOV builds vectors for unseen inflections and misspellings
// of trained keys and finds the key among their nearest neighbours.
func TestWordVectorOOV(t *testing.T) {
	m := trainFactbook(t, subwordConfig())
	cases := [][2]string{
		{"constitutions", "constitution"}, {"infants", "infant"}, {"origins", "origin"},
		{"percents", "percent"}, {"inhabitant", "inhabitants"}, {"maried", "married"},
		{"sevices", "services"}, {"maritim", "maritime"}, {"dioxid", "dioxide"},
		{"percentages", "percentage"}, {"oficial", "official"}, {"enrgy", "energy"},
	}
	hits := 0
	for _, c := range cases {
		if _, ok := m.Index(c[0]); ok {
			t.Fatalf("%q is a key; the test needs unseen words", c[0])
		}
		v, ok := m.WordVector(c[0])
		if !ok {
			t.Errorf("WordVector(%q): no vector", c[0])
			continue
		}
		if nb := nearestTo(m, v, 5); slices.Contains(nb, c[1]) {
			hits++
		} else {
			t.Logf("%s: top 5 %v lacks %s", c[0], nb, c[1])
		}
	}
	if hits < len(cases)-2 {
		t.Errorf("%d of %d unseen words have their stem in their top 5, want at least %d", hits, len(cases), len(cases)-2)
	}
	// Without subwords, unknown words have no vector.
	if _, ok := trainFactbook(t, smallConfig()).WordVector("constitutions"); ok {
		t.Error("a word-level model gave a vector for an unknown word")
	}
	// No n-gram in the table: no vector.
	if v, ok := m.WordVector("ʘʘʘʘ"); ok || v != nil {
		t.Errorf("WordVector of a word with no known n-gram = %v, %v", v, ok)
	}
}

// TestWordVectorIsMean recomputes WordVector by hand: the mean of the
// stored rows of the word's n-grams, found by hashing each n-gram; and a
// key's own vector for a key.
func TestWordVectorIsMean(t *testing.T) {
	m := trainFactbook(t, subwordConfig())
	s := m.Subwords
	for _, w := range []string{"constitutions", "maried", "zzyzxq", "été"} {
		want := make([]float64, m.Dim)
		n := 0
		for _, g := range Ngrams(w, s.MinN, s.MaxN) {
			b := ngramHash(g) % uint32(s.Buckets)
			i, found := slices.BinarySearch(s.Hashes, b)
			if !found {
				continue
			}
			n++
			for d, x := range s.Vectors[i*m.Dim : (i+1)*m.Dim] {
				want[d] += float64(x)
			}
		}
		got, ok := m.WordVector(w)
		if ok != (n > 0) {
			t.Fatalf("WordVector(%q): ok = %v with %d known n-grams", w, ok, n)
		}
		for d := range got {
			if diff := math.Abs(float64(got[d]) - want[d]/float64(n)); diff > 1e-5 {
				t.Fatalf("WordVector(%q)[%d] = %g, want mean %g", w, d, got[d], want[d]/float64(n))
			}
		}
	}
	i, _ := m.Index("january")
	got, ok := m.WordVector("january")
	if !ok || !slices.Equal(got, m.Vector(i)) {
		t.Error("WordVector of a key is not its vector")
	}
	got[0]++ // a copy
	if got[0] == m.Vector(i)[0] {
		t.Error("WordVector aliases the model")
	}
}

func TestSubwordsDeterministic(t *testing.T) {
	seqs := sliceOfFactbook(t, 30000)
	cfg := subwordConfig()
	cfg.MinCount, cfg.Epochs = 3, 1
	var ms [2]*Model
	for i := range ms {
		m, err := Train(context.Background(), SliceSource(seqs), cfg, Options{Watch: [][2]string{{"january", "february"}}})
		if err != nil {
			t.Fatal(err)
		}
		ms[i] = m
	}
	if !slices.Equal(ms[0].Vectors, ms[1].Vectors) || !slices.Equal(ms[0].Subwords.Vectors, ms[1].Subwords.Vectors) {
		t.Fatal("two runs with Threads=1 and the same seed differ")
	}
	if w := ms[0].History[0].Watch[0]; !w.Known || w.Cosine <= 0 {
		t.Errorf("watch = %+v", w)
	}
}

// TestSubwordsOffUnchanged checks that the subword fields do nothing
// while Subwords is false: the same vectors, bit for bit, and no table.
func TestSubwordsOffUnchanged(t *testing.T) {
	seqs := sliceOfFactbook(t, 30000)
	cfg := smallConfig()
	cfg.MinCount, cfg.Epochs = 3, 1
	a, err := Train(context.Background(), SliceSource(seqs), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.MinN, cfg.MaxN, cfg.Buckets, cfg.MinNgramWords = 0, 0, 0, 0 // out of range, but unused
	b, err := Train(context.Background(), SliceSource(seqs), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Vectors, b.Vectors) || a.Subwords != nil || b.Subwords != nil {
		t.Fatal("subword options changed a word-level model")
	}
}

func TestMinNgramWords(t *testing.T) {
	seqs := sliceOfFactbook(t, 30000)
	cfg := subwordConfig()
	cfg.MinCount, cfg.Epochs = 3, 1
	var rows []int
	for _, n := range []int{1, 2, 3} {
		cfg.MinNgramWords = n
		m, err := Train(context.Background(), SliceSource(seqs), cfg, Options{})
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, m.Subwords.Len())
	}
	if !(rows[0] > rows[1] && rows[1] > rows[2] && rows[2] > 0) {
		t.Errorf("n-gram rows for min_ngram_words 1, 2, 3 = %v, want strictly fewer each time", rows)
	}
}

func TestSubwordsErrors(t *testing.T) {
	for _, c := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.MinN = 0 }, "minn and maxn"},
		{func(c *Config) { c.MaxN = 2 }, "minn and maxn"},
		{func(c *Config) { c.MaxN = 33 }, "minn and maxn"},
		{func(c *Config) { c.Buckets = 0 }, "buckets"},
		{func(c *Config) { c.MinNgramWords = 0 }, "min_ngram_words"},
	} {
		cfg := subwordConfig()
		c.edit(&cfg)
		err := cfg.Validate()
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate() = %v, want ErrConfig naming %q", err, c.want)
		}
	}
	old := trainFactbook(t, smallConfig())
	_, err := Train(context.Background(), SliceSource(sliceOfFactbook(t, 1000)), subwordConfig(), Options{Continue: old})
	if !errors.Is(err, ErrConfig) {
		t.Errorf("continue with subwords: %v, want ErrConfig", err)
	}
	sub := trainFactbook(t, subwordConfig())
	_, err = Train(context.Background(), SliceSource(sliceOfFactbook(t, 1000)), smallConfig(), Options{Continue: sub})
	if !errors.Is(err, ErrConfig) {
		t.Errorf("continue a subword model without subwords: %v, want ErrConfig", err)
	}
	var asked int
	_, err = Train(context.Background(), SliceSource(sliceOfFactbook(t, 1000)), subwordConfig(), Options{CheckSize: func(keys, dim int) error {
		asked = keys
		return errors.New("too big")
	}})
	if err == nil || asked == 0 {
		t.Errorf("CheckSize: %v after %d keys", err, asked)
	}
}

func TestSubwordsMarshal(t *testing.T) {
	m := trainFactbook(t, subwordConfig())
	b, err := m.Subwords.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if want := 4 + 24 + 4*m.Subwords.Len()*(1+m.Dim) + 4; len(b) != want {
		t.Errorf("%d bytes, want %d", len(b), want)
	}
	var s Subwords
	if err := s.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if s.MinN != 3 || s.MaxN != 6 || s.Buckets != DefaultBuckets || s.Dim != m.Dim ||
		!slices.Equal(s.Hashes, m.Subwords.Hashes) || !slices.Equal(s.Vectors, m.Subwords.Vectors) {
		t.Fatal("round trip changed the table")
	}
	// A reloaded table gives the same vectors for unknown words.
	re := &Model{Keys: m.Keys, Dim: m.Dim, Vectors: m.Vectors, Subwords: &s}
	v1, _ := m.WordVector("constitutions")
	v2, ok := re.WordVector("constitutions")
	if !ok || !slices.Equal(v1, v2) {
		t.Error("reloaded table gives another vector")
	}
	// Every truncation and every flipped byte is refused, without panics.
	for _, n := range []int{0, 3, 4, 27, 28, 31, len(b) - 1} {
		if err := s.UnmarshalBinary(b[:n]); !errors.Is(err, ErrSubwordData) {
			t.Errorf("%d of %d bytes: %v, want ErrSubwordData", n, len(b), err)
		}
	}
	for _, i := range []int{0, 5, 9, 21, 33, len(b) / 2, len(b) - 1} {
		c := slices.Clone(b)
		c[i] ^= 0x40
		if err := s.UnmarshalBinary(c); !errors.Is(err, ErrSubwordData) {
			t.Errorf("byte %d flipped: %v, want ErrSubwordData", i, err)
		}
	}
	if err := s.UnmarshalBinary(append(slices.Clone(b), 0)); !errors.Is(err, ErrSubwordData) {
		t.Errorf("a trailing byte: %v, want ErrSubwordData", err)
	}
	bad := Subwords{MinN: 3, MaxN: 6, Buckets: 10, Dim: 2, Hashes: []uint32{1}, Vectors: []float32{1}}
	if _, err := bad.MarshalBinary(); !errors.Is(err, ErrSubwordData) {
		t.Errorf("inconsistent table: %v", err)
	}
}

// TestSubwordsStream writes two tables (one empty) and a trailer to one
// stream with WriteTo and reads them back with ReadSubwords, which stops
// exactly at the end of each.
func TestSubwordsStream(t *testing.T) {
	m := trainFactbook(t, subwordConfig())
	empty := &Subwords{MinN: 2, MaxN: 4, Buckets: 7, Dim: 3}
	var buf bytes.Buffer
	n1, err := m.Subwords.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	n2, err := empty.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	buf.WriteString("tail")
	if want := int64(4 + 24 + 4*m.Subwords.Len()*(1+m.Dim) + 4); n1 != want || n2 != 32 || int64(buf.Len()) != n1+n2+4 {
		t.Errorf("WriteTo wrote %d and %d bytes (buffer %d), want %d and 32", n1, n2, buf.Len(), want)
	}
	a, err := ReadSubwords(&buf)
	if err != nil {
		t.Fatal(err)
	}
	e, err := ReadSubwords(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Hashes, m.Subwords.Hashes) || !slices.Equal(a.Vectors, m.Subwords.Vectors) ||
		e.MinN != 2 || e.MaxN != 4 || e.Buckets != 7 || e.Dim != 3 || e.Len() != 0 || buf.String() != "tail" {
		t.Errorf("read back %d rows, then %+v, then %q", a.Len(), e, buf.String())
	}
	// A header that claims more rows than follow: an error, no huge allocation.
	var h bytes.Buffer
	h.WriteString("VSUB")
	for _, v := range []uint32{1, 3, 6, 2000000, 10000, 2000000} {
		h.Write(binary.LittleEndian.AppendUint32(nil, v))
	}
	if _, err := ReadSubwords(&h); !errors.Is(err, ErrSubwordData) {
		t.Errorf("a header without rows: %v, want ErrSubwordData", err)
	}
}

func FuzzSubwordsUnmarshal(f *testing.F) {
	s := Subwords{MinN: 3, MaxN: 6, Buckets: 100, Dim: 2, Hashes: []uint32{4, 9}, Vectors: []float32{1, 2, 3, 4}}
	b, _ := s.MarshalBinary()
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Subwords
		if s.UnmarshalBinary(b) == nil {
			s.MeanVector("abcdef")
		}
	})
}
