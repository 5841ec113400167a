package db

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vecdb/vecdb/format"
	"github.com/vecdb/vecdb/internal/errdefs"
	"github.com/vecdb/vecdb/internal/textline"
	"github.com/vecdb/vecdb/query"
	"github.com/vecdb/vecdb/storage"
)

// MetadataOptions tune ImportMetadata.
type MetadataOptions struct {
	// Key names the column holding row keys; "" means the first column.
	Key string
	// Header says whether the first line names the columns. nil means true
	// unless Columns is set.
	Header *bool
	// Columns names the file's columns (for files without a header).
	Columns []string
	// Delimiter separates fields; 0 means ',' for .csv files and a tab
	// otherwise.
	Delimiter rune
	// KeepSpace keeps the white space around keys and values. By default
	// it is trimmed (quoted or not), so that "0 \tGucci Time" (Yes.com's
	// song_hash.txt) gives key "0"; trim = false in the language sets it.
	KeepSpace bool
	// Format is format.Auto (a Parquet file by its magic bytes, else
	// text) or format.Parquet. Header, Columns and Delimiter are for text
	// files: a Parquet file names its columns itself.
	Format Format
	// ColdStart, when set, names the fields (columns of the file or fields
	// of the collection) from which the file's keys that are not in the
	// collection get vectors: cold-start items, items with metadata but no
	// events. Each gets the mean of the trained ("warm") rows that share
	// its values, field by field (a TEXT value is split at '|', so
	// "Comedy|Drama" shares with every Comedy and every Drama row; see
	// trainer.ColdStart), is added with count 0, and is marked true in the
	// BOOL field ColdField. A key that shares no value with a warm row is
	// skipped and counted (ColdSkipped). Rows already marked cold that the
	// file names get new vectors the same way.
	ColdStart []string
}

// MetadataResult reports what ImportMetadata did.
type MetadataResult struct {
	Collection string
	Rows       int      // rows of the collection that were updated
	Unknown    int      // lines whose key is not in the collection
	Examples   []string // up to 5 of those keys
	NewFields  []Field  // fields added to the collection
	// With MetadataOptions.ColdStart: the cold-start items given vectors
	// (added or refreshed), and the keys skipped because they share no
	// value with a trained row (up to 5 of them in ColdExamples).
	Cold         int
	ColdSkipped  int
	ColdExamples []string
	ColdFields   []string
}

// String summarises the result for a user.
func (r *MetadataResult) String() string {
	s := fmt.Sprintf("set metadata of %d rows of %s", r.Rows, r.Collection)
	if len(r.NewFields) > 0 {
		parts := make([]string, len(r.NewFields))
		for i, f := range r.NewFields {
			parts[i] = f.Name + " " + f.Type.String()
		}
		s += " (new fields: " + strings.Join(parts, ", ") + ")"
	}
	if r.Unknown > 0 {
		q := make([]string, len(r.Examples))
		for i, k := range r.Examples {
			q[i] = quoteKey(k)
		}
		more := ""
		if r.Unknown > len(r.Examples) {
			more = ", ..."
		}
		s += fmt.Sprintf("; %d keys of the file are not in %s: %s%s", r.Unknown, r.Collection, strings.Join(q, ", "), more)
	}
	if len(r.ColdFields) > 0 {
		s += fmt.Sprintf("; %d cold-start items got vectors from %s", r.Cold, strings.Join(r.ColdFields, ", "))
	}
	if r.ColdSkipped > 0 {
		q := make([]string, len(r.ColdExamples))
		for i, k := range r.ColdExamples {
			q[i] = quoteKey(k)
		}
		more := ""
		if r.ColdSkipped > len(r.ColdExamples) {
			more = ", ..."
		}
		s += fmt.Sprintf("; %d keys share no value with a trained item and were skipped: %s%s", r.ColdSkipped, strings.Join(q, ", "), more)
	}
	return s
}

