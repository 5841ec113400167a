package storage

// The sentinels are declared in internal/errdefs, where the query language
// finds them too; package db re-exports them.

import "github.com/vecdb/vecdb/internal/errdefs"

// Errors returned when opening a file.
var (
	// ErrNotVecdb is returned when the file is not a vecdb database (not a
	// bbolt file, or a bbolt file without vecdb's format record).
	ErrNotVecdb = errdefs.ErrNotVecdb
	// ErrVersion is returned when the file was written by an incompatible
	// version of vecdb's storage format.
	ErrVersion = errdefs.ErrVersion
	// ErrLocked is returned when another process holds the file open for
	// writing and the lock was not released within Options.Timeout.
	ErrLocked = errdefs.ErrLocked
	// ErrReadOnly is returned when a write is attempted on a database opened
	// read-only.
	ErrReadOnly = errdefs.ErrReadOnly
	// ErrCorrupt is returned when a record cannot be decoded.
	ErrCorrupt = errdefs.ErrCorrupt
	// ErrClosed is returned when using a database after Close.
	ErrClosed = errdefs.ErrClosed
)

// Errors returned by collection operations.
var (
	// ErrCollectionNotFound is returned when a collection name is unknown.
	ErrCollectionNotFound = errdefs.ErrCollectionNotFound
	// ErrCollectionExists is returned when creating a collection whose name
	// is taken.
	ErrCollectionExists = errdefs.ErrCollectionExists
	// ErrKeyNotFound is returned when a key is not in a collection.
	ErrKeyNotFound = errdefs.ErrKeyNotFound
	// ErrDuplicateKey is returned when a key is inserted twice.
	ErrDuplicateKey = errdefs.ErrDuplicateKey
	// ErrDimension is returned when a vector's length differs from the
	// collection's dimension.
	ErrDimension = errdefs.ErrDimension
	// ErrFieldType is returned when a metadata value does not have its
	// field's type.
	ErrFieldType = errdefs.ErrFieldType
	// ErrKeyTooLong is returned when a key is longer than MaxKeyBytes. It
	// matches ErrInvalid.
	ErrKeyTooLong = errdefs.ErrKeyTooLong
)

// MaxKeyBytes is the longest key, in bytes, that Insert, Upsert and
// Loader.Add accept (4 KiB, as trainer.MaxTokenBytes; bbolt itself refuses
// keys over 32 KiB). A longer key fails with an error wrapping
// ErrKeyTooLong that quotes the key's first characters and gives its
// length and the limit.
const MaxKeyBytes = errdefs.MaxKeyBytes
