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
	Collections() ([]CollectionInfo, error)
	// Source returns a consistent read view of a collection. The error for
	// an unknown name matches db.ErrCollectionNotFound.
	Source(name string) (Source, error)

	// CreateCollection creates an empty collection. With IfNotExists an
	// existing one is not an error and created is false.
	CreateCollection(ctx context.Context, spec CollectionSpec) (created bool, err error)
	// DropCollection removes a collection. With ifExists a missing one is
	// not an error and dropped is false.
	DropCollection(ctx context.Context, name string, ifExists bool) (dropped bool, err error)
	// Insert adds rows (all or none). With upsert, rows whose key exists
	// replace them; inserted counts the new keys.
	Insert(ctx context.Context, name string, rows []qRow, upsert bool) (inserted int, err error)
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

// Source is a consistent, immutable read view of one collection: positions
// 0..Len()-1 follow frequency order. It mirrors db.View.
type Source interface {
	Info() CollectionInfo
	Len() int
	Dim() int
	Metric() vec.Metric
	Key(i int) string
	Count(i int) int64
	Lookup(key string) (int, bool)
	// Positions resolves keys, reporting every unknown key at once in an
	// error that matches db.ErrKeyNotFound and implements the methods of
	// unknownKeys (compile.go) for a positioned report. The search for
	// close spellings stops when ctx is done.
	Positions(ctx context.Context, keys []string) ([]int, error)
	// SearchVector is the vector used for search (unit length for COSINE);
	// callers must not modify it. Unit and Vector return fresh copies.
	SearchVector(i int) []float32
	Unit(i int) []float32
	Vector(i int) []float32
	// Meta returns one value per field (nil, string, int64, float64, bool).
	Meta(i int) ([]any, error)
	FieldIndex(name string) int

	PrepareQuery(q []float32) ([]float32, error)
	// Plan describes how Search would run with these arguments (HNSW,
	// HNSW with filter, exact scan) for EXPLAIN.
	Plan(k int, opts *qSearchOptions) string
	Search(ctx context.Context, q []float32, k int, opts *qSearchOptions) ([]qHit, error)
	// SearchBatch answers several queries with one exact scan (the
	// collection is read once per block of queries); each result equals
	// Search's with opts.Exact set.
	SearchBatch(ctx context.Context, qs [][]float32, k int, opts *qSearchOptions) ([][]qHit, error)
	Combine(terms []qTerm) ([]float32, []int, error)
	MostSimilarCosmul(ctx context.Context, positive, negative [][]float32, k int, opts *qSearchOptions) ([]qHit, error)
	Similarity(a, b string) (float32, error)
	Rank(a, b string) (int, error)
	NSimilarity(a, b []string) (float32, error)
	DoesntMatch(keys []string) (string, []float32, error)
}

// Hit is one search result (see db.Hit).
type qHit struct {
	Pos        int
	Key        string
	Similarity float32
	Distance   float32
}

// SearchOptions tune a search (see db.SearchOptions).
type qSearchOptions struct {
	Exclude       []int
	WithinTop     int
	Filter        func(pos int) bool
	MinSimilarity *float32
	Offset        int
	Exact         bool // USING EXACT: never the index
	EfSearch      int  // WITH (ef_search = n); 0 = the session's or index's
}

// Term is one operand of a weighted sum (see db.Term).
type qTerm struct {
	Key    string
	Vector []float32
	Weight float64
}

// FieldInfo is a metadata field: Type is TEXT, INT, FLOAT or BOOL.
type FieldInfo struct {
	Name string
	Type string
}

// IndexInfo describes a collection's ANN index.
type IndexInfo struct {
	Kind           string
	M              int
	EfConstruction int
	EfSearch       int
}

// CollectionInfo describes a collection.
type CollectionInfo struct {
	Name    string
	Dim     int
	Metric  vec.Metric
	Fields  []FieldInfo
	Rows    int
	Created time.Time
	Updated time.Time
	Params  map[string]string
	Source  string
	Index   *IndexInfo // nil without an index
}

// Row is a row to insert. Meta holds one value per field of the
// collection, in declaration order.
type qRow struct {
	Key    string
	Vector []float32
	Count  int64
	Meta   []any
}

// CollectionSpec is a compiled CREATE COLLECTION.
type CollectionSpec struct {
	Name        string
	Dim         int
	Metric      vec.Metric
	Fields      []FieldInfo
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
