package db

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/vecdb/vecdb/query"
)

// Settings lists what SET accepts: ef_search (HNSW search breadth, an
// integer ≥ 1), threads (worker goroutines for long statements, ≥ 1) and
// timeout (seconds per statement; 0 = none).
var Settings = []optDef{
	{name: "ef_search", kind: optInt, min: 1, max: 4096, def: "each index's", doc: "HNSW beam width of later searches"},
	{name: "threads", kind: optInt, min: 1, max: 1024, def: "statement defaults", doc: "goroutines of TRAIN, CREATE INDEX and CLUSTER"},
	{name: "timeout", kind: optFloat, min: 0, def: "0 (none)", doc: "seconds per statement; only shortens Limits.Timeout"},
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
	src, err := c.source(s.Collection, s.NameAt(s.Collection, s.Pos))
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
	if src.FieldIndex(ColdField) >= 0 {
		n, err := coldCount(src)
		if err != nil {
			return nil, err
		}
		rows = append(rows, []any{"cold items", fmt.Sprintf("%d (vectors from metadata, no events yet)", n)})
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
	if _, err := c.source(s.Collection, s.NameAt(s.Collection, s.Pos)); err != nil {
		return nil, err
	}
	return &backendPlan{desc: "SHOW STATS " + query.QuoteIdent(s.Collection), pos: s.Pos, run: func(ctx context.Context, d *DB) (*Result, error) {
		return d.execStats(s.Collection)
	}}, nil
}

func (c *compiler) compileCheck(s *query.Check) (Plan, error) {
	if _, err := c.source(s.Collection, s.NameAt(s.Collection, s.Pos)); err != nil {
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
		p := s.At("option "+s.Name, s.Pos)
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

func (d *DB) execStats(name string) (*Result, error) {
	v, err := d.viewOf(name)
	if err != nil {
		return nil, err
	}
	in := v.Info()
	vecBytes := int64(v.Len()) * int64(v.Dim()) * 4
	total := d.FileSize()
	var all int64
	infos, _ := d.Collections()
	for _, x := range infos {
		all += int64(x.Rows) * int64(x.Dim) * 4
	}
	share := 0.0
	if all > 0 && total > 0 {
		share = float64(vecBytes) / float64(all)
	}
	res := &Result{Columns: []string{"stat", "value"}}
	add := func(k string, v any) { res.Rows = append(res.Rows, []any{k, fmt.Sprint(v)}) }
	add("rows", v.Len())
	add("dim", v.Dim())
	add("vector_bytes", vecBytes)
	add("file_bytes", total)
	add("file_share", fmt.Sprintf("%.1f%%", 100*share))
	if in.Index == nil {
		add("index", "none")
	} else {
		add("index", fmt.Sprintf("%s m=%d ef_construction=%d ef_search=%d", in.Index.Kind, in.Index.M, in.Index.EfConstruction, in.Index.EfSearch))
		if idx, err := v.loadedIndex(); err == nil && idx != nil {
			add("index_nodes", idx.Len())
			add("index_deleted_fraction", fmt.Sprintf("%.4f", idx.DeletedFraction()))
		}
	}
	return res, nil
}

func (d *DB) execCheck(ctx context.Context, name string) (*Result, error) {
	rep, err := d.Check(ctx, name)
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: []string{"check", "result"}}
	for _, c := range rep.Checks {
		res.Rows = append(res.Rows, []any{c.Name, c.Result})
	}
	if !rep.OK() {
		return res, fmt.Errorf("%w: %s failed its check: %s", ErrCorrupt, name, strings.Join(rep.Problems(), "; "))
	}
	return res, nil
}

func (d *DB) execSet(name string, value any) error {
	s := d.settings()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.vals[name] = value
	if name == "ef_search" {
		if n, ok := value.(int); ok {
			return d.SetEfSearch(n)
		}
	}
	return nil
}

func (d *DB) execCollections() ([]Info, error) { return d.Collections() }

// settings are the values of SET for one DB, shared by its statements.
type settings struct {
	mu   sync.Mutex
	vals map[string]any
}

func (d *DB) settings() *settings {
	d.setOnce.Do(func() { d.set = &settings{vals: map[string]any{}} })
	return d.set
}

// Setting returns the value of a SET setting (nil when never set).
func (d *DB) Setting(name string) any {
	s := d.settings()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.vals[strings.ToLower(name)]
}

// The statements this file plans (see register).
func init() {
	register((*compiler).compileDescribe, true, nil)
	register((*compiler).compileShowStats, true, nil)
	register((*compiler).compileSet, false, nil)
	register((*compiler).compileCheck, true, nil)
}

func init() {
	register(func(*compiler, *query.ShowCollections) (Plan, error) { return &showCollectionsPlan{}, nil }, true, nil)
}
