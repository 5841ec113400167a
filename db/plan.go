package db

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/vecdb/vecdb/query"

	"github.com/vecdb/vecdb/internal/errdefs"
)

// Plan is a compiled statement: checked against the database as it was
// when compiled (it holds the read views it needs), ready to run. String
// describes what it will do; EXPLAIN prints it.
type Plan interface {
	String() string
	Run(ctx context.Context, d *DB) (*Result, error)
}

// runParsed runs statements parsed from src (with query.ParseOptions.Base
// set to base) in order. It stops at the first error and returns the
// results so far with it. Each statement is compiled just before it runs,
// so it sees what earlier ones did.
func (d *DB) runParsed(ctx context.Context, src string, base query.Position, stmts []query.Statement, lim Limits) ([]*Result, error) {
	out := make([]*Result, 0, len(stmts))
	for _, st := range stmts {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		start := time.Now()
		p, err := d.compile(ctx, src, base, st, lim)
		if err != nil {
			return out, err
		}
		res, err := p.Run(ctx, d)
		if err != nil {
			return out, err
		}
		res.Stats.Elapsed = time.Since(start)
		out = append(out, res)
	}
	return out, nil
}

// compile checks one statement parsed from src (with base as in
// runParsed) against d and returns its plan. Errors are *query.Error values
// that point into src. ctx bounds the work of checking (looking up keys and
// their close spellings), not the plan's run.
func (d *DB) compile(ctx context.Context, src string, base query.Position, st query.Statement, lim Limits) (Plan, error) {
	c := &compiler{ctx: ctx, d: d, lim: lim}
	return c.compile(st)
}

type compiler struct {
	ctx     context.Context
	d       *DB
	lim     Limits
	sources map[string]*View
	depth   int // statements being compiled (PROJECT's query nests one)
}

// ReturnsRows reports whether a statement returns rows (a query, SHOW,
// DESCRIBE, EXPLAIN, CHECK and the analysis statements) rather than only
// a message.
func ReturnsRows(st query.Statement) bool {
	if _, ok := st.(*query.Explain); ok {
		return true
	}
	return statements[reflect.TypeOf(st)].rows
}

// Writes reports whether st changes the database: such statements are
// refused on a read-only database even when they would change nothing, as
// sqlite3 does. EXPORT and PROJECT … TO write files, not the database.
func Writes(st query.Statement) bool {
	def := statements[reflect.TypeOf(st)]
	return def.writes != nil && def.writes(st)
}

// StatementName returns the leading keywords of a statement: "SELECT",
// "INSERT", "CREATE INDEX", ...
func StatementName(st query.Statement) string {
	s := st.String()
	words := strings.Fields(s)
	if len(words) == 0 {
		return "statement"
	}
	switch words[0] {
	case "CREATE", "DROP", "SHOW", "EVALUATE":
		if len(words) > 1 {
			return words[0] + " " + words[1]
		}
	case "IMPORT":
		if len(words) > 1 && words[1] == "METADATA" {
			return "IMPORT METADATA"
		}
	}
	return words[0]
}

func (c *compiler) compile(st query.Statement) (Plan, error) {
	c.depth++
	p, err := c.compileOne(st)
	c.depth--
	if err != nil {
		return nil, err
	}
	if _, explain := p.(*explainPlan); c.depth == 0 && !explain {
		p = c.withBuilt(p)
	}
	return p, nil
}

// compileOne compiles st; statements inside it (PROJECT's query) go back
// through compile.
func (c *compiler) compileOne(st query.Statement) (Plan, error) {
	if s, ok := st.(*query.Explain); ok {
		p, err := c.compile(s.Stmt)
		if err != nil {
			return nil, err
		}
		return &explainPlan{inner: c.withBuilt(p)}, nil
	}
	def, ok := statements[reflect.TypeOf(st)]
	if !ok {
		return nil, errorAt(st.Position(), "this statement cannot be run")
	}
	return def.compile(c, st)
}

// withBuilt wraps p when the statement built keys from n-grams (see
// subwordPlan).
func (c *compiler) withBuilt(p Plan) Plan {
	if keys := c.builtKeys(); len(keys) > 0 {
		return &subwordPlan{inner: p, keys: keys}
	}
	return p
}

