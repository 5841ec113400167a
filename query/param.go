package query

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Param is a placeholder for a value given when the statement runs, in the
// forms of database/sql and SQLite:
//
//	?        positional: the next number after the largest one so far
//	?NNN     numbered, 1-based ($NNN is the same)
//	:name    named (@name and $name are the same, as in SQLite)
//
// A placeholder may stand wherever a literal may: a key (VKey.Param), a
// vector expression (a key or a vector), a value in WHERE, INSERT, UPDATE,
// SET or WITH (a Literal of kind LitParam), and k, LIMIT, OFFSET, WITHIN
// TOP and CLUSTER ... INTO (the *Param fields tagged vq beside those
// counts), a weight in a vector expression (VTerm.WeightParam) and a file
// path (the *Param field beside it). Names (of collections, fields,
// options) and the numbers inside a written vector are not placeholders.
//
// In SELECT ANALOGY 'a' : 'b' :: 'c' : ? the bare ? is the unknown term, so
// parameters of an ANALOGY statement are numbered or named (?1, $1, :a); a
// bare ? anywhere else in it is an error that says so.
//
// Numbering is per statement: each statement of a script counts from 1.
type Param struct {
	Pos   Position
	Text  string // as written: "?", "?2", "$2", ":name"
	Index int    // the 1-based number of ? and ?NNN/$NNN; 0 for :name
	Name  string // the name of :name, @name or $name, without the sign
}

// Position returns the placeholder's position.
func (p *Param) Position() Position { return p.Pos }

// String returns the placeholder as written.
func (p *Param) String() string { return p.Text }

// MaxParamIndex is the largest number of a ?NNN or $NNN placeholder.
const MaxParamIndex = 32766

// param converts the text of a Param token. A bare ? takes the number after
// the largest one of the statement so far (SQLite's rule).
func (c *converter) param(x *param) *Param {
	p := &Param{Pos: pos(x.Pos), Text: x.Text}
	switch {
	case x.Text == "?":
		if c.inAnalogy {
			c.fail(x.Pos, "in ANALOGY a bare ? is the unknown term; write a parameter as ?1, $1 or :name")
		}
		c.maxParam++
		p.Index = c.maxParam
	case x.Text[0] == ':' || x.Text[0] == '@' || x.Text[1] < '0' || x.Text[1] > '9':
		p.Name = x.Text[1:]
	default:
		n, err := strconv.Atoi(x.Text[1:])
		if err != nil || n < 1 || n > MaxParamIndex {
			c.fail(x.Pos, "parameter %s: numbers go from 1 to %d", x.Text, MaxParamIndex)
		}
		p.Index = n
		c.maxParam = max(c.maxParam, n)
	}
	return p
}

// Params returns the placeholders of st in the order of the text.
func Params(st Statement) []*Param {
	b := &binder{}
	b.walk(reflect.ValueOf(&st).Elem(), false) // collecting never fails
	sort.SliceStable(b.params, func(i, j int) bool { return b.params[i].Pos.Offset < b.params[j].Pos.Offset })
	return b.params
}

// Bind returns a copy of st in which every placeholder is replaced by the
// literal that value returns for it (st itself is not changed, so a parsed
// statement may be bound many times, concurrently). value gives a literal of
// kind LitNull, LitNumber, LitString, LitBool or LitVector; Bind checks that
// it fits where the placeholder stands: a key takes a string, a vector
// expression a string (a key) or a vector, k, LIMIT and OFFSET a whole
// number. Errors are *Error values at the placeholder's position, or the
// error value returned.
func Bind(st Statement, value func(p *Param) (Literal, error)) (Statement, error) {
	b := &binder{value: value}
	out, err := b.walk(reflect.ValueOf(&st).Elem(), false)
	if err != nil {
		return nil, err
	}
	return out.Interface().(Statement), nil
}

// binder walks a syntax tree, copying it with its placeholders bound (value
// set) or only collecting them (value nil).
type binder struct {
	value  func(p *Param) (Literal, error)
	params []*Param
}

var (
	literalType = reflect.TypeFor[Literal]()
	vkeyType    = reflect.TypeFor[*VKey]()
	paramType   = reflect.TypeFor[*Param]()
	vexprType   = reflect.TypeFor[VExpr]()
	litKindPath = func() []int { f, _ := literalType.FieldByName("Kind"); return f.Index }()
)

// bound returns the literal for p, or ok false when only collecting.
func (b *binder) bound(p *Param) (Literal, bool, error) {
	b.params = append(b.params, p)
	if b.value == nil {
		return Literal{}, false, nil
	}
	lit, err := b.value(p)
	lit.Pos = p.Pos
	return lit, true, err
}

func paramError(p *Param, format string, a ...any) error {
	return &Error{Pos: p.Pos, Msg: fmt.Sprintf("parameter %s: ", p.Text) + fmt.Sprintf(format, a...)}
}

