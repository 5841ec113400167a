package format

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// jsonRow is one JSONL line. "key" wins over "id" and "vector" over
// "embedding"; an "id" may be a string or a number.
type jsonRow struct {
	Key       *string           `json:"key"`
	ID        json.RawMessage   `json:"id"`
	Vector    []json.RawMessage `json:"vector"`
	Embedding []json.RawMessage `json:"embedding"`
}

// jsonProblem describes a JSON decoding error in the file's terms: a
// syntax error as encoding/json words it, a value of the wrong type by the
// field that holds it (not by jsonRow's Go field).
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return fmt.Sprintf("%q cannot be a JSON %s", te.Field, te.Value)
		}
		return fmt.Sprintf("a line cannot be a JSON %s", te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return se.Error() // "invalid character ...", without a "json: " prefix
	}
	return err.Error() // none other is expected: jsonRow holds raw values

}

// readJSONRow reads one JSONL object, skipping blank lines.
func (r *Reader) readJSONRow() (string, []float32, error) {
	for {
		line, err := r.readLine()
		if err != nil {
			return "", nil, err
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var row jsonRow
		if err := json.Unmarshal(line, &row); err != nil {
			return "", nil, r.errf(ErrSyntax, "bad JSON: %s", jsonProblem(err))
		}
		var key string
		switch {
		case row.Key != nil:
			key = *row.Key
		case len(row.ID) > 0 && row.ID[0] == '"':
			if err := json.Unmarshal(row.ID, &key); err != nil {
				return "", nil, r.errf(ErrSyntax, "bad JSON: %s", jsonProblem(err))
			}
		case len(row.ID) > 0 && row.ID[0] != 'n' && row.ID[0] != '{' && row.ID[0] != '[' && row.ID[0] != 't' && row.ID[0] != 'f':
			key = string(row.ID)
		default:
			return "", nil, r.errf(ErrSyntax, `missing "key" (or "id") string`)
		}
		vals := row.Vector
		if vals == nil {
			vals = row.Embedding
		}
		if vals == nil {
			return "", nil, r.errf(ErrSyntax, `missing "vector" (or "embedding") array`)
		}
		strs := make([]string, len(vals))
		for i, v := range vals {
			// Numbers only: not "3", not null, not nested arrays.
			if len(v) == 0 || (v[0] != '-' && (v[0] < '0' || v[0] > '9')) {
				return "", nil, r.errf(ErrSyntax, "value %d is %s, not a number", i+1, v)
			}
			strs[i] = string(v)
		}
		return r.parseFields(key, strs)
	}
}
