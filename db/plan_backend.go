package db

import (
	"time"

	"github.com/vecdb/vecdb/internal/vec"
)

// This file declares what the executor runs against. Package db implements
// Backend over its DB and Source over its View; query never imports db or
// storage (STYLE.md, "The house"), so everything here uses basic types,
// vec.Metric and types declared in query.

// CollectionSpec is a compiled CREATE COLLECTION.
type CollectionSpec struct {
	Name        string
	Dim         int
	Metric      vec.Metric
	Fields      []Field
	IfNotExists bool
}

// ImportSpec is a compiled IMPORT INTO c FROM 'path' | CATALOG 'name'.
// Format is "" to sniff, or GLOVE, WORD2VEC, FASTTEXT, CSV, JSONL.
type ImportSpec struct {
	Collection string
	Path       string
	Catalog    bool
	Format     string
	Binary     bool
	Limit      int
	Metric     *vec.Metric // nil: COSINE for a new collection
	Index      *bool       // WITH (index = true|false); nil: the default
}

// MetadataSpec is a compiled IMPORT METADATA. Key names the key column
// ("" = the first); Columns, when set, name the file's columns (and then
// the file has no header unless Header says so); Delimiter 0 means by
// extension (',' for .csv, tab otherwise).
type MetadataSpec struct {
	Collection string
	Path       string
	Key        string
	Header     *bool
	Columns    []string
	Delimiter  rune
}

// ExportSpec is a compiled EXPORT.
type ExportSpec struct {
	Collection string
	Path       string
	Format     string
	Binary     bool
}

// TrainSpec is a compiled TRAIN. Options hold validated values (int,
// float64, string or bool) by lower-case name; Method is SKIPGRAM or CBOW.
type TrainSpec struct {
	Collection string
	Path       string
	Method     string
	Options    map[string]any
}

// EvaluateSpec is a compiled EVALUATE ANALOGIES|PAIRS.
type EvaluateSpec struct {
	Kind       string
	Collection string
	Path       string
	Options    map[string]any
}

// IndexSpec is a compiled CREATE INDEX.
type IndexSpec struct {
	Collection string
	Kind       string
	Options    map[string]any
}

// ProjectSpec is a compiled PROJECT: either Keys of Collection, or the
// rows of a query (Query, already run into Keys with its collection).
type ProjectSpec struct {
	Collection string
	Keys       []string
	Method     string // PCA or TSNE; "" with Axis
	Axis       []float32
	AxisNeg    string // names of the axis's poles for a plot: the
	AxisPos    string // keys subtracted and added in ONTO ("" when none)
	ColorBy    string
	To         string
	Options    map[string]any
}

// ClusterSpec is a compiled CLUSTER. Filter, when set, keeps positions of
// the source that pass the WHERE.
type ClusterSpec struct {
	Collection string
	K          int
	Filter     func(pos int) bool
	Options    map[string]any
}

// RecommendSpec is a compiled RECOMMEND.
type RecommendSpec struct {
	Collection string
	K          int
	History    []string
	Filter     func(pos int) bool
	Options    map[string]any
}

// UsersSpec is a compiled CREATE COLLECTION users FROM SEQUENCES OF items.
type UsersSpec struct {
	Name    string
	Items   string
	Path    string
	Options map[string]any
}

// Result is what a statement returns: rows (Columns and Rows, nil for a
// statement without rows) and a Message for the user.
type Result struct {
	Columns []string
	Rows    [][]any
	Message string
	Stats   Stats
}

// Stats are figures about a statement's execution.
type Stats struct {
	Elapsed      time.Duration
	RowsAffected int
	Plan         string // the plan's String()
}
