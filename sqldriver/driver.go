// Package sqldriver is a database/sql driver for vecdb, registered as
// "vecdb":
//
//	import _ "github.com/vecdb/vecdb/sqldriver"
//
//	s, err := sql.Open("vecdb", "songs.vdb?mode=ro")
//	rows, err := s.QueryContext(ctx, "SELECT NEAREST ? TO ? FROM songs", 5, "s1")
//
// The data source name is the path of the database file, optionally
// followed by ?name=value&...:
//
//	mode=rw      read-write, creating the file (the default); mode=ro: read-only
//	sandbox=dir  confine the files statements name to dir (db.Options.Sandbox)
//	timeout=2s   how long to wait for another process's lock (db.Options.Timeout)
//
// # Connections
//
// All connections of the pool (and of every sql.DB opened with the same
// file and mode in this process) share one *db.DB, opened with the first
// connection and closed with the last. OpenDB serves an already open
// *db.DB instead.
//
// # Arguments
//
// Arguments bind to placeholders as with db.Run (see db.Parameters): ?,
// ?NNN and $NNN take the positional arguments in order (arguments given
// with sql.Named do not count), :name takes sql.Named("name", v). Besides
// database/sql's own types an argument may be a []float32, a []float64 or a
// Vector, which bind as vectors.
//
// # Results
//
// Columns come back as string, int64, float64, bool, nil and, for vector
// columns, []float32: scan those into a *Vector (or *any). Exec's Result
// gives RowsAffected; LastInsertId is not supported. Transactions are not
// supported: each statement commits on its own, and Begin fails.
package sqldriver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/vecdb/vecdb/db"
	"github.com/vecdb/vecdb/query"
)

func init() { sql.Register("vecdb", Driver{}) }

// Vector is a vector value for arguments and vector columns: db.Vector,
// which implements driver.Valuer and sql.Scanner.
type Vector = db.Vector

// ErrNoTransactions is returned by Begin: vecdb statements commit one by
// one.
var ErrNoTransactions = errors.New("vecdb: transactions are not supported; each statement commits on its own")

// Driver is the "vecdb" driver. It implements driver.DriverContext.
type Driver struct{}

// Open opens a connection to the database named by dsn.
func (d Driver) Open(dsn string) (driver.Conn, error) {
	c, err := d.OpenConnector(dsn)
	if err != nil {
		return nil, err
	}
	return c.Connect(context.Background())
}

// OpenConnector parses dsn (see the package documentation).
func (Driver) OpenConnector(dsn string) (driver.Connector, error) {
	path, opts, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("vecdb: %w", err)
	}
	return &connector{path: path, key: fmt.Sprintf("%s|%v|%s", abs, opts.ReadOnly, opts.Sandbox), opts: opts}, nil
}

// ParseDSN splits a data source name into the database path and the
// options it asks for.
func ParseDSN(dsn string) (string, db.Options, error) {
	var opts db.Options
	path, query, _ := strings.Cut(dsn, "?")
	if path == "" {
		return "", opts, fmt.Errorf("vecdb: the data source name %q has no file path: %w", dsn, db.ErrInvalid)
	}
	vals, err := url.ParseQuery(query)
	if err != nil {
		return "", opts, fmt.Errorf("vecdb: data source name %q: %v: %w", dsn, err, db.ErrInvalid)
	}
	for name, vs := range vals {
		v := vs[len(vs)-1]
		switch name {
		case "mode":
			switch v {
			case "ro":
				opts.ReadOnly = true
			case "rw", "rwc":
			default:
				return "", opts, fmt.Errorf("vecdb: mode=%s: want ro or rw: %w", v, db.ErrInvalid)
			}
		case "sandbox":
			opts.Sandbox = v
		case "timeout":
			t, err := time.ParseDuration(v)
			if err != nil {
				return "", opts, fmt.Errorf("vecdb: timeout=%s: %v: %w", v, err, db.ErrInvalid)
			}
			opts.Timeout = t
		default:
			return "", opts, fmt.Errorf("vecdb: unknown data source parameter %q (want mode, sandbox or timeout): %w", name, db.ErrInvalid)
		}
	}
	return path, opts, nil
}

// OpenDB returns a *sql.DB whose connections all use d. Closing the
// *sql.DB does not close d.
func OpenDB(d *db.DB) *sql.DB { return sql.OpenDB(&connector{fixed: d}) }

// connector opens connections to one database file, or serves one fixed
// *db.DB (OpenDB).
type connector struct {
	path  string
	key   string
	opts  db.Options
	fixed *db.DB
}

func (c *connector) Driver() driver.Driver { return Driver{} }

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	if c.fixed != nil {
		return &conn{d: c.fixed}, nil
	}
	d, err := acquire(c.key, c.path, c.opts)
	if err != nil {
		return nil, err
	}
	return &conn{d: d, release: func() error { return release(c.key) }}, nil
}

// handles are the databases open through the driver, shared by the
// connections to the same file and options, with their reference counts.
var handles struct {
	sync.Mutex
	m map[string]*handle
}

type handle struct {
	d    *db.DB
	refs int
}

func acquire(key, path string, opts db.Options) (*db.DB, error) {
	handles.Lock()
	defer handles.Unlock()
	if h, ok := handles.m[key]; ok {
		h.refs++
		return h.d, nil
	}
	o := opts
	d, err := db.Open(path, &o)
	if err != nil {
		return nil, err
	}
	if handles.m == nil {
		handles.m = map[string]*handle{}
	}
	handles.m[key] = &handle{d: d, refs: 1}
	return d, nil
}

