package db

import (
	"regexp"
	"strings"

	"github.com/vecdb/vecdb/internal/errdefs"
	"github.com/vecdb/vecdb/query"
)

// row is what a WHERE condition looks at: a position of a View and, for
// NEAREST, the hit's similarity and distance.
type row struct {
	src  *View
	pos  int
	sim  float64
	dist float64
}

type pred func(r *row) bool

// colType is the type of a column a condition can test.
type colType int

const (
	typeText colType = iota
	typeInt
	typeFloat
	typeBool
)

var colTypeNames = [...]string{"TEXT", "INT", "FLOAT", "BOOL"}

func fieldType(t FieldType) colType {
	switch t {
	case Int:
		return typeInt
	case Float:
		return typeFloat
	case Bool:
		return typeBool
	}
	return typeText
}

// colRef is a readable column of a row.
type colRef struct {
	name string
	typ  colType
	sim  bool // similarity or distance: known only after scoring
	get  func(r *row) any
}

// lookupColumn resolves a column name of src: key, count, a metadata field
// and, with nearest, similarity and distance.
func lookupColumn(src *View, name string, nearest bool) (*colRef, bool) {
	switch strings.ToLower(name) {
	case "key":
		return &colRef{name: "key", typ: typeText, get: func(r *row) any { return r.src.Key(r.pos) }}, true
	case "count":
		return &colRef{name: "count", typ: typeInt, get: func(r *row) any { return r.src.Count(r.pos) }}, true
	}
	if fi := src.FieldIndex(name); fi >= 0 {
		f := src.Info().Fields[fi]
		return &colRef{name: f.Name, typ: fieldType(f.Type), get: func(r *row) any {
			m, err := r.src.Meta(r.pos)
			if err != nil || fi >= len(m) {
				return nil
			}
			return m[fi]
		}}, true
	}
	if nearest {
		switch strings.ToLower(name) {
		case "similarity":
			return &colRef{name: "similarity", typ: typeFloat, sim: true, get: func(r *row) any { return r.sim }}, true
		case "distance":
			return &colRef{name: "distance", typ: typeFloat, sim: true, get: func(r *row) any { return r.dist }}, true
		}
	}
	return nil, false
}

func columnNames(src *View, nearest bool) []string {
	out := []string{"key", "count"}
	out = append(out, fieldNames(src)...)
	if nearest {
		out = append(out, "similarity", "distance")
	}
	return out
}

// compiledCond is a WHERE condition ready to evaluate.
type compiledCond struct {
	fn   pred
	sim  bool // depends on similarity or distance
	text string
}

func (c *compiler) column(src *View, name string, p query.Position, nearest bool) (*colRef, error) {
	col, ok := lookupColumn(src, name, nearest)
	if !ok {
		if !nearest && (strings.EqualFold(name, "similarity") || strings.EqualFold(name, "distance")) {
			return nil, errorAt(p, "%s is only known in SELECT NEAREST", strings.ToLower(name))
		}
		return nil, errorIs(errdefs.ErrFieldNotFound, p, "%s has no column %s%s", query.QuoteIdent(src.Info().Name), query.QuoteIdent(name), didYouMean(name, columnNames(src, nearest), query.QuoteIdent))
	}
	if col.typ != typeText || col.name != "key" {
		// Load metadata now so that a storage error surfaces here.
		if src.Len() > 0 && src.FieldIndex(name) >= 0 {
			if _, err := src.Meta(0); err != nil {
				return nil, wrapAt(p, err)
			}
		}
	}
	return col, nil
}

// where compiles a condition against src.
func (c *compiler) where(src *View, cd query.Cond, nearest bool) (*compiledCond, error) {
	if cd == nil {
		return nil, nil
	}
	fn, sim, err := c.cond(src, cd, nearest)
	if err != nil {
		return nil, err
	}
	return &compiledCond{fn: fn, sim: sim, text: cd.String()}, nil
}

