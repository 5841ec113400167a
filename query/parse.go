package query

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// ParseOptions limits what Parse accepts from untrusted input.
type ParseOptions struct {
	// MaxDepth is the deepest nesting of parentheses, brackets and NOTs
	// allowed; 0 means DefaultMaxDepth.
	MaxDepth int
	// Base is the position of src's first byte in the script it was cut
	// from (a Chunk's Pos): positions in the syntax tree and in errors are
	// then those of the script, offsets included. The zero Position means
	// src is the whole script.
	Base Position
}

// DefaultMaxDepth is the nesting limit when ParseOptions.MaxDepth is 0.
const DefaultMaxDepth = 64

// Parse parses a script of statements separated by semicolons. On failure
// the error is an *Error (or an ErrorList) with the position of the problem
// and the source attached, so that Pretty shows a caret under it. Parse is
// safe for concurrent use.
func Parse(src string) ([]Statement, error) { return ParseWith(src, ParseOptions{}) }

// ParseWith is Parse with limits for untrusted input.
func ParseWith(src string, opts ParseOptions) (stmts []Statement, err error) {
	if opts.MaxDepth <= 0 {
		opts.MaxDepth = DefaultMaxDepth
	}
	base := opts.Base.start()
	defer func() {
		var e *Error
		if errors.As(err, &e) {
			e.Source, e.SourceOffset = src, base.Offset
		}
	}()
	if err := precheck(src, base, opts.MaxDepth); err != nil {
		return nil, err
	}
	peek, perr := lexer.Upgrade(LexFrom(src, base), vqTokens["Whitespace"], vqTokens["Comment"])
	var tree *script
	if perr == nil {
		tree, perr = parser.ParseFromLexer(peek)
	}
	if perr != nil {
		return nil, convertError(src, base, perr)
	}
	c := &converter{maxDepth: opts.MaxDepth}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			stmts, err = nil, b.err
		}
	}()
	for _, s := range tree.Stmts {
		c.maxParam = 0
		stmts = append(stmts, c.statement(s))
	}
	return stmts, nil
}

// precheck lexes src, reporting lexer errors in plain words, and rejects
// nesting deeper than maxDepth before the recursive parser sees it.
func precheck(src string, base Position, maxDepth int) error {
	lex := LexFrom(src, base)
	depth, nots := 0, 0
	for {
		tok, err := lex.Next()
		if err != nil {
			return convertError(src, base, err)
		}
		if tok.EOF() {
			return nil
		}
		switch {
		case tok.Value == "(" || tok.Value == "[":
			depth++
		case tok.Value == ")" || tok.Value == "]":
			depth--
		case strings.EqualFold(tok.Value, "NOT"):
			nots++
		case tok.Type != vqTokens["Whitespace"] && tok.Type != vqTokens["Comment"]:
			nots = 0
		}
		if depth+nots > maxDepth {
			return &Error{Pos: pos(tok.Pos), Msg: fmt.Sprintf("expression is nested too deeply (more than %d levels)", maxDepth)}
		}
	}
}

var vqTokens = VqLexer.Symbols()

