package db

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/vecdb/vecdb/internal/errdefs"
	"github.com/vecdb/vecdb/query"
	"github.com/vecdb/vecdb/storage"

	"github.com/vecdb/vecdb/internal/vec"
)

// reservedColumns cannot be metadata field names: they are columns of
// every collection or pseudo-columns of NEAREST.
var reservedColumns = []string{"key", "vector", "count", "similarity", "distance", "rank", "query"}

func (c *compiler) compileCreate(s *query.CreateCollection) (Plan, error) {
	spec := CollectionSpec{Name: s.Name, Dim: s.Dim, IfNotExists: s.IfNotExists}
	if s.Dim <= 0 {
		return nil, errorIs(errdefs.ErrInvalid, s.At("num DIM", s.Pos), "DIM must be positive, got %d", s.Dim)
	}
	if s.Dim > 65536 {
		return nil, errorIs(errdefs.ErrInvalid, s.At("num DIM", s.Pos), "DIM %d is too large (at most 65536)", s.Dim)
	}
	if s.Metric != "" {
		m, err := vec.ParseMetric(s.Metric)
		if err != nil || !containsFold([]string{"COSINE", "DOT", "L2"}, s.Metric) {
			return nil, errorAt(s.At("word metric", s.Pos), "unknown metric %s (want COSINE, DOT or L2)%s", s.Metric, didYouMean(strings.ToUpper(s.Metric), []string{"COSINE", "DOT", "L2"}, bare))
		}
		spec.Metric = m
	}
	seen := map[string]bool{}
	for _, f := range s.Fields {
		lower := strings.ToLower(f.Name)
		if containsFold(reservedColumns, f.Name) {
			return nil, errorAt(f.Pos, "%s is a built-in column and cannot be a field name", lower)
		}
		if seen[lower] {
			return nil, errorAt(f.Pos, "field %s is declared twice", query.QuoteIdent(f.Name))
		}
		seen[lower] = true
		t := strings.ToUpper(f.Type)
		if !containsFold(query.FieldTypes, t) {
			return nil, errorAt(s.At("word field type", f.Pos), "unknown type %s for field %s (want TEXT, INT, FLOAT or BOOL)%s", f.Type, query.QuoteIdent(f.Name), didYouMean(t, query.FieldTypes, bare))
		}
		ft, _ := storage.ParseFieldType(t)
		spec.Fields = append(spec.Fields, Field{Name: f.Name, Type: ft})
	}
	desc := fmt.Sprintf("CREATE COLLECTION %s (DIM %d, %s, %d fields)", query.QuoteIdent(s.Name), s.Dim, spec.Metric, len(spec.Fields))
	return &backendPlan{desc: desc, pos: s.NameAt(s.Name, s.Pos), run: func(ctx context.Context, d *DB) (*Result, error) {
		created, err := d.execCreateCollection(ctx, spec)
		if err != nil {
			if errors.Is(err, errdefs.ErrCollectionExists) {
				return nil, errorIs(err, s.NameAt(s.Name, s.Pos), "collection %s already exists", query.QuoteIdent(s.Name))
			}
			return nil, err
		}
		if !created {
			return &Result{Message: fmt.Sprintf("collection %s already exists", s.Name)}, nil
		}
		return &Result{Message: fmt.Sprintf("created collection %s", s.Name)}, nil
	}}, nil
}

func (c *compiler) compileDrop(s *query.DropCollection) (Plan, error) {
	if !s.IfExists {
		if _, err := c.source(s.Name, s.NameAt(s.Name, s.Pos)); err != nil {
			return nil, err
		}
	}
	desc := "DROP COLLECTION " + query.QuoteIdent(s.Name)
	return &backendPlan{desc: desc, pos: s.Pos, run: func(ctx context.Context, d *DB) (*Result, error) {
		dropped, err := d.execDropCollection(ctx, s.Name, s.IfExists)
		if err != nil {
			return nil, err
		}
		if !dropped {
			return &Result{Message: fmt.Sprintf("collection %s does not exist", s.Name)}, nil
		}
		return &Result{Message: fmt.Sprintf("dropped collection %s", s.Name)}, nil
	}}, nil
}

