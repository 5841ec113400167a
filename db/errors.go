package db

import (
	"errors"
	"fmt"
	"strings"

	"github.com/vecdb/vecdb/format"
	"github.com/vecdb/vecdb/format/fasttext"
	"github.com/vecdb/vecdb/internal/errdefs"
	"github.com/vecdb/vecdb/storage"
)

// The sentinels are declared once in internal/errdefs, so that a statement
// that the query compiler rejects matches the same sentinel as the call of
// the Go API that storage rejects.

// Errors returned when opening a database.
var (
	// ErrNotVecdb is returned when a file is not a vecdb database.
	ErrNotVecdb = storage.ErrNotVecdb
	// ErrVersion is returned when a file has an unsupported format version.
	ErrVersion = storage.ErrVersion
	// ErrLocked is returned when another process holds the file for writing
	// longer than Options.Timeout.
	ErrLocked = storage.ErrLocked
	// ErrReadOnly is returned when writing to a database opened read-only.
	ErrReadOnly = storage.ErrReadOnly
	// ErrCorrupt is returned when stored data cannot be decoded.
	ErrCorrupt = storage.ErrCorrupt
	// ErrClosed is returned when using a database after Close, or a
	// prepared statement (Stmt) after its Close.
	ErrClosed = storage.ErrClosed
)

// Errors returned by collection operations.
var (
	// ErrNotFound is returned when a collection or key does not exist; the
	// more specific ErrCollectionNotFound and ErrKeyNotFound wrap it.
	ErrNotFound = errdefs.ErrNotFound
	// ErrCollectionNotFound is returned when a collection name is unknown.
	// It matches ErrNotFound.
	ErrCollectionNotFound = storage.ErrCollectionNotFound
	// ErrCollectionExists is returned when creating a collection whose name
	// is taken.
	ErrCollectionExists = storage.ErrCollectionExists
	// ErrKeyNotFound is returned when a key is not in a collection. It
	// matches ErrNotFound.
	ErrKeyNotFound = storage.ErrKeyNotFound
	// ErrDuplicateKey is returned when inserting a key that exists.
	ErrDuplicateKey = storage.ErrDuplicateKey
	// ErrDimension is returned when a vector's length does not match the
	// collection's dimension.
	ErrDimension = storage.ErrDimension
	// ErrFieldType is returned when a metadata value has the wrong type.
	ErrFieldType = storage.ErrFieldType
	// ErrInvalid is returned for arguments out of range: k <= 0, NaN or Inf
	// values, a zero-norm query vector (ErrZeroVector, which matches it),
	// and the like.
	ErrInvalid = errdefs.ErrInvalid
	// ErrFieldNotFound is returned when a metadata field name is unknown.
	ErrFieldNotFound = errdefs.ErrFieldNotFound
	// ErrLineTooLong is returned when a line of a file a statement reads
	// (vectors, metadata, a corpus, an event log, evaluation pairs or
	// analogies) is longer than format.MaxLineBytes (32 MiB); the message
	// names the file and the line.
	ErrLineTooLong = format.ErrLineTooLong
	// ErrKeyTooLong is returned when a key is longer than MaxKeyBytes (4
	// KiB): in INSERT, UPSERT, Insert and Upsert, in a row of an IMPORT file
	// (the message names the file and line), in a metadata file, or as a
	// user key of CREATE COLLECTION … FROM SEQUENCES. It matches
	// ErrInvalid.
	ErrKeyTooLong = storage.ErrKeyTooLong
	// ErrZeroVector is returned when a vector of all zeros goes into a
	// COSINE collection (INSERT, UPSERT, INSERT OR REPLACE, Insert, Upsert,
	// Replace), or is the query vector of a search there (NEAREST, a
	// vector expression that sums to zero, Search): a zero vector has no
	// direction, so no cosine with anything. IMPORT keeps zero vectors and
	// says how many; no search returns them as neighbours. It matches
	// ErrInvalid.
	ErrZeroVector = errdefs.ErrZeroVector
	// ErrBudgetTooSmall is returned when the time budget of a search of
	// item settings (TRAIN … WITH (tune = true, budget = s),
	// TrainOptions.Tune) cannot hold its first trial; the message gives
	// the trial's estimated cost. Nothing is written. It matches
	// ErrInvalid.
	ErrBudgetTooSmall = errdefs.ErrBudgetTooSmall
)

