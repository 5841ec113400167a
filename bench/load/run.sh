#!/bin/sh
# run.sh runs the whole test suite N times (default 5) while a CPU hog of
# its own keeps every core busy, and prints each run's result and wall
# time: the check that the suite stays green on a busy machine.
#
#   bench/load/run.sh [N] [extra go test flags...]
#
# The hog is one busy shell loop per core (nproc). Every child runs in a
# session of its own (setsid), and the hog and a test run in
# progress, test binaries included, are killed at the end and on any exit
# or signal (trap). Each run's output is kept in $LOGDIR (default a
# temporary directory) as run-K.txt. VECDB_SHARED, when set, names the
# shared data kit for the tests that use it.
set -u
n=${1:-5}
[ $# -gt 0 ] && shift
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel) || exit 2
cd "$root" || exit 2
logdir=${LOGDIR:-$(mktemp -d "${TMPDIR:-/tmp}/vecdb-load.XXXXXX")}
mkdir -p "$logdir"
cores=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)

hogs=""
gotest=""
stop() {
	for p in $gotest $hogs; do kill -- "-$p" 2>/dev/null; done
	hogs=""
	gotest=""
}
trap 'stop' EXIT
trap 'stop; exit 130' INT TERM HUP

i=0
while [ "$i" -lt "$cores" ]; do
	setsid sh -c 'while :; do :; done' &
	hogs="$hogs $!"
	i=$((i + 1))
done

echo "vecdb load run: $(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD), go test -count=1 ./... $*, $n runs, hog: $cores busy loops on $cores cores, logs in $logdir"
fails=0
k=1
while [ "$k" -le "$n" ]; do
	start=$(date +%s)
	setsid go test -count=1 "$@" ./... >"$logdir/run-$k.txt" 2>&1 &
	gotest=$!
	if wait "$gotest"; then
		res=PASS
	else
		res=FAIL
		fails=$((fails + 1))
	fi
	gotest=""
	secs=$(($(date +%s) - start))
	echo "run $k: $res in ${secs}s"
	if [ "$res" = FAIL ]; then
		grep -E '^(--- FAIL|FAIL|panic:)' "$logdir/run-$k.txt" | head -20 | sed 's/^/    /'
	fi
	k=$((k + 1))
done
stop
echo "$((n - fails)) of $n runs passed"
[ "$fails" -eq 0 ]
