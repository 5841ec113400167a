package fasttext

import (
	"bufio"
	"bytes"
	"errors"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/format"
)

// readFile reads a model file with opts, failing the test on error.
func readFile(t testing.TB, path string, opts ReadOptions) *Model {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if opts.Size == 0 {
		opts.Size = st.Size()
	}
	m, err := Read(f, opts)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return m
}

// parseVectors parses `fasttext print-word-vectors` output: a word, then
// its values, per line.
func parseVectors(t testing.TB, out []byte) (words []string, vecs [][]float32) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			t.Fatalf("bad print-word-vectors line %q", sc.Text())
		}
		v := make([]float32, len(f)-1)
		for j, s := range f[1:] {
			x, err := strconv.ParseFloat(s, 32)
			if err != nil {
				t.Fatal(err)
			}
			v[j] = float32(x)
		}
		words = append(words, f[0])
		vecs = append(vecs, v)
	}
	return words, vecs
}

// closeTo reports whether got equals want, printed by fastText with 5
// significant digits, within 1e-4 and within fastText's own rounding plus
// 1e-6: a component near zero is a sum of rows that cancel, and the two
// programs add them in float32 in different orders (one such component,
// -0.00011254951 against fastText's -0.00011254, is 9.5e-9 apart).
func closeTo(got, want []float32) bool {
	if len(got) != len(want) {
		return false
	}
	for j := range got {
		d := math.Abs(float64(got[j] - want[j]))
		if d > 1e-4 || d > 6e-5*math.Abs(float64(want[j]))+1e-6 {
			return false
		}
	}
	return true
}

func cosine(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb)
}

// wantErr checks that err is a *format.Error at offset wrapping sentinel;
// offset -1 accepts any offset.
func wantErr(t testing.TB, err error, sentinel error, offset int64) {
	t.Helper()
	var fe *format.Error
	switch {
	case err == nil:
		t.Fatalf("no error, want %v", sentinel)
	case !errors.As(err, &fe):
		t.Fatalf("error %v (%T) is not a *format.Error", err, err)
	case !errors.Is(err, sentinel):
		t.Fatalf("error %v does not match %v", err, sentinel)
	case offset >= 0 && fe.Offset != offset:
		t.Fatalf("error %v at offset %d, want %d", err, fe.Offset, offset)
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
