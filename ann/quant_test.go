package ann

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"math/rand"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vecdb/vecdb/internal/vec"
)

// int8Pair builds the same graph twice over data (one thread, same seed):
// once float32 only, once with int8 codes.
func int8Pair(t testing.TB, data [][]float32, metric vec.Metric) (f, q *Index) {
	t.Helper()
	cfg := Config{M: 12, EfConstruction: 80, Seed: 7, Metric: metric}
	f = New(len(data[0]), cfg)
	cfg.Int8 = true
	q = New(len(data[0]), cfg)
	for _, x := range []*Index{f, q} {
		if err := x.Build(context.Background(), seqIDs(len(data)), data, 1, nil); err != nil {
			t.Fatal(err)
		}
	}
	return f, q
}

// TestInt8Recall: at equal ef the int8 walk with rescoring finds the true
// neighbours at most 0.005 less often than the float32 walk, for every
// metric, and the distances it returns are the exact float32 ones.
func TestInt8Recall(t *testing.T) {
	rng := rand.New(rand.NewSource(15))
	const n, dim = 3000, 32
	data := clustered(rng, n+100, dim, 20, 0.7)
	for _, m := range []vec.Metric{vec.Cosine, vec.DotProduct, vec.L2} {
		f, q := int8Pair(t, data[:n], m)
		mustCheck(t, q)
		// Only L2's int8 distance uses the squared norms: the other
		// metrics keep none.
		if got, want := len(q.qnorm), map[bool]int{true: n, false: 0}[m == vec.L2]; got != want {
			t.Errorf("metric %v: %d squared norms for %d nodes", m, got, n)
		}
		ids := seqIDs(n)
		for _, ef := range []int{10, 20, 40} {
			rf := recall(t, f, ids, data[n:], 10, ef, nil)
			rq := recall(t, q, ids, data[n:], 10, ef, nil)
			t.Logf("metric %v ef %d: recall float32 %.4f, int8+rescore %.4f", m, ef, rf, rq)
			if rq < rf-0.005 {
				t.Errorf("metric %v ef %d: int8 recall %.4f, float32 %.4f", m, ef, rq, rf)
			}
		}
		keep := func(id uint32) bool { return id%4 == 1 }
		if r := recall(t, q, ids, data[n:n+20], 10, 40, keep); r < 0.9 {
			t.Errorf("metric %v: filtered int8 recall %.3f", m, r)
		}
		for _, qv := range data[n : n+10] {
			qq := slices.Clone(qv)
			if m == vec.Cosine {
				normalize(qq)
			}
			for _, r := range q.Search(qv, 5, 20, nil) {
				if want := q.dist(qq, q.Vector(r.ID)); r.Distance != want {
					t.Fatalf("metric %v: id %d distance %g, exact %g", m, r.ID, r.Distance, want)
				}
			}
		}
	}
}

// TestInt8RescoreWidens: a larger oversampling factor never lowers recall
// at a narrow ef, and rescore 1 at ef = k is the int8 walk alone.
func TestInt8RescoreWidens(t *testing.T) {
	rng := rand.New(rand.NewSource(16))
	data := clustered(rng, 2100, 24, 10, 0.8)
	_, q := int8Pair(t, data[:2000], vec.Cosine)
	hits := func(rescore int) int {
		h := 0
		for _, qv := range data[2000:] {
			want := exact(q, seqIDs(2000), qv, 10, nil)
			got := q.SearchWith(qv, 10, 10, rescore, nil)
			for _, w := range want {
				if slices.ContainsFunc(got, func(r Result) bool { return r.ID == w.ID }) {
					h++
				}
			}
		}
		return h
	}
	h1, h4 := hits(1), hits(4)
	t.Logf("hits of 1000: rescore 1 %d, rescore 4 %d", h1, h4)
	if h4 <= h1 {
		t.Errorf("rescore 4 found %d, rescore 1 %d", h4, h1)
	}
}

