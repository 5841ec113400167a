#!/usr/bin/env python3
"""FAISS side of bench/analysis/run.sh: k-means on the raw float32 file Go wrote."""
import sys, time
import numpy as np
import faiss

path, n, d, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
x = np.fromfile(path, dtype="<f4").reshape(n, d)
faiss.omp_set_num_threads(1)

def full_inertia(centroids):
    index = faiss.IndexFlatL2(d)
    index.add(centroids)
    dist, _ = index.search(x, 1)
    return float(dist.sum())

for name, extra in [("default (subsamples to 256 points per centroid)", {}),
                    ("all points (max_points_per_centroid=n)", {"max_points_per_centroid": n})]:
    km = faiss.Kmeans(d, k, niter=25, seed=1, verbose=False, **extra)
    t0 = time.perf_counter()
    km.train(x)
    secs = time.perf_counter() - t0
    print(f"faiss {name}: {secs:.3f} s, obj[-1] {km.obj[-1]:.6g}, inertia on all points {full_inertia(km.centroids):.6g}")
