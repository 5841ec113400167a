package format

import (
	"errors"
	"fmt"
	"io"
	"sync"
)

// ParquetImport is the package that registers the Parquet codec.
const ParquetImport = "github.com/vecdb/vecdb/format/parquet"

// ErrNoTableCodec is returned by TableCodecFor when no codec is registered
// for a table format such as Parquet: package format links no Parquet code
// (it is large), and a program that reads or writes .parquet files imports
// ParquetImport for its side effect, as the vecdb binary does.
var ErrNoTableCodec = errors.New("no codec is registered for this table format")

// KeyColumnNames are the names, in order of preference and ignoring case,
// of the column that holds the keys of a table file when none is named.
var KeyColumnNames = []string{"key", "word", "id"}

// VectorColumnNames are the names, in order of preference and ignoring
// case, of the column that holds the vectors of a table file.
var VectorColumnNames = []string{"vector", "embedding"}

// CountColumnName is the name of the integer column that holds the
// counts of a table file's rows.
const CountColumnName = "count"

// ColumnType is the type of a metadata column in a table file. The values
// match those of the storage field types TEXT, INT, FLOAT and BOOL.
type ColumnType uint8

// The metadata column types.
const (
	TextColumn  ColumnType = iota + 1 // UTF-8 string; values are string
	IntColumn                         // 64-bit integer; values are int64
	FloatColumn                       // 64-bit float; values are float64
	BoolColumn                        // values are bool
)

// String returns the type's name as the language spells it: TEXT, INT,
// FLOAT or BOOL.
func (t ColumnType) String() string {
	switch t {
	case TextColumn:
		return "TEXT"
	case IntColumn:
		return "INT"
	case FloatColumn:
		return "FLOAT"
	case BoolColumn:
		return "BOOL"
	}
	return fmt.Sprintf("ColumnType(%d)", uint8(t))
}

// Column is a metadata column of a table file.
type Column struct {
	Name string
	Type ColumnType
}

// TableRow is one row of a table file.
type TableRow struct {
	Key    string
	Count  int64     // 0 when the file has no count column or the value is NULL
	Vector []float32 // Dim values
	// Meta holds one value per metadata column, in the order of the
	// columns: nil (NULL), string, int64, float64 or bool by its type.
	Meta []any
}

// TableWriterOptions describe the table that a TableWriter writes.
type TableWriterOptions struct {
	Dim     int      // values per vector, 1..MaxDim
	Columns []Column // metadata columns, after key, count and vector
	// FixedSize writes the vector column as a fixed-size list of Dim
	// float32 values (an Arrow fixed_size_list, stored in Parquet as a
	// list with the Arrow schema in the footer) instead of a plain list.
	FixedSize bool
	// RowGroupRows is the number of rows per row group, which bounds the
	// writer's memory; 0 picks about 16 MiB of vector values per group.
	RowGroupRows int
}

// TableWriter streams rows into a table file, one row group at a time.
// Close writes the last row group and the footer; it does not close the
// underlying io.Writer. A TableWriter is not safe for concurrent use.
type TableWriter interface {
	// Write adds a row; it copies what it keeps, so r may be reused.
	Write(r *TableRow) error
	// Rows returns the number of rows written so far.
	Rows() int
	Close() error
}

// TableReaderOptions tune a TableReader.
type TableReaderOptions struct {
	// Dim is the dimension every vector must have; 0 takes the first
	// row's.
	Dim int
	// BatchRows is the number of rows decoded at a time (default 4096),
	// which with one row group's pages bounds the reader's memory.
	BatchRows int
	// KeyColumn and VectorColumn name the key and vector columns
	// (ignoring case); "" looks for KeyColumnNames and VectorColumnNames.
	KeyColumn, VectorColumn string
}

// ReadAtSeeker is a file opened for random access, such as *os.File.
type ReadAtSeeker interface {
	io.ReaderAt
	io.Seeker
}

