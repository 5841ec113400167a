package parquet

import (
	"errors"
	"fmt"
	"io"
	"math"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/vecdb/vecdb/format"
)

// RecordReader streams chosen columns of a Parquet file as plain values
// (see format.RecordReader): strings (and binary columns holding UTF-8)
// are TEXT, integers INT, float and double FLOAT, booleans BOOL, and dates
// and timestamps INT counts of their unit since 1970; a dictionary column
// is read as its values. Like Reader it holds one batch of rows at a time.
type RecordReader struct {
	batches
	name   string
	fields []format.Field
	sel    []int // selected fields

	arrs []arrow.Array
	row  int64
	err  error
}

// NewRecordReader opens the Parquet file in r (name is used in messages)
// and reads its schema.
func NewRecordReader(r format.ReadAtSeeker, name string, opts format.RecordReaderOptions) (rd *RecordReader, err error) {
	defer func() {
		if p := recover(); p != nil {
			rd, err = nil, corrupt(name, 0, 0, p)
		}
	}()
	if opts.BatchRows <= 0 {
		opts.BatchRows = defaultBatchRows
	}
	pf, fr, err := openFile(r, name, opts.BatchRows)
	if err != nil {
		return nil, err
	}
	rd = &RecordReader{batches: batches{pf: pf, fr: fr, rg: -1}, name: name}
	sc, err := fr.Schema()
	if err != nil {
		return nil, &format.Error{File: name, Msg: fmt.Sprintf("schema: %v", err), Err: format.ErrSyntax}
	}
	for _, f := range sc.Fields() {
		t, isTime := recordType(f.Type)
		rd.fields = append(rd.fields, format.Field{Name: f.Name, Type: t, Time: isTime, FileType: f.Type.String()})
	}
	return rd, nil
}

// recordType classifies an Arrow type: its column type (0 when it has
// none) and whether it is a date or a timestamp.
func recordType(t arrow.DataType) (format.ColumnType, bool) {
	if d, ok := t.(*arrow.DictionaryType); ok {
		t = d.ValueType
	}
	switch {
	case isString(t):
		return format.TextColumn, false
	case isInteger(t):
		return format.IntColumn, false
	case t.ID() == arrow.FLOAT32 || t.ID() == arrow.FLOAT64:
		return format.FloatColumn, false
	case t.ID() == arrow.BOOL:
		return format.BoolColumn, false
	case t.ID() == arrow.TIMESTAMP || t.ID() == arrow.DATE32 || t.ID() == arrow.DATE64:
		return format.IntColumn, true
	}
	return 0, false
}

// Fields returns every top-level column of the file.
func (r *RecordReader) Fields() []format.Field { return r.fields }

// Rows returns the number of rows the file's footer declares.
func (r *RecordReader) Rows() int64 { return r.pf.NumRows() }

// Pos returns the 1-based row that Next returned last and its row group.
func (r *RecordReader) Pos() (int64, int) { return r.row, r.rg }

// Select chooses the columns that Next returns.
func (r *RecordReader) Select(cols []int) error {
	if r.rg >= 0 || r.sel != nil {
		return errors.New("parquet: Select after reading")
	}
	if len(cols) == 0 {
		return errors.New("parquet: Select of no columns")
	}
	for _, c := range cols {
		if c < 0 || c >= len(r.fields) {
			return fmt.Errorf("parquet: no column %d", c)
		}
		f := r.fields[c]
		if f.Type == 0 {
			return &format.Error{File: r.name, Msg: fmt.Sprintf("column %s has type %s: want strings, integers, floats, booleans, dates or timestamps", f.Name, f.FileType), Err: format.ErrSyntax}
		}
		r.leaves = appendLeaves(r.leaves, &r.fr.Manifest.Fields[c])
	}
	r.sel = cols
	return nil
}

func (r *RecordReader) errf(sentinel error, msg string, args ...any) error {
	e := &format.Error{File: r.name, Msg: fmt.Sprintf(msg, args...), Err: sentinel}
	if r.row > 0 {
		e.Row, e.RowGroup = r.row, r.rg
	}
	return e
}