// convertError turns a participle or lexer error into an *Error. src
// starts at base.
func convertError(src string, base Position, err error) error {
	var lerr *lexer.Error
	if errors.As(err, &lerr) {
		p := pos(lerr.Pos)
		msg := lerr.Msg
		if off := p.Offset - base.Offset; off >= 0 && off < len(src) {
			switch ch := src[off]; {
			case ch == '\'':
				msg = "unterminated string"
			case ch == '"':
				msg = "unterminated quoted identifier"
			default:
				r, _ := utf8.DecodeRuneInString(src[off:])
				msg = fmt.Sprintf("unexpected character %q", r)
			}
		}
		return &Error{Pos: p, Msg: msg}
	}
	var uerr *participle.UnexpectedTokenError
	if errors.As(err, &uerr) {
		tok := uerr.Unexpected
		e := &Error{Pos: pos(tok.Pos)}
		if tok.EOF() {
			e.Msg = "unexpected end of input"
		} else {
			e.Msg = fmt.Sprintf("unexpected token %q", tok.Value)
		}
		m := uerr.Message()
		if i := strings.Index(m, " (expected "); i >= 0 {
			e.Expected = firstSet(strings.TrimSuffix(m[i+len(" (expected "):], ")"))
		}
		prev, atStart := previousToken(src, base, tok.Pos.Offset)
		if len(e.Expected) == 0 && atStart && !tok.EOF() {
			e.Expected = []string{"a statement"}
		}
		if !tok.EOF() && plainIdent.MatchString(tok.Value) {
			var kws []string
			for _, x := range e.Expected {
				if plainIdent.MatchString(x) {
					kws = append(kws, x)
				}
			}
			if atStart {
				kws = statementWords
			}
			s := Suggest(tok.Value, kws)
			if s == "" && tok.Type == vqTokens["Ident"] && len(tok.Value) >= 4 {
				s = Suggest(tok.Value, Keywords)
			}
			if s != "" && !strings.EqualFold(s, tok.Value) {
				e.Hint, e.Suggest = "did you mean "+s+"?", s
			}
			if tok.Type == vqTokens["Reserved"] && containsString(e.Expected, "a name") {
				e.Hint, e.Suggest = fmt.Sprintf("%s is a keyword; write \"%s\" to use it as a name", strings.ToUpper(tok.Value), tok.Value), `"`+tok.Value+`"`
			}
		}
		hintConfusion(e, prev, tok)
		// A misspelt keyword is often read as a name, and the error comes
		// one token later (SELECT NEARST 5 ...): hint at the word before.
		if e.Hint == "" && prev.Type == vqTokens["Ident"] && len(prev.Value) >= 4 {
			// A name that is a keyword's plural ("items", "sets") is far
			// more likely a collection than a misspelling.
			if s := Suggest(prev.Value, Keywords); s != "" && !strings.EqualFold(s+"s", prev.Value) {
				e.Hint, e.Suggest = "did you mean "+s+" instead of "+prev.Value+"?", s
			}
		}
		return e
	}
	var perr participle.Error
	if errors.As(err, &perr) {
		return &Error{Pos: pos(perr.Position()), Msg: perr.Message()}
	}
	return &Error{Pos: base, Msg: err.Error()}
}

// hintConfusion gives the hint of two mistakes a misspelling check cannot
// see, when e has no hint yet:
//   - WITH TOP n for WITHIN TOP n (NEAREST's candidate pool, which follows
//     FROM c [WHERE cond]; WITH takes options in parentheses);
//   - a function call in a WHERE condition (SIMILARITY('a', 'b') > 0.5):
//     WHERE compares columns; after NEAREST the pseudo-columns similarity
//     and distance hold each row's score.
func hintConfusion(e *Error, prev, tok lexer.Token) {
	if e.Hint != "" || tok.EOF() {
		return
	}
	switch {
	case strings.EqualFold(prev.Value, "WITH") && strings.EqualFold(tok.Value, "TOP"):
		e.Suggest = "WITHIN"
		e.Hint = "did you mean WITHIN TOP n? It follows FROM c [WHERE …] in SELECT NEAREST; WITH takes options in parentheses"
	case tok.Value == "(" && containsString(e.Expected, "BETWEEN") && plainIdent.MatchString(prev.Value):
		fn := strings.ToUpper(prev.Value)
		if fn == "SIMILARITY" || fn == "DISTANCE" {
			e.Suggest = strings.ToLower(fn)
			e.Hint = fmt.Sprintf("%s(…) is not allowed in WHERE, which compares fields, key and count; after SELECT NEAREST, filter by each row's score with WHERE %s >= 0.6", fn, e.Suggest)
		} else {
			e.Hint = fmt.Sprintf("%s(…) is not allowed in WHERE, which compares fields, key and count, and similarity or distance after SELECT NEAREST", fn)
		}
	}
}

// statementWords are the keywords that can start a statement.
var statementWords = []string{"SELECT", "PROJECT", "CLUSTER", "RECOMMEND", "CREATE", "DROP", "INSERT", "UPSERT",
	"UPDATE", "DELETE", "IMPORT", "EXPORT", "TRAIN", "EVALUATE", "SHOW", "DESCRIBE", "EXPLAIN", "SET", "CHECK"}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// previousToken returns the last significant token before byte offset off,
