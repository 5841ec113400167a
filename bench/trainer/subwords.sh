#!/usr/bin/env bash
# Subwords (issue 14, engine only): vecdb's subword training against fastText on
# the first TOKENS tokens of the shared corpus (default 2,000,000), EPOCHS
# epochs (default 1), 2 threads; dim 100, window 5, negative 5, min_count 5,
# sample 1e-3, minn 3, maxn 6, 2,000,000 buckets, learning rate 0.05
# (fastText's default for both modes; vecdb's skip-gram default is 0.025).
# RUNS lists the runs to do (default: all, see names below); the table shows
# the runs whose outputs are in OUTDIR. Every .vec file is scored by
# vecdb's evaluator (gensim semantics, analogies restricted to the top 30,000
# keys). Peak RSS comes from /usr/bin/time -v. Prints a Markdown table.
# Usage: bench/trainer/subwords.sh [OUTDIR]   (VECDB_SHARED overrides ../shared)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${VECDB_SHARED:-$(cd "$root/.." && pwd)/shared}
if [[ ! -d $shared/data ]]; then
  echo "no shared data kit at $shared; nothing to benchmark" >&2
  exit 0
fi
command -v fasttext >/dev/null || { echo "fasttext is not installed (bash $shared/bench/setup.sh)" >&2; exit 1; }
tokens=${TOKENS:-2000000}
epochs=${EPOCHS:-1}
out=${1:-$(mktemp -d /tmp/subwords-bench.XXXXXX)}
mkdir -p "$out"
export PATH=$PATH:/usr/local/go/bin
(cd "$root" && go build -o "$out/trainer-bench" ./bench/trainer)
slice=$out/slice.txt
(set +o pipefail; tr ' ' '\n' <"$shared/data/corpus.txt" | head -n "$tokens" | tr '\n' ' ' >"$slice")
common=(-dim 100 -window 5 -negative 5 -min-count 5 -sample 1e-3 -alpha 0.05 -epochs "$epochs" -threads 2)
ftcommon=(-dim 100 -ws 5 -neg 5 -minCount 5 -t 1e-3 -epoch "$epochs" -thread 2 -verbose 2)
timed() { # timed NAME CMD...: /usr/bin/time -v in NAME.time, stdout in NAME.json, stderr in NAME.err
  local name=$1; shift
  echo "+ $*" | tee -a "$out/commands.txt" >&2
  /usr/bin/time -v -o "$out/$name.time" "$@" >"$out/$name.json" 2>"$out/$name.err"
}
vecdb() { # vecdb NAME FLAGS...
  local name=$1; shift
  timed "$name" "$out/trainer-bench" "${common[@]}" "$@" -eval "$shared/data/eval" "$slice" "$out/$name.vec"
}
fasttext_run() { # fasttext_run NAME MODE FLAGS...
  local name=$1 mode=$2; shift 2
  timed "$name" fasttext "$mode" -input "$slice" -output "$out/$name" "${ftcommon[@]}" "$@"
  rm -f "$out/$name.bin"
  echo "+ trainer-bench -score-vec $name.vec -eval eval" >>"$out/commands.txt"
  "$out/trainer-bench" -score-vec "$out/$name.vec" -eval "$shared/data/eval" >"$out/$name.score.json"
}
all="ft-sg-sub vecdb-sg-sub vecdb-sg-sub-w2 vecdb-sg-sub-n5 vecdb-sg-words ft-sg-words ft-cbow-sub vecdb-cbow-sub"
for run in ${RUNS:-$all}; do
  case $run in
  ft-sg-sub) fasttext_run ft-sg-sub skipgram -minn 3 -maxn 6 -bucket 2000000 ;;
  vecdb-sg-sub) vecdb vecdb-sg-sub -subwords ;;
  vecdb-sg-sub-w2) vecdb vecdb-sg-sub-w2 -subwords -min-ngram-words 2 ;;
  vecdb-sg-sub-n5) vecdb vecdb-sg-sub-n5 -subwords -maxn 5 ;;
  vecdb-sg-words) vecdb vecdb-sg-words ;;
  ft-sg-words) fasttext_run ft-sg-words skipgram -minn 0 -maxn 0 ;;
  ft-cbow-sub) fasttext_run ft-cbow-sub cbow -minn 3 -maxn 6 -bucket 2000000 ;;
  vecdb-cbow-sub) vecdb vecdb-cbow-sub -subwords -cbow ;;
  *) echo "unknown run $run" >&2; exit 2 ;;
  esac
done
rm -f "$slice"
/usr/bin/python3 - "$out" "$tokens" "$epochs" <<'PY'
import json, os, re, sys
out, tokens, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def timev(name):
    t = open(os.path.join(out, name + ".time")).read()
    return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
def row(name):
    if name.startswith("ft-"):
        err = open(os.path.join(out, name + ".err"), errors="replace").read()
        wpt = int(re.findall(r"words/sec/thread:\s*(\d+)", err)[-1])
        ev = json.loads(open(os.path.join(out, name + ".score.json")).read())
        return dict(wps=wpt * 2, rss=timev(name), ev=ev, rows="0" if name.endswith("words") else "2,000,000 (dense)")
    j = json.loads(open(os.path.join(out, name + ".json")).read().strip().splitlines()[-1])
    return dict(wps=tokens * epochs / j["seconds"], rss=timev(name), ev=j, rows=f"{j.get('ngram_rows', 0):,}")
names = [n for n in ["ft-sg-sub", "vecdb-sg-sub", "vecdb-sg-sub-w2", "vecdb-sg-sub-n5", "vecdb-sg-words", "ft-sg-words", "ft-cbow-sub", "vecdb-cbow-sub"]
         if os.path.exists(os.path.join(out, n + ".time"))]
rows = {n: row(n) for n in names}
def cpu(name):
    t = open(os.path.join(out, name + ".time")).read()
    return sum(float(re.search(k + r" \(seconds\): ([\d.]+)", t).group(1)) for k in ("User time", "System time"))
for n in names:  # words per CPU-second: vecdb counts training only, fastText its whole process
    rows[n]["wpc"] = tokens * epochs / (rows[n]["ev"]["cpu_seconds"] if n.startswith("vecdb") else cpu(n))
print(f"{tokens:,} tokens, {epochs} epoch(s), 2 threads")
print("| run | vocab | n-gram rows | words/s | vs fastText | words/CPU-s | vs fastText | peak RSS MB | vs fastText | analogy | semantic | syntactic | questions | WS353 ρ | SimLex ρ |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for n in names:
    r = rows[n]
    ref = rows.get("ft-cbow-sub" if "cbow" in n else ("ft-sg-words" if n.endswith("words") else "ft-sg-sub"))
    e = r["ev"]
    ratio = lambda k: f"{r[k]/ref[k]:.2f}×" if ref else "–"
    print(f"| {n} | {e['vocab']:,} | {r['rows']} | {r['wps']:,.0f} | {ratio('wps')} | {r['wpc']:,.0f} | {ratio('wpc')} | {r['rss']:.0f} | {ratio('rss')} | "
          f"{e['vecdb_eval_analogy_accuracy']:.4f} | {e['vecdb_eval_analogy_semantic']:.4f} | {e['vecdb_eval_analogy_syntactic']:.4f} | "
          f"{e['vecdb_eval_analogy_questions']} | {e['vecdb_eval_wordsim353_spearman']:.4f} | {e['vecdb_eval_simlex999_spearman']:.4f} |")
PY
echo "outputs in $out" >&2
