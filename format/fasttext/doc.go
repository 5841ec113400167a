// Package fasttext reads and writes fastText's own model files, the .bin
// that `fasttext skipgram`, `cbow` and `supervised` save (format version
// 12, and 11), so that vecdb can take in a model such as cc.en.300.bin with
// the character n-gram rows that give a vector to any word, and hand back
// a model that the fasttext program loads. Like package format it is pure:
// an io.Reader in, a *Model out, and back through an io.Writer.
//
// # The file
//
// Little-endian, as fastText writes it on every machine it runs on:
//
//	int32 magic 793712314, int32 version 12
//	Args: int32 dim, ws, epoch, minCount, neg, wordNgrams, loss, model,
//	      bucket, minn, maxn, lrUpdateRate; float64 t
//	Dictionary: int32 size, nwords, nlabels; int64 ntokens, pruneidx_size
//	      size × (word bytes, NUL, int64 count, int8 type 0 word / 1 label),
//	      words first; pruneidx_size × (int32, int32) when not -1
//	bool quantized; input matrix: int64 rows (nwords + bucket), int64 dim,
//	      rows × dim float32: one row per word, then one per bucket
//	bool qout; output matrix: int64 rows (nwords, or nlabels for a
//	      classifier), int64 dim, rows × dim float32
//
// A quantized model (.ftz, from `fasttext quantize`) holds codes, not rows,
// and is refused with ErrQuantized.
//
// # Vectors
//
// fastText's vector for a word of its vocabulary is the mean of the word's
// own input row and the rows of its character n-grams; for any other word
// it is the sum of its n-grams' rows divided by the number of its n-grams.
// An n-gram is a run of minn..maxn characters of "<word>" (not a lone "<"
// or ">"), and its row is bucket FNV-1a(n-gram) mod bucket, every byte
// sign-extended before it is hashed (fastText hashes signed chars). These
// are trainer.Ngrams and trainer.Subwords's hash, checked against fastText
// in the tests for words with multi-byte characters; the two differ only
// for bytes that are not UTF-8, which fastText groups by its own rule
// (a byte and the continuation bytes after it), and this package follows
// fastText there.
//
// Read computes every word's vector as fastText does, in float32 in
// fastText's order, so Model.Vectors equals `fasttext print-word-vectors`
// (which prints 5 significant digits). Model.Subwords is a
// trainer.Subwords, vecdb's n-gram table, with fastText's minn, maxn and
// bucket count, and its MeanVector gives an unknown word a vector:
//
//   - With ReadOptions.AllBuckets every bucket row is kept, zero rows
//     included, and MeanVector equals fastText's vector for every word,
//     since every n-gram then has a row and the mean is over all of them.
//     (fastText -thread 1 initialises only a tenth of the matrix, so a
//     trained model can hold rows of zeros; they count in fastText's mean.)
//   - By default only the rows that the kept words' n-grams use are kept,
//     and of those only the ones that are not all zeros. The words'
//     vectors are still exact (they are computed before anything is left
//     out, over all their n-grams); an unknown word gets fastText's vector
//     when all its n-grams have a row, and otherwise MeanVector leaves the
//     missing n-grams out of the sum and the count, as vecdb's own
//     training does. A fastText-trained row that a word uses is never all
//     zeros, so the zero rows left out are those of files vecdb wrote, and
//     a model that vecdb writes and reads back has the table it started
//     with.
//
// Model.Vector is fastText's rule over the rows kept (the mean over all
// n-grams, a missing row counting as zeros), for both kinds of word.
//
// # Memory
//
// The matrix is streamed: Read holds one row at a time, the words'
// vectors (nwords × dim) and the kept n-gram rows, never the whole input
// matrix, and the output matrix (which only training and classification
// use) is read, checked and dropped. For cc.en.300.bin (2,000,000 words,
// 2,000,000 buckets, dim 300: 4.8 GB of float32 in the input matrix) that
// is 2.4 GB of word vectors plus the bucket rows the words use, which in
// so large a vocabulary are most of them; ReadOptions.Limit keeps only the
// most frequent words and the rows they use. No count in the file reserves
// memory before it is checked: with ReadOptions.Size every count is
// checked against the bytes left, and without it memory grows only with
// the bytes actually read.
//
// # Writing
//
// Write streams a Model (words, counts, vectors as vecdb stores them, and
// a trainer.Subwords) as a version-12 file. Each word's input row is
// (n+1)·v − Σ of its n-grams' rows, so that fastText's composition gives
// back exactly v; a bucket without a row in the table is written as
// zeros, and the output matrix is zeros (`print-word-vectors`, `nn` and
// `analogies` use only the input matrix). For an unknown word fastText
// then divides by all its n-grams where MeanVector divides by those with
// a row: the same vector when the table has all of them, the same
// direction otherwise, so `fasttext nn` agrees with vecdb.
//
// # Errors
//
// A problem in a file is a *format.Error with the byte Offset of the field
// at fault (`offset 96: dictionary entry 3 has type 7, want 0 (word) or 1
// (label)`), wrapping one of format's sentinels: ErrHeader (magic,
// version, arguments out of range, ErrQuantized), ErrTruncated (the file
// ends early, or is shorter than a count needs), ErrRagged (a matrix
// whose size disagrees with the arguments and the dictionary),
// ErrNotFinite (NaN or infinity), ErrSyntax (a damaged dictionary),
// ErrDuplicate (a word twice) or ErrKeyTooLong. Write's errors wrap
// vecdb's ErrInvalid, ErrDimension or ErrDuplicateKey.
package fasttext
