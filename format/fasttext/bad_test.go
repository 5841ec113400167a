package fasttext

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"runtime"
	"slices"
	"testing"

	"github.com/vecdb/vecdb/format"
	"github.com/vecdb/vecdb/trainer"
)

// Offsets in a version-12 file (see the package documentation).
const (
	offVersion = 4
	offDim     = 8
	offLoss    = 32
	offModel   = 36
	offBucket  = 40
	offMinN    = 44
	offMaxN    = 48
	offDict    = 64 // size, nwords, nlabels, ntokens, pruneidx_size
	offPruned  = 84
	offEntries = 92
)

// tinyLayout returns the fixture's bytes, the offset of each dictionary
// entry and of the input matrix's quantization flag.
func tinyLayout(t *testing.T) (b []byte, entries []int, quant int) {
	t.Helper()
	b = mustRead(t, "testdata/tiny.bin")
	size := int(binary.LittleEndian.Uint32(b[offDict:]))
	at := offEntries
	for range size {
		entries = append(entries, at)
		at += bytes.IndexByte(b[at:], 0) + 1 + 9
	}
	return b, entries, at
}

func put32(b []byte, at int, v int32) []byte {
	b = slices.Clone(b)
	binary.LittleEndian.PutUint32(b[at:], uint32(v))
	return b
}

func put64(b []byte, at int, v int64) []byte {
	b = slices.Clone(b)
	binary.LittleEndian.PutUint64(b[at:], uint64(v))
	return b
}

func readBytes(b []byte, opts ReadOptions) (*Model, error) {
	return Read(bytes.NewReader(b), opts)
}

