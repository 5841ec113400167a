package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/vecdb/vecdb/query"
)

// limits returns the language limits of d with the documented defaults.
func (d *DB) limits() (Limits, int) {
	l := d.opts.Limits
	def := func(v, dflt int) int {
		switch {
		case v == 0:
			return dflt
		case v < 0:
			return 0
		}
		return v
	}
	l.MaxK = def(l.MaxK, 10000)
	l.MaxRows = def(l.MaxRows, 1000000)
	l.MaxExprDepth = def(l.MaxExprDepth, query.DefaultMaxDepth)
	return l, def(l.MaxStatementBytes, 1<<20)
}

// bom is the byte order mark that some editors put at the start of a
// UTF-8 file; a script may start with it.
const bom = "\uFEFF"

// skipBOM removes a byte order mark from the start of a script at base
// and moves base past it (columns do not count it).
func skipBOM(src string, base query.Position) (string, query.Position) {
	if base.Offset != 0 || !strings.HasPrefix(src, bom) {
		return src, base
	}
	return src[len(bom):], query.Position{Line: 1, Column: 1, Offset: len(bom)}
}

// prepare parses src, the text of statements that starts at base in its
// script (the zero Position when src is the whole script), and binds the
// arguments list to its placeholders.
func (d *DB) prepare(ctx context.Context, src string, base query.Position, list []any) (context.Context, context.CancelFunc, []query.Statement, Limits, error) {
	lim, maxBytes := d.limits()
	if maxBytes > 0 && len(src) > maxBytes {
		return ctx, func() {}, nil, lim, &query.Error{Pos: base.Add(query.Position{Line: 1, Column: 1}), Msg: fmt.Sprintf("the statement text has %d bytes, the limit is %d", len(src), maxBytes), Err: ErrInvalid}
	}
	if err := checkUTF8(src, base); err != nil {
		return ctx, func() {}, nil, lim, err
	}
	text, err := parseCached(src, base, lim.MaxExprDepth)
	if err != nil {
		return ctx, func() {}, nil, lim, err
	}
	ctx, cancel, stmts, err := d.bindText(ctx, src, base, text, list)
	return ctx, cancel, stmts, lim, err
}

// bindText binds the arguments list to the parsed text (see Parameters)
// and applies the statement timeout to ctx.
func (d *DB) bindText(ctx context.Context, src string, base query.Position, text parsedText, list []any) (context.Context, context.CancelFunc, []query.Statement, error) {
	stmts, err := bindAll(text.stmts, text.params, list)
	if err != nil {
		var qe *query.Error
		if errors.As(err, &qe) && qe.Source == "" {
			qe.Source, qe.SourceOffset = src, base.Offset
		}
		return ctx, func() {}, nil, err
	}
	cancel := func() {}
	// SET timeout may only tighten the application's Limits.Timeout: the
	// shorter of the two applies, so a statement cannot lift a limit set
	// for all callers.
	timeout := d.opts.Limits.Timeout
	if secs, ok := d.Setting("timeout").(float64); ok && secs > 0 {
		if set := time.Duration(secs * float64(time.Second)); timeout <= 0 || set < timeout {
			timeout = set
		}
	}
	if timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, timeout)
	}
	return ctx, cancel, stmts, nil
}

// Run runs the statements of src in order and returns one result per
// statement. It stops at the first error and returns the results so far
// with it; the failed statement changed nothing. Errors in the text are
// *query.Error values with a line and column. A byte order mark at the
// start of src is skipped.
//
// args are the values of the placeholders of src (see Parameters); with
// positional or NamedArg arguments src must be one statement.
func (d *DB) Run(ctx context.Context, src string, args ...any) ([]*Result, error) {
	return d.RunAt(ctx, src, query.Position{}, args...)
}

// RunAt is Run for statement text cut from a larger script, where it
// starts at pos (a query.Chunk): positions in errors are those of the
// script, and the statement size limit (Limits.MaxStatementBytes) counts
// src alone. The zero pos means src is the whole script.
func (d *DB) RunAt(ctx context.Context, src string, pos query.Position, args ...any) ([]*Result, error) {
	src, pos = skipBOM(src, pos)
	ctx, cancel, stmts, lim, err := d.prepare(ctx, src, pos, args)
	defer cancel()
	if err != nil {
		return nil, err
	}
	return d.runStatements(ctx, src, pos, stmts, lim)
}

