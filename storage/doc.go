// Package storage keeps vecdb collections in one bbolt file. It is the only
// package of vecdb that imports bbolt.
//
// # Layout
//
// The file holds three kinds of top-level buckets:
//
//   - "vecdb": the format record (magic "vecdb" and a format version).
//   - "catalog": one JSON record per collection name (dimension, metric,
//     fields, counters, training parameters, index settings) that also names
//     the data bucket holding the collection's rows.
//   - "d/<seq>": a data bucket with sub-buckets "keys" (key → row id),
//     "rows" (row id → key, count, metadata), "vblocks" with the record
//     "vblockmeta" (the vectors, stored once, in blocks that readers use
//     in place from the memory map: see vblock.go for the layout, pin.go
//     for the read transactions that keep them valid) and, when the
//     collection has an HNSW index, "hnsw" (row id → graph node) and
//     "hnswmeta", and, while the graph is as it was last written whole,
//     "hnswseg" (the same graph as arrays that readers use in place: see
//     segment.go); a collection trained with subwords also has "subwords",
//     its n-gram table in pieces of at most 1 MiB (see Loader.PutSubwords).
//
// Files of format version 1, written by earlier releases, keep every
// vector in its row record and have no blocks. This release reads them,
// and writes such a collection in its own layout; a collection it creates
// has the block layout and makes the file version 2, which earlier
// releases refuse (ErrVersion). VACUUM (Vacuum, CompactTo) converts every
// collection to the block layout: nothing is converted on open.
//
// Keys are at most MaxKeyBytes (4 KiB) long: Insert, Upsert and Loader.Add
// refuse a longer one with ErrKeyTooLong, well before bbolt's own 32 KiB
// limit and its "key too large".
//
// Row ids are uint32, assigned sequentially in insertion order and stored big
// endian, so a scan of "rows" visits keys in frequency order (file order for
// imports, descending count after training) and bulk loads append to the
// B+tree. Vectors are float32 little endian. Every reader of a row's
// vector (Get, Scan, Check, the index's validation) goes through
// vecReader.vector.
//
// # Atomic replacement
//
// A bulk load (IMPORT, TRAIN) writes a fresh data bucket in chunked
// transactions of at most ChunkRows rows — bbolt handles large random-key
// transactions poorly — and then, in one final transaction, points the catalog
// record at the new bucket and deletes the old one. A load that fails, is
// cancelled or is killed leaves the catalog untouched; its half-written bucket
// is an orphan that the next writable Open deletes.
//
// # Concurrency
//
// A DB is safe for concurrent use: bbolt allows many read transactions and one
// write transaction at a time. A file is locked by one writing process at a
// time; a second writer waits up to Options.Timeout and then gets ErrLocked.
// Values returned by a Tx are copies and stay valid after the transaction,
// except BlockVectors, which points into the map (see Pin). A NodeReader
// (Coll.NodeReader) reads graph records after its transaction has ended,
// each batch in a short transaction of its own, for as long as the
// collection stays in that state (ErrStale after), for a graph that is
// loaded lazily.
package storage
