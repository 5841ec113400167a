// Package trainer learns word2vec embeddings (skip-gram or CBOW with
// negative sampling) from sequences of tokens: sentences, playlists of song
// ids, sessions of product ids. It is pure: sequences come from a Source
// (a file, a slice, an iterator), vectors come back in a Model, and nothing
// touches a database. It also evaluates vectors the way gensim does
// (EvaluateAnalogies, EvaluatePairs) through the small KeyedVectors
// interface.
//
//	cfg := trainer.DefaultConfig()
//	cfg.Threads = 4
//	m, err := trainer.Train(ctx, trainer.FileSource("corpus.txt.gz"), cfg, trainer.Options{})
//
// # Algorithm
//
// Train follows word2vec.c and gensim. A first pass counts the tokens; keys
// seen at least MinCount times are kept, sorted by descending count with
// ties in first-seen order ("frequency order"), and cut to the MaxVocab most
// frequent when MaxVocab > 0 (gensim's max_final_vocab; there is no pruning
// while counting, so counting needs memory for every distinct token).
// Input vectors start uniform in [-0.5/dim, 0.5/dim) from Seed, output
// weights at zero.
//
// Each epoch streams the source again. Unknown tokens are dropped, then
// frequent keys are subsampled: a key seen c times out of a retained total
// T survives with probability (sqrt(c/(s·T))+1)·(s·T)/c (see
// KeepProbability). Around every position a reduced window b is drawn
// uniformly from 1..Window (ShrinkWindow), or the window spans the whole
// sequence (WholeSequenceWindow, for item2vec). Skip-gram trains every
// (context → key) pair; CBOW predicts the key from the mean of the context
// vectors and adds the whole error to each of them (gensim's cbow_mean=1).
// Every positive example is paired with Negative noise keys drawn from
// count^NsExponent with an alias table (O(1) per draw, two small arrays);
// all noise keys of an update are drawn first and one value per cache line
// of their output rows is loaded, so their cache misses overlap (about 25%
// faster than touching them one after the other).
// The logistic function is read from a 1024-entry table over [-6, 6]
// (about 4× faster than math.Exp; beyond ±6 the gradient uses 0 or 1, as
// word2vec.c does). The learning rate falls linearly from Alpha to
// MinAlpha with the number of in-vocabulary words handed out, over all
// epochs; it is fixed per job of about 10,000 words.
//
// # Subwords
//
// With Config.Subwords, Train learns fastText's subword vectors
// (Bojanowski et al. 2017). Each key is wrapped as "<key>"; its character
// n-grams are the runs of MinN..MaxN runes of that string (Ngrams; by
// rune, not byte), hashed with 32-bit FNV-1a (bytes sign-extended, as
// fastText hashes them, so an n-gram lands in fastText's bucket) modulo
// Buckets. A key's input vector is the mean of its own row and the rows of
// its n-grams, and every one of those rows receives the whole gradient,
// in skip-gram (the key predicts its context, fastText's orientation) and
// in CBOW (the mean over all rows of all context keys). In skip-gram the
// mean is computed once per position and kept current by adding each
// update to it, and the rows receive the summed update once: exact for
// one thread, and about 1.5× the cost of word-level training instead of
// fastText's recomputation per pair. CBOW keeps the sum of each context
// key's rows from the step its position enters the window, adds each
// update to it, and hands the rows their summed updates when the position
// leaves the window: this differs from updating at every step only where
// keys less than a window apart share a row (vectors stay at cosine
// 0.9997 of the step-by-step ones) and runs 2.4× faster. With
// WholeSequenceWindow, CBOW updates the rows at every step, as fastText
// does.
//
// fastText allocates Buckets rows (2,000,000 × dim: 800 MB at dim 100)
// whatever the corpus. Train keeps a row only for the buckets that the
// n-grams of the vocabulary hit (by at least MinNgramWords keys), in a
// compact table: Model.Subwords, with the buckets in ascending order
// (Hashes) and their rows (Vectors). Training never touches any other
// bucket, so this loses nothing against fastText's dense table; the
// Factbook excerpt's 2,975 keys need about 28,000 rows. When training
// ends, Model.Vectors receives each key's composed vector, which is what
// fastText writes to its .vec file. Model.WordVector gives any word a
// vector: a key its own, another word the mean of the rows of its n-grams
// that the table holds (fastText reads untrained random rows for the
// others; here they are left out, and a word with no known n-gram has no
// vector). Subwords.WriteTo (or MarshalBinary) writes the table as one
// checksummed byte value for a store; ReadSubwords reads it back.
// Continuing training (Options.Continue) with subwords, or of a model that
// has them, is not supported yet (ErrConfig).
//
// # Options and defaults
//
// DefaultConfig gives gensim's defaults: Dim 100, Window 5, Negative 5,
// MinCount 5, Sample 1e-3, Epochs 5, MinAlpha 0.0001, NsExponent 0.75,
// skip-gram, Seed 1, one thread; Subwords off, with MinN 3, MaxN 6,
// Buckets 2,000,000 (fastText's) and MinNgramWords 1. Alpha 0 means 0.025
// for skip-gram and 0.05 for CBOW (word2vec.c's defaults; gensim uses
// 0.025 for both), and 0.045 for skip-gram with Subwords
// (DefaultAlphaSubwordsSG; fastText's is 0.05).
// Fields are otherwise taken literally: Sample 0 disables subsampling, and
// Negative 0 is an error because hierarchical softmax is not implemented.
// Config.Validate names the first option out of range.
//
// Options.Continue continues training a model (gensim's
// build_vocab(update=True) followed by train): old keys keep their rows,
// vectors and output weights, new keys that reach MinCount in the new
// source are appended in their own frequency order, and counts add up.
// Model.Output holds the output weights that this needs; persist them
// with the vectors to continue later. Options.Watch reports the cosine of
// chosen pairs after each epoch, in Progress and Model.History.
//
// # Concurrency and determinism
//
// One reader goroutine streams the source, maps tokens to ids and hands
// jobs of about 10,000 words to Threads workers, which update the shared
// weights without locks (Hogwild, as word2vec.c and gensim do). Each worker
// has its own random numbers, seeded from Seed and the worker number. With
// Threads = 1 and a fixed Seed, training is bit-for-bit deterministic; with
// more threads results differ slightly from run to run. Because Hogwild
// races by design, the package's tests run multi-threaded training only
// without -race (they skip it under the race detector); everything else is
// race-free. The context is checked before every job: cancelling it makes
// Train return ctx.Err() promptly, and no model. Progress callbacks come
// from one goroutine. A Model is safe for concurrent reads.
//
// # Recommending and tuning item settings
//
// For item vectors (sessions, playlists, rating histories), HoldoutLast
// and HoldoutSample hold the last items of sequences out, and
// EvaluateRecommender scores any Recommender on them (HR, MRR, NDCG,
// coverage) beside PopularityRecommender, the baseline to beat.
// ItemRecommender recommends from a Model with RECOMMEND's rule: the
// normalised mean of the history's unit vectors, item i of n weighted by
// RecencyWeight (exp(-recency·(n-1-i))), candidates ranked by
// RecommendScore, which adds popularity·PopularityPrior(count) to the
// cosine. The prior, log(1+count)/log(1+max count), is bounded like a
// cosine, so one weight means the same on any catalogue; on MovieLens
// (bench/items' split, validation) a weight of 0.1 to 0.8 doubles HR@10
// at recency 1 (0.053 to 0.116 at 0.2), where a linear count/max prior
// peaks at the same figure but collapses at 0.8 (0.072).
// RecScoring.Repeats lets the history's own items come back, each scored
// with its RepeatShares share (the recency-weighted share of its
// occurrences) times the weight added: 38% of the e-commerce sessions'
// next items are already in the session (bench/items' split), and on the
// validation split a repeats weight raises HR@10 from 0.217 to 0.314 with
// the README's settings.
//
// Tune searches item settings for such a recommender: window,
// ns_exponent, sample, epochs, dim and min_count by coordinate descent
// from ItemConfig (the settings bench/items found good), each trained
// model scored on a validation split carved from the training sequences
// with every combination of recency, popularity and repeats weights
// (which costs no training). It honours a time budget, estimating each trial's cost from
// the previous ones and refusing a budget that cannot hold the first
// trial (ErrBudgetTooSmall); without a budget and with MaxTrials, it is
// reproducible. See Tune for the details.
//
// # Input format
//
// A FileSource reads one sequence per line, tokens separated by ASCII white
// space (space, tab, CR, LF, VT, FF); gzip files are detected by their
// magic bytes and decompressed. Lines longer than MaxSequenceLength (10,000)
// tokens are cut into pieces of that length as they stream (gensim's
// max_sentence_length), so a text8-style corpus on one line is read with
// bounded memory. A token longer than MaxTokenBytes (4 KiB) is skipped
// and counted (Model.SkippedTokens). KeyedFileSource lines, event log rows
// and evaluation file lines stop at the 32 MiB line limit with an error
// wrapping format.ErrLineTooLong that names the line. Tokens are mapped to
// ids without allocating a string per token. Files whose first 4 KB hold a NUL byte or more than 30% invalid
// UTF-8 are rejected with ErrBinaryInput. SliceSource and FuncSource feed
// in-memory sequences and iterators (iter.Seq[[]string]) through the same
// path; their long sequences are cut the same way. EventLogSource groups
// the rows of a CSV or TSV event log into sequences, or of a table file
// (EventLogOptions.Table: a format.RecordReader, such as a Parquet file
// through package format/parquet) with the same columns by name.
package trainer
