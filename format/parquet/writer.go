package parquet

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/vecdb/vecdb/format"
)

// Column names of the tables that Writer writes.
const (
	KeyColumn    = "key"
	CountColumn  = "count"
	VectorColumn = "vector"
)

// rowGroupBytes is the size of the vector values of one row group when
// WriterOptions.RowGroupRows is 0.
const rowGroupBytes = 16 << 20

// Codec is the compression of every column but the vector values, which
// are stored uncompressed (see the package documentation): Snappy, the
// default of Spark, DuckDB, pyarrow and parquet-mr, which every Parquet
// reader has.
var Codec = compress.Codecs.Snappy

// Writer streams rows into a Parquet file: one row group is gathered in
// memory (RowGroupRows rows, in flat buffers), then handed to a goroutine
// that encodes and writes it while the next one is gathered; two sets of
// buffers take turns, so the memory is two row groups whatever the number
// of rows. The columns are `key` (string, required), `count` (int64,
// required), `vector` (a list, or with FixedSize a fixed-size list, of
// required float32) and the metadata columns (optional: TEXT as string,
// INT as int64, FLOAT as double, BOOL as boolean). It writes the Parquet
// column chunks itself, the vectors in slices of a row group with their
// levels computed once, rather than through Arrow arrays. A Writer is not
// safe for concurrent use; Close ends its goroutine.
type Writer struct {
	opts   format.TableWriterOptions
	dst    io.Writer
	psc    *schema.Schema
	kv     metadata.KeyValueMetadata
	fw     *file.Writer // started by the first row group (or Close)
	closed bool
	maxDef int16 // of the vector values (1: a required list of required floats)
	maxRep int16

	g *group // the row group being gathered

	// The encoder goroutine, started by the first full row group: it
	// writes the groups sent on work and returns each on free, emptied;
	// encErr is its first error, read after a receive from free or done.
	work   chan *group
	free   chan *group
	done   chan struct{}
	encErr error

	ba         []pq.ByteArray // the encoder's scratch for a string column
	defs, reps []int16        // levels of vecSlice rows of vector values
	rows       int
	err        error
}

// group is a row group being gathered: the keys end to end in keys
// (keyEnd the end of each), the vectors end to end in vals.
type group struct {
	keys   []byte
	keyEnd []int
	counts []int64
	vals   []float32
	meta   []metaBuf
	n      int
}

// reset empties g, keeping its memory for the next row group.
func (g *group) reset() {
	g.n = 0
	g.keys, g.keyEnd, g.counts, g.vals = g.keys[:0], g.keyEnd[:0], g.counts[:0], g.vals[:0]
	for i := range g.meta {
		m := &g.meta[i]
		m.defs, m.text, m.textEnd, m.ints, m.floats, m.bools = m.defs[:0], m.text[:0], m.textEnd[:0], m.ints[:0], m.floats[:0], m.bools[:0]
	}
}

// metaBuf holds the values of a metadata column in a row group: one
// definition level per row (0 NULL, 1 a value) and the values of the
// non-NULL rows.
type metaBuf struct {
	defs    []int16
	text    []byte // TEXT: the values end to end
	textEnd []int  // and the end of each
	ints    []int64
	floats  []float64
	bools   []bool
}

// vecSlice is the number of rows of vector values given to the column
// writer at a time.
const vecSlice = 1024

// onlyWriter hides a Close method of the destination: closing the Parquet
// writer must not close the caller's io.Writer.
type onlyWriter struct{ io.Writer }

// Schema returns the Arrow schema that a Writer with opts writes.
func Schema(opts format.TableWriterOptions) *arrow.Schema {
	elem := arrow.Field{Name: "element", Type: arrow.PrimitiveTypes.Float32}
	var vt arrow.DataType = arrow.ListOfField(elem)
	if opts.FixedSize {
		vt = arrow.FixedSizeListOfField(int32(opts.Dim), elem)
	}
	fields := []arrow.Field{
		{Name: KeyColumn, Type: arrow.BinaryTypes.String},
		{Name: CountColumn, Type: arrow.PrimitiveTypes.Int64},
		{Name: VectorColumn, Type: vt},
	}
	for _, c := range opts.Columns {
		fields = append(fields, arrow.Field{Name: c.Name, Type: arrowType(c.Type), Nullable: true})
	}
	return arrow.NewSchema(fields, nil)
}

