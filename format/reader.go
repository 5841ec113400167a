package format

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/vecdb/vecdb/internal/errdefs"
	"github.com/vecdb/vecdb/internal/textline"
)

const (
	bufSize     = 1 << 20  // bufio buffer for reading
	maxPrealloc = 1 << 12  // most map entries preallocated from a header's N
	gzipMagic0  = 0x1f     // first byte of a gzip stream
	gzipMagic1  = 0x8b     // second byte of a gzip stream
	quoteLen    = 40       // longest token quoted in an error message
	sniffWindow = 64 << 10 // bytes peeked when sniffing
)

// Reader streams (key, vector) rows from a vector file. It never holds more
// than a buffer and one row in memory, plus one map entry per key when
// duplicates are checked (DupError, DupKeepFirst). A Reader is not safe for
// concurrent use.
type Reader struct {
	opts     ReaderOptions
	format   Format
	src      *bufio.Reader
	gz       *gzip.Reader
	file     *os.File
	dim      int
	declared int

	line   int   // current text line, 1-based
	off    int64 // bytes consumed from the (decompressed) stream
	rowOff int64 // offset of the binary row being read
	read   int   // rows read from the file, duplicates included
	rows   int   // rows returned by Next
	seen   map[string]int64
	err    error // sticky error, io.EOF at the end

	pending bool // a row was read ahead by NewReader
	pkey    string
	pvec    []float32

	long   []byte // assembles text lines longer than the buffer
	bounds []int  // token starts within a text line
	bin    []byte // one binary row's values
	csv    *csv.Reader
	csvHdr bool // the first CSV record has been looked at
}

// NewReader returns a Reader over r. If the stream starts with the gzip magic
// bytes it is decompressed while it is read. With opts.Format == Auto the
// layout is sniffed: an `N D` first line of two integers followed by binary
// bytes is word2vec binary, followed by text it is word2vec text; a first
// byte '{' is JSONL; a first line with commas and no blanks (or a quoted key
// followed by a comma) is CSV; anything else is GloVe.
//
// NewReader reads the header and the first row, so Dim is known when it
// returns; an error in either is returned here. Close releases the gzip
// decompressor but does not close r.
func NewReader(r io.Reader, opts ReaderOptions) (*Reader, error) {
	if opts.Limit < 0 || opts.Dim < 0 || opts.Dim > MaxDim {
		return nil, fmt.Errorf("format: bad reader options: limit %d, dim %d", opts.Limit, opts.Dim)
	}
	rd := &Reader{opts: opts, declared: -1, dim: opts.Dim}
	rd.src = bufio.NewReaderSize(r, bufSize)
	if magic, _ := rd.src.Peek(2); len(magic) == 2 && magic[0] == gzipMagic0 && magic[1] == gzipMagic1 {
		gz, err := gzip.NewReader(rd.src)
		if err != nil {
			return nil, &Error{Msg: "gzip: " + err.Error(), Err: ErrSyntax}
		}
		rd.gz = gz
		rd.src = bufio.NewReaderSize(gz, bufSize)
	}
	if bom, _ := rd.src.Peek(3); string(bom) == "\xef\xbb\xbf" {
		rd.src.Discard(3) // a UTF-8 byte order mark, as Windows tools write
		rd.off = 3
	}
	rd.format = opts.Format
	if rd.format == Auto {
		rd.format = sniff(rd.src)
	}
	if rd.format < GloVe || rd.format > JSONL {
		rd.Close()
		return nil, fmt.Errorf("format: unknown format %v", opts.Format)
	}
	if rd.format.hasHeader() {
		if err := rd.readHeader(); err != nil {
			rd.Close()
			return nil, err
		}
	}
	if rd.format == CSV {
		rd.csv = csv.NewReader(textline.NewReader(rd.src)) // encoding/csv has no line bound
		rd.csv.FieldsPerRecord = -1
		rd.csv.ReuseRecord = true
		rd.csv.TrimLeadingSpace = true
	}
	if opts.Duplicates != DupKeepLast {
		rd.seen = make(map[string]int64, min(max(rd.declared, 0), maxPrealloc))
	}
	key, vec, err := rd.next()
	switch {
	case err == io.EOF:
		rd.err = io.EOF
	case err != nil:
		rd.Close()
		return nil, err
	default:
		rd.pending, rd.pkey, rd.pvec = true, key, vec
	}
	return rd, nil
}

// Open opens the file at path and returns a Reader over it (see NewReader);
// .gz files are decompressed while read whatever their name. The caller must
// call the Reader's Close, which closes the file.
func Open(path string, opts ReaderOptions) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := NewReader(f, opts)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.file = f
	return r, nil
}

