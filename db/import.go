package db

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/vecdb/vecdb/format"
	"github.com/vecdb/vecdb/internal/vec"
	"github.com/vecdb/vecdb/query"
	"github.com/vecdb/vecdb/storage"
	"github.com/vecdb/vecdb/trainer"
)

// Format is a vector file layout (GloVe, word2vec text or binary, fastText
// .vec, CSV, JSONL); the zero value, format.Auto, sniffs it.
type Format = format.Format

// ImportOptions tune Import.
type ImportOptions struct {
	Format Format // format.Auto sniffs the file
	Limit  int    // read at most this many rows; 0 reads all
	// Metric of a collection that Import creates (default COSINE). An
	// existing collection keeps its own.
	Metric Metric
	// KeepFirstDuplicate skips repeated keys instead of failing.
	KeepFirstDuplicate bool
	// Index says whether to build an HNSW index with the load; nil builds
	// one when the collection had one or has at least AutoIndexRows rows.
	Index *bool
	// KeyColumn and VectorColumn name the key and vector columns of a
	// Parquet file (ignoring case); "" finds them by their usual names
	// (key, word, id; vector, embedding). Other formats refuse them.
	KeyColumn, VectorColumn string
	// AllBuckets keeps every n-gram row of a fastText model
	// (format.FastTextBinary), so that every key the model never saw gets
	// exactly fastText's vector; by default only the rows that the
	// model's words use are kept (see fasttext.ReadOptions). Other formats
	// refuse it.
	AllBuckets bool
}

// ImportResult says what an import did.
type ImportResult struct {
	Collection string
	Rows       int
	Dim        int
	Format     Format
	Replaced   bool // an existing collection's rows were replaced
	// ZeroVectors counts the rows of a COSINE collection whose vector is
	// zero. They are kept (a file may hold them: padding, unseen words),
	// but having no direction they have no cosine with anything: no search
	// returns them as neighbours, and a query from one is ErrZeroVector.
	ZeroVectors int
}

// countingReader counts bytes read, for progress.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// Import loads a vector file into a collection. A Parquet file (by its
// magic bytes, or opts.Format == format.Parquet) or a directory of them
// (such as a Spark Word2VecModel's data directory) is read with the
// registered Parquet codec; see ImportParquet. A collection that does not
// exist is created with the file's dimension. An existing one must have the
// same dimension; its rows are replaced, keeping its metric, fields and
// index settings. The swap is atomic: on any error or cancellation the
// collection is exactly as it was. Rows keep the file's order; each row's
// count is its 1-based rank in the file. Gzipped files (.gz, as EXPORT
// writes them) are read transparently, by their content; a .parquet.gz name
// is refused (see Export).
//
// A fastText model file (format.FastTextBinary, or by its magic number
// with format.Auto: a .bin name alone means word2vec's binary layout)
// gives its words as rows, with fastText's counts and the vectors
// `fasttext print-word-vectors` prints, and its character n-gram rows as
// the collection's subword table, stored in the same commit: a key the
// collection does not store then gets its vector from its n-grams, as in
// a collection trained with subwords (View.WordVector). A quantized model
// (.ftz) is refused with ErrQuantized.
func (d *DB) Import(ctx context.Context, name, path string, opts ImportOptions) (*ImportResult, error) {
	if isParquetGzPath(path) {
		return nil, fmt.Errorf("import %s: %w", name, parquetGzError(path))
	}
	f, err := d.openRead(path)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", name, err)
	}
	defer f.Close()
	var total int64
	if st, err := f.Stat(); err == nil {
		if st.IsDir() {
			if opts.Format == format.Auto || opts.Format == format.Parquet {
				if err := opts.notFastText(name, path); err != nil {
					return nil, err
				}
				return d.importTableDir(ctx, name, path, f, opts)
			}
			return nil, fmt.Errorf("import %s: %s is a directory", name, path)
		}
		total = st.Size()
	}
	br := bufio.NewReaderSize(f, 1<<20)
	if opts.Format == format.Auto {
		if magic, _ := br.Peek(len(parquetMagic)); string(magic) == parquetMagic {
			opts.Format = format.Parquet
		} else if isFastTextModel(br) {
			opts.Format = format.FastTextBinary
		}
	}
	if opts.Format == format.Parquet {
		if err := opts.notFastText(name, path); err != nil {
			return nil, err
		}
		return d.importTable(ctx, name, path, []*os.File{f}, opts)
	}
	if err := opts.textOnly(); err != nil {
		return nil, fmt.Errorf("import %s: %w", name, err)
	}
	if opts.Format == format.FastTextBinary {
		return d.importFastText(ctx, name, path, br, total, opts)
	}
	if err := opts.notFastText(name, path); err != nil {
		return nil, err
	}
	cr := &countingReader{r: br}
	return d.importReader(ctx, name, cr, func() int64 { return cr.n.Load() }, total, path, opts)
}

