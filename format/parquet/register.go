package parquet

import (
	"io"

	"github.com/vecdb/vecdb/format"
)

func init() {
	format.RegisterTable(format.Parquet, &format.TableCodec{
		NewWriter: func(w io.Writer, opts format.TableWriterOptions) (format.TableWriter, error) {
			wr, err := NewWriter(w, opts)
			if err != nil {
				return nil, err // not a nil *Writer in an interface
			}
			return wr, nil
		},
		NewReader: func(r format.ReadAtSeeker, name string, opts format.TableReaderOptions) (format.TableReader, error) {
			rd, err := NewReader(r, name, opts)
			if err != nil {
				return nil, err
			}
			return rd, nil
		},
		NewRecordReader: func(r format.ReadAtSeeker, name string, opts format.RecordReaderOptions) (format.RecordReader, error) {
			rd, err := NewRecordReader(r, name, opts)
			if err != nil {
				return nil, err
			}
			return rd, nil
		},
	})
}