// TestInt8Persist: codes and scales survive MarshalNode/Load, LoadShared
// and WriteTo/ReadFrom with the same answers; inserts and deletes after a
// load keep them current.
func TestInt8Persist(t *testing.T) {
	rng := rand.New(rand.NewSource(17))
	const dim = 20
	data := clustered(rng, 600, dim, 6, 0.6)
	x := New(dim, Config{M: 8, EfConstruction: 40, Seed: 1, Int8: true})
	s := &store{recs: map[uint32][]byte{}, vecs: map[uint32][]float32{}}
	for i, v := range data[:500] {
		if err := x.Insert(uint32(i), v); err != nil {
			t.Fatal(err)
		}
		s.vecs[uint32(i)] = v
	}
	s.sync(x)
	y, err := s.load()
	if err != nil {
		t.Fatal(err)
	}
	if !y.Int8() || !slices.Equal(x.codes, y.codes) || !slices.Equal(x.qscale, y.qscale) {
		t.Fatal("codes or scales differ after Load")
	}
	sameSearch(t, x, y, data[500:])

	var buf strings.Builder
	if _, err := x.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	z, err := ReadFrom(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatal(err)
	}
	sameSearch(t, x, z, data[500:])

	rows := make([]float32, 500*dim)
	for i := 0; i < 500; i++ {
		copy(rows[i*dim:], x.Vector(uint32(i)))
	}
	nodes := func(yield func(uint32, []byte) error) error {
		for id, rec := range s.recs {
			if err := yield(id, rec); err != nil {
				return err
			}
		}
		return nil
	}
	w, err := LoadShared(s.meta, rows, func(id uint32) (int, bool) { return int(id), id < 500 }, nodes)
	if err != nil {
		t.Fatal(err)
	}
	sameSearch(t, x, w, data[500:])
	if w.MemoryBytes() < int64(500*dim) {
		t.Errorf("MemoryBytes %d does not count the codes", w.MemoryBytes())
	}

	// Changes after a load: the new and replaced nodes' codes are stored.
	for i, v := range data[500:550] {
		if err := y.Insert(uint32(1000+i), v); err != nil {
			t.Fatal(err)
		}
		s.vecs[uint32(1000+i)] = v
	}
	if err := y.Insert(3, data[599]); err != nil {
		t.Fatal(err)
	}
	s.vecs[3] = data[599]
	if err := y.Delete(7); err != nil {
		t.Fatal(err)
	}
	delete(s.vecs, 7)
	s.sync(y)
	y2, err := s.load()
	if err != nil {
		t.Fatal(err)
	}
	mustCheck(t, y2)
	sameSearch(t, y, y2, data[550:599])
	if got := y2.Search(data[599], 1, 20, nil); len(got) != 1 || got[0].ID != 3 {
		t.Errorf("replaced vector: %v", got)
	}
}

