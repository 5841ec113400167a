// Package db is vecdb: an embedded vector database in one bbolt file, with
// a small SQL-like language. A program opens a file, then either calls the
// typed API or sends statements as text; both run on the same code.
//
//	d, err := db.Open("words.vdb", nil)
//	res, err := d.Query(ctx, "SELECT NEAREST 5 TO 'king' - 'man' + 'woman' FROM glove50")
//
// # The map
//
// The typed API, by family (each file also plans and runs the statements of
// its family, see below):
//
//   - db.go: Open, Options, Close, Collections, CreateCollection, DropCollection;
//     collection.go: Collection (Insert, Upsert, Delete, Get, SetMeta, View).
//   - view.go, search.go: View, a consistent snapshot of one collection:
//     Lookup, Search, SearchBatch, MostSimilar, Similarity, Combine;
//     inplace.go: a view's vectors, keys and counts read in place from
//     the file's vector blocks (storage's pinned read transactions); the
//     vectors are copied to memory only when the file must be mapped
//     again, for a write to the HNSW graph, or never; the keys and counts
//     then too, or when a user needs them all.
//   - index.go: CreateIndex, DropIndex (HNSW, package ann; IndexConfig.Quantize
//     "int8" walks the graph with int8 codes and rescores with float32).
//     Searches open the graph lazily (ann.LoadLazy: its header record
//     only); a search copies each node it reaches (record, codes and
//     vector, read through storage.NodeReader and the view) into memory
//     once; an int8 graph over vectors read in place keeps no vector and
//     reads the rescored candidates' in place (ann.LoadLazyInPlace).
//     A graph written whole (CREATE INDEX, IMPORT with an index, VACUUM)
//     also has a segment (storage/segment.go): a view that reads its
//     vectors in place reads that graph in place too (ann.LoadInPlace,
//     inplace.go), until a write deletes the segment.
//     A write loads it whole first (ann.LoadShared); SHOW STATS fills it
//     whole. A filled graph is kept compact (package ann, compact.go).
//     graphfill.go: after the first search, a background goroutine fills
//     the rest of a lazy graph in id order (Options.NoGraphFill, SET
//     graph_fill = false turn it off); Close waits for it.
//   - import.go, metadata.go: Import, ImportCatalog, Export, ImportMetadata
//     (vector files of package format); fasttext.go: fastText model files
//     (package format/fasttext), their n-gram rows stored as the
//     collection's subword table; coldstart.go: vectors for items with
//     metadata but no events (MetadataOptions.ColdStart); table.go: Parquet (ExportParquet,
//     ImportParquet, IMPORT METADATA and event logs from Parquet,
//     EventLogSource), through the codec that package format/parquet
//     registers (ErrNoTableCodec without it).
//   - train.go, users.go: Train (package trainer), TrainConfig, EvaluateAnalogies,
//     EvaluatePairs, CreateUsers; tune.go: TrainOptions.Tune (TRAIN … WITH
//     (tune = true), trainer.Tune); recommend.go: Recommend; receval.go:
//     EvaluateRecommend (EVALUATE RECOMMEND), SetRecommendDefaults;
//     subwords.go: the n-gram table of a collection trained with subwords,
//     and the vectors it builds for keys that are not stored
//     (View.WordVector).
//   - project.go, cluster.go: Project (PCA, t-SNE), Cluster (k-means);
//     plot.go: RegisterPlotWriter (drawing lives in package plotfile).
//   - vacuum.go: Vacuum, VacuumInto, Backup, BackupTo; check.go: Check.
//   - files.go, sandbox.go: every file a statement names is opened there
//     (Options.Sandbox through an os.Root, never the database itself).
//   - limits.go: Limits; errors.go: the sentinels, matched with errors.Is.
//   - parallel.go: SetThreads, the search slots that cap the searches
//     running at once, spreading a batch over workers; RecommendBatch.
//
// The language: query.go (Run, Exec, Query) parses text with package query
// into a typed syntax tree, then plan.go compiles each statement into a
// Plan against the database's own types and runs it. A statement's file
// declares its WITH options (options.go: name, type, range, default, doc,
// setter into the typed options above; OPTIONS.md is generated from them),
// compiles it into a Plan whose String is what EXPLAIN prints, and
// registers itself (register in plan.go: how to plan it, whether it returns
// rows, whether it writes). nearest.go, select.go, vexpr.go and cond.go
// plan queries, vector expressions and WHERE conditions; count.go SELECT
// COUNT(*) (View.CountWhere); dml.go and utility.go the data and utility
// statements (SHOW SETTINGS and SHOW name among them). ARCHITECTURE.md follows one
// statement from text to result and gives the recipe for adding one.
//
// Parameters (params.go): Run, Exec, Query and QueryRows take values for
// the statement's placeholders (?, ?NNN, $NNN, :name) as trailing
// arguments, bound to the parsed tree with query.Bind before it is planned
// (Named, Bindings, Vector in vector.go; QuoteString and QuoteIdent for
// those who build text). stmt.go: Prepare and Stmt, parsed once and planned
// per run; rows.go: Rows, an answer read row by row. Package sqldriver
// serves all of it to database/sql.
//
// # Errors
//
// Every error wraps a sentinel of errors.go where one applies, through the
// typed API and through the language alike: errors.Is(err,
// db.ErrCollectionNotFound) holds for DB.Collection("x") and for
// Query("SELECT … FROM x"). Errors of statements are *query.Error values
// with the position of the problem; their Err is the cause.
//
// # Concurrency
//
// A DB is safe for concurrent use: reads run in parallel on snapshots
// (View), writes are serialised (one writer at a time, as bbolt allows), and
// a failed or cancelled write leaves the file as it was. At most threads
// searches run at once (SET threads, DB.SetThreads; all cores by default):
// NEAREST … TO EACH, View.SearchBatch and View.RecommendBatch spread over
// up to that many goroutines with the same answer as on one, and
// concurrent queries beyond it wait for a free slot. Long calls take a
// context.Context and report progress to a func attached with
// WithProgress.
package db
