package db

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/vecdb/vecdb/internal/errdefs"
	"github.com/vecdb/vecdb/query"

	"github.com/vecdb/vecdb/internal/vec"
)

// rowsPlan is a plan whose rows are computed when it runs by a function.
// scan, when not nil, is the scan that run materialises, which Rows reads
// one row at a time instead.
type rowsPlan struct {
	desc string
	cols []string
	run  func(ctx context.Context) ([][]any, error)
	scan *rowsScan
}

func (p *rowsPlan) String() string { return p.desc }

func (p *rowsPlan) Run(ctx context.Context, d *DB) (*Result, error) {
	rows, err := p.run(ctx)
	if err != nil {
		return nil, err
	}
	return &Result{Columns: p.cols, Rows: rows}, nil
}

// compileSimilarity: SIMILARITY, DISTANCE and RANK of pairs of keys, or
// n_similarity of two sets.
func (c *compiler) compileSimilarity(s *query.Similarity) (Plan, error) {
	src, err := c.source(s.From, s.NameAt(s.From, s.Pos))
	if err != nil {
		return nil, err
	}
	var all []*query.VKey
	for _, f := range s.Funcs {
		all = append(append(all, f.A...), f.B...)
	}
	names := make([]string, len(all))
	for i, k := range all {
		names[i] = k.Key
	}
	if _, err := src.positions(c.ctx, names); err != nil {
		return nil, keysErr(err, all, s.Pos)
	}
	cols := make([]string, len(s.Funcs))
	seen := map[string]int{}
	for _, f := range s.Funcs {
		seen[strings.ToLower(f.Name)]++
	}
	row := make([]any, len(s.Funcs))
	for i, f := range s.Funcs {
		name := strings.ToLower(f.Name)
		cols[i] = name
		if seen[name] > 1 {
			cols[i] = f.String()
		}
		set := f.ASet || f.BSet
		a, b := keyStrings(f.A), keyStrings(f.B)
		switch {
		case name == "rank" && set:
			return nil, errorAt(f.Pos, "RANK takes two keys, not sets of keys")
		case name == "rank":
			r, err := src.Rank(a[0], b[0])
			if err != nil {
				return nil, wrapAt(f.Pos, err)
			}
			row[i] = int64(r)
		case set:
			v, err := src.NSimilarity(a, b)
			if err != nil {
				return nil, wrapAt(f.Pos, err)
			}
			if name == "distance" {
				row[i] = float64(1 - v)
			} else {
				row[i] = float64(v)
			}
		default:
			v, err := src.Similarity(a[0], b[0])
			if err != nil {
				return nil, wrapAt(f.Pos, err)
			}
			if name == "distance" {
				row[i] = float64(distanceOf(src.Metric(), v))
			} else {
				row[i] = float64(v)
			}
		}
	}
	desc := s.String() + ": computed from the key vectors (RANK scans the collection)"
	if !strings.Contains(desc, "RANK(") {
		desc = s.String() + ": computed from the key vectors"
	}
	return &rowsPlan{desc: desc, cols: cols, run: func(context.Context) ([][]any, error) { return [][]any{row}, nil }}, nil
}

// distanceOf turns a similarity into the metric's distance (see db.Hit).
func distanceOf(m vec.Metric, sim float32) float32 {
	switch m {
	case vec.DotProduct:
		return -sim
	case vec.L2:
		return 1/sim - 1
	}
	return 1 - sim
}

func keyStrings(ks []*query.VKey) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.Key
	}
	return out
}

// compileOdd is gensim's doesnt_match.
func (c *compiler) compileOdd(s *query.OddOneOut) (Plan, error) {
	src, err := c.source(s.From, s.NameAt(s.From, s.Pos))
	if err != nil {
		return nil, err
	}
	if len(s.Keys) < 2 {
		return nil, errorIs(errdefs.ErrInvalid, s.Pos, "ODD_ONE_OUT needs at least 2 keys, got %d", len(s.Keys))
	}
	keys := keyStrings(s.Keys)
	odd, _, err := src.DoesntMatch(keys)
	if err != nil {
		return nil, keysErr(err, s.Keys, s.Pos)
	}
	desc := fmt.Sprintf("ODD_ONE_OUT FROM %s: the key least similar to the mean of %d unit vectors", query.QuoteIdent(s.From), len(keys))
	return &rowsPlan{desc: desc, cols: []string{"odd_one_out"}, run: func(context.Context) ([][]any, error) {
		return [][]any{{odd}}, nil
	}}, nil
}

