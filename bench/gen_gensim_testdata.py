#!/usr/bin/python3
"""Regenerates db/testdata/gensim_speeches.vec and its expected answers.

Trains gensim word2vec on the public-domain US State of the Union and Inaugural
addresses (../shared/data/redistributable/speeches.txt), keeps the 2,000 most
frequent keys, and records gensim's own answers for most_similar,
most_similar with negatives, most_similar_cosmul, doesnt_match, similarity,
n_similarity and rank on the saved file. db's tests compare against these.
Usage: bench/gen_gensim_testdata.py [SHARED_DIR]
"""
import json, os, random, sys
from gensim.models import Word2Vec, KeyedVectors
from gensim.models.word2vec import LineSentence

shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared")
out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "db", "testdata")
m = Word2Vec(LineSentence(os.path.join(shared, "data", "redistributable", "speeches.txt"), max_sentence_length=10000),
             vector_size=32, window=5, min_count=5, sg=1, negative=5, epochs=5, workers=1, seed=1)
vec_path = os.path.join(out_dir, "gensim_speeches.vec")
with open(vec_path, "w", encoding="utf-8") as f:
    f.write("2000 %d\n" % m.wv.vector_size)
    for k in m.wv.index_to_key[:2000]:
        f.write(k + " " + " ".join(str(x) for x in m.wv[k]) + "\n")
kv = KeyedVectors.load_word2vec_format(vec_path, binary=False)
rnd = random.Random(1)
keys = kv.index_to_key
cases = []
for _ in range(60):
    a = rnd.choice(keys[:1500])
    cases.append({"op": "most_similar", "positive": [a], "negative": [], "top": [k for k, _ in kv.most_similar(a, topn=10)]})
for _ in range(40):
    a, b, c = rnd.sample(keys[:1000], 3)
    cases.append({"op": "most_similar", "positive": [a, b], "negative": [c],
                  "top": [k for k, _ in kv.most_similar(positive=[a, b], negative=[c], topn=10)]})
for _ in range(20):
    a, b, c = rnd.sample(keys[:1000], 3)
    cases.append({"op": "most_similar_restrict", "positive": [a, b], "negative": [c], "restrict": 500,
                  "top": [k for k, _ in kv.most_similar(positive=[a, b], negative=[c], topn=10, restrict_vocab=500)]})
for _ in range(30):
    a, b, c = rnd.sample(keys[:1000], 3)
    cases.append({"op": "most_similar_cosmul", "positive": [a, b], "negative": [c],
                  "top": [k for k, _ in kv.most_similar_cosmul(positive=[a, b], negative=[c], topn=10)]})
for _ in range(30):
    ws = rnd.sample(keys[:1000], 4)
    cases.append({"op": "doesnt_match", "words": ws, "answer": kv.doesnt_match(ws)})
for _ in range(30):
    a, b = rnd.sample(keys[:1500], 2)
    cases.append({"op": "similarity", "a": a, "b": b, "value": float(kv.similarity(a, b)),
                  "distance": float(kv.distance(a, b)), "rank": int(kv.rank(a, b))})
for _ in range(10):
    a = rnd.sample(keys[:1000], 2); b = rnd.sample(keys[:1000], 3)
    cases.append({"op": "n_similarity", "a": a, "b": b, "value": float(kv.n_similarity(a, b))})
with open(os.path.join(out_dir, "gensim_speeches_expected.json"), "w") as f:
    json.dump({"gensim": __import__("gensim").__version__, "cases": cases}, f, indent=0)
print("wrote", vec_path, len(cases), "cases")
