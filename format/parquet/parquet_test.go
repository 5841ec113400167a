package parquet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/vecdb/vecdb/format"
)

var metaCols = []format.Column{
	{Name: "pos", Type: format.TextColumn},
	{Name: "freq", Type: format.IntColumn},
	{Name: "score", Type: format.FloatColumn},
	{Name: "stop", Type: format.BoolColumn},
}

func sampleRows(n, dim int) []format.TableRow {
	rows := make([]format.TableRow, n)
	for i := range rows {
		v := make([]float32, dim)
		for j := range v {
			v[j] = float32(i)*0.5 - float32(j)/3 + 1e-7*float32(i*j)
		}
		meta := []any{"noun", int64(i * 7), float64(i) / 9, i%2 == 0}
		if i%3 == 1 {
			meta = []any{nil, nil, nil, nil}
		}
		rows[i] = format.TableRow{Key: "w" + string(rune('a'+i%26)) + strings.Repeat("x", i/26), Count: int64(n - i), Vector: v, Meta: meta}
	}
	return rows
}

func writeRows(t *testing.T, opts format.TableWriterOptions, rows []format.TableRow) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		if err := w.Write(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readAll(t *testing.T, data []byte, opts format.TableReaderOptions) (*Reader, []format.TableRow, error) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data), "t.parquet", opts)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	var out []format.TableRow
	for {
		var row format.TableRow
		err := r.Next(&row)
		if err == io.EOF {
			return r, out, nil
		}
		if err != nil {
			return r, out, err
		}
		out = append(out, row)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, fixed := range []bool{false, true} {
		rows := sampleRows(100, 5)
		data := writeRows(t, format.TableWriterOptions{Dim: 5, Columns: metaCols, FixedSize: fixed, RowGroupRows: 7}, rows)
		if string(data[:4]) != "PAR1" {
			t.Fatalf("no Parquet magic: %q", data[:4])
		}
		r, got, err := readAll(t, data, format.TableReaderOptions{BatchRows: 16})
		if err != nil {
			t.Fatal(err)
		}
		if r.Dim() != 5 || !r.HasCount() || r.KeyColumn() != "key" || r.VectorColumn() != "vector" || r.Rows() != 100 {
			t.Errorf("fixed %v: dim %d count %v key %s vector %s rows %d", fixed, r.Dim(), r.HasCount(), r.KeyColumn(), r.VectorColumn(), r.Rows())
		}
		if !reflect.DeepEqual(r.Columns(), metaCols) {
			t.Errorf("columns %v, want %v", r.Columns(), metaCols)
		}
		if !reflect.DeepEqual(got, rows) {
			t.Fatalf("fixed %v: rows differ:\n got %v\nwant %v", fixed, got[:2], rows[:2])
		}
		if n := r.pf.NumRowGroups(); n != 15 {
			t.Errorf("%d row groups, want 15 of at most 7 rows", n)
		}
	}
}

