package fasttext

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"

	"github.com/vecdb/vecdb/format"
	"github.com/vecdb/vecdb/internal/errdefs"
	"github.com/vecdb/vecdb/internal/vec"
	"github.com/vecdb/vecdb/trainer"
)

// ErrQuantized is returned (wrapped in a *format.Error) for a quantized
// model, such as the .ftz files `fasttext quantize` writes: its rows are
// product-quantized codes, not vectors. It matches format.ErrHeader.
var ErrQuantized = fmt.Errorf("%w: quantized model (.ftz) not supported, use the .bin it was made from", format.ErrHeader)

// MaxN is the longest character n-gram (fastText's maxn) that Read and
// Write accept, the bound of vecdb's own training (trainer.Config);
// fastText's default is 6. It bounds the work per byte of a word.
const MaxN = 32

// ReadOptions configures Read. The zero value keeps every word and the
// bucket rows the words' n-grams use.
type ReadOptions struct {
	// Size is the length of the file in bytes when known (from Stat), or
	// 0. With it every count in the file is checked against the bytes left
	// before anything is read or reserved for it; without it memory still
	// grows only with the bytes actually read.
	Size int64
	// Limit keeps only the first Limit words, the most frequent (gensim's
	// limit); 0 keeps them all. The others are read and checked but not
	// kept, and neither are the n-gram rows only they use.
	Limit int
	// AllBuckets keeps every n-gram row, so that Subwords gives every
	// word outside the vocabulary exactly fastText's vector, at the cost
	// of the whole table (2,000,000 rows by default). Without it only the
	// rows that the kept words' n-grams use are kept, and of those only
	// the ones that are not all zeros.
	AllBuckets bool
}

// Read reads a fastText model file (the .bin that `fasttext skipgram`,
// `cbow` and `supervised` save) from r and computes every kept word's
// vector. Problems in the file are *format.Error values with the byte
// Offset of the field at fault, wrapping format.ErrHeader (wrong magic,
// version or arguments; ErrQuantized), format.ErrTruncated,
// format.ErrRagged (matrix sizes that disagree with the arguments and the
// dictionary), format.ErrNotFinite, format.ErrSyntax (a damaged
// dictionary), format.ErrDuplicate or format.ErrKeyTooLong; read errors of
// r are returned as they are. Bytes after the model are not read.
func Read(r io.Reader, opts ReadOptions) (*Model, error) {
	rd := &reader{r: bufio.NewReaderSize(r, 1<<16), size: opts.Size, buf: make([]byte, 1<<16)}
	m, err := rd.model(opts)
	if err != nil {
		return nil, err
	}
	return m, nil
}

type reader struct {
	r    *bufio.Reader
	off  int64 // bytes consumed
	size int64 // file length, or 0
	buf  []byte
}

func (rd *reader) fail(at int64, sentinel error, msg string, a ...any) error {
	return &format.Error{Offset: at, Msg: fmt.Sprintf(msg, a...), Err: sentinel}
}

// read returns the next n bytes (n <= len(rd.buf)); what names them in
// the error when the file ends first.
func (rd *reader) read(n int, what string) ([]byte, error) {
	at := rd.off
	k, err := io.ReadFull(rd.r, rd.buf[:n])
	rd.off += int64(k)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, rd.fail(at, format.ErrTruncated, "file ends inside %s: %d of %d bytes", what, k, n)
		}
		return nil, err
	}
	return rd.buf[:n], nil
}

// need checks, when the file's size is known, that n more bytes are left.
func (rd *reader) need(at int64, n uint64, what string) error {
	if rd.size <= 0 {
		return nil
	}
	left := uint64(max(rd.size-rd.off, 0))
	if n > left {
		return rd.fail(at, format.ErrTruncated, "%s needs %d bytes, the file has %d left", what, n, left)
	}
	return nil
}

func i32(b []byte) int32 { return int32(binary.LittleEndian.Uint32(b)) }
func i64(b []byte) int64 { return int64(binary.LittleEndian.Uint64(b)) }

