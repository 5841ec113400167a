package format

import (
	"bytes"
	"io"
	"math"
	"math/rand"
	"testing"
)

// benchFile returns a word2vec text file of n rows of dim random values.
// With short set, values have at most 6 decimals, as in GloVe's files.
func benchFile(b *testing.B, f Format, n, dim int, short bool) []byte {
	rng := rand.New(rand.NewSource(1))
	var buf bytes.Buffer
	w, err := NewWriter(&buf, f, n, dim)
	if err != nil {
		b.Fatal(err)
	}
	vec := make([]float32, dim)
	for i := 0; i < n; i++ {
		for j := range vec {
			vec[j] = float32(rng.NormFloat64())
			if short {
				vec[j] = float32(math.Round(rng.NormFloat64()*1e6) / 1e6)
			}
		}
		if err := w.Write("w"+string(rune('a'+i%26))+itoa(i), vec); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func itoa(i int) string {
	var d [20]byte
	p := len(d)
	for {
		p--
		d[p] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			return string(d[p:])
		}
	}
}

func benchRead(b *testing.B, f Format, n, dim int, short bool) {
	data := benchFile(b, f, n, dim, short)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := NewReader(bytes.NewReader(data), ReaderOptions{})
		if err != nil {
			b.Fatal(err)
		}
		rows := 0
		for {
			_, _, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			rows++
		}
		if rows != n {
			b.Fatalf("%d rows, want %d", rows, n)
		}
	}
}

// BenchmarkReadWord2VecText reads a 100k x 100 word2vec text file per
// iteration: shortest float32 text (about 110 MB, strconv's path) and values
// with 6 decimals as GloVe writes them (about 90 MB, the fast path).
func BenchmarkReadWord2VecText(b *testing.B) {
	b.Run("n=100000/dim=100/float32", func(b *testing.B) { benchRead(b, Word2VecText, 100000, 100, false) })
	b.Run("n=100000/dim=100/6decimals", func(b *testing.B) { benchRead(b, Word2VecText, 100000, 100, true) })
}

func BenchmarkReadWord2VecBinary(b *testing.B) {
	b.Run("n=100000/dim=100", func(b *testing.B) { benchRead(b, Word2VecBinary, 100000, 100, false) })
}
