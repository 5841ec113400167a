// Package format reads and writes the vector files people already have:
// GloVe, word2vec (text and binary), fastText .vec, CSV and JSONL, plain or
// gzipped, and fetches the pre-trained sets of gensim-data's catalog. It is
// pure: readers and writers over io.Reader and io.Writer, no database.
//
// # Layouts
//
//   - GloVe: `key v1 ... vd` per line, no header.
//   - Word2VecText and FastText (.vec): an `N D` header line, then GloVe rows.
//   - Word2VecBinary, as word2vec.c writes it: `N D\n`, then per row the key,
//     a space, D little-endian float32 values and `\n`. A missing newline
//     after a row is tolerated, as gensim does.
//   - CSV: `key,v1,...,vd`; keys may be quoted; a first record whose vector
//     columns are all non-numeric is a header and is skipped.
//   - JSONL: `{"key": "...", "vector": [...]}` per line; "id" and
//     "embedding" are accepted too, and an "id" may be a number.
//
// # Reading
//
// NewReader streams rows with Next, never holding the file in memory. A
// stream starting with the gzip magic is decompressed as it is read,
// whatever the layout. With ReaderOptions.Format == Auto the layout is
// sniffed: a first line of two integers followed by binary bytes is word2vec
// binary, followed by text it is word2vec text; a leading '{' is JSONL; a
// comma-separated first line without blanks is CSV; anything else is GloVe.
// A GloVe file whose first row has exactly one value ("3 4") is taken for a
// header; name the format to avoid that.
//
// Rules the readers follow:
//
//   - Text rows are split on single spaces and tabs; trailing blanks and
//     carriage returns are dropped, blank lines skipped. The dimension comes
//     from the header, ReaderOptions.Dim or the first row, and a row with more
//     tokens than 1+dim takes the leading extra tokens (with the separators
//     between them) as its key, so keys with spaces, as in GloVe 840B, survive
//     once the dimension is known. A row with fewer values is ErrRagged.
//   - Values must be finite float32 numbers (ErrNumber, ErrNotFinite).
//   - A header's N is binding: fewer rows is ErrTruncated; bytes after the
//     N-th row are ignored, as word2vec.c and gensim ignore them. Limit stops
//     earlier without error.
//   - A header dimension of 0 or above MaxDim is ErrHeader; no memory is
//     reserved from a header's N beyond a small cap.
//   - Duplicate keys follow ReaderOptions.Duplicates.
//   - Keys are returned as the file's bytes, not checked for UTF-8. A key
//     longer than MaxKeyBytes (4 KiB, vecdb's storage limit) is
//     ErrKeyTooLong at its line or offset.
//
// # Errors
//
// Every problem in a file is an *Error holding the 1-based Line (text
// layouts, and the header of binary files) or the byte Offset of a binary
// row, printed as `line 17: expected 50 values, got 49` or
// `offset 4096: file ends inside row "cat": 12 of 200 value bytes`. It
// wraps one of ErrRagged, ErrNumber, ErrNotFinite, ErrTruncated,
// ErrDuplicate, ErrHeader, ErrSyntax, ErrLineTooLong or ErrKeyTooLong for
// errors.Is.
//
// # Writing
//
// NewWriter writes any layout but Auto. Floats use the shortest text that
// reads back to the same float32, so round trips are exact. Keys with white
// space can only be written to CSV and JSONL. Wrap the io.Writer in a
// gzip.Writer for .gz output.
//
// # Catalog
//
// Lookup and Names describe gensim-data's pre-trained vector sets
// (api.load("glove-wiki-gigaword-50") in gensim). Downloading is in the
// subpackage fetch, so that a program that only reads files links no
// network code: its Fetcher downloads an entry into a cache directory with
// resume and md5 verification, and importing it registers that downloader
// for Download (IMPORT … FROM CATALOG). An offline machine gets an error
// naming the URL and the path where a manually downloaded copy is picked up
// (and verified).
//
// # Table formats
//
// Parquet is a Format too, but a table with typed columns that needs random
// access, so NewReader and NewWriter do not handle it: RegisterTable takes
// a TableCodec (a TableReader of key, count, vector and metadata columns,
// and a streaming TableWriter), and TableCodecFor returns it or an error
// wrapping ErrNoTableCodec that names the package to import,
// ParquetImport (github.com/vecdb/vecdb/format/parquet, on apache/arrow-go),
// so that a program that never touches Parquet links none of it.
package format
