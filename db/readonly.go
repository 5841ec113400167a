package db

import (
	"context"
	"fmt"

	"github.com/vecdb/vecdb/query"
)

// runStatements runs the parsed statements of src in order. On a read-only
// database a statement that writes is refused before it runs, with its
// position, even when it would match nothing (sqlite3's rule); the
// statements before it have run.
func (d *DB) runStatements(ctx context.Context, src string, pos query.Position, stmts []query.Statement, lim Limits) ([]*Result, error) {
	if !d.ReadOnly() {
		return d.runParsed(ctx, src, pos, stmts, lim)
	}
	var out []*Result
	for i, st := range stmts {
		if Writes(st) {
			if i > 0 {
				res, err := d.runParsed(ctx, src, pos, stmts[:i], lim)
				out = append(out, res...)
				if err != nil {
					return out, err
				}
			}
			return out, &query.Error{Pos: st.Position(), Msg: fmt.Sprintf("%s: the database is open read-only", StatementName(st)), Err: ErrReadOnly}
		}
	}
	return d.runParsed(ctx, src, pos, stmts, lim)
}