// compileInsert converts INSERT/UPSERT values into rows, checking every
// column and value before anything is written.
func (c *compiler) compileInsert(s *query.Insert) (Plan, error) {
	src, err := c.source(s.Into, s.NameAt(s.Into, s.Pos))
	if err != nil {
		return nil, err
	}
	info := src.Info()
	cols, err := c.insertColumns(src, s)
	if err != nil {
		return nil, err
	}
	rows, err := insertRows(src, s, cols)
	if err != nil {
		return nil, err
	}
	verb := "INSERT"
	var how *upsertHow
	switch {
	case s.Upsert:
		// An existing row keeps the fields (and count) the statement does
		// not name, as SQLite's ON CONFLICT DO UPDATE.
		verb = "UPSERT"
		how = &upsertHow{fields: make([]bool, len(info.Fields)), keepCount: cols.count < 0}
		for _, f := range cols.fieldOf {
			if f >= 0 {
				how.fields[f] = true
			}
		}
	case s.Replace:
		verb = "INSERT OR REPLACE"
		how = &upsertHow{replace: true}
	}
	desc := fmt.Sprintf("%s %d %s INTO %s in one transaction", verb, len(rows), plural(len(rows), "row"), query.QuoteIdent(info.Name))
	if s.Upsert {
		desc += "; an existing row keeps the fields not named"
	}
	return &backendPlan{desc: desc, pos: s.Pos, run: func(ctx context.Context, d *DB) (*Result, error) {
		n, err := d.execInsert(ctx, info.Name, rows, how)
		if err != nil {
			return nil, err
		}
		msg := fmt.Sprintf("inserted %d %s into %s", n, plural(n, "row"), info.Name)
		switch {
		case s.Upsert && n < len(rows):
			msg += fmt.Sprintf(", updated %d", len(rows)-n)
		case s.Replace && n < len(rows):
			msg += fmt.Sprintf(", replaced %d", len(rows)-n)
		}
		return &Result{Message: msg, Stats: Stats{RowsAffected: len(rows)}}, nil
	}}, nil
}

// insertCols says what each column of an INSERT is: the indexes of key,
// vector and count (-1 when absent) and each column's field index (-1 for
// those three).
type insertCols struct {
	key, vec, count int
	fieldOf         []int
}

// insertColumns resolves the column list of s against src; key and vector are required.
func (c *compiler) insertColumns(src *View, s *query.Insert) (*insertCols, error) {
	info := src.Info()
	cols := &insertCols{key: -1, vec: -1, count: -1, fieldOf: make([]int, len(s.Columns))}
	seen := map[string]bool{}
	for i, name := range s.Columns {
		cols.fieldOf[i] = -1
		p := func() query.Position { return s.NameAt(name, s.Pos) }
		lower := strings.ToLower(name)
		if seen[lower] {
			next := p()
			next.Offset++
			return nil, errorAt(s.At("dup "+strings.ToLower(name), next), "column %s is named twice", query.QuoteIdent(name))
		}
		seen[lower] = true
		switch lower {
		case "key":
			cols.key = i
		case "vector":
			cols.vec = i
		case "count":
			cols.count = i
		default:
			fi := src.FieldIndex(name)
			if fi < 0 {
				cands := append([]string{"key", "vector", "count"}, fieldNames(src)...)
				return nil, errorIs(errdefs.ErrFieldNotFound, p(), "%s has no column %s%s", query.QuoteIdent(info.Name), query.QuoteIdent(name), didYouMean(name, cands, query.QuoteIdent))
			}
			cols.fieldOf[i] = fi
		}
	}
	if cols.key < 0 || cols.vec < 0 {
		return nil, errorAt(s.At("columns", s.Pos), "INSERT needs the columns key and vector")
	}
	return cols, nil
}

// insertRows converts every row of s, rejecting keys repeated in s or,
// without UPSERT or INSERT OR REPLACE, already in src.
func insertRows(src *View, s *query.Insert, cols *insertCols) ([]Row, error) {
	info := src.Info()
	rows := make([]Row, len(s.Rows))
	inStmt := map[string]int{}
	for ri, vals := range s.Rows {
		r, err := insertRow(info, s, cols, ri, vals)
		if err != nil {
			return nil, err
		}
		if prev, dup := inStmt[r.Key]; dup {
			if !s.Upsert && !s.Replace {
				return nil, errorAt(vals[cols.key].Pos, "key %s appears twice in this INSERT (rows %d and %d)", query.QuoteString(r.Key), prev+1, ri+1)
			}
		}
		inStmt[r.Key] = ri
		if _, exists := src.Lookup(r.Key); exists && !s.Upsert && !s.Replace {
			return nil, errorIs(errdefs.ErrDuplicateKey, vals[cols.key].Pos, "key %s is already in %s; use UPSERT to update it or INSERT OR REPLACE to replace it", query.QuoteString(r.Key), query.QuoteIdent(info.Name))
		}
		rows[ri] = r
	}
	return rows, nil
}

