#!/usr/bin/env python3
"""Next-item prediction with gensim's Word2Vec, scored exactly as
bench/items/main.go scores vecdb's RECOMMEND: the query is the
recency-weighted mean of the unit vectors of the history's known items
(weight exp(-r*(n-1-i)) for item i of n), normalised; cosine against every
item; history excluded; top 10. With --repeats w > 0 the history's known
items are candidates too, scored by their cosine plus w times their
recency-weighted share of the known history (RECOMMEND's repeats rule).
Histories with no known item fall back to the 10 most frequent training
items not in the history. Prints one JSON line per recency and repeats
value.

usage: gensim_items.py TRAIN.txt TEST.tsv [--sg 0|1] [--recency 0,1] [--repeats 0,0.1] [gensim options]
"""
import argparse
import collections
import json
import logging
import time

import numpy as np
from gensim.models import Word2Vec
from gensim.models.word2vec import LineSentence


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("train")
    ap.add_argument("test")
    ap.add_argument("--sg", type=int, default=0, help="gensim's default is 0 (CBOW)")
    ap.add_argument("--recency", default="0")
    ap.add_argument("--repeats", default="0")
    ap.add_argument("--window", type=int, default=5)
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--ns-exponent", type=float, default=0.75)
    ap.add_argument("--sample", type=float, default=1e-3)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)

    start = time.time()
    # Everything not given is gensim's Word2Vec default (vector_size 100,
    # negative 5, alpha 0.025, min_alpha 0.0001, hs 0, cbow_mean 1).
    m = Word2Vec(LineSentence(args.train), sg=args.sg, window=args.window, min_count=args.min_count,
                 epochs=args.epochs, ns_exponent=args.ns_exponent, sample=args.sample,
                 workers=args.workers, seed=1)
    secs = time.time() - start
    kv = m.wv
    unit = kv.get_normed_vectors()
    index = kv.key_to_index

    counts = collections.Counter()
    with open(args.train) as f:
        for line in f:
            counts.update(line.split())
    popular = sorted(counts, key=lambda k: (-counts[k], k))

    tests = []
    with open(args.test) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            target, _, hist = line.partition("\t")
            tests.append((target, hist.split()))

    reps = [float(y) for y in args.repeats.split(",")]
    for r in [float(x) for x in args.recency.split(",")]:
        hr = dict.fromkeys(reps, 0.0)
        mrr = dict.fromkeys(reps, 0.0)
        fallback = 0
        for target, hist in tests:
            known = [index[h] for h in hist if h in index]
            lists = {}
            if not known:
                fallback += 1
                seen = set(hist)
                recs = [p for p in popular[:10 + len(seen)] if p not in seen][:10]
                lists = dict.fromkeys(reps, recs)
            else:
                n = len(known)
                w = np.exp(-r * (n - 1 - np.arange(n))) if r > 0 else np.ones(n)
                q = (w[:, None] * unit[known]).sum(axis=0) / w.sum()
                q /= np.linalg.norm(q)
                scores = unit @ q
                hscores = {row: float(scores[row]) for row in known}
                scores[known] = -np.inf
                top = np.argpartition(-scores, 10)[:10] if len(scores) > 10 else np.arange(len(scores))
                top = top[np.argsort(-scores[top], kind="stable")]
                top = [i for i in top if np.isfinite(scores[i])]
                share = collections.defaultdict(float)
                for i, row in enumerate(known):
                    share[row] += w[i] / w.sum()
                for rep in reps:
                    if rep > 0:
                        # The repeats rule: the history's items join the
                        # 10 best others, scored cosine + rep * share.
                        cands = [(float(scores[i]), i) for i in top] + \
                                [(hscores[row] + rep * sh, row) for row, sh in share.items()]
                        cands.sort(key=lambda c: -c[0])
                        lists[rep] = [kv.index_to_key[i] for _, i in cands[:10]]
                    else:
                        lists[rep] = [kv.index_to_key[i] for i in top]
            for rep in reps:
                recs = lists[rep]
                if target in recs:
                    rank = recs.index(target)
                    hr[rep] += 1
                    mrr[rep] += 1 / (rank + 1)
        n = len(tests)
        mode = "sg" if args.sg else "cbow"
        for rep in reps:
            print(json.dumps({"method": "gensim", "recency": r, "repeats": rep, "hr10": hr[rep] / n, "mrr10": mrr[rep] / n,
                              "n": n, "fallback": fallback, "keys": len(kv), "train_seconds": secs,
                              "config": f"{mode} dim=100 window={args.window} negative=5 min_count={args.min_count} "
                                        f"sample={args.sample:g} epochs={args.epochs} ns_exponent={args.ns_exponent:g}"}),
                  flush=True)


if __name__ == "__main__":
    main()
