package db

import (
	"context"
	"time"

	"github.com/vecdb/vecdb/internal/vec"
)

// This file declares what the executor runs against. Package db implements
// Backend over its DB and Source over its View; query never imports db or
// storage (STYLE.md, "The house"), so everything here uses basic types,
// vec.Metric and types declared in query.

// Backend is the database as the executor sees it. Each method that changes
// data runs in one transaction: on error nothing changed. Methods that take
// long take a context first and honour its cancellation.
type Backend interface {
	// Collections describes every collection, sorted by name.
	Collections() ([]Info, error)
	// Source returns a consistent read view of a collection. The error for
	// an unknown name matches db.ErrCollectionNotFound.
	Source(name string) (*View, error)

	// CreateCollection creates an empty collection. With IfNotExists an
	// existing one is not an error and created is false.
	CreateCollection(ctx context.Context, spec CollectionSpec) (created bool, err error)
	// DropCollection removes a collection. With ifExists a missing one is
	// not an error and dropped is false.
	DropCollection(ctx context.Context, name string, ifExists bool) (dropped bool, err error)
	// Insert adds rows (all or none). With upsert, rows whose key exists
	// replace them; inserted counts the new keys.
	Insert(ctx context.Context, name string, rows []Row, upsert bool) (inserted int, err error)
	// UpdateMeta sets the same field values on every key given.
	UpdateMeta(ctx context.Context, name string, keys []string, values map[string]any) error
	// Delete removes the rows of keys and returns how many existed.
	Delete(ctx context.Context, name string, keys []string) (int, error)

	// Import loads a vector file or a catalog entry into a collection.
	Import(ctx context.Context, spec ImportSpec) (*Result, error)
	// ImportMetadata reads a TSV/CSV file of typed fields keyed by row key.
	ImportMetadata(ctx context.Context, spec MetadataSpec) (*Result, error)
	// Export writes a collection to a vector file.
	Export(ctx context.Context, spec ExportSpec) (*Result, error)
	// Stats reports storage figures of a collection for SHOW STATS.
	Stats(name string) (*Result, error)
	// Check verifies a collection's integrity (CHECK c).
	Check(ctx context.Context, name string) (*Result, error)
	// Set changes a session setting (SET name = value). The name is one of
	// Settings and the value has been checked against it.
	Set(name string, value any) error

	// The statements below are executed by packages wired in later; until
	// then the backend returns an error such as "TRAIN is not built yet".
	Train(ctx context.Context, spec TrainSpec) (*Result, error)
	Evaluate(ctx context.Context, spec EvaluateSpec) (*Result, error)
	CreateIndex(ctx context.Context, spec IndexSpec) (*Result, error)
	DropIndex(ctx context.Context, name string) (*Result, error)
	Project(ctx context.Context, spec ProjectSpec) (*Result, error)
	Cluster(ctx context.Context, spec ClusterSpec) (*Result, error)
	Recommend(ctx context.Context, spec RecommendSpec) (*Result, error)
	CreateUsers(ctx context.Context, spec UsersSpec) (*Result, error)
}

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
