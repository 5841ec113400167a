package query

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Position is a place in the source text of a statement. Line and Column
// start at 1; Column counts characters (runes); Offset is in bytes from the
// start of the source.
type Position struct {
	Line   int
	Column int
	Offset int
}

// String returns "line:column".
func (p Position) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Column) }

// IsValid reports whether the position has been set.
func (p Position) IsValid() bool { return p.Line > 0 }

// Node is any node of the syntax tree. Position returns the position of the
// node's first token; String prints the node in canonical syntax.
type Node interface {
	Position() Position
	String() string
}

// Statement is one parsed statement. Its String method prints canonical
// syntax that parses back to an equal statement.
type Statement interface {
	Node
	stmt()
}

// -----------------------------------------------------------------------------
// Literals

// LiteralKind tells which field of a Literal holds its value.
type LiteralKind int

// The kinds of Literal.
const (
	LitNull   LiteralKind = iota // NULL
	LitNumber                    // Num
	LitString                    // Str
	LitBool                      // Bool
	LitIdent                     // Str: a bare word such as COSINE in WITH (metric = cosine)
	LitVector                    // Vec: [0.1, -0.2]
	LitParam                     // Param: a placeholder, bound before the statement is planned
)

var litKindNames = [...]string{"NULL", "number", "string", "boolean", "identifier", "vector", "parameter"}

func (k LiteralKind) String() string {
	if int(k) < len(litKindNames) {
		return litKindNames[k]
	}
	return fmt.Sprintf("LiteralKind(%d)", int(k))
}

// Literal is a constant value: an option value, a comparison operand or an
// INSERT value.
type Literal struct {
	Pos  Position
	Kind LiteralKind
	Num  float64
	Str  string
	Bool bool
	Vec  []float64
	// Param is the placeholder of a LitParam literal.
	Param *Param
}

// Position returns the literal's position.
func (l Literal) Position() Position { return l.Pos }

// Int returns the literal as an int when it is a number with no fractional
// part that fits in an int.
func (l Literal) Int() (int, bool) {
	if l.Kind != LitNumber || l.Num != float64(int(l.Num)) {
		return 0, false
	}
	return int(l.Num), true
}

// String prints the literal in canonical syntax.
func (l Literal) String() string {
	switch l.Kind {
	case LitNumber:
		return FormatNum(l.Num)
	case LitString:
		return QuoteString(l.Str)
	case LitBool:
		if l.Bool {
			return "TRUE"
		}
		return "FALSE"
	case LitIdent:
		return QuoteIdent(l.Str)
	case LitVector:
		return formatVec(l.Vec)
	case LitParam:
		return l.Param.String()
	}
	return "NULL"
}

// Options are the name = value pairs of a WITH (...) clause. Names are lower
// case; the planner checks them against what each statement accepts.
type Options map[string]Literal

// String prints " WITH (a = 1, b = 'x')" with names sorted, or "" when empty.
func (o Options) String() string {
	if len(o) == 0 {
		return ""
	}
	names := make([]string, 0, len(o))
	for n := range o {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(" WITH (")
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteOptName(n))
		b.WriteString(" = ")
		b.WriteString(o[n].String())
	}
	b.WriteString(")")
	return b.String()
}

// -----------------------------------------------------------------------------
// Vector expressions

// VExpr is a vector expression (SPEC §3): *VSum, *VKey, *VLiteral,
// *VCentroid, *VNormalize or *VItem.
type VExpr interface {
	Node
	vexpr()
}

// VSum is a weighted sum of terms: 'king' - 'man' + 0.5 * 'woman'. A single
// term with sign +1 and weight 1 is never wrapped in a VSum.
type VSum struct {
	Pos   Position
	Terms []VTerm
}

// VTerm is Sign * Weight * Factor. Sign is +1 or -1 and folds the operator
// before the term with any unary minus; Weight is 1 when none was written.
type VTerm struct {
	Pos    Position
	Sign   float64
	Weight float64
	// WeightParam is the placeholder of a weight (? * 'king'); Bind sets
	// Weight from it.
	WeightParam *Param `vq:"the weight"`
	Factor      VExpr
}

// VKey is the vector of a key: 'king', or other.'u42' to take it from
// another collection (Collection is empty for the queried one). When Param
// is set the key is a placeholder (Key is empty until Bind): where a vector
// expression may stand, it takes a key or a vector.
type VKey struct {
	Pos        Position
	Key        string
	Collection string
	Param      *Param
}

// VLiteral is a vector written out: [0.1, -0.2, 0.3].
type VLiteral struct {
	Pos    Position
	Values []float64
}

// VCentroid is the mean of its arguments: CENTROID('a', 'b').
type VCentroid struct {
	Pos  Position
	Args []VExpr
}

// VNormalize scales its argument to unit length: NORMALIZE('a' + 'b').
type VNormalize struct {
	Pos Position
	Arg VExpr
}

