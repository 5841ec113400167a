// Package textline bounds the text lines that vecdb's readers accept, so
// that a file without newlines (/dev/zero, a binary file, a line of 200 MB)
// fails with one clear error instead of growing a buffer until the process
// is killed. format re-exports the limit and the error (format.MaxLineBytes,
// format.ErrLineTooLong); the readers in format, trainer and db use them.
package textline

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
)

// MaxBytes is the longest text line a reader accepts: 32 MiB, newline
// excluded.
const MaxBytes = 32 << 20

// ErrTooLong is returned (wrapped in an *Error) when a line is longer than
// the limit.
var ErrTooLong = errors.New("line too long")

var limit atomic.Int64

func init() { limit.Store(MaxBytes) }

// Limit returns the line limit in force: MaxBytes unless a test lowered it.
func Limit() int { return int(limit.Load()) }

// SetLimitForTest sets the line limit to n bytes and returns a function that
// restores the previous one. It exists so that tests can check the limit
// without 32 MiB lines; programs must not call it.
func SetLimitForTest(n int) (restore func()) {
	old := limit.Swap(int64(n))
	return func() { limit.Store(old) }
}

// Error is a line longer than Limit bytes. Line is 1-based.
type Error struct {
	Line  int64
	Limit int
}

// Error prints `line 3: longer than the 32 MiB line limit`.
func (e *Error) Error() string {
	return fmt.Sprintf("line %d: longer than the %s line limit", e.Line, Size(e.Limit))
}

// Is reports ErrTooLong.
func (e *Error) Is(target error) bool { return target == ErrTooLong }

// Size prints a byte count as the limit is spelt: "32 MiB", "64 KiB" or
// "100 bytes".
func Size(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Reader passes a stream through unchanged while counting the bytes since
// the last newline; once a line grows past the limit, the next Read fails
// with an *Error (sticky). It lets readers that assemble lines themselves without a
// bound (encoding/csv) stop at the limit: they hold at most the limit plus
// one buffer. The line limit is read when NewReader is called.
type Reader struct {
	r     io.Reader
	limit int
	run   int   // bytes of the current line seen so far
	line  int64 // lines ended so far
	err   error
}

// NewReader returns a Reader over r with the current Limit.
func NewReader(r io.Reader) *Reader { return &Reader{r: r, limit: Limit()} }

// Read reads from the underlying reader and checks line lengths.
func (l *Reader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	b := p[:n]
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			l.run += len(b)
			break
		}
		if l.run+i > l.limit {
			l.run += i
			break
		}
		l.run = 0
		l.line++
		b = b[i+1:]
	}
	if l.run > l.limit {
		// The bytes read are passed on (at most len(p) beyond the limit);
		// the next Read fails.
		l.err = &Error{Line: l.line + 1, Limit: l.limit}
		if n == 0 {
			return 0, l.err
		}
		return n, nil
	}
	return n, err
}

// Scanner reads lines like bufio.Scanner (newline and a trailing carriage
// return dropped) with the line limit: Err returns an *Error naming the
// line when one is longer, instead of bufio.ErrTooLong.
type Scanner struct {
	sc    *bufio.Scanner
	limit int
	line  int64
}

// NewScanner returns a Scanner over r with the current Limit.
func NewScanner(r io.Reader) *Scanner {
	s := &Scanner{sc: bufio.NewScanner(r), limit: Limit()}
	s.sc.Buffer(make([]byte, 0, min(64<<10, s.limit+2)), s.limit+2) // the line, CR and LF
	return s
}

// Scan advances to the next line.
func (s *Scanner) Scan() bool {
	if !s.sc.Scan() {
		return false
	}
	s.line++
	if len(s.sc.Bytes()) > s.limit {
		return false
	}
	return true
}

// Text returns the current line.
func (s *Scanner) Text() string { return s.sc.Text() }

// Line returns the 1-based number of the current line.
func (s *Scanner) Line() int64 { return s.line }

// Err returns the first error other than io.EOF.
func (s *Scanner) Err() error {
	if err := s.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return &Error{Line: s.line + 1, Limit: s.limit}
		}
		return err
	}
	if s.line > 0 && len(s.sc.Bytes()) > s.limit {
		return &Error{Line: s.line, Limit: s.limit}
	}
	return nil
}
