package db

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/vecdb/vecdb/format"
	"github.com/vecdb/vecdb/format/fasttext"
	"github.com/vecdb/vecdb/storage"
)

// fastText model files (IMPORT … FORMAT FASTTEXT BINARY, EXPORT … FORMAT
// FASTTEXT BINARY) go through package format/fasttext. An import stores
// the model's words as rows (in the file's order, with fastText's counts
// and the vectors `fasttext print-word-vectors` prints) and its character
// n-gram rows as the collection's subword table (subwords.go), in the same
// commit, so that keys the model never saw get fastText's vectors. A file
// is recognised by its magic number (793712314, a little-endian int32 at
// offset 0, through gzip too) when no format is given: the .bin name is
// shared with word2vec's binary layout, so the name decides nothing.

// maxSubwordDim is the largest dimension of a subword table that
// trainer.ReadSubwords reads back (and that TRAIN accepts).
const maxSubwordDim = 10000

// Offsets in a model file's head: magic and version, then Args (dim
// first, bucket the 9th int32, maxn the 11th; 56 bytes with t), then the
// dictionary's size and nwords.
const (
	ftDimAt    = 8
	ftBucketAt = 8 + 8*4
	ftMaxnAt   = 8 + 10*4
	ftNwordsAt = 8 + 56 + 4
	ftHeadLen  = ftNwordsAt + 4
)

// isGzipped reports whether br's content starts with gzip's magic bytes.
func isGzipped(br *bufio.Reader) bool {
	b, _ := br.Peek(2)
	return len(b) == 2 && b[0] == 0x1f && b[1] == 0x8b
}

// peekHead returns up to n bytes from the start of br's content,
// gunzipped when br holds gzip (decompressed from what the buffer holds),
// without consuming anything.
func peekHead(br *bufio.Reader, n int) []byte {
	if !isGzipped(br) {
		b, _ := br.Peek(n)
		return b
	}
	c, _ := br.Peek(min(br.Size(), 64<<10))
	zr, err := gzip.NewReader(bytes.NewReader(c))
	if err != nil {
		return nil
	}
	out := make([]byte, n)
	k, _ := io.ReadFull(zr, out)
	return out[:k]
}

// isFastTextModel reports whether br holds a fastText model file, by its
// magic number, gzipped or not; it consumes nothing.
func isFastTextModel(br *bufio.Reader) bool {
	b := peekHead(br, 4)
	return len(b) == 4 && int32(binary.LittleEndian.Uint32(b)) == fasttext.Magic
}

// gzipErrs turns a gzip stream's errors (a bad checksum, corrupt deflate
// data) into format errors; the end of the stream passes as it is.
type gzipErrs struct{ r io.Reader }

func (g gzipErrs) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF && !errors.Is(err, io.ErrUnexpectedEOF) {
		err = &format.Error{Msg: "gzip: " + err.Error(), Err: format.ErrSyntax}
	}
	return n, err
}

// progressReader reports the bytes read and stops at cancellation.
type progressReader struct {
	ctx   context.Context
	r     io.Reader
	done  int64
	total int64
	prog  *throttle
}

func (p *progressReader) Read(b []byte) (int, error) {
	if err := p.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := p.r.Read(b)
	p.done += int64(n)
	p.prog.report(Progress{Op: "import", Done: p.done, Total: p.total, Unit: "bytes", Detail: "reading the fastText model"}, false)
	return n, err
}

