package fasttext_test

import (
	"bytes"
	"fmt"
	"os"

	"github.com/vecdb/vecdb/format/fasttext"
)

func ExampleRead() {
	f, err := os.Open("testdata/tiny.bin") // fasttext skipgram … -dim 8 -bucket 500 -minn 2 -maxn 4
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	st, _ := f.Stat()
	m, err := fasttext.Read(f, fasttext.ReadOptions{Size: st.Size()})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(m.Words), "words, dim", m.Dim(), "- the first:", m.Words[0], m.Counts[0])
	fmt.Println(m.Subwords.Len(), "of", m.Subwords.Buckets, "n-gram rows kept")
	v, ok := m.Subwords.MeanVector("walkings") // not in the vocabulary
	fmt.Println(len(v), ok)

	// Written back, it loads in fastText and reads the same.
	var buf bytes.Buffer
	if err := fasttext.Write(&buf, m); err != nil {
		fmt.Println(err)
		return
	}
	back, _ := fasttext.Read(&buf, fasttext.ReadOptions{})
	fmt.Println(len(back.Words), back.Subwords.Len())
	// Output:
	// 55 words, dim 8 - the first: the 40
	// 270 of 500 n-gram rows kept
	// 8 true
	// 55 270
}
