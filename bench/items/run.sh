#!/usr/bin/env bash
# Next-item prediction benchmark for RECOMMEND (issue 7): hold out the last
# item of every sequence, train on the rest, recommend 10 from each
# sequence's previous items, report HR@10 and MRR@10 for vecdb (gensim's
# settings), gensim (same settings, and its true CBOW default), a
# popularity baseline and vecdb with item settings tuned on a validation
# split (the last training item of each sequence; the test items are never
# seen while tuning). Everything runs with one thread and seed 1.
# Usage: bench/items/run.sh [OUTDIR]   (VECDB_SHARED overrides ../shared)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${VECDB_SHARED:-$(cd "$root/.." && pwd)/shared}
if [[ ! -d $shared/data ]]; then
  echo "no shared data kit at $shared; nothing to benchmark" >&2
  exit 0
fi
data=$shared/data
out=${1:-$(mktemp -d /tmp/items-bench.XXXXXX)}
mkdir -p "$out"
export PATH=$PATH:/usr/local/go/bin
(cd "$root" && go build -o "$out/items-bench" ./bench/items)
bin=$out/items-bench
py=/usr/bin/python3
: >"$out/commands.txt"
run() { # run NAME CMD...: stdout (JSON lines) to NAME.json
  local name=$1; shift
  echo "+ $*" | tee -a "$out/commands.txt" >&2
  "$@" >"$out/$name.json"
}
best_recency() { # best_recency FILE: the recency of the line with the best HR@10
  $py -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]; print(max(r, key=lambda x: (x["hr10"], x["mrr10"]))["recency"])' "$1"
}

# Splits: at most 2000 test sequences and 2000 validation sequences, seeded.
"$bin" split -out "$out/ecommerce" -seq "$data/sessions/ecommerce_sessions.txt"
"$bin" split -out "$out/30music" -seq "$data/playlists/30music_skips_test/sequences.txt"
"$bin" split -out "$out/movielens" -events "$data/movielens/ml-latest-small/ratings.csv" -by userId -order timestamp -item movieId

declare -A windows=([ecommerce]=5,20 [30music]=5,20,sequence [movielens]=5,20)
for ds in ecommerce 30music movielens; do
  d=$out/$ds
  # The recommendation rule: pick the recency on the validation split with
  # gensim's settings.
  run "$ds-recency" "$bin" eval -train "$d/valid_train.txt" -test "$d/valid.tsv" -recency 0,0.3,1,3
  rec=$(best_recency "$out/$ds-recency.json")
  run "$ds-vecdb" "$bin" eval -train "$d/train.txt" -test "$d/test.tsv" -recency "$rec"
  run "$ds-gensim-sg" $py "$here/gensim_items.py" "$d/train.txt" "$d/test.tsv" --sg 1 --recency "$rec"
  run "$ds-gensim-cbow" $py "$here/gensim_items.py" "$d/train.txt" "$d/test.tsv" --sg 0 --recency "$rec"
  run "$ds-vecdb-cbow" "$bin" eval -cbow -train "$d/train.txt" -test "$d/test.tsv" -recency "$rec"
  run "$ds-popularity" "$bin" eval -pop -train "$d/train.txt" -test "$d/test.tsv"
  run "$ds-tune" "$bin" tune -dir "$d" -epochs 10 -windows "${windows[$ds]}" -ns 0.75,0,-0.5 -samples 0.001,0.00001 -recency 0.3,1,3
  tuned=$(tail -n 1 "$out/$ds-tune.json")
  # shellcheck disable=SC2086
  run "$ds-tuned" "$bin" eval -train "$d/train.txt" -test "$d/test.tsv" $tuned
done

# Cold-start items (issue 18, BENCHMARKS.md "Cold-start items"): 10% of the
# items held out of training get vectors from their metadata (MovieLens
# genres, 30Music artists); JSON lines in *-cold.json.
ml=$data/movielens/ml-latest-small
m30=$data/playlists/30music_skips_test
run movielens-cold "$bin" cold -ratings "$ml/ratings.csv" -movies "$ml/movies.csv" -epochs 10 -window 20 -recency 1
run 30music-cold "$bin" cold -seq "$m30/sequences.txt" -movies "$m30/items.tsv" -meta-columns id,artist -key id -field artist -epochs 10 -window 20 -recency 1

$py - "$out" <<'PY'
import json, sys, os
out = sys.argv[1]
def rows(name):
    p = os.path.join(out, name + ".json")
    return [json.loads(l) for l in open(p) if l.startswith("{")]
print("| dataset | method | settings | recency | HR@10 | MRR@10 | HR vs popularity | keys | train s |")
print("|---|---|---|---|---|---|---|---|---|")
for ds in ["ecommerce", "30music", "movielens"]:
    pop = rows(ds + "-popularity")[0]
    for label, name in [("(a) vecdb, gensim's settings (sg)", "vecdb"), ("(b) gensim, same settings (sg)", "gensim-sg"),
                        ("(b') gensim, true default (cbow)", "gensim-cbow"), ("vecdb cbow", "vecdb-cbow"),
                        ("(c) popularity", "popularity"), ("(d) vecdb tuned", "tuned")]:
        r = rows(ds + "-" + name)[0]
        ratio = r["hr10"] / pop["hr10"] if pop["hr10"] else float("inf")
        print(f"| {ds} | {label} | {r.get('config', '')} | {r['recency']:g} | {r['hr10']:.4f} | {r['mrr10']:.4f} | {ratio:.2f}x | {r['keys']} | {r['train_seconds']:.1f} |")
PY
echo "results in $out" >&2
