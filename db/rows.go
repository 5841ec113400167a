package db

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vecdb/vecdb/query"
)

// Rows is the answer of a query read one row at a time, as database/sql's
// Rows: call Next, then Scan, until Next returns false; then Err says
// whether the rows ended well. Close releases them (calling it more than
// once is fine, and Next returning false closes them).
//
// A scan (SELECT … FROM c [WHERE …] [ORDER BY …] [LIMIT …]) streams: each
// Next visits the collection's rows until it finds the next one that
// passes WHERE and builds that row alone, so the memory a Rows holds does
// not grow with the answer, and Limits.MaxRows, which bounds an answer
// held in full, does not apply. (With ORDER BY the positions of the rows
// that pass are sorted first; the rows themselves are still built one at
// a time.) The scan reads a snapshot of the collection (a View) taken when
// QueryRows returned: writes made meanwhile do not block on it and are
// not seen by it. Close stops the scan early and drops the snapshot; a
// cancelled context or the statement's timeout stops it with the
// context's error in Err. Other statements (NEAREST, DESCRIBE, SHOW, …)
// give small answers, computed in full before the first row is read.
// Result (Query) stays the simplest way to read a small answer.
//
// A Rows is for one goroutine at a time; Close may be called from another.
type Rows struct {
	mu      sync.Mutex
	cols    []string
	stats   Stats
	res     *Result   // a materialised answer, or nil
	i       int       // the next row of res
	it      *scanIter // a streaming scan, or nil
	cur     []any     // the current row
	started bool      // Next has returned a row
	start   time.Time
	ctx     context.Context
	cancel  context.CancelFunc
	err     error
	closing atomic.Bool // set by Close before it waits for a running Next
	closed  bool
}

// QueryRows runs one statement that returns rows, as Query, and returns
// them as Rows; a scan streams (see Rows).
func (d *DB) QueryRows(ctx context.Context, src string, args ...any) (*Rows, error) {
	src, base := skipBOM(src, query.Position{})
	ctx, cancel, stmts, lim, err := d.prepare(ctx, src, base, args)
	if err != nil {
		cancel()
		return nil, err
	}
	if len(stmts) != 1 {
		cancel()
		return nil, invalidf("QueryRows takes one statement, got %d (use Run)", len(stmts))
	}
	return d.openRows(ctx, cancel, src, base, stmts[0], lim)
}

// QueryRows runs the statement, which must return rows, and returns them
// as Rows; a scan streams (see Rows).
func (s *Stmt) QueryRows(ctx context.Context, args ...any) (*Rows, error) {
	if s.closed.Load() {
		return nil, fmt.Errorf("the prepared statement is closed: %w", ErrClosed)
	}
	lim, _ := s.d.limits()
	ctx, cancel, stmts, err := s.d.bindText(ctx, s.src, s.base, s.text, args)
	if err != nil {
		cancel()
		return nil, err
	}
	return s.d.openRows(ctx, cancel, s.src, s.base, stmts[0], lim)
}

// openRows runs st, a statement parsed from src, as Rows. A scan is
// compiled here and read as Next is called, under ctx until Close (which
// calls cancel); any other statement runs now, in full.
func (d *DB) openRows(ctx context.Context, cancel context.CancelFunc, src string, base query.Position, st query.Statement, lim Limits) (*Rows, error) {
	if !ReturnsRows(st) {
		cancel()
		return nil, invalidf("%s does not return rows (use Exec)", StatementName(st))
	}
	start := time.Now()
	if _, ok := st.(*query.SelectRows); ok {
		if err := ctx.Err(); err != nil {
			cancel()
			return nil, err
		}
		c := &compiler{ctx: ctx, d: d, lim: lim}
		p, err := c.compile(st)
		if err != nil {
			cancel()
			return nil, err
		}
		if rp, ok := p.(*rowsPlan); ok && rp.scan != nil {
			// Close cancels the scan even without a statement timeout.
			sctx, scancel := context.WithCancel(ctx)
			return &Rows{cols: rp.cols, stats: Stats{Plan: rp.desc}, it: &scanIter{sc: rp.scan},
				start: start, ctx: sctx, cancel: func() { scancel(); cancel() }}, nil
		}
	}
	defer cancel()
	res, err := d.runStatements(ctx, src, base, []query.Statement{st}, lim)
	if err != nil {
		return nil, err
	}
	return &Rows{cols: res[0].Columns, stats: res[0].Stats, res: res[0], start: start, cancel: func() {}}, nil
}

// Columns returns the names of the columns.
func (r *Rows) Columns() []string { return r.cols }

// Stats returns the figures of the statement's execution; for a streamed
// scan, Elapsed counts until the last row was read.
func (r *Rows) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

