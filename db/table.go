package db

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/vecdb/vecdb/format"
	"github.com/vecdb/vecdb/internal/errdefs"
	"github.com/vecdb/vecdb/storage"
	"github.com/vecdb/vecdb/trainer"
)

// parquetMagic starts (and ends) every Parquet file.
const parquetMagic = "PAR1"

// ParquetOptions tune ExportParquet.
type ParquetOptions struct {
	// FixedSize writes the vector column as a fixed-size list of Dim
	// floats instead of a plain list.
	FixedSize bool
	// RowGroupRows is the number of rows per row group (0: about 16 MiB
	// of vector values), which bounds the writer's memory.
	RowGroupRows int
}

// ExportParquet writes a collection to a Parquet file at path (see Export)
// with the columns key, count, vector and one per metadata field. It needs
// the Parquet codec, which package db does not link: add
//
//	import _ "github.com/vecdb/vecdb/format/parquet"
//
// to the program. Without it the error wraps format.ErrNoTableCodec and no
// file is created.
func (d *DB) ExportParquet(ctx context.Context, name, path string, opts ParquetOptions) (int, error) {
	if isGzipPath(path) {
		return 0, fmt.Errorf("export %s: %w", name, parquetGzError(path))
	}
	if _, err := format.TableCodecFor(format.Parquet); err != nil {
		return 0, fmt.Errorf("export %s: %w", name, err)
	}
	var n int
	err := d.writeOutput(path, func(w io.Writer) error {
		var err error
		n, err = d.exportTable(ctx, name, w, format.Parquet, opts)
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// ImportParquet is Import of a Parquet file, or of a directory of them
// read in name order (such as the data directory of a Spark
// Word2VecModel), whatever the name. The key is the column named key, word
// or id; the vector the list column named vector or embedding (float or
// double); opts.KeyColumn and opts.VectorColumn name others. An integer
// column named count gives the counts (otherwise each row's count is its
// rank); every other column is a metadata field, added to those of an
// existing collection (an INT column may fill a FLOAT field). It needs the
// Parquet codec (see ExportParquet); without it the error wraps
// ErrNoTableCodec.
func (d *DB) ImportParquet(ctx context.Context, name, path string, opts ImportOptions) (*ImportResult, error) {
	opts.Format = format.Parquet
	return d.Import(ctx, name, path, opts)
}

// fileErr wraps err, an error of op ("import c") reading the file source:
// "op from source: err", or "op: err" when err is a *format.Error that
// names source itself, so that a message names its file once. A part of a
// directory is named after the directory: "import c from dir:
// dir/part-1.parquet: row 7 (row group 0): ...".
func fileErr(op, source string, err error) error {
	if fe := (*format.Error)(nil); errors.As(err, &fe) && fe.File == source {
		return fmt.Errorf("%s: %w", op, err)
	}
	return fmt.Errorf("%s from %s: %w", op, source, err)
}

// tableFile is one part of a table import: an open file, or a path that
// is opened when its turn comes.
type tableFile struct {
	name string
	r    format.ReadAtSeeker
}

func (d *DB) importTable(ctx context.Context, name, path string, files []*os.File, opts ImportOptions) (*ImportResult, error) {
	tf := make([]tableFile, len(files))
	for i, f := range files {
		tf[i] = tableFile{name: path, r: f}
	}
	return d.importTables(ctx, name, path, tf, opts)
}

// importTableDir imports the Parquet files of a directory in name order,
// skipping hidden files and Spark's _SUCCESS and checksum files.
func (d *DB) importTableDir(ctx context.Context, name, path string, dir *os.File, opts ImportOptions) (*ImportResult, error) {
	ents, err := dir.ReadDir(-1)
	if err != nil {
		return nil, fmt.Errorf("import %s from %s: %w", name, path, err)
	}
	var names []string
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") || !strings.HasSuffix(strings.ToLower(n), ".parquet") {
			continue
		}
		names = append(names, n)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("import %s: %s is a directory with no .parquet files", name, path)
	}
	slices.Sort(names)
	tf := make([]tableFile, len(names))
	for i, n := range names {
		tf[i] = tableFile{name: filepath.Join(path, n)}
	}
	return d.importTables(ctx, name, path, tf, opts)
}

// importTables loads the rows of files, which must have the same columns,
// through load: one file open at a time, one batch of rows in memory.
func (d *DB) importTables(ctx context.Context, name, source string, files []tableFile, opts ImportOptions) (*ImportResult, error) {
	codec, err := format.TableCodecFor(format.Parquet)
	if err != nil {
		return nil, fileErr("import "+name, source, err)
	}
	existing, err := d.importTarget(name)
	if err != nil {
		return nil, err
	}
	ropts := format.TableReaderOptions{KeyColumn: opts.KeyColumn, VectorColumn: opts.VectorColumn}
	if existing != nil {
		ropts.Dim = existing.Dim
	}
	var (
		cur    int // index of the open file
		rd     format.TableReader
		closer io.Closer
		cols   []format.Column
	)
	closeCur := func() {
		if rd != nil {
			rd.Close()
			rd = nil
		}
		if closer != nil {
			closer.Close()
			closer = nil
		}
	}
	defer closeCur()
	open := func(i int) error {
		closeCur()
		f := files[i]
		r := f.r
		if r == nil {
			of, err := d.openRead(f.name)
			if err != nil {
				return err
			}
			r, closer = of, of
		}
		var err error
		if rd, err = codec.NewReader(r, f.name, ropts); err != nil {
			return err
		}
		if i > 0 && !sameColumns(rd.Columns(), cols) {
			return fmt.Errorf("%w: %s has metadata columns %v, unlike %v in %s", ErrInvalid, f.name, rd.Columns(), cols, files[0].name)
		}
		cur = i
		return nil
	}
	// The first file fixes the columns; the first with rows the dimension.
	if err := open(0); err != nil {
		return nil, fileErr("import "+name, source, err)
	}
	cols = rd.Columns()
	for rd.Dim() == 0 && cur+1 < len(files) {
		if err := open(cur + 1); err != nil {
			return nil, fileErr("import "+name, source, err)
		}
	}
	ropts.Dim = rd.Dim()
	fields, conv, err := tableFields(existing, cols)
	if err != nil {
		return nil, fileErr("import "+name, source, err)
	}
	hasCount := rd.HasCount()
	total := rd.Rows()
	if len(files) > 1 {
		total = 0 // unknown until every part is opened
	}
	// A goroutine decodes the file ahead of the loader, a batch of rows at
	// a time (Parquet decoding is CPU work that overlaps the loader's
	// writes); stop ends it, and it ends before the deferred closeCur
	// closes its reader.
	var (
		ch      = make(chan rowBatch, 2)
		quit    = make(chan struct{})
		wg      sync.WaitGroup
		started bool
		shown   atomic.Int64 // the file being read, for progress
		pending []*storage.Row
		perr    error
	)
	stop := func() {
		if started {
			close(quit)
			wg.Wait()
		}
	}
	defer stop()
	var rank int64
	read := func() ([]*storage.Row, error) {
		rows := make([]storage.Row, prefetchRows)
		out := make([]*storage.Row, 0, prefetchRows)
		var metas []any
		if len(fields) > 0 {
			metas = make([]any, prefetchRows*len(fields))
		}
		var tr format.TableRow
		for len(out) < prefetchRows {
			if opts.Limit > 0 && rank >= int64(opts.Limit) {
				return out, io.EOF
			}
			err := rd.Next(&tr)
			if err == io.EOF && cur+1 < len(files) {
				if err := open(cur + 1); err != nil {
					return out, err
				}
				shown.Store(int64(cur))
				continue
			}
			if err != nil {
				return out, err
			}
			rank++
			row := &rows[len(out)]
			*row = storage.Row{Key: tr.Key, Vector: tr.Vector, Count: rank}
			if hasCount && tr.Count > 0 {
				row.Count = tr.Count
			}
			if len(fields) > 0 {
				row.Meta = metas[len(out)*len(fields) : (len(out)+1)*len(fields) : (len(out)+1)*len(fields)]
				for j, v := range tr.Meta {
					row.Meta[conv[j].field] = conv[j].convert(v)
				}
			}
			out = append(out, row)
		}
		return out, nil
	}
	src := &loadSource{
		source: source,
		format: format.Parquet,
		dim:    rd.Dim(),
		fields: fields,
		next: func() (*storage.Row, error) {
			if !started {
				started = true
				shown.Store(int64(cur))
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						rows, err := read()
						select {
						case ch <- rowBatch{rows, err}:
						case <-quit:
							return
						}
						if err != nil {
							return
						}
					}
				}()
			}
			for len(pending) == 0 {
				if perr != nil {
					return nil, perr
				}
				b := <-ch
				pending, perr = b.rows, b.err
			}
			row := pending[0]
			pending = pending[1:]
			return row, nil
		},
		progress: func(rows int) Progress {
			p := Progress{Op: "import", Done: int64(rows), Total: total, Unit: "rows"}
			if len(files) > 1 {
				p.Detail = fmt.Sprintf("file %d of %d", shown.Load()+1, len(files))
			}
			return p
		},
	}
	return d.load(ctx, name, existing, src, opts)
}

