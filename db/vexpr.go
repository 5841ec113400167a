package db

import (
	"fmt"
	"math"
	"strings"

	"github.com/vecdb/vecdb/internal/errdefs"
	"github.com/vecdb/vecdb/query"

	"github.com/vecdb/vecdb/internal/vec"
)

// evaluated is a vector expression computed against a View: the vector
// (normalised for COSINE collections) and the positions of the collection's
// own keys it used, which NEAREST excludes from its results.
type evaluated struct {
	vec  []float32
	used []int
}

// vexprKeys lists the key nodes of the queried collection in e, in order.
func vexprKeys(e query.VExpr, out []*query.VKey) []*query.VKey {
	switch e := e.(type) {
	case *query.VKey:
		if e.Collection == "" {
			out = append(out, e)
		}
	case *query.VSum:
		for _, t := range e.Terms {
			out = vexprKeys(t.Factor, out)
		}
	case *query.VCentroid:
		for _, a := range e.Args {
			out = vexprKeys(a, out)
		}
	case *query.VNormalize:
		out = vexprKeys(e.Arg, out)
	}
	return out
}

func depth(e query.VExpr) int {
	switch e := e.(type) {
	case *query.VSum:
		d := 0
		for _, t := range e.Terms {
			d = max(d, depth(t.Factor))
		}
		return d + 1
	case *query.VCentroid:
		d := 0
		for _, a := range e.Args {
			d = max(d, depth(a))
		}
		return d + 1
	case *query.VNormalize:
		return depth(e.Arg) + 1
	}
	return 1
}

// isFlat reports whether e is a weighted sum of own keys and vector
// literals, which *View.Combine evaluates directly.
func isFlat(e query.VExpr) bool {
	switch e := e.(type) {
	case *query.VKey:
		return e.Collection == ""
	case *query.VLiteral:
		return true
	case *query.VSum:
		for _, t := range e.Terms {
			switch f := t.Factor.(type) {
			case *query.VKey:
				if f.Collection != "" {
					return false
				}
			case *query.VLiteral:
			default:
				return false
			}
		}
		return true
	}
	return false
}

func terms(e query.VExpr) []query.VTerm {
	if s, ok := e.(*query.VSum); ok {
		return s.Terms
	}
	return []query.VTerm{{Pos: e.Position(), Sign: 1, Weight: 1, Factor: e}}
}

// eval computes e against src with gensim most_similar semantics: each key
// contributes its unit vector (COSINE), the weighted sum is normalised.
func (c *compiler) eval(src *View, e query.VExpr) (*evaluated, error) {
	if d := depth(e); c.lim.MaxExprDepth > 0 && d > c.lim.MaxExprDepth {
		return nil, errorAt(e.Position(), "the vector expression is nested too deeply (%d levels)", d)
	}
	keys := vexprKeys(e, nil)
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.Key
	}
	pos, err := src.positions(c.ctx, names)
	if err != nil {
		return nil, keysErr(err, keys, e.Position())
	}
	if err := c.checkLiterals(src, e); err != nil {
		return nil, err
	}
	if isFlat(e) {
		ts := terms(e)
		dbTerms := make([]Term, len(ts))
		for i, t := range ts {
			w := t.Sign * t.Weight
			switch f := t.Factor.(type) {
			case *query.VKey:
				dbTerms[i] = Term{Key: f.Key, Weight: w}
			case *query.VLiteral:
				dbTerms[i] = Term{Vector: toF32(f.Values), Weight: w}
			}
		}
		v, used, err := src.Combine(dbTerms)
		if err == nil && !vec.Finite(v) {
			return nil, errOverflow(e)
		}
		if err != nil {
			return nil, wrapAt(e.Position(), err)
		}
		return &evaluated{vec: v, used: used}, nil
	}
	ev := &evaluator{c: c, src: src, pos: map[string]int{}}
	for i, k := range keys {
		ev.pos[k.Key] = pos[i]
	}
	v, err := ev.eval(e)
	if err != nil {
		return nil, err
	}
	if !vec.Finite(v) {
		return nil, errOverflow(e)
	}
	if src.Metric() == vec.Cosine {
		if normalizeWide(v) == 0 || !vec.Finite(v) {
			return nil, errorIs(errdefs.ErrZeroVector, e.Position(), "the vector is zero: it has no direction to compare by cosine")
		}
	}
	return &evaluated{vec: v, used: ev.used}, nil
}

// errOverflow is the error for a vector expression whose weights or values
// take it beyond float32 (1e308*'king').
func errOverflow(e query.VExpr) error {
	return errorIs(errdefs.ErrInvalid, e.Position(), "the expression's vector overflows float32 (a weight or value is too large)")
}

// checkLiterals reports vector literals of the wrong dimension or with
// values that do not fit a float32.
func (c *compiler) checkLiterals(src *View, e query.VExpr) error {
	switch e := e.(type) {
	case *query.VLiteral:
		if len(e.Values) != src.Dim() {
			return errorIs(errdefs.ErrDimension, e.Pos, "vector has %d values, %s has DIM %d", len(e.Values), query.QuoteIdent(src.Info().Name), src.Dim())
		}
		for _, f := range e.Values {
			if math.IsInf(float64(float32(f)), 0) || math.IsNaN(f) {
				return errorIs(errdefs.ErrInvalid, e.Pos, "vector value %s is out of range", query.FormatNum(f))
			}
		}
	case *query.VSum:
		for _, t := range e.Terms {
			if err := c.checkLiterals(src, t.Factor); err != nil {
				return err
			}
		}
	case *query.VCentroid:
		for _, a := range e.Args {
			if err := c.checkLiterals(src, a); err != nil {
				return err
			}
		}
	case *query.VNormalize:
		return c.checkLiterals(src, e.Arg)
	}
	return nil
}

