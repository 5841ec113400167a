#!/bin/sh
# Issue 4's HNSW benchmark: vecdb against hnswlib/FAISS on one vector file,
# in one run, so both sides see the same machine load.
#
#   bench/ann/run.sh FILE NAME [annbench bench flags...]
#
# Work files go to /tmp/bench/ann-NAME (the database, the ground truth, the
# JSON lines); the markdown table is printed at the end and saved as
# /tmp/bench/ann-NAME/table.md. Needs Go on PATH and /usr/bin/python3 with
# hnswlib and faiss.
set -eu
FILE=$1
NAME=$2
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=/tmp/bench/ann-$NAME
mkdir -p "$OUT"
cd "$HERE/../.."
SHARED=$(cd .. && pwd)/shared # the kit beside the repository root
go build -o "$OUT/annbench" ./bench/ann

{
	printf '{"machine": "%s", "nproc": %s, "loadavg_start": "%s", "go": "%s", "file": "%s"}\n' \
		"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" "$(nproc)" \
		"$(cut -d' ' -f1-3 /proc/loadavg)" "$(go env GOVERSION)" "$FILE"
} >"$OUT/machine.jsonl"
cat "$OUT/machine.jsonl"

# Anchor first: it also writes the exact ground truth (FAISS flat).
# SKIP_ANCHOR=1 measures vecdb alone (ground truth from vecdb's exact scan).
if [ "${SKIP_ANCHOR:-0}" = 1 ]; then
	: >"$OUT/ref.jsonl"
	"$OUT/annbench" bench "$FILE" "$OUT" "$@" | tee "$OUT/vecdb.jsonl"
else
	/usr/bin/python3 "$SHARED/bench/ann_reference.py" "$FILE" --threads 2 --truth "$OUT/truth.tsv" | tee "$OUT/ref.jsonl"
	"$OUT/annbench" bench "$FILE" "$OUT" -truth "$OUT/truth.tsv" "$@" | tee "$OUT/vecdb.jsonl"
fi

# Open + first query in a fresh process: page cache warm, then dropped.
: >"$OUT/open.jsonl"
for i in 1 2; do
	"$OUT/annbench" open "$OUT/bench.vdb" "$OUT/query.txt" | sed 's/}$/, "page_cache": "warm"}/' | tee -a "$OUT/open.jsonl"
done
if sync && (echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null; then
	"$OUT/annbench" open "$OUT/bench.vdb" "$OUT/query.txt" | sed 's/}$/, "page_cache": "dropped"}/' | tee -a "$OUT/open.jsonl"
else
	echo '{"note": "could not drop the page cache (not root?)"}' | tee -a "$OUT/open.jsonl"
fi
printf '{"loadavg_end": "%s", "db_bytes": %s}\n' "$(cut -d' ' -f1-3 /proc/loadavg)" "$(stat -c %s "$OUT/bench.vdb")" | tee -a "$OUT/machine.jsonl"

/usr/bin/python3 "$HERE/table.py" "$OUT" | tee "$OUT/table.md"
