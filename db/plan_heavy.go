package db

import (
	"context"
	"fmt"
	"github.com/vecdb/vecdb/internal/errdefs"
	"github.com/vecdb/vecdb/query"
	"sort"
	"strings"
)

// This file compiles the statements that other packages execute (trainer,
// ann, analysis): the options are checked here, at their positions, and
// the backend receives a typed spec.

var trainOptions = []optDef{
	{name: "dim", kind: optInt, min: 1, max: 10000},
	{name: "window", kind: optInt, min: 1, max: 1000},
	{name: "negative", kind: optInt, min: 1, max: 100},
	{name: "min_count", kind: optInt, min: 1},
	{name: "max_vocab", kind: optInt, min: 0},
	{name: "sample", kind: optFloat, min: 0, max: 1},
	{name: "epochs", kind: optInt, min: 1, max: 10000},
	{name: "alpha", kind: optFloat, min: 1e-9, max: 1},
	{name: "min_alpha", kind: optFloat, min: 0, max: 1},
	{name: "threads", kind: optInt, min: 1, max: 1024},
	{name: "seed", kind: optInt, min: 0},
	{name: "ns_exponent", kind: optFloat, min: -10, max: 10},
	{name: "shrink_window", kind: optBool},
	{name: "whole_sequence", kind: optBool},
	{name: "shuffle", kind: optBool},
	{name: "continue", kind: optBool},
	{name: "watch", kind: optString},
	{name: "index", kind: optBool},
	{name: "sequence_by", kind: optString},
	{name: "order_by", kind: optString},
	{name: "item", kind: optString},
	{name: "delimiter", kind: optString},
}

var evaluateOptions = map[string][]optDef{
	"ANALOGIES": {{name: "restrict_vocab", kind: optInt, min: 1}, {name: "case_insensitive", kind: optBool}},
	"PAIRS":     {{name: "restrict_vocab", kind: optInt, min: 1}, {name: "case_insensitive", kind: optBool}},
}

var indexOptions = []optDef{
	{name: "m", kind: optInt, min: 2, max: 128},
	{name: "ef_construction", kind: optInt, min: 1, max: 4096},
	{name: "ef_search", kind: optInt, min: 1, max: 4096},
	{name: "threads", kind: optInt, min: 1, max: 1024},
}

var projectOptions = []optDef{
	{name: "dims", kind: optInt, min: 1, max: 3},
	{name: "perplexity", kind: optFloat, min: 1, max: 1000},
	{name: "iterations", kind: optInt, min: 1, max: 100000},
	{name: "seed", kind: optInt, min: 0},
	{name: "width", kind: optInt, min: 100, max: 8192},
	{name: "height", kind: optInt, min: 100, max: 8192},
	{name: "title", kind: optString},
}

var clusterOptions = []optDef{
	{name: "iterations", kind: optInt, min: 1, max: 100000},
	{name: "seed", kind: optInt, min: 0},
	{name: "top", kind: optInt, min: 1},
	{name: "save_as", kind: optString},
	{name: "threads", kind: optInt, min: 1, max: 1024},
}

var recommendOptions = []optDef{{name: "recency", kind: optFloat, min: 0}}

var usersOptions = []optDef{
	{name: "min_items", kind: optInt, min: 1},
	{name: "recency", kind: optFloat, min: 0},
	{name: "sequence_by", kind: optString},
	{name: "order_by", kind: optString},
	{name: "item", kind: optString},
	{name: "delimiter", kind: optString},
	{name: "key_prefix", kind: optString},
}

