package db

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/vecdb/vecdb/query"
)

// Settings lists what SET accepts: ef_search (HNSW search breadth, an
// integer ≥ 1), graph_fill (fill a lazily opened HNSW graph in the
// background; see Options.NoGraphFill), threads (worker goroutines for long statements and the
// searches that run at once, ≥ 1; see DB.SetThreads) and timeout (seconds
// per statement; 0 = none).
var Settings = []optDef{
	{name: "ef_search", kind: optInt, min: 1, max: 4096, def: "each index's", doc: "HNSW beam width of later searches"},
	{name: "threads", kind: optInt, min: 1, max: 1024, def: "all cores (GOMAXPROCS)", doc: "goroutines of TRAIN, CREATE INDEX and CLUSTER, and searches running at once: NEAREST … TO EACH spreads over them, concurrent queries beyond them wait (search results do not depend on it)"},
	{name: "graph_fill", kind: optBool, def: "true (false with Options.NoGraphFill)", doc: "after the first search through an HNSW graph opened lazily, fill the rest of it in the background, at low priority; false stops running fills and keeps later graphs to the nodes searches reach (less memory)"},
	{name: "subwords", kind: optBool, def: "true", doc: "in a collection trained with subwords, a key that is not stored gets a vector from its character n-grams (the result says so); false: such a key is an error"},
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

// subwordsText describes a collection's subword settings for DESCRIBE
// from its parameters: those of TRAIN, or of IMPORT of a fastText model
// (which keeps the rows its words use, or every row with all_buckets).
func subwordsText(p map[string]string) string {
	how := "min_ngram_words " + p["min_ngram_words"]
	switch {
	case p["all_buckets"] == "true":
		how = "every bucket kept"
	case p["min_ngram_words"] == "":
		how = "those the words use"
	}
	return fmt.Sprintf("n-grams of %s to %s characters, %s n-gram rows (buckets %s, %s)",
		p["minn"], p["maxn"], p["ngram_rows"], p["buckets"], how)
}

func indexText(ix *IndexConfig) string {
	if ix == nil {
		return "none"
	}
	return fmt.Sprintf("%s (m=%d, ef_construction=%d, ef_search=%d%s)", ix.Kind, ix.M, ix.EfConstruction, ix.EfSearch, quantText(ix))
}

// quantText is ", quantize=int8, rescore=N" for an int8 index, else "".
func quantText(ix *IndexConfig) string {
	if ix.Quantize == "" {
		return ""
	}
	return fmt.Sprintf(", quantize=%s, rescore=%d", ix.Quantize, ix.Rescore)
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
	if src.HasSubwords() {
		rows = append(rows, []any{"subwords", subwordsText(in.Params)})
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
		return nil, unknownSetting(s.Name, s.At("option "+s.Name, s.Pos))
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

// unknownSetting is the error for a name that is not one of Settings, at
// p; more are other words that may stand there (SHOW's COLLECTIONS).
func unknownSetting(name string, p query.Position, more ...string) error {
	if sug := query.Suggest(strings.ToLower(name), append(SettingNames(), more...)); sug != "" {
		return errorIs(ErrInvalid, p, "unknown setting %s%s", name, suggestion{"; did you mean " + sug + "?", sug})
	}
	return errorIs(ErrInvalid, p, "unknown setting %s (settings: %s)", name, strings.Join(SettingNames(), ", "))
}

// compileShowSettings: SHOW SETTINGS lists every setting, SHOW name one;
// each row is name, value and source: "SET" (a statement on this DB),
// "Go API" (DB.SetEfSearch, DB.SetThreads, Options.Limits.Timeout) or "default" (the
// value then says what applies).
func (c *compiler) compileShowSettings(s *query.ShowSettings) (Plan, error) {
	names := SettingNames()
	if s.Name != "" {
		found := false
		for _, n := range names {
			found = found || n == s.Name
		}
		if !found {
			return nil, unknownSetting(s.Name, s.At("option "+s.Name, s.Pos), "COLLECTIONS", "SETTINGS", "STATS")
		}
		names = []string{s.Name}
	}
	return &backendPlan{desc: s.String() + ": the settings of this database", pos: s.Pos, run: func(ctx context.Context, d *DB) (*Result, error) {
		res := &Result{Columns: []string{"name", "value", "source"}}
		for _, n := range names {
			v, src := d.settingOf(n)
			res.Rows = append(res.Rows, []any{n, v, src})
		}
		return res, nil
	}}, nil
}

// settingOf returns the value of setting name as text and where it came
// from (see compileShowSettings).
func (d *DB) settingOf(name string) (value, source string) {
	if v := d.Setting(name); v != nil {
		return fmt.Sprint(v), "SET"
	}
	switch {
	case name == "ef_search" && d.efSearch.Load() > 0:
		return fmt.Sprint(d.efSearch.Load()), "Go API"
	case name == "threads" && d.threadsN.Load() > 0:
		return fmt.Sprint(d.threadsN.Load()), "Go API"
	case name == "graph_fill" && d.opts.NoGraphFill:
		return "false", "Go API"
	case name == "timeout" && d.opts.Limits.Timeout > 0:
		return fmt.Sprint(d.opts.Limits.Timeout.Seconds()), "Go API"
	}
	for _, def := range Settings {
		if def.name == name {
			return def.def, "default"
		}
	}
	return "", "default"
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
	if v.HasSubwords() {
		n, _ := strconv.Atoi(in.Params["ngram_rows"])
		add("ngram_rows", n)
		add("ngram_bytes", 4*int64(n)*int64(1+v.Dim())+32)
	}
	add("vector_bytes", vecBytes)
	add("file_bytes", total)
	add("file_share", fmt.Sprintf("%.1f%%", 100*share))
	if in.Index == nil {
		add("index", "none")
	} else {
		add("index", fmt.Sprintf("%s m=%d ef_construction=%d ef_search=%d", in.Index.Kind, in.Index.M, in.Index.EfConstruction, in.Index.EfSearch))
		quant := quantNone
		if in.Index.Quantize != "" {
			quant = in.Index.Quantize
		}
		add("index_quantize", quant)
		if in.Index.Quantize != "" {
			add("index_rescore", in.Index.Rescore)
		}
		if idx, err := v.statsIndex(); err == nil && idx != nil {
			add("index_nodes", idx.Len())
			add("index_deleted_fraction", fmt.Sprintf("%.4f", idx.DeletedFraction()))
			if n := idx.Len(); n > 0 {
				// The index's own heap (graph, codes; not the float32
				// vectors it shares with the view) and, with the view's
				// vectors when they are on the heap, all a vector holds
				// in memory. Vectors read in place from the file are
				// page cache the kernel may evict: a separate figure.
				// A graph read in place from its segment is mapped
				// too: its links and codes count there, not in
				// index_bytes_per_vector.
				per := float64(idx.MemoryBytes()) / float64(n)
				vecHeap, vecMapped := 4*float64(v.Dim()), 0.0
				if v.InPlace() {
					vecHeap, vecMapped = 0, vecHeap
				}
				vecMapped += float64(idx.MappedBytes()) / float64(n)
				add("graph_in_place", idx.InPlace())
				add("index_bytes_per_vector", fmt.Sprintf("%.0f", per))
				add("bytes_per_vector", fmt.Sprintf("%.0f", per+vecHeap))
				add("mapped_bytes_per_vector", fmt.Sprintf("%.0f", vecMapped))
			}
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
	if b, ok := value.(bool); ok && name == "graph_fill" {
		d.noFill.Store(!b)
	}
	if n, ok := value.(int); ok {
		switch name {
		case "ef_search":
			return d.SetEfSearch(n)
		case "threads":
			return d.SetThreads(n)
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
	register((*compiler).compileShowSettings, true, nil)
	register((*compiler).compileCheck, true, nil)
}

func init() {
	register(func(*compiler, *query.ShowCollections) (Plan, error) { return &showCollectionsPlan{}, nil }, true, nil)
}