// prefetchRows is the number of rows that importTables decodes ahead of
// the loader at a time (two such batches may wait).
const prefetchRows = 1024

// rowBatch is a batch of decoded rows, and the error that ended it (io.EOF
// after the last row).
type rowBatch struct {
	rows []*storage.Row
	err  error
}

// columnConv maps a table column to a field of the collection.
type columnConv struct {
	field   int  // index in the fields
	toFloat bool // an INT column filling a FLOAT field
}

func (c columnConv) convert(v any) any {
	if i, ok := v.(int64); ok && c.toFloat {
		return float64(i)
	}
	return v
}

// tableFields returns the fields of a collection loaded from a table with
// the metadata columns cols: the columns' own for a new collection; for an
// existing one its fields, a column of the same name filling each (an INT
// column may fill a FLOAT field), then the other columns as new fields.
func tableFields(existing *storage.CollectionMeta, cols []format.Column) ([]storage.Field, []columnConv, error) {
	var fields []storage.Field
	if existing != nil {
		fields = append(fields, existing.Fields...)
	}
	conv := make([]columnConv, len(cols))
	for j, c := range cols {
		t, err := tableFieldType(c.Type)
		if err != nil {
			return nil, nil, err
		}
		i := fieldIndex(fields, c.Name)
		if i >= 0 {
			switch {
			case fields[i].Type == t:
			case fields[i].Type == storage.Float && t == storage.Int:
				conv[j].toFloat = true
			default:
				return nil, nil, fmt.Errorf("%w: column %s is %v but field %s is %v", storage.ErrFieldType, c.Name, t, fields[i].Name, fields[i].Type)
			}
			conv[j].field = i
			continue
		}
		if !storage.ValidName(c.Name) {
			return nil, nil, fmt.Errorf("%w: column %q is not a valid field name (letters, digits and _): rename it in the file", ErrInvalid, c.Name)
		}
		conv[j].field = len(fields)
		fields = append(fields, storage.Field{Name: c.Name, Type: t})
	}
	return fields, conv, nil
}

