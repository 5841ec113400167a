#!/usr/bin/env bash
# Subwords, full corpus (issue 14): vecdb against fastText on the whole shared
# corpus, both trained with fastText's default skip-gram settings: dim 100,
# window 5, negative 5, minCount 5, sample 1e-4, minn 3, maxn 6, 2,000,000
# buckets, 5 epochs (EPOCHS overrides), 2 threads, and fastText's noise
# distribution, count^0.5 (vecdb's ns_exponent = 0.5; NS overrides it, e.g.
# NS=0.75 for vecdb's word-level default). Both start at their default
# learning rate for skip-gram with subwords, fastText 0.05 and vecdb 0.045
# (ALPHA overrides vecdb's; run 8 in BENCHMARKS.md used ALPHA=0.04). The
# word-level runs use 0.05. vecdb reads with its default 8 stripes.
# vecdb trains through its command-line client (TRAIN … WITH (subwords = true,
# …) into a database file) under /usr/bin/time -v, then EXPORTs the vectors.
#
# Runs (RUNS lists which; by default all of them, in this order, vecdb-words-base only
# when BASE is set):
#   ft-full      fastText skipgram on corpus.txt (.bin size, words/s, RSS, .vec scored)
#   vecdb-full   vecdb TRAIN with subwords on corpus.txt (database size, words/s, RSS, export scored)
#   vecdb-words  vecdb TRAIN without subwords, same settings (word-level speed and quality)
#   ft-half      fastText on the first half of the corpus's tokens, then print-word-vectors for
#                every WordSim-353 and SimLex-999 word
#   vecdb-half   vecdb on the same half, then SELECT SIMILARITY('a', 'b') for every pair
#                (words the collection does not store get vectors from their n-grams)
#   ft-slice, vecdb-slice  as ft-half and vecdb-half on the first SLICE tokens (default 1,238,370:
#                WikiText and the Factbook, before WordNet's glosses, which hold most evaluation
#                words), so that many more pairs need n-grams
#   vecdb-words-base  as vecdb-words, with the vecdb binary built from commit BASE (git archive
#                of this repository; e.g. the last commit before subwords)
# Every .vec is scored by vecdb's evaluator (trainer-bench -score-vec: gensim
# semantics, analogies restricted to the top 30,000 keys), and also by
# ../shared/bench/eval_vectors.py when /usr/bin/python3 can import gensim. The
# out-of-vocabulary score: Spearman of each tool's cosine against the human
# scores over every pair (words lowercased, as the corpus is), with the share
# of pairs having a word outside the training vocabulary.
# Prints a Markdown summary; the outputs stay in OUTDIR.
# SEED=n gives both tools that seed (fastText -seed, vecdb seed = n) for paired runs.
# Usage: [RUNS=…] [SEED=n] [BASE=commit] bench/trainer/subwords_full.sh [OUTDIR]   (VECDB_SHARED overrides ../shared)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${VECDB_SHARED:-$(cd "$root/.." && pwd)/shared}
if [[ ! -d $shared/data ]]; then
  echo "no shared data kit at $shared; nothing to benchmark" >&2
  exit 0
fi
command -v fasttext >/dev/null || { echo "fasttext is not installed (bash $shared/bench/setup.sh)" >&2; exit 1; }
epochs=${EPOCHS:-5}
out=${1:-$(mktemp -d "${TMPDIR:-/tmp}/subwords-full.XXXXXX")}
mkdir -p "$out"
out=$(cd "$out" && pwd)
export PATH=$PATH:/usr/local/go/bin
(cd "$root" && go build -o "$out/vecdb" ./cmd/vecdb && go build -o "$out/trainer-bench" ./bench/trainer)
eval=$shared/data/eval
corpus=$out/corpus.txt
half=$out/half.txt
slice=$out/slice.txt
[[ -f $corpus ]] || cp "$shared/data/corpus.txt" "$corpus"
if [[ ! -f $half ]]; then # the first half of the tokens
  n=$(tr ' ' '\n' <"$corpus" | grep -c .)
  (set +o pipefail; tr ' ' '\n' <"$corpus" | grep . | head -n $((n / 2)) | tr '\n' ' ' | sed 's/ $//' >"$half")
fi
(set +o pipefail; tr ' ' '\n' <"$corpus" | grep . | head -n "${SLICE:-1238370}" | tr '\n' ' ' | sed 's/ $//' >"$slice")
echo "$(wc -w <"$corpus") $(wc -w <"$half") $(wc -w <"$slice")" >"$out/tokens"
ftflags=(-dim 100 -ws 5 -neg 5 -minCount 5 -t 1e-4 -minn 3 -maxn 6 -bucket 2000000 -lr 0.05
  -epoch "$epochs" -thread 2 -verbose 2)
