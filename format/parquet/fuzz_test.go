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
