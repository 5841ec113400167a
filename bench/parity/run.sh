#!/bin/sh
# Parity of vecdb's language with gensim on real vectors: 500 NEAREST
# (single keys and a + b - c), 200 COSMUL and 200 ODD_ONE_OUT queries,
# top-10 lists compared with near-equal scores treated as ties.
#
# Usage: bench/parity/run.sh [VECTORS.vec]
# Without an argument it reuses /tmp/bench/corpus139k.vec, or trains one with
# ../shared/bench/train_gensim.py on ../shared/data/corpus.txt (dim 100,
# 1 epoch); ../shared is found beside the repository root.
set -eu
cd "$(dirname "$0")/../.."
SHARED=$(cd .. && pwd)/shared
export PATH="$PATH:/usr/local/go/bin"
VEC="${1:-/tmp/bench/corpus139k.vec}"
if [ ! -f "$VEC" ]; then
	if [ ! -f "$SHARED/data/corpus.txt" ]; then
		echo "no vectors and no ../shared corpus: nothing to compare" >&2
		exit 0
	fi
	mkdir -p "$(dirname "$VEC")"
	/usr/bin/python3 "$SHARED/bench/train_gensim.py" "$SHARED/data/corpus.txt" "$VEC" --dim 100 --epochs 1
fi
go run ./bench/parity -vectors "$VEC" -db "${PARITY_DB:-/tmp/bench/parity.vdb}" -python /usr/bin/python3 -script bench/parity/gensim_answers.py