// fieldIndex returns the index of the field named name, matched exactly
// or else ignoring case, or -1.
func fieldIndex(fields []storage.Field, name string) int {
	fold := -1
	for i, f := range fields {
		if f.Name == name {
			return i
		}
		if fold < 0 && strings.EqualFold(f.Name, name) {
			fold = i
		}
	}
	return fold
}

func sameColumns(a, b []format.Column) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func tableFieldType(t format.ColumnType) (storage.FieldType, error) {
	switch t {
	case format.TextColumn:
		return storage.Text, nil
	case format.IntColumn:
		return storage.Int, nil
	case format.FloatColumn:
		return storage.Float, nil
	case format.BoolColumn:
		return storage.Bool, nil
	}
	return 0, fmt.Errorf("%w: unknown column type %v", ErrInvalid, t)
}

func columnType(t storage.FieldType) format.ColumnType {
	switch t {
	case storage.Text:
		return format.TextColumn
	case storage.Int:
		return format.IntColumn
	case storage.Float:
		return format.FloatColumn
	}
	return format.BoolColumn
}

// exportTable writes collection name to w as a table (Parquet), rows in
// the collection's order with their metadata.
func (d *DB) exportTable(ctx context.Context, name string, w io.Writer, f Format, opts ParquetOptions) (int, error) {
	codec, err := format.TableCodecFor(f)
	if err != nil {
		return 0, fmt.Errorf("export %s: %w", name, err)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	n := 0
	prog := newThrottle(ctx)
	err = d.view(name, func(c *storage.Coll) error {
		m := c.Meta()
		cols := make([]format.Column, len(m.Fields))
		for i, fl := range m.Fields {
			cols[i] = format.Column{Name: fl.Name, Type: columnType(fl.Type)}
		}
		tw, err := codec.NewWriter(bw, format.TableWriterOptions{Dim: m.Dim, Columns: cols, FixedSize: opts.FixedSize, RowGroupRows: opts.RowGroupRows})
		if err != nil {
			return err
		}
		var tr format.TableRow
		meta := make([]any, len(cols))
		err = c.Scan(storage.ScanOptions{Reuse: true}, func(r *storage.Row) (bool, error) {
			clear(meta)
			copy(meta, r.Meta)
			tr = format.TableRow{Key: r.Key, Count: r.Count, Vector: r.Vector, Meta: meta}
			if err := tw.Write(&tr); err != nil {
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
			tw.Close()
			return err
		}
		prog.report(Progress{Op: "export", Done: int64(n), Total: int64(m.Rows), Unit: "rows"}, true)
		return tw.Close()
	})
	if err != nil {
		return 0, fmt.Errorf("export %s: %w", name, err)
	}
	return n, bw.Flush()
}

// importMetadataTable is ImportMetadata of the Parquet file in r.
func (d *DB) importMetadataTable(ctx context.Context, name, path string, r format.ReadAtSeeker, opts MetadataOptions) (*MetadataResult, error) {
	op := "import metadata into " + name
	if opts.Header != nil || len(opts.Columns) > 0 || opts.Delimiter != 0 {
		return nil, invalidf("%s is a Parquet file, which names its columns: header, columns and delimiter are for text files", path)
	}
	codec, err := format.TableCodecFor(format.Parquet)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	c, err := d.Collection(name)
	if err != nil {
		return nil, err
	}
	info, err := c.Info()
	if err != nil {
		return nil, err
	}
	rd, err := codec.NewRecordReader(r, path, format.RecordReaderOptions{})
	if err != nil {
		return nil, fileErr(op, path, err)
	}
	defer rd.Close()
	cols := rd.Fields()
	names := make([]string, len(cols))
	for i, f := range cols {
		names[i] = f.Name
	}
	keyCol := -1
	if opts.Key != "" {
		keyCol = slices.IndexFunc(names, func(n string) bool { return strings.EqualFold(n, opts.Key) })
		if keyCol < 0 {
			return nil, invalidf("%s has no column %q (columns: %s)", path, opts.Key, strings.Join(names, ", "))
		}
	} else {
		for _, k := range format.KeyColumnNames {
			if keyCol = slices.IndexFunc(names, func(n string) bool { return strings.EqualFold(n, k) }); keyCol >= 0 {
				break
			}
		}
		if keyCol < 0 {
			return nil, invalidf("%s has no key column named %s: name it with WITH (key = 'column') (columns: %s)", path, strings.Join(format.KeyColumnNames, ", "), strings.Join(names, ", "))
		}
	}
	if kf := cols[keyCol]; (kf.Type != format.TextColumn && kf.Type != format.IntColumn) || kf.Time {
		return nil, invalidf("%s: key column %s has type %s: want strings or integers", path, kf.Name, kf.FileType)
	}
	// The fields each column fills: an existing one of the same name (an
	// INT column may fill a FLOAT field), else a new one of its type.
	var (
		targets   []metaTarget
		conv      []bool // the column's INT values fill a FLOAT field
		newFields []Field
		sel       = []int{keyCol}
		seen      = map[string]bool{}
		nFields   = len(info.Fields)
	)
	for ci, f := range cols {
		if ci == keyCol {
			continue
		}
		// The columns that IMPORT reads as the count and the vector are
		// not metadata: a file that EXPORT wrote gives its fields.
		if strings.EqualFold(f.Name, format.CountColumnName) && f.Type == format.IntColumn && !f.Time ||
			f.Type == 0 && slices.ContainsFunc(format.VectorColumnNames, func(n string) bool { return strings.EqualFold(n, f.Name) }) {
			continue
		}
		if err := metaColumnName(path, ci, f.Name, seen, "in the file"); err != nil {
			return nil, err
		}
		if f.Type == 0 || f.Time {
			return nil, fmt.Errorf("%w: %s: column %s has type %s: metadata columns must be strings, integers, floats or booleans (leave it out or cast it)", ErrFieldType, path, f.Name, f.FileType)
		}
		t, err := tableFieldType(f.Type)
		if err != nil {
			return nil, err
		}
		fi := slices.IndexFunc(info.Fields, func(fl Field) bool { return strings.EqualFold(fl.Name, f.Name) })
		switch {
		case fi >= 0 && info.Fields[fi].Type == t:
			conv = append(conv, false)
		case fi >= 0 && info.Fields[fi].Type == Float && t == Int:
			conv = append(conv, true)
		case fi >= 0:
			return nil, fmt.Errorf("%w: %s: column %s is %v but field %s is %v", ErrFieldType, path, f.Name, t, info.Fields[fi].Name, info.Fields[fi].Type)
		default:
			if !storage.ValidName(f.Name) {
				return nil, invalidf("%s: column %q is not a valid field name (letters, digits and _): rename it in the file", path, f.Name)
			}
			fi = nFields
			nFields++
			newFields = append(newFields, Field{Name: f.Name, Type: t})
			conv = append(conv, false)
		}
		targets = append(targets, metaTarget{col: ci, field: fi, typ: t})
		sel = append(sel, ci)
	}
	if err := rd.Select(sel); err != nil {
		return nil, fileErr(op, path, err)
	}
	// Read every row before writing anything, as for a text file.
	t := &metaTable{}
	var vals [][]any
	rowOf := map[string]int64{}
	rowErr := func(sentinel error, msg string, args ...any) error {
		row, group := rd.Pos()
		return fileErr(op, path, &format.Error{File: path, Row: row, RowGroup: group, Msg: fmt.Sprintf(msg, args...), Err: sentinel})
	}
	rec := make([]any, len(sel))
	for {
		err := rd.Next(rec)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fileErr(op, path, err)
		}
		if len(t.recs)%4096 == 4095 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		var key string
		switch k := rec[0].(type) {
		case nil:
			return nil, rowErr(format.ErrSyntax, "key is null")
		case string:
			key = k
		case int64:
			key = strconv.FormatInt(k, 10)
		}
		if key == "" {
			return nil, rowErr(format.ErrSyntax, "key is empty")
		}
		row, _ := rd.Pos()
		if len(key) > MaxKeyBytes {
			return nil, rowErr(ErrKeyTooLong, "%v", errdefs.KeyTooLong(key))
		}
		if first, dup := rowOf[key]; dup {
			return nil, fmt.Errorf("%w: %s rows %d and %d both give key %q; keep one", ErrDuplicateKey, path, first, row, key)
		}
		rowOf[key] = row
		v := make([]any, len(targets))
		for j := range targets {
			x := rec[j+1]
			if f, ok := x.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
				return nil, rowErr(ErrInvalid, "column %s: %v is not a finite FLOAT", cols[targets[j].col].Name, f)
			}
			if n, ok := x.(int64); ok && conv[j] {
				x = float64(n)
			}
			v[j] = x
		}
		t.recs = append(t.recs, []string{key})
		vals = append(vals, v)
	}
	res := &MetadataResult{Collection: name, NewFields: newFields}
	err = d.update(ctx, name, func(sc *storage.Coll) error {
		return t.apply(ctx, sc, res, 0, targets, vals, nil)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// EventLogSource returns the event log at path as a training source
// (trainer.EventLogSource, every open through the database's sandbox):
// CSV or TSV text, or a Parquet file, known by its magic bytes or a
// .parquet name, whose columns are found by the same names (strings or
// integers, ordered by numbers, dates or timestamps as a text log is by
// numbers). TRAIN and CREATE COLLECTION … FROM SEQUENCES read their event
// logs through it. A Parquet log needs the Parquet codec: without it the
// error matches ErrNoTableCodec.
func (d *DB) EventLogSource(path string, opts trainer.EventLogOptions) (*trainer.EventLog, error) {
	opts.Open = d.openRead
	if !d.isParquet(path) && guessFormat(path) != format.Parquet {
		return trainer.EventLogSource(path, opts), nil
	}
	codec, err := format.TableCodecFor(format.Parquet)
	if err != nil {
		return nil, fmt.Errorf("event log %s: %w", path, err)
	}
	opts.Table = func() (format.RecordReader, error) {
		f, err := d.openRead(path)
		if err != nil {
			return nil, err
		}
		rd, err := codec.NewRecordReader(f, path, format.RecordReaderOptions{})
		if err != nil {
			f.Close()
			return nil, err
		}
		return fileRecords{rd, f}, nil
	}
	return trainer.EventLogSource(path, opts), nil
}

// fileRecords is a RecordReader that closes its file with itself.
type fileRecords struct {
	format.RecordReader
	f *os.File
}

func (r fileRecords) Close() error {
	r.RecordReader.Close()
	return r.f.Close()
}

// isParquet reports whether the file at path starts with Parquet's magic
// bytes (false when it cannot be read: its reader reports that).
func (d *DB) isParquet(path string) bool {
	f, err := d.openRead(path)
	if err != nil {
		return false
	}
	defer f.Close()
	magic := make([]byte, len(parquetMagic))
	n, _ := io.ReadFull(f, magic)
	return string(magic[:n]) == parquetMagic
}
