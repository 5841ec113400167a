package trainer

import (
	"errors"

	"github.com/vecdb/vecdb/internal/errdefs"
)

// Errors returned by Train. They are wrapped with details (the file name, the
// most frequent key); compare with errors.Is.
var (
	// ErrEmptyCorpus is returned when the source yields no tokens at all.
	ErrEmptyCorpus = errors.New("corpus has no tokens")

	// ErrBinaryInput is returned by a FileSource whose first 4 KB (after
	// gzip decompression) hold NUL bytes or are mostly invalid UTF-8.
	ErrBinaryInput = errors.New("input looks binary, not text")

	// ErrNoVocab is returned when no key occurs at least MinCount times.
	ErrNoVocab = errors.New("no key occurs at least min_count times")

	// ErrConfig is returned (wrapped, naming the option) by Config.Validate
	// when an option is out of range.
	ErrConfig = errors.New("invalid training option")
)

// ErrBudgetTooSmall is returned by Tune when its time budget cannot hold
// one trial (the message gives the estimated cost of the first trial). It
// matches errdefs.ErrInvalid (db.ErrInvalid).
var ErrBudgetTooSmall = errdefs.ErrBudgetTooSmall
