package trainer

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"iter"
	"os"
	"unicode/utf8"
	"unsafe"
)

// Source is a training corpus that can be read more than once: Train calls
// Open once to count the vocabulary and, in every epoch, once per stripe
// (Config.Stripes), keeping those readers open side by side; memory stays
// bounded by the vocabulary and the weights, not the corpus.
type Source interface {
	Open() (SequenceReader, error)
}

// SequenceReader reads the sequences of one pass over a Source.
type SequenceReader interface {
	// Next returns the tokens of the next sequence, or io.EOF after the
	// last. The slices stay valid until the next call to Next or Close and
	// must not be modified. A sequence may be empty.
	Next() ([][]byte, error)
	// Close releases the reader's resources.
	Close() error
}

// FileSource returns a Source reading path: one sequence per line, tokens
// separated by ASCII white space (space, tab, CR, LF, VT, FF). Files that
// start with the gzip magic bytes are decompressed transparently. Lines
// longer than MaxSequenceLength tokens are cut into pieces of that length
// as they stream, so a corpus on one line (text8) is fine; tokens longer
// than MaxTokenBytes are skipped and counted (Model.SkippedTokens). Open returns an
// error wrapping ErrBinaryInput when the first 4 KB hold a NUL byte or more
// than 30% invalid UTF-8.
func FileSource(path string) Source { return fileSource{path: path} }

// Opener opens a file by name for reading; nil means os.Open. The db
// package passes one that keeps every open inside its sandbox.
type Opener func(name string) (*os.File, error)

func (o Opener) open(name string) (*os.File, error) {
	if o == nil {
		return os.Open(name)
	}
	return o(name)
}

// FileSourceWith is FileSource with the file opened by open on every pass.
func FileSourceWith(open Opener, path string) Source { return fileSource{path: path, open: open} }

type fileSource struct {
	path string
	open Opener
}

func (p fileSource) String() string { return p.path }

func (p fileSource) Open() (SequenceReader, error) {
	f, err := p.open.open(p.path)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(f, 64<<10)
	var r io.Reader = br
	var gz *gzip.Reader
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err = gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("read %s: %w", p.path, err)
		}
		r = gz
	}
	tr := &textReader{name: p.path, f: f, gz: gz, r: r, buf: make([]byte, textBuf)}
	if err := tr.sniff(); err != nil {
		tr.Close()
		return nil, err
	}
	return tr, nil
}

// openAt starts a pass at byte offset off of an uncompressed file, which
// a reader's offset gave at the start of a sequence: the reader keeps no
// other state between sequences, so it reads on exactly as the reader
// that gave the offset did. Stripes use it to start mid-file without
// reading what comes before.
func (p fileSource) openAt(off int64) (SequenceReader, error) {
	f, err := p.open.open(p.path)
	if err != nil {
		return nil, err
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("read %s: %w", p.path, err)
	}
	return &textReader{name: p.path, f: f, r: bufio.NewReaderSize(f, 64<<10), buf: make([]byte, textBuf), consumed: off}, nil
}

// seeker is a Source that can start a pass at an offset (openAt).
type seeker interface {
	openAt(off int64) (SequenceReader, error)
}

// offsetter is a reader that can tell the byte offset of the next
// sequence; ok is false when the pass cannot be started there (a gzip
// stream).
type offsetter interface {
	offset() (off int64, ok bool)
}

// textBuf is a text reader's buffer size: a pass holds one reader per
// stripe.
const textBuf = 256 << 10

// isSpace marks the bytes that separate tokens.
var isSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true, '\v': true, '\f': true}

// textReader splits a byte stream into sequences of tokens. Tokens are
// copied into arena so a refill of buf cannot overwrite them.
type textReader struct {
	name     string
	f        *os.File
	gz       *gzip.Reader
	r        io.Reader
	buf      []byte
	pos, end int
	consumed int64 // bytes of the stream before buf[0]
	err      error // sticky error from r (io.EOF at the end)
	arena    []byte
	offs     []int
	toks     [][]byte
	skipped  int64 // tokens longer than maxTokenBytes, dropped
}

// offset returns the byte offset in the file of what Next reads next.
func (t *textReader) offset() (int64, bool) { return t.consumed + int64(t.pos), t.gz == nil }

// Skipped returns the number of tokens longer than MaxTokenBytes dropped so
// far in this pass.
func (t *textReader) Skipped() int64 { return t.skipped }

// fill reads more bytes into buf, discarding the consumed ones. It returns
// false when no more bytes will come.
func (t *textReader) fill() bool {
	if t.err != nil {
		return false
	}
	t.consumed += int64(t.end)
	t.pos, t.end = 0, 0
	for t.end == 0 && t.err == nil {
		n, err := t.r.Read(t.buf)
		t.end = n
		if err != nil {
			t.err = err
		}
	}
	return t.end > 0
}

