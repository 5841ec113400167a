#!/usr/bin/env bash
# Tuned item settings (issue 18, BENCHMARKS.md "Tuned items (issue 18)"):
# on run.sh's split (the last item of each sequence held out, at most 2000
# seeded test cases), score
#   (a) gensim's defaults: skip-gram, min_count 1, everything else gensim's
#       default (gensim_items.py; the query recency is chosen on the
#       validation split, as run.sh does, with the history excluded);
#   (a+) the same model also given RECOMMEND's repeats rule: the recency and
#       repeats weight (0, .03, .1, .3, 1, 3) chosen together on the
#       validation split, so that the table shows how much of (d)'s gain
#       is the repeats rule and how much the vectors;
#   (b) the popularity baseline;
#   (c) the README's item settings (window 20, epochs 10, min_count 1,
#       recency 1) through items-bench, and again through the vecdb binary's
#       EVALUATE RECOMMEND (retraining on the whole sequences, and with
#       train = false on a collection trained on train.txt): the three must
#       agree;
#   (d) TRAIN t FROM 'train.txt' WITH (tune = true, budget = B, seed = 1,
#       threads = 1): the tuner carves its validation split from train.txt
#       only (the test items are not in it), records recency, popularity
#       and repeats,
#       and EVALUATE RECOMMEND t FROM 'test_seqs.txt' WITH (train = false)
#       scores the collection as a plain RECOMMEND would, with those
#       recorded weights.
# Everything runs with one thread and seed 1.
# Usage: bench/items/tuned.sh [OUTDIR] [DATASET...]   (TUNE_BUDGET=seconds,
# default 450; VECDB_SHARED overrides ../shared)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${VECDB_SHARED:-$(cd "$root/.." && pwd)/shared}
if [[ ! -d $shared/data ]]; then
  echo "no shared data kit at $shared; nothing to benchmark" >&2
  exit 0
fi
data=$shared/data
out=${1:-$(mktemp -d /tmp/items-tuned.XXXXXX)}
shift || true
datasets=("$@")
((${#datasets[@]})) || datasets=(ecommerce 30music movielens)
budget=${TUNE_BUDGET:-450}
mkdir -p "$out"
out=$(cd "$out" && pwd)
export PATH=$PATH:/usr/local/go/bin
(cd "$root" && go build -o "$out/items-bench" ./bench/items && go build -o "$out/vecdb" ./cmd/vecdb)
bin=$out/items-bench
vecdb=$out/vecdb
py=/usr/bin/python3
run() { # run NAME CMD...: stdout to NAME.json, stderr to NAME.err, wall time to NAME.time
  local name=$1; shift
  echo "+ $*" | tee -a "$out/commands.txt" >&2
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >"$out/$name.json" 2>"$out/$name.err"
  t1=$(date +%s.%N)
  $py -c "print(round($t1 - $t0, 1))" >"$out/$name.time"
}
best_recency() { # best_recency FILE: the recency of the repeats-0 line with the best HR@10
  $py -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]; print(max((x for x in r if x.get("repeats", 0) == 0), key=lambda x: (x["hr10"], x["mrr10"]))["recency"])' "$1"
}
best_repeats() { # best_repeats FILE: "recency repeats" of the line with the best HR@10
  $py -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]; b=max(r, key=lambda x: (x["hr10"], x["mrr10"])); print(b["recency"], b.get("repeats", 0))' "$1"
}
repeats=0,0.03,0.1,0.3,1,3

for ds in "${datasets[@]}"; do
  d=$out/$ds
  if [[ ! -f $d/test_seqs.txt ]]; then
    case $ds in
      ecommerce) "$bin" split -out "$d" -seq "$data/sessions/ecommerce_sessions.txt" ;;
      30music) "$bin" split -out "$d" -seq "$data/playlists/30music_skips_test/sequences.txt" ;;
      movielens) "$bin" split -out "$d" -events "$data/movielens/ml-latest-small/ratings.csv" -by userId -order timestamp -item movieId ;;
      *) echo "unknown dataset $ds" >&2; exit 2 ;;
    esac
  fi
  # (a) gensim's defaults (sg, min_count 1); recency chosen on validation.
  run "$ds-a-recency" $py "$here/gensim_items.py" "$d/valid_train.txt" "$d/valid.tsv" --sg 1 --min-count 1 --recency 0,0.3,1,3 --repeats $repeats
  rec=$(best_recency "$out/$ds-a-recency.json")
  echo "$rec" >"$out/$ds-a.recency"
  best_repeats "$out/$ds-a-recency.json" >"$out/$ds-a.repeats"
  # Every recency on the test split (one training); the table takes the
  # validation's choice and shows the plain mean (recency 0) beside it.
  run "$ds-a" $py "$here/gensim_items.py" "$d/train.txt" "$d/test.tsv" --sg 1 --min-count 1 --recency 0,0.3,1,3 --repeats $repeats
  # (b) popularity.
  run "$ds-b" "$bin" eval -pop -train "$d/train.txt" -test "$d/test.tsv"
  # (c) the README's item settings, three ways.
  run "$ds-c" "$bin" eval -train "$d/train.txt" -test "$d/test.tsv" -min-count 1 -epochs 10 -window 20 -recency 1
  rm -f "$d/c.vdb" "$d/t.vdb"
  run "$ds-c-evaluate" "$vecdb" -mode jsonl -bail "$d/c.vdb" \
    "TRAIN c FROM '$d/all.txt' WITH (window = 20, epochs = 10, min_count = 1, seed = 1, threads = 1);
     EVALUATE RECOMMEND c FROM '$d/all.txt' WITH (max_cases = 2000, seed = 1, recency = 1)"
  run "$ds-c-asis" "$vecdb" -mode jsonl -bail "$d/c.vdb" \
    "TRAIN c_train FROM '$d/train.txt' WITH (window = 20, epochs = 10, min_count = 1, seed = 1, threads = 1);
     EVALUATE RECOMMEND c_train FROM '$d/test_seqs.txt' WITH (train = false, recency = 1)"
  # (d) tuned on train.txt only, then scored as it is with its recorded weights.
  run "$ds-d-train" "$vecdb" -mode jsonl -bail "$d/t.vdb" \
    "TRAIN t FROM '$d/train.txt' WITH (tune = true, budget = $budget, seed = 1, threads = 1)"
  run "$ds-d" "$vecdb" -mode jsonl -bail "$d/t.vdb" \
    "DESCRIBE t; EVALUATE RECOMMEND t FROM '$d/test_seqs.txt' WITH (train = false)"
done

$py "$here/tuned_table.py" "$out" "${datasets[@]}"
echo "results in $out" >&2
