#!/usr/bin/env bash
# Benchmarks package analysis against FAISS: k-means on 100k×100 points with
# k=100, 25 iterations, one thread on both sides, plus PCA of 100k×100.
# Run from anywhere inside the repository; needs ../shared/bench/setup.sh
# (python3-faiss) for the FAISS side.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
export PATH=$PATH:/usr/local/go/bin
raw=$(mktemp --suffix=.f32)
trap 'rm -f "$raw"' EXIT

echo "== vecdb KMeans (GOMAXPROCS=1, Threads=1)"
VECDB_BENCH_DATA=$raw GOMAXPROCS=1 go test -run '^$' -bench 'BenchmarkKMeans/n=100000,d=100,k=100' \
  -benchtime 3x -count 1 ./analysis/

echo "== FAISS Kmeans (omp_set_num_threads(1)) on the same data"
/usr/bin/python3 bench/analysis/faiss_kmeans.py "$raw" 100000 100 100

echo "== vecdb PCA 100k×100 → 2 (GOMAXPROCS=1)"
GOMAXPROCS=1 go test -run '^$' -bench 'BenchmarkPCA' -benchtime 3x -count 1 ./analysis/