// TestInt8DamagedCodes: a changed code byte, a changed scale, codes that
// pass their checksum but are not the vector's, a truncated or an
// over-long record are all ErrCorrupt, never a panic.
func TestInt8DamagedCodes(t *testing.T) {
	rng := rand.New(rand.NewSource(18))
	const dim = 16
	data := clustered(rng, 200, dim, 4, 0.5)
	x := New(dim, Config{M: 6, EfConstruction: 30, Seed: 1, Int8: true})
	s := &store{recs: map[uint32][]byte{}, vecs: map[uint32][]float32{}}
	for i, v := range data {
		if err := x.Insert(uint32(i), v); err != nil {
			t.Fatal(err)
		}
		s.vecs[uint32(i)] = v
	}
	s.sync(x)
	if _, err := s.load(); err != nil {
		t.Fatal(err)
	}
	const id = 42
	orig := s.recs[id]
	tail := len(orig) - (4 + dim + 4) // start of the int8 part
	reseal := func(b []byte) []byte {
		binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[tail:len(b)-4]))
		return b
	}
	cases := map[string][]byte{
		"code byte":  func() []byte { b := slices.Clone(orig); b[tail+4+3] ^= 0x10; return b }(),
		"scale byte": func() []byte { b := slices.Clone(orig); b[tail+1] ^= 0x01; return b }(),
		"checksum":   func() []byte { b := slices.Clone(orig); b[len(b)-1] ^= 0x80; return b }(),
		"resealed code": func() []byte {
			b := slices.Clone(orig)
			b[tail+4+5] = byte(int8(b[tail+4+5]) + 9)
			return reseal(b)
		}(),
		"resealed scale": func() []byte {
			b := slices.Clone(orig)
			binary.LittleEndian.PutUint32(b[tail:], math.Float32bits(2*math.Float32frombits(binary.LittleEndian.Uint32(b[tail:]))))
			return reseal(b)
		}(),
		"truncated": orig[:len(orig)-3],
		"no codes":  orig[:tail],
		"extra":     append(slices.Clone(orig), 0),
	}
	for name, rec := range cases {
		s.recs[id] = rec
		if _, err := s.load(); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: Load gave %v", name, err)
		}
	}
	s.recs[id] = orig
	// A graph saved without codes cannot be loaded as an int8 one.
	meta := slices.Clone(s.meta)
	if _, err := parseMeta(meta); err != nil {
		t.Fatal(err)
	}
	f := New(dim, Config{M: 6, EfConstruction: 30, Seed: 1})
	for i, v := range data {
		_ = f.Insert(uint32(i), v)
	}
	fs := &store{recs: map[uint32][]byte{}, vecs: s.vecs}
	fs.sync(f)
	fs.meta = meta
	if _, err := fs.load(); !errors.Is(err, ErrCorrupt) {
		t.Errorf("float records under an int8 meta: %v", err)
	}
}

func TestQuantizeEdges(t *testing.T) {
	codes := make([]int8, 4)
	if s := quantize(codes, []float32{0, 0, 0, 0}); s != 0 || slices.ContainsFunc(codes, func(c int8) bool { return c != 0 }) {
		t.Errorf("zero vector: scale %g codes %v", s, codes)
	}
	s := quantize(codes, []float32{-2, 1, 0.5, 2})
	if want := []int8{-127, 64, 32, 127}; !slices.Equal(codes, want) || s != 2.0/127 {
		t.Errorf("codes %v scale %g, want %v %g", codes, s, want, 2.0/127)
	}
}

// readVecs reads a word2vec text file (header "n dim", then "key v1 v2 ...").
func readVecs(t testing.TB, path string) [][]float32 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	sc.Scan()
	var out [][]float32
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		v := make([]float32, len(fs)-1)
		for i, s := range fs[1:] {
			x, err := strconv.ParseFloat(s, 32)
			if err != nil {
				t.Fatal(err)
			}
			v[i] = float32(x)
		}
		out = append(out, v)
	}
	return out
}

// int8Data is the data of the int8 measurements: the word2vec text file
// named by VECDB_INT8_VECS, or clustered vectors.
func int8Data(t testing.TB, n, dim int) (string, [][]float32) {
	if p := os.Getenv("VECDB_INT8_VECS"); p != "" {
		return p, readVecs(t, p)
	}
	rng := rand.New(rand.NewSource(1))
	return "clustered", clustered(rng, n, dim, 100, 1)
}

