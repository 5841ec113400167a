#!/usr/bin/python3
"""hnswlib's single-thread QPS as the best of several rounds, for run.sh
(ROUNDS=N): the anchor script times each ef_search once, which on a shared
machine catches whatever load there is; annbench -rounds N takes vecdb's
best of N too, so the two sides are compared at their quietest.

Usage: hnswlib_qps.py VECS TRUTH [--rounds 5] [--builds 1] [--m 16] [--efc 200] [--threads 2]
Same split as the anchor (file position i % 50 == 7 is a query), cosine
(inner product of unit vectors); TRUTH is the anchor's --truth file.
Prints JSON lines: each build (timed; --builds N builds N times) and, per ef_search, recall@10 and the
best QPS of the rounds.
"""
import argparse, json, time
import numpy as np, hnswlib

ap = argparse.ArgumentParser()
ap.add_argument("vecs"); ap.add_argument("truth")
ap.add_argument("--rounds", type=int, default=5); ap.add_argument("--m", type=int, default=16)
ap.add_argument("--efc", type=int, default=200); ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--ef", default="10,20,40,80,160,320")
ap.add_argument("--builds", type=int, default=1)
args = ap.parse_args()

names, vecs = [], []
with open(args.vecs, encoding="utf-8", errors="replace") as f:
    head = f.readline().split()
    if not (len(head) == 2 and head[0].isdigit() and head[1].isdigit()):
        names.append(head[0]); vecs.append(np.array(head[1:], dtype=np.float32))
    for line in f:
        parts = line.rstrip("\n").split(" ")
        names.append(parts[0]); vecs.append(np.array(parts[1:], dtype=np.float32))
data = np.stack(vecs)
data /= np.maximum(np.linalg.norm(data, axis=1, keepdims=True), 1e-12)
is_query = np.arange(len(names)) % 50 == 7
base, queries = data[~is_query], data[is_query]
base_names = [k for k, q in zip(names, is_query) if not q]
query_names = [k for k, q in zip(names, is_query) if q]

want = {}
with open(args.truth, encoding="utf-8") as f:
    for line in f:
        q, _, rest = line.rstrip("\n").partition("\t")
        want[q] = set(rest.split(" "))

for _ in range(args.builds):  # each on a fresh index; the table keeps the fastest
    index = hnswlib.Index(space="ip", dim=base.shape[1])
    index.init_index(max_elements=len(base), M=args.m, ef_construction=args.efc, random_seed=100)
    index.set_num_threads(args.threads)
    start = time.time()
    index.add_items(base, np.arange(len(base)))
    secs = time.time() - start
    print(json.dumps({"anchor": "hnswlib-build", "threads": args.threads, "seconds": round(secs, 3)}), flush=True)

index.set_num_threads(1)
for ef in [int(e) for e in args.ef.split(",")]:
    index.set_ef(max(ef, 10))
    best = 0.0
    for _ in range(args.rounds):
        start = time.time()
        labels, _ = index.knn_query(queries, k=10)
        best = max(best, len(queries) / (time.time() - start))
    found = sum(len(want[qn] & {base_names[j] for j in row}) for qn, row in zip(query_names, labels))
    print(json.dumps({"anchor": "hnswlib-search-best", "ef_search": ef, "threads": 1, "rounds": args.rounds,
                      "recall": round(found / (10 * len(queries)), 4), "qps": round(best, 1)}), flush=True)
