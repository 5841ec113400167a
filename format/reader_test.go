package format

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

type row struct {
	key string
	vec []float32
}

// readAll reads every row of data, returning the rows and the first error
// other than io.EOF.
func readAll(t testing.TB, data []byte, opts ReaderOptions) (*Reader, []row, error) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data), opts)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	var rows []row
	for {
		k, v, err := r.Next()
		if err == io.EOF {
			return r, rows, nil
		}
		if err != nil {
			return r, rows, err
		}
		rows = append(rows, row{k, v})
	}
}

func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// binFile builds a word2vec binary file by hand; nl says whether rows end
// with a newline.
func binFile(n, dim int, nl bool, rows ...row) []byte {
	var b bytes.Buffer
	w, _ := NewWriter(&b, Word2VecBinary, n, dim)
	for _, r := range rows {
		w.Write(r.key, r.vec)
	}
	w.Flush()
	if nl {
		return b.Bytes()
	}
	// Drop the newline after each row.
	out := []byte(strings.SplitAfterN(b.String(), "\n", 2)[0])
	rest := b.Bytes()[len(out):]
	for _, r := range rows {
		l := len(r.key) + 1 + 4*dim
		out = append(out, rest[:l]...)
		rest = rest[l+1:]
	}
	return out
}

var abRows = []row{{"a", []float32{1, 2}}, {"b", []float32{-0.5, 3e-9}}}

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want Format
	}{
		{"glove", []byte("a 1 2\nb -0.5 3e-09\n"), GloVe},
		{"word2vec text", []byte("2 2\na 1 2\nb -0.5 3e-09\n"), Word2VecText},
		{"word2vec text trailing blanks", []byte("2 2 \r\na 1 2 \r\nb -0.5 3e-09 \r\n"), Word2VecText},
		{"word2vec binary", binFile(2, 2, true, abRows...), Word2VecBinary},
		{"word2vec binary no newlines", binFile(2, 2, false, abRows...), Word2VecBinary},
		{"gzip glove", gz(t, []byte("a 1 2\nb -0.5 3e-09\n")), GloVe},
		{"gzip word2vec text", gz(t, []byte("2 2\na 1 2\nb -0.5 3e-09\n")), Word2VecText},
		{"gzip word2vec binary", gz(t, binFile(2, 2, true, abRows...)), Word2VecBinary},
		{"csv", []byte("a,1,2\nb,-0.5,3e-09\n"), CSV},
		{"csv header", []byte("key,x,y\na,1,2\nb,-0.5,3e-09\n"), CSV},
		{"csv quoted", []byte("\"a\",1,2\nb,-0.5,3e-09\n"), CSV},
		{"jsonl", []byte(`{"key":"a","vector":[1,2]}` + "\n" + `{"key":"b","vector":[-0.5,3e-9]}` + "\n"), JSONL},
		{"glove comma key", []byte(", 1 2\nb -0.5 3e-09\n"), GloVe},
		{"empty", nil, GloVe},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, rows, err := readAll(t, tt.data, ReaderOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Format() != tt.want {
				t.Fatalf("sniffed %v, want %v", r.Format(), tt.want)
			}
			if tt.data == nil {
				if len(rows) != 0 || r.Dim() != 0 {
					t.Fatalf("empty file: rows %v dim %d", rows, r.Dim())
				}
				return
			}
			want := abRows
			if tt.name == "glove comma key" {
				want = []row{{",", abRows[0].vec}, abRows[1]}
			}
			if !reflect.DeepEqual(rows, want) {
				t.Fatalf("rows = %v, want %v", rows, want)
			}
			if r.Dim() != 2 {
				t.Fatalf("Dim = %d", r.Dim())
			}
		})
	}
}

func TestDeclared(t *testing.T) {
	r, _, err := readAll(t, []byte("2 2\na 1 2\nb 3 4\n"), ReaderOptions{})
	if err != nil || r.Declared() != 2 {
		t.Fatalf("Declared = %d, err %v", r.Declared(), err)
	}
	r, _, err = readAll(t, []byte("a 1 2\n"), ReaderOptions{})
	if err != nil || r.Declared() != -1 {
		t.Fatalf("Declared = %d, err %v", r.Declared(), err)
	}
}