// axis evaluates the ONTO expression of PROJECTION as a unit vector.
func (c *compiler) axis(src *View, e query.VExpr) ([]float32, error) {
	ev, err := c.eval(src, e)
	if err != nil {
		return nil, err
	}
	a := append([]float32(nil), ev.vec...)
	if normalizeWide(a) == 0 {
		return nil, errorIs(errdefs.ErrInvalid, e.Position(), "the axis has zero norm")
	}
	return a, nil
}

// compileProjection: the cosine of a key's unit vector with the axis.
func (c *compiler) compileProjection(s *query.ProjectionQuery) (Plan, error) {
	src, err := c.source(s.From, s.NameAt(s.From, s.Pos))
	if err != nil {
		return nil, err
	}
	pos, err := src.positions(c.ctx, []string{s.Key.Key})
	if err != nil {
		return nil, keysErr(err, []*query.VKey{s.Key}, s.Pos)
	}
	ax, err := c.axis(src, s.Onto)
	if err != nil {
		return nil, err
	}
	v := vec.Dot(src.Unit(pos[0]), ax)
	desc := fmt.Sprintf("PROJECTION FROM %s: cosine of %s with the axis %s", query.QuoteIdent(s.From), s.Key.String(), s.Onto.String())
	return &rowsPlan{desc: desc, cols: []string{"key", "projection"}, run: func(context.Context) ([][]any, error) {
		return [][]any{{s.Key.Key, float64(v)}}, nil
	}}, nil
}

// selectCol is one output column of a plain SELECT.
type selectCol struct {
	name string
	typ  colType
	get  func(pos int) any
}

// compileRows: SELECT col, ... FROM c [WHERE] [ORDER BY] [LIMIT] [OFFSET],
// rows in frequency order unless ORDER BY says otherwise.
func (c *compiler) compileRows(s *query.SelectRows) (Plan, error) {
	src, err := c.source(s.From, s.NameAt(s.From, s.Pos))
	if err != nil {
		return nil, err
	}
	cols, err := c.selectColumns(src, s.Columns)
	if err != nil {
		return nil, err
	}
	nOut := len(cols)
	where, err := c.where(src, s.Where, false)
	if err != nil {
		return nil, err
	}
	cols, order, err := c.orderColumn(src, s, cols)
	if err != nil {
		return nil, err
	}
	if s.Offset < 0 {
		return nil, errorIs(errdefs.ErrInvalid, s.At("num OFFSET", s.Pos), "OFFSET must not be negative, got %d", s.Offset)
	}
	names := make([]string, nOut)
	for i := range names {
		names[i] = cols[i].name
	}
	sc := &rowsScan{src: src, where: where, cols: cols, nOut: nOut, order: order,
		limit: s.Limit, offset: s.Offset, desc: s.Desc, maxRows: c.lim.MaxRows}
	return &rowsPlan{desc: sc.describe(s.From, names), cols: names, run: sc.run, scan: sc}, nil
}

// maxCellsPerRow times Limits.MaxRows bounds the values one SELECT returns
// (16 million by default).
const maxCellsPerRow = 16

// selectColumns resolves the select list: *, PROJECTION(key ONTO axis) and named columns.
func (c *compiler) selectColumns(src *View, list []query.Column) ([]selectCol, error) {
	var cols []selectCol
	for _, col := range list {
		switch {
		case col.Star:
			cols = append(cols, c.plainCol(src, "key"), c.plainCol(src, "count"))
			for _, f := range fieldNames(src) {
				cols = append(cols, c.plainCol(src, f))
			}
		case col.Projection != nil:
			if !strings.EqualFold(col.Projection.Of, "key") {
				return nil, errorAt(col.Pos, "PROJECTION takes the key column, got %s", query.QuoteIdent(col.Projection.Of))
			}
			ax, err := c.axis(src, col.Projection.Onto)
			if err != nil {
				return nil, err
			}
			name := col.Alias
			if name == "" {
				name = "projection"
			}
			cols = append(cols, selectCol{name: name, typ: typeFloat, get: func(pos int) any {
				return float64(vec.Dot(src.Unit(pos), ax))
			}})
		default:
			sc, ok := c.namedCol(src, col.Name)
			if !ok {
				cands := append([]string{"key", "count", "vector"}, fieldNames(src)...)
				return nil, errorIs(errdefs.ErrFieldNotFound, col.Pos, "%s has no column %s%s", query.QuoteIdent(src.Info().Name), query.QuoteIdent(col.Name), didYouMean(col.Name, cands, query.QuoteIdent))
			}
			if col.Alias != "" {
				sc.name = col.Alias
			}
			cols = append(cols, sc)
		}
	}
	return cols, nil
}