// stmtDef is what db knows of one kind of statement.
type stmtDef struct {
	compile func(c *compiler, st query.Statement) (Plan, error)
	rows    bool                          // it returns rows (Query), not only a message (Exec)
	writes  func(st query.Statement) bool // it changes the database; nil: never
}

// statements maps each statement's AST type to its definition. The file
// that plans a statement registers it in an init function (register);
// the map is only read after package initialisation.
var statements = map[reflect.Type]stmtDef{}

// register declares a statement: compile plans it; rows says whether it
// returns rows; writes, when not nil, says whether it changes the database
// (such statements are refused on a read-only database before they run).
func register[T query.Statement](compile func(c *compiler, s T) (Plan, error), rows bool, writes func(s T) bool) {
	def := stmtDef{compile: func(c *compiler, st query.Statement) (Plan, error) { return compile(c, st.(T)) }, rows: rows}
	if writes != nil {
		def.writes = func(st query.Statement) bool { return writes(st.(T)) }
	}
	statements[reflect.TypeFor[T]()] = def
}

// writesAlways is the writes function of statements that always write.
func writesAlways[T query.Statement](T) bool { return true }

// -----------------------------------------------------------------------------
// Errors

func errorAt(p query.Position, format string, a ...any) error {
	return &query.Error{Pos: p, Msg: fmt.Sprintf(format, a...), Suggest: suggested(a)}
}

// errorIs is errorAt for a problem that has a sentinel (internal/errdefs,
// re-exported by db), or for the backend's error cause: the error matches
// it with errors.Is, as the Go API's error for the same problem does.
func errorIs(cause error, p query.Position, format string, a ...any) error {
	return &query.Error{Pos: p, Msg: fmt.Sprintf(format, a...), Err: cause, Suggest: suggested(a)}
}

// wrapAt turns an error from the backend into a positioned error that
// still matches the original with errors.Is. Errors that are already
// positioned and cancellations pass unchanged. A detailed sentinel error
// ("invalid argument: k must be positive") prints its detail alone: the
// position says where the argument is.
func wrapAt(p query.Position, err error) error {
	if err == nil {
		return nil
	}
	var qe *query.Error
	if errors.As(err, &qe) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	msg := err.Error()
	if d, ok := err.(*errdefs.Detailed); ok {
		msg = d.Detail
	}
	return &query.Error{Pos: p, Msg: msg, Err: err}
}

// suggestion is a "did you mean" hint for a message: it prints as
// "; did you mean 'x'?" (or as nothing), and errorAt and errorIs put its
// spelling, as it is typed, in query.Error.Suggest.
type suggestion struct{ hint, typed string }

func (s suggestion) String() string { return s.hint }

// didYouMean returns the hint for the closest candidate to name, empty
// when none is close.
func didYouMean(name string, cands []string, quote func(string) string) suggestion {
	if s := query.Suggest(name, cands); s != "" {
		return suggestion{"; did you mean " + quote(s) + "?", quote(s)}
	}
	return suggestion{}
}

// suggested returns the spelling of the first suggestion among a.
func suggested(a []any) string {
	for _, x := range a {
		if s, ok := x.(suggestion); ok && s.typed != "" {
			return s.typed
		}
	}
	return ""
}

func sq(s string) string   { return query.QuoteString(s) }
func bare(s string) string { return s }

// unknownKeys is implemented by the backend's error for keys that are not
// in a collection (db.KeysNotFoundError).
type unknownKeys interface {
	// MissingKeys lists the unknown keys, each once, in request order.
	MissingKeys() []string
	// KeyMessage describes MissingKeys()[i]: "'kign' is not in glove50;
	// did you mean 'king'?".
	KeyMessage(i int) string
	// KeySuggestion is the close spelling of MissingKeys()[i] as it is
	// typed ("'king'"), or "".
	KeySuggestion(i int) string
	// MoreMessage describes n unknown keys left unreported: "and 1995
	// more keys not in glove50".
	MoreMessage(n int) string
}

