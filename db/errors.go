package db

import (
	"errors"
	"fmt"
	"strings"

	"github.com/vecdb/vecdb/format"
	"github.com/vecdb/vecdb/storage"
)

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
	// ErrClosed is returned when using a database after Close.
	ErrClosed = errors.New("database is closed")
)

// Errors returned by collection operations.
var (
	// ErrNotFound is returned when a collection or key does not exist; the
	// more specific ErrCollectionNotFound and ErrKeyNotFound wrap it.
	ErrNotFound = errors.New("not found")
	// ErrCollectionNotFound is returned when a collection name is unknown.
	ErrCollectionNotFound = storage.ErrCollectionNotFound
	// ErrCollectionExists is returned when creating a collection whose name
	// is taken.
	ErrCollectionExists = storage.ErrCollectionExists
	// ErrKeyNotFound is returned when a key is not in a collection.
	ErrKeyNotFound = storage.ErrKeyNotFound
	// ErrDuplicateKey is returned when inserting a key that exists.
	ErrDuplicateKey = storage.ErrDuplicateKey
	// ErrDimension is returned when a vector's length does not match the
	// collection's dimension.
	ErrDimension = storage.ErrDimension
	// ErrFieldType is returned when a metadata value has the wrong type.
	ErrFieldType = storage.ErrFieldType
	// ErrInvalid is returned for arguments out of range: k <= 0, NaN or Inf
	// values, a zero-norm query vector, and the like.
	ErrInvalid = errors.New("invalid argument")
	// ErrFieldNotFound is returned when a metadata field name is unknown.
	ErrFieldNotFound = errors.New("field not found")
	// ErrLineTooLong is returned when a line of a file a statement reads
	// (vectors, metadata, a corpus, an event log, evaluation pairs or
	// analogies) is longer than format.MaxLineBytes (32 MiB); the message
	// names the file and the line.
	ErrLineTooLong = format.ErrLineTooLong
)

// KeysNotFoundError reports every unknown key of one request at once, with
// close spellings. It matches ErrKeyNotFound and ErrNotFound with errors.Is.
type KeysNotFoundError struct {
	Collection string
	Keys       []string
	// Suggestions maps an unknown key to a close spelling ("" when none).
	Suggestions map[string]string
}

func (e *KeysNotFoundError) Error() string {
	var parts []string
	for _, k := range e.Keys {
		s := fmt.Sprintf("%s is not in %s", quoteKey(k), e.Collection)
		if sug := e.Suggestions[k]; sug != "" {
			s += fmt.Sprintf("; did you mean %s?", quoteKey(sug))
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "\n")
}

// Is makes the error match ErrKeyNotFound and ErrNotFound.
func (e *KeysNotFoundError) Is(target error) bool {
	return target == ErrKeyNotFound || target == ErrNotFound
}

func quoteKey(k string) string { return "'" + strings.ReplaceAll(k, "'", "''") + "'" }

// notFound wraps storage's not-found errors so that they also match
// ErrNotFound.
type notFound struct{ err error }

func (e notFound) Error() string   { return e.err.Error() }
func (e notFound) Unwrap() []error { return []error{e.err, ErrNotFound} }
func collNotFound(name string) error {
	return notFound{fmt.Errorf("%w: %s", ErrCollectionNotFound, name)}
}
func wrapNotFound(err error) error {
	if err != nil && (errors.Is(err, ErrCollectionNotFound) || errors.Is(err, ErrKeyNotFound)) && !errors.Is(err, ErrNotFound) {
		return notFound{err}
	}
	return err
}
