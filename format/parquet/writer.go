package parquet

import (
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

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

// Codec is the compression of every column: Snappy, the default of Spark,
// DuckDB, pyarrow and parquet-mr, which every Parquet reader has.
var Codec = compress.Codecs.Snappy

// Writer streams rows into a Parquet file: one row group is assembled in
// memory (RowGroupRows rows), written, and released. The columns are
// `key` (string, required), `count` (int64, required), `vector` (a list,
// or with FixedSize a fixed-size list, of required float32) and the
// metadata columns (optional: TEXT as string, INT as int64, FLOAT as
// double, BOOL as boolean). A Writer is not safe for concurrent use.
type Writer struct {
	opts  format.TableWriterOptions
	fw    *pqarrow.FileWriter
	rb    *array.RecordBuilder
	key   *array.StringBuilder
	count *array.Int64Builder
	list  array.ListLikeBuilder
	vals  *array.Float32Builder
	meta  []array.Builder
	n     int // rows in the row group being built
	rows  int
	err   error
}

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
	// Dictionaries help only repetitive text; vectors and keys are not.
	props := []pq.WriterProperty{
		pq.WithCompression(Codec),
		pq.WithDictionaryDefault(false),
		pq.WithMaxRowGroupLength(int64(opts.RowGroupRows)),
		pq.WithStatsFor(VectorColumn+".list.element", false),
		pq.WithCreatedBy("vecdb"),
	}
	for _, c := range opts.Columns {
		if c.Type == format.TextColumn {
			props = append(props, pq.WithDictionaryFor(c.Name, true))
		}
	}
	sc := Schema(opts)
	var aprops []pqarrow.WriterOption
	if opts.FixedSize {
		aprops = append(aprops, pqarrow.WithStoreSchema()) // so Arrow readers see the fixed size
	}
	fw, err := pqarrow.NewFileWriter(sc, onlyWriter{w}, pq.NewWriterProperties(props...), pqarrow.NewArrowWriterProperties(aprops...))
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	rb := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	wr := &Writer{opts: opts, fw: fw, rb: rb,
		key:   rb.Field(0).(*array.StringBuilder),
		count: rb.Field(1).(*array.Int64Builder),
		list:  rb.Field(2).(array.ListLikeBuilder),
		meta:  rb.Fields()[3:],
	}
	wr.vals = wr.list.ValueBuilder().(*array.Float32Builder)
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
	w.key.Append(r.Key)
	w.count.Append(r.Count)
	w.list.Append(true)
	w.vals.AppendValues(r.Vector, nil)
	for i, b := range w.meta {
		appendMeta(b, r.Meta[i])
	}
	w.n++
	w.rows++
	if w.n >= w.opts.RowGroupRows {
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
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
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

func appendMeta(b array.Builder, v any) {
	if v == nil {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.StringBuilder:
		b.Append(v.(string))
	case *array.Int64Builder:
		b.Append(v.(int64))
	case *array.Float64Builder:
		b.Append(v.(float64))
	case *array.BooleanBuilder:
		b.Append(v.(bool))
	}
}

// flush writes the rows built so far as one row group.
func (w *Writer) flush() error {
	if w.n == 0 {
		return nil
	}
	rec := w.rb.NewRecordBatch()
	defer rec.Release()
	w.n = 0
	if err := w.fw.Write(rec); err != nil {
		w.err = fmt.Errorf("parquet: write row group: %w", err)
		return w.err
	}
	return nil
}

// Rows returns the number of rows written so far.
func (w *Writer) Rows() int { return w.rows }

// Close writes the last row group and the footer. It does not close the
// io.Writer given to NewWriter. After an error from Write, Close releases
// the writer's memory and returns that error.
func (w *Writer) Close() error {
	if w.rb == nil {
		return w.err
	}
	err := w.err
	if err == nil {
		err = w.flush()
	}
	cerr := w.fw.Close()
	w.rb.Release()
	w.rb = nil
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