// TableReader streams the rows of one table file. A TableReader is not safe
// for concurrent use.
type TableReader interface {
	// Dim returns the dimension: TableReaderOptions.Dim, the fixed size
	// of the vector column, or the first row's (0 for an empty file).
	Dim() int
	// Columns returns the metadata columns: all but the key, count and
	// vector columns.
	Columns() []Column
	// KeyColumn and VectorColumn name the columns used for the key and
	// the vector; HasCount says whether a count column was found.
	KeyColumn() string
	VectorColumn() string
	HasCount() bool
	// Rows returns the number of rows the file declares.
	Rows() int64
	// Next fills r with the next row, with fresh Vector and Meta slices
	// that the caller may keep. It returns io.EOF at the end; other
	// errors are *Error values naming the row group and row.
	Next(r *TableRow) error
	Close() error
}

// Field is a column of a table file as a RecordReader sees it.
type Field struct {
	Name string
	// Type is the kind of value Next gives for the column: TEXT (string),
	// INT (int64), FLOAT (float64) or BOOL (bool); 0 when the reader
	// cannot give its values as one of these (a list, a struct, a decimal).
	Type ColumnType
	// Time marks a date or timestamp column, given as an INT: a count of
	// the column's unit (days, milliseconds, ...) since 1970-01-01.
	Time bool
	// FileType is the column's type as the file declares it ("date32",
	// "list<element: float>"), for messages.
	FileType string
}

// RecordReaderOptions tune a RecordReader.
type RecordReaderOptions struct {
	// BatchRows is the number of rows decoded at a time (default 4096).
	BatchRows int
}

// RecordReader streams the rows of a table file as plain values, any
// columns by name: metadata tables and event logs. A RecordReader is not
// safe for concurrent use.
type RecordReader interface {
	// Fields returns every top-level column of the file, in file order.
	Fields() []Field
	// Select chooses the columns Next returns, by index into Fields; it
	// must be called before the first Next. A column whose Type is 0 is
	// an error naming it.
	Select(cols []int) error
	// Rows returns the number of rows the file declares.
	Rows() int64
	// Next fills dst (one value per selected column) with the next row:
	// nil for NULL, else string, int64, float64 or bool by the column's
	// Type. It returns io.EOF at the end; other errors are *Error values
	// naming the file, the row and its row group.
	Next(dst []any) error
	// Pos returns the 1-based row of the file that Next returned last and
	// its 0-based row group, for messages (an *Error's Row and RowGroup).
	Pos() (row int64, rowGroup int)
	Close() error
}

// TableCodec reads and writes one table format.
type TableCodec struct {
	// NewWriter returns a writer of a table to w.
	NewWriter func(w io.Writer, opts TableWriterOptions) (TableWriter, error)
	// NewReader returns a reader of the table in r; name is used in
	// messages.
	NewReader func(r ReadAtSeeker, name string, opts TableReaderOptions) (TableReader, error)
	// NewRecordReader returns a reader of the rows of the table in r as
	// plain values (IMPORT METADATA and event logs); name is used in
	// messages.
	NewRecordReader func(r ReadAtSeeker, name string, opts RecordReaderOptions) (RecordReader, error)
}

var tables struct {
	sync.RWMutex
	m map[Format]*TableCodec
}

// RegisterTable makes c the codec of the table format f (Parquet); nil
// removes it. Package format links no Parquet code: as with
// image.RegisterFormat, the codec's package registers it in its init
// function, and a program that wants it imports that package for this
// effect alone:
//
//	import _ "github.com/vecdb/vecdb/format/parquet"
//
// RegisterTable is safe for concurrent use.
func RegisterTable(f Format, c *TableCodec) {
	tables.Lock()
	defer tables.Unlock()
	if c == nil {
		delete(tables.m, f)
		return
	}
	if tables.m == nil {
		tables.m = map[Format]*TableCodec{}
	}
	tables.m[f] = c
}

// TableCodecFor returns the codec registered for f. Without one the error
// wraps ErrNoTableCodec and names the import that registers it.
func TableCodecFor(f Format) (*TableCodec, error) {
	tables.RLock()
	c := tables.m[f]
	tables.RUnlock()
	if c != nil {
		return c, nil
	}
	if f == Parquet {
		return nil, fmt.Errorf("%w: add import _ %q to the program to read and write %v files", ErrNoTableCodec, ParquetImport, f)
	}
	return nil, fmt.Errorf("%w: %v", ErrNoTableCodec, f)
}
