package format

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Writer writes rows in one layout. Floats are written in the shortest form
// that reads back to the same float32 (strconv 'g', -1), so text round trips
// are exact. Call Close (or Flush) when done; Close does not close the
// underlying io.Writer, so wrap it in gzip.Writer yourself for .gz output.
// A Writer is not safe for concurrent use.
type Writer struct {
	w      *bufio.Writer
	format Format
	n, dim int
	rows   int
	buf    []byte
	err    error
	closed bool
}

// NewWriter returns a Writer of n rows of dim values in layout f (not Auto).
// The word2vec and fastText layouts write n in their header and Close fails
// unless exactly n rows were written; the other layouts ignore n. CSV output
// starts with a `key,v1,...,vd` header record.
func NewWriter(w io.Writer, f Format, n, dim int) (*Writer, error) {
	if f < GloVe || f > JSONL {
		return nil, fmt.Errorf("format: cannot write format %v", f)
	}
	if dim < 1 || dim > MaxDim {
		return nil, fmt.Errorf("format: dimension %d out of range 1..%d", dim, MaxDim)
	}
	if f.hasHeader() && n < 0 {
		return nil, fmt.Errorf("format: %v needs the row count up front, got %d", f, n)
	}
	wr := &Writer{w: bufio.NewWriterSize(w, 1<<16), format: f, n: n, dim: dim}
	switch {
	case f.hasHeader():
		wr.buf = fmt.Appendf(wr.buf[:0], "%d %d\n", n, dim)
	case f == CSV:
		wr.buf = append(wr.buf[:0], "key"...)
		for i := 1; i <= dim; i++ {
			wr.buf = append(wr.buf, ",v"...)
			wr.buf = strconv.AppendInt(wr.buf, int64(i), 10)
		}
		wr.buf = append(wr.buf, '\n')
	}
	if _, err := wr.w.Write(wr.buf); err != nil {
		return nil, err
	}
	return wr, nil
}

// Write writes one row. The vector must have the Writer's dimension and
// finite values (ErrRagged, ErrNotFinite). Keys must be non-empty; in the
// whitespace-separated layouts (GloVe, word2vec, fastText) they must not
// contain white space, so use CSV or JSONL for keys such as "new york".
func (w *Writer) Write(key string, vec []float32) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return fmt.Errorf("format: write after close")
	}
	if len(vec) != w.dim {
		return &Error{Line: w.line(), Msg: fmt.Sprintf("expected %d values, got %d", w.dim, len(vec)), Err: ErrRagged}
	}
	for j, v := range vec {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return &Error{Line: w.line(), Msg: fmt.Sprintf("value %d of %s is not finite: %v", j+1, quote(key), v), Err: ErrNotFinite}
		}
	}
	if key == "" {
		return &Error{Line: w.line(), Msg: "empty key", Err: ErrSyntax}
	}
	if w.format != CSV && w.format != JSONL && strings.ContainsAny(key, " \t\n\r\v\f") {
		return &Error{Line: w.line(), Msg: fmt.Sprintf("key %s contains white space, which %v cannot hold", quote(key), w.format), Err: ErrSyntax}
	}
	b := w.buf[:0]
	switch w.format {
	case Word2VecBinary:
		b = append(b, key...)
		b = append(b, ' ')
		for _, v := range vec {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
	case CSV:
		b = appendCSVField(b, key)
		for _, v := range vec {
			b = append(b, ',')
			b = strconv.AppendFloat(b, float64(v), 'g', -1, 32)
		}
	case JSONL:
		kj, _ := json.Marshal(key)
		b = append(b, `{"key":`...)
		b = append(b, kj...)
		b = append(b, `,"vector":[`...)
		for j, v := range vec {
			if j > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendFloat(b, float64(v), 'g', -1, 32)
		}
		b = append(b, "]}"...)
	default:
		b = append(b, key...)
		for _, v := range vec {
			b = append(b, ' ')
			b = strconv.AppendFloat(b, float64(v), 'g', -1, 32)
		}
	}
	b = append(b, '\n')
	w.buf = b
	if _, err := w.w.Write(b); err != nil {
		w.err = err
		return err
	}
	w.rows++
	return nil
}

// line is the line the next row goes on, for error messages.
func (w *Writer) line() int {
	if w.format.hasHeader() || w.format == CSV {
		return w.rows + 2
	}
	return w.rows + 1
}

// Flush writes buffered rows to the underlying writer.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if err := w.w.Flush(); err != nil {
		w.err = err
		return err
	}
	return nil
}

// Close flushes and, for layouts with a header, checks that exactly n rows
// were written (ErrTruncated otherwise). It does not close the underlying
// writer.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if err := w.Flush(); err != nil {
		return err
	}
	if w.format.hasHeader() && w.rows != w.n {
		w.err = &Error{Line: 1, Msg: fmt.Sprintf("header declares %d rows, wrote %d", w.n, w.rows), Err: ErrTruncated}
		return w.err
	}
	return nil
}

// appendCSVField appends s, quoted when it holds a comma, quote, newline or
// leading or trailing blank.
func appendCSVField(b []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\r\n") && strings.TrimSpace(s) == s {
		return append(b, s...)
	}
	b = append(b, '"')
	b = append(b, strings.ReplaceAll(s, `"`, `""`)...)
	return append(b, '"')
}
