#!/usr/bin/python3
"""Times faiss.IndexFlatIP on the query split of ann_reference.py (file position
i % 50 == 7 is a query, the rest the base; cosine via normalised inner product),
three runs, without building hnswlib. Run it with OPENBLAS_NUM_THREADS=1 for a
strictly single-threaded FAISS: omp_set_num_threads(1) does not stop OpenBLAS's
own threads, which ann_reference.py leaves on.
Usage: faiss_flat.py VECS
"""
import json, sys, time
import numpy as np, faiss

keys, rows = [], []
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    first = f.readline().split()
    if not (len(first) == 2 and all(t.isdigit() for t in first)):
        keys.append(first[0]); rows.append(np.asarray(first[1:], dtype=np.float32))
    for line in f:
        t = line.rstrip("\n").split(" ")
        keys.append(t[0]); rows.append(np.asarray(t[1:], dtype=np.float32))
X = np.vstack(rows)
X /= np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
qmask = (np.arange(len(keys)) % 50) == 7
base, queries = X[~qmask], X[qmask]
faiss.omp_set_num_threads(1)
flat = faiss.IndexFlatIP(base.shape[1]); flat.add(base)
for _ in range(3):
    t0 = time.time(); flat.search(queries, 10); t = time.time() - t0
    print(json.dumps({"anchor": "faiss-flat-ip", "threads": 1, "base": len(base), "queries": len(queries),
                      "qps": round(len(queries) / t, 1)}), flush=True)