// Next moves to the next row and reports whether there is one. It returns
// false at the end of the rows, after Close, and after an error (see Err).
func (r *Rows) Next() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.err != nil || r.closing.Load() {
		return false
	}
	var (
		row []any
		ok  bool
		err error
	)
	if r.it != nil {
		row, ok, err = r.it.next(r.ctx, &r.closing)
	} else if r.i < len(r.res.Rows) {
		row, ok = r.res.Rows[r.i], true
		r.i++
	}
	if err != nil && !r.closing.Load() {
		r.err = err
	}
	if !ok || err != nil {
		r.finish()
		return false
	}
	r.cur, r.started = row, true
	return true
}

// finish ends the rows: it records the elapsed time of a scan and releases
// the snapshot and the context. r.mu is held.
func (r *Rows) finish() {
	if r.closed {
		return
	}
	r.closed = true
	if r.it != nil {
		r.stats.Elapsed = time.Since(r.start)
	}
	r.it, r.res, r.cur = nil, nil, nil
	r.cancel()
}

// Err returns the error met while reading the rows, if any.
func (r *Rows) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Close ends the reading of the rows: a scan stops (a Next running in
// another goroutine returns false soon) and its snapshot is released.
func (r *Rows) Close() error {
	r.closing.Store(true)
	r.cancel()
	r.mu.Lock()
	r.finish()
	r.mu.Unlock()
	return nil
}

// Values returns the values of the current row, as Scan into *any would:
// string, int64, float64, bool, []float32 or nil. The slice is shared.
func (r *Rows) Values() ([]any, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || !r.started {
		return nil, invalidf("Values called without a current row (call Next first)")
	}
	return r.cur, nil
}

// Scan copies the columns of the current row into dest, one pointer per
// column: *string, *int64, *int, *float64, *float32, *bool, *[]float32,
// *Vector (or any sql.Scanner-like value with a Scan(any) error method)
// and *any, which takes the value as it is. Numbers convert when nothing is
// lost (an int64 into *float64, a whole float64 into *int64). A value that
// does not fit its destination is an error naming the column, matching
// ErrInvalid; NULL scans only into *any, *[]float32 and *Vector.
func (r *Rows) Scan(dest ...any) error {
	row, err := r.Values()
	if err != nil {
		return err
	}
	if len(dest) != len(row) {
		return invalidf("Scan got %d destinations for %d columns", len(dest), len(row))
	}
	for i, v := range row {
		if err := scanValue(dest[i], v); err != nil {
			return invalidf("scan column %d (%s): %v", i+1, r.cols[i], err)
		}
	}
	return nil
}

// scanner is sql.Scanner, named here so that db need not import
// database/sql.
type scanner interface{ Scan(src any) error }

func scanValue(dest, v any) error {
	if s, ok := dest.(scanner); ok {
		return s.Scan(v)
	}
	bad := func() error {
		what := "NULL"
		if v != nil {
			what = fmt.Sprintf("a %T (%v)", v, shorten(v))
		}
		return fmt.Errorf("cannot put %s into %T", what, dest)
	}
	switch d := dest.(type) {
	case *any:
		*d = v
		return nil
	case *string:
		s, ok := v.(string)
		if !ok {
			return bad()
		}
		*d = s
	case *int64:
		n, ok := toInt(v)
		if !ok {
			return bad()
		}
		*d = n
	case *int:
		n, ok := toInt(v)
		if !ok || int64(int(n)) != n {
			return bad()
		}
		*d = int(n)
	case *float64:
		switch x := v.(type) {
		case float64:
			*d = x
		case float32:
			*d = float64(x)
		case int64:
			*d = float64(x)
		default:
			return bad()
		}
	case *float32:
		switch x := v.(type) {
		case float64:
			*d = float32(x)
		case float32:
			*d = x
		case int64:
			*d = float32(x)
		default:
			return bad()
		}
	case *bool:
		b, ok := v.(bool)
		if !ok {
			return bad()
		}
		*d = b
	case *[]float32:
		switch x := v.(type) {
		case nil:
			*d = nil
		case []float32:
			*d = append([]float32(nil), x...)
		default:
			return bad()
		}
	case nil:
		return fmt.Errorf("the destination is nil")
	default:
		return fmt.Errorf("cannot scan into %T", dest)
	}
	return nil
}

func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) <= maxExactInt {
			return int64(x), true
		}
	}
	return 0, false
}

// shorten prints v for an error, cut to a few dozen characters.
func shorten(v any) string {
	s := fmt.Sprint(v)
	if r := []rune(s); len(r) > 40 {
		s = string(r[:37]) + "..."
	}
	return s
}