// TestQuantScaleChoice measures, by brute force over unit vectors, how
// often the int8 scores find the true 10 nearest neighbours: with one
// scale per vector or one per dimension, without rescoring and with the
// best 4*10 rescored. Run with VECDB_INT8_MEASURE=1 (and optionally
// VECDB_INT8_VECS=file.vec).
func TestQuantScaleChoice(t *testing.T) {
	if os.Getenv("VECDB_INT8_MEASURE") == "" {
		t.Skip("a measurement: set VECDB_INT8_MEASURE=1")
	}
	name, data := int8Data(t, 20000, 100)
	dim := len(data[0])
	for _, v := range data {
		normalize(v)
	}
	nq := 300
	base, queries := data[:len(data)-nq], data[len(data)-nq:]
	n := len(base)
	// Per vector.
	pvCodes := make([]int8, n*dim)
	pvScale := make([]float32, n)
	for i, v := range base {
		pvScale[i] = quantize(pvCodes[i*dim:(i+1)*dim], v)
	}
	// Per dimension: s_d = max |v_d| / 127 over the set; the query is
	// multiplied by s_d and quantized with its own scale.
	sd := make([]float32, dim)
	for _, v := range base {
		for d, f := range v {
			sd[d] = max(sd[d], float32(math.Abs(float64(f))))
		}
	}
	for d := range sd {
		sd[d] /= 127
	}
	pdCodes := make([]int8, n*dim)
	for i, v := range base {
		for d, f := range v {
			pdCodes[i*dim+d] = int8(max(-127, min(127, math.Round(float64(f/sd[d])))))
		}
	}
	type scored struct {
		i int
		s float32
	}
	top := func(sc []scored, k int) []scored {
		slices.SortFunc(sc, func(a, b scored) int {
			if a.s > b.s {
				return -1
			}
			if a.s < b.s {
				return 1
			}
			return a.i - b.i
		})
		return sc[:k]
	}
	const k = 10
	hits := map[string]int{}
	qc := make([]int8, dim)
	qd := make([]float32, dim)
	for _, q := range queries {
		ex := make([]scored, n)
		pv := make([]scored, n)
		pd := make([]scored, n)
		qs := quantize(qc, q)
		for d := range q {
			qd[d] = q[d] * sd[d]
		}
		qdc := make([]int8, dim)
		qds := quantize(qdc, qd)
		for i, v := range base {
			ex[i] = scored{i, vec.Dot(q, v)}
			pv[i] = scored{i, float32(vec.DotInt8(qc, pvCodes[i*dim:(i+1)*dim])) * qs * pvScale[i]}
			pd[i] = scored{i, float32(vec.DotInt8(qdc, pdCodes[i*dim:(i+1)*dim])) * qds}
		}
		want := map[int]bool{}
		for _, s := range top(ex, k) {
			want[s.i] = true
		}
		for label, sc := range map[string][]scored{"per-vector": pv, "per-dimension": pd} {
			cands := top(sc, 4*k)
			for j, c := range cands {
				if j < k && want[c.i] {
					hits[label+" int8 only"]++
				}
			}
			re := make([]scored, len(cands))
			for j, c := range cands {
				re[j] = scored{c.i, vec.Dot(q, base[c.i])}
			}
			for _, c := range top(re, k) {
				if want[c.i] {
					hits[label+" rescored 4k"]++
				}
			}
		}
	}
	keys := make([]string, 0, len(hits))
	for l := range hits {
		keys = append(keys, l)
	}
	slices.Sort(keys)
	for _, l := range keys {
		t.Logf("%s (%d × %d, %d queries): %s recall@10 %.4f", name, n, dim, nq, l, float64(hits[l])/float64(nq*k))
	}
}