type evaluator struct {
	c    *compiler
	src  *View
	pos  map[string]int
	used []int
}

func (ev *evaluator) eval(e query.VExpr) ([]float32, error) {
	src := ev.src
	switch e := e.(type) {
	case *query.VKey:
		if e.Collection != "" {
			return ev.other(e)
		}
		p := ev.pos[e.Key]
		ev.used = append(ev.used, p)
		return append([]float32(nil), src.SearchVector(p)...), nil
	case *query.VLiteral:
		return toF32(e.Values), nil
	case *query.VItem:
		p, err := ev.c.item(src, e)
		if err != nil {
			return nil, err
		}
		ev.used = append(ev.used, p)
		return append([]float32(nil), src.SearchVector(p)...), nil
	case *query.VSum:
		sum := make([]float32, src.Dim())
		for _, t := range e.Terms {
			x, err := ev.eval(t.Factor)
			if err != nil {
				return nil, err
			}
			vec.Axpy(float32(t.Sign*t.Weight), x, sum)
		}
		return sum, nil
	case *query.VCentroid:
		sum := make([]float32, src.Dim())
		for _, a := range e.Args {
			x, err := ev.eval(a)
			if err != nil {
				return nil, err
			}
			if normalizeWide(x) == 0 {
				return nil, errorIs(errdefs.ErrInvalid, a.Position(), "a CENTROID argument has zero norm")
			}
			vec.Axpy(1, x, sum)
		}
		vec.Scale(1/float32(len(e.Args)), sum)
		if vec.Normalize(sum) == 0 {
			return nil, errorIs(errdefs.ErrInvalid, e.Pos, "the CENTROID has zero norm")
		}
		return sum, nil
	case *query.VNormalize:
		x, err := ev.eval(e.Arg)
		if err != nil {
			return nil, err
		}
		if vec.Normalize(x) == 0 {
			return nil, errorIs(errdefs.ErrInvalid, e.Pos, "cannot NORMALIZE a zero vector")
		}
		return x, nil
	}
	return nil, errorAt(e.Position(), "unsupported vector expression")
}

// other takes a key's vector from another collection of the same dimension.
func (ev *evaluator) other(k *query.VKey) ([]float32, error) {
	o, err := ev.c.source(k.Collection, k.Pos)
	if err != nil {
		return nil, err
	}
	if o.Dim() != ev.src.Dim() {
		return nil, errorIs(errdefs.ErrDimension, k.Pos, "%s has DIM %d, %s has DIM %d", query.QuoteIdent(k.Collection), o.Dim(), query.QuoteIdent(ev.src.Info().Name), ev.src.Dim())
	}
	p, err := o.positions(ev.c.ctx, []string{k.Key})
	if err != nil {
		return nil, keysErr(err, []*query.VKey{k}, k.Pos)
	}
	if ev.src.Metric() == vec.Cosine {
		return o.Unit(p[0]), nil
	}
	return o.Vector(p[0]), nil
}

// item resolves ITEM(field = 'value') to the position of its only row.
func (c *compiler) item(src *View, it *query.VItem) (int, error) {
	fi := src.FieldIndex(it.Field)
	if fi < 0 {
		return 0, errorIs(errdefs.ErrFieldNotFound, it.Pos, "%s has no field %s%s", query.QuoteIdent(src.Info().Name), query.QuoteIdent(it.Field), didYouMean(it.Field, fieldNames(src), query.QuoteIdent))
	}
	var matches []int
	var near, containing []string
	want := literalValue(it.Value)
	ws, wantText := want.(string)
	lw := strings.ToLower(ws)
	for i := 0; i < src.Len(); i++ {
		m, err := src.Meta(i)
		if err != nil {
			return 0, wrapAt(it.Pos, err)
		}
		if equalValues(m[fi], want) {
			matches = append(matches, i)
		} else if s, ok := m[fi].(string); ok && wantText {
			switch {
			case strings.EqualFold(s, ws):
				near = append([]string{s}, near...)
			case len(containing) < 5 && lw != "" && strings.Contains(strings.ToLower(s), lw):
				containing = append(containing, s)
			case len(near) < 1000:
				near = append(near, s)
			}
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		var hint suggestion
		if wantText {
			hint = didYouMean(ws, near, sq)
			if hint.typed == "" && len(containing) > 0 {
				qs := make([]string, len(containing))
				for i, s := range containing {
					qs[i] = query.QuoteString(s)
				}
				hint.hint = "; did you mean " + strings.Join(qs, " or ") + "?"
				if len(qs) == 1 {
					hint.typed = qs[0]
				}
			}
		}
		return 0, errorAt(it.Pos, "no row of %s has %s = %s%s", query.QuoteIdent(src.Info().Name), it.Field, it.Value.String(), hint)
	}
	var ks []string
	for i, p := range matches {
		if i == 5 {
			ks = append(ks, fmt.Sprintf("and %d more", len(matches)-5))
			break
		}
		ks = append(ks, query.QuoteString(src.Key(p)))
	}
	return 0, errorAt(it.Pos, "%d rows of %s have %s = %s: %s; use a key instead", len(matches), query.QuoteIdent(src.Info().Name), it.Field, it.Value.String(), strings.Join(ks, ", "))
}

func toF32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, f := range v {
		out[i] = float32(f)
	}
	return out
}

func fieldNames(src *View) []string {
	fs := src.Info().Fields
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}