// sniff fills the first 4 KB and rejects binary input.
func (t *textReader) sniff() error {
	for t.end < 4096 && t.err == nil {
		n, err := t.r.Read(t.buf[t.end:4096])
		t.end += n
		if err != nil {
			t.err = err
		}
	}
	if t.err != nil && t.err != io.EOF {
		return fmt.Errorf("read %s: %w", t.name, t.err)
	}
	head := t.buf[:t.end]
	for _, c := range head {
		if c == 0 {
			return fmt.Errorf("%w: %s has NUL bytes in its first 4 KB", ErrBinaryInput, t.name)
		}
	}
	invalid := 0
	for i := 0; i < len(head); {
		r, size := utf8.DecodeRune(head[i:])
		if r == utf8.RuneError && size == 1 {
			if len(head)-i < utf8.UTFMax && !utf8.FullRune(head[i:]) && t.err == nil {
				break // a rune cut by the 4 KB boundary
			}
			invalid++
		}
		i += size
	}
	if len(head) > 0 && invalid*10 > len(head)*3 {
		return fmt.Errorf("%w: %s is mostly invalid UTF-8 in its first 4 KB (%d of %d bytes)", ErrBinaryInput, t.name, invalid, len(head))
	}
	return nil
}

func (t *textReader) Next() ([][]byte, error) {
	t.arena = t.arena[:0]
	t.offs = t.offs[:0]
	for {
		// Skip white space; a newline ends a non-empty sequence.
		for t.pos < t.end {
			c := t.buf[t.pos]
			if !isSpace[c] {
				break
			}
			t.pos++
			if c == '\n' && len(t.offs) > 0 {
				return t.tokens(), nil
			}
		}
		if t.pos == t.end {
			if !t.fill() {
				return t.finish()
			}
			continue
		}
		// Read one token, possibly across refills; one longer than
		// maxTokenBytes is dropped as it streams and counted.
		start, tok, long := t.pos, len(t.arena), false
		for {
			for t.pos < t.end && !isSpace[t.buf[t.pos]] {
				t.pos++
			}
			if !long {
				t.arena = append(t.arena, t.buf[start:t.pos]...)
				if len(t.arena)-tok > maxTokenBytes {
					long = true
					t.arena = t.arena[:tok]
				}
			}
			if t.pos < t.end || !t.fill() {
				break
			}
			start = 0
		}
		if long {
			t.skipped++
			continue
		}
		t.offs = append(t.offs, len(t.arena))
		if len(t.offs) == MaxSequenceLength {
			return t.tokens(), nil
		}
	}
}

// finish ends the stream: the last sequence if any, then io.EOF or the
// read error.
func (t *textReader) finish() ([][]byte, error) {
	if t.err != io.EOF {
		return nil, fmt.Errorf("read %s: %w", t.name, t.err)
	}
	if len(t.offs) > 0 {
		return t.tokens(), nil
	}
	return nil, io.EOF
}

func (t *textReader) tokens() [][]byte {
	t.toks = t.toks[:0]
	prev := 0
	for _, o := range t.offs {
		t.toks = append(t.toks, t.arena[prev:o:o])
		prev = o
	}
	return t.toks
}

func (t *textReader) Close() error {
	var err error
	if t.gz != nil {
		err = t.gz.Close()
	}
	if t.f != nil {
		if e := t.f.Close(); err == nil {
			err = e
		}
	}
	return err
}

// SliceSource returns a Source over sequences held in memory. The slices
// are read, never modified; they must not change during training.
func SliceSource(seqs [][]string) Source {
	return FuncSource(func(yield func([]string) bool) {
		for _, s := range seqs {
			if !yield(s) {
				return
			}
		}
	})
}

// FuncSource returns a Source over an iterator of sequences (an
// iter.Seq[[]string]); it is called once per pass, and once per stripe
// (Config.Stripes) in a training pass, and must yield the same sequences
// each time. Calls for the stripes of a pass are suspended side by side,
// so they must not share state that a call changes. The yielded slice
// may be reused after yield returns.
func FuncSource(seq func(yield func([]string) bool)) Source { return funcSource(seq) }

type funcSource func(yield func([]string) bool)

func (f funcSource) Open() (SequenceReader, error) {
	next, stop := iter.Pull(iter.Seq[[]string](f))
	return &funcReader{next: next, stop: stop}, nil
}

type funcReader struct {
	next func() ([]string, bool)
	stop func()
	toks [][]byte
}

func (r *funcReader) Next() ([][]byte, error) {
	s, ok := r.next()
	if !ok {
		return nil, io.EOF
	}
	r.toks = r.toks[:0]
	for _, w := range s {
		// Zero-copy view of the string: the trainer only reads tokens.
		r.toks = append(r.toks, unsafe.Slice(unsafe.StringData(w), len(w)))
	}
	return r.toks, nil
}

func (r *funcReader) Close() error { r.stop(); return nil }
