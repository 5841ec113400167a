package trainer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
	"sort"
	"unicode/utf8"

	"github.com/vecdb/vecdb/internal/vec"
)

// Subwords is the character n-gram table of a model trained with
// Config.Subwords (fastText's subword vectors). An n-gram of a word is a
// run of MinN..MaxN characters (runes) of the word wrapped as "<word>"; it
// is hashed with ngramHash into one of Buckets buckets. Only the buckets
// that the n-grams of the vocabulary hit (at least MinNgramWords times)
// have a row: Hashes lists them in ascending order and Vectors holds their
// rows, len(Hashes)*Dim values, row-major, in the same order. Buckets no
// n-gram of the vocabulary hits cost nothing, so the table grows with the
// vocabulary, not with Buckets.
//
// A Subwords is read-only once Train returns and safe for concurrent
// reads. MarshalBinary and UnmarshalBinary give it a single byte value
// that a store can write atomically (see MarshalBinary for the layout).
type Subwords struct {
	MinN, MaxN int      // n-gram lengths in runes, "<" and ">" included
	Buckets    int      // hash space: an n-gram's bucket is ngramHash % Buckets
	Dim        int      // length of every row
	Hashes     []uint32 // buckets that have a row, ascending
	Vectors    []float32
}

// Len returns the number of n-gram rows.
func (s *Subwords) Len() int { return len(s.Hashes) }

// row returns the index of bucket b's row, or -1.
func (s *Subwords) row(b uint32) int {
	i := sort.Search(len(s.Hashes), func(i int) bool { return s.Hashes[i] >= b })
	if i < len(s.Hashes) && s.Hashes[i] == b {
		return i
	}
	return -1
}

// Vector returns row i; it aliases s.Vectors.
func (s *Subwords) Vector(i int) []float32 {
	return s.Vectors[i*s.Dim : (i+1)*s.Dim : (i+1)*s.Dim]
}

// Rows returns the rows of word's n-grams that the table holds, in the
// order of Ngrams (with repeats when two n-grams share a bucket, as in
// training).
func (s *Subwords) Rows(word string) []int {
	var rows []int
	eachNgram(word, s.MinN, s.MaxN, func(gram string) {
		if r := s.row(bucketOf(gram, s.Buckets)); r >= 0 {
			rows = append(rows, r)
		}
	})
	return rows
}

// MeanVector returns the mean of the rows of word's known n-grams, and
// false (and nil) when the table holds none of them. This is fastText's
// vector for an unknown word, except that n-grams whose bucket has no row
// are left out rather than read from an untrained row.
func (s *Subwords) MeanVector(word string) ([]float32, bool) {
	rows := s.Rows(word)
	if len(rows) == 0 {
		return nil, false
	}
	out := make([]float32, s.Dim)
	for _, r := range rows {
		vec.Axpy(1, s.Vector(r), out)
	}
	vec.Scale(1/float32(len(rows)), out)
	return out, true
}

// Ngrams returns the character n-grams of word as fastText defines them:
// word is wrapped as "<word>" and every run of minn..maxn runes of that
// string is an n-gram, shortest first at each starting position; the
// whole "<word>" is one of them when it is at most maxn runes long. A
// lone "<" or ">" (minn = 1) is not an n-gram. Invalid UTF-8 bytes count
// as one rune each. The word itself, trained as its own row, is not in the
// list.
func Ngrams(word string, minn, maxn int) []string {
	var out []string
	eachNgram(word, minn, maxn, func(g string) { out = append(out, g) })
	return out
}

// eachNgram calls f with every n-gram of word (see Ngrams). The string it
// passes is only valid during the call.
func eachNgram(word string, minn, maxn int, f func(string)) {
	if minn < 1 || maxn < minn {
		return
	}
	w := "<" + word + ">"
	var starts [64]int
	pos := starts[:0] // start offset of every rune, then len(w)
	for i := 0; i < len(w); {
		pos = append(pos, i)
		_, n := utf8.DecodeRuneInString(w[i:])
		i += n
	}
	pos = append(pos, len(w))
	runes := len(pos) - 1
	for i := range runes {
		for n := minn; n <= maxn && i+n <= runes; n++ {
			if n == 1 && (i == 0 || i == runes-1) {
				continue
			}
			f(w[pos[i]:pos[i+n]])
		}
	}
}

// ngramHash is 32-bit FNV-1a over the bytes of s, each byte sign-extended
// first as fastText's hash does (it reads them as signed chars), so the
// bucket of an n-gram is the one fastText gives it. For ASCII it equals
// plain FNV-1a.
func ngramHash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(int32(int8(s[i])))
		h *= 16777619
	}
	return h
}

func bucketOf(gram string, buckets int) uint32 {
	return ngramHash(gram) % uint32(buckets)
}

