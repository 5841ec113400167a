package db

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/vecdb/vecdb/internal/vec"
	"github.com/vecdb/vecdb/query"
	"github.com/vecdb/vecdb/storage"
	"github.com/vecdb/vecdb/trainer"
)

// ColdField is the BOOL field that marks cold-start items: rows that have
// metadata but no events, whose vectors IMPORT METADATA … WITH (cold_start
// = 'fields') made from the trained items sharing their metadata (true),
// NULL for every other row. It shows in DESCRIBE (field and "cold items"
// count) and as a column of NEAREST, RECOMMEND and SELECT, so that
// RECOMMEND … WHERE cold_start = true asks for new items only. A TRAIN … WITH
// (continue = true) whose events include a cold item trains its vector
// further (from the metadata vector) and clears its mark.
const ColdField = "cold_start"

// coldTokens returns the tokens of a metadata value for cold start: a TEXT
// value is split at '|' (MovieLens genres "Comedy|Drama"), each part
// trimmed; other values are one token; NULL none.
func coldTokens(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		var out []string
		for _, p := range strings.Split(x, "|") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	default:
		return []string{fmt.Sprint(x)}
	}
}

// isCold reports whether a row's metadata marks it as a cold-start item.
func isCold(meta []any, flag int) bool {
	if flag < 0 || flag >= len(meta) {
		return false
	}
	b, _ := meta[flag].(bool)
	return b
}

// coldPlan says how IMPORT METADATA fills cold-start items: the fields
// whose tokens are shared (indexes in the collection's fields after the
// import's new ones) and the index of ColdField.
type coldPlan struct {
	names  []string
	fields []int
	flag   int
}

// resolveCold checks opts.ColdStart against the file's columns and the
// collection's fields and adds ColdField to newFields when the collection
// lacks it.
func (t *metaTable) resolveCold(source string, names []string, fields []Field, targets []metaTarget, newFields *[]Field) (*coldPlan, error) {
	all := append(append([]Field(nil), fields...), *newFields...)
	p := &coldPlan{flag: -1}
	for i, f := range all {
		if strings.EqualFold(f.Name, ColdField) {
			if f.Type != Bool {
				return nil, fmt.Errorf("%w: field %s is %s; cold start marks its rows in a BOOL field of that name", ErrFieldType, f.Name, f.Type)
			}
			p.flag = i
		}
	}
	for _, tg := range targets {
		if strings.EqualFold(t.cols[tg.col], ColdField) {
			return nil, invalidf("%s: column %q is the name cold start marks its rows with; rename it with WITH (columns = ...)", source, t.cols[tg.col])
		}
	}
	if p.flag < 0 {
		p.flag = len(all)
		*newFields = append(*newFields, Field{Name: ColdField, Type: Bool})
	}
	have := make([]string, 0, len(all))
	for _, f := range all {
		have = append(have, f.Name)
	}
	seen := map[int]bool{}
	for _, n := range names {
		fi := -1
		for i, f := range all {
			if strings.EqualFold(f.Name, n) {
				fi = i
			}
		}
		if fi < 0 || fi == p.flag {
			return nil, fmt.Errorf("%w: cold_start names %s, which is neither a column of %s nor a field%s", ErrFieldNotFound, query.QuoteIdent(n), source, didYouMean(n, have, query.QuoteIdent))
		}
		if !seen[fi] {
			seen[fi] = true
			p.names = append(p.names, all[fi].Name)
			p.fields = append(p.fields, fi)
		}
	}
	return p, nil
}

// fillCold gives vectors to the records coldRecs of the file (keys not in
// the collection, or rows already marked cold): the mean of the warm rows
// sharing their tokens (trainer.ColdStart), at the warm rows' median norm,
// with output weights made the same way when the collection stores them.
// A record none of whose tokens a warm row carries is counted in
// res.ColdSkipped and left out (a new key) or left as it was (a cold row).
func (t *metaTable) fillCold(ctx context.Context, sc *storage.Coll, res *MetadataResult, p *coldPlan, keyCol int, targets []metaTarget, vals [][]any, coldRecs []int) error {
	dim := sc.Meta().Dim
	nf := len(sc.Meta().Fields)
	hasOut := sc.HasOutput()
	in := trainer.NewColdStart(dim, len(p.fields))
	out := trainer.NewColdStart(dim, len(p.fields))
	var norms, outNorms []float64
	tokensOf := func(meta []any) [][]string {
		toks := make([][]string, len(p.fields))
		for j, fi := range p.fields {
			if fi < len(meta) {
				toks[j] = coldTokens(meta[fi])
			}
		}
		return toks
	}
	n := 0
	err := sc.Scan(storage.ScanOptions{Output: hasOut}, func(r *storage.Row) (bool, error) {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return false, err
			}
		}
		if isCold(r.Meta, p.flag) {
			return true, nil
		}
		toks := tokensOf(r.Meta)
		in.AddWarm(r.Vector, toks)
		norms = append(norms, float64(vec.Norm(r.Vector)))
		if r.Output != nil {
			out.AddWarm(r.Output, toks)
			outNorms = append(outNorms, float64(vec.Norm(r.Output)))
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	norm, outNorm := float32(median(norms)), float32(median(outNorms))
	for _, i := range coldRecs {
		key := t.recs[i][keyCol]
		meta := make([]any, nf)
		if id, ok := sc.ID(key); ok { // a row already marked cold
			old, err := sc.GetID(id)
			if err != nil {
				return err
			}
			copy(meta, old.Meta)
		}
		for j, tg := range targets {
			meta[tg.field] = vals[i][j]
		}
		meta[p.flag] = true
		v, ok := in.Vector(tokensOf(meta))
		if !ok || vec.Normalize(v) == 0 {
			res.ColdSkipped++
			if len(res.ColdExamples) < 5 {
				res.ColdExamples = append(res.ColdExamples, key)
			}
			continue
		}
		vec.Scale(norm, v)
		id, _, err := sc.Upsert(&storage.Row{Key: key, Vector: v, Meta: meta})
		if err != nil {
			return err
		}
		if hasOut {
			o, ok := out.Vector(tokensOf(meta))
			if !ok || vec.Normalize(o) == 0 {
				o = make([]float32, dim)
			} else {
				vec.Scale(outNorm, o)
			}
			if err := sc.SetOutput(id, o); err != nil {
				return err
			}
		}
		res.Cold++
	}
	return nil
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 1
	}
	sort.Float64s(xs)
	return xs[len(xs)/2]
}

// coldCount returns the number of rows of v marked cold (0 without ColdField).
func coldCount(v *View) (int, error) {
	fi := v.FieldIndex(ColdField)
	if fi < 0 {
		return 0, nil
	}
	n := 0
	for i := 0; i < v.Len(); i++ {
		m, err := v.Meta(i)
		if err != nil {
			return 0, err
		}
		if isCold(m, fi) {
			n++
		}
	}
	return n, nil
}

// coldFieldIndex returns the index of ColdField in sc's fields, or -1.
func coldFieldIndex(sc *storage.Coll) int {
	for i, f := range sc.Meta().Fields {
		if strings.EqualFold(f.Name, ColdField) {
			return i
		}
	}
	return -1
}
