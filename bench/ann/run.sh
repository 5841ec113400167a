#!/bin/sh
# Issue 4's HNSW benchmark: vecdb against hnswlib/FAISS on one vector file,
# in one run, so both sides see the same machine load.
#
#   bench/ann/run.sh FILE NAME [annbench bench flags...]
#
# Work files go to /tmp/bench/ann-NAME (the database, the ground truth, the
# JSON lines); the markdown table is printed at the end and saved as
# /tmp/bench/ann-NAME/table.md. Needs Go on PATH and /usr/bin/python3 with
# hnswlib and faiss. INT8=1 adds an int8 index (issue 15's side-by-side
# table; RESCORE="2 3" adds int8 runs with those oversampling factors),
# SKIP_OPEN=1 leaves out the open + first query runs, ROUNDS=N
# times every single-thread QPS N times on both sides and keeps the best
# (with BUILDS=B hnswlib also builds on two threads B times; give annbench
# -threads 2,2,... for as many builds of vecdb: the table keeps the fastest).
set -eu
FILE=$1
NAME=$2
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=/tmp/bench/ann-$NAME
mkdir -p "$OUT"
cd "$HERE/../.."
ROUNDS=${ROUNDS:-1}
if [ "$ROUNDS" -gt 1 ]; then
	set -- "$@" -rounds "$ROUNDS"
fi
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
	# ROUNDS=N: hnswlib's QPS again as the best of N rounds (annbench gets
	# -rounds N below), since the anchor times each ef once.
	: >"$OUT/hnswlib-best.jsonl"
	if [ "${ROUNDS:-1}" -gt 1 ]; then
		/usr/bin/python3 "$HERE/hnswlib_qps.py" "$FILE" "$OUT/truth.tsv" --rounds "$ROUNDS" --builds "${BUILDS:-1}" | tee "$OUT/hnswlib-best.jsonl"
	fi
	printf '{"loadavg_before_vecdb": "%s"}\n' "$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.jsonl"
	"$OUT/annbench" bench "$FILE" "$OUT" -truth "$OUT/truth.tsv" "$@" | tee "$OUT/vecdb.jsonl"
fi

# INT8=1: then the same for an int8 index (same flags plus -quantize int8),
# for issue 15's float32 / int8 / hnswlib table.
: >"$OUT/vecdb-int8.jsonl"
if [ "${INT8:-0}" = 1 ]; then
	printf '{"loadavg_before_int8": "%s"}\n' "$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.jsonl"
	if [ "${SKIP_ANCHOR:-0}" = 1 ]; then
		"$OUT/annbench" bench "$FILE" "$OUT" "$@" -quantize int8 | tee "$OUT/vecdb-int8.jsonl"
	else
		"$OUT/annbench" bench "$FILE" "$OUT" -truth "$OUT/truth.tsv" "$@" -quantize int8 | tee "$OUT/vecdb-int8.jsonl"
	fi
fi

# RESCORE="2 3": with INT8=1, the int8 index again with each of these
# oversampling factors (annbench -rescore; the default is 4), one file each,
# so the table can show the factor that reaches recall 0.95 fastest.
rm -f "$OUT"/vecdb-int8-r*.jsonl
for R in ${RESCORE:-}; do
	[ "${INT8:-0}" = 1 ] || break
	printf '{"loadavg_before_int8_rescore_%s": "%s"}\n' "$R" "$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.jsonl"
	if [ "${SKIP_ANCHOR:-0}" = 1 ]; then
		"$OUT/annbench" bench "$FILE" "$OUT" "$@" -quantize int8 -rescore "$R" | tee "$OUT/vecdb-int8-r$R.jsonl"
	else
		"$OUT/annbench" bench "$FILE" "$OUT" -truth "$OUT/truth.tsv" "$@" -quantize int8 -rescore "$R" | tee "$OUT/vecdb-int8-r$R.jsonl"
	fi
done

# Open + first query in a fresh process: page cache warm, then dropped
# (SKIP_OPEN=1 skips it).
: >"$OUT/open.jsonl"
[ "${SKIP_OPEN:-0}" = 1 ] || for i in 1 2; do
	"$OUT/annbench" open "$OUT/bench.vdb" "$OUT/query.txt" | sed 's/}$/, "page_cache": "warm"}/' | tee -a "$OUT/open.jsonl"
done
if [ "${SKIP_OPEN:-0}" = 1 ]; then
	:
elif sync && (echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null; then
	"$OUT/annbench" open "$OUT/bench.vdb" "$OUT/query.txt" | sed 's/}$/, "page_cache": "dropped"}/' | tee -a "$OUT/open.jsonl"
else
	echo '{"note": "could not drop the page cache (not root?)"}' | tee -a "$OUT/open.jsonl"
fi
printf '{"loadavg_end": "%s", "db_bytes": %s}\n' "$(cut -d' ' -f1-3 /proc/loadavg)" "$(stat -c %s "$OUT/bench.vdb")" | tee -a "$OUT/machine.jsonl"

/usr/bin/python3 "$HERE/table.py" "$OUT" | tee "$OUT/table.md"