// VItem names the single row whose metadata Field equals Value:
// ITEM(title = 'Bohemian Rhapsody').
type VItem struct {
	Pos   Position
	Field string
	Value Literal
}

func (*VSum) vexpr()       {}
func (*VKey) vexpr()       {}
func (*VLiteral) vexpr()   {}
func (*VCentroid) vexpr()  {}
func (*VNormalize) vexpr() {}
func (*VItem) vexpr()      {}

// Position returns the position of the node's first token.
func (v *VSum) Position() Position { return v.Pos }

// Position returns the position of the node's first token.
func (v *VKey) Position() Position { return v.Pos }

// Position returns the position of the node's first token.
func (v *VLiteral) Position() Position { return v.Pos }

// Position returns the position of the node's first token.
func (v *VCentroid) Position() Position { return v.Pos }

// Position returns the position of the node's first token.
func (v *VNormalize) Position() Position { return v.Pos }

// Position returns the position of the node's first token.
func (v *VItem) Position() Position { return v.Pos }

func (v *VSum) String() string {
	var b strings.Builder
	for i, t := range v.Terms {
		switch {
		case i == 0 && t.Sign < 0:
			b.WriteString("-")
		case i > 0 && t.Sign < 0:
			b.WriteString(" - ")
		case i > 0:
			b.WriteString(" + ")
		}
		switch {
		case t.WeightParam != nil:
			b.WriteString(t.WeightParam.String() + " * ")
		case t.Weight != 1:
			b.WriteString(FormatNum(t.Weight))
			b.WriteString(" * ")
		}
		if _, ok := t.Factor.(*VSum); ok {
			b.WriteString("(" + t.Factor.String() + ")")
		} else {
			b.WriteString(t.Factor.String())
		}
	}
	return b.String()
}

func (v *VKey) String() string {
	key := QuoteString(v.Key)
	if v.Param != nil {
		key = v.Param.String()
	}
	if v.Collection != "" {
		return QuoteIdent(v.Collection) + "." + key
	}
	return key
}

func (v *VLiteral) String() string { return formatVec(v.Values) }

func (v *VCentroid) String() string { return "CENTROID(" + joinVExprs(v.Args) + ")" }

func (v *VNormalize) String() string { return "NORMALIZE(" + v.Arg.String() + ")" }

func (v *VItem) String() string {
	return "ITEM(" + QuoteIdent(v.Field) + " = " + v.Value.String() + ")"
}

func joinVExprs(vs []VExpr) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = v.String()
	}
	return strings.Join(s, ", ")
}

func joinKeys(ks []*VKey) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = k.String()
	}
	return strings.Join(s, ", ")
}

// -----------------------------------------------------------------------------
// Conditions

// Cond is a WHERE condition: *CondBinary, *CondNot, *CondCompare, *CondIn,
// *CondBetween, *CondLike or *CondIsNull.
type Cond interface {
	Node
	cond()
}

// LogicOp is AND or OR.
type LogicOp int

// The logical operators.
const (
	And LogicOp = iota
	Or
)

func (o LogicOp) String() string {
	if o == Or {
		return "OR"
	}
	return "AND"
}

// CompareOp is a comparison operator. It implements participle's Capture so
// the grammar can read it directly.
type CompareOp int

// The comparison operators. "<>" is read as Ne.
const (
	Eq CompareOp = iota // =
	Ne                  // != or <>
	Lt                  // <
	Le                  // <=
	Gt                  // >
	Ge                  // >=
)

var compareOpNames = [...]string{"=", "!=", "<", "<=", ">", ">="}

func (o CompareOp) String() string {
	if int(o) < len(compareOpNames) {
		return compareOpNames[o]
	}
	return fmt.Sprintf("CompareOp(%d)", int(o))
}

// Capture implements participle.Capture.
func (o *CompareOp) Capture(values []string) error {
	if values[0] == "<>" {
		*o = Ne
		return nil
	}
	for i, n := range compareOpNames {
		if n == values[0] {
			*o = CompareOp(i)
			return nil
		}
	}
	return fmt.Errorf("unknown comparison operator %q", values[0])
}

// CondBinary is Left AND Right or Left OR Right. Chains are left-associative.
type CondBinary struct {
	Pos         Position
	Op          LogicOp
	Left, Right Cond
}

// CondNot is NOT X.
type CondNot struct {
	Pos Position
	X   Cond
}

// CondCompare is Field Op Value. Field may be a metadata field, key, count,
// or the pseudo-columns similarity and distance of NEAREST.
type CondCompare struct {
	Pos   Position
	Field string
	Op    CompareOp
	Value Literal
}

// CondIn is Field [NOT] IN (Values...).
type CondIn struct {
	Pos    Position
	Field  string
	Not    bool
	Values []Literal
}

// CondBetween is Field [NOT] BETWEEN Low AND High (inclusive).
type CondBetween struct {
	Pos       Position
	Field     string
	Not       bool
	Low, High Literal
}

