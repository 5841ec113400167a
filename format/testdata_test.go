package format

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated files in testdata")

// sampleRows are the rows of testdata/sample.bin.
var sampleRows = []row{
	{"king", []float32{0.5, -0.25, 1e-3}},
	{"queen", []float32{0.45, -0.3, 2e-3}},
	{"Straße", []float32{-1, 0, 1.5e-38}},
	{"東京", []float32{3.25, 7, -1e-7}},
}

// generated are the binary testdata files, built by the Writer; go test
// -update rewrites them.
func generated(t *testing.T) map[string][]byte {
	var b bytes.Buffer
	w, err := NewWriter(&b, Word2VecBinary, len(sampleRows), 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sampleRows {
		if err := w.Write(r.key, r.vec); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	sample := b.Bytes()
	// A NaN in the second row's second value.
	nan := bytes.Clone(sample)
	off := len("4 3\n") + len("king ") + 12 + 1 + len("queen ") + 4
	copy(nan[off:], []byte{0, 0, 0xc0, 0x7f})
	return map[string][]byte{
		"sample.bin":        sample,
		"bad/truncated.bin": sample[:len(sample)-5],
		"bad/nan.bin":       nan,
		"bad/short.bin":     sample[:len("4 3\n")+len("king ")+13+len("queen ")+13],
		"bad/truncated.gz":  gz(t, []byte("the 0.1 0.2 0.3\nof 0.4 0.5 0.6\n"))[:30],
	}
}

func TestTestdataGenerated(t *testing.T) {
	for name, want := range generated(t) {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if name == "bad/truncated.gz" {
			continue // gzip output may differ between Go releases
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what the Writer produces; run go test -update", path)
		}
	}
}

func TestSampleBin(t *testing.T) {
	r, err := Open("testdata/sample.bin", ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Format() != Word2VecBinary || r.Dim() != 3 || r.Declared() != 4 {
		t.Fatalf("format %v dim %d declared %d", r.Format(), r.Dim(), r.Declared())
	}
	var rows []row
	for {
		k, v, err := r.Next()
		if err != nil {
			break
		}
		rows = append(rows, row{k, v})
	}
	if !reflect.DeepEqual(rows, sampleRows) {
		t.Fatalf("rows = %v", rows)
	}
}

func TestBadFiles(t *testing.T) {
	tests := []struct {
		file   string
		format Format
		want   string
		is     error
	}{
		{"ragged.txt", Auto, "line 3: expected 3 values, got 2", ErrRagged},
		{"ragged_header.txt", Auto, "line 3: expected 3 values, got 2", ErrRagged},
		{"nan.txt", Auto, `line 2: value 2 is not finite: "NaN"`, ErrNotFinite},
		{"inf.txt", Auto, `line 2: value 3 is not finite: "-Inf"`, ErrNotFinite},
		{"number.txt", Auto, `line 2: bad number "0.5x" at value 2`, ErrNumber},
		{"overflow.txt", Auto, `line 2: value 2 overflows float32: "1e39"`, ErrNotFinite},
		{"fewer_rows.txt", Auto, "line 3: header declares 3 rows, file has 2", ErrTruncated},
		{"header_dim.txt", Auto, "line 1: header declares dimension 100000 (want 1 to 65536)", ErrHeader},
		{"header_zero.txt", Auto, "line 1: header declares dimension 0 (want 1 to 65536)", ErrHeader},
		{"ragged.txt", Word2VecText, `line 1: expected an "N D" header of two integers, got "the 0.1 0.2 0.3"`, ErrHeader},
		{"dup.txt", Auto, `line 3: duplicate key "the" (first at line 1)`, ErrDuplicate},
		{"quote.csv", Auto, `line 3: extraneous or missing " in quoted-field`, ErrSyntax},
		{"ragged.csv", Auto, "line 2: expected 2 values, got 3", ErrRagged},
		{"syntax.jsonl", Auto, "line 2: bad JSON: unexpected end of JSON input", ErrSyntax},
		{"nokey.jsonl", Auto, `line 2: missing "key" (or "id") string`, ErrSyntax},
		{"truncated.bin", Auto, `offset 62: file ends inside row "東京": 8 of 12 value bytes`, ErrTruncated},
		{"nan.bin", Auto, `offset 22: value 2 of "queen" is not finite: NaN`, ErrNotFinite},
		{"short.bin", Auto, "offset 41: header declares 4 rows, file has 2", ErrTruncated},
		{"truncated.gz", Auto, "line 2: compressed stream ends early", ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "bad", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = readAll(t, data, ReaderOptions{Format: tt.format})
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tt.want {
				t.Errorf("error %q\n          want %q", err, tt.want)
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			var fe *Error
			if !errors.As(err, &fe) {
				t.Errorf("error %T is not *Error", err)
			}
		})
	}
}

func TestBadOpen(t *testing.T) {
	_, err := Open("testdata/bad/header_zero.txt", ReaderOptions{})
	if err == nil || err.Error() != "testdata/bad/header_zero.txt: line 1: header declares dimension 0 (want 1 to 65536)" {
		t.Fatalf("err = %v", err)
	}
	if _, err := Open("testdata/none.txt", ReaderOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v", err)
	}
}
