package db

import (
	"context"
	"fmt"
	"github.com/vecdb/vecdb/query"
	"strings"
	"unicode/utf8"

	"github.com/vecdb/vecdb/internal/vec"
)

var importOptions = []optDef{
	{name: "limit", kind: optInt, min: 0},
	{name: "metric", kind: optWord},
	{name: "index", kind: optBool},
}

var metadataOptions = []optDef{
	{name: "key", kind: optString},
	{name: "header", kind: optBool},
	{name: "columns", kind: optString},
	{name: "delimiter", kind: optString},
}

func (c *compiler) format(name string, binary bool, stmt query.Position) (string, error) {
	if name == "" {
		return "", nil
	}
	u := strings.ToUpper(name)
	if !containsFold(query.FileFormats, u) {
		return "", errorAt(c.loc.after(stmt, "FORMAT"), "unknown format %s (want %s)%s", name, strings.Join(query.FileFormats, ", "), didYouMean(u, query.FileFormats, bare))
	}
	if binary && u != "WORD2VEC" {
		return "", errorAt(c.loc.after(stmt, "FORMAT"), "BINARY goes only with FORMAT WORD2VEC")
	}
	return u, nil
}

func (c *compiler) compileImport(s *query.Import) (Plan, error) {
	f, err := c.format(s.Format, s.Binary, s.Pos)
	if err != nil {
		return nil, err
	}
	opts, err := c.options(s.With, importOptions, "IMPORT")
	if err != nil {
		return nil, err
	}
	if s.Path == "" {
		return nil, errorAt(c.loc.after(s.Pos, "FROM"), "the path is empty")
	}
	spec := ImportSpec{Collection: s.Into, Path: s.Path, Catalog: s.Catalog, Format: f, Binary: s.Binary}
	if n, ok := opts["limit"].(int); ok {
		spec.Limit = n
	}
	if b, ok := opts["index"].(bool); ok {
		spec.Index = &b
	}
	if m, ok := opts["metric"].(string); ok {
		mt, err := vec.ParseMetric(m)
		if err != nil || !containsFold([]string{"COSINE", "DOT", "L2"}, m) {
			return nil, errorAt(s.With["metric"].Pos, "unknown metric %s (want COSINE, DOT or L2)", m)
		}
		spec.Metric = &mt
	}
	what := "file " + query.QuoteString(s.Path)
	if s.Catalog {
		what = "catalog entry " + query.QuoteString(s.Path)
	}
	desc := fmt.Sprintf("IMPORT INTO %s FROM %s", query.QuoteIdent(s.Into), what)
	if f != "" {
		desc += " (format " + f + ")"
	} else {
		desc += " (format sniffed)"
	}
	if spec.Limit > 0 {
		desc += fmt.Sprintf(", first %d rows", spec.Limit)
	}
	return &backendPlan{desc: desc, pos: c.loc.after(s.Pos, "FROM"), run: func(ctx context.Context, d *DB) (*Result, error) {
		return d.execImport(ctx, spec)
	}}, nil
}

func (c *compiler) compileImportMetadata(s *query.ImportMetadata) (Plan, error) {
	if _, err := c.source(s.Into, s.Pos, "INTO"); err != nil {
		return nil, err
	}
	opts, err := c.options(s.With, metadataOptions, "IMPORT METADATA")
	if err != nil {
		return nil, err
	}
	spec := MetadataSpec{Collection: s.Into, Path: s.Path}
	if k, ok := opts["key"].(string); ok {
		spec.Key = k
	}
	if h, ok := opts["header"].(bool); ok {
		spec.Header = &h
	}
	if cols, ok := opts["columns"].(string); ok {
		for _, col := range strings.Split(cols, ",") {
			col = strings.TrimSpace(col)
			if col == "" {
				return nil, errorAt(s.With["columns"].Pos, "columns has an empty name")
			}
			spec.Columns = append(spec.Columns, col)
		}
	}
	if d, ok := opts["delimiter"].(string); ok {
		switch d {
		case `\t`, "tab", "\t":
			spec.Delimiter = '\t'
		default:
			r, n := utf8.DecodeRuneInString(d)
			if n != len(d) || d == "" || r == '"' || r == '\n' || r == '\r' {
				return nil, errorAt(s.With["delimiter"].Pos, "delimiter must be one character, got %s", query.QuoteString(d))
			}
			spec.Delimiter = r
		}
	}
	desc := fmt.Sprintf("IMPORT METADATA INTO %s FROM %s", query.QuoteIdent(s.Into), query.QuoteString(s.Path))
	return &backendPlan{desc: desc, pos: c.loc.after(s.Pos, "FROM"), run: func(ctx context.Context, d *DB) (*Result, error) {
		return d.execImportMetadata(ctx, spec)
	}}, nil
}

func (c *compiler) compileExport(s *query.Export) (Plan, error) {
	if _, err := c.source(s.Collection, s.Pos, "EXPORT"); err != nil {
		return nil, err
	}
	f, err := c.format(s.Format, s.Binary, s.Pos)
	if err != nil {
		return nil, err
	}
	if _, err := c.options(s.With, nil, "EXPORT"); err != nil {
		return nil, err
	}
	spec := ExportSpec{Collection: s.Collection, Path: s.Path, Format: f, Binary: s.Binary}
	desc := fmt.Sprintf("EXPORT %s TO %s", query.QuoteIdent(s.Collection), query.QuoteString(s.Path))
	if f != "" {
		desc += " (format " + f + ")"
	}
	return &backendPlan{desc: desc, pos: c.loc.after(s.Pos, "TO"), run: func(ctx context.Context, d *DB) (*Result, error) {
		return d.execExport(ctx, spec)
	}}, nil
}
