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

	"github.com/vecdb/vecdb/internal/errdefs"
	"github.com/vecdb/vecdb/internal/textline"
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
}

// MetadataResult reports what ImportMetadata did.
type MetadataResult struct {
	Collection string
	Rows       int      // rows of the collection that were updated
	Unknown    int      // lines whose key is not in the collection
	Examples   []string // up to 5 of those keys
	NewFields  []Field  // fields added to the collection
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
	return s
}

// ImportMetadata reads a TSV or CSV file (quoted fields and CRLF line ends
// allowed, .gz read transparently) whose rows give typed metadata for the
// keys of a collection, in one transaction. Columns that are not fields yet
// become fields, typed INT, FLOAT, BOOL or TEXT by what all their values
// parse as; empty values are NULL. Keys not in the collection are counted
// and reported, not silently dropped; a ragged line is an error with its
// line number.
func (d *DB) ImportMetadata(ctx context.Context, name, path string, opts MetadataOptions) (*MetadataResult, error) {
	f, err := d.openRead(path)
	if err != nil {
		return nil, fmt.Errorf("import metadata: %w", err)
	}
	defer f.Close()
	var r io.Reader = bufio.NewReader(f)
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
	if opts.Delimiter == 0 {
		opts.Delimiter = '\t'
	}
	cr := csv.NewReader(textline.NewReader(r)) // encoding/csv has no line bound
	cr.Comma = opts.Delimiter
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	header := opts.Header == nil && len(opts.Columns) == 0 || opts.Header != nil && *opts.Header
	cols := opts.Columns
	var recs [][]string
	var lines []int
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
		if len(recs) == 0 && lines == nil && header {
			if len(rec) > 0 {
				rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
			}
			if len(cols) == 0 {
				cols = append([]string(nil), rec...)
			}
			lines = []int{}
			continue
		}
		recs = append(recs, rec)
		lines = append(lines, line)
	}
	if len(cols) == 0 {
		return nil, invalidf("%s has no header; name its columns with WITH (columns = 'id,title,...')", source)
	}
	for i := range cols {
		cols[i] = strings.TrimSpace(cols[i])
	}
	keyCol := 0
	if opts.Key != "" {
		keyCol = -1
		for i, c := range cols {
			if strings.EqualFold(c, opts.Key) {
				keyCol = i
			}
		}
		if keyCol < 0 {
			return nil, invalidf("%s has no column %q (columns: %s)", source, opts.Key, strings.Join(cols, ", "))
		}
	}
	for i, rec := range recs {
		if len(rec) != len(cols) {
			return nil, invalidf("%s line %d has %d fields, expected %d", source, lines[i], len(rec), len(cols))
		}
		if len(rec[keyCol]) > MaxKeyBytes {
			return nil, fmt.Errorf("%s line %d: %w", source, lines[i], errdefs.KeyTooLong(rec[keyCol]))
		}
	}
	// Decide each column's field and type.
	type target struct {
		col   int
		field int // index in the collection's fields after adding new ones
		typ   FieldType
	}
	var targets []target
	var newFields []Field
	nFields := len(info.Fields)
	seen := map[string]bool{}
	for ci, cname := range cols {
		if ci == keyCol {
			continue
		}
		lower := strings.ToLower(cname)
		if cname == "" {
			return nil, invalidf("%s: column %d has no name", source, ci+1)
		}
		if seen[lower] {
			return nil, invalidf("%s: column %q appears twice", source, cname)
		}
		seen[lower] = true
		switch lower {
		case "key", "vector", "count", "similarity", "distance", "rank", "query":
			return nil, invalidf("%s: column %q is a built-in column name; rename it with WITH (columns = ...)", source, cname)
		}
		fi := -1
		for i, f := range info.Fields {
			if strings.EqualFold(f.Name, cname) {
				fi = i
			}
		}
		if fi >= 0 {
			targets = append(targets, target{ci, fi, info.Fields[fi].Type})
			continue
		}
		t := inferType(recs, ci)
		newFields = append(newFields, Field{Name: cname, Type: t})
		targets = append(targets, target{ci, nFields, t})
		nFields++
	}
	// Convert every value before writing anything.
	vals := make([][]any, len(recs))
	for i, rec := range recs {
		row := make([]any, len(targets))
		for j, t := range targets {
			v, err := parseValue(rec[t.col], t.typ)
			if err != nil {
				return nil, fmt.Errorf("%w: %s line %d, column %s: %v", ErrFieldType, source, lines[i], cols[t.col], err)
			}
			row[j] = v
		}
		vals[i] = row
	}
	res := &MetadataResult{Collection: name, NewFields: newFields}
	err = d.update(ctx, name, func(sc *storage.Coll) error {
		res.Rows, res.Unknown, res.Examples = 0, 0, nil
		for _, f := range newFields {
			if err := sc.AddField(f); err != nil {
				return err
			}
		}
		nf := len(sc.Meta().Fields)
		for i, rec := range recs {
			if i%1000 == 999 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			key := rec[keyCol]
			id, ok := sc.ID(key)
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
			for j, t := range targets {
				meta[t.field] = vals[i][j]
			}
			if err := sc.SetMeta(id, meta); err != nil {
				return err
			}
			res.Rows++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
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
