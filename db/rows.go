package db

import (
	"context"
	"fmt"
	"math"
	"sync"
)

// Rows is the answer of a query read one row at a time, as database/sql's
// Rows: call Next, then Scan, until Next returns false; then Err says
// whether the rows ended well. Close releases them (calling it more than
// once is fine, and Next returning false closes them).
//
// For now Rows wraps a Result computed in full before the first row is
// read (the statements of the language build their answer at once); the
// API does not depend on that, and streaming plans may come behind it.
// Result (Query) stays the simplest way to read a small answer.
//
// A Rows is for one goroutine at a time; Close may be called from another.
type Rows struct {
	mu     sync.Mutex
	res    *Result
	i      int // the current row + 1; 0 before the first Next
	err    error
	closed bool
}

// QueryRows runs one statement that returns rows, as Query, and returns
// them as Rows.
func (d *DB) QueryRows(ctx context.Context, src string, args ...any) (*Rows, error) {
	res, err := d.Query(ctx, src, args...)
	if err != nil {
		return nil, err
	}
	return &Rows{res: res}, nil
}

// QueryRows runs the statement, which must return rows, and returns them
// as Rows.
func (s *Stmt) QueryRows(ctx context.Context, args ...any) (*Rows, error) {
	res, err := s.Query(ctx, args...)
	if err != nil {
		return nil, err
	}
	return &Rows{res: res}, nil
}

// Columns returns the names of the columns.
func (r *Rows) Columns() []string { return r.res.Columns }

// Stats returns the figures of the statement's execution.
func (r *Rows) Stats() Stats { return r.res.Stats }

// Next moves to the next row and reports whether there is one. It returns
// false at the end of the rows, after Close, and after an error (see Err).
func (r *Rows) Next() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.err != nil {
		return false
	}
	if r.i >= len(r.res.Rows) {
		r.closed = true
		return false
	}
	r.i++
	return true
}

// Err returns the error met while reading the rows, if any.
func (r *Rows) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Close ends the reading of the rows.
func (r *Rows) Close() error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	return nil
}

// Values returns the values of the current row, as Scan into *any would:
// string, int64, float64, bool, []float32 or nil. The slice is shared.
func (r *Rows) Values() ([]any, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.i == 0 {
		return nil, invalidf("Values called without a current row (call Next first)")
	}
	return r.res.Rows[r.i-1], nil
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
			return invalidf("scan column %d (%s): %v", i+1, r.res.Columns[i], err)
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