// BenchmarkInt8 builds a float32 and an int8 index over the same vectors
// (VECDB_INT8_VECS or 50k clustered × 100; one thread each) and reports
// bytes per vector, build time, recall@10 against exact and single-thread
// QPS at equal ef_search, and for int8 the recall of each oversampling
// factor at ef 10. It does all its work once: run it with -benchtime=1x.
func BenchmarkInt8(b *testing.B) {
	name, data := int8Data(b, 50200, 100)
	nq := 200
	base, queries := data[:len(data)-nq], data[len(data)-nq:]
	n := len(base)
	ids := seqIDs(n)
	var idx [2]*Index
	for i, int8 := range []bool{false, true} {
		x := New(len(base[0]), Config{Seed: 1, Int8: int8})
		start := time.Now()
		if err := x.Build(context.Background(), ids, base, 1, nil); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s n=%d int8=%v: build %.2fs (1 thread), %.0f bytes per vector in memory",
			name, n, int8, time.Since(start).Seconds(), float64(x.MemoryBytes())/float64(n))
		idx[i] = x
	}
	truth := make([][]Result, len(queries))
	for i, q := range queries {
		truth[i] = exact(idx[0], ids, q, 10, nil)
	}
	recallOf := func(x *Index, ef, rescore int) float64 {
		hit := 0
		for i, q := range queries {
			got := x.SearchWith(q, 10, ef, rescore, nil)
			for _, w := range truth[i] {
				if slices.ContainsFunc(got, func(r Result) bool { return r.ID == w.ID }) {
					hit++
				}
			}
		}
		return float64(hit) / float64(10*len(queries))
	}
	qpsOf := func(x *Index, ef, rescore int) float64 {
		start := time.Now()
		runs := 0
		for time.Since(start) < 100*time.Millisecond {
			for _, q := range queries {
				x.SearchWith(q, 10, ef, rescore, nil)
			}
			runs += len(queries)
		}
		return float64(runs) / time.Since(start).Seconds()
	}
	// QPS: the best of five rounds that alternate between the variants, so
	// that a busy machine slows them alike.
	measure3 := func(ef int) (q [3]float64) {
		for range 5 {
			for i, c := range []struct {
				x       *Index
				rescore int
			}{{idx[0], 0}, {idx[1], 1}, {idx[1], 0}} {
				q[i] = max(q[i], qpsOf(c.x, ef, c.rescore))
			}
		}
		return q
	}
	measure := func(x *Index, ef, rescore int) (float64, float64) {
		return recallOf(x, ef, rescore), qpsOf(x, ef, rescore)
	}
	for _, ef := range []int{10, 20, 40, 64, 128} {
		qps := measure3(ef)
		rf, qf := recallOf(idx[0], ef, 0), qps[0]
		rq, qq := recallOf(idx[1], ef, 1), qps[1]
		rd, qd := recallOf(idx[1], ef, 0), qps[2]
		b.Logf("ef %3d: float32 recall %.4f qps %6.0f | int8 rescore 1 recall %.4f qps %6.0f | int8 rescore %d recall %.4f qps %6.0f",
			ef, rf, qf, rq, qq, DefaultRescore, rd, qd)
	}
	for _, f := range []int{1, 2, 3, 4, 6, 8} {
		r, q := measure(idx[1], 10, f)
		b.Logf("int8 ef 10 rescore %d: recall %.4f qps %.0f", f, r, q)
	}
}

// FuzzLoadInt8 is FuzzLoad for an int8 index: any node record or meta
// record loads into a valid graph whose searches run, or fails with an
// error; never a panic.
func FuzzLoadInt8(f *testing.F) {
	rng := rand.New(rand.NewSource(1))
	data := clustered(rng, 60, 4, 3, 0.5)
	x := New(4, Config{M: 3, EfConstruction: 10, Seed: 1, Int8: true})
	s := &store{recs: map[uint32][]byte{}, vecs: map[uint32][]float32{}}
	for i, v := range data {
		x.Insert(uint32(i), v)
		s.vecs[uint32(i)] = v
	}
	s.sync(x)
	for id := uint32(0); id < 5; id++ {
		f.Add(uint8(id), s.recs[id], false)
	}
	f.Add(uint8(0), s.meta, true)
	f.Fuzz(func(t *testing.T, which uint8, rec []byte, isMeta bool) {
		c := &store{meta: s.meta, recs: map[uint32][]byte{}, vecs: s.vecs}
		for k, v := range s.recs {
			c.recs[k] = v
		}
		if isMeta {
			c.meta = rec
		} else {
			c.recs[uint32(which)%70] = rec // ids >= 60 have no vector
		}
		y, err := c.load()
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !isMeta {
				t.Fatalf("Load error without ErrCorrupt: %v", err)
			}
			return
		}
		if err := y.check(); err != nil {
			t.Fatalf("Load accepted an invalid graph: %v", err)
		}
		y.Search(data[0], 3, 10, nil)
	})
}