// and whether the token at off starts a statement (nothing or ";" before it).
// src starts at base, and off counts from there too.
func previousToken(src string, base Position, off int) (prev lexer.Token, atStart bool) {
	lex := LexFrom(src, base)
	for {
		tok, err := lex.Next()
		if err != nil || tok.EOF() || tok.Pos.Offset >= off {
			return prev, prev.Value == "" || prev.Value == ";"
		}
		if tok.Type != vqTokens["Whitespace"] && tok.Type != vqTokens["Comment"] {
			prev = tok
		}
	}
}

func pos(p lexer.Position) Position {
	if p.Line < 1 {
		p.Line = 1
	}
	if p.Column < 1 {
		p.Column = 1
	}
	return Position{Line: p.Line, Column: p.Column, Offset: p.Offset}
}

// bailout carries the first conversion error up to ParseWith.
type bailout struct{ err *Error }

type converter struct {
	maxDepth  int
	depth     int
	maxParam  int   // the largest parameter number of the statement so far
	inAnalogy bool  // a bare ? is ANALOGY's unknown term, not a parameter
	marks     Marks // of the statement being converted
}

// mark records where key begins in the current statement, keeping the
// first position of a key.
func (c *converter) mark(key string, p lexer.Position) {
	if c.marks == nil {
		return
	}
	if _, ok := c.marks[key]; !ok {
		c.marks[key] = pos(p)
	}
}

func (c *converter) fail(p lexer.Position, format string, args ...any) {
	panic(bailout{&Error{Pos: pos(p), Msg: fmt.Sprintf(format, args...)}})
}

func (c *converter) enter(p lexer.Position) {
	c.depth++
	if c.depth > c.maxDepth {
		c.fail(p, "expression is nested too deeply (more than %d levels)", c.maxDepth)
	}
}

func (c *converter) leave() { c.depth-- }

// word checks that a name is one of allowed (case-insensitively) and returns
// it in upper case.
func (c *converter) word(id *ident, what string, allowed ...string) string {
	c.mark("word "+what, id.Pos)
	up := strings.ToUpper(id.Name)
	for _, a := range allowed {
		if a == up {
			return up
		}
	}
	e := &Error{Pos: pos(id.Pos), Msg: fmt.Sprintf("unknown %s %s", what, id.Name), Expected: allowed}
	if s := Suggest(id.Name, allowed); s != "" {
		e.Hint, e.Suggest = "did you mean "+s+"?", s
	}
	panic(bailout{e})
}

func (c *converter) optWord(id *ident, what string, allowed ...string) string {
	if id == nil {
		return ""
	}
	return c.word(id, what, allowed...)
}

func (c *converter) name(id *ident) string {
	if id == nil {
		return ""
	}
	name := unquoteIdent(id.Name)
	key := "name " + strings.ToLower(name)
	if _, seen := c.marks[key]; seen {
		c.mark("dup "+strings.ToLower(name), id.Pos)
	}
	c.mark(key, id.Pos)
	return name
}

func unquoteIdent(s string) string {
	if len(s) >= 2 && s[0] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return s
}

func unquoteString(s string) string {
	if len(s) >= 2 && s[0] == '\'' {
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'")
	}
	return s
}

var numberRE = regexp.MustCompile(`^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$`)

func (c *converter) num(n *number) float64 {
	if !numberRE.MatchString(n.Text) {
		c.fail(n.Pos, "bad number %q", n.Text)
	}
	f, err := strconv.ParseFloat(n.Text, 64)
	if err != nil || math.IsInf(f, 0) {
		c.fail(n.Pos, "number %s is out of range", n.Text)
	}
	if n.Neg {
		f = -f
	}
	return f
}

// count reads a whole number >= min (0 or 1) named what.
func (c *converter) count(n *number, what string, min int) int {
	if n == nil {
		return 0
	}
	c.mark("num "+what, n.Pos)
	f := c.num(n)
	if f == math.Trunc(f) && f > math.MaxInt32 {
		c.fail(n.Pos, "%s = %s is above the largest allowed, %d", what, n.Text, math.MaxInt32)
		return 0
	}
	if f != math.Trunc(f) || f < float64(min) {
		kind := "a positive"
		if min == 0 {
			kind = "a non-negative"
		}
		text := n.Text
		if n.Neg {
			text = "-" + text
		}
		c.fail(n.Pos, "%s must be %s integer, got %s", what, kind, text)
	}
	return int(f)
}

