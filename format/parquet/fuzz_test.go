package parquet

import (
	"bytes"
	"io"
	"testing"

	"github.com/vecdb/vecdb/format"
)

// FuzzReadParquet feeds damaged Parquet files to the reader: errors, never
// a panic, and every row it returns has the dimension it reports.
func FuzzReadParquet(f *testing.F) {
	rows := sampleRows(20, 3)
	var buf bytes.Buffer
	w, err := NewWriter(&buf, format.TableWriterOptions{Dim: 3, Columns: metaCols, RowGroupRows: 6})
	if err != nil {
		f.Fatal(err)
	}
	for i := range rows {
		w.Write(&rows[i])
	}
	w.Close()
	good := buf.Bytes()
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("PAR1PAR1"))
	for _, at := range []int{4, 20, 100, len(good) - 30, len(good) - 9} {
		b := bytes.Clone(good)
		b[at] ^= 0x5a
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), "fuzz.parquet", format.TableReaderOptions{BatchRows: 4})
		if err != nil {
			return
		}
		defer r.Close()
		for i := 0; i < 10000; i++ {
			var row format.TableRow
			if err := r.Next(&row); err != nil {
				if err != io.EOF && err.Error() == "" {
					t.Fatal("empty error")
				}
				return
			}
			if len(row.Vector) != r.Dim() || len(row.Meta) != len(r.Columns()) {
				t.Fatalf("row %v with dim %d", row, r.Dim())
			}
		}
	})
}

// FuzzReadRecords feeds damaged Parquet files to RecordReader: errors,
// never a panic, and every row has one value of its column's type per
// selected column.
func FuzzReadRecords(f *testing.F) {
	rows := sampleRows(20, 3)
	var buf bytes.Buffer
	w, err := NewWriter(&buf, format.TableWriterOptions{Dim: 3, Columns: metaCols, RowGroupRows: 6})
	if err != nil {
		f.Fatal(err)
	}
	for i := range rows {
		w.Write(&rows[i])
	}
	w.Close()
	good := buf.Bytes()
	f.Add(good)
	f.Add(good[:len(good)/2])
	for _, at := range []int{4, 20, 100, len(good) - 30, len(good) - 9} {
		b := bytes.Clone(good)
		b[at] ^= 0x5a
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewRecordReader(bytes.NewReader(data), "fuzz.parquet", format.RecordReaderOptions{BatchRows: 4})
		if err != nil {
			return
		}
		defer r.Close()
		var sel []int
		for i, fl := range r.Fields() {
			if fl.Type != 0 {
				sel = append(sel, i)
			}
		}
		if len(sel) == 0 || r.Select(sel) != nil {
			return
		}
		vals := make([]any, len(sel))
		for i := 0; i < 10000; i++ {
			if err := r.Next(vals); err != nil {
				if err != io.EOF && err.Error() == "" {
					t.Fatal("empty error")
				}
				return
			}
			for j, v := range vals {
				ok := v == nil
				switch v.(type) {
				case string:
					ok = r.Fields()[sel[j]].Type == format.TextColumn
				case int64:
					ok = r.Fields()[sel[j]].Type == format.IntColumn
				case float64:
					ok = r.Fields()[sel[j]].Type == format.FloatColumn
				case bool:
					ok = r.Fields()[sel[j]].Type == format.BoolColumn
				}
				if !ok {
					t.Fatalf("column %v gave %v (%T)", r.Fields()[sel[j]], v, v)
				}
			}
		}
	})
}
