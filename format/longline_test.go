package format

import (
	"errors"
	"fmt"
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

// TestLongKeysRefused: a key longer than MaxKeyBytes is ErrKeyTooLong at
// its line (text layouts) or offset (word2vec binary), quoting its start;
// a key of exactly MaxKeyBytes is returned.
func TestLongKeysRefused(t *testing.T) {
	big := strings.Repeat("k", 10<<20)
	mid := strings.Repeat("k", 5000) // under the binary reader's 1 MiB key buffer
	atLimit := strings.Repeat("k", MaxKeyBytes)
	var bin strings.Builder
	w, err := NewWriter(&bin, Word2VecBinary, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a", "b", mid} {
		if err := w.Write(k, []float32{1, 2}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, in string
		f        Format
		at       string
	}{
		{"glove", "a 1 2\nb 1 2\n" + big + " 1 2\n", GloVe, "line 3: "},
		{"word2vec text", "3 2\na 1 2\nb 1 2\n" + big + " 1 2\n", Word2VecText, "line 4: "},
		{"csv", "a,1,2\nb,1,2\n" + big + ",1,2\n", CSV, "line 3: "},
		{"jsonl", `{"key":"a","vector":[1,2]}` + "\n" + `{"key":"b","vector":[1,2]}` + "\n" + `{"key":"` + big + `","vector":[1,2]}` + "\n", JSONL, "line 3: "},
		{"word2vec binary", bin.String(), Word2VecBinary, "offset "},
	} {
		r, err := NewReader(strings.NewReader(c.in), ReaderOptions{Format: c.f})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		n := 0
		for {
			_, _, err = r.Next()
			if err != nil {
				break
			}
			n++
		}
		msg := fmt.Sprint(err)
		if !errors.Is(err, ErrKeyTooLong) || n != 2 || !strings.HasPrefix(msg, c.at) ||
			!strings.Contains(msg, `key "kkkkkkkkkkkkkkkkkkkkkkkk"… is `) || !strings.Contains(msg, " bytes, over the 4096-byte key limit") {
			t.Errorf("%s: %d rows, then %v", c.name, n, err)
		}
	}
	r, err := NewReader(strings.NewReader(atLimit+" 1 2\n"), ReaderOptions{Format: GloVe})
	if err != nil {
		t.Fatal(err)
	}
	if k, _, err := r.Next(); err != nil || k != atLimit {
		t.Fatalf("a key of MaxKeyBytes: %v", err)
	}
}
