package db

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/vecdb/vecdb/query"
)

// Stmt is a prepared statement: its text parsed and checked once, run many
// times with different arguments (see Parameters). A Stmt is safe for
// concurrent use by several goroutines.
//
// What a statement means depends on the database when it runs (a
// collection may be dropped, a key inserted), so each execution binds its
// arguments to the cached syntax tree and plans it again against the
// database as it is then; only the parsing and the checks that need no
// data are done once.
type Stmt struct {
	d      *DB
	src    string
	base   query.Position
	text   parsedText
	closed atomic.Bool
}

// Prepare parses src, which must be one statement, for repeated execution.
// It checks the syntax and the placeholders, and on a read-only database
// refuses a statement that writes (ErrReadOnly); collections, keys and
// fields are checked when the statement runs, as they may change in
// between. A byte order mark at the start of src is skipped.
func (d *DB) Prepare(ctx context.Context, src string) (*Stmt, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	src, base := skipBOM(src, query.Position{})
	lim, maxBytes := d.limits()
	if maxBytes > 0 && len(src) > maxBytes {
		return nil, &query.Error{Pos: base.Add(query.Position{Line: 1, Column: 1}), Msg: fmt.Sprintf("the statement text has %d bytes, the limit is %d", len(src), maxBytes), Err: ErrInvalid}
	}
	if err := checkUTF8(src, base); err != nil {
		return nil, err
	}
	text, err := parseCached(src, base, lim.MaxExprDepth)
	if err != nil {
		return nil, err
	}
	if len(text.stmts) != 1 {
		return nil, invalidf("Prepare takes one statement, got %d", len(text.stmts))
	}
	st := text.stmts[0]
	if d.ReadOnly() && Writes(st) {
		return nil, &query.Error{Pos: st.Position(), Msg: fmt.Sprintf("%s: the database is open read-only", StatementName(st)), Source: src, Err: ErrReadOnly}
	}
	return &Stmt{d: d, src: src, base: base, text: text}, nil
}

// String returns the statement's text as given to Prepare.
func (s *Stmt) String() string { return s.src }

// Params returns the statement's placeholders in the order of the text.
// The slice is shared: do not modify it.
func (s *Stmt) Params() []*query.Param { return s.text.params[0] }

// ReturnsRows reports whether the statement returns rows (Query) rather
// than only a message (Exec).
func (s *Stmt) ReturnsRows() bool { return ReturnsRows(s.text.stmts[0]) }

// Exec runs the statement with args as the values of its placeholders.
func (s *Stmt) Exec(ctx context.Context, args ...any) (*Result, error) {
	return s.run(ctx, false, args)
}

// Query runs the statement, which must return rows, with args as the values
// of its placeholders.
func (s *Stmt) Query(ctx context.Context, args ...any) (*Result, error) {
	return s.run(ctx, true, args)
}

// Close releases the statement; using it afterwards returns an error that
// matches ErrClosed. Close may be called more than once.
func (s *Stmt) Close() error {
	s.closed.Store(true)
	return nil
}

func (s *Stmt) run(ctx context.Context, rows bool, args []any) (*Result, error) {
	if s.closed.Load() {
		return nil, fmt.Errorf("the prepared statement is closed: %w", ErrClosed)
	}
	if rows && !s.ReturnsRows() {
		return nil, invalidf("%s does not return rows (use Exec)", StatementName(s.text.stmts[0]))
	}
	lim, _ := s.d.limits()
	ctx, cancel, stmts, err := s.d.bindText(ctx, s.src, s.base, s.text, args)
	defer cancel()
	if err != nil {
		return nil, err
	}
	res, err := s.d.runStatements(ctx, s.src, s.base, stmts, lim)
	if err != nil {
		return nil, err
	}
	return res[0], nil
}