vdbwith="dim = 100, window = 5, negative = 5, min_count = 5, sample = 0.0001, epochs = $epochs, threads = 2"
if [[ -n ${SEED:-} ]]; then # the same seed for both tools (paired runs)
  ftflags+=(-seed "$SEED")
  vdbwith+=", seed = $SEED"
fi
subwith="subwords = true, minn = 3, maxn = 6, buckets = 2000000, ns_exponent = ${NS:-0.5}${ALPHA:+, alpha = $ALPHA}"
gensim=no
/usr/bin/python3 -c 'import gensim' 2>/dev/null && gensim=yes
log() { echo "+ $*" | tee -a "$out/commands.txt" >&2; }
timed() { # timed NAME CMD...: /usr/bin/time -v in NAME.time, stdout in NAME.out, stderr in NAME.err
  local name=$1; shift
  log "$@"
  /usr/bin/time -v -o "$out/$name.time" "$@" >"$out/$name.out" 2>"$out/$name.err"
}
score() { # score NAME: NAME.vec by vecdb's evaluator (and gensim's when installed)
  local name=$1
  log trainer-bench -score-vec "$name.vec" -eval "$eval"
  "$out/trainer-bench" -score-vec "$out/$name.vec" -eval "$eval" >"$out/$name.score.json"
  if [[ $gensim == yes ]]; then
    log eval_vectors.py "$name.vec" --restrict 30000
    /usr/bin/python3 "$shared/bench/eval_vectors.py" "$out/$name.vec" --restrict 30000 >"$out/$name.gensim.json"
  fi
}
words() { # every evaluation word, lowercased, once
  cat "$eval/wordsim353.tsv" "$eval/simlex999.txt" | grep -v '^#' | cut -f1,2 | tr '\t' '\n' |
    tr 'A-Z' 'a-z' | sort -u
}
fasttext_run() { # fasttext_run NAME INPUT
  local name=$1 input=$2
  timed "$name" fasttext skipgram -input "$input" -output "$out/$name" "${ftflags[@]}"
  stat -c %s "$out/$name.bin" >"$out/$name.binsize"
}
vecdb_run() { # vecdb_run NAME INPUT WITH
  local name=$1 input=$2 with=$3
  rm -f "$out/$name.vdb"*
  timed "$name" "${bin:-$out/vecdb}" "$out/$name.vdb" "TRAIN c FROM '$input' WITH ($with)"
  du -cb "$out/$name.vdb"* | tail -1 | cut -f1 >"$out/$name.dbsize"
  log vecdb "$name.vdb" "EXPORT c TO '$name.vec'"
  "${bin:-$out/vecdb}" "$out/$name.vdb" "EXPORT c TO '$out/$name.vec'" >/dev/null
}
ft_oov() { # ft_oov NAME INPUT: train, then vectors for every evaluation word
  local name=$1
  fasttext_run "$name" "$2"
  words >"$out/words.txt"
  log fasttext print-word-vectors "$name.bin" "<words.txt"
  fasttext print-word-vectors "$out/$name.bin" <"$out/words.txt" >"$out/$name.words.txt"
  rm -f "$out/$name.bin"
}
vecdb_oov() { # vecdb_oov NAME INPUT: train, then the similarity of every evaluation pair
  local name=$1
  vecdb_run "$name" "$2" "$subwith, $vdbwith"
  # One statement per line: each prints one row (JSON lines) or an error
  # naming its line on stderr.
  for f in wordsim353.tsv simlex999.txt; do
    grep -v '^#' "$eval/$f" | tr 'A-Z' 'a-z' |
      awk -F'\t' '{printf "SELECT SIMILARITY('"'"'%s'"'"', '"'"'%s'"'"') FROM c;\n", $1, $2}' >"$out/pairs-$f.sql"
    log vecdb -mode jsonl "$name.vdb" "<pairs-$f.sql"
    "$out/vecdb" -mode jsonl "$out/$name.vdb" <"$out/pairs-$f.sql" >"$out/$name.$f.jsonl" 2>"$out/$name.$f.err" || true
    log vecdb "$name.vdb" "EVALUATE PAIRS c FROM '$f'"
    "$out/vecdb" -mode jsonl "$out/$name.vdb" "EVALUATE PAIRS c FROM '$eval/$f'" >"$out/$name.$f.evaluate" 2>&1
  done
}
for run in ${RUNS:-ft-full vecdb-full vecdb-words ${BASE:+vecdb-words-base} ft-half vecdb-half ft-slice vecdb-slice}; do
  case $run in
  ft-full)
    fasttext_run ft-full "$corpus"
    rm -f "$out/ft-full.bin"
    score ft-full ;;
  vecdb-full)
    vecdb_run vecdb-full "$corpus" "$subwith, $vdbwith"
    score vecdb-full ;;
  vecdb-words)
    vecdb_run vecdb-words "$corpus" "$vdbwith, alpha = 0.05"
    score vecdb-words ;;
  vecdb-words-base)
    [[ -n ${BASE:-} ]] || { echo "vecdb-words-base needs BASE=commit" >&2; exit 2; }
    rm -rf "$out/base" && mkdir -p "$out/base"
    log "git archive $BASE | tar -x -C base && go build ./cmd/vecdb"
    git -C "$root" archive "$BASE" | tar -x -C "$out/base"
    (cd "$out/base" && go build -o "$out/vecdb-base" ./cmd/vecdb)
    bin=$out/vecdb-base vecdb_run vecdb-words-base "$corpus" "$vdbwith, alpha = 0.05"
    score vecdb-words-base ;;
  ft-half) ft_oov ft-half "$half" ;;
  vecdb-half) vecdb_oov vecdb-half "$half" ;;
  ft-slice) ft_oov ft-slice "$slice" ;;
  vecdb-slice) vecdb_oov vecdb-slice "$slice" ;;
  *) echo "unknown run $run" >&2; exit 2 ;;
  esac
