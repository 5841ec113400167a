package storage

import "errors"

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
)

// Errors returned by collection operations.
var (
	// ErrCollectionNotFound is returned when a collection name is unknown.
	ErrCollectionNotFound = errors.New("collection not found")
	// ErrCollectionExists is returned when creating a collection whose name
	// is taken.
	ErrCollectionExists = errors.New("collection already exists")
	// ErrKeyNotFound is returned when a key is not in a collection.
	ErrKeyNotFound = errors.New("key not found")
	// ErrDuplicateKey is returned when a key is inserted twice.
	ErrDuplicateKey = errors.New("duplicate key")
	// ErrDimension is returned when a vector's length differs from the
	// collection's dimension.
	ErrDimension = errors.New("dimension mismatch")
	// ErrFieldType is returned when a metadata value does not have its
	// field's type.
	ErrFieldType = errors.New("metadata type mismatch")
)