// insertRow converts the values vals of row ri (0-based) of s into a Row of
// a collection described by info, checking each one.
func insertRow(info Info, s *query.Insert, cols *insertCols, ri int, vals []query.Literal) (Row, error) {
	if len(vals) != len(s.Columns) {
		p := s.Pos
		if len(vals) > 0 {
			p = vals[0].Pos
		}
		return Row{}, errorAt(p, "row %d has %d values for %d columns", ri+1, len(vals), len(s.Columns))
	}
	r := Row{Meta: make([]any, len(info.Fields))}
	for ci, v := range vals {
		switch {
		case ci == cols.key:
			if v.Kind != query.LitString {
				return Row{}, errorAt(v.Pos, "key must be a string, got %s", v.String())
			}
			if v.Str == "" {
				return Row{}, errorAt(v.Pos, "key must not be empty")
			}
			r.Key = v.Str
		case ci == cols.vec:
			if v.Kind != query.LitVector {
				return Row{}, errorAt(v.Pos, "vector must be a vector literal such as [0.1, 0.2], got %s", v.String())
			}
			if len(v.Vec) != info.Dim {
				return Row{}, errorIs(errdefs.ErrDimension, v.Pos, "vector has %d values, %s has DIM %d", len(v.Vec), query.QuoteIdent(info.Name), info.Dim)
			}
			r.Vector = toF32(v.Vec)
			if !vec.Finite(r.Vector) {
				return Row{}, errorAt(v.Pos, "vector contains a value out of float32 range")
			}
			if info.Metric == Cosine && vec.Norm(r.Vector) == 0 {
				return Row{}, errorIs(errdefs.ErrZeroVector, v.Pos, "a zero vector has no direction, which a COSINE collection compares by; it is refused")
			}
		case ci == cols.count:
			n, ok := v.Int()
			if !ok || n < 0 {
				return Row{}, errorIs(errdefs.ErrInvalid, v.Pos, "count must be a non-negative integer, got %s", v.String())
			}
			r.Count = int64(n)
		default:
			f := info.Fields[cols.fieldOf[ci]]
			val, err := fieldValue(f, v)
			if err != nil {
				return Row{}, err
			}
			r.Meta[cols.fieldOf[ci]] = val
		}
	}
	return r, nil
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// fieldValue converts a literal to a field's stored type.
func fieldValue(f Field, v query.Literal) (any, error) {
	if v.Kind == query.LitNull {
		return nil, nil
	}
	bad := func() error {
		return errorIs(errdefs.ErrFieldType, v.Pos, "field %s is %s, got %s %s", f.Name, f.Type, v.Kind, v.String())
	}
	switch f.Type {
	case Text:
		if v.Kind != query.LitString {
			return nil, bad()
		}
		return v.Str, nil
	case Int:
		n, ok := v.Int()
		if !ok {
			return nil, bad()
		}
		return int64(n), nil
	case Float:
		if v.Kind != query.LitNumber {
			return nil, bad()
		}
		return v.Num, nil
	case Bool:
		if v.Kind != query.LitBool {
			return nil, bad()
		}
		return v.Bool, nil
	}
	return nil, bad()
}

// matching returns the keys of src whose rows pass the condition (all
// keys without one).
func matching(ctx context.Context, src *View, where *compiledCond) ([]string, error) {
	var keys []string
	for i := 0; i < src.Len(); i++ {
		if i%65536 == 65535 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if where != nil {
			r := row{src: src, pos: i}
			if !where.fn(&r) {
				continue
			}
		}
		keys = append(keys, src.Key(i))
	}
	return keys, nil
}

func (c *compiler) compileUpdate(s *query.Update) (Plan, error) {
	src, err := c.source(s.Collection, s.NameAt(s.Collection, s.Pos))
	if err != nil {
		return nil, err
	}
	info := src.Info()
	values := map[string]any{}
	for _, a := range s.Set {
		if containsFold([]string{"key", "vector", "count"}, a.Field) {
			return nil, errorAt(a.Pos, "cannot SET %s; use UPSERT to change a row's %s", strings.ToLower(a.Field), strings.ToLower(a.Field))
		}
		fi := src.FieldIndex(a.Field)
		if fi < 0 {
			return nil, errorIs(errdefs.ErrFieldNotFound, a.Pos, "%s has no field %s%s", query.QuoteIdent(info.Name), query.QuoteIdent(a.Field), didYouMean(a.Field, fieldNames(src), query.QuoteIdent))
		}
		f := info.Fields[fi]
		if _, dup := values[f.Name]; dup {
			return nil, errorAt(a.Pos, "field %s is set twice", query.QuoteIdent(f.Name))
		}
		v, err := fieldValue(f, a.Value)
		if err != nil {
			return nil, err
		}
		values[f.Name] = v
	}
	where, err := c.where(src, s.Where, false)
	if err != nil {
		return nil, err
	}
	desc := fmt.Sprintf("UPDATE %s: scan of %d rows", query.QuoteIdent(info.Name), src.Len())
	if where != nil {
		desc += "\n  filter: " + where.text
	}
	return &backendPlan{desc: desc, pos: s.Pos, run: func(ctx context.Context, d *DB) (*Result, error) {
		keys, err := matching(ctx, src, where)
		if err != nil {
			return nil, err
		}
		if len(keys) > 0 {
			if err := d.execUpdateMeta(ctx, info.Name, keys, values); err != nil {
				return nil, err
			}
		}
		return &Result{Message: fmt.Sprintf("updated %d %s of %s", len(keys), plural(len(keys), "row"), info.Name), Stats: Stats{RowsAffected: len(keys)}}, nil
	}}, nil
}

func (c *compiler) compileDelete(s *query.Delete) (Plan, error) {
	src, err := c.source(s.From, s.NameAt(s.From, s.Pos))
	if err != nil {
		return nil, err
	}
	where, err := c.where(src, s.Where, false)
	if err != nil {
		return nil, err
	}
	name := src.Info().Name
	desc := fmt.Sprintf("DELETE FROM %s: scan of %d rows", query.QuoteIdent(name), src.Len())
	if where != nil {
		desc += "\n  filter: " + where.text
	}
	return &backendPlan{desc: desc, pos: s.Pos, run: func(ctx context.Context, d *DB) (*Result, error) {
		keys, err := matching(ctx, src, where)
		if err != nil {
			return nil, err
		}
		n := 0
		if len(keys) > 0 {
			if n, err = d.execDelete(ctx, name, keys); err != nil {
				return nil, err
			}
		}
		return &Result{Message: fmt.Sprintf("deleted %d %s from %s", n, plural(n, "row"), name), Stats: Stats{RowsAffected: n}}, nil
	}}, nil
}

// CollectionSpec is a compiled CREATE COLLECTION.
type CollectionSpec struct {
	Name        string
	Dim         int
	Metric      vec.Metric
	Fields      []Field
	IfNotExists bool
}

func (d *DB) execCreateCollection(ctx context.Context, s CollectionSpec) (bool, error) {
	if s.IfNotExists {
		if _, err := d.Collection(s.Name); err == nil {
			return false, nil
		}
	}
	_, err := d.CreateCollection(ctx, Spec{Name: s.Name, Dim: s.Dim, Metric: s.Metric, Fields: s.Fields}, false)
	return err == nil, err
}

func (d *DB) execDropCollection(ctx context.Context, name string, ifExists bool) (bool, error) {
	if ifExists {
		if _, err := d.Collection(name); err != nil {
			return false, nil
		}
	}
	return true, d.DropCollection(ctx, name, ifExists)
}

// execInsert writes rows: INSERT without how, UPSERT and INSERT OR
// REPLACE with it (see upsertHow).
func (d *DB) execInsert(ctx context.Context, name string, rows []Row, how *upsertHow) (int, error) {
	c, err := d.Collection(name)
	if err != nil {
		return 0, err
	}
	rs := make([]Row, len(rows))
	for i, r := range rows {
		rs[i] = Row{Key: r.Key, Vector: r.Vector, Count: r.Count, Meta: r.Meta}
	}
	if how != nil {
		return c.upsert(ctx, rs, *how)
	}
	if err := c.Insert(ctx, rs...); err != nil {
		return 0, err
	}
	return len(rs), nil
}

func (d *DB) execUpdateMeta(ctx context.Context, name string, keys []string, values map[string]any) error {
	c, err := d.Collection(name)
	if err != nil {
		return err
	}
	return c.SetMeta(ctx, keys, values)
}

func (d *DB) execDelete(ctx context.Context, name string, keys []string) (int, error) {
	c, err := d.Collection(name)
	if err != nil {
		return 0, err
	}
	return c.Delete(ctx, keys...)
}

// The statements this file plans (see register).
func init() {
	register((*compiler).compileCreate, false, writesAlways[*query.CreateCollection])
	register((*compiler).compileDrop, false, writesAlways[*query.DropCollection])
	register((*compiler).compileInsert, false, writesAlways[*query.Insert])
	register((*compiler).compileUpdate, false, writesAlways[*query.Update])
	register((*compiler).compileDelete, false, writesAlways[*query.Delete])
}