done
rm -f "$corpus" "$half" "$slice"
vecs=()
for n in ft-full vecdb-full vecdb-words vecdb-words-base; do [[ -f $out/$n.vec ]] && vecs+=("$out/$n.vec"); done
if [[ $gensim == yes && ${#vecs[@]} -gt 1 ]]; then # analogies on the questions every model scores
  log common_analogies.py questions-words.txt "${vecs[@]##*/}"
  /usr/bin/python3 "$here/common_analogies.py" "$eval/questions-words.txt" "${vecs[@]}" >"$out/common.json"
fi
/usr/bin/python3 - "$out" "$eval" "$epochs" <<'PY'
import json, math, os, re, sys
out, evdir, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3])
have = lambda n: os.path.exists(os.path.join(out, n))
read = lambda n: open(os.path.join(out, n), errors="replace").read()
FULL, HALF, SLICE = map(int, read("tokens").split())
def timev(name):
    t = read(name + ".time")
    g = lambda k: re.search(k, t).group(1)
    el = g(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)").split(":")
    wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(el)))
    return dict(rss=int(g(r"Maximum resident set size \(kbytes\): (\d+)")) / 1024,
                cpu=float(g(r"User time \(seconds\): ([\d.]+)")) + float(g(r"System time \(seconds\): ([\d.]+)")), wall=wall)
def stats(name, tokens):
    r = timev(name)
    if name.startswith("ft"):
        wpt = int(re.findall(r"words/sec/thread:\s*(\d+)", read(name + ".err"))[-1])
        r["wps"] = wpt * 2  # fastText's own figure: training only
        r["size"] = int(read(name + ".binsize"))
    else:
        m = re.search(r"in ([\d.]+)s \((\d+) words/s\)", read(name + ".out"))
        r["wps"] = tokens * epochs / float(m.group(1))
        r["msg"] = read(name + ".out").strip()
        r["size"] = int(read(name + ".dbsize"))
    r["wproc"] = tokens * epochs / r["wall"]   # whole process: load, train, save
    r["wcpu"] = tokens * epochs / r["cpu"]
    if have(name + ".score.json"):
        r["ev"] = json.loads(read(name + ".score.json"))
    if have(name + ".gensim.json"):
        r["gs"] = json.loads(read(name + ".gensim.json"))
    return r
