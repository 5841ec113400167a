#!/usr/bin/env python3
"""The table of bench/items/tuned.sh: tuned_table.py OUTDIR DATASET..."""
import json, os, re, sys
out, dss = sys.argv[1], sys.argv[2:]
def lines(name):
    return [json.loads(l) for l in open(os.path.join(out, name + ".json")) if l.startswith("{")]
def secs(name):
    return float(open(os.path.join(out, name + ".time")).read())
def final(ds):
    # The final training's time, from TRAIN's message on stderr.
    m = re.search(r"trained with them: .* in ([0-9.]+)s", open(os.path.join(out, ds + "-d-train.err")).read())
    return f", of which the final training {float(m.group(1)):.0f} s" if m else ""
def evalrow(name, method):
    rows = [r for r in lines(name) if r.get("method") == method]
    return rows[-1]
print("| dataset | method | HR@10 | MRR@10 | d/method (HR) | notes |")
print("|---|---|---|---|---|---|")
for ds in dss:
    rec = float(open(os.path.join(out, ds + "-a.recency")).read())
    arows = lines(ds + "-a")
    a = [r for r in arows if r["recency"] == rec and r.get("repeats", 0) == 0][0]
    a0 = [r for r in arows if r["recency"] == 0 and r.get("repeats", 0) == 0]
    rrec, rrep = map(float, open(os.path.join(out, ds + "-a.repeats")).read().split())
    ar = [r for r in arows if r["recency"] == rrec and r.get("repeats", 0) == rrep][0]
    b, c = lines(ds + "-b")[0], lines(ds + "-c")[0]
    d = evalrow(ds + "-d", "t")
    dh, dm = d["hr@10"], d["mrr@10"]
    ce, ca = evalrow(ds + "-c-evaluate", "c"), evalrow(ds + "-c-asis", "c_train")
    desc = {r.get("property", ""): r.get("value", "") for r in lines(ds + "-d")}
    for label, hr, mrr, note in [
        ("(a) gensim defaults (sg, min_count 1)", a["hr10"], a["mrr10"], f"recency {a['recency']:g} (validation), {a['keys']} keys" +
         (f"; plain mean (recency 0): HR@10 {a0[0]['hr10']:.4f}, MRR@10 {a0[0]['mrr10']:.4f}" if a0 else "")),
        ("(a+) gensim defaults + repeats rule", ar["hr10"], ar["mrr10"], f"recency {rrec:g}, repeats {rrep:g} (validation)"),
        ("(b) popularity", b["hr10"], b["mrr10"], ""),
        ("(c) README item settings", c["hr10"], c["mrr10"],
         f"EVALUATE RECOMMEND: retrained {ce['hr@10']:.4f}, train = false {ca['hr@10']:.4f}"),
        ("(d) tuned, plain RECOMMEND", dh, dm, " ".join(f"{k}={desc.get('param ' + k, '0' if k == 'repeats' else None)}" for k in
            ["window", "ns_exponent", "sample", "epochs", "dim", "min_count", "recency", "popularity", "repeats"]) +
         f"; TRAIN (tune + final training) {secs(ds + '-d-train'):.0f} s wall{final(ds)}; {desc.get('param tuned')}")]:
        ratio = dh / hr if hr else float("inf")
        print(f"| {ds} | {label} | {hr:.4f} | {mrr:.4f} | {ratio:.2f}x | {note} |")
