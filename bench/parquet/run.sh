#!/usr/bin/env bash
# Issue 16's goal, side by side in one run: 1M × 100 vectors with two
# metadata fields (title TEXT, year INT), EXPORT and IMPORT as Parquet
# against vecdb's own word2vec binary export and import. For each
# statement, in a fresh vecdb process: wall time, CPU time (user + system)
# and peak resident memory (/usr/bin/time), and the peak of the process's
# anonymous memory (RssAnon of /proc/PID/status, sampled every 50 ms: heap
# and buffers, without the pages of the database file that bbolt maps,
# which are file-backed and reclaimable). Dirty pages are synced before
# each statement. Usage: bench/parquet/run.sh [N] (default 1000000);
# scratch in $TMPDIR (or /tmp), removed at the end.
set -euo pipefail
export PATH=$PATH:/usr/local/go/bin
cd "$(dirname "$0")/../.."
N=${1:-1000000}
T=$(mktemp -d "${TMPDIR:-/tmp}/vecdb-pq.XXXXXX")
trap 'rm -rf "$T"' EXIT
go build -o "$T/vecdb" ./cmd/vecdb
go build -o "$T/gen" ./bench/ann/gen
"$T/gen" -n "$N" -dim 100 -clusters 1000 -seed 1 -out "$T/v.vec" >/dev/null
awk -v OFS='\t' 'NR>1 {print $1, "title " NR, 1950 + NR % 70}' "$T/v.vec" > "$T/meta.tsv"
V="$T/vecdb"
"$V" "$T/src.vdb" "IMPORT INTO v FROM '$T/v.vec' WITH (index = false); IMPORT METADATA INTO v FROM '$T/meta.tsv' WITH (columns = 'key,title,year')" >/dev/null
step() { # label db statement
  sync # no statement pays for the writeback of the files of the one before
  /usr/bin/time -f '%e %M %U %S' -o "$T/time" "$V" "$2" "$3" >/dev/null &
  local tp=$! pid="" anon=0 a
  while kill -0 "$tp" 2>/dev/null; do
    [ -n "$pid" ] || pid=$(cat "/proc/$tp/task/$tp/children" 2>/dev/null | awk '{print $1}')
    if [ -n "$pid" ]; then
      a=$(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
      [ -n "$a" ] && [ "$a" -gt "$anon" ] && anon=$a
    fi
    sleep 0.05
  done
  wait "$tp"
  local e m u s
  read -r e m u s < <(tail -1 "$T/time")
  printf '%-38s %7ss %7ss %8d MB %8d MB\n' "$1" "$e" "$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')" $(( m / 1024 )) $(( anon / 1024 ))
}
echo "rows $N, dim 100, fields title TEXT, year INT; $(nproc) cores; $(date -u +%F)"
printf '%-38s %8s %8s %11s %11s\n' statement time CPU "peak RSS" "peak anon"
step "EXPORT v TO v.bin (word2vec binary)"  "$T/src.vdb" "EXPORT v TO '$T/v.bin'"
step "EXPORT v TO v.parquet"                "$T/src.vdb" "EXPORT v TO '$T/v.parquet'"
step "IMPORT INTO b FROM v.bin"             "$T/b.vdb"   "IMPORT INTO b FROM '$T/v.bin' WITH (index = false)"
step "IMPORT INTO p FROM v.parquet"         "$T/p.vdb"   "IMPORT INTO p FROM '$T/v.parquet' WITH (index = false)"
ls -l "$T/src.vdb" "$T/v.bin" "$T/v.parquet" | awk '{print $5, $NF}' | sed "s#$T/##"
"$V" "$T/p.vdb" "SELECT key, count, title, year FROM p LIMIT 2" | tail -2