// Next fills dst with the selected values of the next row.
func (r *RecordReader) Next(dst []any) (err error) {
	if r.err != nil {
		return r.err
	}
	if r.sel == nil {
		return errors.New("parquet: Next before Select")
	}
	if len(dst) != len(r.sel) {
		return fmt.Errorf("parquet: Next with %d values for %d columns", len(dst), len(r.sel))
	}
	defer func() {
		if p := recover(); p != nil {
			err = corrupt(r.name, r.row, r.rg, p)
		}
		if err != nil {
			r.err = err
		}
	}()
	for r.rec == nil || r.i >= int(r.rec.NumRows()) {
		if err := r.advance(); err != nil {
			return err
		}
	}
	i := r.i
	r.i++
	r.row++
	for j, a := range r.arrs {
		if dst[j], err = r.value(a, i, r.fields[r.sel[j]].Name); err != nil {
			return err
		}
	}
	return nil
}

// advance moves to the next batch; io.EOF after the last row group.
func (r *RecordReader) advance() error {
	if err := r.batches.advance(r.errf, nil); err != nil {
		return err
	}
	return r.bind()
}

// bind finds the selected columns in the current batch.
func (r *RecordReader) bind() error {
	sc := r.rec.Schema()
	r.arrs = r.arrs[:0]
	for _, c := range r.sel {
		name := r.fields[c].Name
		idx := sc.FieldIndices(name)
		if len(idx) != 1 {
			return r.errf(format.ErrSyntax, "row group %d has %d columns named %s, want 1", r.rg, len(idx), name)
		}
		r.arrs = append(r.arrs, r.rec.Column(idx[0]))
	}
	return nil
}

// value returns the i-th value of a as a plain value.
func (r *RecordReader) value(a arrow.Array, i int, col string) (any, error) {
	if a.IsNull(i) {
		return nil, nil
	}
	if d, ok := a.(*array.Dictionary); ok {
		return r.value(d.Dictionary(), d.GetValueIndex(i), col)
	}
	switch a := a.(type) {
	case *array.String:
		return r.text(a.Value(i), col)
	case *array.LargeString:
		return r.text(a.Value(i), col)
	case *array.Binary:
		return r.text(string(a.Value(i)), col)
	case *array.LargeBinary:
		return r.text(string(a.Value(i)), col)
	case *array.Float32:
		return float64(a.Value(i)), nil
	case *array.Float64:
		return a.Value(i), nil
	case *array.Boolean:
		return a.Value(i), nil
	case *array.Timestamp:
		return int64(a.Value(i)), nil
	case *array.Date32:
		return int64(a.Value(i)), nil
	case *array.Date64:
		return int64(a.Value(i)), nil
	case *array.Uint64:
		v := a.Value(i)
		if v > math.MaxInt64 {
			return nil, r.errf(format.ErrNumber, "column %s: %d does not fit in a 64-bit signed integer", col, v)
		}
		return int64(v), nil
	case *array.Int64:
		return a.Value(i), nil
	case *array.Int32:
		return int64(a.Value(i)), nil
	case *array.Int16:
		return int64(a.Value(i)), nil
	case *array.Int8:
		return int64(a.Value(i)), nil
	case *array.Uint32:
		return int64(a.Value(i)), nil
	case *array.Uint16:
		return int64(a.Value(i)), nil
	case *array.Uint8:
		return int64(a.Value(i)), nil
	}
	return nil, r.errf(format.ErrSyntax, "column %s: cannot read a %s", col, a.DataType())
}

func (r *RecordReader) text(s, col string) (any, error) {
	if !utf8.ValidString(s) {
		return nil, r.errf(format.ErrSyntax, "column %s: value is not valid UTF-8", col)
	}
	return s, nil
}

// Close releases the reader's memory. It does not close the file given to
// NewRecordReader. It is safe to call more than once.
func (r *RecordReader) Close() error {
	r.release()
	if r.err == nil || r.err == io.EOF {
		r.err = errors.New("parquet: reader is closed")
	}
	return nil
}
