package ann

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"slices"

	"github.com/vecdb/vecdb/internal/vec"
)

// int8 quantization (Config.Int8). Every vector also keeps dim int8 codes
// and one float32 scale: code[i] = round(v[i]/scale) with scale =
// max|v[i]|/127, so codes lie in -127..127 and v ≈ scale*code. One scale
// per vector (not per dimension) keeps every vector's code independent of
// the others (an insert never rescales the collection) and, for Cosine,
// where vectors are unit length, spends the 8 bits on the vector's own
// range; TestQuantScaleChoice measures both. Searches walk the graph with
// int8 distances (vec.DotInt8 of the query's codes and the node's, times
// both scales), then rescore the beam's best candidates with the float32
// vectors, so the distances returned are exact.

// DefaultRescore is the oversampling factor of an int8 search when none is
// given: the beam keeps at least k*DefaultRescore candidates (more when
// ef_search is wider), and every one of them is rescored with the float32
// vectors. Chosen by measurement (BenchmarkInt8, TestInt8Recall).
const DefaultRescore = 4

// MaxRescore bounds the oversampling factor.
const MaxRescore = 100

// Int8Beam is the beam of an int8 search for ef_search ef (already at
// least k), k results and oversampling factor rescore (<= 0:
// DefaultRescore): max(ef + ⌈ef/10⌉, k*rescore). All of it is rescored
// with float32.
//
// The k*rescore floor lifts narrow beams (at ef = k int8 alone loses
// 0.03–0.27 of recall). The tenth over ef keeps recall at equal ef_search
// at least the float32 index's: with the beam exactly ef, the int8 walk
// ranks the frontier slightly differently and on hard sets misses true
// neighbours the float32 walk reaches (on 43k corpus word vectors, 200
// rare words as queries: 0.851 against 0.857 at ef 40, 0.9075 against
// 0.9125 at ef 64). Those neighbours are not visited at all (rescoring
// every node the walk visited gains 0.0005), so rescoring more does not
// help; a wider walk does: with a tenth more, 0.8655 at ef 40 and 0.921
// at 64, and never below float32 from ef 10 to 256 on that set, on 300k
// clustered vectors and on 100k clustered vectors of dim 300. A larger
// rescore alone (6) fixes ef 40 but not 64. See BENCHMARKS.md.
func Int8Beam(ef, k, rescore int) int {
	if rescore <= 0 {
		rescore = DefaultRescore
	}
	ef = max(ef, k)
	return max(ef+(ef+9)/10, k*min(rescore, MaxRescore))
}

// maxInt8Dim is the largest dimension whose int8 dot products cannot
// overflow int32 (vec.DotInt8 is exact up to 131072 codes).
const maxInt8Dim = 131072

// quantize writes the int8 codes of v into dst and returns the scale.
// A zero vector gets scale 0 and zero codes.
func quantize(dst []int8, v []float32) float32 {
	var m float32
	for _, f := range v {
		m = max(m, float32(math.Abs(float64(f))))
	}
	if m == 0 {
		clear(dst)
		return 0
	}
	inv := 127 / m
	for i, f := range v {
		c := math.Round(float64(f * inv))
		dst[i] = int8(max(-127, min(127, c)))
	}
	return m / 127
}

// Int8 reports whether the index walks its graph with int8 codes.
func (x *Index) Int8() bool { return x.cfg.Int8 }

func (x *Index) codesOf(s uint32) []int8 {
	i := int(s) * x.dim
	return x.codes[i : i+x.dim : i+x.dim]
}

// quantizeSlot computes the codes, scale and squared norm of slot s from
// its float32 vector.
func (x *Index) quantizeSlot(s uint32) {
	if !x.cfg.Int8 {
		return
	}
	v := x.vec(s)
	x.qscale[s] = quantize(x.codesOf(s), v)
	if x.qnorm != nil {
		x.qnorm[s] = vec.Dot(v, v)
	}
}

// needNorms reports whether the int8 distance uses the vectors' squared
// norms: for L2 only, so that the other metrics keep no qnorm.
func (x *Index) needNorms() bool { return x.cfg.Metric == vec.L2 }

// growQuant keeps the per-slot int8 arrays as long as the slot arrays.
func (x *Index) growQuant() {
	if !x.cfg.Int8 {
		return
	}
	n := len(x.levels)
	if d := n*x.dim - len(x.codes); d > 0 {
		x.codes = append(x.codes, make([]int8, d)...)
	}
	if d := n - len(x.qscale); d > 0 {
		x.qscale = append(x.qscale, make([]float32, d)...)
		if x.needNorms() {
			x.qnorm = append(x.qnorm, make([]float32, d)...)
		}
	}
}

// reserveQuant is reserve for the int8 arrays.
func (x *Index) reserveQuant(total int) {
	if !x.cfg.Int8 || cap(x.qscale) >= total {
		return
	}
	x.codes = append(make([]int8, 0, total*x.dim), x.codes...)
	x.qscale = append(make([]float32, 0, total), x.qscale...)
	if x.needNorms() {
		x.qnorm = append(make([]float32, 0, total), x.qnorm...)
	}
}

