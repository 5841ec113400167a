// Package analysis clusters, projects and plots vectors. It is pure: slices
// go in, results and images come out; it knows nothing of storage or the
// query language. The SPEC statements CLUSTER, PROJECT ... USING PCA and
// PROJECTION(...) ONTO, and the shell's .plot, are built on it.
//
// # Data
//
// Every function takes n points as one row-major []float32 of n×dim values
// plus dim. A length that is not a positive multiple of dim gives
// ErrDimension (or ErrEmpty for no data); nothing panics on bad input.
// Inputs are never modified.
//
// # Clustering
//
// KMeans is k-means++ seeding followed by Lloyd iterations (default 25,
// stopping early when no point changes cluster). Empty clusters are
// re-seeded from the points farthest from their centroids. The assignment
// step computes ‖x‖²−2x·c+‖c‖² with vec.DotBatch on KMeansOptions.Threads
// goroutines; equal seeds give equal results for any thread count.
// Spherical clustering is for cosine collections: unit vectors, assignment
// by largest dot product, unit-length centroids, distances 1−cos. The
// result carries the inertia (FAISS's objective for Euclidean clustering)
// and a silhouette measured on a seeded sample of at most 2000 points.
//
// # Projections
//
// PCA centres the points and takes the leading eigenvectors of the
// covariance matrix (gonum's mat.EigenSym), sign-normalised so the
// largest loading of each component is positive. TSNE is exact t-SNE with
// early exaggeration, momentum and adaptive gains, for at most
// MaxTSNEPoints points. ProjectOnto gives the cosine of each point with an
// axis such as v(he)−v(she).
//
// # Plots
//
// Scatter builds a gonum/plot plot with one colour per group (ten
// colours, then cycling mark shapes), a legend beside the data and labels
// placed greedily at eight positions around each point, then further out
// with a leader line, so labels do not collide; every point is labelled when
// there are at most 60. SavePlot and SaveAxisPlot write SVG or PNG by file
// extension; AxisPlot lays keys along a horizontal axis between two named
// poles. TerminalPlot draws points in Unicode braille (2×4 dots per cell)
// with optional ANSI colours.
//
// # Concurrency
//
// All functions are safe for concurrent use; they share no state. KMeans
// and TSNE take a context.Context and return its error when cancelled.
package analysis