// path reads a file path that may be a placeholder.
func (c *converter) path(s *pathLit) (string, *Param) {
	c.mark("path", s.Pos)
	if s.Param != nil {
		return "", c.param(s.Param)
	}
	return unquoteString(s.Str.Text), nil
}

// countP reads a count that may be a placeholder (see count).
func (c *converter) countP(n *countLit, what string, min int) (int, *Param) {
	if n == nil {
		return 0, nil
	}
	if n.Param != nil {
		c.mark("num "+what, n.Pos)
		return 0, c.param(n.Param)
	}
	return c.count(n.Num, what, min), nil
}

func (c *converter) key(s *keyLit) *VKey {
	if s.Param != nil {
		return &VKey{Pos: pos(s.Pos), Param: c.param(s.Param)}
	}
	return &VKey{Pos: pos(s.Pos), Key: unquoteString(s.Str.Text)}
}

func (c *converter) keys(ss []*keyLit) []*VKey {
	out := make([]*VKey, len(ss))
	for i, s := range ss {
		out[i] = c.key(s)
	}
	return out
}

func (c *converter) literal(l *literal) Literal {
	out := Literal{Pos: pos(l.Pos)}
	switch {
	case l.Num != nil:
		out.Kind, out.Num = LitNumber, c.num(l.Num)
	case l.Str != nil:
		out.Kind, out.Str = LitString, unquoteString(l.Str.Text)
	case l.True || l.False:
		out.Kind, out.Bool = LitBool, l.True
	case l.Null:
		out.Kind = LitNull
	case l.Vec != nil:
		out.Kind, out.Vec = LitVector, c.vec(l.Vec)
	case l.Param != nil:
		out.Kind, out.Param = LitParam, c.param(l.Param)
	case l.Ident != nil:
		out.Kind, out.Str = LitIdent, unquoteIdent(l.Ident.Name)
	}
	return out
}

func (c *converter) literals(ls []*literal) []Literal {
	out := make([]Literal, len(ls))
	for i, l := range ls {
		out[i] = c.literal(l)
	}
	return out
}

func (c *converter) vec(ns []*number) []float64 {
	out := make([]float64, len(ns))
	for i, n := range ns {
		out[i] = c.num(n)
	}
	return out
}

func (c *converter) options(os []*option) Options {
	if len(os) == 0 {
		return nil
	}
	out := make(Options, len(os))
	for _, o := range os {
		name := strings.ToLower(unquoteIdent(o.Name.Name))
		c.mark("option "+name, o.Name.Pos)
		if _, dup := out[name]; dup {
			c.fail(o.Pos, "option %s is given twice", name)
		}
		out[name] = c.literal(o.Value)
	}
	return out
}

// Vector expressions.

func (c *converter) vexpr(v *vexpr) VExpr {
	c.enter(v.Pos)
	defer c.leave()
	terms := []VTerm{c.vterm(v.Left, 1)}
	for _, r := range v.Right {
		sign := 1.0
		if r.Op == opSub {
			sign = -1
		}
		terms = append(terms, c.vterm(r.Term, sign))
	}
	if len(terms) == 1 && terms[0].Sign == 1 && terms[0].Weight == 1 && terms[0].WeightParam == nil {
		return terms[0].Factor
	}
	return &VSum{Pos: pos(v.Pos), Terms: terms}
}

func (c *converter) vterm(t *vterm, sign float64) VTerm {
	if t.Neg {
		sign = -sign
	}
	out := VTerm{Pos: pos(t.Pos), Sign: sign, Weight: 1}
	switch {
	case t.Weight == nil:
	case t.Weight.Param != nil:
		out.WeightParam = c.param(t.Weight.Param)
	default:
		out.Weight = c.num(t.Weight.Num)
	}
	out.Factor = c.vfactor(t.Factor)
	return out
}

