package db

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
)

// Vector is a vector value: a placeholder's argument (it binds as a vector
// literal), and what a vector column scans into (Rows.Scan, and
// database/sql's Scan through the sqldriver package). It implements
// driver.Valuer and sql.Scanner.
type Vector []float32

// Value implements driver.Valuer: the vector itself, as []float32, which
// the vecdb driver accepts as an argument.
func (v Vector) Value() (driver.Value, error) { return []float32(v), nil }

// Scan implements sql.Scanner. It takes a []float32, a Vector, a []float64,
// nil (an empty vector), or text in the language's form "[0.1, -0.2]".
func (v *Vector) Scan(src any) error {
	switch s := src.(type) {
	case nil:
		*v = nil
	case []float32:
		*v = append(Vector(nil), s...)
	case Vector:
		*v = append(Vector(nil), s...)
	case []float64:
		out := make(Vector, len(s))
		for i, f := range s {
			out[i] = float32(f)
		}
		*v = out
	case string:
		return v.parse(s)
	case []byte:
		return v.parse(string(s))
	default:
		return fmt.Errorf("scan %T into a Vector: %w", src, ErrInvalid)
	}
	return nil
}

// parse reads "[0.1, -0.2]".
func (v *Vector) parse(s string) error {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "[") || !strings.HasSuffix(t, "]") {
		return fmt.Errorf("scan %q into a Vector: want [x, y, ...]: %w", s, ErrInvalid)
	}
	t = strings.TrimSpace(t[1 : len(t)-1])
	if t == "" {
		*v = Vector{}
		return nil
	}
	parts := strings.Split(t, ",")
	out := make(Vector, len(parts))
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 32)
		if err != nil {
			return fmt.Errorf("scan %q into a Vector: component %d: %w", s, i+1, ErrInvalid)
		}
		out[i] = float32(f)
	}
	*v = out
	return nil
}
