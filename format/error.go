package format

import (
	"errors"
	"fmt"

	"github.com/vecdb/vecdb/internal/errdefs"
	"github.com/vecdb/vecdb/internal/textline"
)

// MaxLineBytes is the longest text line that any vecdb reader accepts (32
// MiB): the vector readers here, metadata files, training corpora, event
// logs and evaluation files. A longer line is an error wrapping
// ErrLineTooLong that names the line, never an unbounded buffer.
const MaxLineBytes = textline.MaxBytes

// Sentinel errors wrapped by *Error; test for them with errors.Is.
var (
	// ErrRagged is returned when a row has the wrong number of values, or
	// when the file's dimension differs from its header or ReaderOptions.Dim.
	ErrRagged = errors.New("ragged row")
	// ErrNumber is returned when a value is not a number; the message names
	// the offending token.
	ErrNumber = errors.New("bad number")
	// ErrNotFinite is returned when a value is NaN or infinite, or overflows
	// float32.
	ErrNotFinite = errors.New("value is not finite")
	// ErrTruncated is returned when a binary file ends in the middle of a
	// row, or a file has fewer rows than its header declares.
	ErrTruncated = errors.New("truncated file")
	// ErrDuplicate is returned when a key repeats under DupError.
	ErrDuplicate = errors.New("duplicate key")
	// ErrHeader is returned when an `N D` header is malformed or declares a
	// dimension of 0 or above MaxDim.
	ErrHeader = errors.New("bad header")
	// ErrSyntax is returned when a line cannot be split into a key and
	// values at all: bad JSON, bad CSV quoting, a missing key, an overlong
	// binary key, a corrupt gzip stream.
	ErrSyntax = errors.New("syntax error")
	// ErrLineTooLong is returned when a text line is longer than
	// MaxLineBytes (a file without newlines, such as /dev/zero or a binary
	// file read as text). The message reads `line 3: longer than the 32 MiB
	// line limit`.
	ErrLineTooLong = textline.ErrTooLong
	// ErrKeyTooLong is returned when a row's key is longer than
	// MaxKeyBytes. The message reads `line 3: key "aaaa…" is 10485760
	// bytes, over the 4096-byte key limit`. It matches db.ErrKeyTooLong
	// and db.ErrInvalid.
	ErrKeyTooLong = errdefs.ErrKeyTooLong
)

// MaxKeyBytes is the longest row key, in bytes, that a Reader returns (4
// KiB, the limit of vecdb's storage and of the trainer's tokens); a longer
// key is an error wrapping ErrKeyTooLong that names its line or offset.
const MaxKeyBytes = errdefs.MaxKeyBytes

// Error is a problem at one place in a vector file. Line (1-based) is set for
// text layouts and the header of word2vec binary files; Offset is the byte
// offset, in the decompressed stream, of the binary row at fault and is
// meaningful only when Line is 0. Table files (Parquet) set Row instead: the
// 1-based row in the file, with its 0-based RowGroup (as Parquet tools
// number them), and File, the file's name. Err is one of the sentinels
// above, or the underlying I/O error.
type Error struct {
	Line     int
	Offset   int64
	File     string
	RowGroup int
	Row      int64
	Msg      string
	Err      error
}

// Error prints the position then the message: `line 17: expected 50 values,
// got 49`, `offset 4096: file ends inside a row` or `part-0.parquet: row 7
// (row group 0): vector has 49 values, want 50`.
func (e *Error) Error() string {
	prefix := ""
	if e.File != "" {
		prefix = e.File + ": "
	}
	switch {
	case e.Row > 0:
		return fmt.Sprintf("%srow %d (row group %d): %s", prefix, e.Row, e.RowGroup, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%sline %d: %s", prefix, e.Line, e.Msg)
	case e.File != "":
		return prefix + e.Msg
	}
	return fmt.Sprintf("offset %d: %s", e.Offset, e.Msg)
}

// Unwrap returns the sentinel or cause.
func (e *Error) Unwrap() error { return e.Err }
