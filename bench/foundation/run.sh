#!/usr/bin/env bash
# Foundation benchmarks (issue 2), side by side in one run:
#   import of a >=100k-key, 100-dim word2vec text file vs gensim's loader,
#   cold start (open + first exact query) vs gensim load + first query,
#   exact single-thread search vs FAISS IndexFlatIP (ann_reference.py's split).
# Usage: bench/foundation/run.sh [VECS]   (default: trains one with gensim on corpus.txt)
set -euo pipefail
export PATH=$PATH:/usr/local/go/bin
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
shared=${VECDB_SHARED:-$root/../shared}
work=${BENCH_DIR:-/tmp/bench}; mkdir -p "$work"
vecs=${1:-$work/corpus139k.vec}
if [ ! -f "$vecs" ]; then
  bash "$shared/bench/setup.sh"
  /usr/bin/python3 "$shared/bench/train_gensim.py" "$shared/data/corpus.txt" "$vecs" --min-count 1 --epochs 1
fi
go build -o "$work/vecbench" "$root/bench/vecbench"
cat /proc/cpuinfo | grep -m1 'model name'; nproc
echo "# file: $vecs ($(head -1 "$vecs"))"
for i in 1 2 3; do
  /usr/bin/python3 "$shared/bench/load_gensim.py" "$vecs" --query king
  "$work/vecbench" import "$vecs" "$work/bench.vdb"
  "$work/vecbench" coldstart "$work/bench.vdb" king
done
"$work/vecbench" index "$work/bench.vdb"
"$work/vecbench" coldstart "$work/bench.vdb" king      # now through the HNSW index
"$work/vecbench" exact "$vecs"
OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/faiss_flat.py" "$vecs"   # FAISS strictly on one thread
/usr/bin/python3 "$here/faiss_flat.py" "$vecs"                          # as ann_reference.py runs it (OpenBLAS threads left on)