func arrowType(t format.ColumnType) arrow.DataType {
	switch t {
	case format.TextColumn:
		return arrow.BinaryTypes.String
	case format.IntColumn:
		return arrow.PrimitiveTypes.Int64
	case format.FloatColumn:
		return arrow.PrimitiveTypes.Float64
	}
	return arrow.FixedWidthTypes.Boolean
}

// NewWriter returns a Writer of a table with opts.Dim-value vectors and the
// metadata columns opts.Columns to w, which it does not close.
func NewWriter(w io.Writer, opts format.TableWriterOptions) (*Writer, error) {
	if opts.Dim < 1 || opts.Dim > format.MaxDim {
		return nil, fmt.Errorf("parquet: dimension %d out of range 1..%d", opts.Dim, format.MaxDim)
	}
	seen := map[string]bool{KeyColumn: true, CountColumn: true, VectorColumn: true}
	for _, c := range opts.Columns {
		if c.Type < format.TextColumn || c.Type > format.BoolColumn {
			return nil, fmt.Errorf("parquet: column %q has unknown type %v", c.Name, c.Type)
		}
		if c.Name == "" || seen[c.Name] {
			return nil, fmt.Errorf("parquet: column name %q is empty or used twice", c.Name)
		}
		seen[c.Name] = true
	}
	if opts.RowGroupRows <= 0 {
		opts.RowGroupRows = min(max(rowGroupBytes/(4*opts.Dim), 1024), 1<<20)
	}
	sc := Schema(opts)
	psc, err := pqarrow.ToParquet(sc, pq.NewWriterProperties(), pqarrow.NewArrowWriterProperties())
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	var kv metadata.KeyValueMetadata
	if opts.FixedSize {
		// The Arrow schema in the footer, as Arrow writers store it, so
		// that Arrow readers see the fixed size of the vector column.
		kv.Append("ARROW:schema", base64.StdEncoding.EncodeToString(flight.SerializeSchema(sc, memory.DefaultAllocator)))
	}
	vd := psc.Column(2)
	wr := &Writer{opts: opts, dst: w, psc: psc, kv: kv, maxDef: vd.MaxDefinitionLevel(), maxRep: vd.MaxRepetitionLevel(),
		g: &group{meta: make([]metaBuf, len(opts.Columns))}}
	wr.defs = make([]int16, vecSlice*opts.Dim)
	wr.reps = make([]int16, vecSlice*opts.Dim)
	for i := range wr.defs {
		wr.defs[i] = wr.maxDef
		if i%opts.Dim != 0 {
			wr.reps[i] = wr.maxRep
		}
	}
	return wr, nil
}

// Write adds a row. The vector must have Dim finite values, the key must be
// non-empty and Meta must hold one value of its column's type (or nil) per
// column; a row that fails these checks is not written, and the error
// stays: the file cannot be finished.
func (w *Writer) Write(r *format.TableRow) error {
	if w.err != nil {
		return w.err
	}
	if err := w.check(r); err != nil {
		w.err = err
		return err
	}
	g := w.g
	g.keys = append(g.keys, r.Key...)
	g.keyEnd = append(g.keyEnd, len(g.keys))
	g.counts = append(g.counts, r.Count)
	if need := len(g.vals) + len(r.Vector); need > cap(g.vals) {
		// Double up to a row group's values (append would grow a large
		// slice by a quarter at a time, copying it again and again).
		nv := make([]float32, len(g.vals), min(max(2*cap(g.vals), 256*w.opts.Dim, need), max(w.opts.RowGroupRows*w.opts.Dim, need)))
		copy(nv, g.vals)
		g.vals = nv
	}
	g.vals = append(g.vals, r.Vector...)
	for i := range g.meta {
		m := &g.meta[i]
		v := r.Meta[i]
		if v == nil {
			m.defs = append(m.defs, 0)
			continue
		}
		m.defs = append(m.defs, 1)
		switch v := v.(type) {
		case string:
			m.text = append(m.text, v...)
			m.textEnd = append(m.textEnd, len(m.text))
		case int64:
			m.ints = append(m.ints, v)
		case float64:
			m.floats = append(m.floats, v)
		case bool:
			m.bools = append(m.bools, v)
		}
	}
	g.n++
	w.rows++
	if g.n >= w.opts.RowGroupRows {
		return w.flush()
	}
	return nil
}