// orderColumn finds the ORDER BY column among the selected ones, or appends it
// as a hidden column; it returns the columns and its index, -1 without ORDER BY.
func (c *compiler) orderColumn(src *View, s *query.SelectRows, cols []selectCol) ([]selectCol, int, error) {
	order := -1
	if s.OrderBy == "" {
		return cols, order, nil
	}
	for i, col := range cols {
		if strings.EqualFold(col.name, s.OrderBy) {
			order = i
		}
	}
	if order < 0 {
		sc, ok := c.namedCol(src, s.OrderBy)
		if !ok {
			names := make([]string, len(cols))
			for i, col := range cols {
				names[i] = col.name
			}
			return nil, 0, errorAt(s.NameAt(s.OrderBy, s.Pos), "cannot ORDER BY %s: no such column%s", query.QuoteIdent(s.OrderBy), didYouMean(s.OrderBy, append(names, columnNames(src, false)...), query.QuoteIdent))
		}
		cols = append(cols, sc)
		order = len(cols) - 1
	}
	if cols[order].name == "vector" {
		return nil, 0, errorAt(s.NameAt(s.OrderBy, s.Pos), "cannot ORDER BY vector")
	}
	return cols, order, nil
}

// rowsScan is a compiled SELECT of rows: the filter, the columns (the first
// nOut are output, a hidden ORDER BY column may follow), the order and the window.
type rowsScan struct {
	src           *View
	where         *compiledCond
	cols          []selectCol
	nOut          int
	order         int // index in cols, -1 for frequency order
	limit, offset int
	desc          bool
	maxRows       int
}

// describe is the EXPLAIN text of the scan of collection from with output columns names.
func (sc *rowsScan) describe(from string, names []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT FROM %s: scan of %d rows in frequency order", query.QuoteIdent(from), sc.src.Len())
	if sc.where != nil {
		b.WriteString("\n  filter: " + sc.where.text)
	}
	if sc.order >= 0 {
		fmt.Fprintf(&b, "\n  order by: %s%s", sc.cols[sc.order].name, map[bool]string{true: " DESC"}[sc.desc])
	}
	if sc.limit >= 0 {
		fmt.Fprintf(&b, "\n  limit: %d", sc.limit)
	}
	if sc.offset > 0 {
		fmt.Fprintf(&b, "\n  offset: %d", sc.offset)
	}
	b.WriteString("\n  columns: " + strings.Join(names, ", "))
	return b.String()
}

// run filters, orders and windows the rows and builds the output columns.
func (sc *rowsScan) run(ctx context.Context) ([][]any, error) {
	keep, err := sc.filter(ctx)
	if err != nil {
		return nil, err
	}
	if sc.order >= 0 {
		sc.sort(keep)
	}
	if sc.offset >= len(keep) {
		keep = nil
	} else {
		keep = keep[sc.offset:]
	}
	if sc.limit >= 0 && len(keep) > sc.limit {
		keep = keep[:sc.limit]
	}
	if sc.maxRows > 0 && len(keep) > sc.maxRows {
		return nil, fmt.Errorf("the result has more than %d rows (the limit); add a LIMIT", sc.maxRows)
	}
	// Wide rows count too: SELECT * over 20,000 fields × 3,000 rows asked
	// for 60 million values (2.5 GB before this bound).
	if cells := int64(len(keep)) * int64(sc.nOut); sc.maxRows > 0 && cells > maxCellsPerRow*int64(sc.maxRows) {
		return nil, invalidf("the result would hold %d values (%d rows × %d columns), above the limit of %d; name fewer columns or add a LIMIT",
			cells, len(keep), sc.nOut, maxCellsPerRow*int64(sc.maxRows))
	}
	rows := make([][]any, len(keep))
	for ri, i := range keep {
		rows[ri] = sc.row(i)
	}
	return rows, nil
}

// row builds the output columns of the row at position i.
func (sc *rowsScan) row(i int) []any {
	r := make([]any, sc.nOut)
	for j := range r {
		r[j] = sc.cols[j].get(i)
	}
	return r
}

