package format

import (
	"fmt"
	"strings"
)

// Format names a vector file layout. The zero value, Auto, asks a Reader to
// sniff the layout from the first bytes of the stream.
type Format int

// The supported layouts.
const (
	// Auto sniffs the layout (readers only).
	Auto Format = iota
	// GloVe is `key v1 ... vd` per line with no header (Stanford GloVe).
	GloVe
	// Word2VecText is an `N D` header line followed by GloVe-style rows.
	Word2VecText
	// Word2VecBinary is an `N D\n` header followed by, per row, the key, a
	// space, D little-endian float32 values and a newline (word2vec.c).
	Word2VecBinary
	// FastText is fastText's .vec text layout, the same bytes as Word2VecText.
	FastText
	// CSV is `key,v1,...,vd` per record with an optional header record.
	CSV
	// JSONL is one JSON object per line: {"key": "...", "vector": [...]}.
	JSONL
	// Parquet is an Apache Parquet table with a key column, a list vector
	// column and metadata columns. NewReader and NewWriter do not handle it:
	// it needs random access and a registered codec (see RegisterTable and
	// ParquetImport).
	Parquet
	// FastTextBinary is a fastText model file (the .bin that `fasttext
	// skipgram` saves): words, counts, and the character n-gram rows that
	// give any word a vector. NewReader and NewWriter do not handle it;
	// package format/fasttext reads and writes it, and vecdb's IMPORT and
	// EXPORT use that package.
	FastTextBinary
)

var formatNames = [...]string{
	Auto:           "AUTO",
	GloVe:          "GLOVE",
	Word2VecText:   "WORD2VEC",
	Word2VecBinary: "WORD2VEC BINARY",
	FastText:       "FASTTEXT",
	CSV:            "CSV",
	JSONL:          "JSONL",
	Parquet:        "PARQUET",
	FastTextBinary: "FASTTEXT BINARY",
}

// String returns the name used by the IMPORT and EXPORT statements, such as
// "WORD2VEC BINARY". ParseFormat accepts it back.
func (f Format) String() string {
	if f >= 0 && int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ParseFormat returns the Format named s, ignoring case and collapsing runs
// of white space: "glove", "word2vec", "Word2Vec  Binary", "fasttext",
// "fasttext binary", "csv", "jsonl", "parquet" and "auto". An unknown
// name is an error listing the known ones.
func ParseFormat(s string) (Format, error) {
	norm := strings.ToUpper(strings.Join(strings.Fields(s), " "))
	for f, name := range formatNames {
		if norm == name {
			return Format(f), nil
		}
	}
	return Auto, fmt.Errorf("unknown format %q (want GLOVE, WORD2VEC, WORD2VEC BINARY, FASTTEXT, FASTTEXT BINARY, CSV, JSONL or PARQUET)", s)
}

// hasHeader reports whether files of this layout start with an `N D` line.
func (f Format) hasHeader() bool {
	return f == Word2VecText || f == Word2VecBinary || f == FastText
}
