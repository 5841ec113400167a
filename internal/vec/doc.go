// Package vec holds the hot numeric kernels of vecdb: dot products, norms,
// scaled adds and batch scoring over []float32, and the Metric type shared by
// storage, search and training.
//
// # Kernels
//
// Dot, L2Sq, Axpy and DotBatch dispatch through package-level function values
// (dotImpl, l2sqImpl, axpyImpl, dotBatchImpl) that are set once, at init,
// before any caller can run; after that they are only read, so every function
// here is safe for concurrent use on distinct or read-only slices. The exported
// functions check lengths before dispatch (a short second operand panics, as
// it always did), so the kernels never read or write outside the slices they
// are given. None of them allocates.
//
// # SIMD plan
//
// On amd64, unless built with the tag "purego", vec_amd64.go checks
// golang.org/x/sys/cpu for AVX2 and FMA and, when both are there, switches to
// the Plan 9 assembly in vec_amd64.s:
//
//   - Dot and L2Sq: four 8-lane VFMADD231PS accumulators over 32 elements per
//     iteration, then 8- and 4-lane steps and a scalar tail of at most three.
//   - Axpy: y += alpha*x with alpha broadcast, 32 elements per iteration, the
//     same 8/4/scalar tail; only y[:len(x)] is written.
//   - DotBatch: rows four at a time, each 8-lane load of q feeding four FMAs
//     (two accumulators per row, eight in all); the last dim%8 elements are
//     read with VMASKMOVPS, which never touches memory past the row, and
//     len(out)%4 leftover rows take a one-row version of the same loop.
//   - DotBlock (nq queries × nr rows into an nq×nr score matrix): register
//     tiles of 4 queries × 3 rows, twelve 8-lane accumulators, so every
//     eight elements take 7 loads for 12 FMAs; the dim%8 tail uses
//     VMASKMOVPS and the tile is reduced with VHADDPS. Where the processor
//     also has AVX-512F and AVX-512VL, a 4 × 4 tile in ZMM registers (16
//     accumulators, K-mask zeroing loads for the dim%16 tail, a 45-instruction
//     shuffle tree for the 16 sums) is used instead: it measured faster than
//     the AVX2 tile on this Xeon despite the AVX-512 clock. Rows and queries
//     left over from whole tiles go through DotBatch. Elsewhere DotBlock is
//     one DotBatch call per query.
//   - IndexAtLeast (first score >= a threshold): two 8-lane VCMPPS per 16
//     scores ORed into one VMOVMSKPS test, for top-k scans.
//
// BenchmarkDotBlock (32 queries × 327 rows × dim 100, in cache; shared
// 2-core Xeon with AVX-512, three runs): one DotBatch per query 38-50
// GFLOP/s, AVX2 tile 86-96, AVX-512 tile 100-104 (152 at dim 128, 121-129 at
// dim 300).
//
// DotBatch reduces a row alone exactly as it does a row in a group of four,
// so a row's score never depends on its neighbours (SearchBatch rescoring
// relies on it). DotBlock's tiles sum in another order and may differ from
// DotBatch in the last bits.
//
// On a shared 2-core Xeon (go test -bench, two runs) the assembly runs Dot at
// 2.3-2.7x the pure-Go speed for dim 50, 3.7-4.7x for 100 and 5.8-7x for 300
// (up to ~55 GFLOP/s), L2Sq at 3.3-6.5x and Axpy at 2.5-5.9x. DotBatch is
// 5.2x faster (43 GFLOP/s) on a matrix that fits in cache and about 2x
// (13-17 GFLOP/s, 26-34 GB/s of rows) when the rows stream from memory.
//
// On arm64 (linux, darwin, windows), unless built with "purego",
// vec_arm64.s has NEON versions of Dot, L2Sq and Axpy: four 4-lane FMLA
// accumulators over 16 elements per iteration, 4-lane steps and a scalar tail
// (vector FADD/FSUB/FADDP, which the Go assembler lacks, are WORD encodings).
// DotBatch calls the NEON Dot once per row. Advanced SIMD is part of every
// arm64 processor, so no feature check is needed. The NEON code is tested
// under qemu-aarch64; its speed has not been measured on real hardware yet.
//
// DotInt8 (the int8 inner product of quantized vectors, exact in int32 up to
// 131072 codes) has its own kernels: on amd64 with AVX2, VPMOVSXBW widens 16
// codes to int16 and VPMADDWD multiplies and pairs them into int32 lanes, 32
// codes per iteration (int8_amd64.s); where the processor has AVX-512 BW
// and VNNI, 32 codes widen into a ZMM register and one VPDPWSSD multiplies,
// pairs and accumulates them, 64 per iteration, with a K-masked load for
// the last len%32 (no scalar tail). On arm64, SMULL/SMULL2 and SADALP do 16
// codes at a time (int8_arm64.s, WORD encodings). Every kernel is tested
// against the pure-Go version for every length 0..300 at unaligned
// offsets, at the extremes -128 and 127, and against a guard page; the NEON
// one under qemu-aarch64 by TestARM64UnderQemu when qemu is installed.
// BenchmarkDotInt8 (shared 2-core Xeon, three runs): dim 100 in 5.3-6.3 ns
// with VNNI, 9.0-9.7 ns with AVX2 (float32 Dot 8.5-9.8 ns); dim 300
// 12-15 ns against 18-20 ns (float32 28 ns). DotInt8Rows scores a batch of
// rows of a code table (a graph node's neighbours) in one call: on amd64 the
// same AVX-512 VNNI or AVX2 loop per row, the tail mask set once; elsewhere
// a loop of DotInt8 calls.
//
// PrefetchInt8Rows, PrefetchFloat32Rows, PrefetchFloat32s and
// PrefetchUint32s are cache hints for graph walks: PREFETCHT0 (amd64) or
// PRFM PLDL1KEEP (arm64) on every 64-byte line of each row of a batch, so
// that the misses of a node's neighbours overlap instead of being waited
// for one at a time; PrefetchInt8RowStarts asks for the first line of each
// row only (the int8 walk's choice: fewer outstanding misses). They change
// nothing and never fault; with "purego" and on other architectures they
// are empty functions.
//
// Go assembly needs no cgo, so CGO_ENABLED=0 builds keep it. Everywhere else
// (other architectures, amd64 CPUs without AVX2 or FMA, and the "purego" tag)
// the pure-Go kernels run:
// inner loops unrolled by eight with independent accumulators, re-sliced so
// the compiler drops the bounds checks; on arm64 the compiler fuses the
// multiply-adds into FMADD. Results differ from the assembly only in float32
// summation order; the tests compare both against a float64 reference for
// every length 0..300 at unaligned offsets.
//
// # Metrics
//
// Metric is the similarity used by a collection: Cosine (vectors compared after
// unit normalisation), Dot (raw inner product) or L2 (Euclidean distance). For
// each metric a higher Score means more similar; Distance is the matching
// "smaller is closer" number (1-cos, -dot, Euclidean distance).
package vec
