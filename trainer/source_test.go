package trainer

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readAll returns the sequences of one pass over src.
func readAll(t *testing.T, src Source) [][]string {
	t.Helper()
	r, err := src.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out [][]string
	for {
		seq, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, tok := range seq {
			s = append(s, string(tok))
		}
		out = append(out, s)
	}
}

func TestFileSourceLines(t *testing.T) {
	dir := t.TempDir()
	text := "a b  c\r\n\n\t d\te \n  f"
	plain := filepath.Join(dir, "c.txt")
	os.WriteFile(plain, []byte(text), 0o644)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(text))
	zw.Close()
	packed := filepath.Join(dir, "c.txt.gz")
	os.WriteFile(packed, gz.Bytes(), 0o644)
	want := "[[a b c] [d e] [f]]"
	for _, p := range []string{plain, packed} {
		if got := sprint(readAll(t, FileSource(p))); got != want {
			t.Errorf("%s: %s, want %s", p, got, want)
		}
	}
}

func sprint(seqs [][]string) string {
	var parts []string
	for _, s := range seqs {
		parts = append(parts, "["+strings.Join(s, " ")+"]")
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func TestLongLineIsCut(t *testing.T) {
	// 25,000 tokens on one line, then a short line: pieces of 10,000,
	// 10,000 and 5,000 tokens, then the short line. The small buffer also
	// exercises tokens that straddle refills.
	var b strings.Builder
	for i := range 25000 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strings.Repeat("x", 1+i%7))
	}
	b.WriteString("\nlast line\n")
	r := &textReader{name: "long", r: strings.NewReader(b.String()), buf: make([]byte, 100)}
	var lens []int
	for {
		seq, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		lens = append(lens, len(seq))
		if len(seq) == 5000 && string(seq[4999]) != strings.Repeat("x", 1+24999%7) {
			t.Errorf("last token of the long line = %q", seq[4999])
		}
	}
	if want := []int{10000, 10000, 5000, 2}; !equalInts(lens, want) {
		t.Errorf("sequence lengths %v, want %v", lens, want)
	}

	// Slices and iterators are cut too, by the trainer.
	long := strings.Fields(strings.Repeat("w ", 25000))
	tr := &trainer{index: map[string]int32{"w": 0}}
	jobs := make(chan *job, 10)
	free := make(chan *job, 10)
	for range 10 {
		free <- &job{}
	}
	if err := tr.read(t.Context(), SliceSource([][]string{long}), jobs, free); err != nil {
		t.Fatal(err)
	}
	close(jobs)
	var ends []int32
	for j := range jobs {
		ends = append(ends, j.ends...)
	}
	if want := []int32{10000, 10000, 5000}; len(ends) != 3 || ends[0] != want[0] || ends[1] != want[1] || ends[2] != want[2] {
		t.Errorf("job sequence ends %v, want %v", ends, want)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFuncSource(t *testing.T) {
	src := FuncSource(func(yield func([]string) bool) {
		buf := []string{"", ""}
		for _, pair := range [][2]string{{"a", "b"}, {"c", "d"}} {
			buf[0], buf[1] = pair[0], pair[1]
			if !yield(buf) {
				return
			}
		}
	})
	for range 2 { // reopenable
		if got := sprint(readAll(t, src)); got != "[[a b] [c d]]" {
			t.Errorf("FuncSource: %s", got)
		}
	}
}

func TestReadDoesNotAllocatePerToken(t *testing.T) {
	line := strings.Repeat("alpha beta gamma delta ", 2000) + "\n"
	text := strings.Repeat(line, 50)
	c := newCounter()
	for _, w := range []string{"alpha", "beta", "gamma", "delta"} {
		c.add([]byte(w))
	}
	allocs := testing.AllocsPerRun(5, func() {
		r := &textReader{name: "x", r: strings.NewReader(text), buf: make([]byte, 1<<16)}
		for {
			seq, err := r.Next()
			if err != nil {
				break
			}
			for _, tok := range seq {
				c.add(tok)
			}
		}
	})
	// 400,000 tokens: a handful of allocations for buffers, none per token.
	if allocs > 100 {
		t.Errorf("%.0f allocations to read and count 400,000 tokens", allocs)
	}
}