func release(key string) error {
	handles.Lock()
	defer handles.Unlock()
	h, ok := handles.m[key]
	if !ok {
		return nil
	}
	if h.refs--; h.refs > 0 {
		return nil
	}
	delete(handles.m, key)
	return h.d.Close()
}

// conn is one connection: a *db.DB shared with the pool's others.
type conn struct {
	d       *db.DB
	release func() error
	once    sync.Once
}

var (
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.NamedValueChecker  = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
)

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.d.Prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	return &stmt{st: st}, nil
}

func (c *conn) Close() error {
	var err error
	c.once.Do(func() {
		if c.release != nil {
			err = c.release()
		}
	})
	return err
}

func (c *conn) Begin() (driver.Tx, error) { return nil, ErrNoTransactions }

func (c *conn) Ping(ctx context.Context) error {
	_, err := c.d.Collections()
	return err
}

// CheckNamedValue lets vectors through as they are and converts the rest
// as database/sql does by default.
func (c *conn) CheckNamedValue(nv *driver.NamedValue) error {
	switch nv.Value.(type) {
	case []float32, []float64, db.Vector:
		return nil
	}
	v, err := driver.DefaultParameterConverter.ConvertValue(nv.Value)
	if err != nil {
		return err
	}
	nv.Value = v
	return nil
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	res, err := c.d.Exec(ctx, query, toArgs(args)...)
	if err != nil {
		return nil, err
	}
	return result(res.Stats.RowsAffected), nil
}

// QueryContext streams the rows of one statement that returns rows (a
// SELECT scan is read as database/sql calls Next; see db.Rows); anything
// else (a script, a statement without rows) runs as Exec and gives its
// result's rows, if any.
func (c *conn) QueryContext(ctx context.Context, src string, args []driver.NamedValue) (driver.Rows, error) {
	if stmts, err := query.Parse(src); err == nil && len(stmts) == 1 && db.ReturnsRows(stmts[0]) {
		r, err := c.d.QueryRows(ctx, src, toArgs(args)...)
		if err != nil {
			return nil, err
		}
		return newRows(r), nil
	}
	res, err := c.d.Exec(ctx, src, toArgs(args)...)
	if err != nil {
		return nil, err
	}
	return &rows{res: res}, nil
}

// toArgs converts database/sql's arguments to db's: a named one to
// db.Named, the others positional in order.
func toArgs(nvs []driver.NamedValue) []any {
	out := make([]any, len(nvs))
	for i, nv := range nvs {
		if nv.Name != "" {
			out[i] = db.Named(nv.Name, nv.Value)
		} else {
			out[i] = nv.Value
		}
	}
	return out
}

// stmt is a prepared statement (db.Stmt).
type stmt struct{ st *db.Stmt }

var (
	_ driver.StmtExecContext  = (*stmt)(nil)
	_ driver.StmtQueryContext = (*stmt)(nil)
)

func (s *stmt) Close() error { return s.st.Close() }

// NumInput returns the number of positional arguments the statement takes
// (its largest ? number), or -1 when it has named ones, so that
// database/sql checks the count only when it can.
func (s *stmt) NumInput() int {
	n := 0
	for _, p := range s.st.Params() {
		if p.Name != "" {
			return -1
		}
		n = max(n, p.Index)
	}
	return n
}

func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), valuesToNamed(args))
}

func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), valuesToNamed(args))
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	res, err := s.st.Exec(ctx, toArgs(args)...)
	if err != nil {
		return nil, err
	}
	return result(res.Stats.RowsAffected), nil
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if s.st.ReturnsRows() {
		r, err := s.st.QueryRows(ctx, toArgs(args)...)
		if err != nil {
			return nil, err
		}
		return newRows(r), nil
	}
	res, err := s.st.Exec(ctx, toArgs(args)...)
	if err != nil {
		return nil, err
	}
	return &rows{res: res}, nil
}

func valuesToNamed(vs []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(vs))
	for i, v := range vs {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

// result is what Exec returns.
type result int64

func (r result) LastInsertId() (int64, error) {
	return 0, errors.New("vecdb: LastInsertId is not supported (keys are given, not generated)")
}

func (r result) RowsAffected() (int64, error) { return int64(r), nil }

// rows are the rows of a db.Result (empty for a statement without rows).
type rows struct {
	res *db.Result
	i   int
}

func (r *rows) Columns() []string {
	if r.res.Columns == nil {
		return []string{}
	}
	return r.res.Columns
}

func (r *rows) Close() error { return nil }

func (r *rows) Next(dest []driver.Value) error {
	if r.i >= len(r.res.Rows) {
		return io.EOF
	}
	row := r.res.Rows[r.i]
	r.i++
	for i, v := range row {
		dest[i] = driverValue(v)
	}
	return nil
}

// streamRows are the rows of a db.Rows, read as database/sql asks for them.
type streamRows struct{ r *db.Rows }

func newRows(r *db.Rows) *streamRows { return &streamRows{r: r} }

func (s *streamRows) Columns() []string {
	if c := s.r.Columns(); c != nil {
		return c
	}
	return []string{}
}

func (s *streamRows) Close() error { return s.r.Close() }

func (s *streamRows) Next(dest []driver.Value) error {
	if !s.r.Next() {
		if err := s.r.Err(); err != nil {
			return err
		}
		return io.EOF
	}
	row, err := s.r.Values()
	if err != nil {
		return err
	}
	for i, v := range row {
		dest[i] = driverValue(v)
	}
	return nil
}

// driverValue converts a row value to one of database/sql's driver types.
func driverValue(v any) driver.Value {
	switch x := v.(type) {
	case int:
		return int64(x)
	case float32:
		return float64(x)
	default:
		return v
	}
}