// scanIter reads the rows of a rowsScan one at a time (Rows): in frequency
// order it visits the collection's positions only as far as the next row
// that passes WHERE; with ORDER BY it filters and sorts the positions on
// the first call, then builds one row per call.
type scanIter struct {
	sc      *rowsScan
	at      int   // the next position to visit, or index in sorted
	sorted  []int // ORDER BY: the window of positions, in order
	ordered bool  // sorted is computed
	skipped int   // rows passed over for OFFSET
	emitted int   // rows returned
	visited int   // positions whose WHERE was evaluated (for tests)
}

// scanCheckEvery is how many positions a scan visits between checks of
// its context and of Close.
const scanCheckEvery = 4096

// next returns the next row, false at the end, or the error that stopped
// the scan: ctx's, or none when stop (Close) was set.
func (it *scanIter) next(ctx context.Context, stop *atomic.Bool) ([]any, bool, error) {
	sc := it.sc
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	if sc.order >= 0 {
		if !it.ordered {
			keep, err := sc.filter(ctx)
			if err != nil {
				return nil, false, err
			}
			it.visited += sc.src.Len()
			sc.sort(keep)
			if sc.offset >= len(keep) {
				keep = nil
			} else {
				keep = keep[sc.offset:]
			}
			if sc.limit >= 0 && len(keep) > sc.limit {
				keep = keep[:sc.limit]
			}
			it.sorted, it.ordered = keep, true
		}
		if it.at >= len(it.sorted) {
			return nil, false, nil
		}
		i := it.sorted[it.at]
		it.at++
		return sc.row(i), true, nil
	}
	if sc.limit >= 0 && it.emitted >= sc.limit {
		return nil, false, nil
	}
	for it.at < sc.src.Len() {
		i := it.at
		it.at++
		it.visited++
		if it.visited%scanCheckEvery == 0 {
			if stop.Load() {
				return nil, false, nil
			}
			if err := ctx.Err(); err != nil {
				return nil, false, err
			}
		}
		if sc.where != nil {
			r := row{src: sc.src, pos: i}
			if !sc.where.fn(&r) {
				continue
			}
		}
		if it.skipped < sc.offset {
			it.skipped++
			continue
		}
		it.emitted++
		return sc.row(i), true, nil
	}
	return nil, false, nil
}

// filter returns the positions of the rows that pass WHERE, in frequency
// order, stopping at OFFSET+LIMIT when no ORDER BY needs them all.
func (sc *rowsScan) filter(ctx context.Context) ([]int, error) {
	var keep []int
	stopAt := -1
	if sc.order < 0 && sc.limit >= 0 {
		stopAt = sc.offset + sc.limit
	}
	for i := 0; i < sc.src.Len(); i++ {
		if i%65536 == 65535 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if sc.where != nil {
			r := row{src: sc.src, pos: i}
			if !sc.where.fn(&r) {
				continue
			}
		}
		keep = append(keep, i)
		if stopAt >= 0 && len(keep) >= stopAt {
			break
		}
	}
	return keep, nil
}

// sort orders the positions keep by the ORDER BY column, stably, NULLs last.
func (sc *rowsScan) sort(keep []int) {
	get := sc.cols[sc.order].get
	vals := make(map[int]any, len(keep))
	for _, i := range keep {
		vals[i] = get(i)
	}
	sort.SliceStable(keep, func(a, b int) bool {
		va, vb := vals[keep[a]], vals[keep[b]]
		if va == nil || vb == nil { // NULLs last
			return va != nil && vb == nil
		}
		cmp, _ := compareValues(va, vb)
		if sc.desc {
			return cmp > 0
		}
		return cmp < 0
	})
}

func (c *compiler) plainCol(src *View, name string) selectCol {
	sc, _ := c.namedCol(src, name)
	return sc
}

func (c *compiler) namedCol(src *View, name string) (selectCol, bool) {
	if strings.EqualFold(name, "vector") {
		return selectCol{name: "vector", get: func(pos int) any { return src.Vector(pos) }}, true
	}
	col, ok := lookupColumn(src, name, false)
	if !ok {
		return selectCol{}, false
	}
	get := col.get
	return selectCol{name: col.name, typ: col.typ, get: func(pos int) any {
		r := row{src: src, pos: pos}
		return get(&r)
	}}, true
}

// The statements this file plans (see register).
func init() {
	register((*compiler).compileSimilarity, true, nil)
	register((*compiler).compileOdd, true, nil)
	register((*compiler).compileProjection, true, nil)
	register((*compiler).compileRows, true, nil)
}
