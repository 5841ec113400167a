package format

// MaxDim is the largest dimension a header or file may declare; anything
// larger is rejected with ErrHeader before memory is allocated for it.
const MaxDim = 1 << 16

// DupPolicy says what a Reader does when a key repeats.
type DupPolicy int

const (
	// DupError (the default) fails with ErrDuplicate on the second
	// occurrence, naming the line or offset of the first.
	DupError DupPolicy = iota
	// DupKeepFirst silently skips later occurrences.
	DupKeepFirst
	// DupKeepLast returns every occurrence, so a caller that upserts by key
	// keeps the last vector (at the first one's position, as gensim does).
	// It needs no memory per key.
	DupKeepLast
)

// ReaderOptions configures NewReader and Open. The zero value sniffs the
// layout, reads every row, takes the dimension from the file and fails on
// duplicate keys.
type ReaderOptions struct {
	// Format is the layout; Auto (0) sniffs it.
	Format Format
	// Limit stops reading after this many rows, like gensim's limit; 0 reads
	// all rows.
	Limit int
	// Dim, when positive, is the required dimension; a file that disagrees
	// fails with ErrRagged. 0 takes the dimension from the file.
	Dim int
	// Duplicates says what to do with repeated keys.
	Duplicates DupPolicy
}
