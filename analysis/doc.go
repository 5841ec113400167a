// Package analysis clusters and projects vectors. It is pure: slices go
// in, numbers come out; it knows nothing of storage or the query language,
// and it draws no files (package plotfile draws SVG and PNG plots, so that
// package db, which imports this one, links no plotting code). The SPEC
// statements CLUSTER, PROJECT ... USING PCA and PROJECTION(...) ONTO, and
// the shell's .plot, are built on it.
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
// covariance matrix (our own Householder tridiagonalisation and implicit
// QL, so that package db links no linear-algebra library), sign-normalised
// so the
// largest loading of each component is positive. TSNE is exact t-SNE with
// early exaggeration, momentum and adaptive gains, for at most
// MaxTSNEPoints points. ProjectOnto gives the cosine of each point with an
// axis such as v(he)−v(she).
//
// # Plots
//
// Point is a labelled, grouped 2-D point. TerminalPlot draws points in
// Unicode braille (2×4 dots per cell) with optional ANSI colours, one
// colour per group in order of first appearance; it needs no drawing
// library.
//
// # Concurrency
//
// All functions are safe for concurrent use; they share no state. KMeans
// and TSNE take a context.Context and return its error when cancelled.
package analysis