func (rd *reader) model(opts ReadOptions) (*Model, error) {
	m := &Model{}
	if err := rd.header(m); err != nil {
		return nil, err
	}
	if err := rd.args(m); err != nil {
		return nil, err
	}
	if err := rd.dictionary(m); err != nil {
		return nil, err
	}
	nwords := len(m.Words)
	keep := nwords
	if opts.Limit > 0 && opts.Limit < keep {
		keep = opts.Limit
	}

	// The dense flag and the input matrix's size.
	at := rd.off
	b, err := rd.read(1, "the input matrix's quantization flag")
	if err != nil {
		return nil, err
	}
	switch b[0] {
	case 0:
	case 1:
		return nil, rd.fail(at, ErrQuantized, "the model is quantized (a .ftz file, from fasttext quantize): only an unquantized .bin can be read")
	default:
		return nil, rd.fail(at, format.ErrSyntax, "quantization flag is %d, want 0 or 1", b[0])
	}
	if m.pruned {
		return nil, rd.fail(at, format.ErrHeader, "the dictionary is pruned but the input matrix is not quantized (fastText refuses such a file too)")
	}
	dim, bucket := int64(m.Args.Dim), int64(m.Args.Bucket)
	if err := rd.matrixSize("input", int64(nwords)+bucket, dim); err != nil {
		return nil, err
	}

	// Which buckets to keep.
	sub := m.subwordTable()
	var want bucketSet
	switch {
	case sub == nil:
	case opts.AllBuckets:
		want.all = uint32(bucket)
	default:
		want = usedBuckets(m, keep)
	}

	// Stream the input matrix: the words' rows, then the buckets'.
	if rd.size > 0 { // the file holds every row: reserve for the kept ones
		m.Vectors = make([]float32, 0, keep*int(dim))
		if sub != nil {
			sub.Vectors = make([]float32, 0, int(want.count())*int(dim))
		}
	}
	row := make([]float32, dim)
	for i := range int64(nwords) + bucket {
		at := rd.off
		if err := rd.row(row, "the row"); err != nil {
			return nil, nameRow(err, "input", i, m)
		}
		if err := finite(rd, at, row, "input", i, m); err != nil {
			return nil, err
		}
		switch {
		case i < int64(keep):
			m.Vectors = append(m.Vectors, row...)
		case i >= int64(nwords) && want.has(uint32(i-int64(nwords))) && (opts.AllBuckets || !zero(row)):
			sub.Hashes = append(sub.Hashes, uint32(i-int64(nwords)))
			sub.Vectors = append(sub.Vectors, row...)
		}
	}

	// The output matrix: checked, not kept.
	at = rd.off
	if b, err = rd.read(1, "the output matrix's quantization flag"); err != nil {
		return nil, err
	}
	if b[0] > 1 {
		return nil, rd.fail(at, format.ErrSyntax, "quantization flag is %d, want 0 or 1", b[0])
	}
	outRows := int64(nwords)
	if m.Args.Model == Supervised {
		outRows = int64(len(m.Labels))
	}
	if err := rd.matrixSize("output", outRows, dim); err != nil {
		return nil, err
	}
	for i := range outRows {
		at := rd.off
		if err := rd.row(row, "the row"); err != nil {
			return nil, nameRow(err, "output", i, nil)
		}
		if err := finite(rd, at, row, "output", i, nil); err != nil {
			return nil, err
		}
	}

	for _, w := range m.Words[keep:] {
		delete(m.index, w)
	}
	m.Words, m.Counts = m.Words[:keep:keep], m.Counts[:keep:keep]
	m.Subwords = sub
	m.compose()
	return m, nil
}

func (rd *reader) header(m *Model) error {
	b, err := rd.read(8, "the header")
	if err != nil {
		return err
	}
	if magic := i32(b); magic != Magic {
		return rd.fail(0, format.ErrHeader, "not a fastText model: magic number %d, want %d", magic, Magic)
	}
	v := i32(b[4:])
	if v != 11 && v != Version {
		return rd.fail(4, format.ErrHeader, "fastText format version %d, want 11 or %d", v, Version)
	}
	m.Version = int(v)
	return nil
}