// buildSubwords chooses the n-gram rows for keys: the buckets hit by the
// n-grams of at least minWords keys. It returns the table (without
// vectors) and, for every key i, the table rows of its n-grams in
// rows[off[i]:off[i+1]].
func buildSubwords(keys []string, cfg Config) (s *Subwords, off []int32, rows []int32) {
	s = &Subwords{MinN: cfg.MinN, MaxN: cfg.MaxN, Buckets: cfg.Buckets, Dim: cfg.Dim}
	hits := make(map[uint32]int32)
	var mine []uint32
	for _, k := range keys {
		mine = mine[:0]
		eachNgram(k, cfg.MinN, cfg.MaxN, func(g string) {
			b := bucketOf(g, cfg.Buckets)
			if !slices.Contains(mine, b) {
				mine = append(mine, b)
				hits[b]++
			}
		})
	}
	minWords := int32(max(cfg.MinNgramWords, 1))
	for b, n := range hits {
		if n >= minWords {
			s.Hashes = append(s.Hashes, b)
		}
	}
	slices.Sort(s.Hashes)
	for i, b := range s.Hashes {
		hits[b] = -int32(i) - 1 // reuse the map: row i as -(i+1)
	}
	off = make([]int32, 1, len(keys)+1)
	for _, k := range keys {
		eachNgram(k, cfg.MinN, cfg.MaxN, func(g string) {
			if r := hits[bucketOf(g, cfg.Buckets)]; r < 0 {
				rows = append(rows, -r-1)
			}
		})
		off = append(off, int32(len(rows)))
	}
	return s, off, rows
}

// subwordMagic starts the bytes of MarshalBinary.
const subwordMagic = "VSUB"

// ErrSubwordData is returned by Subwords.UnmarshalBinary for bytes that are
// not a table written by MarshalBinary (wrong magic, version, sizes or
// checksum).
var ErrSubwordData = errors.New("invalid subword table")

// MarshalBinary returns the table as one byte value, little-endian:
//
//	"VSUB"                 magic
//	uint32 1               version
//	uint32 MinN, MaxN, Buckets, Dim, N   (N = len(Hashes))
//	N × uint32             Hashes, ascending
//	N×Dim × float32        Vectors (IEEE 754 bits), row-major
//	uint32                 CRC-32 (Castagnoli) of everything before it
//
// The value is self-contained, so a store can put it under one key in the
// same transaction as the word vectors and read it back with
// UnmarshalBinary.
func (s *Subwords) MarshalBinary() ([]byte, error) {
	n := len(s.Hashes)
	if len(s.Vectors) != n*s.Dim {
		return nil, fmt.Errorf("%w: %d hashes and %d values for dim %d", ErrSubwordData, n, len(s.Vectors), s.Dim)
	}
	b := make([]byte, 0, 4+4*6+4*n+4*n*s.Dim+4)
	b = append(b, subwordMagic...)
	for _, v := range []int{1, s.MinN, s.MaxN, s.Buckets, s.Dim, n} {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	for _, h := range s.Hashes {
		b = binary.LittleEndian.AppendUint32(b, h)
	}
	for _, x := range s.Vectors {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli)), nil
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// UnmarshalBinary reads a table written by MarshalBinary, replacing s. It
// returns an error wrapping ErrSubwordData when the bytes are not such a
// table; it never panics.
func (s *Subwords) UnmarshalBinary(b []byte) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrSubwordData, fmt.Sprintf(format, args...))
	}
	const head = 4 + 4*6
	if len(b) < head+4 || string(b[:4]) != subwordMagic {
		return bad("no %q header", subwordMagic)
	}
	if sum := binary.LittleEndian.Uint32(b[len(b)-4:]); sum != crc32.Checksum(b[:len(b)-4], castagnoli) {
		return bad("checksum mismatch")
	}
	u := func(i int) uint64 { return uint64(binary.LittleEndian.Uint32(b[4+4*i:])) }
	if v := u(0); v != 1 {
		return bad("version %d, want 1", v)
	}
	minn, maxn, buckets, dim, n := u(1), u(2), u(3), u(4), u(5)
	if minn < 1 || maxn < minn || maxn > 1<<10 || buckets < 1 || buckets > math.MaxInt32 || dim < 1 || dim > 10000 {
		return bad("minn %d, maxn %d, buckets %d, dim %d out of range", minn, maxn, buckets, dim)
	}
	if want := uint64(head) + 4*n + 4*n*dim + 4; uint64(len(b)) != want {
		return bad("%d bytes, want %d for %d rows of dim %d", len(b), want, n, dim)
	}
	t := Subwords{MinN: int(minn), MaxN: int(maxn), Buckets: int(buckets), Dim: int(dim),
		Hashes: make([]uint32, n), Vectors: make([]float32, n*dim)}
	p := b[head:]
	for i := range t.Hashes {
		t.Hashes[i] = binary.LittleEndian.Uint32(p[4*i:])
		if (i > 0 && t.Hashes[i] <= t.Hashes[i-1]) || uint64(t.Hashes[i]) >= buckets {
			return bad("hash %d at row %d out of order or range", t.Hashes[i], i)
		}
	}
	p = p[4*n:]
	for i := range t.Vectors {
		t.Vectors[i] = math.Float32frombits(binary.LittleEndian.Uint32(p[4*i:]))
	}
	*s = t
	return nil
}