// keysErr reports the keys that the backend found missing, each at the
// position of its first node: one *Error for one key, an ErrorList for
// several. At most errdefs.MaxKeysReported keys are reported, followed by
// one error that counts the others, so that the report of a statement
// naming thousands of unknown keys stays short. Every error wraps the
// backend's, so the result matches it with errors.Is and errors.As.
func keysErr(err error, nodes []*query.VKey, fallback query.Position) error {
	var uk unknownKeys
	if !errors.As(err, &uk) {
		return wrapAt(fallback, err)
	}
	keys := uk.MissingKeys()
	if len(keys) == 0 {
		return wrapAt(fallback, err)
	}
	first := make(map[string]query.Position, len(nodes))
	for i := len(nodes) - 1; i >= 0; i-- {
		first[nodes[i].Key] = nodes[i].Pos
	}
	at := func(k string) query.Position {
		if p, ok := first[k]; ok {
			return p
		}
		return fallback
	}
	var list query.ErrorList
	for i, k := range keys {
		if i == errdefs.MaxKeysReported {
			list = append(list, &query.Error{Pos: at(k), Msg: uk.MoreMessage(len(keys) - i), Err: err})
			break
		}
		list = append(list, &query.Error{Pos: at(k), Msg: uk.KeyMessage(i), Suggest: uk.KeySuggestion(i), Err: err})
	}
	return list.Err()
}

// -----------------------------------------------------------------------------
// Collections

func (c *compiler) collectionNames() []string {
	infos, err := c.d.execCollections()
	if err != nil {
		return nil
	}
	names := make([]string, len(infos))
	for i, in := range infos {
		names[i] = in.Name
	}
	return names
}

// marked is a statement's record of where its names and values begin
// (query.Marked).
type marked interface {
	At(key string, def query.Position) query.Position
}

// exists checks that the collection whose name is at p in the statement
// exists, with "did you mean" on a miss, without loading its read view:
// for statements that stream the collection's rows themselves (EXPORT)
// and need not hold them all in memory.
func (c *compiler) exists(name string, p query.Position) error {
	if _, ok := c.sources[name]; ok {
		return nil
	}
	if _, err := c.d.Collection(name); err != nil {
		return c.sourceErr(name, p, err)
	}
	return nil
}

// sourceErr is the error of a statement naming at p the collection name
// that could not be opened (err).
func (c *compiler) sourceErr(name string, p query.Position, err error) error {
	if errors.Is(err, errdefs.ErrCollectionNotFound) {
		hint := didYouMean(name, c.collectionNames(), query.QuoteIdent)
		return &query.Error{Pos: p, Msg: fmt.Sprintf("collection %s does not exist%s", query.QuoteIdent(name), hint), Err: err, Suggest: hint.typed}
	}
	return wrapAt(p, err)
}

// source opens the read view of a collection whose name is at p in the
// statement, with "did you mean" on a miss.
func (c *compiler) source(name string, p query.Position) (*View, error) {
	if s, ok := c.sources[name]; ok {
		return s, nil
	}
	s, err := c.d.execSource(name)
	if err != nil {
		return nil, c.sourceErr(name, p, err)
	}
	if c.d.subwordsOn() {
		s = s.withSubwords()
	}
	if c.sources == nil {
		c.sources = map[string]*View{}
	}
	c.sources[name] = s
	return s, nil
}

// -----------------------------------------------------------------------------
// Options

type optKind int

const (
	optInt optKind = iota
	optFloat
	optBool
	optString
	optWord // a bare word or a string: USING-like choices
)

var optKindNames = [...]string{"an integer", "a number", "TRUE or FALSE", "a string", "a name"}

// optDef declares one WITH option (or SET setting) once: its name, type and
// range check it in the compiler; def and doc document it (OPTIONS.md is
// generated from the tables); set binds its value into the typed options
// of the Go API (see bindOptions).
type optDef struct {
	name     string
	kind     optKind
	min, max float64 // for numbers; max 0 = none
	def      string  // the default, as the docs show it
	doc      string  // one line for the docs
	set      any     // func(*T, any) error for the statement's options type T; nil when the compiler binds it
}

// options validates a WITH clause against defs and returns the values:
// int, float64, bool or string.
func (c *compiler) options(st marked, o query.Options, defs []optDef, what string) (map[string]any, error) {
	out := make(map[string]any, len(o))
	names := make([]string, 0, len(o))
	for n := range o {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return o[names[i]].Pos.Offset < o[names[j]].Pos.Offset })
	for _, n := range names {
		lit := o[n]
		var def *optDef
		for i := range defs {
			if defs[i].name == n {
				def = &defs[i]
			}
		}
		if def == nil {
			valid := make([]string, len(defs))
			for i, d := range defs {
				valid[i] = d.name
			}
			p := st.At("option "+n, lit.Pos)
			hint := didYouMean(n, valid, bare)
			if hint.typed == "" {
				if len(valid) == 0 {
					hint.hint = " (it takes no options)"
				} else {
					hint.hint = " (options: " + strings.Join(valid, ", ") + ")"
				}
			}
			return nil, errorAt(p, "unknown option %s for %s%s", n, what, hint)
		}
		v, err := optValue(lit, *def)
		if err != nil {
			return nil, err
		}
		out[n] = v
	}
	return out, nil
}

