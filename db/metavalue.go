package db

import (
	"fmt"
	"math"
	"reflect"

	"github.com/vecdb/vecdb/internal/errdefs"
)

// metaValue converts a metadata value given through the Go API (Row.Meta,
// SetMeta) to the stored type of field f: string for TEXT, int64 for INT,
// float64 for FLOAT, bool for BOOL, nil for NULL. Any Go integer kind (int,
// int8 … int64, uint … uint64, uintptr) and float kind (float32, float64),
// named types included, is taken when the value fits the field exactly:
// an INT takes a whole float within the int64 range and an unsigned value
// up to math.MaxInt64; a FLOAT takes an integer that float64 holds exactly
// (|n| ≤ 2^53, or a larger one that happens to be exact). Anything else —
// a fraction into INT, an overflow, a NaN, a string into INT — is an error
// naming the field that matches ErrFieldType.
func metaValue(f Field, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	rv := reflect.ValueOf(v)
	bad := func(why string) error {
		return errdefs.Newf(ErrFieldType, "field %s: %v (%T) %s", f.Name, shorten(v), v, why)
	}
	notA := func() error { return bad("is not a " + f.Type.String()) }
	switch f.Type {
	case Text:
		if rv.Kind() != reflect.String {
			return nil, notA()
		}
		return rv.String(), nil
	case Bool:
		if rv.Kind() != reflect.Bool {
			return nil, notA()
		}
		return rv.Bool(), nil
	case Int:
		switch rv.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return rv.Int(), nil
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			u := rv.Uint()
			if u > math.MaxInt64 {
				return nil, bad("overflows INT (at most 9223372036854775807)")
			}
			return int64(u), nil
		case reflect.Float32, reflect.Float64:
			x := rv.Float()
			switch {
			case math.IsNaN(x) || math.IsInf(x, 0):
				return nil, bad("is not a number an INT holds")
			case x != math.Trunc(x):
				return nil, bad("has a fraction; an INT field holds whole numbers")
			case x < -(1<<63) || x >= 1<<63:
				return nil, bad("overflows INT")
			}
			return int64(x), nil
		}
		return nil, notA()
	case Float:
		switch rv.Kind() {
		case reflect.Float32, reflect.Float64:
			x := rv.Float()
			if math.IsNaN(x) {
				return nil, bad("is NaN, which a FLOAT field does not hold")
			}
			return x, nil
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			n := rv.Int()
			x := float64(n)
			if n > maxExactInt || n < -maxExactInt {
				// float64(n) rounds; it is exact only when it converts back.
				if x >= 1<<63 || int64(x) != n {
					return nil, bad("is not exactly representable as a FLOAT (float64)")
				}
			}
			return x, nil
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			u := rv.Uint()
			x := float64(u)
			if u > maxExactInt && (x >= 1<<64 || uint64(x) != u) {
				return nil, bad("is not exactly representable as a FLOAT (float64)")
			}
			return x, nil
		}
		return nil, notA()
	}
	return nil, fmt.Errorf("field %s has an unknown type %v", f.Name, f.Type)
}

// metaValues converts the metadata values of a row given through the Go
// API (see metaValue) into a new slice; meta itself is not modified.
func metaValues(fields []Field, key string, meta []any) ([]any, error) {
	if len(meta) == 0 {
		return meta, nil
	}
	if len(meta) > len(fields) {
		return nil, errdefs.Newf(ErrInvalid, "key %q has %d metadata values, the collection has %d fields", key, len(meta), len(fields))
	}
	out := make([]any, len(meta))
	for i, v := range meta {
		x, err := metaValue(fields[i], v)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", key, err)
		}
		out[i] = x
	}
	return out, nil
}
