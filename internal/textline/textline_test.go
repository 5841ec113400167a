package textline

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// zeros is an endless stream of zero bytes (a /dev/zero with no file).
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	clear(p)
	z.n += int64(len(p))
	return len(p), nil
}

func TestReaderStopsAtTheLimit(t *testing.T) {
	defer SetLimitForTest(100)()
	z := &zeros{}
	_, err := io.Copy(io.Discard, NewReader(z))
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrTooLong) || e.Line != 1 {
		t.Fatalf("err = %v, want line 1 too long", err)
	}
	if z.n > 1<<20 {
		t.Fatalf("read %d bytes before stopping", z.n)
	}
	if got := err.Error(); got != "line 1: longer than the 100 bytes line limit" {
		t.Fatalf("message %q", got)
	}
	// Lines at the limit pass; the third line is one byte over.
	ok := strings.Repeat("a", 100) + "\n" + strings.Repeat("b", 100) + "\n"
	data, err := io.ReadAll(NewReader(strings.NewReader(ok + strings.Repeat("c", 101))))
	if !errors.As(err, &e) || e.Line != 3 {
		t.Fatalf("err = %v, want line 3 too long", err)
	}
	if len(data) < len(ok) {
		t.Fatalf("only %d bytes came through before the long line", len(data))
	}
	if _, err := io.ReadAll(NewReader(strings.NewReader(ok))); err != nil {
		t.Fatal(err)
	}
	if Size(MaxBytes) != "32 MiB" {
		t.Fatal(Size(MaxBytes))
	}
}

func TestScannerStopsAtTheLimit(t *testing.T) {
	defer SetLimitForTest(100)()
	s := NewScanner(&zeros{})
	if s.Scan() {
		t.Fatal("scanned an endless line")
	}
	var e *Error
	if err := s.Err(); !errors.As(err, &e) || e.Line != 1 {
		t.Fatalf("err = %v, want line 1 too long", err)
	}
	ok := strings.Repeat("a", 100) + "\r\n" + strings.Repeat("b", 100) + "\n"
	s = NewScanner(strings.NewReader(ok + strings.Repeat("c", 101) + "\n"))
	n := 0
	for s.Scan() {
		n++
	}
	if err := s.Err(); n != 2 || !errors.As(err, &e) || e.Line != 3 {
		t.Fatalf("%d lines, err = %v, want 2 lines then line 3 too long", n, err)
	}
	s = NewScanner(strings.NewReader(ok))
	for s.Scan() {
	}
	if s.Err() != nil || s.Line() != 2 {
		t.Fatal(s.Err(), s.Line())
	}
}