// Close releases the decompressor and, for a Reader made by Open, closes the
// file. It is safe to call more than once.
func (r *Reader) Close() error {
	var err error
	if r.gz != nil {
		err = r.gz.Close()
		r.gz = nil
	}
	if r.file != nil {
		if cerr := r.file.Close(); err == nil {
			err = cerr
		}
		r.file = nil
	}
	if r.err == nil {
		r.err = errors.New("format: reader is closed")
	}
	return err
}

// Next returns the next row. vec is a fresh slice that the caller may keep.
// At the end it returns io.EOF; after Limit rows, or after the N rows a
// header declares (later bytes are ignored, as word2vec.c and gensim do),
// it also returns io.EOF. Errors are *Error values; once Next has returned an
// error it returns the same error again.
func (r *Reader) Next() (key string, vec []float32, err error) {
	if r.pending {
		r.pending = false
		key, vec = r.pkey, r.pvec
		r.pkey, r.pvec = "", nil
		return key, vec, nil
	}
	if r.err != nil {
		return "", nil, r.err
	}
	key, vec, err = r.next()
	if err != nil {
		r.err = err
	}
	return key, vec, err
}

// Dim returns the dimension: from the header, from ReaderOptions.Dim, or from
// the first row. It is 0 only for a headerless file with no rows.
func (r *Reader) Dim() int { return r.dim }

// Format returns the layout being read, after sniffing.
func (r *Reader) Format() Format { return r.format }

// Declared returns the row count N from an `N D` header, or -1 when the
// layout has no header.
func (r *Reader) Declared() int { return r.declared }

// next reads rows until one is to be returned, applying Limit, the header's
// N and the duplicate policy.
func (r *Reader) next() (string, []float32, error) {
	for {
		if r.opts.Limit > 0 && r.rows >= r.opts.Limit {
			return "", nil, io.EOF
		}
		if r.declared >= 0 && r.read >= r.declared {
			return "", nil, io.EOF
		}
		key, vec, err := r.readRow()
		if err == io.EOF {
			if r.declared >= 0 && r.read < r.declared {
				return "", nil, r.errf(ErrTruncated, "header declares %d rows, file has %d", r.declared, r.read)
			}
			return "", nil, io.EOF
		}
		if err != nil {
			return "", nil, err
		}
		if len(key) > MaxKeyBytes {
			return "", nil, r.errf(ErrKeyTooLong, "%s", errdefs.KeyTooLongDetail(key))
		}
		r.read++
		if r.seen != nil {
			pos := r.pos()
			if first, ok := r.seen[key]; ok {
				if r.opts.Duplicates == DupKeepFirst {
					continue
				}
				where := fmt.Sprintf("line %d", first)
				if r.format == Word2VecBinary {
					where = fmt.Sprintf("offset %d", first)
				}
				return "", nil, r.errf(ErrDuplicate, "duplicate key %s (first at %s)", quote(key), where)
			}
			r.seen[key] = pos
		}
		r.rows++
		return key, vec, nil
	}
}

// pos is the current row's position: its line, or its offset for binary rows.
func (r *Reader) pos() int64 {
	if r.format == Word2VecBinary {
		return r.rowOff
	}
	return int64(r.line)
}

func (r *Reader) readRow() (string, []float32, error) {
	switch r.format {
	case Word2VecBinary:
		return r.readBinaryRow()
	case CSV:
		return r.readCSVRow()
	case JSONL:
		return r.readJSONRow()
	default:
		return r.readTextRow()
	}
}

// errf returns an *Error at the current position wrapping sentinel.
func (r *Reader) errf(sentinel error, format string, args ...any) error {
	e := &Error{Msg: fmt.Sprintf(format, args...), Err: sentinel}
	if r.format == Word2VecBinary && r.rowOff > 0 {
		e.Offset = r.rowOff
	} else {
		e.Line = max(r.line, 1)
	}
	return e
}

// tooLong is the error for the current line being longer than limit.
func (r *Reader) tooLong(limit int) error {
	return r.errf(ErrLineTooLong, "longer than the %s line limit", textline.Size(limit))
}

// ioErr turns a read error into an *Error at the current position.
func (r *Reader) ioErr(err error) error {
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return r.errf(ErrTruncated, "compressed stream ends early")
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader):
		return r.errf(ErrSyntax, "%v", err)
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	var le *textline.Error
	if errors.As(err, &le) {
		r.line = int(le.Line)
		return r.tooLong(le.Limit)
	}
	return r.errf(err, "%v", err)
}

// quote quotes s for an error message, shortening it past quoteLen bytes.
func quote(s string) string {
	if len(s) > quoteLen {
		return fmt.Sprintf("%q...", s[:quoteLen])
	}
	return fmt.Sprintf("%q", s)
}