func (c *converter) vfactor(f *vfactor) VExpr {
	p := pos(f.Pos)
	switch {
	case f.Key != nil:
		return &VKey{Pos: p, Key: unquoteString(f.Key.Text)}
	case f.Param != nil:
		return &VKey{Pos: p, Param: c.param(f.Param)}
	case f.Vec != nil:
		return &VLiteral{Pos: p, Values: c.vec(f.Vec)}
	case f.Sub != nil:
		return c.vexpr(f.Sub)
	case f.Centroid != nil:
		args := make([]VExpr, len(f.Centroid))
		for i, a := range f.Centroid {
			args[i] = c.vexpr(a)
		}
		return &VCentroid{Pos: p, Args: args}
	case f.Normalize != nil:
		return &VNormalize{Pos: p, Arg: c.vexpr(f.Normalize)}
	case f.Item != nil:
		return &VItem{Pos: p, Field: c.name(f.Item.Field), Value: c.literal(f.Item.Value)}
	case f.Other != nil:
		k := c.key(f.Other.Key)
		k.Pos, k.Collection = p, c.name(f.Other.Coll)
		return k
	}
	c.fail(f.Pos, "empty vector expression")
	return nil
}

// Conditions.

func (c *converter) cond(o *orCond) Cond {
	if o == nil {
		return nil
	}
	c.enter(o.Pos)
	defer c.leave()
	out := c.andCond(o.Left)
	for _, r := range o.Right {
		out = &CondBinary{Pos: out.Position(), Op: Or, Left: out, Right: c.andCond(r)}
	}
	return out
}

func (c *converter) andCond(a *andCond) Cond {
	out := c.notCond(a.Left)
	for _, r := range a.Right {
		out = &CondBinary{Pos: out.Position(), Op: And, Left: out, Right: c.notCond(r)}
	}
	return out
}

func (c *converter) notCond(n *notCond) Cond {
	if n.Not != nil {
		c.enter(n.Pos)
		defer c.leave()
		return &CondNot{Pos: pos(n.Pos), X: c.notCond(n.Not)}
	}
	if n.Pred.Sub != nil {
		return c.cond(n.Pred.Sub)
	}
	t := n.Pred.Test
	p, field := pos(t.Pos), c.name(t.Field)
	switch {
	case t.Op != nil:
		return &CondCompare{Pos: p, Field: field, Op: *t.Op, Value: c.literal(t.Value)}
	case t.Is:
		return &CondIsNull{Pos: p, Field: field, Not: t.IsNot}
	case t.In != nil:
		return &CondIn{Pos: p, Field: field, Not: t.Not, Values: c.literals(t.In)}
	case t.Between != nil:
		return &CondBetween{Pos: p, Field: field, Not: t.Not, Low: c.literal(t.Between[0]), High: c.literal(t.Between[1])}
	case t.Like != nil:
		return &CondLike{Pos: p, Field: field, Not: t.Not, Pattern: c.literal(t.Like)}
	}
	c.fail(t.Pos, "incomplete condition")
	return nil
}

// Statements.

var (
	nearestMethods = []string{"COSMUL", "EXACT"}
	projectMethods = []string{"PCA", "TSNE"}
	indexMethods   = []string{"HNSW"}
	trainMethods   = []string{"SKIPGRAM", "CBOW"}
	FileFormats    = []string{"GLOVE", "WORD2VEC", "FASTTEXT", "CSV", "JSONL", "PARQUET"}
	metrics        = []string{"COSINE", "DOT", "L2"}
	FieldTypes     = []string{"TEXT", "INT", "FLOAT", "BOOL"}
)

func (c *converter) statement(s *statement) Statement {
	outer := c.marks
	c.marks = Marks{}
	st := c.statementNode(s)
	if m, ok := st.(marked); ok {
		m.setMarks(c.marks)
	}
	c.marks = outer
	return st
}

