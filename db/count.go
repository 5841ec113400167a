package db

import (
	"context"
	"fmt"

	"github.com/vecdb/vecdb/query"
)

// CountWhere returns how many rows of the view keep accepts (positions in
// frequency order, as SearchOptions.Filter takes them); a nil keep counts
// every row. It checks ctx every 65,536 rows. It is the Go API of SELECT
// COUNT(*) FROM c [WHERE cond].
func (v *View) CountWhere(ctx context.Context, keep func(pos int) bool) (int, error) {
	if keep == nil {
		return v.Len(), nil
	}
	n := 0
	for i := 0; i < v.Len(); i++ {
		if i%65536 == 65535 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		if keep(i) {
			n++
		}
	}
	return n, nil
}

// countPlan is SELECT COUNT(*) FROM c [WHERE cond]: a scan of the view with
// the condition, or the row count without one.
type countPlan struct {
	src   *View
	from  string
	where *compiledCond
}

func (p *countPlan) String() string {
	if p.where == nil {
		return fmt.Sprintf("COUNT FROM %s: the row count (%d rows), no scan", query.QuoteIdent(p.from), p.src.Len())
	}
	return fmt.Sprintf("COUNT FROM %s: scan of %d rows\n  filter: %s", query.QuoteIdent(p.from), p.src.Len(), p.where.text)
}

func (p *countPlan) Run(ctx context.Context, _ *DB) (*Result, error) {
	var keep func(int) bool
	if p.where != nil {
		keep = func(pos int) bool { return p.where.fn(&row{src: p.src, pos: pos}) }
	}
	n, err := p.src.CountWhere(ctx, keep)
	if err != nil {
		return nil, err
	}
	return &Result{Columns: []string{"count"}, Rows: [][]any{{int64(n)}}}, nil
}

func (c *compiler) compileCount(s *query.SelectCount) (Plan, error) {
	src, err := c.source(s.From, s.NameAt(s.From, s.Pos))
	if err != nil {
		return nil, err
	}
	where, err := c.where(src, s.Where, false)
	if err != nil {
		return nil, err
	}
	return &countPlan{src: src, from: s.From, where: where}, nil
}

// The statement this file plans (see register).
func init() {
	register((*compiler).compileCount, true, nil)
}