// writeArrow writes a record with pqarrow directly, as another tool would.
func writeArrow(t *testing.T, fields []arrow.Field, build func(b *array.RecordBuilder)) []byte {
	t.Helper()
	sc := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	build(b)
	rec := b.NewRecordBatch()
	defer rec.Release()
	var buf bytes.Buffer
	w, err := pqarrow.NewFileWriter(sc, &buf, pq.NewWriterProperties(), pqarrow.DefaultWriterProps())
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

// TestReadDoubleListsAndNames reads a Spark-like file: word and a list of
// doubles, an int32 metadata column, no count.
func TestReadDoubleListsAndNames(t *testing.T) {
	data := writeArrow(t, []arrow.Field{
		{Name: "word", Type: arrow.BinaryTypes.String},
		{Name: "embedding", Type: arrow.ListOf(arrow.PrimitiveTypes.Float64), Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	}, func(b *array.RecordBuilder) {
		b.Field(0).(*array.StringBuilder).AppendValues([]string{"king", "queen"}, nil)
		lb := b.Field(1).(*array.ListBuilder)
		vb := lb.ValueBuilder().(*array.Float64Builder)
		lb.Append(true)
		vb.AppendValues([]float64{0.1, -2.5}, nil)
		lb.Append(true)
		vb.AppendValues([]float64{1e-3, 3}, nil)
		b.Field(2).(*array.Int32Builder).AppendValues([]int32{5, 0}, []bool{true, false})
	})
	r, got, err := readAll(t, data, format.TableReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []format.TableRow{
		{Key: "king", Vector: []float32{0.1, -2.5}, Meta: []any{int64(5)}},
		{Key: "queen", Vector: []float32{1e-3, 3}, Meta: []any{nil}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if r.HasCount() || r.KeyColumn() != "word" || r.VectorColumn() != "embedding" {
		t.Errorf("count %v key %s vector %s", r.HasCount(), r.KeyColumn(), r.VectorColumn())
	}
}

func TestBadInput(t *testing.T) {
	list := func(vals [][]float64, valid []bool) func(b *array.RecordBuilder) {
		return func(b *array.RecordBuilder) {
			kb := b.Field(0).(*array.StringBuilder)
			lb := b.Field(1).(*array.ListBuilder)
			vb := lb.ValueBuilder().(*array.Float64Builder)
			for i, v := range vals {
				kb.Append("k" + string(rune('a'+i)))
				if valid != nil && !valid[i] {
					lb.AppendNull()
					continue
				}
				lb.Append(true)
				vb.AppendValues(v, nil)
			}
		}
	}
	fields := []arrow.Field{
		{Name: "key", Type: arrow.BinaryTypes.String},
		{Name: "vector", Type: arrow.ListOf(arrow.PrimitiveTypes.Float64), Nullable: true},
	}
	for _, tc := range []struct {
		name     string
		data     []byte
		sentinel error
		msg      string
	}{
		{"ragged", writeArrow(t, fields, list([][]float64{{1, 2}, {3}}, nil)), format.ErrRagged, "t.parquet: row 2 (row group 0): vector of \"kb\" has 1 values, want 2"},
		{"null vector", writeArrow(t, fields, list([][]float64{{1, 2}, nil}, []bool{true, false})), format.ErrSyntax, "row 2 (row group 0): vector of \"kb\" is null"},
		{"overflow", writeArrow(t, fields, list([][]float64{{1, 1e300}}, nil)), format.ErrNotFinite, "row 1 (row group 0): value 2 of \"ka\" is not a finite float32"},
		{"nan", writeArrow(t, fields, list([][]float64{{math.NaN(), 1}}, nil)), format.ErrNotFinite, "value 1"},
		{"no vector", writeArrow(t, []arrow.Field{{Name: "key", Type: arrow.BinaryTypes.String}}, func(b *array.RecordBuilder) {
			b.Field(0).(*array.StringBuilder).Append("a")
		}), format.ErrSyntax, "no vector column"},
		{"bad metadata type", writeArrow(t, append(fields[:2:2], arrow.Field{Name: "when", Type: arrow.FixedWidthTypes.Date32}), func(b *array.RecordBuilder) {
			list([][]float64{{1}}, nil)(b)
			b.Field(2).(*array.Date32Builder).Append(1)
		}), format.ErrSyntax, "column when has type date32"},
		{"not parquet", []byte("hello world, this is not a parquet file at all"), format.ErrSyntax, "t.parquet: not a Parquet file"},
	} {
		_, _, err := readAll(t, tc.data, format.TableReaderOptions{})
		if err == nil || !errors.Is(err, tc.sentinel) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: got %v, want %v containing %q", tc.name, err, tc.sentinel, tc.msg)
		}
	}
	// A dimension fixed by the caller is enforced from the first row.
	_, _, err := readAll(t, writeArrow(t, fields, list([][]float64{{1, 2}}, nil)), format.TableReaderOptions{Dim: 3})
	if !errors.Is(err, format.ErrRagged) {
		t.Errorf("dim 3: got %v", err)
	}
}

func TestWriterChecks(t *testing.T) {
	w, err := NewWriter(io.Discard, format.TableWriterOptions{Dim: 2, Columns: metaCols[:1]})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(&format.TableRow{Key: "a", Vector: []float32{1}, Meta: []any{nil}}); !errors.Is(err, format.ErrRagged) {
		t.Errorf("short vector: %v", err)
	}
	if err := w.Close(); err == nil {
		t.Error("Close after a failed Write succeeded")
	}
	w, _ = NewWriter(io.Discard, format.TableWriterOptions{Dim: 1, Columns: metaCols[:1]})
	if err := w.Write(&format.TableRow{Key: "a", Vector: []float32{float32(math.Inf(1))}, Meta: []any{nil}}); !errors.Is(err, format.ErrNotFinite) {
		t.Errorf("inf: %v", err)
	}
	w, _ = NewWriter(io.Discard, format.TableWriterOptions{Dim: 1, Columns: metaCols[:1]})
	if err := w.Write(&format.TableRow{Key: "a", Vector: []float32{1}, Meta: []any{int64(1)}}); err == nil {
		t.Error("an int in a TEXT column was accepted")
	}
	if _, err := NewWriter(io.Discard, format.TableWriterOptions{Dim: 1, Columns: []format.Column{{Name: "key", Type: format.TextColumn}}}); err == nil {
		t.Error("a metadata column named key was accepted")
	}
}

func TestRegistered(t *testing.T) {
	c, err := format.TableCodecFor(format.Parquet)
	if err != nil || c.NewReader == nil || c.NewWriter == nil {
		t.Fatalf("codec %v, %v", c, err)
	}
}

// TestWriterCompression: the key, count and metadata columns are Snappy,
// the vector values uncompressed (Snappy does not shrink float32 noise),
// in every row group.
func TestWriterCompression(t *testing.T) {
	data := writeRows(t, format.TableWriterOptions{Dim: 8, Columns: metaCols, RowGroupRows: 5}, sampleRows(12, 8))
	pf, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if pf.NumRowGroups() != 3 {
		t.Fatalf("%d row groups, want 3", pf.NumRowGroups())
	}
	for g := 0; g < pf.NumRowGroups(); g++ {
		rg := pf.MetaData().RowGroup(g)
		for c := 0; c < rg.NumColumns(); c++ {
			cc, err := rg.ColumnChunk(c)
			if err != nil {
				t.Fatal(err)
			}
			want := compress.Codecs.Snappy
			if cc.PathInSchema().String() == "vector.list.element" {
				want = compress.Codecs.Uncompressed
			}
			if cc.Compression() != want {
				t.Errorf("row group %d column %s: compression %v, want %v", g, cc.PathInSchema(), cc.Compression(), want)
			}
		}
	}
}

// TestWriterDictionary: a TEXT column whose values repeat gets a
// dictionary; one of distinct values (titles, names) is written plain.
func TestWriterDictionary(t *testing.T) {
	cols := []format.Column{{Name: "pos", Type: format.TextColumn}, {Name: "title", Type: format.TextColumn}}
	var rows []format.TableRow
	for i := 0; i < 40; i++ {
		rows = append(rows, format.TableRow{Key: fmt.Sprintf("k%d", i), Vector: []float32{1, 2},
			Meta: []any{[]string{"noun", "verb", "adj"}[i%3], fmt.Sprintf("title %d", i)}})
	}
	data := writeRows(t, format.TableWriterOptions{Dim: 2, Columns: cols, RowGroupRows: 16}, rows)
	pf, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for g := 0; g < pf.NumRowGroups(); g++ {
		rg := pf.MetaData().RowGroup(g)
		for c, want := range map[int]bool{0: false, 3: true, 4: false} {
			cc, err := rg.ColumnChunk(c)
			if err != nil {
				t.Fatal(err)
			}
			if cc.HasDictionaryPage() != want {
				t.Errorf("row group %d column %s: dictionary %v, want %v", g, cc.PathInSchema(), cc.HasDictionaryPage(), want)
			}
		}
	}
	_, got, err := readAll(t, data, format.TableReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 40 || got[39].Meta[0] != "noun" || got[39].Meta[1] != "title 39" {
		t.Fatalf("read back %d rows, last %+v", len(got), got[len(got)-1])
	}
}
