package db

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/vecdb/vecdb/query"
)

// Parameters.
//
// A statement may hold placeholders where a literal may stand (a key, a
// string, a number, a vector, a weight, k, LIMIT, OFFSET, a WITH option
// value, a file path): ?
// (positional, numbered in order), ?NNN or $NNN (numbered from 1) and :name
// (named; @name and $name too); see query.Param. Run, Exec, Query, Prepare and QueryRows take
// their values as trailing arguments. Values are bound to the parsed
// statement, never pasted into its text, so a value cannot change what the
// statement does: a key "x'; DROP COLLECTION c; --" is only a key that is
// not there.
//
// Positional arguments bind ? and ?NNN/$NNN by number; NamedArg values
// (Named) bind :name. A Go value binds as:
//
//	string                      a string, or a key where a key stands
//	int..., uint..., float...   a number (integers up to 2^53)
//	bool                        TRUE or FALSE
//	nil                         NULL
//	[]float32, []float64, Vector a vector
//	driver.Valuer               what its Value returns (sql.NullString...)
//	query.Literal               itself
//
// Named types whose kind is one of those bind the same way. A placeholder
// without a value, an argument no placeholder uses and a value of the wrong
// type are errors at the placeholder's position that match ErrInvalid.

// NamedArg is the value of a :name placeholder. Name is written without
// the colon (a leading ':' is ignored).
type NamedArg struct {
	Name  string
	Value any
}

// Named returns the value of the placeholder :name, as sql.Named does.
func Named(name string, value any) NamedArg { return NamedArg{Name: name, Value: value} }

// Bindings is a set of named values of which each statement uses those it
// names, as the shell's .parameter table: unlike positional and NamedArg
// arguments, a value no placeholder uses is not an error, and Bindings may
// go with a script of several statements. Keys are names (":k" or "k") or
// numbers ("1", "?1", "$1").
type Bindings map[string]any

// QuoteString returns s as a string literal of the language ('don”t'),
// for programs that must build statement text; prefer parameters.
func QuoteString(s string) string { return query.QuoteString(s) }

// QuoteIdent returns name as an identifier of the language: bare when it
// reads back as itself, double-quoted otherwise ("my coll", "from").
func QuoteIdent(name string) string { return query.QuoteIdent(name) }

// args are the arguments of one call, sorted out.
type args struct {
	pos     []any
	named   map[string]any
	lenient Bindings // from Bindings values: no error when unused
	usedPos []bool
	usedNam map[string]bool
}

func newArgs(list []any) (*args, error) {
	a := &args{named: map[string]any{}, usedNam: map[string]bool{}}
	for _, v := range list {
		switch v := v.(type) {
		case NamedArg:
			name := strings.TrimPrefix(v.Name, ":")
			if name == "" {
				return nil, invalidf("a named argument needs a name")
			}
			if _, dup := a.named[name]; dup {
				return nil, invalidf("argument :%s is given twice", name)
			}
			a.named[name] = v.Value
		case Bindings:
			if a.lenient == nil {
				a.lenient = Bindings{}
			}
			for k, x := range v {
				a.lenient[bindingKey(k)] = x
			}
		default:
			a.pos = append(a.pos, v)
		}
	}
	a.usedPos = make([]bool, len(a.pos))
	return a, nil
}

// bindingKey is the key of a Bindings entry: a name without its colon, or
// a number without its ? or $.
func bindingKey(k string) string {
	if strings.HasPrefix(k, ":") {
		return k[1:]
	}
	if strings.HasPrefix(k, "?") || strings.HasPrefix(k, "$") {
		return "?" + k[1:]
	}
	if _, err := strconv.Atoi(k); err == nil {
		return "?" + k
	}
	return k
}

// strict reports whether there are arguments that must all be used (and
// so go with a single statement).
func (a *args) strict() bool { return len(a.pos) > 0 || len(a.named) > 0 }

func (a *args) lookup(p *query.Param) (any, bool) {
	if p.Name != "" {
		if v, ok := a.named[p.Name]; ok {
			a.usedNam[p.Name] = true
			return v, true
		}
		v, ok := a.lenient[p.Name]
		return v, ok
	}
	if p.Index <= len(a.pos) {
		a.usedPos[p.Index-1] = true
		return a.pos[p.Index-1], true
	}
	v, ok := a.lenient["?"+strconv.Itoa(p.Index)]
	return v, ok
}

// bind binds the placeholders params of st (query.Params(st)).
func (a *args) bind(st query.Statement, params []*query.Param) (query.Statement, error) {
	if len(params) == 0 {
		return st, a.unused(st)
	}
	out, err := query.Bind(st, func(p *query.Param) (query.Literal, error) {
		v, ok := a.lookup(p)
		if !ok {
			given := fmt.Sprintf("%d positional argument", len(a.pos))
			if len(a.pos) != 1 {
				given += "s"
			}
			if p.Name != "" {
				given = "no value named " + p.Name
			}
			return query.Literal{}, &query.Error{Pos: p.Pos, Msg: fmt.Sprintf("parameter %s has no value (%s)", p.Text, given), Err: ErrInvalid}
		}
		lit, err := toLiteral(v)
		if err != nil {
			return lit, &query.Error{Pos: p.Pos, Msg: fmt.Sprintf("parameter %s: %v", p.Text, err), Err: ErrInvalid}
		}
		return lit, nil
	})
	if err != nil {
		var qe *query.Error
		if errors.As(err, &qe) && qe.Err == nil {
			qe.Err = ErrInvalid
		}
		return nil, err
	}
	return out, a.unused(st)
}

