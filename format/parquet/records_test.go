package parquet

import (
	"bytes"
	"errors"
	"io"
	"math"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/vecdb/vecdb/format"
)

// writeStored is writeArrow keeping the Arrow schema in the file, so that
// dictionaries and timestamps read back as written.
func writeStored(t *testing.T, fields []arrow.Field, build func(b *array.RecordBuilder)) []byte {
	t.Helper()
	sc := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	build(b)
	rec := b.NewRecordBatch()
	defer rec.Release()
	var buf bytes.Buffer
	w, err := pqarrow.NewFileWriter(sc, &buf, pq.NewWriterProperties(pq.WithMaxRowGroupLength(2)), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRecordReader reads every kind of column it gives (strings, binary,
// small and unsigned integers, floats, booleans, dates, timestamps,
// dictionaries) as plain values, NULLs as nil, across row groups, and
// refuses to select a list column or an unsigned value above int64.
func TestRecordReader(t *testing.T) {
	data := writeStored(t, []arrow.Field{
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "bin", Type: arrow.BinaryTypes.Binary},
		{Name: "i8", Type: arrow.PrimitiveTypes.Int8},
		{Name: "u64", Type: arrow.PrimitiveTypes.Uint64},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32},
		{Name: "ok", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}},
		{Name: "dict", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}},
		{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Float32)},
	}, func(b *array.RecordBuilder) {
		b.Field(0).(*array.StringBuilder).AppendValues([]string{"a", "", "c"}, []bool{true, false, true})
		b.Field(1).(*array.BinaryBuilder).AppendValues([][]byte{[]byte("x"), []byte("y"), []byte("z")}, nil)
		b.Field(2).(*array.Int8Builder).AppendValues([]int8{-1, 2, 3}, nil)
		b.Field(3).(*array.Uint64Builder).AppendValues([]uint64{7, 8, math.MaxUint64}, nil)
		b.Field(4).(*array.Float32Builder).AppendValues([]float32{0.5, 1.5, 2.5}, nil)
		b.Field(5).(*array.BooleanBuilder).AppendValues([]bool{true, false, true}, nil)
		b.Field(6).(*array.Date32Builder).AppendValues([]arrow.Date32{19000, 19001, 19002}, nil)
		b.Field(7).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{1e15, 2e15, 3e15}, nil)
		db := b.Field(8).(*array.BinaryDictionaryBuilder)
		for _, v := range []string{"rock", "jazz", "rock"} {
			db.AppendString(v)
		}
		lb := b.Field(9).(*array.ListBuilder)
		for range 3 {
			lb.Append(true)
			lb.ValueBuilder().(*array.Float32Builder).Append(1)
		}
	})
	r, err := NewRecordReader(bytes.NewReader(data), "r.parquet", format.RecordReaderOptions{BatchRows: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var types []string
	for _, f := range r.Fields() {
		types = append(types, f.Name+":"+f.Type.String())
		if f.Time != (f.Name == "day" || f.Name == "ts") {
			t.Errorf("%s: Time %v", f.Name, f.Time)
		}
	}
	want := []string{"s:TEXT", "bin:TEXT", "i8:INT", "u64:INT", "f32:FLOAT", "ok:BOOL", "day:INT", "ts:INT", "dict:TEXT", "l:ColumnType(0)"}
	if !reflect.DeepEqual(types, want) {
		t.Errorf("fields %v, want %v", types, want)
	}
	if err := r.Select([]int{0, 9}); !errors.Is(err, format.ErrSyntax) {
		t.Errorf("selecting a list column: %v", err)
	}
	if err := r.Select([]int{0, 1, 2, 3, 4, 5, 6, 7, 8}); err != nil {
		t.Fatal(err)
	}
	wantRows := [][]any{
		{"a", "x", int64(-1), int64(7), 0.5, true, int64(19000), int64(1e15), "rock"},
		{nil, "y", int64(2), int64(8), 1.5, false, int64(19001), int64(2e15), "jazz"},
	}
	for i, w := range wantRows {
		got := make([]any, 9)
		if err := r.Next(got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("row %d: %v, want %v", i+1, got, w)
		}
	}
	got := make([]any, 9)
	err = r.Next(got)
	var fe *format.Error
	if !errors.Is(err, format.ErrNumber) || !errors.As(err, &fe) || fe.Row != 3 || fe.RowGroup != 1 {
		t.Errorf("uint64 above int64 in row 3 (row group 1): %v", err)
	}
	if row, group := r.Pos(); row != 3 || group != 1 {
		t.Errorf("Pos %d, %d", row, group)
	}
	if r.Next(got) != err {
		t.Error("the error does not stay")
	}
	// The end of a file is io.EOF.
	r2, _ := NewRecordReader(bytes.NewReader(data), "r.parquet", format.RecordReaderOptions{})
	r2.Select([]int{0})
	n := 0
	for ; r2.Next(got[:1]) == nil; n++ {
	}
	if err := r2.Next(got[:1]); err != io.EOF || n != 3 {
		t.Errorf("%d rows then %v", n, err)
	}
}