func TestReadBadInput(t *testing.T) {
	b, entries, q := tinyLayout(t)
	rows := q + 17 // the first input row
	nwords := len(entries)
	nan := math.Float32bits(float32(math.NaN()))
	inf := math.Float32bits(float32(math.Inf(-1)))
	outRows := rows + (nwords+500)*8*4 + 17
	set := func(at int, v ...byte) []byte { c := slices.Clone(b); copy(c[at:], v); return c }
	insert := func(at int, v []byte) []byte { return slices.Concat(b[:at], v, b[at:]) }
	cases := []struct {
		name string
		data []byte
		want error
		at   int64
	}{
		{"empty file", nil, format.ErrTruncated, 0},
		{"wrong magic", put32(b, 0, 12345), format.ErrHeader, 0},
		{"a text file", []byte("3 2\nthe 0.1 0.2\n"), format.ErrHeader, 0},
		{"version 13", put32(b, offVersion, 13), format.ErrHeader, offVersion},
		{"version 10", put32(b, offVersion, 10), format.ErrHeader, offVersion},
		{"dimension 0", put32(b, offDim, 0), format.ErrHeader, offDim},
		{"dimension too large", put32(b, offDim, format.MaxDim+1), format.ErrHeader, offDim},
		{"dimension not the matrix's", put32(b, offDim, 9), format.ErrRagged, int64(q + 9)},
		{"bucket count not the matrix's", put32(b, offBucket, 501), format.ErrRagged, int64(q + 1)},
		{"matrix rows not the counts'", put64(b, q+1, 556), format.ErrRagged, int64(q + 1)},
		{"no buckets with n-grams", put32(b, offBucket, 0), format.ErrHeader, offBucket},
		{"negative bucket count", put32(b, offBucket, -1), format.ErrHeader, offBucket},
		{"unknown loss", put32(b, offLoss, 5), format.ErrHeader, offLoss},
		{"unknown model kind", put32(b, offModel, 0), format.ErrHeader, offModel},
		{"negative minn", put32(b, offMinN, -2), format.ErrHeader, offMinN},
		{"absurd maxn", put32(b, offMaxN, MaxN+1), format.ErrHeader, offMaxN},
		{"entries not words plus labels", put32(b, offDict+4, 3), format.ErrSyntax, offDict},
		{"negative token count", put64(b, offDict+12, -5), format.ErrSyntax, offDict + 12},
		{"bad pruned-index size", put64(b, offPruned, -7), format.ErrSyntax, offPruned},
		{"entry of type 2", set(entries[3]-1, 2), format.ErrSyntax, int64(entries[3] - 1)},
		{"label among the words", set(entries[3]-1, 1), format.ErrSyntax, int64(entries[3] - 1)},
		{"negative count", put64(b, entries[2]-9, -1), format.ErrSyntax, int64(entries[2] - 9)},
		{"duplicate word", set(entries[1], 't', 'h', 'e'), format.ErrDuplicate, int64(entries[1])},
		{"word too long", slices.Concat(b[:offEntries], bytes.Repeat([]byte("a"), format.MaxKeyBytes+1), b[offEntries:]), format.ErrKeyTooLong, offEntries},
		{"quantized", set(q, 1), ErrQuantized, int64(q)},
		{"quantization flag 2", set(q, 2), format.ErrSyntax, int64(q)},
		{"output flag 2", set(outRows-17, 2), format.ErrSyntax, int64(outRows - 17)},
		{"pruned but dense", put64(b, offPruned, 0), format.ErrHeader, int64(q)},
		{"pruned and quantized", func() []byte {
			c := insert(q, make([]byte, 16))
			c[q+16] = 1
			return put64(c, offPruned, 2)
		}(), ErrQuantized, int64(q + 16)},
		{"NaN in a word's row", put32(b, rows+4*(8*3+5), int32(nan)), format.ErrNotFinite, int64(rows + 4*(8*3+5))},
		{"infinity in a bucket's row", put32(b, rows+4*8*(nwords+7), int32(inf)), format.ErrNotFinite, int64(rows + 4*8*(nwords+7))},
		{"NaN in the output matrix", put32(b, outRows+4*9, int32(nan)), format.ErrNotFinite, int64(outRows + 4*9)},
		{"output matrix of another dimension", put64(b, outRows-8, 7), format.ErrRagged, int64(outRows - 8)},
		{"output matrix rows", put64(b, outRows-16, 7), format.ErrRagged, int64(outRows - 16)},
	}
	for _, c := range cases {
		for _, size := range []int64{0, int64(len(c.data))} {
			_, err := readBytes(c.data, ReadOptions{Size: size})
			if err == nil {
				t.Errorf("%s: no error", c.name)
				continue
			}
			if !errors.Is(err, c.want) {
				t.Errorf("%s: %v, want %v", c.name, err, c.want)
				continue
			}
			var fe *format.Error
			if !errors.As(err, &fe) || fe.Offset != c.at {
				t.Errorf("%s: %v, want offset %d", c.name, err, c.at)
			}
			if size == 0 && len(c.data) > 0 {
				t.Logf("%s: %v", c.name, err)
			}
		}
	}
	if !errors.Is(ErrQuantized, format.ErrHeader) {
		t.Fatal("ErrQuantized does not match format.ErrHeader")
	}
}

// Every prefix of the file is an error at an offset inside it, with the
// size given or not.
func TestReadTruncated(t *testing.T) {
	b, _, _ := tinyLayout(t)
	for n := 0; n < len(b); n++ {
		if n > 200 && n%37 != 0 && n < len(b)-200 {
			continue
		}
		for _, size := range []int64{0, int64(n)} {
			_, err := readBytes(b[:n], ReadOptions{Size: size})
			var fe *format.Error
			if !errors.Is(err, format.ErrTruncated) || !errors.As(err, &fe) || fe.Offset > int64(n) {
				t.Fatalf("%d of %d bytes (size %d): %v", n, len(b), size, err)
			}
		}
	}
	if _, err := readBytes(slices.Concat(b, []byte("trailing bytes")), ReadOptions{}); err != nil {
		t.Fatalf("bytes after the model: %v", err)
	}
}

