package fasttext

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/vecdb/vecdb/format"
)

// FuzzReadBin reads arbitrary bytes as a model, with and without the
// size: it must not panic, every error must be a *format.Error with an
// offset inside the data, both must accept the same files, and an
// accepted model must be consistent and survive Write and Read.
func FuzzReadBin(f *testing.F) {
	b := mustRead(f, "testdata/tiny.bin")
	f.Add(b)
	f.Add(b[:200])
	f.Add(put32(b, offVersion, 11))
	f.Add(put64(b, offPruned, 0))
	for _, m := range []*Model{
		{Args: Args{Dim: 2, Model: Supervised}, Words: []string{"good", "bad"}, Vectors: []float32{1, 2, 3, 4}, Labels: []string{"__label__x"}, Subwords: subTable(2)},
		{Args: Args{Dim: 3}, Words: []string{"b", "a", "</s>"}, Vectors: []float32{1, 2, 3, -1, 0.5, 0.25, 7, 8, 9}},
	} {
		var buf bytes.Buffer
		if err := Write(&buf, m); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var models [2]*Model
		for k, size := range []int64{0, int64(len(data))} {
			m, err := Read(bytes.NewReader(data), ReadOptions{Size: size, AllBuckets: k == 1})
			if err != nil {
				var fe *format.Error
				if !errors.As(err, &fe) || fe.Offset < 0 || fe.Offset > int64(len(data)) {
					t.Fatalf("size %d: %v (%T)", size, err, err)
				}
				continue
			}
			checkModel(t, m)
			models[k] = m
		}
		if (models[0] == nil) != (models[1] == nil) {
			t.Fatalf("read without the size: %v, with it: %v", models[0] != nil, models[1] != nil)
		}
		m := models[0]
		if m == nil {
			return
		}
		var buf bytes.Buffer
		if err := Write(&buf, m); err != nil {
			return // a word fastText stores but Write refuses, such as ""
		}
		back, err := Read(&buf, ReadOptions{})
		if err != nil {
			t.Fatalf("reading what Write wrote: %v", err)
		}
		if !slices.Equal(back.Words, m.Words) || !slices.Equal(back.Labels, m.Labels) {
			t.Fatal("words changed on the way through Write")
		}
	})
}

func checkModel(t *testing.T, m *Model) {
	dim := m.Dim()
	if dim < 1 || len(m.Vectors) != len(m.Words)*dim || len(m.Counts) != len(m.Words) || len(m.LabelCounts) != len(m.Labels) {
		t.Fatalf("dim %d, %d values for %d words, %d counts", dim, len(m.Vectors), len(m.Words), len(m.Counts))
	}
	for _, x := range m.Vectors {
		if math.IsNaN(float64(x)) {
			t.Fatal("NaN in a vector")
		}
	}
	if s := m.Subwords; s != nil {
		if s.Dim != dim || len(s.Vectors) != s.Len()*dim || s.MinN < 1 || s.MaxN < s.MinN || s.Buckets < 1 {
			t.Fatalf("subwords %d×%d, %d values, n-grams %d..%d, %d buckets", s.Len(), s.Dim, len(s.Vectors), s.MinN, s.MaxN, s.Buckets)
		}
		for i, h := range s.Hashes {
			if int(h) >= s.Buckets || (i > 0 && h <= s.Hashes[i-1]) {
				t.Fatalf("hash %d at row %d", h, i)
			}
		}
	}
}