// ImportMetadata reads a TSV or CSV file (quoted fields and CRLF line ends
// allowed, .gz read transparently) whose rows give typed metadata for the
// keys of a collection, in one transaction. Columns that are not fields yet
// become fields, typed INT, FLOAT, BOOL or TEXT by what all their values
// parse as; empty values are NULL. Keys not in the collection are counted
// and reported, not silently dropped; a ragged line is an error with its
// line number.
//
// A Parquet file (by its magic bytes, or with opts.Format format.Parquet)
// gives its keys in the column named opts.Key, else the first column
// named key, word or id (as IMPORT finds it; strings or integers), and
// every other column becomes a field of its own type (strings TEXT,
// integers INT, floats FLOAT, booleans BOOL), except an integer column
// named count and a list column named vector or embedding, which IMPORT
// reads as the counts and the vectors (so a file written by EXPORT gives
// its metadata back); its nulls are NULL. It needs
// the Parquet codec, like ImportParquet: without it the error matches
// ErrNoTableCodec.
func (d *DB) ImportMetadata(ctx context.Context, name, path string, opts MetadataOptions) (*MetadataResult, error) {
	if opts.Format != format.Auto && opts.Format != format.Parquet {
		return nil, invalidf("import metadata: format %v: metadata files are text (tab- or comma-separated) or Parquet", opts.Format)
	}
	f, err := d.openRead(path)
	if err != nil {
		return nil, fmt.Errorf("import metadata: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if magic, _ := br.Peek(len(parquetMagic)); opts.Format == format.Parquet || string(magic) == parquetMagic {
		if len(opts.ColdStart) > 0 {
			return nil, invalidf("import metadata: %s: cold_start reads a text metadata file (tab- or comma-separated), not Parquet yet", path)
		}
		return d.importMetadataTable(ctx, name, path, f, opts)
	}
	var r io.Reader = br
	if strings.HasSuffix(strings.ToLower(path), ".gz") {
		gz, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("import metadata: %s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	if opts.Delimiter == 0 {
		opts.Delimiter = '\t'
		if strings.HasSuffix(strings.ToLower(strings.TrimSuffix(path, ".gz")), ".csv") {
			opts.Delimiter = ','
		}
	}
	return d.ImportMetadataReader(ctx, name, r, path, opts)
}

// ImportMetadataReader is ImportMetadata from a reader (source names the
// input in messages).
func (d *DB) ImportMetadataReader(ctx context.Context, name string, r io.Reader, source string, opts MetadataOptions) (*MetadataResult, error) {
	c, err := d.Collection(name)
	if err != nil {
		return nil, err
	}
	info, err := c.Info()
	if err != nil {
		return nil, err
	}
	t, err := readMetadataTable(r, source, opts)
	if err != nil {
		return nil, err
	}
	keyCol, err := t.keyColumn(source, opts.Key)
	if err != nil {
		return nil, err
	}
	if err := t.checkWidths(source, keyCol); err != nil {
		return nil, err
	}
	targets, newFields, err := t.targets(source, keyCol, info.Fields)
	if err != nil {
		return nil, err
	}
	var cold *coldPlan
	if len(opts.ColdStart) > 0 {
		if cold, err = t.resolveCold(source, opts.ColdStart, info.Fields, targets, &newFields); err != nil {
			return nil, err
		}
	}
	vals, err := t.convert(source, targets)
	if err != nil {
		return nil, err
	}
	res := &MetadataResult{Collection: name, NewFields: newFields}
	err = d.update(ctx, name, func(sc *storage.Coll) error {
		if cold == nil {
			return t.apply(ctx, sc, res, keyCol, targets, vals, nil)
		}
		var coldRecs []int
		if err := t.apply(ctx, sc, res, keyCol, targets, vals, &coldRecs); err != nil {
			return err
		}
		res.Cold, res.ColdSkipped, res.ColdExamples, res.ColdFields = 0, 0, nil, cold.names
		return t.fillCold(ctx, sc, res, cold, keyCol, targets, vals, coldRecs)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// metaTable is a metadata file read whole: its column names, its records
// and the line each record starts on.
type metaTable struct {
	cols  []string
	recs  [][]string
	lines []int
}

// metaTarget maps a file column to a collection field.
type metaTarget struct {
	col   int
	field int // index in the collection's fields after adding new ones
	typ   FieldType
}

// readMetadataTable reads every record of a delimited file, taking the
// column names from the header line or from opts.Columns (trimmed in place).
func readMetadataTable(r io.Reader, source string, opts MetadataOptions) (*metaTable, error) {
	if opts.Delimiter == 0 {
		opts.Delimiter = '\t'
	}
	cr := csv.NewReader(textline.NewReader(r)) // encoding/csv has no line bound
	cr.Comma = opts.Delimiter
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	header := opts.Header == nil && len(opts.Columns) == 0 || opts.Header != nil && *opts.Header
	t := &metaTable{cols: opts.Columns}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, invalidf("%s line %d: %v", source, pe.Line, pe.Err)
			}
			return nil, fmt.Errorf("import metadata: %s: %w", source, err)
		}
		line, _ := cr.FieldPos(0)
		if !opts.KeepSpace {
			for i := range rec {
				rec[i] = strings.TrimSpace(rec[i])
			}
		}
		if len(t.recs) == 0 && t.lines == nil && header {
			if len(rec) > 0 {
				rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
			}
			if len(t.cols) == 0 {
				t.cols = append([]string(nil), rec...)
			}
			t.lines = []int{}
			continue
		}
		t.recs = append(t.recs, rec)
		t.lines = append(t.lines, line)
	}
	if len(t.cols) == 0 {
		return nil, invalidf("%s has no header; name its columns with WITH (columns = 'id,title,...')", source)
	}
	for i := range t.cols {
		t.cols[i] = strings.TrimSpace(t.cols[i])
	}
	return t, nil
}

// keyColumn returns the index of the key column: key, else the first.
func (t *metaTable) keyColumn(source, key string) (int, error) {
	if key == "" {
		return 0, nil
	}
	keyCol := -1
	for i, c := range t.cols {
		if strings.EqualFold(c, key) {
			keyCol = i
		}
	}
	if keyCol < 0 {
		return 0, invalidf("%s has no column %q (columns: %s)", source, key, strings.Join(t.cols, ", "))
	}
	return keyCol, nil
}

// checkWidths checks that every record has one field per column and a key
// within MaxKeyBytes, and that no key comes twice (the second line would
// silently replace the first).
func (t *metaTable) checkWidths(source string, keyCol int) error {
	lineOf := make(map[string]int, len(t.recs))
	for i, rec := range t.recs {
		if len(rec) != len(t.cols) {
			return invalidf("%s line %d has %d fields, expected %d", source, t.lines[i], len(rec), len(t.cols))
		}
		if len(rec[keyCol]) > MaxKeyBytes {
			return fmt.Errorf("%s line %d: %w", source, t.lines[i], errdefs.KeyTooLong(rec[keyCol]))
		}
		if first, dup := lineOf[rec[keyCol]]; dup {
			return fmt.Errorf("%w: %s lines %d and %d both give key %q; keep one", ErrDuplicateKey, source, first, t.lines[i], rec[keyCol])
		}
		lineOf[rec[keyCol]] = t.lines[i]
	}
	return nil
}

// targets decides each non-key column's field and type: an existing field
// of the same name, else a new field of the inferred type.
func (t *metaTable) targets(source string, keyCol int, fields []Field) ([]metaTarget, []Field, error) {
	var targets []metaTarget
	var newFields []Field
	nFields := len(fields)
	seen := map[string]bool{}
	for ci, cname := range t.cols {
		if ci == keyCol {
			continue
		}
		if err := metaColumnName(source, ci, cname, seen, "with WITH (columns = ...)"); err != nil {
			return nil, nil, err
		}
		fi := -1
		for i, f := range fields {
			if strings.EqualFold(f.Name, cname) {
				fi = i
			}
		}
		if fi >= 0 {
			targets = append(targets, metaTarget{ci, fi, fields[fi].Type})
			continue
		}
		typ := inferType(t.recs, ci)
		newFields = append(newFields, Field{Name: cname, Type: typ})
		targets = append(targets, metaTarget{ci, nFields, typ})
		nFields++
	}
	return targets, newFields, nil
}

// metaColumnName checks the name of the ci-th column of a metadata file:
// not empty, not a built-in column, not seen before (ignoring case).
func metaColumnName(source string, ci int, cname string, seen map[string]bool, rename string) error {
	lower := strings.ToLower(cname)
	if cname == "" {
		return invalidf("%s: column %d has no name", source, ci+1)
	}
	if seen[lower] {
		return invalidf("%s: column %q appears twice", source, cname)
	}
	seen[lower] = true
	switch lower {
	case "key", "vector", "count", "similarity", "distance", "rank", "query":
		return invalidf("%s: column %q is a built-in column name; rename it %s", source, cname, rename)
	}
	return nil
}

// convert parses every target value of every record, before anything is written.
func (t *metaTable) convert(source string, targets []metaTarget) ([][]any, error) {
	vals := make([][]any, len(t.recs))
	for i, rec := range t.recs {
		row := make([]any, len(targets))
		for j, tg := range targets {
			v, err := parseValue(rec[tg.col], tg.typ)
			if err != nil {
				return nil, fmt.Errorf("%w: %s line %d, column %s: %v", ErrFieldType, source, t.lines[i], t.cols[tg.col], err)
			}
			row[j] = v
		}
		vals[i] = row
	}
	return vals, nil
}

// apply adds res.NewFields to sc and sets the converted values vals on the
// rows whose key is in sc, counting into res the rows updated and the keys
// unknown. With coldRecs, the records of keys not in sc and of rows marked
// cold (ColdField) are listed there instead, for fillCold.
func (t *metaTable) apply(ctx context.Context, sc *storage.Coll, res *MetadataResult, keyCol int, targets []metaTarget, vals [][]any, coldRecs *[]int) error {
	res.Rows, res.Unknown, res.Examples = 0, 0, nil
	for _, f := range res.NewFields {
		if err := sc.AddField(f); err != nil {
			return err
		}
	}
	nf := len(sc.Meta().Fields)
	flag := coldFieldIndex(sc)
	for i, rec := range t.recs {
		if i%1000 == 999 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		key := rec[keyCol]
		id, ok := sc.ID(key)
		if !ok && coldRecs != nil {
			*coldRecs = append(*coldRecs, i)
			continue
		}
		if !ok {
			res.Unknown++
			if len(res.Examples) < 5 {
				res.Examples = append(res.Examples, key)
			}
			continue
		}
		r, err := sc.GetID(id)
		if err != nil {
			return err
		}
		meta := make([]any, nf)
		copy(meta, r.Meta)
		for j, tg := range targets {
			meta[tg.field] = vals[i][j]
		}
		if coldRecs != nil && isCold(meta, flag) {
			*coldRecs = append(*coldRecs, i)
			continue // fillCold writes its metadata with its new vector
		}
		if err := sc.SetMeta(id, meta); err != nil {
			return err
		}
		res.Rows++
	}
	return nil
}

// inferType returns the narrowest type that every non-empty value of a
// column parses as: INT, FLOAT, BOOL, else TEXT.
func inferType(recs [][]string, col int) FieldType {
	isInt, isFloat, isBool, any := true, true, true, false
	for _, rec := range recs {
		s := strings.TrimSpace(rec[col])
		if s == "" {
			continue
		}
		any = true
		if isInt {
			if _, err := strconv.ParseInt(s, 10, 64); err != nil {
				isInt = false
			}
		}
		if isFloat {
			if f, err := strconv.ParseFloat(s, 64); err != nil || f != f {
				isFloat = false
			}
		}
		if isBool {
			if _, ok := parseBool(s); !ok {
				isBool = false
			}
		}
		if !isInt && !isFloat && !isBool {
			return Text
		}
	}
	switch {
	case !any:
		return Text
	case isInt:
		return Int
	case isFloat:
		return Float
	case isBool:
		return Bool
	}
	return Text
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

func parseValue(s string, t FieldType) (any, error) {
	if t != Text {
		s = strings.TrimSpace(s)
	}
	if s == "" {
		return nil, nil
	}
	switch t {
	case Int:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not an INT", s)
		}
		return n, nil
	case Float:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f != f {
			return nil, fmt.Errorf("%q is not a FLOAT", s)
		}
		return f, nil
	case Bool:
		b, ok := parseBool(s)
		if !ok {
			return nil, fmt.Errorf("%q is not a BOOL", s)
		}
		return b, nil
	}
	return s, nil
}

var metadataOptions = []optDef{
	{name: "key", kind: optString, def: "the first column", doc: "the column holding the row keys"},
	{name: "header", kind: optBool, def: "true, false with columns", doc: "the first line names the columns"},
	{name: "columns", kind: optString, def: "", doc: "column names, comma-separated (for files without a header)"},
	{name: "delimiter", kind: optString, def: "comma for .csv, else tab", doc: "the field separator (one character)"},
	{name: "trim", kind: optBool, def: "true", doc: "trim the white space around keys and values ('0 \\t…' gives key '0'); false keeps it"},
	{name: "cold_start", kind: optString, def: "", doc: "fields (comma-separated) whose values give vectors to the file's keys not in the collection: cold-start items, marked in the BOOL field cold_start; a TEXT value is split at vertical bars, as in MovieLens genres"},
}

func (c *compiler) compileImportMetadata(s *query.ImportMetadata) (Plan, error) {
	if _, err := c.source(s.Into, s.NameAt(s.Into, s.Pos)); err != nil {
		return nil, err
	}
	opts, err := c.options(s, s.With, metadataOptions, "IMPORT METADATA")
	if err != nil {
		return nil, err
	}
	spec := MetadataSpec{Collection: s.Into, Path: s.Path, Parquet: s.Format == "PARQUET"}
	if spec.Parquet || guessFormat(s.Path) == format.Parquet {
		for _, o := range []string{"header", "columns", "delimiter", "trim"} {
			if _, ok := opts[o]; ok {
				return nil, errorIs(ErrInvalid, s.At("option "+o, s.With[o].Pos), "%s is for text files: a Parquet file names its columns", o)
			}
		}
	}
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
	if trim, ok := opts["trim"].(bool); ok {
		spec.KeepSpace = !trim
	}
	if cs, ok := opts["cold_start"].(string); ok {
		for _, f := range strings.Split(cs, ",") {
			f = strings.TrimSpace(f)
			if f == "" {
				return nil, errorIs(ErrInvalid, s.With["cold_start"].Pos, "cold_start has an empty field name")
			}
			spec.ColdStart = append(spec.ColdStart, f)
		}
	}
	desc := fmt.Sprintf("IMPORT METADATA INTO %s FROM %s", query.QuoteIdent(s.Into), query.QuoteString(s.Path))
	if spec.Parquet {
		desc += " (format PARQUET)"
	}
	if len(spec.ColdStart) > 0 {
		desc += fmt.Sprintf(" (cold-start items from %s: mean of the trained items sharing each value)", strings.Join(spec.ColdStart, ", "))
	}
	return &backendPlan{desc: desc, pos: s.At("path", s.Pos), run: func(ctx context.Context, d *DB) (*Result, error) {
		return d.execImportMetadata(ctx, spec)
	}}, nil
}

// MetadataSpec is a compiled IMPORT METADATA. Key names the key column
// ("" = the first); Columns, when set, name the file's columns (and then
// the file has no header unless Header says so); Delimiter 0 means by
// extension (',' for .csv, tab otherwise). Parquet (FORMAT PARQUET) reads
// the file as Parquet whatever its name; without it a Parquet file is
// known by its magic bytes.
type MetadataSpec struct {
	Collection string
	Path       string
	Parquet    bool
	Key        string
	Header     *bool
	Columns    []string
	Delimiter  rune
	KeepSpace  bool // WITH (trim = false)
	ColdStart  []string
}

func (d *DB) execImportMetadata(ctx context.Context, s MetadataSpec) (*Result, error) {
	opts := MetadataOptions{Key: s.Key, Header: s.Header, Columns: s.Columns, Delimiter: s.Delimiter, KeepSpace: s.KeepSpace, ColdStart: s.ColdStart}
	if s.Parquet {
		opts.Format = format.Parquet
	}
	res, err := d.ImportMetadata(ctx, s.Collection, s.Path, opts)
	if err != nil {
		return nil, err
	}
	return &Result{Message: res.String(), Stats: Stats{RowsAffected: res.Rows + res.Cold}}, nil
}

// The statements this file plans (see register).
func init() {
	register((*compiler).compileImportMetadata, false, writesAlways[*query.ImportMetadata])
}
