package fasttext

import (
	"bufio"
	"encoding/binary"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/vecdb/vecdb/format"
	"github.com/vecdb/vecdb/internal/errdefs"
)

// Write writes m as a fastText model file, format version 12, that the
// fasttext program loads (`print-word-vectors`, `nn`, `analogies`) and
// that Read reads back. m needs Args.Dim, Words and Vectors; Counts may be
// nil (every count is then 1; the counts only matter to fastText for
// further training), Tokens may be 0 (the counts' sum is written) and
// Subwords may be nil (a model without n-grams).
//
// The input matrix is built so that fastText's own composition gives back
// m's vectors: word i's row is (n+1)·v − Σ rows of its n-grams, where v
// is its vector and n the number of its n-grams (those of Subwords's
// buckets that have no row count as zero rows), and bucket b's row is
// Subwords's row for b or zeros. A word outside Words then gets from
// fastText the sum of its n-grams' rows over the number of its n-grams,
// while Subwords.MeanVector divides by the number of rows it found: the
// two are the same vector when every n-gram of the word has a row, and
// otherwise point the same way (fastText's is shorter), so cosine
// similarities and `fasttext nn` agree. The output matrix, which only
// training and classification use, is written as zeros.
//
// Args fields other than Dim, Bucket, MinN and MaxN are written as given,
// and those left zero take DefaultArgs' values; Bucket, MinN and MaxN are
// Subwords's (0, 0 and 0 without it).
//
// Errors: m's own problems wrap errdefs.ErrInvalid, ErrDimension (vector
// and table sizes) or ErrDuplicateKey; w's errors are returned as they
// are.
func Write(w io.Writer, m *Model) error {
	a, err := m.writeArgs()
	if err != nil {
		return err
	}
	if err := m.checkWrite(a); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	b := make([]byte, 0, 1<<16)
	flush := func() error {
		_, err := bw.Write(b)
		b = b[:0]
		return err
	}
	i32 := func(v int32) { b = binary.LittleEndian.AppendUint32(b, uint32(v)) }
	i64 := func(v int64) { b = binary.LittleEndian.AppendUint64(b, uint64(v)) }
	f32 := func(x float32) error {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
		if len(b) >= cap(b)-8 {
			return flush()
		}
		return nil
	}

	i32(Magic)
	i32(Version)
	for _, v := range []int32{a.Dim, a.WS, a.Epoch, a.MinCount, a.Neg, a.WordNgrams, int32(a.Loss), int32(a.Model), a.Bucket, a.MinN, a.MaxN, a.LrUpdateRate} {
		i32(v)
	}
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(a.T))

	count := func(c []int64, i int) int64 {
		if c == nil {
			return 1
		}
		return c[i]
	}
	tokens := m.Tokens
	if tokens <= 0 {
		tokens = 0
		for i := range m.Words {
			tokens += count(m.Counts, i)
		}
		for i := range m.Labels {
			tokens += count(m.LabelCounts, i)
		}
	}
	nwords, nlabels := len(m.Words), len(m.Labels)
	i32(int32(nwords + nlabels))
	i32(int32(nwords))
	i32(int32(nlabels))
	i64(tokens)
	i64(-1) // no pruned index
	entry := func(word string, c int64, typ byte) error {
		b = append(b, word...)
		b = append(b, 0)
		i64(c)
		b = append(b, typ)
		if len(b) >= cap(b)/2 {
			return flush()
		}
		return nil
	}
	for i, word := range m.Words {
		if err := entry(word, count(m.Counts, i), 0); err != nil {
			return err
		}
	}
	for i, label := range m.Labels {
		if err := entry(label, count(m.LabelCounts, i), 1); err != nil {
			return err
		}
	}

	// The input matrix.
	dim := int(a.Dim)
	b = append(b, 0) // dense
	i64(int64(nwords) + int64(a.Bucket))
	i64(int64(dim))
	s := m.Subwords
	var buckets []uint32
	sum := make([]float64, dim)
	for i, word := range m.Words {
		v := m.Vectors[i*dim : (i+1)*dim]
		clear(sum)
		buckets = buckets[:0]
		if s != nil {
			buckets = appendBuckets(buckets, word, int(a.MinN), int(a.MaxN), uint32(a.Bucket))
		}
		for _, g := range buckets {
			if r, ok := slices.BinarySearch(s.Hashes, g); ok {
				for j, x := range s.Vector(r) {
					sum[j] += float64(x)
				}
			}
		}
		n := float64(1 + len(buckets))
		for j, x := range v {
			y := float32(n*float64(x) - sum[j])
			if math.IsInf(float64(y), 0) {
				return errdefs.Newf(errdefs.ErrInvalid, "word %s: its fastText input row overflows float32", errdefs.QuotePrefix(word, 40))
			}
			if err := f32(y); err != nil {
				return err
			}
		}
	}
	var zero [1 << 12]byte
	zeros := func(rows int64) error {
		if err := flush(); err != nil {
			return err
		}
		for n := rows * int64(dim) * 4; n > 0; {
			k, err := bw.Write(zero[:min(n, int64(len(zero)))])
			if err != nil {
				return err
			}
			n -= int64(k)
		}
		return nil
	}
	if s != nil {
		next := int64(0) // the next bucket to write
		for r, h := range s.Hashes {
			if err := zeros(int64(h) - next); err != nil {
				return err
			}
			for _, x := range s.Vector(r) {
				if err := f32(x); err != nil {
					return err
				}
			}
			next = int64(h) + 1
		}
		if err := zeros(int64(s.Buckets) - next); err != nil {
			return err
		}
	}

	// The output matrix, zeros.
	b = append(b, 0)
	out := int64(nwords)
	if a.Model == Supervised {
		out = int64(nlabels)
	}
	i64(out)
	i64(int64(dim))
	if err := zeros(out); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	return bw.Flush()
}

