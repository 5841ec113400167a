#!/usr/bin/env bash
# Benchmarks vecdb's word2vec trainer against gensim and fastText on the shared
# corpus (skip-gram and CBOW; dim 100, window 5, negative 5, min_count 5,
# sample 1e-3, 5 epochs, 2 threads), evaluates all vectors with the neutral
# shared/bench/eval_vectors.py, and prints a Markdown table.
# Usage: bench/trainer/run.sh [OUTDIR]   (VECDB_SHARED overrides ../shared)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${VECDB_SHARED:-$(cd "$root/.." && pwd)/shared}
if [[ ! -d $shared/data ]]; then
  echo "no shared data kit at $shared; nothing to benchmark" >&2
  exit 0
fi
bash "$shared/bench/setup.sh"
corpus=$shared/data/corpus.txt
out=${1:-$(mktemp -d /tmp/trainer-bench.XXXXXX)}
mkdir -p "$out"
export PATH=$PATH:/usr/local/go/bin
(cd "$root" && go build -o "$out/trainer-bench" ./bench/trainer)
timed() { # timed NAME CMD...: records /usr/bin/time -v in NAME.time, stdout in NAME.json
  local name=$1; shift
  echo "+ $*" | tee -a "$out/commands.txt" >&2
  /usr/bin/time -v -o "$out/$name.time" "$@" >"$out/$name.json"
}
for mode in sg cbow; do
  vflag=() gflag=() ftmode=skipgram
  if [[ $mode == cbow ]]; then vflag=(-cbow) gflag=(--cbow) ftmode=cbow; fi
  timed "vecdb-$mode" "$out/trainer-bench" -dim 100 -window 5 -negative 5 -min-count 5 -sample 1e-3 \
    -epochs 5 -threads 2 "${vflag[@]}" -eval "$shared/data/eval" "$corpus" "$out/vecdb-$mode.vec"
  timed "gensim-$mode" /usr/bin/python3 "$shared/bench/train_gensim.py" "$corpus" "$out/gensim-$mode.vec" \
    --dim 100 --window 5 --negative 5 --min-count 5 --sample 1e-3 --epochs 5 --threads 2 "${gflag[@]}"
  timed "fasttext-$mode" fasttext "$ftmode" -input "$corpus" -output "$out/fasttext-$mode" -maxn 0 -minn 0 \
    -dim 100 -ws 5 -neg 5 -minCount 5 -t 1e-3 -epoch 5 -thread 2 -verbose 0
  for tool in vecdb gensim fasttext; do
    echo "+ eval_vectors.py $tool-$mode.vec --restrict 30000" >>"$out/commands.txt"
    /usr/bin/python3 "$shared/bench/eval_vectors.py" "$out/$tool-$mode.vec" --restrict 30000 >"$out/$tool-$mode.eval.json"
  done
  # Key order among equal counts differs (vecdb: first seen; gensim: numpy
  # argsort), so the top-30000 question sets differ: also score all three on
  # the questions that all of them score.
  echo "+ common_analogies.py questions-words.txt {vecdb,gensim,fasttext}-$mode.vec" >>"$out/commands.txt"
  /usr/bin/python3 "$here/common_analogies.py" "$shared/data/eval/questions-words.txt" \
    "$out/vecdb-$mode.vec" "$out/gensim-$mode.vec" "$out/fasttext-$mode.vec" >"$out/common-$mode.json"
done
/usr/bin/python3 - "$out" "$corpus" <<'PY'
import json, os, re, sys
out, corpus = sys.argv[1], sys.argv[2]
words = 6046573  # raw tokens of corpus.txt (shared/data/corpus_stats.txt)
def rss_wall(name):
    t = open(os.path.join(out, name + ".time")).read()
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
    w = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", t).group(1).split(":")
    secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(w)))
    cpu = sum(float(re.search(k + r" \(seconds\): ([\d.]+)", t).group(1)) for k in ("User time", "System time"))
    return rss / 1024, secs, cpu
print("| mode | tool | train s | CPU s | words/s | vs gensim | vs fastText | words/CPU-s vs gensim | peak RSS MB | analogy (30k) | questions | analogy, common questions | WS353 ρ | SimLex ρ |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for mode in ("sg", "cbow"):
    rows = {}
    for tool in ("vecdb", "gensim", "fasttext"):
        rss, wall, cpu = rss_wall(f"{tool}-{mode}")
        if tool == "fasttext":
            secs = wall  # whole process: read, train, save
        else:
            secs = json.loads(open(os.path.join(out, f"{tool}-{mode}.json")).read().strip().splitlines()[-1])["seconds"]
        ev = json.loads(open(os.path.join(out, f"{tool}-{mode}.eval.json")).read())
        if tool == "vecdb":  # its process also ran vecdb's own evaluation: count training only
            cpu = json.loads(open(os.path.join(out, f"{tool}-{mode}.json")).read()).get("cpu_seconds", cpu)
        rows[tool] = dict(secs=secs, cpu=cpu, wps=words * 5 / secs, rss=rss, ev=ev)
    common = json.loads(open(os.path.join(out, f"common-{mode}.json")).read())
    for tool, r in rows.items():
        ev = r["ev"]
        print(f"| {mode} | {tool} | {r['secs']:.1f} | {r['cpu']:.0f} | {r['wps']:,.0f} | {r['wps']/rows['gensim']['wps']:.2f}× | "
              f"{r['wps']/rows['fasttext']['wps']:.2f}× | {rows['gensim']['cpu']/r['cpu']:.2f}× | {r['rss']:.0f} | {ev['analogy_accuracy']:.4f} | "
              f"{ev['analogy_questions_scored']} | {common[tool + '-' + mode + '.vec']:.4f} of {common['common_questions']} | "
              f"{ev['wordsim353_spearman']:.4f} | {ev['simlex999_spearman']:.4f} |")
PY
echo "outputs in $out" >&2