// walk returns v with its placeholders bound; inVExpr is set when v is held
// by a VExpr, where a vector may replace a key. When only collecting, it
// copies nothing and returns v.
func (b *binder) walk(v reflect.Value, inVExpr bool) (reflect.Value, error) {
	switch v.Type() {
	case literalType:
		if LiteralKind(v.FieldByIndex(litKindPath).Int()) != LitParam {
			return v, nil
		}
		l := v.Interface().(Literal)
		lit, ok, err := b.bound(l.Param)
		if !ok || err != nil {
			return v, err
		}
		if lit.Kind == LitParam || lit.Kind == LitIdent {
			return v, paramError(l.Param, "a value is needed, got a %s", lit.Kind)
		}
		return reflect.ValueOf(lit), nil
	case vkeyType:
		k := v.Interface().(*VKey)
		if k == nil || k.Param == nil {
			return v, nil
		}
		lit, ok, err := b.bound(k.Param)
		if !ok || err != nil {
			return v, err
		}
		switch {
		case lit.Kind == LitString:
			return reflect.ValueOf(&VKey{Pos: k.Pos, Key: lit.Str, Collection: k.Collection}), nil
		case lit.Kind == LitVector && inVExpr && k.Collection == "":
			return reflect.ValueOf(&VLiteral{Pos: k.Pos, Values: lit.Vec}), nil
		case inVExpr && k.Collection == "":
			return v, paramError(k.Param, "a key (string) or a vector is needed, got %s", describeLit(lit))
		}
		return v, paramError(k.Param, "a key (string) is needed, got %s", describeLit(lit))
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || v.Elem().Kind() != reflect.Struct {
			return v, nil
		}
		e, err := b.walk(v.Elem(), false)
		if err != nil || b.value == nil {
			return v, err
		}
		out := reflect.New(e.Type())
		out.Elem().Set(e)
		return out, nil
	case reflect.Interface:
		if v.IsNil() {
			return v, nil
		}
		e, err := b.walk(v.Elem(), v.Type() == vexprType)
		if err != nil || b.value == nil {
			return v, err
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(e)
		return out, nil
	case reflect.Slice:
		if v.IsNil() || plainKind(v.Type().Elem().Kind()) {
			return v, nil
		}
		if b.value == nil {
			for i := 0; i < v.Len(); i++ {
				b.walk(v.Index(i), false) // collecting never fails
			}
			return v, nil
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			e, err := b.walk(v.Index(i), false)
			if err != nil {
				return v, err
			}
			out.Index(i).Set(e)
		}
		return out, nil
	case reflect.Map:
		if v.IsNil() {
			return v, nil
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			e, err := b.walk(v.MapIndex(k), false)
			if err != nil {
				return v, err
			}
			out.SetMapIndex(k, e)
		}
		return out, nil
	case reflect.Struct:
		return b.walkStruct(v)
	}
	return v, nil
}

// plainKind reports whether values of kind k hold no placeholder.
func plainKind(k reflect.Kind) bool {
	switch k {
	case reflect.Bool, reflect.Int, reflect.Int64, reflect.Float64, reflect.String:
		return true
	}
	return false
}

func (b *binder) walkStruct(v reflect.Value) (reflect.Value, error) {
	t := v.Type()
	if b.value == nil {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			switch {
			case !f.IsExported() || plainKind(f.Type.Kind()):
			case f.Type == paramType && f.Tag.Get("vq") != "":
				if p := v.Field(i).Interface().(*Param); p != nil {
					b.params = append(b.params, p)
				}
			default:
				b.walk(v.Field(i), false) // collecting never fails
			}
		}
		return v, nil
	}
	out := reflect.New(t).Elem()
	out.Set(v)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if tag, ok := f.Tag.Lookup("vq"); ok && f.Type == paramType {
			if err := b.bindCount(out, f, tag); err != nil {
				return v, err
			}
			continue
		}
		e, err := b.walk(v.Field(i), f.Type == vexprType)
		if err != nil {
			return v, err
		}
		out.Field(i).Set(e)
	}
	return out, nil
}

// bindCount binds the placeholder of a count, a weight or a path: the
// field XParam, tagged vq:"what,min", sets the int field X to a whole
// number >= min, the float64 field X to a number, or the string field X to
// a string.
func (b *binder) bindCount(out reflect.Value, f reflect.StructField, tag string) error {
	p, _ := out.FieldByIndex(f.Index).Interface().(*Param)
	if p == nil {
		return nil
	}
	lit, ok, err := b.bound(p)
	if !ok || err != nil {
		return err
	}
	what, minText, _ := strings.Cut(tag, ",")
	target := out.FieldByName(strings.TrimSuffix(f.Name, "Param"))
	if target.Kind() == reflect.Float64 {
		if lit.Kind != LitNumber {
			return paramError(p, "%s must be a number, got %s", what, describeLit(lit))
		}
		target.SetFloat(lit.Num)
		out.FieldByIndex(f.Index).Set(reflect.Zero(paramType))
		return nil
	}
	if target.Kind() == reflect.String {
		if lit.Kind != LitString {
			return paramError(p, "%s must be a string, got %s", what, describeLit(lit))
		}
		target.SetString(lit.Str)
		out.FieldByIndex(f.Index).Set(reflect.Zero(paramType))
		return nil
	}
	least, _ := strconv.Atoi(minText)
	n := lit.Num
	switch {
	case lit.Kind != LitNumber || n != math.Trunc(n) || n < float64(least):
		kind := "a positive"
		if least == 0 {
			kind = "a non-negative"
		}
		return paramError(p, "%s must be %s integer, got %s", what, kind, describeLit(lit))
	case n > math.MaxInt32:
		return paramError(p, "%s = %s is above the largest allowed, %d", what, FormatNum(n), math.MaxInt32)
	}
	target.SetInt(int64(n))
	out.FieldByIndex(f.Index).Set(reflect.Zero(paramType))
	return nil
}

// describeLit names a bound value in an error: "the string 'x'", "NULL".
func describeLit(l Literal) string {
	switch l.Kind {
	case LitNull:
		return "NULL"
	case LitVector:
		return fmt.Sprintf("a vector of %d numbers", len(l.Vec))
	}
	s := l.String()
	if r := []rune(s); len(r) > 40 {
		s = string(r[:37]) + "..."
	}
	return "the " + l.Kind.String() + " " + s
}