// TestInt8ConcurrentSearchAndInsert: int8 searches (each with its own
// quantized query in its scratch) run while inserts grow the codes and
// build-time searches reuse pooled scratch, without races and with every
// answer exact. Run with -race.
func TestInt8ConcurrentSearchAndInsert(t *testing.T) {
	rng := rand.New(rand.NewSource(19))
	data := clustered(rng, 900, 16, 8, 0.5)
	x := New(16, Config{M: 8, EfConstruction: 40, Seed: 1, Int8: true})
	buildSeq(t, x, data[:500])
	done := make(chan struct{})
	errs := make(chan string, 4)
	for g := 0; g < 3; g++ {
		go func(g int) {
			defer func() { errs <- "" }()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				q := data[800+(i*7+g)%100]
				qq := slices.Clone(q)
				normalize(qq)
				for _, r := range x.Search(q, 5, 20, nil) {
					v := x.Vector(r.ID)
					if v != nil && x.dist(qq, v) != r.Distance {
						errs <- "a distance is not the exact float32 one"
						return
					}
				}
			}
		}(g)
	}
	for i, v := range data[500:800] {
		if err := x.Insert(uint32(500+i), v); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for g := 0; g < 3; g++ {
		if e := <-errs; e != "" {
			t.Fatal(e)
		}
	}
	mustCheck(t, x)
	// Every vector is found by its own codes after the inserts.
	for i := 0; i < 800; i += 37 {
		if got := x.Search(data[i], 1, 20, nil); len(got) != 1 || x.dist(x.Vector(got[0].ID), x.Vector(uint32(i))) > 1e-6 {
			t.Fatalf("vector %d: %v", i, got)
		}
	}
}

// TestRescoreOrder: rescore keeps the k candidates of the beam closest by
// their exact distances, ties broken by the smaller id, whatever order the
// beam's heap holds them in (it scores the heap as it lies, without
// popping it). Many vectors are repeated, so exact ties occur at the k-th
// place too.
func TestRescoreOrder(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	const n, dim = 600, 20
	base := clustered(rng, 150, dim, 10, 1)
	data := make([][]float32, n)
	for i := range data {
		data[i] = base[rng.Intn(len(base))]
	}
	ids := make([]uint32, n)
	for i := range ids {
		ids[i] = uint32(3*i + 7) // ids differ from slots
	}
	x := New(dim, Config{M: 8, EfConstruction: 40, Seed: 2, Metric: vec.L2, Int8: true})
	if err := x.Build(context.Background(), ids, data, 1, nil); err != nil {
		t.Fatal(err)
	}
	for trial := 0; trial < 200; trial++ {
		q := base[rng.Intn(len(base))]
		k := 1 + rng.Intn(12)
		beam := rng.Perm(n)[:k+rng.Intn(40)]
		sc := x.getScratch()
		sc.res = sc.res[:0]
		for _, s := range beam {
			sc.res.push(cand{rng.Float32(), uint32(s)})
		}
		x.rescore(sc, q, k)
		got := slices.Clone(sc.res)
		x.putScratch(sc)

		// By distance, then id (the heap's own pop order among equal
		// distances is the heap's, as before).
		order := func(a, b cand) int {
			if a.d != b.d {
				if a.d < b.d {
					return -1
				}
				return 1
			}
			return int(x.ids[a.s]) - int(x.ids[b.s])
		}
		slices.SortFunc(got, order)
		var want []cand
		for _, s := range beam {
			want = append(want, cand{x.dist(q, x.vec(uint32(s))), uint32(s)})
		}
		slices.SortFunc(want, order)
		want = want[:min(k, len(want))]
		if len(got) != len(want) {
			t.Fatalf("trial %d: %d kept, want %d", trial, len(got), len(want))
		}
		for i := range got {
			if got[i].s != want[i].s || math.Float32bits(got[i].d) != math.Float32bits(want[i].d) {
				t.Fatalf("trial %d: result %d is %v, want %v", trial, i, got, want)
			}
		}
	}
}