// args reads the 56 bytes of fastText's Args.
func (rd *reader) args(m *Model) error {
	start := rd.off
	b, err := rd.read(56, "the arguments")
	if err != nil {
		return err
	}
	f := func(i int) int32 { return i32(b[4*i:]) }
	a := Args{Dim: f(0), WS: f(1), Epoch: f(2), MinCount: f(3), Neg: f(4), WordNgrams: f(5),
		Loss: Loss(f(6)), Model: Kind(f(7)), Bucket: f(8), MinN: f(9), MaxN: f(10), LrUpdateRate: f(11),
		T: math.Float64frombits(binary.LittleEndian.Uint64(b[48:]))}
	at := func(i int) int64 { return start + 4*int64(i) }
	switch {
	case a.Dim < 1 || a.Dim > format.MaxDim:
		return rd.fail(at(0), format.ErrHeader, "dimension %d out of range 1..%d", a.Dim, format.MaxDim)
	case a.Loss < LossHS || a.Loss > LossOneVsAll:
		return rd.fail(at(6), format.ErrHeader, "unknown loss %d", a.Loss)
	case a.Model < CBOW || a.Model > Supervised:
		return rd.fail(at(7), format.ErrHeader, "unknown model kind %d", a.Model)
	case a.Bucket < 0:
		return rd.fail(at(8), format.ErrHeader, "bucket count %d is negative", a.Bucket)
	case a.MinN < 0:
		return rd.fail(at(9), format.ErrHeader, "minn %d is negative", a.MinN)
	case a.MaxN < 0 || a.MaxN > MaxN:
		return rd.fail(at(10), format.ErrHeader, "maxn %d out of range 0..%d", a.MaxN, MaxN)
	}
	if m.Version == 11 && a.Model == Supervised {
		a.MaxN = 0 // as fastText reads it: version 11 classifiers had no n-grams
	}
	if a.Bucket == 0 && a.MaxN > 0 && a.MinN <= a.MaxN {
		return rd.fail(at(8), format.ErrHeader, "character n-grams of %d..%d characters but no buckets", a.MinN, a.MaxN)
	}
	m.Args = a
	return nil
}