func optionsText(o map[string]any) string {
	if len(o) == 0 {
		return ""
	}
	names := make([]string, 0, len(o))
	for k := range o {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s=%v", n, o[n])
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func (c *compiler) compileTrain(s *query.Train) (Plan, error) {
	method, err := c.choice(s.Using, []string{"SKIPGRAM", "CBOW"}, s.Pos, "TRAIN")
	if err != nil {
		return nil, err
	}
	if method == "" {
		method = "SKIPGRAM"
	}
	opts, err := c.options(s.With, trainOptions, "TRAIN")
	if err != nil {
		return nil, err
	}
	spec := TrainSpec{Collection: s.Collection, Path: s.Path, Method: method, Options: opts}
	desc := fmt.Sprintf("TRAIN %s FROM %s USING %s%s", query.QuoteIdent(s.Collection), query.QuoteString(s.Path), method, optionsText(opts))
	return &backendPlan{desc: desc, pos: c.loc.after(s.Pos, "FROM"), run: func(ctx context.Context, d *DB) (*Result, error) { return d.execTrain(ctx, spec) }}, nil
}

func (c *compiler) compileEvaluate(s *query.Evaluate) (Plan, error) {
	if _, err := c.source(s.Collection, s.Pos, s.Kind); err != nil {
		return nil, err
	}
	kind := strings.ToUpper(s.Kind)
	opts, err := c.options(s.With, evaluateOptions[kind], "EVALUATE "+kind)
	if err != nil {
		return nil, err
	}
	spec := EvaluateSpec{Kind: kind, Collection: s.Collection, Path: s.Path, Options: opts}
	desc := fmt.Sprintf("EVALUATE %s %s FROM %s%s", kind, query.QuoteIdent(s.Collection), query.QuoteString(s.Path), optionsText(opts))
	return &backendPlan{desc: desc, pos: c.loc.after(s.Pos, "FROM"), run: func(ctx context.Context, d *DB) (*Result, error) { return d.execEvaluate(ctx, spec) }}, nil
}

func (c *compiler) compileCreateIndex(s *query.CreateIndex) (Plan, error) {
	if _, err := c.source(s.On, s.Pos, "ON"); err != nil {
		return nil, err
	}
	kind, err := c.choice(s.Using, []string{"HNSW"}, s.Pos, "CREATE INDEX")
	if err != nil {
		return nil, err
	}
	if kind == "" {
		kind = "HNSW"
	}
	opts, err := c.options(s.With, indexOptions, "CREATE INDEX")
	if err != nil {
		return nil, err
	}
	spec := IndexSpec{Collection: s.On, Kind: kind, Options: opts}
	desc := fmt.Sprintf("CREATE INDEX ON %s USING %s%s", query.QuoteIdent(s.On), kind, optionsText(opts))
	return &backendPlan{desc: desc, pos: s.Pos, run: func(ctx context.Context, d *DB) (*Result, error) { return d.execCreateIndex(ctx, spec) }}, nil
}

func (c *compiler) compileDropIndex(s *query.DropIndex) (Plan, error) {
	if _, err := c.source(s.On, s.Pos, "ON"); err != nil {
		return nil, err
	}
	return &backendPlan{desc: "DROP INDEX ON " + query.QuoteIdent(s.On), pos: s.Pos, run: func(ctx context.Context, d *DB) (*Result, error) {
		return d.execDropIndex(ctx, s.On)
	}}, nil
}

func (c *compiler) compileProject(s *query.Project) (Plan, error) {
	spec := ProjectSpec{ColorBy: s.ColorBy, To: s.To}
	var err error
	spec.Method, err = c.choice(s.Using, []string{"PCA", "TSNE"}, s.Pos, "PROJECT")
	if err != nil {
		return nil, err
	}
	if spec.Options, err = c.options(s.With, projectOptions, "PROJECT"); err != nil {
		return nil, err
	}
	var inner Plan
	switch {
	case s.Query != nil:
		inner, err = c.compile(s.Query)
		if err != nil {
			return nil, err
		}
		np, ok := inner.(*nearestPlan)
		if !ok {
			if rp, ok2 := inner.(*rowsPlan); !ok2 || !containsFold(rp.cols, "key") {
				return nil, errorAt(s.Query.Position(), "PROJECT (SELECT ...) needs a query that returns keys")
			}
		}
		if np != nil {
			spec.Collection = np.src.Info().Name
		} else if sr, ok := s.Query.(*query.SelectRows); ok {
			spec.Collection = sr.From
		}
	default:
		if s.From == "" {
			return nil, errorAt(s.Pos, "PROJECT (keys) needs FROM collection")
		}
		src, err := c.source(s.From, s.Pos, "FROM")
		if err != nil {
			return nil, err
		}
		names := keyStrings(s.Keys)
		if _, err := src.positions(c.ctx, names); err != nil {
			return nil, keysErr(err, s.Keys, s.Pos)
		}
		spec.Collection, spec.Keys = s.From, names
	}
	if s.Onto != nil {
		src, err := c.source(spec.Collection, s.Pos, "FROM")
		if err != nil {
			return nil, err
		}
		if spec.Axis, err = c.axis(src, s.Onto); err != nil {
			return nil, err
		}
		var neg, pos []string
		for _, t := range terms(s.Onto) {
			if k, ok := t.Factor.(*query.VKey); ok {
				if t.Sign*t.Weight < 0 {
					neg = append(neg, k.Key)
				} else {
					pos = append(pos, k.Key)
				}
			}
		}
		spec.AxisNeg, spec.AxisPos = strings.Join(neg, " + "), strings.Join(pos, " + ")
	} else if spec.Method == "" {
		spec.Method = "PCA"
	}
	desc := fmt.Sprintf("PROJECT %s of %s%s", spec.Method, query.QuoteIdent(spec.Collection), optionsText(spec.Options))
	if s.To != "" {
		desc += " TO " + query.QuoteString(s.To)
	}
	return &backendPlan{desc: desc, pos: s.Pos, run: func(ctx context.Context, d *DB) (*Result, error) {
		if inner != nil {
			res, err := inner.Run(ctx, d)
			if err != nil {
				return nil, err
			}
			ki := -1
			for i, col := range res.Columns {
				if col == "key" {
					ki = i
				}
			}
			for _, r := range res.Rows {
				if k, ok := r[ki].(string); ok {
					spec.Keys = append(spec.Keys, k)
				}
			}
		}
		return d.execProject(ctx, spec)
	}}, nil
}

func (c *compiler) compileCluster(s *query.Cluster) (Plan, error) {
	src, err := c.source(s.Collection, s.Pos, "CLUSTER")
	if err != nil {
		return nil, err
	}
	if s.K < 1 {
		return nil, errorIs(errdefs.ErrInvalid, c.loc.after(s.Pos, "INTO"), "the number of clusters must be positive, got %d", s.K)
	}
	opts, err := c.options(s.With, clusterOptions, "CLUSTER")
	if err != nil {
		return nil, err
	}
	where, err := c.where(src, s.Where, false)
	if err != nil {
		return nil, err
	}
	spec := ClusterSpec{Collection: s.Collection, K: s.K, Options: opts}
	if where != nil {
		spec.Filter = func(pos int) bool { r := row{src: src, pos: pos}; return where.fn(&r) }
	}
	desc := fmt.Sprintf("CLUSTER %s INTO %d (k-means)%s", query.QuoteIdent(s.Collection), s.K, optionsText(opts))
	if where != nil {
		desc += "\n  filter: " + where.text
	}
	return &backendPlan{desc: desc, pos: s.Pos, run: func(ctx context.Context, d *DB) (*Result, error) { return d.execCluster(ctx, spec) }}, nil
}

func (c *compiler) compileRecommend(s *query.Recommend) (Plan, error) {
	src, err := c.source(s.From, s.Pos, "FROM")
	if err != nil {
		return nil, err
	}
	if err := c.checkK(s.K, s.Pos, "RECOMMEND"); err != nil {
		return nil, err
	}
	opts, err := c.options(s.With, recommendOptions, "RECOMMEND")
	if err != nil {
		return nil, err
	}
	var hist []string
	var nodes []*query.VKey
	for _, e := range s.For {
		if it, ok := e.(*query.VItem); ok { // ITEM(title = 'Toy Story (1995)'): a row named by a field
			p, err := c.item(src, it)
			if err != nil {
				return nil, err
			}
			hist = append(hist, src.Key(p))
			nodes = append(nodes, &query.VKey{Pos: it.Pos, Key: src.Key(p)})
			continue
		}
		k, ok := e.(*query.VKey)
		if !ok || k.Collection != "" {
			return nil, errorAt(e.Position(), "RECOMMEND ... FOR takes keys of %s or ITEM(field = 'value')", query.QuoteIdent(s.From))
		}
		hist = append(hist, k.Key)
		nodes = append(nodes, k)
	}
	if _, err := src.positions(c.ctx, hist); err != nil {
		return nil, keysErr(err, nodes, s.Pos)
	}
	where, err := c.where(src, s.Where, false)
	if err != nil {
		return nil, err
	}
	spec := RecommendSpec{Collection: s.From, K: s.K, History: hist, Options: opts}
	if where != nil {
		spec.Filter = func(pos int) bool { r := row{src: src, pos: pos}; return where.fn(&r) }
	}
	desc := fmt.Sprintf("RECOMMEND %d FROM %s FOR %d keys (mean of the history, history excluded)", s.K, query.QuoteIdent(s.From), len(hist))
	return &backendPlan{desc: desc, pos: s.Pos, run: func(ctx context.Context, d *DB) (*Result, error) { return d.execRecommend(ctx, spec) }}, nil
}

func (c *compiler) compileCreateUsers(s *query.CreateUsers) (Plan, error) {
	if _, err := c.source(s.Items, s.Pos, "OF"); err != nil {
		return nil, err
	}
	opts, err := c.options(s.With, usersOptions, "CREATE COLLECTION ... FROM SEQUENCES")
	if err != nil {
		return nil, err
	}
	spec := UsersSpec{Name: s.Name, Items: s.Items, Path: s.Path, Options: opts}
	desc := fmt.Sprintf("CREATE COLLECTION %s FROM SEQUENCES OF %s FROM %s", query.QuoteIdent(s.Name), query.QuoteIdent(s.Items), query.QuoteString(s.Path))
	return &backendPlan{desc: desc, pos: s.Pos, run: func(ctx context.Context, d *DB) (*Result, error) { return d.execCreateUsers(ctx, spec) }}, nil
}
