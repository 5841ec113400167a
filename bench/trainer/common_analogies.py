#!/usr/bin/python3
"""Scores several .vec files on the analogy questions that all of them score.

eval_vectors.py restricts questions to each model's top 30000 keys; models
that order keys of equal count differently (vecdb: first seen; gensim:
numpy argsort) then score different question sets. This prints, as one JSON
line, each model's accuracy on the intersection, with gensim's evaluator.
Usage: common_analogies.py QUESTIONS VEC [VEC ...] [--restrict 30000]
"""
import argparse, json, logging, os
from gensim.models import KeyedVectors

p = argparse.ArgumentParser()
p.add_argument("questions"); p.add_argument("vecs", nargs="+")
p.add_argument("--restrict", type=int, default=30000)
a = p.parse_args()
logging.disable(logging.WARNING)
scored, correct = {}, {}
for v in a.vecs:
    kv = KeyedVectors.load_word2vec_format(v, binary=False)
    _, sections = kv.evaluate_word_analogies(a.questions, restrict_vocab=a.restrict)
    total = [s for s in sections if s["section"] == "Total accuracy"][0]
    correct[v] = set(total["correct"])
    scored[v] = correct[v] | set(total["incorrect"])
common = set.intersection(*scored.values())
out = {"common_questions": len(common)}
for v in a.vecs:
    out[os.path.basename(v)] = round(len(correct[v] & common) / max(1, len(common)), 4)
print(json.dumps(out))
