#!/usr/bin/env bash
# bench/verify/run.sh: every verify figure of bench/README.md, in one run.
#
#  1. per-probe wall time of the prober against the floor (the raw driver
#     doing connect with the same TLS mode, authenticate, SELECT 1, close):
#     ROUNDS rounds of PROBES probes per target and side (40 x 25 = 1,000),
#     prober and floor interleaved round by round, and which goes first
#     alternating, so that load from other processes falls on both alike;
#     compared with benchstat; the goal (at most 10% or 100 µs over
#     the floor, whichever is larger) checked on the medians;
#  2. 1,000 profiles verified with 64 workers: the leak test (goroutines
#     and file descriptors before and after) and the wall time.
#
# Usage: bench/verify/run.sh            (as root: it starts the test servers
#                                        through scripts/test.sh --exec)
# Environment: ROUNDS (default 40), PROBES (default 25), FLEET_COUNT
# (default 3), NICE (default -10), OUT (default a new temporary folder), BENCHSTAT (a benchstat
# binary; default: installed with GOBIN in a temporary folder).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
if [ -z "${DBGUARD_TEST_PG:-}" ]; then
	# The servers inherit this niceness: on a shared machine, servers and
	# benchmark then go ahead of other work, which otherwise spreads the
	# figures by +-30%. NICE=0 turns it off.
	exec nice -n "${NICE:--10}" "$ROOT/scripts/test.sh" --exec "$HERE/run.sh" "$@"
fi

ROUNDS=${ROUNDS:-40}
PROBES=${PROBES:-25}
FLEET_COUNT=${FLEET_COUNT:-3}
OUT=${OUT:-$(mktemp -d /tmp/dbguard-bench-verify.XXXXXX)}
mkdir -p "$OUT"
export PATH=$PATH:/usr/local/go/bin

if [ -z "${BENCHSTAT:-}" ]; then
	bin=$(mktemp -d /tmp/dbguard-benchstat.XXXXXX)
	trap 'rm -rf "$bin"' EXIT
	(cd "$bin" && GOBIN="$bin" GOFLAGS=-mod=mod go install golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da)
	BENCHSTAT=$bin/benchstat
fi

echo "== machine"
{
	uname -srm
	go version
	nproc | sed 's/^/cores: /'
	sed 's/^/load average at start: /' /proc/loadavg
} | tee "$OUT/machine.txt"

cd "$ROOT"
go test -c -o "$OUT/bench.test" ./bench/verify/

echo "== prober against the floor: $ROUNDS rounds x $PROBES probes per target and side"
: >"$OUT/probe.txt"
for i in $(seq 1 "$ROUNDS"); do
	(cd "$HERE" && BENCH_FLOOR_FIRST=$((i % 2)) "$OUT/bench.test" -test.run '^$' -test.bench '^BenchmarkProbe$' \
		-test.benchtime "${PROBES}x" -test.benchmem) >>"$OUT/probe.txt"
	echo "round $i of $ROUNDS done"
done
"$BENCHSTAT" -col "/impl@(floor prober)" "$OUT/probe.txt" | tee "$OUT/benchstat.txt"

echo "== goal: prober median at most max(10% of the floor, 100 µs) over the floor median"
awk '
	/^BenchmarkProbe\// {
		split($1, part, "/"); t = part[2]; sub(/^target=/, "", t)
		impl = part[3]; sub(/^impl=/, "", impl); sub(/-[0-9]+$/, "", impl)
		for (i = 3; i < NF; i++) if ($(i+1) == "p50-sec/op") { n[t, impl]++; v[t, impl, n[t, impl]] = $i }
		if (!(t in seen)) { seen[t] = 1; order[++nt] = t }
	}
	function median(t, impl,   k, m, i, j, a, x) {
		m = n[t, impl]
		for (i = 1; i <= m; i++) a[i] = v[t, impl, i]
		for (i = 2; i <= m; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j+1] = a[j]; a[j+1] = x }
		if (m % 2) return a[(m + 1) / 2]
		return (a[m / 2] + a[m / 2 + 1]) / 2
	}
	END {
		fail = 0
		printf "%-14s %12s %12s %12s %12s  %s\n", "target", "floor", "prober", "over", "allowed", "verdict"
		for (k = 1; k <= nt; k++) {
			t = order[k]
			f = median(t, "floor"); p = median(t, "prober")
			allow = f * 0.10; if (allow < 0.0001) allow = 0.0001
			verdict = (p - f <= allow) ? "ok" : "OVER"
			if (verdict != "ok") fail = 1
			printf "%-14s %9.3f ms %9.3f ms %9.3f ms %9.3f ms  %s\n", t, f * 1000, p * 1000, (p - f) * 1000, allow * 1000, verdict
		}
		exit fail
	}' "$OUT/probe.txt" | tee "$OUT/goal.txt" || echo "goal not met on at least one target (see $OUT/goal.txt)"

echo "== 1,000 profiles, 64 workers: leaks"
(cd "$HERE" && "$OUT/bench.test" -test.run '^TestFleetLeavesNothingBehind$' -test.v) | tee "$OUT/fleet-test.txt"

echo "== 1,000 profiles, 64 workers: wall time"
(cd "$HERE" && "$OUT/bench.test" -test.run '^$' -test.bench '^BenchmarkFleet$' \
	-test.benchtime 1x -test.count "$FLEET_COUNT") | tee "$OUT/fleet.txt"
"$BENCHSTAT" "$OUT/fleet.txt" | tee "$OUT/fleet-benchstat.txt"

sed 's/^/load average at end: /' /proc/loadavg | tee -a "$OUT/machine.txt"
echo "results in $OUT"
