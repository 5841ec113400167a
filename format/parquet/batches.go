package parquet

import (
	"context"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/vecdb/vecdb/format"
)

// batches walks the row groups of a Parquet file one record batch at a
// time, reading the leaf columns in leaves: the part that Reader and
// RecordReader share.
type batches struct {
	pf     *file.Reader
	fr     *pqarrow.FileReader
	leaves []int

	rg  int // row group being read, -1 before the first
	rr  pqarrow.RecordReader
	rec arrow.RecordBatch
	i   int // next row in rec
}

// advance moves to the next batch, returning io.EOF after the last row
// group. Before it moves on to a row group it calls enter (when not nil)
// with that group's number, r.rg still naming the group left; errors are
// made by errf, which places them in the owner's file and row.
func (b *batches) advance(errf func(sentinel error, msg string, args ...any) error, enter func(rg int) error) error {
	for {
		if b.rr != nil {
			if b.rr.Next() {
				b.rec = b.rr.RecordBatch()
				b.i = 0
				return nil
			}
			err := b.rr.Err()
			b.release()
			if err != nil && err != io.EOF {
				return errf(format.ErrSyntax, "read row group: %v", err)
			}
		}
		if b.rg+1 >= b.pf.NumRowGroups() {
			return io.EOF
		}
		if enter != nil {
			if err := enter(b.rg + 1); err != nil {
				return err
			}
		}
		b.rg++
		rr, err := b.fr.GetRecordReader(context.Background(), b.leaves, []int{b.rg})
		if err != nil {
			return errf(format.ErrSyntax, "row group %d: %v", b.rg, err)
		}
		b.rr = rr
	}
}

// release frees the batch and the row group's record reader.
func (b *batches) release() {
	if b.rr != nil {
		b.rr.Release()
	}
	b.rr, b.rec = nil, nil
}