func (c *converter) statementNode(s *statement) Statement {
	p := pos(s.Pos)
	switch {
	case s.Explain != nil:
		c.enter(s.Pos)
		defer c.leave()
		return &Explain{Pos: p, Stmt: c.statement(s.Explain)}
	case s.Select != nil:
		return c.selectStmt(s.Select)
	case s.Project != nil:
		return c.project(s.Project)
	case s.Cluster != nil:
		x := s.Cluster
		out := &Cluster{Pos: p, Collection: c.name(x.Coll)}
		out.K, out.KParam = c.countP(x.K, "the number of clusters", 1)
		out.Where, out.With = c.cond(x.Where), c.options(x.With)
		return out
	case s.Rec != nil:
		x := s.Rec
		out := &Recommend{Pos: p, From: c.name(x.From)}
		out.K, out.KParam = c.countP(x.K, "k", 1)
		for _, v := range x.For {
			out.For = append(out.For, c.vexpr(v))
		}
		out.Where, out.With = c.cond(x.Where), c.options(x.With)
		return out
	case s.Create != nil:
		return c.create(s.Create)
	case s.Drop != nil:
		if s.Drop.Index {
			return &DropIndex{Pos: p, On: c.name(s.Drop.Name)}
		}
		return &DropCollection{Pos: p, Name: c.name(s.Drop.Name), IfExists: s.Drop.IfExists}
	case s.Insert != nil:
		return c.insert(s.Insert)
	case s.Update != nil:
		x := s.Update
		set := make([]Assignment, len(x.Set))
		for i, o := range x.Set {
			set[i] = Assignment{Pos: pos(o.Pos), Field: unquoteIdent(o.Name.Name), Value: c.literal(o.Value)}
		}
		return &Update{Pos: p, Collection: c.name(x.Coll), Set: set, Where: c.cond(x.Where)}
	case s.Delete != nil:
		return &Delete{Pos: p, From: c.name(s.Delete.From), Where: c.cond(s.Delete.Where)}
	case s.Import != nil:
		x := s.Import
		if x.Metadata {
			if x.Catalog {
				c.fail(x.Pos, "IMPORT METADATA reads a file, not a CATALOG name")
			}
			format, _ := c.format(x.Format)
			if format != "" && format != "PARQUET" {
				c.fail(x.Format.Pos, "IMPORT METADATA takes FORMAT PARQUET or no FORMAT (tab- or comma-separated text)")
			}
			out := &ImportMetadata{Pos: p, Into: c.name(x.Into), Format: format}
			out.Path, out.PathParam = c.path(x.Path)
			out.With = c.options(x.With)
			return out
		}
		format, binary := c.format(x.Format)
		out := &Import{Pos: p, Into: c.name(x.Into), Catalog: x.Catalog, Format: format, Binary: binary}
		out.Path, out.PathParam = c.path(x.Path)
		out.With = c.options(x.With)
		return out
	case s.Export != nil:
		x := s.Export
		format, binary := c.format(x.Format)
		out := &Export{Pos: p, Collection: c.name(x.Coll), Format: format, Binary: binary}
		out.Path, out.PathParam = c.path(x.Path)
		out.With = c.options(x.With)
		return out
	case s.Train != nil:
		x := s.Train
		out := &Train{Pos: p, Collection: c.name(x.Coll)}
		out.Path, out.PathParam = c.path(x.Path)
		out.Using, out.With = c.optWord(x.Using, "training method", trainMethods...), c.options(x.With)
		return out
	case s.Evaluate != nil:
		x := s.Evaluate
		out := &Evaluate{Pos: p, Kind: strings.ToUpper(x.Kind), Collection: c.name(x.Coll)}
		out.Path, out.PathParam = c.path(x.Path)
		out.With = c.options(x.With)
		return out
	case s.Show != nil:
		switch x := s.Show; {
		case x.Collections:
			return &ShowCollections{Pos: p}
		case x.Settings:
			return &ShowSettings{Pos: p}
		case x.Setting != nil:
			name := strings.ToLower(unquoteIdent(x.Setting.Name))
			c.mark("option "+name, x.Setting.Pos)
			return &ShowSettings{Pos: p, Name: name}
		}
		return &ShowStats{Pos: p, Collection: c.name(s.Show.Stats)}
	case s.Describe != nil:
		return &Describe{Pos: p, Collection: c.name(s.Describe)}
	case s.Check != nil:
		return &Check{Pos: p, Collection: c.name(s.Check)}
	case s.Set != nil:
		c.mark("option "+strings.ToLower(unquoteIdent(s.Set.Name.Name)), s.Set.Name.Pos)
		return &Set{Pos: p, Name: strings.ToLower(unquoteIdent(s.Set.Name.Name)), Value: c.literal(s.Set.Value)}
	}
	// Statements whose grammar struct builds its own node (stmtGrammar):
	// adding one needs no case here.
	v := reflect.ValueOf(s).Elem()
	for i := 0; i < v.NumField(); i++ {
		if f := v.Field(i); f.Kind() == reflect.Pointer && !f.IsNil() {
			if g, ok := f.Interface().(stmtGrammar); ok {
				return g.node(c, p)
			}
		}
	}
	c.fail(s.Pos, "empty statement")
	return nil
}

