#!/bin/sh
# Issue 15's zero-copy open: open + first query and resident memory, on
# a file of the earlier layout (every vector decoded into memory at the
# first query) against the vector-block layout (vectors read in place from
# the map), in one run so both see the same machine load.
#
#   bench/open/run.sh [N [DIM]]        (defaults: 200000 100)
#   INDEX=1 bench/open/run.sh 50000    (also an HNSW index, M 16, ef_c 200)
#   BASE=<git revision> …              (the earlier layout; default: the
#                                       merge base of HEAD and main)
#   CONVERT=1 …                        (new.vdb is old.vdb converted by
#                                       this release's VACUUM INTO, not
#                                       built again: saves the index build)
#
# Work files go to $TMPDIR/bench-open-N-DIM (kept: the databases are
# reused by a second run). Needs Go on PATH and git; it generates its own
# vectors and needs nothing from the kit (../shared).
set -eu
N=${1:-200000}
DIM=${2:-100}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${TMPDIR:-/tmp}/bench-open-$N-$DIM${INDEX:+-index}
mkdir -p "$OUT"
cd "$ROOT"
BASE=${BASE:-$(git merge-base HEAD main)}
go build -o "$OUT/new" ./bench/open
rm -rf "$OUT/old-src"
mkdir -p "$OUT/old-src"
git archive "$BASE" | tar -x -C "$OUT/old-src"
mkdir -p "$OUT/old-src/bench/open"
cp bench/open/main.go "$OUT/old-src/bench/open/"
(cd "$OUT/old-src" && go build -o "$OUT/old" ./bench/open)
if [ -n "${CONVERT:-}" ] && [ -f "$OUT/old.vdb" ] && [ ! -f "$OUT/new.vdb" ]; then
	echo "converting old.vdb to new.vdb" >&2
	"$OUT/new" convert -db "$OUT/old.vdb" -to "$OUT/new.vdb"
fi
for L in old new; do
	if [ ! -f "$OUT/$L.vdb" ]; then
		echo "building $L.vdb ($N x $DIM${INDEX:+, index})" >&2
		"$OUT/$L" build -db "$OUT/$L.vdb" -n "$N" -dim "$DIM" ${INDEX:+-index}
	fi
done
ls -l "$OUT"/*.vdb
printf '{"machine": "%s", "nproc": %s, "loadavg": "%s", "base": "%s"}\n' \
	"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" "$(nproc)" \
	"$(cut -d' ' -f1-3 /proc/loadavg)" "$BASE"
# A warm page cache: read each file once, and open it once unmeasured.
for L in old new; do
	cat "$OUT/$L.vdb" >/dev/null
	"$OUT/new" open -db "$OUT/$L.vdb" -exact >/dev/null
done
run() { # label binary file flags
	printf '%s: ' "$1"
	"$OUT/$2" open -db "$OUT/$3.vdb" $4
}
for MODE in -exact ${INDEX:+-index}; do
	F=$MODE
	[ "$MODE" = -index ] && F=
	echo "== search ${MODE#-}"
	run "earlier layout, earlier release" old old "$F"
	run "earlier layout, this release (read from the rows)" new old "$F"
	run "vector blocks, this release (in place)" new new "$F"
done
