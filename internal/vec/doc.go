// Package vec holds the hot numeric kernels of vecdb: dot products, norms,
// scaled adds and batch scoring over []float32, and the Metric type shared by
// storage, search and training.
//
// # Kernels
//
// Every kernel is written in pure Go with the inner loop unrolled by eight and
// independent accumulators so that the compiler keeps them in registers and the
// processor can overlap the multiply-adds. The functions never allocate.
//
// # SIMD plan
//
// The exported functions dispatch through package-level function values
// (dotImpl and friends). An assembly kernel for amd64 (AVX2 + FMA), guarded by
// a CPU feature check at init and by the build tag "!purego", replaces the
// function value when the benchmarks ask for it; the pure-Go version stays the
// fallback for every other platform and for CGO_ENABLED=0 cross builds, and the
// tests compare the two on random inputs.
//
// # Metrics
//
// Metric is the similarity used by a collection: Cosine (vectors compared after
// unit normalisation), Dot (raw inner product) or L2 (Euclidean distance). For
// each metric a higher Score means more similar; Distance is the matching
// "smaller is closer" number (1-cos, -dot, Euclidean distance).
package vec