// stmtGrammar is implemented by the grammar struct of a statement that
// converts itself into its AST node; statement finds it by reflection.
type stmtGrammar interface {
	node(c *converter, p Position) Statement
}

func (c *converter) format(f *formatClause) (string, bool) {
	if f == nil {
		return "", false
	}
	c.mark("format", f.Name.Pos)
	name := c.word(f.Name, "format", FileFormats...)
	if f.Binary && name != "WORD2VEC" && name != "FASTTEXT" {
		c.fail(f.Pos, "BINARY goes only with FORMAT WORD2VEC or FORMAT FASTTEXT")
	}
	return name, f.Binary
}

func (c *converter) selectStmt(s *selectStmt) Statement {
	p := pos(s.Pos)
	switch {
	case s.Nearest != nil:
		x := s.Nearest
		if x.All != nil {
			c.mark("ALL", x.All.Pos)
		}
		out := &SelectNearest{Pos: p, All: x.All != nil}
		if x.All == nil {
			out.K, out.KParam = c.countP(x.K, "k", 1)
		}
		if x.Each != nil {
			out.Each = c.keys(x.Each)
		} else {
			out.Target = c.vexpr(x.Target)
		}
		out.From = c.name(x.From)
		if x.Among != nil {
			out.Among = c.keys(x.Among)
		}
		out.Where = c.cond(x.Where)
		out.WithinTop, out.WithinTopParam = c.countP(x.WithinTop, "WITHIN TOP", 1)
		out.Using, out.With = c.optWord(x.Using, "search method", nearestMethods...), c.options(x.With)
		out.IncludeInputs = x.Include
		out.Offset, out.OffsetParam = c.countP(x.Offset, "OFFSET", 0)
		for _, r := range x.Returning {
			c.mark("returning "+strings.ToLower(unquoteIdent(r.Name)), r.Pos)
			out.Returning = append(out.Returning, c.name(r))
		}
		return out
	case s.Analogy != nil:
		x := s.Analogy
		c.inAnalogy = true
		defer func() { c.inAnalogy = false }()
		out := &Analogy{Pos: p, A: c.key(x.A), B: c.key(x.B), C: c.key(x.C)}
		if x.Unknown.Text != "?" {
			c.fail(x.Unknown.Pos, "the last term of ANALOGY is the unknown, written ?; %s is a parameter", x.Unknown.Text)
		}
		out.From, out.Where = c.name(x.From), c.cond(x.Where)
		out.WithinTop, out.WithinTopParam = c.countP(x.WithinTop, "WITHIN TOP", 1)
		out.Using = c.optWord(x.Using, "analogy method", nearestMethods...)
		out.Limit, out.LimitParam = c.countP(x.Limit, "LIMIT", 1)
		return out
	case s.Sim != nil:
		out := &Similarity{Pos: p, From: c.name(s.Sim.From)}
		for _, f := range s.Sim.Funcs {
			a, aset := c.simArg(f.A)
			b, bset := c.simArg(f.B)
			out.Funcs = append(out.Funcs, SimFunc{Pos: pos(f.Pos), Name: strings.ToUpper(f.Name), A: a, B: b, ASet: aset, BSet: bset})
		}
		return out
	case s.Odd != nil:
		return &OddOneOut{Pos: p, Keys: c.keys(s.Odd.Keys), From: c.name(s.Odd.From)}
	case s.Proj != nil:
		return &ProjectionQuery{Pos: p, Key: c.key(s.Proj.Key), Onto: c.vexpr(s.Proj.Onto), From: c.name(s.Proj.From)}
	}
	x := s.Rows
	out := &SelectRows{Pos: p}
	for _, col := range x.Columns {
		oc := Column{Pos: pos(col.Pos), Star: col.Star, Name: c.name(col.Name), Alias: c.name(col.Alias)}
		if col.Proj != nil {
			oc.Projection = &ColumnProjection{Of: c.name(col.Proj.Of), Onto: c.vexpr(col.Proj.Onto)}
		}
		out.Columns = append(out.Columns, oc)
	}
	out.From, out.Where, out.OrderBy = c.name(x.From), c.cond(x.Where), c.name(x.OrderBy)
	out.Desc, out.Limit = strings.EqualFold(x.Dir, "DESC"), -1
	if x.Limit != nil {
		out.Limit, out.LimitParam = c.countP(x.Limit, "LIMIT", 0)
	}
	out.Offset, out.OffsetParam = c.countP(x.Offset, "OFFSET", 0)
	return out
}

