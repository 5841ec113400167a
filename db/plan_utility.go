package db

import (
	"context"
	"fmt"
	"github.com/vecdb/vecdb/query"
	"sort"
	"strings"
)

// Settings lists what SET accepts: ef_search (HNSW search breadth, an
// integer ≥ 1), threads (worker goroutines for long statements, ≥ 1) and
// timeout (seconds per statement; 0 = none).
var Settings = []optDef{
	{name: "ef_search", kind: optInt, min: 1, max: 4096},
	{name: "threads", kind: optInt, min: 1, max: 1024},
	{name: "timeout", kind: optFloat, min: 0},
}

// SettingNames returns the names SET accepts, sorted.
func SettingNames() []string {
	out := make([]string, len(Settings))
	for i, s := range Settings {
		out[i] = s.name
	}
	sort.Strings(out)
	return out
}

type showCollectionsPlan struct{}

func (p *showCollectionsPlan) String() string { return "SHOW COLLECTIONS: the catalog" }

func (p *showCollectionsPlan) Run(ctx context.Context, d *DB) (*Result, error) {
	infos, err := d.execCollections()
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: []string{"name", "dim", "metric", "rows", "index"}}
	for _, in := range infos {
		res.Rows = append(res.Rows, []any{in.Name, int64(in.Dim), in.Metric.String(), int64(in.Rows), indexText(in.Index)})
	}
	return res, nil
}

func indexText(ix *IndexConfig) string {
	if ix == nil {
		return "none"
	}
	return fmt.Sprintf("%s (m=%d, ef_construction=%d, ef_search=%d)", ix.Kind, ix.M, ix.EfConstruction, ix.EfSearch)
}

func (c *compiler) compileDescribe(s *query.Describe) (Plan, error) {
	src, err := c.source(s.Collection, s.Pos, "DESCRIBE")
	if err != nil {
		return nil, err
	}
	in := src.Info()
	rows := [][]any{
		{"name", in.Name},
		{"dim", fmt.Sprint(in.Dim)},
		{"metric", in.Metric.String()},
		{"rows", fmt.Sprint(src.Len())},
		{"index", indexText(in.Index)},
	}
	for _, f := range in.Fields {
		rows = append(rows, []any{"field " + f.Name, f.Type.String()})
	}
	if in.Source != "" {
		rows = append(rows, []any{"source", in.Source})
	}
	params := make([]string, 0, len(in.Params))
	for k := range in.Params {
		params = append(params, k)
	}
	sort.Strings(params)
	for _, k := range params {
		rows = append(rows, []any{"param " + k, in.Params[k]})
	}
	if !in.Created.IsZero() {
		rows = append(rows, []any{"created", in.Created.UTC().Format("2006-01-02 15:04:05Z")})
	}
	desc := "DESCRIBE " + query.QuoteIdent(in.Name)
	return &rowsPlan{desc: desc, cols: []string{"property", "value"}, run: func(context.Context) ([][]any, error) { return rows, nil }}, nil
}

func (c *compiler) compileShowStats(s *query.ShowStats) (Plan, error) {
	if _, err := c.source(s.Collection, s.Pos, "STATS"); err != nil {
		return nil, err
	}
	return &backendPlan{desc: "SHOW STATS " + query.QuoteIdent(s.Collection), pos: s.Pos, run: func(ctx context.Context, d *DB) (*Result, error) {
		return d.execStats(s.Collection)
	}}, nil
}

func (c *compiler) compileCheck(s *query.Check) (Plan, error) {
	if _, err := c.source(s.Collection, s.Pos, "CHECK"); err != nil {
		return nil, err
	}
	return &backendPlan{desc: "CHECK " + query.QuoteIdent(s.Collection) + ": key and id maps, vector values, row count", pos: s.Pos,
		run: func(ctx context.Context, d *DB) (*Result, error) { return d.execCheck(ctx, s.Collection) }}, nil
}

func (c *compiler) compileSet(s *query.Set) (Plan, error) {
	name := strings.ToLower(s.Name)
	var def *optDef
	for i := range Settings {
		if Settings[i].name == name {
			def = &Settings[i]
		}
	}
	if def == nil {
		p := c.loc.after(s.Pos, "SET")
		return nil, errorAt(p, "unknown setting %s%s", s.Name, didYouMean(name, SettingNames(), bare))
	}
	v, err := optValue(s.Value, *def)
	if err != nil {
		return nil, err
	}
	return &backendPlan{desc: "SET " + name, pos: s.Pos, run: func(ctx context.Context, d *DB) (*Result, error) {
		if err := d.execSet(name, v); err != nil {
			return nil, err
		}
		return &Result{Message: fmt.Sprintf("%s = %v", name, v)}, nil
	}}, nil
}