// ImportReader is Import from an io.Reader (source names the input in
// messages and in the collection's Source).
//
// A Parquet file (opts.Format == format.Parquet) needs random access: r
// must then be an io.ReaderAt and io.Seeker, such as *os.File.
func (d *DB) ImportReader(ctx context.Context, name string, r io.Reader, source string, opts ImportOptions) (*ImportResult, error) {
	if opts.Format == format.Parquet {
		if err := opts.notFastText(name, source); err != nil {
			return nil, err
		}
		ra, ok := r.(format.ReadAtSeeker)
		if !ok {
			return nil, fmt.Errorf("import %s from %s: %w: a Parquet file needs random access (an io.ReaderAt and io.Seeker such as *os.File)", name, source, ErrInvalid)
		}
		return d.importTables(ctx, name, source, []tableFile{{name: source, r: ra}}, opts)
	}
	if err := opts.textOnly(); err != nil {
		return nil, fmt.Errorf("import %s: %w", name, err)
	}
	br := bufio.NewReaderSize(r, 1<<16)
	if opts.Format == format.FastTextBinary || (opts.Format == format.Auto && isFastTextModel(br)) {
		return d.importFastText(ctx, name, source, br, 0, opts)
	}
	if err := opts.notFastText(name, source); err != nil {
		return nil, err
	}
	cr := &countingReader{r: br}
	return d.importReader(ctx, name, cr, func() int64 { return cr.n.Load() }, 0, source, opts)
}

// textOnly refuses the options of Parquet files for a text import or a
// fastText model.
func (o ImportOptions) textOnly() error {
	if o.KeyColumn != "" || o.VectorColumn != "" {
		return invalidf("the key and vector columns are named only for a Parquet file (this is %v)", o.Format)
	}
	return nil
}

// notFastText refuses the options of fastText models for the file source
// of another format, imported into name.
func (o ImportOptions) notFastText(name, source string) error {
	switch {
	case !o.AllBuckets:
	case o.Format == format.Auto:
		return invalidf("import %s from %s: all_buckets goes only with a fastText model (a .bin that fasttext saved), and this file is not one", name, source)
	default:
		return invalidf("import %s from %s: all_buckets goes only with a fastText model (FORMAT FASTTEXT BINARY), not %v", name, source, o.Format)
	}
	return nil
}

// importReader imports the vector file read from r into the collection
// name; done and total report progress in bytes (total 0 when unknown).
func (d *DB) importReader(ctx context.Context, name string, r io.Reader, done func() int64, total int64, source string, opts ImportOptions) (*ImportResult, error) {
	existing, err := d.importTarget(name)
	if err != nil {
		return nil, err
	}
	ropts := format.ReaderOptions{Format: opts.Format, Limit: opts.Limit}
	if opts.KeepFirstDuplicate {
		ropts.Duplicates = format.DupKeepFirst
	}
	if existing != nil {
		ropts.Dim = existing.Dim
	}
	rd, err := format.NewReader(r, ropts)
	if err != nil {
		return nil, fileErr("import "+name, source, err)
	}
	rank := int64(0)
	src := &loadSource{
		source: source,
		format: rd.Format(),
		dim:    rd.Dim(),
		next: func() (*storage.Row, error) {
			key, v, err := rd.Next()
			if err != nil {
				return nil, err
			}
			rank++
			return &storage.Row{Key: key, Vector: v, Count: rank}, nil
		},
		progress: func(rows int) Progress {
			return Progress{Op: "import", Done: done(), Total: total, Unit: "bytes", Detail: fmt.Sprintf("%d rows", rows)}
		},
	}
	return d.load(ctx, name, existing, src, opts)
}