func (w *Writer) check(r *format.TableRow) error {
	row := w.rows + 1
	if r.Key == "" {
		return &format.Error{Row: int64(row), Msg: "empty key", Err: format.ErrSyntax}
	}
	if len(r.Vector) != w.opts.Dim {
		return &format.Error{Row: int64(row), Msg: fmt.Sprintf("expected %d values, got %d", w.opts.Dim, len(r.Vector)), Err: format.ErrRagged}
	}
	for j, v := range r.Vector {
		if math.Float32bits(v)&expMask == expMask { // NaN or ±Inf
			return &format.Error{Row: int64(row), Msg: fmt.Sprintf("value %d of %q is not finite: %v", j+1, r.Key, v), Err: format.ErrNotFinite}
		}
	}
	if len(r.Meta) != len(w.opts.Columns) {
		return fmt.Errorf("parquet: row %d has %d metadata values for %d columns", row, len(r.Meta), len(w.opts.Columns))
	}
	for i, c := range w.opts.Columns {
		v := r.Meta[i]
		ok := v == nil
		switch v.(type) {
		case string:
			ok = c.Type == format.TextColumn
		case int64:
			ok = c.Type == format.IntColumn
		case float64:
			ok = c.Type == format.FloatColumn
		case bool:
			ok = c.Type == format.BoolColumn
		}
		if !ok {
			return fmt.Errorf("parquet: row %d: value %v (%T) of column %q is not %v", row, v, v, c.Name, c.Type)
		}
	}
	return nil
}

// expMask is the exponent of a float32, all ones for NaN and ±Inf.
const expMask = 0x7f800000

// flush hands the rows gathered so far, as one row group, to the encoder
// goroutine (starting it) and goes on with the other set of buffers once
// the encoder is done with them.
func (w *Writer) flush() error {
	if w.g.n == 0 {
		return nil
	}
	if w.fw == nil {
		if err := w.start(); err != nil {
			w.err = err
			return err
		}
	}
	if w.work == nil {
		w.work, w.free, w.done = make(chan *group), make(chan *group, 1), make(chan struct{})
		// The second set of buffers, as large as the first has grown.
		g := w.g
		w.free <- &group{keys: make([]byte, 0, cap(g.keys)), keyEnd: make([]int, 0, cap(g.keyEnd)),
			counts: make([]int64, 0, cap(g.counts)), vals: make([]float32, 0, cap(g.vals)),
			meta: make([]metaBuf, len(w.opts.Columns))}
		go w.encode()
	}
	w.work <- w.g
	w.g = <-w.free
	if w.encErr != nil {
		w.err = w.encErr
		return w.err
	}
	return nil
}

// start starts the file, its properties chosen after the first row group
// (in w.g): a dictionary for a TEXT column whose values repeat (at least
// half of them, in the first group), as part-of-speech tags or languages
// do; titles and names, mostly distinct, are written plain (a dictionary
// of them would be as large as the values, and building it costs a tenth
// of the export). Keys, counts and vectors are never repetitive.
func (w *Writer) start() error {
	props := []pq.WriterProperty{
		pq.WithCompression(Codec),
		pq.WithDictionaryDefault(false),
		pq.WithMaxRowGroupLength(int64(w.opts.RowGroupRows)),
		pq.WithStatsFor(VectorColumn+".list.element", false),
		pq.WithCompressionFor(VectorColumn+".list.element", compress.Codecs.Uncompressed),
		pq.WithCreatedBy("vecdb"),
	}
	for i, c := range w.opts.Columns {
		if c.Type == format.TextColumn && w.g.meta[i].repetitive() {
			props = append(props, pq.WithDictionaryFor(c.Name, true))
		}
	}
	fw, err := file.NewParquetWriterWithError(onlyWriter{w.dst}, w.psc.Root(), file.WithWriterProps(pq.NewWriterProperties(props...)), file.WithWriteMetadata(w.kv))
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	w.fw = fw
	return nil
}

