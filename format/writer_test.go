package format

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

// randomRows returns n seeded rows of dim values: unicode keys (with blanks,
// commas and quotes when spaces is true), negative, tiny and large values.
func randomRows(rng *rand.Rand, n, dim int, spaces bool) []row {
	parts := []string{"king", "Straße", "東京", "naïve", "😀", "x", "new", "c++", "a_b", "42"}
	if spaces {
		parts = append(parts, "new york", `say "hi"`, "a,b", " lead", "tab\there")
	}
	seen := map[string]bool{}
	rows := make([]row, 0, n)
	for len(rows) < n {
		key := parts[rng.Intn(len(parts))] + fmt.Sprint(rng.Intn(1000))
		if seen[key] {
			continue
		}
		seen[key] = true
		vec := make([]float32, dim)
		for j := range vec {
			switch rng.Intn(4) {
			case 0:
				vec[j] = float32(rng.NormFloat64())
			case 1:
				vec[j] = -float32(rng.Float64()) * 1e-30
			case 2:
				vec[j] = float32(rng.NormFloat64() * 1e20)
			default:
				vec[j] = math.Float32frombits(rng.Uint32() & 0x807fffff) // subnormal or zero
			}
		}
		rows = append(rows, row{key, vec})
	}
	return rows
}

func writeAll(t testing.TB, f Format, rows []row, dim int) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := NewWriter(&b, f, len(rows), dim)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Write(r.key, r.vec); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRoundTrip(t *testing.T) {
	for _, f := range []Format{GloVe, Word2VecText, Word2VecBinary, FastText, CSV, JSONL} {
		for _, zip := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/gzip=%v", f, zip), func(t *testing.T) {
				rng := rand.New(rand.NewSource(1))
				rows := randomRows(rng, 200, 7, f == CSV || f == JSONL)
				data := writeAll(t, f, rows, 7)
				if zip {
					data = gz(t, data)
				}
				for _, opts := range []ReaderOptions{{Format: f}, {}} {
					if opts.Format == Auto && f == FastText {
						opts.Format = Auto // sniffs as word2vec text: same bytes
					}
					r, got, err := readAll(t, data, opts)
					if err != nil {
						t.Fatalf("%+v: %v", opts, err)
					}
					want := f
					if opts.Format == Auto && f == FastText {
						want = Word2VecText
					}
					if r.Format() != want {
						t.Errorf("format %v, want %v", r.Format(), want)
					}
					if !reflect.DeepEqual(got, rows) {
						for i := range rows {
							if i >= len(got) || !reflect.DeepEqual(got[i], rows[i]) {
								t.Fatalf("%+v: row %d = %v, want %v", opts, i, got[i], rows[i])
							}
						}
						t.Fatalf("%+v: %d rows, want %d", opts, len(got), len(rows))
					}
				}
			})
		}
	}
}

func TestWriterOutput(t *testing.T) {
	rows := []row{{"a", []float32{1, -0.5}}, {"b c", []float32{1e-7, 3.4028235e38}}}
	tests := []struct {
		f    Format
		want string
	}{
		{GloVe, "a 1 -0.5\n"},
		{Word2VecText, "1 2\na 1 -0.5\n"},
		{FastText, "1 2\na 1 -0.5\n"},
		{CSV, "key,v1,v2\na,1,-0.5\nb c,1e-07,3.4028235e+38\n"},
		{JSONL, `{"key":"a","vector":[1,-0.5]}` + "\n" + `{"key":"b c","vector":[1e-07,3.4028235e+38]}` + "\n"},
	}
	for _, tt := range tests {
		rs := rows
		if tt.f != CSV && tt.f != JSONL {
			rs = rows[:1]
		}
		if got := string(writeAll(t, tt.f, rs, 2)); got != tt.want {
			t.Errorf("%v: got %q, want %q", tt.f, got, tt.want)
		}
	}
	bin := writeAll(t, Word2VecBinary, rows[:1], 2)
	if want := "1 2\na \x00\x00\x80\x3f\x00\x00\x00\xbf\n"; string(bin) != want {
		t.Errorf("binary: got %q, want %q", bin, want)
	}
}

func TestWriterErrors(t *testing.T) {
	var b bytes.Buffer
	if _, err := NewWriter(&b, Auto, 1, 2); err == nil {
		t.Error("Auto accepted")
	}
	if _, err := NewWriter(&b, GloVe, 1, 0); err == nil {
		t.Error("dim 0 accepted")
	}
	if _, err := NewWriter(&b, Word2VecText, -1, 2); err == nil {
		t.Error("negative n accepted for a header format")
	}
	w, _ := NewWriter(&b, Word2VecText, 2, 2)
	checks := []struct {
		key  string
		vec  []float32
		want string
		is   error
	}{
		{"a", []float32{1}, "line 2: expected 2 values, got 1", ErrRagged},
		{"a", []float32{1, float32(math.NaN())}, `line 2: value 2 of "a" is not finite: NaN`, ErrNotFinite},
		{"a b", []float32{1, 2}, `line 2: key "a b" contains white space, which WORD2VEC cannot hold`, ErrSyntax},
		{"", []float32{1, 2}, "line 2: empty key", ErrSyntax},
	}
	for _, c := range checks {
		err := w.Write(c.key, c.vec)
		if err == nil || err.Error() != c.want || !errors.Is(err, c.is) {
			t.Errorf("Write(%q) = %v, want %q", c.key, err, c.want)
		}
	}
	w.Write("a", []float32{1, 2})
	if err := w.Close(); err == nil || err.Error() != "line 1: header declares 2 rows, wrote 1" {
		t.Errorf("Close = %v", err)
	}
	if err := w.Write("b", []float32{1, 2}); err == nil {
		t.Error("write after close accepted")
	}
}

func TestFormatNames(t *testing.T) {
	for f := Auto; f <= FastTextBinary; f++ {
		got, err := ParseFormat(strings.ToLower(f.String()))
		if err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %v, %v", f.String(), got, err)
		}
	}
	if f, err := ParseFormat("  word2vec\tbinary "); err != nil || f != Word2VecBinary {
		t.Errorf("ParseFormat with blanks = %v, %v", f, err)
	}
	if _, err := ParseFormat("orc"); err == nil || !strings.Contains(err.Error(), "GLOVE") {
		t.Errorf("ParseFormat(orc) = %v", err)
	}
	if s := Format(99).String(); s != "Format(99)" {
		t.Errorf("String = %q", s)
	}
}