// dictionary reads the words, labels and counts.
func (rd *reader) dictionary(m *Model) error {
	start := rd.off
	b, err := rd.read(28, "the dictionary header")
	if err != nil {
		return err
	}
	size, nwords, nlabels := i32(b), i32(b[4:]), i32(b[8:])
	ntokens, pruned := i64(b[12:]), i64(b[20:])
	switch {
	case size < 0 || nwords < 0 || nlabels < 0 || int64(nwords)+int64(nlabels) != int64(size):
		return rd.fail(start, format.ErrSyntax, "dictionary of %d entries holds %d words and %d labels", size, nwords, nlabels)
	case ntokens < 0:
		return rd.fail(start+12, format.ErrSyntax, "token count %d is negative", ntokens)
	case pruned < -1 || pruned > math.MaxInt32:
		return rd.fail(start+20, format.ErrSyntax, "pruned-index size %d out of range", pruned)
	}
	// An entry is at least its NUL, count and type: 10 bytes.
	if err := rd.need(start, 10*uint64(size), fmt.Sprintf("a dictionary of %d entries, at least 10 bytes each,", size)); err != nil {
		return err
	}
	m.Tokens = ntokens
	m.index = make(map[string]int32, min(int(size), 1<<16))
	labels := make(map[string]int32)
	word := make([]byte, 0, 64)
	for i := range size {
		at := rd.off
		word = word[:0]
		for {
			c, err := rd.r.ReadByte()
			if err != nil {
				if errors.Is(err, io.EOF) {
					return rd.fail(at, format.ErrTruncated, "file ends inside dictionary entry %d", i)
				}
				return err
			}
			rd.off++
			if c == 0 {
				break
			}
			if len(word) == format.MaxKeyBytes {
				return rd.fail(at, format.ErrKeyTooLong, "dictionary entry %d is longer than the %d-byte key limit", i, format.MaxKeyBytes)
			}
			word = append(word, c)
		}
		cat := rd.off
		b, err := rd.read(9, fmt.Sprintf("dictionary entry %d", i))
		if err != nil {
			return err
		}
		count, typ := i64(b), b[8]
		if count < 0 {
			return rd.fail(cat, format.ErrSyntax, "dictionary entry %d has count %d", i, count)
		}
		w := string(word)
		switch {
		case typ > 1:
			return rd.fail(cat+8, format.ErrSyntax, "dictionary entry %d has type %d, want 0 (word) or 1 (label)", i, typ)
		case (typ == 0) != (i < nwords):
			return rd.fail(cat+8, format.ErrSyntax, "dictionary entry %d is a %s among the %ss", i, [2]string{"word", "label"}[typ], [2]string{"label", "word"}[typ])
		}
		if typ == 0 {
			if j, dup := m.index[w]; dup {
				return rd.fail(at, format.ErrDuplicate, "word %q repeats entry %d", w, j)
			}
			m.index[w] = i
			m.Words = append(m.Words, w)
			m.Counts = append(m.Counts, count)
		} else {
			if j, dup := labels[w]; dup {
				return rd.fail(at, format.ErrDuplicate, "label %q repeats entry %d", w, j)
			}
			labels[w] = i
			m.Labels = append(m.Labels, w)
			m.LabelCounts = append(m.LabelCounts, count)
		}
	}
	// The pruned index maps buckets to the rows a quantized model kept;
	// it is read past here, and the quantized model refused after it.
	if pruned >= 0 {
		m.pruned = true
		at := rd.off
		if err := rd.need(at, 8*uint64(pruned), "the pruned index"); err != nil {
			return err
		}
		n, err := io.CopyN(io.Discard, rd.r, 8*pruned)
		rd.off += n
		if err != nil {
			if errors.Is(err, io.EOF) {
				return rd.fail(at, format.ErrTruncated, "file ends inside the pruned index: %d of %d bytes", n, 8*pruned)
			}
			return err
		}
	}
	return nil
}

// matrixSize reads a dense matrix's int64 rows and columns and checks
// them against want×dim and the bytes left.
func (rd *reader) matrixSize(name string, rows, dim int64) error {
	at := rd.off
	b, err := rd.read(16, "the "+name+" matrix's size")
	if err != nil {
		return err
	}
	m, n := i64(b), i64(b[8:])
	if n != dim {
		return rd.fail(at+8, format.ErrRagged, "the %s matrix has %d columns, the arguments say dimension %d", name, n, dim)
	}
	if m != rows {
		return rd.fail(at, format.ErrRagged, "the %s matrix has %d rows, want %d", name, m, rows)
	}
	return rd.need(at, uint64(m)*uint64(n)*4, fmt.Sprintf("the %s matrix of %d×%d values", name, m, n))
}

// row reads len(dst) little-endian float32 values.
func (rd *reader) row(dst []float32, what string) error {
	for done := 0; done < len(dst); {
		k := min(len(dst)-done, len(rd.buf)/4)
		b, err := rd.read(4*k, what)
		if err != nil {
			return err
		}
		for j := range k {
			dst[done+j] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*j:]))
		}
		done += k
	}
	return nil
}

// rowName names row i of a matrix: `input matrix row 3 (word "a")`, or
// `output matrix row 7` when m is nil.
func rowName(matrix string, i int64, m *Model) string {
	switch {
	case m == nil:
		return fmt.Sprintf("%s matrix row %d", matrix, i)
	case i < int64(len(m.Words)):
		return fmt.Sprintf("%s matrix row %d (word %s)", matrix, i, errdefs.QuotePrefix(m.Words[i], 40))
	}
	return fmt.Sprintf("%s matrix row %d (bucket %d)", matrix, i, i-int64(len(m.Words)))
}

// nameRow puts the row's name in front of a *format.Error from reading it.
func nameRow(err error, matrix string, i int64, m *Model) error {
	var fe *format.Error
	if errors.As(err, &fe) {
		fe.Msg = rowName(matrix, i, m) + ": " + fe.Msg
	}
	return err
}

