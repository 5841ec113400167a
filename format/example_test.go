package format_test

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/vecdb/vecdb/format"
)

func ExampleNewReader() {
	file := "2 3\nking 0.5 -0.25 1\nqueen 0.45 -0.3 1e-3\n"
	r, err := format.NewReader(strings.NewReader(file), format.ReaderOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	fmt.Println(r.Format(), r.Declared(), r.Dim())
	for {
		key, vec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(key, vec)
	}
	// Output:
	// WORD2VEC 2 3
	// king [0.5 -0.25 1]
	// queen [0.45 -0.3 0.001]
}

func ExampleNewReader_error() {
	_, err := format.NewReader(strings.NewReader("the 0.1 0.2\nof 0.3\n"), format.ReaderOptions{Limit: 5})
	fmt.Println(err) // the first row is fine; the error surfaces from Next
	r, _ := format.NewReader(strings.NewReader("the 0.1 0.2\nof 0.3\n"), format.ReaderOptions{})
	r.Next()
	_, _, err = r.Next()
	fmt.Println(err)
	// Output:
	// <nil>
	// line 2: expected 2 values, got 1
}

func ExampleNewWriter() {
	w, _ := format.NewWriter(os.Stdout, format.GloVe, 2, 2)
	w.Write("king", []float32{0.5, -0.25})
	w.Write("queen", []float32{1e-7, 3})
	w.Close()
	// Output:
	// king 0.5 -0.25
	// queen 1e-07 3
}

func ExampleLookup() {
	e, _ := format.Lookup("glove-wiki-gigaword-50")
	fmt.Println(e.Vectors, e.Dim, e.Format, e.MD5)
	_, err := format.Lookup("glove-wiki-gigaword-5O")
	fmt.Println(err)
	// Output:
	// 400000 50 WORD2VEC c289bc5d7f2f02c6dc9f2f9b67641813
	// "glove-wiki-gigaword-5O" is not in the catalog; did you mean "glove-wiki-gigaword-50"?
}
