package db

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// TestMetaGoKinds: Row.Meta (Insert, Upsert) and SetMeta take any Go
// integer or float kind that fits the field, by the same rules, and refuse
// one that would overflow or lose precision, naming the field.
func TestMetaGoKinds(t *testing.T) {
	type year int
	tests := []struct {
		field string // "t" TEXT, "i" INT, "f" FLOAT, "b" BOOL
		in    any
		want  any // the stored value; nil with ok false: refused
		ok    bool
	}{
		{"i", 1999, int64(1999), true},
		{"i", int8(-7), int64(-7), true},
		{"i", int16(300), int64(300), true},
		{"i", int32(-70000), int64(-70000), true},
		{"i", int64(math.MinInt64), int64(math.MinInt64), true},
		{"i", uint(5), int64(5), true},
		{"i", uint8(255), int64(255), true},
		{"i", uint16(65535), int64(65535), true},
		{"i", uint32(math.MaxUint32), int64(math.MaxUint32), true},
		{"i", uint64(math.MaxInt64), int64(math.MaxInt64), true},
		{"i", year(1984), int64(1984), true},
		{"i", 2001.0, int64(2001), true},
		{"i", float32(-3), int64(-3), true},
		{"i", uint64(math.MaxInt64) + 1, nil, false},
		{"i", uint64(math.MaxUint64), nil, false},
		{"i", 1999.5, nil, false},
		{"i", float32(0.25), nil, false},
		{"i", math.Inf(1), nil, false},
		{"i", math.NaN(), nil, false},
		{"i", 1e19, nil, false},
		{"i", "1999", nil, false},
		{"i", true, nil, false},
		{"f", 1.5, 1.5, true},
		{"f", float32(0.25), 0.25, true},
		{"f", 3, 3.0, true},
		{"f", int64(1 << 53), float64(1 << 53), true},
		{"f", int64(1<<53 + 1), nil, false},
		{"f", uint64(1<<53 + 1), nil, false},
		{"f", int64(1 << 60), float64(1 << 60), true},
		{"f", uint64(math.MaxUint64), nil, false},
		{"f", int64(math.MaxInt64), nil, false},
		{"f", math.NaN(), nil, false},
		{"f", "1.5", nil, false},
		{"t", "x", "x", true},
		{"t", 3, nil, false},
		{"b", true, true, true},
		{"b", 1, nil, false},
		{"i", nil, nil, true},
	}
	names := map[string]string{"t": "title", "i": "year", "f": "score", "b": "live"}
	idx := map[string]int{"t": 0, "i": 1, "f": 2, "b": 3}
	d := MustOpen(t)
	c, err := d.CreateCollection(bg, Spec{Name: "m", Dim: 2, Fields: []Field{
		{Name: "title", Type: Text}, {Name: "year", Type: Int}, {Name: "score", Type: Float}, {Name: "live", Type: Bool}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Insert(bg, Row{Key: "set", Vector: []float32{1, 0}}); err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		key := "k" + string(rune('a'+i))
		meta := make([]any, 4)
		meta[idx[tt.field]] = tt.in
		check := func(how string, err error, get func() any) {
			t.Helper()
			if !tt.ok {
				var want error = ErrFieldType
				if err == nil || !errors.Is(err, want) {
					t.Errorf("%s %s %v (%T): got %v, want ErrFieldType", how, tt.field, tt.in, tt.in, err)
				}
				return
			}
			if err != nil {
				t.Errorf("%s %s %v (%T): %v", how, tt.field, tt.in, tt.in, err)
				return
			}
			if got := get(); got != tt.want {
				t.Errorf("%s %s %v (%T): stored %v (%T), want %v (%T)", how, tt.field, tt.in, tt.in, got, got, tt.want, tt.want)
			}
		}
		get := func(k string) func() any {
			return func() any {
				r, err := c.Get(k)
				if err != nil {
					t.Fatal(err)
				}
				if len(r.Meta) <= idx[tt.field] {
					return nil
				}
				return r.Meta[idx[tt.field]]
			}
		}
		check("Insert", c.Insert(bg, Row{Key: key, Vector: []float32{1, 1}, Meta: meta}), get(key))
		_, err := c.Upsert(bg, Row{Key: key + "u", Vector: []float32{1, 1}, Meta: meta})
		check("Upsert", err, get(key+"u"))
		check("SetMeta", c.SetMeta(bg, []string{"set"}, map[string]any{names[tt.field]: tt.in}), get("set"))
	}
	// The error names the field, and a refused row writes nothing.
	n := c.Len()
	err = c.Insert(bg, Row{Key: "ok", Vector: []float32{1, 1}}, Row{Key: "big", Vector: []float32{1, 1}, Meta: []any{nil, uint64(math.MaxUint64)}})
	if !errors.Is(err, ErrFieldType) || c.Len() != n {
		t.Fatalf("overflow: %v, len %d want %d", err, c.Len(), n)
	}
	if got := err.Error(); !strings.Contains(got, "field year:") {
		t.Errorf("the error does not name the field: %s", got)
	}
	if err := c.Insert(bg, Row{Key: "many", Vector: []float32{1, 1}, Meta: []any{"a", 1, 2.0, true, "extra"}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("too many values: %v", err)
	}
}
