#!/usr/bin/env bash
# bench/watch/run.sh: the watch figures of bench/README.md.
#
#   bench/watch/run.sh compare [--gatus PATH] [--only dbguard|gatus] [--dbguard PATH]
#       CPU seconds per probe (utime+stime from /proc/PID/stat over the
#       measured window, divided by the probes counted on the process's
#       own /metrics) and peak RSS (VmHWM) of dbguard watch probing 1,000
#       and 10,000 loopback TCP targets (a profiles: entry with
#       stages: [dns, tcp]) at a 10 s interval, then of Gatus with the
#       same tcp:// endpoints when --gatus names its binary. Without
#       --gatus only dbguard is measured. Gatus is built outside the
#       repository from its public source (bench/README.md says how);
#       none of it is in this repository.
#   bench/watch/run.sh floor
#       the floor under those figures: the CPU per connection of a bare
#       loop of socket, connect and close to the same targets at the same
#       rate, in rounds of 1, 10, 100 and 1,000 connections.
#   bench/watch/run.sh pgbouncer
#       the same figures for full PostgreSQL probes (every stage, a login
#       each) through the test PgBouncer, TARGETS of them (default
#       1000). Runs under scripts/test.sh --exec.
#   bench/watch/run.sh soak
#       1,000 targets, a third failing (refused, blackholed, auth), for
#       10 minutes: goroutines, open file descriptors and heap in use of
#       dbguard watch every 10 s, judged by the highest sample of the first
#       and of the last minute.
#       Needs the test PostgreSQL: it runs under scripts/test.sh --exec.
#
# --dbguard PATH measures that binary instead of one built from this
# checkout (both modes).
#
# Environment: TARGETS (default 1000,10000), WARMUP (default 60s),
# GATUS_WARMUP (Gatus's warm-up when longer than WARMUP: it needs minutes to
# reach its configured rate), WINDOW
# (default 120s), SOAK (default 10m), NICE (default 0; the children inherit
# it). Output goes to stdout and to the work folder bench_start prints.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
mode=${1:-}
[ $# -gt 0 ] && shift
gatus=""
only=""
dbguard=""
while [ $# -gt 0 ]; do
	case $1 in
	--gatus) gatus=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
	--only) only=$2; shift 2 ;;
	--dbguard) dbguard=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

case $mode in
compare | soak | pgbouncer | floor) ;;
*)
	echo "usage: bench/watch/run.sh compare [--gatus PATH] [--only dbguard|gatus] [--dbguard PATH] | floor | soak [--dbguard PATH] | pgbouncer [--dbguard PATH]" >&2
	exit 2
	;;
esac

if [ "$mode" != compare ] && [ "$mode" != floor ] && [ -z "${DBGUARD_TEST_PG:-}" ]; then
	exec nice -n "${NICE:-0}" "$root/scripts/test.sh" --exec "$root/bench/watch/run.sh" "$mode" ${dbguard:+--dbguard "$dbguard"}
fi

# shellcheck source=../lib/common.sh
. "$root/bench/lib/common.sh"
bench_start "watch-$mode"
export PATH=$PATH:/usr/local/go/bin
if [ -n "$gatus" ]; then
	[ -x "$gatus" ] || { echo "run.sh: --gatus $gatus is not an executable" >&2; exit 2; }
	echo "gatus:    $gatus ($(cat "$(dirname "$gatus")/TAG" 2>/dev/null || echo "version unknown"))"
fi

cd "$root"
go test -c -o "$work/watch.test" ./bench/watch/
case $mode in
compare)
	args=(-test.run '^TestCompareGatus$' -test.v -test.timeout 2h -compare
		-targets "${TARGETS:-1000,10000}" -warmup "${WARMUP:-60s}" -window "${WINDOW:-120s}")
	[ -n "$gatus" ] && args+=(-gatus "$gatus" -gatus-warmup "${GATUS_WARMUP:-0s}")
	[ -n "$only" ] && args+=(-only "$only")
	;;
floor)
	args=(-test.run '^TestConnectFloor$' -test.v -test.timeout 2h -floor
		-targets "${TARGETS:-1000,10000}" -window "${WINDOW:-60s}")
	;;
soak)
	args=(-test.run '^TestSoak$' -test.v -test.timeout 2h -soak "${SOAK:-10m}")
	;;
pgbouncer)
	args=(-test.run '^TestPgBouncerProbes$' -test.v -test.timeout 2h -pgbouncer "${TARGETS:-1000}"
		-warmup "${WARMUP:-60s}" -window "${WINDOW:-120s}")
	;;
esac
[ -n "$dbguard" ] && args+=(-dbguard "$dbguard")
(cd "$root/bench/watch" && nice -n "${NICE:-0}" "$work/watch.test" "${args[@]}") 2>&1 | tee "$work/$mode.txt"
