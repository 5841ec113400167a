package format

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
)

// readCSVRow reads one `key,v1,...,vd` record. A first record whose vector
// columns are all non-numeric is a header and is skipped. Keys may be quoted;
// values may have leading and trailing blanks.
func (r *Reader) readCSVRow() (string, []float32, error) {
	for {
		rec, err := r.csv.Read()
		if err == io.EOF {
			return "", nil, io.EOF
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				r.line = pe.Line
				return "", nil, r.errf(ErrSyntax, "%v", pe.Err)
			}
			return "", nil, r.ioErr(err)
		}
		r.line, _ = r.csv.FieldPos(0)
		if !r.csvHdr {
			r.csvHdr = true
			if isCSVHeader(rec) {
				continue
			}
		}
		return r.parseFields(rec[0], rec[1:])
	}
}

// isCSVHeader reports whether rec looks like `key,v1,...`: at least one
// vector column and none of them numeric.
func isCSVHeader(rec []string) bool {
	if len(rec) < 2 {
		return false
	}
	for _, f := range rec[1:] {
		if isNumber(strings.TrimSpace(f)) {
			return false
		}
	}
	return true
}

// parseFields checks a key and its value tokens against the dimension (set
// from the first row when unknown) and parses them.
func (r *Reader) parseFields(key string, vals []string) (string, []float32, error) {
	if strings.TrimSpace(key) == "" {
		return "", nil, r.errf(ErrSyntax, "empty key")
	}
	dim := r.dim
	if dim == 0 {
		if len(vals) == 0 {
			return "", nil, r.errf(ErrRagged, "expected a key and at least one value, got %s", quote(key))
		}
		if len(vals) > MaxDim {
			return "", nil, r.errf(ErrRagged, "row has %d values, more than the maximum dimension %d", len(vals), MaxDim)
		}
		dim = len(vals)
	}
	if len(vals) != dim {
		return "", nil, r.errf(ErrRagged, "expected %d values, got %d", dim, len(vals))
	}
	vec := make([]float32, dim)
	for j, s := range vals {
		v, err := r.parseValueString(strings.TrimSpace(s), j+1)
		if err != nil {
			return "", nil, err
		}
		vec[j] = v
	}
	r.dim = dim
	return key, vec, nil
}