func (c *converter) simArg(a *simArg) ([]*VKey, bool) {
	if a.Key != nil {
		return []*VKey{c.key(a.Key)}, false
	}
	return c.keys(a.Set), true
}

func (c *converter) project(x *projectStmt) Statement {
	out := &Project{Pos: pos(x.Pos), From: c.name(x.From), Using: c.optWord(x.Using, "projection method", projectMethods...),
		ColorBy: c.name(x.ColorBy)}
	if x.Query != nil {
		c.enter(x.Pos)
		outer := c.marks
		c.marks = Marks{}
		out.Query = c.selectStmt(x.Query)
		if m, ok := out.Query.(marked); ok {
			m.setMarks(c.marks)
		}
		c.marks = outer
		c.leave()
		if x.From != nil {
			c.fail(x.From.Pos, "PROJECT (SELECT ...) takes its collection from the query; remove FROM")
		}
	} else {
		out.Keys = c.keys(x.Keys)
		if x.From == nil {
			c.fail(x.Pos, "PROJECT of keys needs FROM collection")
		}
	}
	if x.Onto != nil {
		out.Onto = c.vexpr(x.Onto)
	}
	out.With = c.options(x.With)
	if x.To != nil {
		out.To, out.ToParam = c.path(x.To)
	}
	return out
}

func (c *converter) create(x *createStmt) Statement {
	p := pos(x.Pos)
	switch {
	case x.Index != nil:
		return &CreateIndex{Pos: p, On: c.name(x.Index.On), Using: c.optWord(x.Index.Using, "index method", indexMethods...),
			With: c.options(x.Index.With)}
	case x.Users != nil:
		u := x.Users
		out := &CreateUsers{Pos: p, Name: c.name(u.Name), Items: c.name(u.Items)}
		out.Path, out.PathParam = c.path(u.Path)
		out.With = c.options(u.With)
		return out
	}
	cc := x.Coll
	out := &CreateCollection{Pos: p, Name: c.name(cc.Name), IfNotExists: cc.IfNotExists}
	seen := map[string]bool{}
	for _, d := range cc.Defs {
		switch {
		case d.Dim != nil:
			if out.Dim != 0 {
				c.fail(d.Pos, "DIM is given twice")
			}
			out.Dim = c.count(d.Dim, "DIM", 1)
		case d.Metric != nil:
			if out.Metric != "" {
				c.fail(d.Pos, "METRIC is given twice")
			}
			out.Metric = c.word(d.Metric, "metric", metrics...)
		default:
			name := c.name(d.Field)
			if seen[strings.ToLower(name)] {
				c.fail(d.Pos, "field %s is declared twice", name)
			}
			seen[strings.ToLower(name)] = true
			out.Fields = append(out.Fields, FieldDef{Pos: pos(d.Pos), Name: name, Type: c.word(d.Type, "field type", FieldTypes...)})
		}
	}
	if out.Dim == 0 {
		c.fail(cc.Pos, "CREATE COLLECTION %s needs DIM n", QuoteIdent(out.Name))
	}
	return out
}

func (c *converter) insert(x *insertStmt) Statement {
	out := &Insert{Pos: pos(x.Pos), Upsert: x.Upsert, Replace: x.Replace, Into: c.name(x.Into)}
	if len(x.Columns) > 0 {
		c.mark("columns", x.Columns[0].Pos)
	}
	for _, col := range x.Columns {
		out.Columns = append(out.Columns, c.name(col))
	}
	for i, r := range x.Rows {
		if len(r.Values) != len(out.Columns) {
			c.fail(r.Pos, "row %d has %d values for %d columns", i+1, len(r.Values), len(out.Columns))
		}
		out.Rows = append(out.Rows, c.literals(r.Values))
	}
	return out
}