// repetitive reports whether at most half of the TEXT values in m are
// distinct (true when there are none).
func (m *metaBuf) repetitive() bool {
	seen := make(map[string]struct{})
	start := 0
	for _, e := range m.textEnd {
		seen[string(m.text[start:e])] = struct{}{}
		start = e
		if 2*len(seen) > len(m.textEnd) {
			return false
		}
	}
	return true
}

// encode writes the row groups sent on w.work until it is closed; after an
// error it only empties them.
func (w *Writer) encode() {
	defer close(w.done)
	for g := range w.work {
		if w.encErr == nil {
			if err := w.writeRowGroup(g); err != nil {
				w.encErr = fmt.Errorf("parquet: write row group: %w", err)
			}
		}
		g.reset()
		w.free <- g
	}
}

// byteArrays returns the strings stored end to end in text, each ending
// at its element of ends, as byte arrays (in w.ba, reused).
func (w *Writer) byteArrays(text []byte, ends []int) []pq.ByteArray {
	w.ba = w.ba[:0]
	start := 0
	for _, e := range ends {
		w.ba = append(w.ba, text[start:e:e])
		start = e
	}
	return w.ba
}

func (w *Writer) writeRowGroup(g *group) error {
	rg, err := w.fw.AppendRowGroupChecked()
	if err != nil {
		return err
	}
	next := func() (file.ColumnChunkWriter, error) { return rg.NextColumn() }
	cw, err := next()
	if err != nil {
		return err
	}
	if err := writeStrings(cw, w.byteArrays(g.keys, g.keyEnd), nil); err != nil {
		return err
	}
	if cw, err = next(); err != nil {
		return err
	}
	if _, err := cw.(*file.Int64ColumnChunkWriter).WriteBatch(g.counts, nil, nil); err != nil {
		return err
	}
	if cw, err = next(); err != nil {
		return err
	}
	vw := cw.(*file.Float32ColumnChunkWriter)
	dim := w.opts.Dim
	for i := 0; i < g.n; i += vecSlice {
		k := min(vecSlice, g.n-i)
		if _, err := vw.WriteBatch(g.vals[i*dim:(i+k)*dim], w.defs[:k*dim], w.reps[:k*dim]); err != nil {
			return err
		}
	}
	for i, c := range w.opts.Columns {
		m := &g.meta[i]
		if cw, err = next(); err != nil {
			return err
		}
		switch c.Type {
		case format.TextColumn:
			err = writeStrings(cw, w.byteArrays(m.text, m.textEnd), m.defs)
		case format.IntColumn:
			_, err = cw.(*file.Int64ColumnChunkWriter).WriteBatch(m.ints, m.defs, nil)
		case format.FloatColumn:
			_, err = cw.(*file.Float64ColumnChunkWriter).WriteBatch(m.floats, m.defs, nil)
		case format.BoolColumn:
			_, err = cw.(*file.BooleanColumnChunkWriter).WriteBatch(m.bools, m.defs, nil)
		}
		if err != nil {
			return err
		}
	}
	return rg.Close()
}

func writeStrings(cw file.ColumnChunkWriter, vals []pq.ByteArray, defs []int16) error {
	_, err := cw.(*file.ByteArrayColumnChunkWriter).WriteBatch(vals, defs, nil)
	return err
}

// Rows returns the number of rows written so far.
func (w *Writer) Rows() int { return w.rows }

// Close writes the last row group and the footer. It does not close the
// io.Writer given to NewWriter. After an error from Write, Close releases
// the writer's memory and returns that error.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	err := w.err
	if err == nil {
		err = w.flush()
	}
	if err == nil && w.fw == nil {
		err = w.start() // no rows: a file with the schema and no row groups
	}
	if w.work != nil {
		close(w.work)
		<-w.done
		if err == nil {
			err = w.encErr
		}
	}
	var cerr error
	if w.fw != nil {
		cerr = w.fw.Close()
		w.fw = nil
	}
	w.g, w.work, w.free, w.ba = nil, nil, nil, nil
	if err == nil && cerr != nil {
		err = fmt.Errorf("parquet: %w", cerr)
	}
	if err == nil {
		err = errors.New("parquet: writer is closed")
		w.err = err
		return nil
	}
	w.err = err
	return err
}
