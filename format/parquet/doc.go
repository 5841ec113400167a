// Package parquet reads and writes vector collections as Apache Parquet
// files, on the pure-Go github.com/apache/arrow-go/v18 (no cgo). Importing
// it registers its codec with package format, which is how the vecdb
// binary gets IMPORT and EXPORT of .parquet files while a program that
// imports only package db links none of it:
//
//	import _ "github.com/vecdb/vecdb/format/parquet"
//
// # Writing
//
// Writer streams rows into row groups of RowGroupRows rows (about 16 MiB of
// vector values by default). The key and metadata columns are compressed
// with Snappy, the codec that every Parquet reader has and that Spark,
// DuckDB and pyarrow write by default; the vector values are stored
// uncompressed (also readable by every reader), as float32 mantissas are
// noise to a byte-oriented codec: Snappy saved nothing on them and cost a
// sixth of the export's time. The columns are key (string),
// count (int64), vector (list<float32>, or fixed_size_list with
// FixedSize) and one nullable column per metadata field (TEXT string, INT
// int64, FLOAT double, BOOL boolean).
//
// # Reading
//
// Reader takes the key from the first column named key, word or id, the
// vector from one named vector or embedding (a list, large list or
// fixed-size list of float or double), or from the columns that
// TableReaderOptions name, the count from an integer column named count,
// and makes every other column a metadata column. RecordReader reads any
// columns of scalars (IMPORT METADATA, event logs for TRAIN). It decodes
// a batch of rows at a time, so its memory does not grow with the file or
// its row groups. Errors are *format.Error values naming the file, the
// row and its row group. A Spark Word2VecModel's data directory (columns
// word and vector) reads as is: package db reads the part files of a
// directory in name order.
package parquet