// checkFastTextHead checks what a model file declares before it is read:
// a model with character n-grams (maxn > 0) must fit a subword table, a
// collection that exists fixes the dimension, and the words and n-gram
// rows that Read keeps in memory (at most the file's size) must fit
// Limits.MaxMemory. A head that is not a model's is left to
// fasttext.Read to report. Problems of the file are *format.Error
// values; the memory check's error names op and source itself.
func (d *DB) checkFastTextHead(op, source string, head []byte, existing *storage.CollectionMeta, size int64, opts ImportOptions) error {
	if len(head) < ftHeadLen || int32(binary.LittleEndian.Uint32(head)) != fasttext.Magic {
		return nil
	}
	at := func(off int) int64 { return int64(int32(binary.LittleEndian.Uint32(head[off:]))) }
	dim, bucket, maxn, nwords := at(ftDimAt), at(ftBucketAt), at(ftMaxnAt), at(ftNwordsAt)
	if maxn > 0 && dim > maxSubwordDim {
		return &format.Error{Offset: ftDimAt, Err: format.ErrHeader,
			Msg: fmt.Sprintf("the model has dimension %d; vecdb keeps a model's character n-grams up to dimension %d", dim, maxSubwordDim)}
	}
	if existing != nil && dim > 0 && int(dim) != existing.Dim {
		return &format.Error{Offset: ftDimAt, Err: format.ErrRagged,
			Msg: fmt.Sprintf("the model has dimension %d, want %d", dim, existing.Dim)}
	}
	if dim <= 0 || dim > format.MaxDim || nwords < 0 || bucket < 0 {
		return nil // Read says what is wrong
	}
	if opts.Limit > 0 {
		nwords = min(nwords, int64(opts.Limit))
	}
	if maxn <= 0 {
		bucket = 0
	}
	need := 4 * (nwords + bucket) * dim
	if size > 0 {
		need = min(need, size)
	}
	return d.checkMemory(fmt.Sprintf("%s from %s: the model's %d words and up to %d n-gram rows of dimension %d (WITH (limit = n) keeps fewer words)", op, source, nwords, bucket, dim), need)
}

// importFastText imports the fastText model read from br (size is the
// file's length, 0 when unknown) into the collection name.
func (d *DB) importFastText(ctx context.Context, name, source string, br *bufio.Reader, size int64, opts ImportOptions) (*ImportResult, error) {
	existing, err := d.importTarget(name)
	if err != nil {
		return nil, err
	}
	op := "import " + name
	gz := isGzipped(br)
	if gz {
		size = 0 // the file's size is the compressed one
	}
	if err := d.checkFastTextHead(op, source, peekHead(br, ftHeadLen), existing, size, opts); err != nil {
		if fe := (*format.Error)(nil); errors.As(err, &fe) {
			return nil, fileErr(op, source, err)
		}
		return nil, err
	}
	var r io.Reader = br
	if gz {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fileErr(op, source, &format.Error{Msg: "gzip: " + err.Error(), Err: format.ErrSyntax})
		}
		defer zr.Close()
		r = gzipErrs{zr}
	}
	pr := &progressReader{ctx: ctx, r: r, total: size, prog: newThrottle(ctx)}
	m, err := fasttext.Read(pr, fasttext.ReadOptions{Size: size, Limit: opts.Limit, AllBuckets: opts.AllBuckets})
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, fileErr(op, source, err)
	}
	dim := m.Dim()
	// Checked from the head above, unless the head could not be peeked
	// (a gzip stream whose first block is larger than the buffer).
	if m.Subwords != nil && dim > maxSubwordDim {
		return nil, fmt.Errorf("%s from %s: %w: the model has dimension %d; vecdb keeps a model's character n-grams up to dimension %d", op, source, ErrInvalid, dim, maxSubwordDim)
	}
	if existing != nil && dim != existing.Dim {
		return nil, fmt.Errorf("%s from %s: %w: the model has dimension %d, the collection %d", op, source, ErrDimension, dim, existing.Dim)
	}
	i := 0
	src := &loadSource{
		source: source,
		format: format.FastTextBinary,
		dim:    dim,
		next: func() (*storage.Row, error) {
			if i == len(m.Words) {
				return nil, io.EOF
			}
			row := &storage.Row{Key: m.Words[i], Count: m.Counts[i], Vector: m.Vectors[i*dim : (i+1)*dim : (i+1)*dim]}
			i++
			return row, nil
		},
		progress: func(rows int) Progress {
			return Progress{Op: "import", Done: int64(rows), Total: int64(len(m.Words)), Unit: "rows"}
		},
		subwords: m.Subwords,
		params:   fastTextParams(m, opts),
	}
	return d.load(ctx, name, existing, src, opts)
}

