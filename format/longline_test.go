package format

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/internal/textline"
)

// endless is an endless stream of one byte (a /dev/zero without a file),
// after an optional prefix; it counts what was read.
type endless struct {
	prefix string
	b      byte
	n      int64
}

func (e *endless) Read(p []byte) (int, error) {
	k := 0
	if int(e.n) < len(e.prefix) {
		k = copy(p, e.prefix[e.n:])
	}
	for i := k; i < len(p); i++ {
		p[i] = e.b
	}
	e.n += int64(len(p))
	return len(p), nil
}

// TestLongLinesStop: every text layout stops at the line limit with
// ErrLineTooLong naming the line, having read about the limit and a buffer.
func TestLongLinesStop(t *testing.T) {
	defer textline.SetLimitForTest(64 << 10)()
	for _, c := range []struct {
		name   string
		f      Format
		prefix string
		b      byte
		line   int
	}{
		{"CSV zeros", CSV, "", 0, 1},
		{"CSV after rows", CSV, "a,1,2\nb,3,4\n", 'x', 3},
		{"CSV quoted", CSV, "a,1,2\n\"", 'x', 2},
		{"GloVe", GloVe, "a 1 2\n", 'x', 2},
		{"JSONL", JSONL, `{"key":"a","vector":[1,2]}` + "\n", 'x', 2},
		{"word2vec header", Word2VecText, "", '1', 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := &endless{prefix: c.prefix, b: c.b}
			err := func() error {
				r, err := NewReader(src, ReaderOptions{Format: c.f})
				if err != nil {
					return err
				}
				defer r.Close()
				for {
					if _, _, err := r.Next(); err != nil {
						return err
					}
				}
			}()
			var e *Error
			if !errors.Is(err, ErrLineTooLong) || !errors.As(err, &e) || e.Line != c.line {
				t.Fatalf("err = %v, want line %d too long", err, c.line)
			}
			if want := "longer than the 64 KiB line limit"; !strings.Contains(err.Error(), want) {
				t.Fatalf("err = %q, want it to say %q", err, want)
			}
			if src.n > 8<<20 {
				t.Fatalf("read %d bytes before stopping", src.n)
			}
		})
	}
	// Lines under the limit are fine.
	long := strings.Repeat("1,", 1000)
	r, err := NewReader(strings.NewReader("a,"+long+"1\n"), ReaderOptions{Format: CSV})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Next(); err != io.EOF {
		t.Fatal(err)
	}
}
