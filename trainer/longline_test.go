package trainer

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vecdb/vecdb/internal/textline"
)

// endless is an endless stream of one byte after a prefix (a /dev/zero
// without a file); it counts what was read.
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

// TestEvaluateLongLine: an evaluation file without newlines fails with the
// line limit error naming the line, having read a bounded amount.
func TestEvaluateLongLine(t *testing.T) {
	defer textline.SetLimitForTest(64 << 10)()
	kv := memKV{keys: []string{"a", "b"}, vecs: [][]float32{{1, 0}, {1, 1}}}
	src := &endless{prefix: "a\tb\t1\n", b: 0}
	_, err := EvaluatePairs(kv, src, 0, true)
	var e *textline.Error
	if !errors.As(err, &e) || !errors.Is(err, textline.ErrTooLong) || e.Line != 2 {
		t.Fatalf("pairs: err = %v, want line 2 too long", err)
	}
	if src.n > 8<<20 {
		t.Fatalf("pairs: read %d bytes", src.n)
	}
	if want := "pairs: line 2: longer than the 64 KiB line limit"; err.Error() != want {
		t.Fatalf("pairs: %q, want %q", err, want)
	}
	src = &endless{prefix: ": s\na b a b\n", b: 'x'}
	_, err = EvaluateAnalogies(kv, src, 10, true)
	if !errors.As(err, &e) || e.Line != 3 {
		t.Fatalf("analogies: err = %v, want line 3 too long", err)
	}
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readSeqs(t *testing.T, src Source) ([]string, int64, error) {
	t.Helper()
	r, err := src.Open()
	if err != nil {
		return nil, 0, err
	}
	defer r.Close()
	var out []string
	for {
		seq, err := r.Next()
		if err == io.EOF {
			return out, r.(skipper).Skipped(), nil
		}
		if err != nil {
			return out, 0, err
		}
		var s []string
		for _, t := range seq {
			s = append(s, string(t))
		}
		out = append(out, strings.Join(s, " "))
	}
}

// TestLongTokensSkipped: the sequence readers drop a token longer than
// maxTokenBytes and count it; a long line of short tokens is still cut
// into pieces; TRAIN on a corpus of one huge token fails as an empty
// corpus that says what was skipped, not with a key too large.
func TestLongTokensSkipped(t *testing.T) {
	old := maxTokenBytes
	maxTokenBytes = 100
	defer func() { maxTokenBytes = old }()
	huge := strings.Repeat("z", 3<<20) // longer than the 1 MiB read buffer
	p := writeFile(t, "c.txt", "a b "+huge+" c\n"+strings.Repeat("y", 101)+"\nd "+strings.Repeat("w", 100)+"\n")
	got, skipped, err := readSeqs(t, FileSource(p))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a b c", "d " + strings.Repeat("w", 100)}; strings.Join(got, "|") != strings.Join(want, "|") || skipped != 2 {
		t.Fatalf("got %q, %d skipped; want %q, 2 skipped", got, skipped, want)
	}
	got, skipped, err = readSeqs(t, KeyedFileSource(p))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "a b c" || skipped != 2 {
		t.Fatalf("keyed: got %d sequences (%.20q), %d skipped", len(got), got, skipped)
	}
	// Many short tokens on one line: cut into MaxSequenceLength pieces.
	p2 := writeFile(t, "long.txt", strings.Repeat("a ", MaxSequenceLength+5))
	got, _, err = readSeqs(t, FileSource(p2))
	if err != nil || len(got) != 2 {
		t.Fatalf("one long line: %d sequences, %v; want 2", len(got), err)
	}
	// A corpus of nothing but one huge token.
	p3 := writeFile(t, "huge.txt", huge)
	cfg := DefaultConfig()
	cfg.MinCount = 1
	_, err = Train(context.Background(), FileSource(p3), cfg, Options{})
	if !errors.Is(err, ErrEmptyCorpus) || !strings.Contains(err.Error(), "1 tokens longer than 100 bytes skipped") {
		t.Fatalf("train: %v", err)
	}
	// Train reports what it skipped.
	p4 := writeFile(t, "ok.txt", strings.Repeat("a b c "+huge[:200]+"\n", 5))
	m, err := Train(context.Background(), FileSource(p4), cfg, Options{})
	if err != nil || m.SkippedTokens != 5 || m.Len() != 3 {
		t.Fatalf("train: %v, %d skipped, %d keys", err, m.SkippedTokens, m.Len())
	}
}

// TestLongLinesInKeyedAndEventLogs: the line-based readers stop at the
// line limit with an error naming the file and the line.
func TestLongLinesInKeyedAndEventLogs(t *testing.T) {
	defer textline.SetLimitForTest(64 << 10)()
	p := writeFile(t, "k.txt", "u1\ta b\n"+strings.Repeat("x ", 40<<10)+"\n")
	_, _, err := readSeqs(t, KeyedFileSource(p))
	var e *textline.Error
	if !errors.As(err, &e) || e.Line != 2 || !strings.Contains(err.Error(), p) {
		t.Fatalf("keyed: err = %v, want %s line 2 too long", err, p)
	}
	p = writeFile(t, "ev.csv", "user,item\nu1,a\n"+strings.Repeat("u", 100<<10)+",b\n")
	err = EventLogSource(p, EventLogOptions{SequenceBy: "user", Item: "item"}).Load()
	if !errors.As(err, &e) || e.Line != 3 || !strings.Contains(err.Error(), p) {
		t.Fatalf("event log: err = %v, want %s line 3 too long", err, p)
	}
}