// setQuery prepares sc for an int8 walk from q (already normalised for
// Cosine).
func (x *Index) setQuery(sc *scratch, q []float32) {
	if cap(sc.qc) < x.dim {
		sc.qc = make([]int8, x.dim)
	}
	sc.qc = sc.qc[:x.dim]
	sc.qs = quantize(sc.qc, q)
	sc.qn = vec.Dot(q, q)
	sc.int8 = true
}

// distInt8 is the int8 estimate of the index distance from the query in sc
// to slot n.
func (x *Index) distInt8(sc *scratch, n uint32) float32 {
	return x.int8Dist(sc, vec.DotInt8(sc.qc, x.codesOf(n)), n)
}

// int8Dist is distInt8 from the int8 dot product of the query's codes and
// slot n's.
func (x *Index) int8Dist(sc *scratch, idot int32, n uint32) float32 {
	dot := float32(idot) * sc.qs * x.qscale[n]
	switch x.cfg.Metric {
	case vec.L2:
		return sc.qn + x.qnorm[n] - 2*dot
	case vec.DotProduct:
		return -dot
	default:
		return 1 - dot
	}
}

// distSlot is the distance the current walk uses from q to slot n: int8
// during an int8 search, float32 otherwise.
func (x *Index) distSlot(sc *scratch, q []float32, n uint32) float32 {
	if x.filling() && !x.ensure(sc, n) {
		return float32(math.Inf(1))
	}
	if sc.int8 {
		return x.distInt8(sc, n)
	}
	return x.dist(q, x.vec(n))
}

// rescore replaces the int8 distances of the candidates in sc.res by exact
// float32 ones and keeps the k best in sc.res.
func (x *Index) rescore(sc *scratch, q []float32, k int) {
	// Take the beam as it lies in the heap (the sort below orders it by
	// distance, then id, so the order it is scored in does not matter)
	// and prefetch all its vectors before scoring any, so that their
	// cache misses overlap.
	w := append(sc.w[:0], sc.res...)
	sc.res = sc.res[:0]
	if x.lazy != nil && x.lazy.read != nil {
		if !x.rescoreRead(sc, q, w) {
			sc.w = w[:0]
			return
		}
	} else {
		nb := sc.nb[:0]
		for _, c := range w {
			nb = append(nb, c.s)
		}
		sc.nb = nb
		vec.PrefetchFloat32Rows(x.vecs, x.dim, nb)
		for i := range w {
			w[i].d = x.dist(q, x.vec(w[i].s))
		}
	}
	slices.SortFunc(w, func(a, b cand) int {
		switch {
		case a.d < b.d:
			return -1
		case a.d > b.d:
			return 1
		}
		return cmp.Compare(x.idOf(a.s), x.idOf(b.s))
	})
	if len(w) > k {
		w = w[:k]
	}
	for _, c := range w {
		sc.res.push(c)
	}
	sc.w = w
}

// appendQuant appends the int8 part of slot s's node record: the scale
// (float32, little-endian), the dim codes and a CRC-32 (IEEE) of both.
func (x *Index) appendQuant(buf []byte, s uint32) []byte {
	if !x.cfg.Int8 {
		return buf
	}
	start := len(buf)
	buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x.qscale[s]))
	for _, c := range x.codesOf(s) {
		buf = append(buf, byte(c))
	}
	return binary.LittleEndian.AppendUint32(buf, crc32.ChecksumIEEE(buf[start:]))
}

// readQuant decodes the int8 part of a node record into slot s and checks
// it: the checksum, and that the codes are those of the slot's float32
// vector v (within one step of rounding, as another processor's arithmetic
// may round a last bit differently).
func (x *Index) readQuant(s uint32, v []float32, r *reader) {
	if !x.cfg.Int8 || r.err != nil {
		return
	}
	n := 4 + x.dim + 4
	if len(r.b) < n {
		r.err = fmt.Errorf("%w: int8 codes truncated (%d bytes, want %d)", ErrCorrupt, len(r.b), n)
		return
	}
	b := r.b[:n]
	r.b = r.b[n:]
	if got, want := binary.LittleEndian.Uint32(b[n-4:]), crc32.ChecksumIEEE(b[:n-4]); got != want {
		r.err = fmt.Errorf("%w: int8 codes fail their checksum", ErrCorrupt)
		return
	}
	scale := math.Float32frombits(binary.LittleEndian.Uint32(b))
	codes := x.codesOf(s)
	for i := range codes {
		codes[i] = int8(b[4+i])
	}
	m := float32(0)
	for _, f := range v {
		m = max(m, float32(math.Abs(float64(f))))
	}
	if d := math.Abs(float64(scale) - float64(m/127)); !(d <= 1e-5*float64(m/127)) {
		r.err = fmt.Errorf("%w: int8 scale %g does not match the vector (want %g)", ErrCorrupt, scale, m/127)
		return
	}
	if m > 0 {
		inv := 127 / m
		for i, f := range v {
			want := int8(max(-127, min(127, math.Round(float64(f*inv)))))
			if d := int(codes[i]) - int(want); d < -1 || d > 1 {
				r.err = fmt.Errorf("%w: int8 code %d is %d, the vector's is %d", ErrCorrupt, i, codes[i], want)
				return
			}
		}
	}
	x.qscale[s] = scale
	if x.qnorm != nil {
		x.qnorm[s] = vec.Dot(v, v)
	}
}