size = lambda n: HALF if "half" in n else SLICE if "slice" in n else FULL
runs = {n: stats(n, size(n)) for n in ["ft-full", "vecdb-full", "vecdb-words", "vecdb-words-base", "ft-half", "vecdb-half", "ft-slice", "vecdb-slice"] if have(n + ".time")}
print(f"{FULL:,} tokens (half: {HALF:,}, slice: {SLICE:,}), {epochs} epoch(s), 2 threads; load average at the end: {open('/proc/loadavg').read().split()[:3]}\n")
print("| run | vocab | words/s (training) | vs fastText | words/s (process) | vs fastText | words/CPU-s | vs fastText | peak RSS MB | vs fastText | file MB | vs fastText .bin | analogy | WS353 ρ | SimLex ρ |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for n, r in runs.items():
    ref = runs.get("ft-half" if "half" in n else "ft-slice" if "slice" in n else "ft-full")
    ratio = lambda k: f"{r[k] / ref[k]:.2f}×" if ref else "–"
    e = r.get("ev")
    q = (f"{e['vecdb_eval_analogy_accuracy']:.4f} | {e['vecdb_eval_wordsim353_spearman']:.4f} | {e['vecdb_eval_simlex999_spearman']:.4f}" if e else "– | – | –")
    print(f"| {n} | {e['vocab'] if e else '–'} | {r['wps']:,.0f} | {ratio('wps')} | {r['wproc']:,.0f} | {ratio('wproc')} | {r['wcpu']:,.0f} | {ratio('wcpu')} | "
          f"{r['rss']:.0f} | {ratio('rss')} | {r['size'] / 2**20:.1f} | {ratio('size')} | {q} |")
for n, r in runs.items():
    if "gs" in r:
        print(f"\neval_vectors.py {n}: {json.dumps(r['gs'])}")
    if "msg" in r:
        print(f"\n{n}: {r['msg']}")
if have("common.json"):
    print(f"\nanalogies on the questions all score (common_analogies.py): {read('common.json').strip()}")

# Out-of-vocabulary quality on the half corpus.
def rank(xs):
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    rk = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            rk[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return rk
def spearman(a, b):
    ra, rb = rank(a), rank(b)
    ma, mb = sum(ra) / len(ra), sum(rb) / len(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    return cov / math.sqrt(sum((x - ma) ** 2 for x in ra) * sum((y - mb) ** 2 for y in rb))
def cos(u, v):
    nu, nv = math.sqrt(sum(x * x for x in u)), math.sqrt(sum(x * x for x in v))
    return sum(x * y for x, y in zip(u, v)) / (nu * nv) if nu and nv else 0.0
def vocab(name):
    with open(os.path.join(out, name + ".vec"), errors="replace") as f:
        next(f)
        return {line.split(" ", 1)[0] for line in f}
for tag, what in [("half", "first half of the corpus"), ("slice", f"first {SLICE:,} tokens")]:
    if have(f"ft-{tag}.words.txt") and have(f"vecdb-{tag}.wordsim353.tsv.jsonl"):
        ftv = {}
        for line in read(f"ft-{tag}.words.txt").splitlines():
            p = line.rstrip().split(" ")
            ftv[p[0]] = [float(x) for x in p[1:]]
        ftvocab = vocab(f"ft-{tag}") if have(f"ft-{tag}.vec") else set()
        vdvocab = vocab(f"vecdb-{tag}")
        print(f"\nOut of vocabulary ({what}): Spearman over every pair, words lowercased")
        print("\n| set | pairs | pairs with a word not in vecdb's vocabulary | … not in fastText's | vecdb could not build | fastText ρ | vecdb ρ | vecdb − fastText | ρ on the pairs needing n-grams: fastText / vecdb | EVALUATE PAIRS (vecdb) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for f in ["wordsim353.tsv", "simlex999.txt"]:
            pairs = [l.split("\t") for l in read(os.path.join(evdir, f)).splitlines() if l and not l.startswith("#")]
            pairs = [(a.lower(), b.lower(), float(s)) for a, b, s in pairs]
            failed = {int(m.group(1)) for m in re.finditer(r"Error: (\d+):\d+:", read(f"vecdb-{tag}.{f}.err"))}
            rows = iter(json.loads(l)["similarity"] for l in read(f"vecdb-{tag}.{f}.jsonl").splitlines() if l.strip())
            vd = [None if i + 1 in failed else next(rows) for i in range(len(pairs))]
            keep = [i for i in range(len(pairs)) if vd[i] is not None]  # the same pairs for both tools
            human = [pairs[i][2] for i in keep]
            ft = [cos(ftv[pairs[i][0]], ftv[pairs[i][1]]) for i in keep]
            v = [vd[i] for i in keep]
            oov_vd = sum(1 for a, b, _ in pairs if a not in vdvocab or b not in vdvocab)
            oov_ft = sum(1 for a, b, _ in pairs if a not in ftvocab or b not in ftvocab)
            sf, sv = spearman(human, ft), spearman(human, v)
            need = [j for j, i in enumerate(keep) if pairs[i][0] not in vdvocab or pairs[i][1] not in vdvocab]
            sub = (f"{spearman([human[j] for j in need], [ft[j] for j in need]):.4f} / {spearman([human[j] for j in need], [v[j] for j in need]):.4f}"
                   if len(need) > 2 else "–")
            evl = read(f"vecdb-{tag}.{f}.evaluate").strip().replace("\n", " ")
            print(f"| {f} | {len(pairs)} | {oov_vd} ({100 * oov_vd / len(pairs):.1f}%) | {oov_ft} ({100 * oov_ft / len(pairs):.1f}%) | {len(failed)} | {sf:.4f} | {sv:.4f} | {sv - sf:+.4f} | {sub} ({len(need)} pairs) | {evl} |")
PY
echo "outputs in $out" >&2
