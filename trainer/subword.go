package trainer

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
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
// reads. WriteTo and ReadSubwords (or MarshalBinary and UnmarshalBinary)
// give it a single checksummed byte value that a store can write
// atomically (see WriteTo for the layout).
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

// subwordMagic starts the bytes of WriteTo and MarshalBinary.
const subwordMagic = "VSUB"

// ErrSubwordData is returned by ReadSubwords and Subwords.UnmarshalBinary
// for bytes that are not a table written by WriteTo or MarshalBinary
// (wrong magic, version, sizes or checksum, or cut short).
var ErrSubwordData = errors.New("invalid subword table")

const subwordHeader = 4 + 4*6

// WriteTo writes the table to w, little-endian, without copying it whole:
//
//	"VSUB"                 magic
//	uint32 1               version
//	uint32 MinN, MaxN, Buckets, Dim, N   (N = len(Hashes))
//	N × uint32             Hashes, ascending
//	N×Dim × float32        Vectors (IEEE 754 bits), row-major
//	uint32                 CRC-32 (Castagnoli) of everything before it
//
// That is 4 + 24 + 4·N·(1+Dim) + 4 bytes, self-contained, so a store can
// put it under one key in the same transaction as the key vectors and
// read it back with ReadSubwords or UnmarshalBinary.
func (s *Subwords) WriteTo(w io.Writer) (int64, error) {
	n := len(s.Hashes)
	if len(s.Vectors) != n*s.Dim {
		return 0, fmt.Errorf("%w: %d hashes and %d values for dim %d", ErrSubwordData, n, len(s.Vectors), s.Dim)
	}
	crc := crc32.New(castagnoli)
	bw := bufio.NewWriterSize(io.MultiWriter(w, crc), 64<<10)
	var written int64
	b := make([]byte, 0, 4096)
	put := func() error {
		k, err := bw.Write(b)
		written += int64(k)
		b = b[:0]
		return err
	}
	b = append(b, subwordMagic...)
	for _, v := range []int{1, s.MinN, s.MaxN, s.Buckets, s.Dim, n} {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	for _, h := range s.Hashes {
		if b = binary.LittleEndian.AppendUint32(b, h); len(b) == cap(b) {
			if err := put(); err != nil {
				return written, err
			}
		}
	}
	for _, x := range s.Vectors {
		if b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x)); len(b) == cap(b) {
			if err := put(); err != nil {
				return written, err
			}
		}
	}
	if err := put(); err != nil {
		return written, err
	}
	if err := bw.Flush(); err != nil {
		return written, err
	}
	k, err := w.Write(binary.LittleEndian.AppendUint32(nil, crc.Sum32()))
	return written + int64(k), err
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ReadSubwords reads a table written by WriteTo or MarshalBinary from r,
// up to and including its checksum and not a byte further. Its memory grows with the bytes
// actually read, whatever the header claims. It returns an error wrapping
// ErrSubwordData when the bytes are not such a table (io errors other than
// an early EOF are returned as they are); it never panics.
func ReadSubwords(r io.Reader) (*Subwords, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrSubwordData, fmt.Sprintf(format, args...))
	}
	crc := crc32.New(castagnoli)
	tr := io.TeeReader(r, crc) // reads exactly the table: no read-ahead
	buf := make([]byte, 64<<10)
	read := func(n int) ([]byte, error) {
		if _, err := io.ReadFull(tr, buf[:n]); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, bad("cut short")
			}
			return nil, err
		}
		return buf[:n], nil
	}
	b, err := read(subwordHeader)
	if err != nil {
		return nil, err
	}
	if string(b[:4]) != subwordMagic {
		return nil, bad("no %q header", subwordMagic)
	}
	u := func(i int) uint64 { return uint64(binary.LittleEndian.Uint32(b[4+4*i:])) }
	if v := u(0); v != 1 {
		return nil, bad("version %d, want 1", v)
	}
	minn, maxn, buckets, dim, n := u(1), u(2), u(3), u(4), u(5)
	if minn < 1 || maxn < minn || maxn > 1<<10 || buckets < 1 || buckets > math.MaxInt32 || dim < 1 || dim > 10000 || n > buckets {
		return nil, bad("minn %d, maxn %d, buckets %d, dim %d, %d rows out of range", minn, maxn, buckets, dim, n)
	}
	t := &Subwords{MinN: int(minn), MaxN: int(maxn), Buckets: int(buckets), Dim: int(dim)}
	for left := n; left > 0; {
		k := min(left, uint64(len(buf)/4))
		b, err := read(int(4 * k))
		if err != nil {
			return nil, err
		}
		for i := range int(k) {
			h := binary.LittleEndian.Uint32(b[4*i:])
			if (len(t.Hashes) > 0 && h <= t.Hashes[len(t.Hashes)-1]) || uint64(h) >= buckets {
				return nil, bad("hash %d at row %d out of order or range", h, len(t.Hashes))
			}
			t.Hashes = append(t.Hashes, h)
		}
		left -= k
	}
	for left := n * dim; left > 0; {
		k := min(left, uint64(len(buf)/4))
		b, err := read(int(4 * k))
		if err != nil {
			return nil, err
		}
		for i := range int(k) {
			t.Vectors = append(t.Vectors, math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])))
		}
		left -= k
	}
	want := crc.Sum32()
	if _, err := io.ReadFull(r, buf[:4]); err != nil {
		return nil, bad("no checksum")
	}
	if binary.LittleEndian.Uint32(buf) != want {
		return nil, bad("checksum mismatch")
	}
	return t, nil
}

// MarshalBinary returns the bytes WriteTo writes (see it for the layout).
func (s *Subwords) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	b.Grow(subwordHeader + 4*len(s.Hashes)*(1+s.Dim) + 4)
	if _, err := s.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// UnmarshalBinary reads a table written by MarshalBinary or WriteTo,
// replacing s; the bytes must hold exactly one table. Errors wrap
// ErrSubwordData.
func (s *Subwords) UnmarshalBinary(b []byte) error {
	r := bytes.NewReader(b)
	t, err := ReadSubwords(r)
	if err != nil {
		return err
	}
	if r.Len() != 0 {
		return fmt.Errorf("%w: %d bytes after the table", ErrSubwordData, r.Len())
	}
	*s = *t
	return nil
}