// fastTextParams are the parameters an imported model records beside
// "format" and "limit": its n-gram settings, read by DESCRIBE and SHOW
// STATS as those of a collection trained with subwords.
func fastTextParams(m *fasttext.Model, opts ImportOptions) map[string]string {
	p := map[string]string{"fasttext_model": fastTextKind(m.Args.Model)}
	if s := m.Subwords; s != nil {
		p["subwords"] = "true"
		p["minn"] = strconv.Itoa(s.MinN)
		p["maxn"] = strconv.Itoa(s.MaxN)
		p["buckets"] = strconv.Itoa(s.Buckets)
		p["ngram_rows"] = strconv.Itoa(s.Len())
		if opts.AllBuckets {
			p["all_buckets"] = "true"
		}
	}
	return p
}

func fastTextKind(k fasttext.Kind) string {
	switch k {
	case fasttext.CBOW:
		return "CBOW"
	case fasttext.Skipgram:
		return "SKIPGRAM"
	case fasttext.Supervised:
		return "SUPERVISED"
	}
	return strconv.Itoa(int(k))
}

// exportFastText writes the collection name to w as a fastText model
// file: its keys, counts and vectors, and its subword table when it has
// one (see fasttext.Write).
func (d *DB) exportFastText(ctx context.Context, name string, w io.Writer) (int, error) {
	var m *fasttext.Model
	prog := newThrottle(ctx)
	err := d.view(name, func(c *storage.Coll) error {
		meta := c.Meta()
		m = &fasttext.Model{Args: fastTextArgs(meta.Dim, meta.Params)}
		m.Words = make([]string, 0, meta.Rows)
		m.Counts = make([]int64, 0, meta.Rows)
		m.Vectors = make([]float32, 0, meta.Rows*meta.Dim)
		err := c.Scan(storage.ScanOptions{NoMeta: true, Reuse: true}, func(r *storage.Row) (bool, error) {
			m.Words = append(m.Words, r.Key)
			m.Counts = append(m.Counts, max(r.Count, 0))
			m.Vectors = append(m.Vectors, r.Vector...)
			if n := len(m.Words); n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return false, err
				}
				prog.report(Progress{Op: "export", Done: int64(n), Total: int64(meta.Rows), Unit: "rows"}, false)
			}
			return true, nil
		})
		if err != nil {
			return err
		}
		if sr := c.Subwords(); sr != nil {
			s, err := readSubwords(sr, meta.Dim)
			if err != nil {
				return err
			}
			m.Subwords = s
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("export %s: %w", name, err)
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := fasttext.Write(w, m); err != nil {
		return 0, fmt.Errorf("export %s: %w", name, err)
	}
	return len(m.Words), nil
}

// fastTextArgs are the arguments an exported model records: those of
// TRAIN (its parameters) where the collection was trained, fastText's
// defaults otherwise. Write takes the n-gram settings from the table.
func fastTextArgs(dim int, p map[string]string) fasttext.Args {
	a := fasttext.DefaultArgs(dim)
	set := func(key string, dst *int32) {
		if n, err := strconv.Atoi(p[key]); err == nil && n > 0 && n <= 1<<30 {
			*dst = int32(n)
		}
	}
	set("window", &a.WS)
	set("epochs", &a.Epoch)
	set("min_count", &a.MinCount)
	set("negative", &a.Neg)
	if t, err := strconv.ParseFloat(p["sample"], 64); err == nil && t > 0 {
		a.T = t
	}
	switch p["algorithm"] {
	case "CBOW":
		a.Model = fasttext.CBOW
	case "SKIPGRAM":
		a.Model = fasttext.Skipgram
	}
	return a
}