// importTarget checks that name may be loaded and returns its catalog
// record when the collection exists (nil when it does not).
func (d *DB) importTarget(name string) (*storage.CollectionMeta, error) {
	if d.ReadOnly() {
		return nil, ErrReadOnly
	}
	if !storage.ValidName(name) {
		return nil, fmt.Errorf("invalid collection name %q: use letters, digits and _", name)
	}
	// An existing collection fixes the dimension, metric and fields.
	var existing *storage.CollectionMeta
	err := d.store.View(func(tx *storage.Tx) error {
		c, err := tx.Collection(name)
		if err == nil {
			existing = c.Meta().Clone()
			return nil
		}
		if errors.Is(err, ErrCollectionNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return existing, nil
}

// loadSource is a stream of rows for load: from a vector file read by
// format.Reader, or from a table file (Parquet).
type loadSource struct {
	source string // the file, for messages and the collection's Source
	format Format
	dim    int
	// fields are the metadata fields of the rows' Meta: for a collection
	// that exists, its fields and any new ones (see tableFields); nil
	// keeps its fields.
	fields []storage.Field
	// next returns the next row, with its Count set (the 1-based rank when
	// the file has no counts), or io.EOF.
	next     func() (*storage.Row, error)
	progress func(rows int) Progress
	// subwords, when not nil, is stored as the collection's subword table
	// with the rows (a fastText model's n-grams).
	subwords *trainer.Subwords
	// params are recorded beside "format" and "limit".
	params map[string]string
}

// load streams src into a private bucket and swaps it in for the
// collection name (existing is its record, or nil for a new collection).
// On any error or cancellation the collection is exactly as it was.
func (d *DB) load(ctx context.Context, name string, existing *storage.CollectionMeta, src *loadSource, opts ImportOptions) (*ImportResult, error) {
	source := src.source
	if existing == nil && src.dim <= 0 {
		return nil, fmt.Errorf("import %s from %s: the file has no vectors", name, source)
	}
	meta := &storage.CollectionMeta{Name: name, Dim: src.dim, Metric: opts.Metric, Fields: src.fields}
	if existing != nil {
		meta = existing
		if src.fields != nil {
			meta.Fields = src.fields
		}
	}
	meta.Source = fmt.Sprintf("IMPORT FROM '%s' (%s)", source, src.format)
	meta.Params = map[string]string{"format": src.format.String()}
	if opts.Limit > 0 {
		meta.Params["limit"] = strconv.Itoa(opts.Limit)
	}
	for k, v := range src.params {
		meta.Params[k] = v
	}
	// Serialise with other writers only for the final swap; the chunked
	// loading itself runs in its own transactions on a private bucket.
	l, err := d.store.NewLoader(meta)
	if err != nil {
		return nil, err
	}
	defer l.Abort()
	if opts.KeepFirstDuplicate {
		l.Dups = storage.DupKeepFirst
	}
	prog := newThrottle(ctx)
	report := func(final bool) { prog.report(src.progress(l.Rows()), final) }
	n := int64(0)
	zeros := 0           // zero vectors kept (COSINE)
	var vecs [][]float32 // kept for the index build
	for {
		row, err := src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fileErr("import "+name, source, err)
		}
		n++
		if !utf8.ValidString(row.Key) {
			return nil, fmt.Errorf("import %s from %s: row %d: key %q is not valid UTF-8", name, source, n, row.Key)
		}
		zero := meta.Metric == Cosine && vec.Norm(row.Vector) == 0
		kept, err := l.Add(row)
		if err != nil {
			return nil, fmt.Errorf("import %s from %s: row %d: %w", name, source, n, err)
		}
		if kept && zero {
			zeros++
		}
		if kept && (opts.Index == nil || *opts.Index) {
			vecs = append(vecs, row.Vector)
		}
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			report(false)
		}
	}
	if l.Rows() == 0 {
		return nil, fmt.Errorf("import %s from %s: the file has no vectors", name, source)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	report(true)
	if s := src.subwords; s != nil {
		if err := l.PutSubwords(func(w io.Writer) error { _, err := s.WriteTo(w); return err }); err != nil {
			return nil, fmt.Errorf("import %s: subwords: %w", name, err)
		}
	}
	if cfg, ok := wantIndex(opts.Index, meta.Index, l.Rows()); ok {
		if err := indexLoad(ctx, l, meta.Metric, meta.Dim, vecs, cfg); err != nil {
			return nil, fmt.Errorf("import %s: index: %w", name, err)
		}
	} else {
		l.Meta().Index = nil
	}
	if err := d.commitLoad(ctx, name, l); err != nil {
		return nil, err
	}
	return &ImportResult{Collection: name, Rows: l.Rows(), Dim: meta.Dim, Format: src.format, Replaced: existing != nil, ZeroVectors: zeros}, nil
}

// ImportCatalog downloads a pretrained set by its gensim-data name (see
// format.Names) with the registered downloader (import
// github.com/vecdb/vecdb/format/fetch for the default one: into the user
// cache, resuming a partial download and verifying its checksum) and
// imports it. Without a downloader the error matches
// format.ErrNoDownloader. Under Options.Sandbox it is refused before
// anything is downloaded (ErrSandbox): the cache lies outside the sandbox,
// and text from untrusted users should not start downloads; download the
// file and IMPORT it by path instead.
func (d *DB) ImportCatalog(ctx context.Context, name, entry string, opts ImportOptions) (*ImportResult, error) {
	e, err := format.Lookup(entry)
	if err != nil {
		return nil, err
	}
	if d.opts.Sandbox != "" {
		return nil, &sandboxError{path: "CATALOG '" + e.Name + "'", box: d.opts.Sandbox,
			why: "catalog downloads go to the user cache; download the file and IMPORT it by path"}
	}
	prog := newThrottle(ctx)
	path, err := format.Download(ctx, e, func(done, total int64) {
		prog.report(Progress{Op: "download", Done: done, Total: total, Unit: "bytes", Detail: e.Name}, done == total)
	})
	if err != nil {
		return nil, err
	}
	if opts.Format == format.Auto {
		opts.Format = e.Format
	}
	res, err := d.Import(ctx, name, path, opts)
	if err != nil {
		return nil, err
	}
	d.update(ctx, name, func(c *storage.Coll) error {
		m := c.Meta()
		c.SetParams(m.Params, fmt.Sprintf("IMPORT FROM CATALOG '%s'", e.Name))
		return nil
	})
	return res, nil
}

// Export writes a collection to a vector file in the given layout (default
// word2vec text; by the extension with format.Auto, .parquet for Parquet),
// rows in frequency order, exact stored values. Parquet needs the
// registered codec (see ExportParquet); without one the error wraps
// format.ErrNoTableCodec and nothing is written.
//
// A path ending in .gz is gzipped, whatever the layout (the layout is then
// guessed from the name before .gz: 'w.bin.gz' is word2vec binary); Import
// reads it back as it is.
//
// format.FastTextBinary writes a fastText model file (never guessed from
// the name: .bin is word2vec binary): the keys, counts and vectors, and
// the collection's subword table when it has one, so that `fasttext
// print-word-vectors` and `nn` give the collection's vectors for its keys
// and, from the n-grams, for other words (see fasttext.Write). Parquet compresses inside the file, so a
// .parquet.gz path (or Parquet to a .gz path) is refused with an error
// matching ErrInvalid, before anything is written.
func (d *DB) Export(ctx context.Context, name, path string, f Format) (int, error) {
	if f == format.Auto {
		f = guessFormat(path)
	}
	gz := isGzipPath(path)
	if gz && (f == format.Parquet || isParquetGzPath(path)) {
		return 0, fmt.Errorf("export %s: %w", name, parquetGzError(path))
	}
	if f == format.Parquet {
		return d.ExportParquet(ctx, name, path, ParquetOptions{})
	}
	var n int
	err := d.writeOutput(path, func(w io.Writer) error {
		if !gz {
			var err error
			n, err = d.ExportWriter(ctx, name, w, f)
			return err
		}
		zw := gzip.NewWriter(w)
		var err error
		if n, err = d.ExportWriter(ctx, name, zw, f); err != nil {
			return err
		}
		return zw.Close()
	})
	if err != nil {
		return 0, fmt.Errorf("export %s: %w", name, err)
	}
	return n, nil
}

// isGzipPath reports whether a file name ends in .gz (any case): EXPORT
// gzips such a file, IMPORT and IMPORT METADATA read it gunzipped.
func isGzipPath(p string) bool { return strings.HasSuffix(strings.ToLower(p), ".gz") }

// isParquetGzPath reports whether a file name ends in .parquet.gz.
func isParquetGzPath(p string) bool { return strings.HasSuffix(strings.ToLower(p), ".parquet.gz") }

// parquetGzError refuses a gzipped Parquet file: Parquet compresses its
// pages itself and needs random access, which a gzip stream has not.
func parquetGzError(path string) error {
	return invalidf("%s: Parquet files are compressed inside and read with random access, so they are not gzipped; use %s", path, query.QuoteString(path[:len(path)-len(".gz")]))
}

func guessFormat(path string) Format {
	p := strings.ToLower(strings.TrimSuffix(path, ".gz"))
	switch {
	case strings.HasSuffix(p, ".bin"):
		return format.Word2VecBinary
	case strings.HasSuffix(p, ".csv"):
		return format.CSV
	case strings.HasSuffix(p, ".jsonl"), strings.HasSuffix(p, ".ndjson"):
		return format.JSONL
	case strings.HasSuffix(p, ".glove"):
		return format.GloVe
	case strings.HasSuffix(p, ".vec"):
		return format.FastText
	case strings.HasSuffix(strings.ToLower(path), ".parquet"):
		return format.Parquet
	}
	return format.Word2VecText
}

// ExportWriter writes a collection to w; see Export.
func (d *DB) ExportWriter(ctx context.Context, name string, w io.Writer, f Format) (int, error) {
	if f == format.Auto {
		f = format.Word2VecText
	}
	if f == format.Parquet {
		return d.exportTable(ctx, name, w, f, ParquetOptions{})
	}
	if f == format.FastTextBinary {
		return d.exportFastText(ctx, name, w)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	n := 0
	prog := newThrottle(ctx)
	err := d.view(name, func(c *storage.Coll) error {
		m := c.Meta()
		fw, err := format.NewWriter(bw, f, m.Rows, m.Dim)
		if err != nil {
			return err
		}
		err = c.Scan(storage.ScanOptions{NoMeta: true, Reuse: true}, func(r *storage.Row) (bool, error) {
			if err := fw.Write(r.Key, r.Vector); err != nil {
				return false, err
			}
			n++
			if n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return false, err
				}
				prog.report(Progress{Op: "export", Done: int64(n), Total: int64(m.Rows), Unit: "rows"}, false)
			}
			return true, nil
		})
		if err != nil {
			return err
		}
		return fw.Close()
	})
	if err != nil {
		return 0, fmt.Errorf("export %s: %w", name, err)
	}
	return n, bw.Flush()
}

var importOptions = []optDef{
	{name: "limit", kind: optInt, min: 0, def: "0 (all)", doc: "read only the first rows of the file"},
	{name: "metric", kind: optWord, def: "COSINE", doc: "metric of a new collection: COSINE, DOT or L2"},
	{name: "index", kind: optBool, def: "the collection's", doc: "build (or drop) the HNSW index with the rows"},
	{name: "key", kind: optString, def: "key, word or id", doc: "Parquet only: the column holding the keys"},
	{name: "vector", kind: optString, def: "vector or embedding", doc: "Parquet only: the list column holding the vectors"},
	{name: "all_buckets", kind: optBool, def: "false", doc: "fastText models (FORMAT FASTTEXT BINARY) only: keep every n-gram row, so that every key the model never saw gets exactly fastText's vector; by default only the rows the model's words use are kept (a smaller table)"},
}

var exportOptions = []optDef{
	{name: "fixed_size", kind: optBool, def: "false", doc: "Parquet only: write the vector column as a fixed-size list of DIM floats (Arrow fixed_size_list) instead of a list"},
}

func (c *compiler) format(name string, binary bool, at query.Position) (string, error) {
	if name == "" {
		return "", nil
	}
	u := strings.ToUpper(name)
	if !containsFold(query.FileFormats, u) {
		return "", errorAt(at, "unknown format %s (want %s)%s", name, strings.Join(query.FileFormats, ", "), didYouMean(u, query.FileFormats, bare))
	}
	if binary && u != "WORD2VEC" && u != "FASTTEXT" {
		return "", errorAt(at, "BINARY goes only with FORMAT WORD2VEC or FORMAT FASTTEXT")
	}
	return u, nil
}

// binaryWord is " BINARY" after a format that has it, for EXPLAIN.
func binaryWord(binary bool) string {
	if binary {
		return " BINARY"
	}
	return ""
}

func (c *compiler) compileImport(s *query.Import) (Plan, error) {
	f, err := c.format(s.Format, s.Binary, s.At("format", s.Pos))
	if err != nil {
		return nil, err
	}
	opts, err := c.options(s, s.With, importOptions, "IMPORT")
	if err != nil {
		return nil, err
	}
	if s.Path == "" {
		return nil, errorAt(s.At("path", s.Pos), "the path is empty")
	}
	spec := ImportSpec{Collection: s.Into, Path: s.Path, Catalog: s.Catalog, Format: f, Binary: s.Binary}
	if n, ok := opts["limit"].(int); ok {
		spec.Limit = n
	}
	if b, ok := opts["index"].(bool); ok {
		spec.Index = &b
	}
	if b, ok := opts["all_buckets"].(bool); ok {
		if (f != "" && !(f == "FASTTEXT" && s.Binary)) || s.Catalog {
			return nil, errorIs(ErrInvalid, s.At("option all_buckets", s.With["all_buckets"].Pos), "all_buckets goes only with a fastText model (FORMAT FASTTEXT BINARY, or a file that fasttext saved)")
		}
		spec.AllBuckets = b
	}
	for _, o := range []string{"key", "vector"} {
		col, ok := opts[o].(string)
		if !ok {
			continue
		}
		if (f != "" && f != "PARQUET") || s.Catalog || col == "" {
			return nil, errorIs(ErrInvalid, s.At("option "+o, s.With[o].Pos), "%s names a column of a Parquet file", o)
		}
		if o == "key" {
			spec.KeyColumn = col
		} else {
			spec.VectorColumn = col
		}
	}
	if m, ok := opts["metric"].(string); ok {
		mt, err := vec.ParseMetric(m)
		if err != nil || !containsFold([]string{"COSINE", "DOT", "L2"}, m) {
			return nil, errorAt(s.With["metric"].Pos, "unknown metric %s (want COSINE, DOT or L2)", m)
		}
		spec.Metric = &mt
	}
	what := "file " + query.QuoteString(s.Path)
	if s.Catalog {
		what = "catalog entry " + query.QuoteString(s.Path)
	}
	desc := fmt.Sprintf("IMPORT INTO %s FROM %s", query.QuoteIdent(s.Into), what)
	if f != "" {
		desc += " (format " + f + binaryWord(s.Binary) + ")"
	} else {
		desc += " (format sniffed)"
	}
	if spec.Limit > 0 {
		desc += fmt.Sprintf(", first %d rows", spec.Limit)
	}
	if spec.KeyColumn != "" {
		desc += ", keys from column " + query.QuoteString(spec.KeyColumn)
	}
	if spec.VectorColumn != "" {
		desc += ", vectors from column " + query.QuoteString(spec.VectorColumn)
	}
	if spec.AllBuckets {
		desc += ", every n-gram row"
	}
	return &backendPlan{desc: desc, pos: s.At("path", s.Pos), run: func(ctx context.Context, d *DB) (*Result, error) {
		return d.execImport(ctx, spec)
	}}, nil
}

func (c *compiler) compileExport(s *query.Export) (Plan, error) {
	if err := c.exists(s.Collection, s.NameAt(s.Collection, s.Pos)); err != nil {
		return nil, err
	}
	f, err := c.format(s.Format, s.Binary, s.At("format", s.Pos))
	if err != nil {
		return nil, err
	}
	opts, err := c.options(s, s.With, exportOptions, "EXPORT")
	if err != nil {
		return nil, err
	}
	spec := ExportSpec{Collection: s.Collection, Path: s.Path, Format: f, Binary: s.Binary}
	desc := fmt.Sprintf("EXPORT %s TO %s", query.QuoteIdent(s.Collection), query.QuoteString(s.Path))
	if f != "" {
		desc += " (format " + f + binaryWord(s.Binary) + ")"
	}
	if fixed, ok := opts["fixed_size"].(bool); ok {
		if f != "PARQUET" && (f != "" || guessFormat(s.Path) != format.Parquet) {
			return nil, errorIs(ErrInvalid, s.At("option fixed_size", s.With["fixed_size"].Pos), "fixed_size goes only with Parquet (FORMAT PARQUET or a .parquet file)")
		}
		spec.FixedSize = fixed
		if fixed {
			desc += ", vector as a fixed-size list"
		}
	}
	return &backendPlan{desc: desc, pos: s.At("path", s.Pos), run: func(ctx context.Context, d *DB) (*Result, error) {
		return d.execExport(ctx, spec)
	}}, nil
}

// ImportSpec is a compiled IMPORT INTO c FROM 'path' | CATALOG 'name'.
// Format is "" to sniff, or GLOVE, WORD2VEC, FASTTEXT, CSV, JSONL, PARQUET
// (Binary with WORD2VEC or FASTTEXT: word2vec's binary layout, a fastText
// model file).
type ImportSpec struct {
	Collection string
	Path       string
	Catalog    bool
	Format     string
	Binary     bool
	Limit      int
	Metric     *vec.Metric // nil: COSINE for a new collection
	Index      *bool       // WITH (index = true|false); nil: the default
	// KeyColumn and VectorColumn name a Parquet file's key and vector
	// columns (WITH (key = ..., vector = ...)); "" finds them by name.
	KeyColumn, VectorColumn string
	// AllBuckets (WITH (all_buckets = true)) keeps every n-gram row of a
	// fastText model.
	AllBuckets bool
}

// ExportSpec is a compiled EXPORT. FixedSize (WITH (fixed_size = true))
// writes a Parquet file's vector column as a fixed-size list.
type ExportSpec struct {
	Collection string
	Path       string
	Format     string
	Binary     bool
	FixedSize  bool
}

func parseFormat(name string, binary bool) (Format, error) {
	switch name {
	case "":
		return format.Auto, nil
	case "GLOVE":
		return format.GloVe, nil
	case "WORD2VEC":
		if binary {
			return format.Word2VecBinary, nil
		}
		return format.Word2VecText, nil
	case "FASTTEXT":
		if binary {
			return format.FastTextBinary, nil
		}
		return format.FastText, nil
	case "CSV":
		return format.CSV, nil
	case "JSONL":
		return format.JSONL, nil
	case "PARQUET":
		return format.Parquet, nil
	}
	return format.Auto, invalidf("unknown format %s", name)
}

func (d *DB) execImport(ctx context.Context, s ImportSpec) (*Result, error) {
	f, err := parseFormat(s.Format, s.Binary)
	if err != nil {
		return nil, err
	}
	opts := ImportOptions{Format: f, Limit: s.Limit, Index: s.Index, KeyColumn: s.KeyColumn, VectorColumn: s.VectorColumn, AllBuckets: s.AllBuckets}
	if s.Metric != nil {
		opts.Metric = *s.Metric
	}
	var res *ImportResult
	if s.Catalog {
		res, err = d.ImportCatalog(ctx, s.Collection, s.Path, opts)
	} else {
		res, err = d.Import(ctx, s.Collection, s.Path, opts)
	}
	if err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("imported %d rows into %s (DIM %d, %s)", res.Rows, res.Collection, res.Dim, res.Format)
	if res.Replaced {
		msg += ", replacing its rows"
	}
	if res.ZeroVectors > 0 {
		msg += fmt.Sprintf("; kept %d zero %s, which NEAREST skips (a zero vector has no direction for COSINE)", res.ZeroVectors, plural(res.ZeroVectors, "vector"))
	}
	return &Result{Message: msg, Stats: Stats{RowsAffected: res.Rows}}, nil
}

func (d *DB) execExport(ctx context.Context, s ExportSpec) (*Result, error) {
	f, err := parseFormat(s.Format, s.Binary)
	if err != nil {
		return nil, err
	}
	var n int
	if s.FixedSize {
		n, err = d.ExportParquet(ctx, s.Collection, s.Path, ParquetOptions{FixedSize: true})
	} else {
		n, err = d.Export(ctx, s.Collection, s.Path, f)
	}
	if err != nil {
		return nil, err
	}
	return &Result{Message: fmt.Sprintf("exported %d rows of %s to %s", n, s.Collection, s.Path), Stats: Stats{RowsAffected: n}}, nil
}

// The statements this file plans (see register).
func init() {
	register((*compiler).compileImport, false, writesAlways[*query.Import])
	register((*compiler).compileExport, false, nil)
}
