#!/usr/bin/python3
"""Answer the parity queries with gensim's KeyedVectors.

Usage: gensim_answers.py VECTORS.vec QUERIES.json ANSWERS.json
QUERIES.json is a list of {"op": "most_similar"|"most_similar_cosmul"|"doesnt_match",
"positive": [...], "negative": [...], "words": [...], "topn": 10}.
ANSWERS.json gets one entry per query: {"top": [[key, score], ...]} or {"answer": key}.
"""
import json, sys, time
from gensim.models import KeyedVectors

vecs, queries, out = sys.argv[1:4]
t0 = time.time()
kv = KeyedVectors.load_word2vec_format(vecs, binary=False)
load = time.time() - t0
qs = json.load(open(queries))
answers = []
t0 = time.time()
for q in qs:
    if q["op"] == "most_similar":
        top = kv.most_similar(positive=q["positive"], negative=q.get("negative", []), topn=q["topn"])
        answers.append({"top": [[k, float(s)] for k, s in top]})
    elif q["op"] == "most_similar_cosmul":
        top = kv.most_similar_cosmul(positive=q["positive"], negative=q.get("negative", []), topn=q["topn"])
        answers.append({"top": [[k, float(s)] for k, s in top]})
    elif q["op"] == "doesnt_match":
        answers.append({"answer": kv.doesnt_match(q["words"])})
    else:
        raise SystemExit("unknown op " + q["op"])
secs = time.time() - t0
json.dump(answers, open(out, "w"))
print(json.dumps({"gensim": __import__("gensim").__version__, "load_seconds": round(load, 1),
                  "query_seconds": round(secs, 2), "queries": len(qs)}))