func TestDimKnownAfterNewReader(t *testing.T) {
	for _, data := range []string{"a 1 2 3\n", "a,1,2,3\n", `{"id": 7, "embedding": [1,2,3]}`} {
		r, err := NewReader(strings.NewReader(data), ReaderOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if r.Dim() != 3 {
			t.Errorf("%q: Dim = %d before Next, want 3", data, r.Dim())
		}
		k, _, err := r.Next()
		if err != nil || (k != "a" && k != "7") {
			t.Errorf("%q: Next = %q, %v", data, k, err)
		}
	}
}

func TestKeysWithSpaces(t *testing.T) {
	data := "the 1 2\nat name@domain.com 3 4\n. . . 5 6\nx\t7 8\n"
	_, rows, err := readAll(t, []byte(data), ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range rows {
		keys = append(keys, r.key)
	}
	want := []string{"the", "at name@domain.com", ". . .", "x"}
	if !reflect.DeepEqual(keys, want) {
		t.Fatalf("keys = %q, want %q", keys, want)
	}
}

func TestLimit(t *testing.T) {
	data := []byte("3 2\na 1 2\nb 3 4\nc 5 6\n")
	_, rows, err := readAll(t, data, ReaderOptions{Limit: 2})
	if err != nil || len(rows) != 2 || rows[1].key != "b" {
		t.Fatalf("rows %v, err %v", rows, err)
	}
	// Limit below a truncated file's damage reads cleanly.
	_, rows, err = readAll(t, []byte("9 2\na 1 2\nb 3 4\n"), ReaderOptions{Limit: 2})
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows %v, err %v", rows, err)
	}
}

func TestRowsAfterDeclaredAreIgnored(t *testing.T) {
	_, rows, err := readAll(t, []byte("1 2\na 1 2\nb 3 4\n"), ReaderOptions{})
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows %v, err %v", rows, err)
	}
}

func TestDuplicates(t *testing.T) {
	data := []byte("a 1 2\nb 3 4\na 5 6\n")
	_, _, err := readAll(t, data, ReaderOptions{})
	if !errors.Is(err, ErrDuplicate) || err.Error() != `line 3: duplicate key "a" (first at line 1)` {
		t.Fatalf("err = %v", err)
	}
	_, rows, err := readAll(t, data, ReaderOptions{Duplicates: DupKeepFirst})
	if err != nil || len(rows) != 2 || rows[0].vec[0] != 1 {
		t.Fatalf("keep first: %v %v", rows, err)
	}
	_, rows, err = readAll(t, data, ReaderOptions{Duplicates: DupKeepLast})
	if err != nil || len(rows) != 3 || rows[2].vec[0] != 5 {
		t.Fatalf("keep last: %v %v", rows, err)
	}
	// Binary duplicates name offsets.
	bin := binFile(2, 1, true, row{"a", []float32{1}}, row{"a", []float32{2}})
	_, _, err = readAll(t, bin, ReaderOptions{})
	if err == nil || err.Error() != `offset 11: duplicate key "a" (first at offset 4)` {
		t.Fatalf("binary err = %v", err)
	}
}

func TestDimOption(t *testing.T) {
	_, _, err := readAll(t, []byte("1 3\na 1 2 3\n"), ReaderOptions{Dim: 2})
	if !errors.Is(err, ErrRagged) || err.Error() != "line 1: header declares dimension 3, want 2" {
		t.Fatalf("err = %v", err)
	}
	// With Dim known, a key with spaces in the first GloVe row survives.
	_, rows, err := readAll(t, []byte("new york 1 2\n"), ReaderOptions{Dim: 2})
	if err != nil || rows[0].key != "new york" {
		t.Fatalf("rows %v err %v", rows, err)
	}
}

func TestForcedFormat(t *testing.T) {
	_, _, err := readAll(t, []byte("a 1 2\n"), ReaderOptions{Format: Word2VecText})
	if !errors.Is(err, ErrHeader) {
		t.Fatalf("err = %v", err)
	}
	_, rows, err := readAll(t, []byte("2 2\na 1 2\nb 3 4\n"), ReaderOptions{Format: FastText})
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows %v err %v", rows, err)
	}
}

func TestCSVAndJSONL(t *testing.T) {
	_, rows, err := readAll(t, []byte("word,d1,d2\n\"new york, ny\", 1 ,2\n\"say \"\"hi\"\"\",3,4\n"), ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].key != "new york, ny" || rows[1].key != `say "hi"` || rows[0].vec[0] != 1 {
		t.Fatalf("rows = %v", rows)
	}
	jl := `{"id": 42, "embedding": [1, 2]}` + "\n\n" + `{"key": "x", "vector": [3, 4], "extra": true}` + "\n"
	_, rows, err = readAll(t, []byte(jl), ReaderOptions{})
	if err != nil || rows[0].key != "42" || rows[1].key != "x" || rows[1].vec[1] != 4 {
		t.Fatalf("rows %v err %v", rows, err)
	}
}

func TestNextAfterErrorIsSticky(t *testing.T) {
	r, err := NewReader(strings.NewReader("a 1 2\nb 1\nc 3 4\n"), ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r.Next()
	_, _, err1 := r.Next()
	_, _, err2 := r.Next()
	if err1 == nil || err1 != err2 {
		t.Fatalf("errors %v then %v", err1, err2)
	}
}

func TestBOMAndCRLF(t *testing.T) {
	_, rows, err := readAll(t, []byte("\xef\xbb\xbfa,1,2\r\nb,-0.5,3e-09\r\n"), ReaderOptions{})
	if err != nil || !reflect.DeepEqual(rows, abRows) {
		t.Fatalf("rows %v err %v", rows, err)
	}
	_, rows, err = readAll(t, []byte("\xef\xbb\xbfa 1 2\r\nb -0.5 3e-09"), ReaderOptions{})
	if err != nil || !reflect.DeepEqual(rows, abRows) {
		t.Fatalf("rows %v err %v", rows, err)
	}
}