// CondLike is Field [NOT] LIKE Pattern, with SQL's % and _ wildcards.
type CondLike struct {
	Pos     Position
	Field   string
	Not     bool
	Pattern Literal
}

// CondIsNull is Field IS [NOT] NULL.
type CondIsNull struct {
	Pos   Position
	Field string
	Not   bool
}

func (*CondBinary) cond()  {}
func (*CondNot) cond()     {}
func (*CondCompare) cond() {}
func (*CondIn) cond()      {}
func (*CondBetween) cond() {}
func (*CondLike) cond()    {}
func (*CondIsNull) cond()  {}

// Position returns the position of the node's first token.
func (c *CondBinary) Position() Position { return c.Pos }

// Position returns the position of the node's first token.
func (c *CondNot) Position() Position { return c.Pos }

// Position returns the position of the node's first token.
func (c *CondCompare) Position() Position { return c.Pos }

// Position returns the position of the node's first token.
func (c *CondIn) Position() Position { return c.Pos }

// Position returns the position of the node's first token.
func (c *CondBetween) Position() Position { return c.Pos }

// Position returns the position of the node's first token.
func (c *CondLike) Position() Position { return c.Pos }

// Position returns the position of the node's first token.
func (c *CondIsNull) Position() Position { return c.Pos }

// condPrec is the binding strength of a condition node: OR < AND < NOT < test.
func condPrec(c Cond) int {
	switch c := c.(type) {
	case *CondBinary:
		if c.Op == Or {
			return 1
		}
		return 2
	case *CondNot:
		return 3
	}
	return 4
}

func condString(c Cond, min int) string {
	if condPrec(c) < min {
		return "(" + c.String() + ")"
	}
	return c.String()
}

func (c *CondBinary) String() string {
	p := condPrec(c)
	return condString(c.Left, p) + " " + c.Op.String() + " " + condString(c.Right, p+1)
}

func (c *CondNot) String() string { return "NOT " + condString(c.X, 3) }

func (c *CondCompare) String() string {
	return QuoteIdent(c.Field) + " " + c.Op.String() + " " + c.Value.String()
}

func notWord(not bool) string {
	if not {
		return " NOT"
	}
	return ""
}

func (c *CondIn) String() string {
	s := make([]string, len(c.Values))
	for i, v := range c.Values {
		s[i] = v.String()
	}
	return QuoteIdent(c.Field) + notWord(c.Not) + " IN (" + strings.Join(s, ", ") + ")"
}

func (c *CondBetween) String() string {
	return QuoteIdent(c.Field) + notWord(c.Not) + " BETWEEN " + c.Low.String() + " AND " + c.High.String()
}

func (c *CondLike) String() string {
	return QuoteIdent(c.Field) + notWord(c.Not) + " LIKE " + c.Pattern.String()
}

func (c *CondIsNull) String() string { return QuoteIdent(c.Field) + " IS" + notWord(c.Not) + " NULL" }

func whereString(c Cond) string {
	if c == nil {
		return ""
	}
	return " WHERE " + c.String()
}

// -----------------------------------------------------------------------------
// Formatting helpers

var plainIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// quoteIdent prints a name bare when it reads back as the same name, and
// double-quoted otherwise.
func QuoteIdent(name string) string {
	if plainIdent.MatchString(name) && !isReserved(name) {
		return name
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// quoteOptName prints an option name; reserved words are fine there.
func quoteOptName(name string) string {
	if plainIdent.MatchString(name) {
		return name
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// quoteString prints s as a single-quoted string.
func QuoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func FormatNum(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func formatVec(v []float64) string {
	s := make([]string, len(v))
	for i, f := range v {
		s[i] = FormatNum(f)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

func joinIdents(names []string) string {
	s := make([]string, len(names))
	for i, n := range names {
		s[i] = QuoteIdent(n)
	}
	return strings.Join(s, ", ")
}

// Marks records where the names and values of a statement begin, so that
// later errors point at them without lexing the text again. The converter
// fills it as it reads the statement: "name x" is the first name spelt x
// (case-insensitively; a collection, a field, a column), "dup x" its
// second, "num k" the number read as k (also "DIM", "OFFSET", "WITHIN
// TOP", "LIMIT", "the number of clusters"), "word w" a word such as the
// search method, "path" the file path, "format" the FORMAT name and
// "option o" the name of the WITH option o.
type Marks map[string]Position

// Marked is embedded in every statement: its Marks and the accessors.
type Marked struct {
	Marks Marks
}

// At returns the position marked for key, or def when none is.
func (m *Marked) At(key string, def Position) Position {
	if p, ok := m.Marks[key]; ok {
		return p
	}
	return def
}

// NameAt returns the position of the first name spelt name, or def.
func (m *Marked) NameAt(name string, def Position) Position {
	return m.At("name "+strings.ToLower(name), def)
}

func (m *Marked) setMarks(x Marks) { m.Marks = x }

// marked is implemented by every statement (through Marked).
type marked interface{ setMarks(Marks) }