// Exec runs the statements of src (see Run) and returns the result of the
// last one. With arguments (see Parameters) src must be one statement: a
// script of several is refused before anything runs.
func (d *DB) Exec(ctx context.Context, src string, args ...any) (*Result, error) {
	res, err := d.Run(ctx, src, args...)
	if err != nil {
		return nil, err
	}
	if len(res) == 0 {
		return &Result{}, nil
	}
	return res[len(res)-1], nil
}

// Query runs one statement that returns rows (SELECT, SHOW, DESCRIBE,
// EXPLAIN, ...) and returns them. args are the values of its placeholders
// (see Parameters).
func (d *DB) Query(ctx context.Context, src string, args ...any) (*Result, error) {
	src, base := skipBOM(src, query.Position{})
	ctx, cancel, stmts, lim, err := d.prepare(ctx, src, base, args)
	defer cancel()
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 {
		return nil, invalidf("Query takes one statement, got %d (use Run)", len(stmts))
	}
	if !ReturnsRows(stmts[0]) {
		return nil, invalidf("%s does not return rows (use Exec)", StatementName(stmts[0]))
	}
	res, err := d.runStatements(ctx, src, base, stmts, lim)
	if err != nil {
		return nil, err
	}
	return res[0], nil
}

// parsed caches the syntax trees of recent statement texts: an application
// that sends the same statements again (the common case) skips the parser,
// which costs tens of microseconds. Trees are never modified after Parse,
// so they are shared safely. The cache holds at most parsedMax texts of at
// most parsedMaxLen bytes and is emptied when full.
var parsed struct {
	sync.Mutex
	m map[parseKey]parsedText
}

// parsedText is a parsed statement text: its statements, and the
// placeholders of each (query.Params).
type parsedText struct {
	stmts  []query.Statement
	params [][]*query.Param
}

func newParsedText(stmts []query.Statement) parsedText {
	t := parsedText{stmts: stmts, params: make([][]*query.Param, len(stmts))}
	for i, st := range stmts {
		t.params[i] = query.Params(st)
	}
	return t
}

// parseKey is a statement text, where it starts in its script and the
// nesting limit it was parsed with.
type parseKey struct {
	src   string
	base  query.Position
	depth int
}

const (
	parsedMax    = 1024
	parsedMaxLen = 4096
)

func parseCached(src string, base query.Position, maxDepth int) (parsedText, error) {
	opts := query.ParseOptions{MaxDepth: maxDepth, Base: base}
	if len(src) > parsedMaxLen {
		st, err := query.ParseWith(src, opts)
		if err != nil {
			return parsedText{}, err
		}
		return newParsedText(st), nil
	}
	key := parseKey{src, base, maxDepth}
	parsed.Lock()
	t, ok := parsed.m[key]
	parsed.Unlock()
	if ok {
		return t, nil
	}
	st, err := query.ParseWith(src, opts)
	if err != nil {
		return parsedText{}, err
	}
	t = newParsedText(st)
	parsed.Lock()
	if parsed.m == nil || len(parsed.m) >= parsedMax {
		parsed.m = make(map[parseKey]parsedText, 64)
	}
	parsed.m[key] = t
	parsed.Unlock()
	return t, nil
}

// checkUTF8 refuses statement text that is not valid UTF-8, pointing at
// the first bad byte (its column counts the characters before it). src
// starts at base in its script.
func checkUTF8(src string, base query.Position) error {
	if utf8.ValidString(src) {
		return nil
	}
	line, start := 1, 0
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRuneInString(src[i:])
		if r == utf8.RuneError && size <= 1 {
			col := utf8.RuneCountInString(src[start:i]) + 1
			return &query.Error{Pos: base.Add(query.Position{Line: line, Column: col, Offset: i}), Msg: fmt.Sprintf("the statement is not valid UTF-8 (byte 0x%02x)", src[i]), Source: src, SourceOffset: base.Offset, Err: ErrInvalid}
		}
		if r == '\n' {
			line, start = line+1, i+1
		}
		i += size
	}
	return nil
}

// Result is what a statement returns: rows (Columns and Rows, nil for a
// statement without rows) and a Message for the user.
type Result struct {
	Columns []string
	Rows    [][]any
	Message string
	Stats   Stats
	// Built lists the keys the statement named that the collection does
	// not store and whose vectors it built from character n-grams (a
	// collection trained with subwords), as "'key' (collection)"; Message
	// says so too. Empty for most statements.
	Built []string
}

// Stats are figures about a statement's execution.
type Stats struct {
	Elapsed      time.Duration
	RowsAffected int
	Plan         string // the plan's String()
}