// writeArgs returns the arguments Write writes.
func (m *Model) writeArgs() (Args, error) {
	a := m.Args
	if a.Dim < 1 || a.Dim > format.MaxDim {
		return a, errdefs.Newf(errdefs.ErrInvalid, "fastText model dimension %d out of range 1..%d", a.Dim, format.MaxDim)
	}
	d := DefaultArgs(int(a.Dim))
	for _, f := range []struct{ v, def *int32 }{{&a.WS, &d.WS}, {&a.Epoch, &d.Epoch}, {&a.MinCount, &d.MinCount},
		{&a.Neg, &d.Neg}, {&a.WordNgrams, &d.WordNgrams}, {&a.LrUpdateRate, &d.LrUpdateRate}} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
	if a.Loss == 0 {
		a.Loss = d.Loss
	}
	if a.Model == 0 {
		a.Model = d.Model
	}
	if a.T == 0 {
		a.T = d.T
	}
	switch {
	case a.Loss < LossHS || a.Loss > LossOneVsAll:
		return a, errdefs.Newf(errdefs.ErrInvalid, "unknown fastText loss %d", a.Loss)
	case a.Model < CBOW || a.Model > Supervised:
		return a, errdefs.Newf(errdefs.ErrInvalid, "unknown fastText model kind %d", a.Model)
	}
	a.Bucket, a.MinN, a.MaxN = 0, 0, 0
	if s := m.Subwords; s != nil {
		a.Bucket, a.MinN, a.MaxN = int32(min(s.Buckets, math.MaxInt32)), int32(min(s.MinN, MaxN)), int32(min(s.MaxN, MaxN))
	}
	return a, nil
}

// checkWrite checks m's sizes, names and values before anything is written.
func (m *Model) checkWrite(a Args) error {
	dim := int(a.Dim)
	switch {
	case len(m.Vectors) != len(m.Words)*dim:
		return errdefs.Newf(errdefs.ErrDimension, "%d values for %d words of dimension %d", len(m.Vectors), len(m.Words), dim)
	case m.Counts != nil && len(m.Counts) != len(m.Words):
		return errdefs.Newf(errdefs.ErrInvalid, "%d counts for %d words", len(m.Counts), len(m.Words))
	case m.LabelCounts != nil && len(m.LabelCounts) != len(m.Labels):
		return errdefs.Newf(errdefs.ErrInvalid, "%d counts for %d labels", len(m.LabelCounts), len(m.Labels))
	case int64(len(m.Words))+int64(len(m.Labels))+int64(a.Bucket) > math.MaxInt32:
		return errdefs.Newf(errdefs.ErrInvalid, "%d words, %d labels and %d buckets are more than a fastText model holds", len(m.Words), len(m.Labels), a.Bucket)
	}
	if s := m.Subwords; s != nil {
		switch {
		case s.Dim != dim:
			return errdefs.Newf(errdefs.ErrDimension, "subword rows of dimension %d for vectors of dimension %d", s.Dim, dim)
		case len(s.Vectors) != len(s.Hashes)*s.Dim:
			return errdefs.Newf(errdefs.ErrDimension, "%d subword values for %d rows of dimension %d", len(s.Vectors), len(s.Hashes), s.Dim)
		case s.MinN < 1 || s.MaxN < s.MinN || s.MaxN > MaxN:
			return errdefs.Newf(errdefs.ErrInvalid, "subword n-grams of %d..%d characters", s.MinN, s.MaxN)
		case s.Buckets < 1 || s.Buckets > math.MaxInt32:
			return errdefs.Newf(errdefs.ErrInvalid, "subword bucket count %d out of range", s.Buckets)
		}
		for i, h := range s.Hashes {
			if int64(h) >= int64(s.Buckets) || (i > 0 && h <= s.Hashes[i-1]) {
				return errdefs.Newf(errdefs.ErrInvalid, "subword bucket %d (row %d) out of order or range", h, i)
			}
		}
		if err := allFinite("subword row", s.Vectors, dim, nil); err != nil {
			return err
		}
	}
	seen := make(map[string]struct{}, len(m.Words)+len(m.Labels))
	for _, list := range [][]string{m.Words, m.Labels} {
		for _, w := range list {
			switch {
			case w == "":
				return errdefs.Newf(errdefs.ErrInvalid, "a fastText model cannot hold an empty word")
			case strings.IndexByte(w, 0) >= 0:
				return errdefs.Newf(errdefs.ErrInvalid, "word %s holds a NUL byte, which ends a word in a fastText model", errdefs.QuotePrefix(w, 40))
			case len(w) > format.MaxKeyBytes:
				return errdefs.KeyTooLong(w)
			}
			if _, dup := seen[w]; dup {
				return errdefs.Newf(errdefs.ErrDuplicateKey, "word %s appears twice", errdefs.QuotePrefix(w, 40))
			}
			seen[w] = struct{}{}
		}
	}
	for _, c := range [][]int64{m.Counts, m.LabelCounts} {
		for i, n := range c {
			if n < 0 {
				return errdefs.Newf(errdefs.ErrInvalid, "count %d of entry %d is negative", n, i)
			}
		}
	}
	return allFinite("vector", m.Vectors, dim, m.Words)
}

func allFinite(what string, v []float32, dim int, names []string) error {
	for i, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			if names != nil {
				return errdefs.Newf(errdefs.ErrInvalid, "%s of %s: value %d is %v", what, errdefs.QuotePrefix(names[i/dim], 40), i%dim+1, x)
			}
			return errdefs.Newf(errdefs.ErrInvalid, "%s %d: value %d is %v", what, i/dim, i%dim+1, x)
		}
	}
	return nil
}