// Counts far beyond the file reserve no memory: with the size known they
// are refused before anything is read for them, and without it memory
// grows only with the bytes read.
func TestReadAbsurdCounts(t *testing.T) {
	b, entries, q := tinyLayout(t)
	nwords := int64(len(entries))
	hugeDict := put32(put32(b, offDict, math.MaxInt32), offDict+4, math.MaxInt32)
	hugeBuckets := put64(put32(b, offBucket, math.MaxInt32), q+1, nwords+math.MaxInt32)
	hugePruned := put64(b, offPruned, math.MaxInt32)
	for _, c := range []struct {
		name   string
		data   []byte
		sizeAt int64 // the error's offset when the size is known
	}{
		{"dictionary", hugeDict, offDict},
		{"buckets", hugeBuckets, int64(q + 1)},
		{"pruned index", hugePruned, int64(q)},
	} {
		for _, all := range []bool{false, true} {
			for _, size := range []int64{0, int64(len(c.data))} {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				_, err := readBytes(c.data, ReadOptions{Size: size, AllBuckets: all})
				runtime.ReadMemStats(&after)
				// without the size, the reader goes on until the
				// bytes make no sense or end
				var fe *format.Error
				if !errors.As(err, &fe) {
					t.Fatalf("%s (size %d): %v", c.name, size, err)
				}
				if size > 0 && (!errors.Is(err, format.ErrTruncated) || fe.Offset != c.sizeAt) {
					t.Errorf("%s (size %d): %v, want offset %d", c.name, size, err, c.sizeAt)
				}
				if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
					t.Errorf("%s (size %d, all buckets %v): %d bytes allocated for a %d-byte file", c.name, size, all, grew, len(c.data))
				}
			}
		}
	}
}

// Version 11 reads as version 12, except that a classifier of version 11
// has no character n-grams (as fastText reads it).
func TestReadVersion11(t *testing.T) {
	b, _, _ := tinyLayout(t)
	m, err := readBytes(put32(b, offVersion, 11), ReadOptions{})
	if err != nil || m.Version != 11 || m.Subwords == nil {
		t.Fatalf("version 11 skipgram: %v", err)
	}
	sup := &Model{Args: Args{Dim: 2, Model: Supervised}, Words: []string{"good", "bad"}, Vectors: []float32{1, 2, 3, 4},
		Labels: []string{"__label__x"}, Subwords: subTable(2)}
	var buf bytes.Buffer
	if err := Write(&buf, sup); err != nil {
		t.Fatal(err)
	}
	m, err = readBytes(buf.Bytes(), ReadOptions{})
	if err != nil || m.Subwords == nil {
		t.Fatalf("version 12 classifier with n-grams: %v", err)
	}
	sameVectors(t, "version 12 classifier", m.Vectors, sup.Vectors)
	m, err = readBytes(put32(buf.Bytes(), offVersion, 11), ReadOptions{})
	if err != nil || m.Subwords != nil || m.Args.MaxN != 0 {
		t.Fatalf("version 11 classifier: %v, %+v", err, m.Args)
	}
	// its vectors are its words' own rows, which Write built for n-grams
	if slices.Equal(m.Vectors, sup.Vectors) {
		t.Fatal("version 11 classifier composed n-grams")
	}
}

func subTable(dim int) *trainer.Subwords {
	return &trainer.Subwords{MinN: 2, MaxN: 3, Buckets: 10, Dim: dim, Hashes: []uint32{1, 4, 8}, Vectors: slices.Repeat([]float32{0.5}, 3*dim)}
}

// An error of the reader itself is returned as it is.
func TestReadReaderError(t *testing.T) {
	b, _, _ := tinyLayout(t)
	boom := errors.New("disk on fire")
	for _, n := range []int64{0, 10, 100, 5000} {
		_, err := Read(io.MultiReader(bytes.NewReader(b[:n]), errReader{boom}), ReadOptions{})
		if !errors.Is(err, boom) {
			t.Fatalf("after %d bytes: %v", n, err)
		}
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
