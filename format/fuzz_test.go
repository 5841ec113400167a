package format

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seedFuzz adds good and bad samples: the testdata files and a few inline.
func seedFuzz(f *testing.F, extra ...string) {
	files, _ := filepath.Glob("testdata/bad/*")
	files = append(files, "testdata/sample.bin")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
	f.Add([]byte("3000000000 65536\n"))
	f.Add([]byte("99999999999999999999 3\n"))
	f.Add([]byte("1 65537\na 1\n"))
}

// checkRead reads data as format and checks that every error is an *Error
// with a position, that no row has the wrong dimension, and that reading
// ends.
func checkRead(t *testing.T, data []byte, format Format) {
	r, err := NewReader(bytes.NewReader(data), ReaderOptions{Format: format, Duplicates: DupKeepLast})
	if err != nil {
		checkErr(t, err)
		return
	}
	defer r.Close()
	for i := 0; ; i++ {
		_, vec, err := r.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			checkErr(t, err)
			return
		}
		if len(vec) != r.Dim() || r.Dim() < 1 || r.Dim() > MaxDim {
			t.Fatalf("row %d has %d values, Dim %d", i, len(vec), r.Dim())
		}
		if i > len(data) {
			t.Fatalf("more rows than bytes")
		}
	}
}

func checkErr(t *testing.T, err error) {
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %T %v is not *Error", err, err)
	}
	if fe.Line < 0 || fe.Offset < 0 || (fe.Line == 0 && fe.Offset == 0 && !strings.HasPrefix(fe.Msg, "gzip")) {
		t.Fatalf("error without a position: %v", err)
	}
	if fe.Err == nil || fe.Msg == "" {
		t.Fatalf("error without a cause or message: %#v", fe)
	}
}

func FuzzReadGloVe(f *testing.F) {
	seedFuzz(f, "the 0.1 0.2\nof 0.3 0.4\n", "a b 1 2\n\n c\t3 4 \r\n", "x 1e39\n", "x nan\n")
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, data, GloVe) })
}

func FuzzReadWord2VecText(f *testing.F) {
	seedFuzz(f, "2 2\nthe 0.1 0.2\nof 0.3 0.4\n", "2 2\nthe 0.1\n", "1 1\n", "0 5\n")
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, data, Word2VecText) })
}

func FuzzReadWord2VecBinary(f *testing.F) {
	seedFuzz(f, string(binFile(2, 2, false, abRows...)), "2 2\n\n\n", "1 1\nabc")
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, data, Word2VecBinary) })
}

func FuzzReadCSV(f *testing.F) {
	seedFuzz(f, "key,a,b\nthe,0.1,0.2\n", "\"a,b\",1,2\n", "\"a\n", "a,,\n")
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, data, CSV) })
}

func FuzzReadJSONL(f *testing.F) {
	seedFuzz(f, `{"key":"a","vector":[1,2]}`+"\n", `{"id":1,"embedding":[]}`, `{"id":null,"vector":[1]}`, `{"key":"a","vector":["1"]}`)
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, data, JSONL) })
}

func FuzzSniff(f *testing.F) {
	seedFuzz(f, "the 0.1 0.2\n", "2 2\nthe 0.1 0.2\nof 0.3 0.4\n", "a,1\n", `{"key":"a","vector":[1]}`)
	f.Add(gz(f, []byte("2 2\nthe 0.1 0.2\nof 0.3 0.4\n")))
	f.Add(gz(f, binFile(2, 2, true, abRows...)))
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, data, Auto) })
}