// unused refuses arguments that no placeholder of st used.
func (a *args) unused(st query.Statement) error {
	for i, used := range a.usedPos {
		if !used {
			return &query.Error{Pos: st.Position(), Msg: fmt.Sprintf("argument %d is not used: the statement has no parameter ?%d", i+1, i+1), Err: ErrInvalid}
		}
	}
	for name := range a.named {
		if !a.usedNam[name] {
			return &query.Error{Pos: st.Position(), Msg: fmt.Sprintf("argument :%s is not used: the statement has no parameter :%s", name, name), Err: ErrInvalid}
		}
	}
	return nil
}

// bindAll binds the arguments list to stmts, whose placeholders are params.
func bindAll(stmts []query.Statement, params [][]*query.Param, list []any) ([]query.Statement, error) {
	if len(list) == 0 {
		for _, ps := range params {
			if len(ps) > 0 {
				p := ps[0]
				return nil, &query.Error{Pos: p.Pos, Msg: fmt.Sprintf("parameter %s has no value (no arguments given)", p.Text), Err: ErrInvalid}
			}
		}
		return stmts, nil
	}
	a, err := newArgs(list)
	if err != nil {
		return nil, err
	}
	if a.strict() && len(stmts) == 0 {
		return nil, invalidf("arguments go with one statement, and the text has none")
	}
	if a.strict() && len(stmts) > 1 {
		return nil, &query.Error{Pos: stmts[1].Position(), Msg: fmt.Sprintf("arguments go with one statement, and the text has %d; the second starts here (run a script without arguments, or with Bindings)", len(stmts)), Err: ErrInvalid}
	}
	out := make([]query.Statement, len(stmts))
	for i, st := range stmts {
		if out[i], err = a.bind(st, params[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// maxExactInt is the largest integer a float64 holds exactly.
const maxExactInt = 1 << 53

// toLiteral converts a Go value to the literal it binds as.
func toLiteral(v any) (query.Literal, error) {
	switch v := v.(type) {
	case nil:
		return query.Literal{Kind: query.LitNull}, nil
	case query.Literal:
		return v, nil
	case string:
		return query.Literal{Kind: query.LitString, Str: v}, nil
	case bool:
		return query.Literal{Kind: query.LitBool, Bool: v}, nil
	case []float32:
		return vectorLiteral(len(v), func(i int) float64 { return float64(v[i]) })
	case Vector:
		return vectorLiteral(len(v), func(i int) float64 { return float64(v[i]) })
	case []float64:
		return vectorLiteral(len(v), func(i int) float64 { return v[i] })
	case driver.Valuer: // sql.NullString and the like
		x, err := v.Value()
		if err != nil {
			return query.Literal{}, err
		}
		if _, again := x.(driver.Valuer); again {
			return query.Literal{}, fmt.Errorf("the driver.Valuer %T returned another", v)
		}
		return toLiteral(x)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := rv.Int()
		if n > maxExactInt || n < -maxExactInt {
			return query.Literal{}, fmt.Errorf("%d is beyond the integers a number holds exactly (±2^53)", n)
		}
		return query.Literal{Kind: query.LitNumber, Num: float64(n)}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n := rv.Uint()
		if n > maxExactInt {
			return query.Literal{}, fmt.Errorf("%d is beyond the integers a number holds exactly (2^53)", n)
		}
		return query.Literal{Kind: query.LitNumber, Num: float64(n)}, nil
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return query.Literal{}, fmt.Errorf("%v is not a number the language holds", f)
		}
		return query.Literal{Kind: query.LitNumber, Num: f}, nil
	case reflect.String:
		return query.Literal{Kind: query.LitString, Str: rv.String()}, nil
	case reflect.Bool:
		return query.Literal{Kind: query.LitBool, Bool: rv.Bool()}, nil
	case reflect.Slice:
		if k := rv.Type().Elem().Kind(); k == reflect.Float32 || k == reflect.Float64 {
			return vectorLiteral(rv.Len(), func(i int) float64 { return rv.Index(i).Float() })
		}
	}
	return query.Literal{}, fmt.Errorf("a value of type %T cannot be bound (use a string, a number, a bool, nil or []float32)", v)
}

func vectorLiteral(n int, at func(i int) float64) (query.Literal, error) {
	if n == 0 {
		return query.Literal{}, errors.New("an empty vector")
	}
	vec := make([]float64, n)
	for i := range vec {
		f := at(i)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return query.Literal{}, fmt.Errorf("component %d of the vector is %v", i+1, f)
		}
		vec[i] = f
	}
	return query.Literal{Kind: query.LitVector, Vec: vec}, nil
}