// cond compiles a WHERE condition into a predicate on rows; the bool reports
// whether it depends on the similarity or distance of a NEAREST.
func (c *compiler) cond(src *View, cd query.Cond, nearest bool) (pred, bool, error) {
	switch cd := cd.(type) {
	case *query.CondBinary:
		return c.condBinary(src, cd, nearest)
	case *query.CondNot:
		f, s, err := c.cond(src, cd.X, nearest)
		if err != nil {
			return nil, false, err
		}
		return func(x *row) bool { return !f(x) }, s, nil
	case *query.CondCompare:
		return c.condCompare(src, cd, nearest)
	case *query.CondIn:
		return c.condIn(src, cd, nearest)
	case *query.CondBetween:
		return c.condBetween(src, cd, nearest)
	case *query.CondLike:
		return c.condLike(src, cd, nearest)
	case *query.CondIsNull:
		col, err := c.column(src, cd.Field, cd.Pos, nearest)
		if err != nil {
			return nil, false, err
		}
		get, not := col.get, cd.Not
		return func(x *row) bool { return (get(x) == nil) != not }, col.sim, nil
	}
	return nil, false, errorAt(cd.Position(), "unsupported condition")
}

// condBinary compiles AND and OR, the left side first.
func (c *compiler) condBinary(src *View, cd *query.CondBinary, nearest bool) (pred, bool, error) {
	l, ls, err := c.cond(src, cd.Left, nearest)
	if err != nil {
		return nil, false, err
	}
	r, rs, err := c.cond(src, cd.Right, nearest)
	if err != nil {
		return nil, false, err
	}
	if cd.Op == query.Or {
		return func(x *row) bool { return l(x) || r(x) }, ls || rs, nil
	}
	return func(x *row) bool { return l(x) && r(x) }, ls || rs, nil
}

// condCompare compiles field = < <= > >= != literal; NULL never compares.
func (c *compiler) condCompare(src *View, cd *query.CondCompare, nearest bool) (pred, bool, error) {
	col, err := c.column(src, cd.Field, cd.Pos, nearest)
	if err != nil {
		return nil, false, err
	}
	want, err := checkLiteral(col, cd.Value)
	if err != nil {
		return nil, false, err
	}
	if col.typ == typeBool && cd.Op != query.Eq && cd.Op != query.Ne {
		return nil, false, errorAt(cd.Pos, "BOOL field %s can only be tested with = or !=", col.name)
	}
	op := cd.Op
	get := col.get
	return func(x *row) bool {
		cmp, ok := compareValues(get(x), want)
		if !ok {
			return false
		}
		switch op {
		case query.Eq:
			return cmp == 0
		case query.Ne:
			return cmp != 0
		case query.Lt:
			return cmp < 0
		case query.Le:
			return cmp <= 0
		case query.Gt:
			return cmp > 0
		}
		return cmp >= 0
	}, col.sim, nil
}

// condIn compiles field [NOT] IN (literals), with a set for TEXT columns.
func (c *compiler) condIn(src *View, cd *query.CondIn, nearest bool) (pred, bool, error) {
	col, err := c.column(src, cd.Field, cd.Pos, nearest)
	if err != nil {
		return nil, false, err
	}
	wants := make([]any, len(cd.Values))
	for i, v := range cd.Values {
		if wants[i], err = checkLiteral(col, v); err != nil {
			return nil, false, err
		}
	}
	get, not := col.get, cd.Not
	var set map[any]bool
	if col.typ == typeText {
		set = make(map[any]bool, len(wants))
		for _, w := range wants {
			set[w] = true
		}
	}
	return func(x *row) bool {
		v := get(x)
		if v == nil {
			return false
		}
		if set != nil {
			return set[v] != not
		}
		for _, w := range wants {
			if cmp, ok := compareValues(v, w); ok && cmp == 0 {
				return !not
			}
		}
		return not
	}, col.sim, nil
}

// condBetween compiles field [NOT] BETWEEN low AND high, both ends included.
func (c *compiler) condBetween(src *View, cd *query.CondBetween, nearest bool) (pred, bool, error) {
	col, err := c.column(src, cd.Field, cd.Pos, nearest)
	if err != nil {
		return nil, false, err
	}
	if col.typ == typeBool {
		return nil, false, errorAt(cd.Pos, "BETWEEN cannot test BOOL field %s", col.name)
	}
	lo, err := checkLiteral(col, cd.Low)
	if err != nil {
		return nil, false, err
	}
	hi, err := checkLiteral(col, cd.High)
	if err != nil {
		return nil, false, err
	}
	get, not := col.get, cd.Not
	return func(x *row) bool {
		v := get(x)
		a, ok1 := compareValues(v, lo)
		b, ok2 := compareValues(v, hi)
		if !ok1 || !ok2 {
			return false
		}
		return (a >= 0 && b <= 0) != not
	}, col.sim, nil
}