// finite checks row i of a matrix, read at offset at.
func finite(rd *reader, at int64, row []float32, matrix string, i int64, m *Model) error {
	if vec.Finite(row) {
		return nil
	}
	for j, x := range row {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return rd.fail(at+4*int64(j), format.ErrNotFinite, "%s, value %d is %v", rowName(matrix, i, m), j+1, x)
		}
	}
	return nil
}

func zero(row []float32) bool {
	for _, x := range row {
		if x != 0 {
			return false
		}
	}
	return true
}

// subwordTable returns an empty table for the model's n-grams, or nil
// when it has none.
func (m *Model) subwordTable() *trainer.Subwords {
	a := m.Args
	if a.MaxN == 0 || a.Bucket == 0 || a.MinN > a.MaxN {
		return nil
	}
	return &trainer.Subwords{MinN: max(int(a.MinN), 1), MaxN: int(a.MaxN), Buckets: int(a.Bucket), Dim: int(a.Dim)}
}

// bucketSet is the set of buckets whose rows Read keeps: all of the
// first all buckets, those of the bitmap bits, or those of the sorted
// list.
type bucketSet struct {
	all  uint32
	bits []uint64
	list []uint32
}

func (s *bucketSet) has(b uint32) bool {
	switch {
	case b < s.all:
		return true
	case s.bits != nil:
		return s.bits[b/64]&(1<<(b%64)) != 0
	}
	_, ok := slices.BinarySearch(s.list, b)
	return ok
}

// count returns the number of buckets in the set.
func (s *bucketSet) count() int {
	n := int(s.all) + len(s.list)
	for _, w := range s.bits {
		n += bits.OnesCount64(w)
	}
	return n
}

// usedBuckets returns the buckets of the n-grams of the first keep words.
// It holds the list of the used buckets until a bitmap of all buckets
// would be smaller, so that its memory grows with the words read and not
// with the bucket count the file claims.
func usedBuckets(m *Model, keep int) bucketSet {
	a := m.Args
	var s bucketSet
	var used []uint32
	for _, w := range m.Words[:keep] {
		used = appendBuckets(used, w, int(a.MinN), int(a.MaxN), uint32(a.Bucket))
		if s.bits == nil && 4*uint64(len(used)) < uint64(a.Bucket)/8 {
			continue
		}
		if s.bits == nil {
			s.bits = make([]uint64, (int(a.Bucket)+63)/64)
		}
		for _, b := range used {
			s.bits[b/64] |= 1 << (b % 64)
		}
		used = used[:0]
	}
	if s.bits == nil {
		slices.Sort(used)
		s.list = slices.Compact(used)
	}
	return s
}

// compose turns every word's own row in m.Vectors into its vector, the
// mean of that row and its n-grams' rows, summed in fastText's order in
// float32 as fastText sums them. An n-gram whose row is not kept (all
// zeros) adds nothing but counts, as in fastText.
func (m *Model) compose() {
	s, dim := m.Subwords, m.Dim()
	if s == nil {
		return
	}
	// rowOf[b] is bucket b's row, or -1: 4 bytes a bucket, where the
	// file held 4·dim for each.
	rowOf := make([]int32, s.Buckets)
	for b := range rowOf {
		rowOf[b] = -1
	}
	for r, b := range s.Hashes {
		rowOf[b] = int32(r)
	}
	var buckets []uint32
	for i, w := range m.Words {
		buckets = appendBuckets(buckets[:0], w, int(m.Args.MinN), int(m.Args.MaxN), uint32(s.Buckets))
		if len(buckets) == 0 {
			continue
		}
		v := m.Vectors[i*dim : (i+1)*dim]
		for _, b := range buckets {
			if r := rowOf[b]; r >= 0 {
				vec.Axpy(1, s.Vector(int(r)), v) // 1·x+y rounds as x+y
			}
		}
		vec.Scale(float32(1/float64(1+len(buckets))), v)
	}
}