func optValue(lit query.Literal, d optDef) (any, error) {
	bad := func() error {
		return errorAt(lit.Pos, "option %s must be %s, got %s", d.name, optKindNames[d.kind], lit.String())
	}
	switch d.kind {
	case optInt, optFloat:
		if lit.Kind != query.LitNumber {
			return nil, bad()
		}
		if lit.Num < d.min || (d.max > 0 && lit.Num > d.max) {
			if d.max > 0 {
				return nil, errorAt(lit.Pos, "option %s must be between %s and %s, got %s", d.name, query.FormatNum(d.min), query.FormatNum(d.max), lit.String())
			}
			return nil, errorAt(lit.Pos, "option %s must be at least %s, got %s", d.name, query.FormatNum(d.min), lit.String())
		}
		if d.kind == optInt {
			n, ok := lit.Int()
			if !ok {
				return nil, bad()
			}
			return n, nil
		}
		return lit.Num, nil
	case optBool:
		if lit.Kind != query.LitBool {
			return nil, bad()
		}
		return lit.Bool, nil
	case optString:
		if lit.Kind != query.LitString {
			return nil, bad()
		}
		return lit.Str, nil
	case optWord:
		if lit.Kind != query.LitString && lit.Kind != query.LitIdent {
			return nil, bad()
		}
		return lit.Str, nil
	}
	return nil, bad()
}

// checkK validates a k of NEAREST or RECOMMEND.
// stmt and kw locate the number (the token after kw) for the error.
func (c *compiler) checkK(k int, at query.Position) error {
	if k <= 0 {
		return errorIs(errdefs.ErrInvalid, at, "k must be positive, got %d", k)
	}
	if c.lim.MaxK > 0 && k > c.lim.MaxK {
		return errorIs(errdefs.ErrInvalid, at, "k = %d is above the limit of %d", k, c.lim.MaxK)
	}
	return nil
}

// choice checks a USING word against the allowed ones.
func (c *compiler) choice(word string, allowed []string, at query.Position, what string) (string, error) {
	if word == "" {
		return "", nil
	}
	u := strings.ToUpper(word)
	for _, a := range allowed {
		if a == u {
			return u, nil
		}
	}
	return "", errorAt(at, "unknown method %s for %s (want %s)%s", word, what, strings.Join(allowed, " or "), didYouMean(u, allowed, bare))
}

// -----------------------------------------------------------------------------
// Shared plans

type explainPlan struct{ inner Plan }

func (p *explainPlan) String() string { return "EXPLAIN\n" + p.inner.String() }

func (p *explainPlan) Run(ctx context.Context, d *DB) (*Result, error) {
	res := &Result{Columns: []string{"plan"}}
	for _, line := range strings.Split(p.inner.String(), "\n") {
		res.Rows = append(res.Rows, []any{line})
	}
	res.Stats.Plan = p.inner.String()
	return res, nil
}

// backendPlan runs a statement that the backend executes as a whole.
type backendPlan struct {
	desc string
	run  func(ctx context.Context, d *DB) (*Result, error)
	pos  query.Position
}

func (p *backendPlan) String() string { return p.desc }

func (p *backendPlan) Run(ctx context.Context, d *DB) (*Result, error) {
	res, err := p.run(ctx, d)
	if err != nil {
		return nil, wrapAt(p.pos, err)
	}
	if res == nil {
		res = &Result{}
	}
	res.Stats.Plan = p.desc
	return res, nil
}

func (d *DB) execSource(name string) (*View, error) {
	if v := d.cachedView(name); v != nil {
		return v, nil
	}
	v, err := d.viewOf(name)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// cachedView returns the loaded read view of a collection, or nil when
// none is loaded (a write drops it, DropCollection forgets the state).
func (d *DB) cachedView(name string) *View {
	d.mu.Lock()
	s := d.colls[name]
	d.mu.Unlock()
	if s == nil {
		return nil
	}
	return s.view.Load()
}