// condLike compiles field [NOT] LIKE 'pattern' on a TEXT column.
func (c *compiler) condLike(src *View, cd *query.CondLike, nearest bool) (pred, bool, error) {
	col, err := c.column(src, cd.Field, cd.Pos, nearest)
	if err != nil {
		return nil, false, err
	}
	if col.typ != typeText {
		return nil, false, errorAt(cd.Pos, "LIKE needs a TEXT column, %s is %s", col.name, colTypeNames[col.typ])
	}
	if cd.Pattern.Kind != query.LitString {
		return nil, false, errorAt(cd.Pattern.Pos, "LIKE needs a string pattern, got %s", cd.Pattern.String())
	}
	re := likeRegexp(cd.Pattern.Str)
	get, not := col.get, cd.Not
	return func(x *row) bool {
		s, ok := get(x).(string)
		if !ok {
			return false
		}
		return re.MatchString(s) != not
	}, col.sim, nil
}

// checkLiteral checks that lit can be compared with col and returns its
// value in the column's representation.
func checkLiteral(col *colRef, lit query.Literal) (any, error) {
	if lit.Kind == query.LitNull {
		return nil, errorAt(lit.Pos, "comparing with NULL is never true; use %s IS NULL", col.name)
	}
	mismatch := func() error {
		return errorAt(lit.Pos, "cannot compare %s column %s with %s %s", colTypeNames[col.typ], col.name, lit.Kind, lit.String())
	}
	switch col.typ {
	case typeText:
		if lit.Kind != query.LitString {
			return nil, mismatch()
		}
		return lit.Str, nil
	case typeInt, typeFloat:
		if lit.Kind != query.LitNumber {
			return nil, mismatch()
		}
		return lit.Num, nil
	case typeBool:
		if lit.Kind != query.LitBool {
			return nil, mismatch()
		}
		return lit.Bool, nil
	}
	return nil, mismatch()
}

// compareValues compares a stored value with a literal value: numbers as
// float64, strings bytewise, bools for equality. ok is false for NULL or
// when the kinds differ.
func compareValues(a, b any) (int, bool) {
	switch x := a.(type) {
	case nil:
		return 0, false
	case string:
		y, ok := b.(string)
		if !ok {
			return 0, false
		}
		return strings.Compare(x, y), true
	case bool:
		y, ok := b.(bool)
		if !ok {
			return 0, false
		}
		if x == y {
			return 0, true
		}
		return 1, true
	}
	fa, ok1 := toFloat(a)
	fb, ok2 := toFloat(b)
	if !ok1 || !ok2 {
		return 0, false
	}
	switch {
	case fa < fb:
		return -1, true
	case fa > fb:
		return 1, true
	}
	return 0, true
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case float64:
		return x, true
	case float32:
		return float64(x), true
	}
	return 0, false
}

func equalValues(a, b any) bool {
	c, ok := compareValues(a, b)
	return ok && c == 0
}

// literalValue returns a literal as a comparable Go value.
func literalValue(l query.Literal) any {
	switch l.Kind {
	case query.LitNumber:
		return l.Num
	case query.LitString, query.LitIdent:
		return l.Str
	case query.LitBool:
		return l.Bool
	}
	return nil
}

// likeRegexp translates a SQL LIKE pattern (% and _) into an anchored
// regular expression.
func likeRegexp(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	for _, r := range p {
		switch r {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// splitAnd flattens top-level ANDs.
func splitAnd(cd query.Cond, out []query.Cond) []query.Cond {
	if b, ok := cd.(*query.CondBinary); ok && b.Op == query.And {
		return splitAnd(b.Right, splitAnd(b.Left, out))
	}
	return append(out, cd)
}