// ErrNoTableCodec is returned by every statement and call that reads or
// writes Parquet (EXPORT … FORMAT PARQUET or to a .parquet file, IMPORT,
// IMPORT METADATA and TRAIN from one) when no Parquet codec is
// registered: package db links none (it is large), and a program that
// wants Parquet adds
//
//	import _ "github.com/vecdb/vecdb/format/parquet"
//
// as the vecdb binary does. The message names that import; nothing is
// written.
var ErrNoTableCodec = format.ErrNoTableCodec

// ErrQuantized is returned by IMPORT of a quantized fastText model (a .ftz
// file, from `fasttext quantize`): it holds compressed codes, not vectors;
// import the .bin it was made from. It matches format.ErrHeader.
var ErrQuantized = fasttext.ErrQuantized

// MaxKeyBytes is the longest key, in bytes, that a collection stores (4
// KiB, the same as trainer.MaxTokenBytes, so every trained token fits).
const MaxKeyBytes = storage.MaxKeyBytes

// Errors returned when drawing a plot to a file.
var (
	// ErrNoPlotWriter is returned by PROJECT … TO, Projection.Save and Write
	// and AxisProjection.Save and Write when no plot writer is registered:
	// package db links no drawing code, and a program that draws plots
	// registers it with a blank import (see RegisterPlotWriter).
	ErrNoPlotWriter = errors.New(`no plot writer is registered: add import _ "` + plotfileImport + `" to the program to draw .svg and .png files`)
)

// KeysNotFoundError reports the unknown keys of one request at once. It
// matches ErrKeyNotFound and ErrNotFound with errors.Is. Its message
// describes the first MaxKeysReported keys, with close spellings, and counts
// the others.
type KeysNotFoundError struct {
	Collection string
	Keys       []string // every unknown key, once, in request order
	// Suggestions maps an unknown key to a close spelling ("" when none).
	// Only the first MaxKeysReported keys are looked up.
	Suggestions map[string]string
}

// MaxKeysReported is how many unknown keys the message of a
// KeysNotFoundError describes; the others are counted.
const MaxKeysReported = errdefs.MaxKeysReported

func (e *KeysNotFoundError) Error() string {
	var b strings.Builder
	for i := range e.Keys {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i == MaxKeysReported {
			b.WriteString(e.MoreMessage(len(e.Keys) - i))
			break
		}
		b.WriteString(e.KeyMessage(i))
	}
	return b.String()
}

// MissingKeys returns Keys (the language positions each key's error).
func (e *KeysNotFoundError) MissingKeys() []string { return e.Keys }

// KeyMessage describes the i-th unknown key: "'kign' is not in glove50;
// did you mean 'king'?".
func (e *KeysNotFoundError) KeyMessage(i int) string {
	k := e.Keys[i]
	s := fmt.Sprintf("%s is not in %s", quoteKey(k), e.Collection)
	if sug := e.Suggestions[k]; sug != "" {
		s += fmt.Sprintf("; did you mean %s?", quoteKey(sug))
	}
	return s
}

// KeySuggestion returns the close spelling of the i-th unknown key quoted
// as a statement writes it ("'king'"), or "" when there is none; a
// language error puts it in query.Error.Suggest.
func (e *KeysNotFoundError) KeySuggestion(i int) string {
	if sug := e.Suggestions[e.Keys[i]]; sug != "" {
		return quoteKey(sug)
	}
	return ""
}

// MoreMessage describes n unknown keys that the message leaves out: "and
// 1995 more keys not in glove50".
func (e *KeysNotFoundError) MoreMessage(n int) string {
	if n == 1 {
		return fmt.Sprintf("and 1 more key not in %s", e.Collection)
	}
	return fmt.Sprintf("and %d more keys not in %s", n, e.Collection)
}

// Is makes the error match ErrKeyNotFound and ErrNotFound.
func (e *KeysNotFoundError) Is(target error) bool {
	return target == ErrKeyNotFound || target == ErrNotFound
}

// invalidf returns an error matching ErrInvalid that prints "invalid
// argument: " and the formatted detail; a language error prints the detail
// alone at its position.
func invalidf(format string, a ...any) error { return errdefs.Newf(ErrInvalid, format, a...) }

func quoteKey(k string) string { return "'" + strings.ReplaceAll(k, "'", "''") + "'" }

// notFound is an error that also matches ErrNotFound (a missing index).
// ErrCollectionNotFound and ErrKeyNotFound match ErrNotFound by themselves.
type notFound struct{ err error }

func (e notFound) Error() string   { return e.err.Error() }
func (e notFound) Unwrap() []error { return []error{e.err, ErrNotFound} }

func collNotFound(name string) error {
	return fmt.Errorf("%w: %s", ErrCollectionNotFound, name)
}
