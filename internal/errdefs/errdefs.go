// Package errdefs holds the sentinel errors that the storage engine, the
// language and the Go API share, so that an error matches the same
// sentinel with errors.Is whichever package found the problem: a vector of
// the wrong length rejected by the query compiler and one rejected by
// storage both match db.ErrDimension. Package db re-exports every sentinel;
// programs use those.
package errdefs

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Errors returned when opening a file.
var (
	// ErrNotVecdb is returned when the file is not a vecdb database (not a
	// bbolt file, or a bbolt file without vecdb's format record).
	ErrNotVecdb = errors.New("not a vecdb database")
	// ErrVersion is returned when the file was written by an incompatible
	// version of vecdb's storage format.
	ErrVersion = errors.New("unsupported vecdb file format version")
	// ErrLocked is returned when another process holds the file open for
	// writing and the lock was not released within Options.Timeout.
	ErrLocked = errors.New("database is locked by another process")
	// ErrReadOnly is returned when a write is attempted on a database opened
	// read-only.
	ErrReadOnly = errors.New("database is read-only")
	// ErrCorrupt is returned when a record cannot be decoded.
	ErrCorrupt = errors.New("database file is corrupt")
	// ErrClosed is returned when using a database after Close.
	ErrClosed = errors.New("database is closed")
)

// Errors returned by collection operations and statements.
var (
	// ErrNotFound is returned when a collection or key does not exist; the
	// more specific ErrCollectionNotFound and ErrKeyNotFound wrap it.
	ErrNotFound = errors.New("not found")
	// ErrCollectionNotFound is returned when a collection name is unknown.
	// It matches ErrNotFound.
	ErrCollectionNotFound = fmt.Errorf("collection %w", ErrNotFound)
	// ErrCollectionExists is returned when creating a collection whose name
	// is taken.
	ErrCollectionExists = errors.New("collection already exists")
	// ErrKeyNotFound is returned when a key is not in a collection. It
	// matches ErrNotFound.
	ErrKeyNotFound = fmt.Errorf("key %w", ErrNotFound)
	// ErrDuplicateKey is returned when a key is inserted twice.
	ErrDuplicateKey = errors.New("duplicate key")
	// ErrDimension is returned when a vector's length differs from the
	// collection's dimension.
	ErrDimension = errors.New("dimension mismatch")
	// ErrFieldType is returned when a metadata value does not have its
	// field's type.
	ErrFieldType = errors.New("metadata type mismatch")
	// ErrFieldNotFound is returned when a metadata field or column name is
	// unknown.
	ErrFieldNotFound = errors.New("field not found")
	// ErrInvalid is returned for arguments out of range: k <= 0, NaN or Inf
	// values, a zero-norm query vector, and the like.
	ErrInvalid = errors.New("invalid argument")
	// ErrKeyTooLong is returned when a row key is longer than MaxKeyBytes.
	// It matches ErrInvalid.
	ErrKeyTooLong error = &child{msg: "key too long", parent: ErrInvalid}
	// ErrBudgetTooSmall is returned when a time budget (of automatic item
	// settings, trainer.Tune) cannot hold a single trial. It matches
	// ErrInvalid.
	ErrBudgetTooSmall error = &child{msg: "time budget too small", parent: ErrInvalid}
	// ErrZeroVector is returned when a vector of all zeros is inserted into
	// a COSINE collection, or is the query of a search there: it has no
	// direction, so no cosine. It matches ErrInvalid.
	ErrZeroVector error = &child{msg: "zero vector", parent: ErrInvalid}
)

// child is a sentinel with a message of its own that also matches its
// parent sentinel with errors.Is.
type child struct {
	msg    string
	parent error
}

func (e *child) Error() string { return e.msg }
func (e *child) Unwrap() error { return e.parent }

// MaxKeyBytes is the longest row key, in bytes, that vecdb stores: 4 KiB,
// the same bound as the trainer's longest token (trainer.MaxTokenBytes),
// well under bbolt's own 32 KiB key limit. storage, format and the
// language refuse a longer key with ErrKeyTooLong.
const MaxKeyBytes = 4096

// keyPreview is how many bytes of an overlong key KeyTooLong quotes.
const keyPreview = 24

// KeyTooLong returns the error for key, which is longer than MaxKeyBytes:
// `key too long: key "aaaaaaaaaaaaaaaaaaaaaaaa…" is 40000 bytes, over the
// 4096-byte key limit`. It wraps ErrKeyTooLong (and so ErrInvalid).
func KeyTooLong(key string) error {
	return Newf(ErrKeyTooLong, "%s", KeyTooLongDetail(key))
}

// KeyTooLongDetail is KeyTooLong's text without the sentinel, for errors
// that carry their own sentinel and position (format's line errors).
func KeyTooLongDetail(key string) string {
	return fmt.Sprintf("key %s is %d bytes, over the %d-byte key limit", QuotePrefix(key, keyPreview), len(key), MaxKeyBytes)
}

// QuotePrefix quotes the first n bytes of s (backing up to a rune
// boundary), adding "…" when s is longer.
func QuotePrefix(s string, n int) string {
	if len(s) <= n {
		return fmt.Sprintf("%q", s)
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return fmt.Sprintf("%q…", s[:n])
}

// Detailed is a sentinel with a detail. It prints as "invalid argument: k
// must be positive, got 0" and matches its sentinel with errors.Is; a
// language error that already says where the problem is prints the Detail
// alone.
type Detailed struct {
	Err    error  // the sentinel
	Detail string // what is wrong, in words
}

// Newf returns a *Detailed error for sentinel with the formatted detail.
func Newf(sentinel error, format string, a ...any) error {
	return &Detailed{Err: sentinel, Detail: fmt.Sprintf(format, a...)}
}

func (e *Detailed) Error() string { return e.Err.Error() + ": " + e.Detail }

// Unwrap returns the sentinel.
func (e *Detailed) Unwrap() error { return e.Err }

// MaxKeysReported is how many unknown keys one error describes, each with
// its close spelling; the others are only counted ("and 1995 more keys not
// in glove50"), so that an error stays short whatever the statement's
// size, and the search for close spellings, which reads the whole
// vocabulary for each key, runs at most this many times.
const MaxKeysReported = 5
