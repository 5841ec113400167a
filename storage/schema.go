package storage

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/vecdb/vecdb/internal/vec"
)

// FieldType is the type of a metadata field.
type FieldType uint8

// The metadata field types.
const (
	Text FieldType = iota + 1
	Int
	Float
	Bool
)

// String returns the type's name as the language spells it.
func (t FieldType) String() string {
	switch t {
	case Text:
		return "TEXT"
	case Int:
		return "INT"
	case Float:
		return "FLOAT"
	case Bool:
		return "BOOL"
	}
	return fmt.Sprintf("FieldType(%d)", uint8(t))
}

// ParseFieldType reads a type name case-insensitively (TEXT, INT, FLOAT, BOOL
// and the synonyms STRING, VARCHAR, INTEGER, BIGINT, REAL, DOUBLE, BOOLEAN).
func ParseFieldType(s string) (FieldType, error) {
	switch strings.ToUpper(s) {
	case "TEXT", "STRING", "VARCHAR":
		return Text, nil
	case "INT", "INTEGER", "BIGINT":
		return Int, nil
	case "FLOAT", "REAL", "DOUBLE":
		return Float, nil
	case "BOOL", "BOOLEAN":
		return Bool, nil
	}
	return 0, fmt.Errorf("unknown field type %q (want TEXT, INT, FLOAT or BOOL)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (t FieldType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (t *FieldType) UnmarshalText(b []byte) error {
	v, err := ParseFieldType(string(b))
	*t = v
	return err
}

// Field is a typed metadata column of a collection.
type Field struct {
	Name string    `json:"name"`
	Type FieldType `json:"type"`
}

// Check reports whether v may be stored in a field of type t. Allowed dynamic
// types are nil (NULL), string (Text), int64 (Int), float64 (Float) and bool
// (Bool).
func (t FieldType) Check(v any) error {
	if v == nil {
		return nil
	}
	ok := false
	switch v.(type) {
	case string:
		ok = t == Text
	case int64:
		ok = t == Int
	case float64:
		ok = t == Float && !math.IsNaN(v.(float64))
	case bool:
		ok = t == Bool
	}
	if !ok {
		return fmt.Errorf("%w: %v (%T) is not a %s", ErrFieldType, v, v, t)
	}
	return nil
}

// IndexConfig is the persisted configuration of a collection's HNSW index.
type IndexConfig struct {
	Kind           string `json:"kind"` // "HNSW"
	M              int    `json:"m"`
	EfConstruction int    `json:"ef_construction"`
	EfSearch       int    `json:"ef_search"`
	// Quantize is "int8" when the graph is walked with int8 codes ("" or
	// absent: float32 only); Rescore is then the oversampling factor.
	Quantize string `json:"quantize,omitempty"`
	Rescore  int    `json:"rescore,omitempty"`
}

// CollectionMeta is the catalog record of a collection.
type CollectionMeta struct {
	Name    string            `json:"name"`
	Dim     int               `json:"dim"`
	Metric  vec.Metric        `json:"-"`
	Fields  []Field           `json:"fields,omitempty"`
	Created time.Time         `json:"created"`
	Updated time.Time         `json:"updated"`
	Rows    int               `json:"rows"`              // live rows
	NextID  uint32            `json:"next_id"`           // next row id to assign
	Params  map[string]string `json:"params,omitempty"`  // training or import parameters, shown by DESCRIBE
	Source  string            `json:"source,omitempty"`  // where the contents came from
	Index   *IndexConfig      `json:"index,omitempty"`   // nil: no index
	Bucket  string            `json:"bucket"`            // data bucket name
	Version uint64            `json:"version,omitempty"` // bumped on every change, for caches
}

type metaJSON struct {
	CollectionMeta
	MetricName string `json:"metric"`
}

func encodeMeta(m *CollectionMeta) ([]byte, error) {
	return json.Marshal(metaJSON{CollectionMeta: *m, MetricName: m.Metric.String()})
}

func decodeMeta(b []byte) (*CollectionMeta, error) {
	var j metaJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("%w: catalog record: %v", ErrCorrupt, err)
	}
	m := j.CollectionMeta
	met, err := vec.ParseMetric(j.MetricName)
	if err != nil {
		return nil, fmt.Errorf("%w: catalog record: %v", ErrCorrupt, err)
	}
	m.Metric = met
	if m.Dim <= 0 || m.Dim > MaxDim || m.Bucket == "" {
		return nil, fmt.Errorf("%w: catalog record for %q has dim %d", ErrCorrupt, m.Name, m.Dim)
	}
	return &m, nil
}

// MaxDim is the largest vector dimension a collection may have.
const MaxDim = 65536

var nameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ValidName reports whether s may name a collection or a field: letters,
// digits and underscores, not starting with a digit, at most 128 bytes.
func ValidName(s string) bool { return len(s) <= 128 && nameRE.MatchString(s) }

// Validate checks the parts of a new collection's definition that the caller
// controls.
func (m *CollectionMeta) Validate() error {
	if !ValidName(m.Name) {
		return fmt.Errorf("invalid collection name %q: use letters, digits and _", m.Name)
	}
	if m.Dim <= 0 || m.Dim > MaxDim {
		return fmt.Errorf("%w: DIM must be between 1 and %d, got %d", ErrDimension, MaxDim, m.Dim)
	}
	seen := map[string]bool{"key": true, "vector": true, "count": true, "id": true,
		"similarity": true, "distance": true, "rank": true}
	for _, f := range m.Fields {
		if !ValidName(f.Name) {
			return fmt.Errorf("invalid field name %q", f.Name)
		}
		if seen[strings.ToLower(f.Name)] {
			return fmt.Errorf("field name %q is reserved or declared twice", f.Name)
		}
		seen[strings.ToLower(f.Name)] = true
		if f.Type < Text || f.Type > Bool {
			return fmt.Errorf("field %q has no type", f.Name)
		}
	}
	return nil
}

// FieldIndex returns the position of the named field (case-insensitive), or -1.
func (m *CollectionMeta) FieldIndex(name string) int {
	for i, f := range m.Fields {
		if strings.EqualFold(f.Name, name) {
			return i
		}
	}
	return -1
}

// Clone returns a deep copy of m.
func (m *CollectionMeta) Clone() *CollectionMeta {
	c := *m
	c.Fields = append([]Field(nil), m.Fields...)
	if m.Params != nil {
		c.Params = make(map[string]string, len(m.Params))
		for k, v := range m.Params {
			c.Params[k] = v
		}
	}
	if m.Index != nil {
		ix := *m.Index
		c.Index = &ix
	}
	return &c
}
