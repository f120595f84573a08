#!/usr/bin/env bash
# Measures dbguard scan's throughput on the synthetic corpus of
# bench/lib/corpus.sh (1,000 and 10,000 files, seed 42) against the
# floor (the same files read and decoded by the bare libraries), on one core
# and on all cores, then times the real binary end to end. Figures and how
# to read them: bench/README.md, section "scan".
#
# Environment:
#   DBGUARD_BENCH_DIR  work folder outside the repository (corpus, binary,
#                      raw results); default ${TMPDIR:-/tmp}/dbguard-bench-scan
#   BENCHTIME          go test -benchtime (default 2s)
#   COUNT              go test -count (default 5)
#   E2E_RUNS           runs of the binary per corpus and core count (default 3)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/common.sh
. "$root/bench/lib/common.sh"
# shellcheck source=../lib/corpus.sh
. "$root/bench/lib/corpus.sh"
benchtime=${BENCHTIME:-2s}
count=${COUNT:-5}
e2e_runs=${E2E_RUNS:-3}
cores=$(nproc)
sizes="1000 10000"

bench_start scan

echo "== corpus"
for n in $sizes; do
	# Always regenerated: same seed and count give byte-identical files, and
	# a changed generator must not leave a stale corpus behind.
	bench_corpus "$work/corpus/files-$n" "$n" 42
done

benchstat=$(command -v benchstat || true)
if [[ -z $benchstat && -x $work/bin/benchstat ]]; then
	benchstat=$work/bin/benchstat
fi
if [[ -z $benchstat ]]; then
	echo "== installing benchstat into $work/bin"
	if (cd "$work" && GOBIN="$work/bin" GOFLAGS= go install golang.org/x/perf/cmd/benchstat@latest); then
		benchstat=$work/bin/benchstat
	else
		echo "benchstat unavailable: printing the summary only"
	fi
fi

echo "== go test -bench (count $count, benchtime $benchtime, cpu 1,$cores)"
cmd=(go test -run '^$' -bench '^Benchmark(Scan|Floor)$' -benchtime "$benchtime" -count "$count" -cpu "1,$cores" ./internal/scan/)
echo "DBGUARD_BENCH_CORPUS=$work/corpus ${cmd[*]}"
(cd "$root" && DBGUARD_BENCH_CORPUS="$work/corpus" "${cmd[@]}") | tee "$work/bench.txt"

echo "== summary: median of $count runs (best run in brackets)"
python3 - "$work/bench.txt" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"Benchmark(Scan|Floor)/files=(\d+)(?:-(\d+))?\s+\d+\s+(.*)", line)
    if not m:
        continue
    tool, files, procs = m.group(1), int(m.group(2)), int(m.group(3) or 1)
    metrics = dict((u, float(v)) for v, u in re.findall(r"([0-9.e+]+) (\S+)", m.group(4)))
    rows.setdefault((tool, files, procs), []).append(metrics)
def vals(tool, files, procs, unit):
    return [r[unit] for r in rows.get((tool, files, procs), []) if unit in r] or [float("nan")]
def med(*k):
    return statistics.median(vals(*k))
def best(*k):
    return max(vals(*k))
procs_all = sorted({p for _, _, p in rows})
sizes = sorted({f for _, f, _ in rows})
# files/s is wall time: on a shared machine the best run is the one least
# disturbed. files/cpu-s counts the process's CPU time instead.
print(f"{'cores':>5} {'files':>6} | {'dbguard files/s':>17} {'MB/s':>6} {'files/cpu-s':>11} | {'floor files/s':>17} {'MB/s':>6} {'files/cpu-s':>11} | {'dbguard/floor':>13} {'(best)':>6} {'(cpu)':>6}")
for p in procs_all:
    for f in sizes:
        s, fl = med("Scan", f, p, "files/s"), med("Floor", f, p, "files/s")
        sb, flb = best("Scan", f, p, "files/s"), best("Floor", f, p, "files/s")
        sc, flc = med("Scan", f, p, "files/cpu-s"), med("Floor", f, p, "files/cpu-s")
        print(f"{p:>5} {f:>6} | {s:>7.0f} ({sb:>7.0f}) {med('Scan', f, p, 'MB/s'):>6.2f} {sc:>11.0f} | {fl:>7.0f} ({flb:>7.0f}) {med('Floor', f, p, 'MB/s'):>6.2f} {flc:>11.0f} | {fl / s:>12.2f}x {flb / sb:>5.2f}x {flc / sc:>5.2f}x")
if len(sizes) == 2:
    a, b = sizes
    print(f"growth: files/s at {b} divided by files/s at {a} (1.0 is linear)")
    for p in procs_all:
        for tool in ("Scan", "Floor"):
            print(f"  {tool.lower():>5} cores={p}: wall {med(tool, b, p, 'files/s') / med(tool, a, p, 'files/s'):.2f} (best {best(tool, b, p, 'files/s') / best(tool, a, p, 'files/s'):.2f}), cpu {med(tool, b, p, 'files/cpu-s') / med(tool, a, p, 'files/cpu-s'):.2f}")
PY

if [[ -n $benchstat ]]; then
	echo "== benchstat"
	# Five runs are too few for benchstat's default 95% interval.
	"$benchstat" -confidence 0.9 "$work/bench.txt" || true
fi

echo "== end to end: dbguard scan --format json DIR > /dev/null (median of $e2e_runs)"
if ! (cd "$root" && go build -o "$work/dbguard" ./cmd/dbguard); then
	echo "run.sh: go build ./cmd/dbguard failed: no end-to-end figures" >&2
	exit 1
fi
for n in $sizes; do
	for procs in 1 "$cores"; do
		for i in $(seq "$e2e_runs"); do
			rc=0
			GOMAXPROCS=$procs /usr/bin/time -v "$work/dbguard" scan --format json "$work/corpus/files-$n" >/dev/null 2>"$work/time.txt" || rc=$?
			# Exit 1 means findings, which a scan may report; 2 is a failure.
			if ((rc > 1)); then
				echo "dbguard scan exited $rc:" >&2
				cat "$work/time.txt" >&2
				exit 1
			fi
			cp "$work/time.txt" "$work/time-$n-$procs-$i.txt"
		done
		python3 - "$n" "$procs" "$work"/time-"$n"-"$procs"-*.txt <<'PY'
import re, statistics, sys
n, procs, files = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
walls, rss, cpus = [], [], []
for f in files:
    t = open(f).read()
    w = re.search(r"Elapsed \(wall clock\) time.*: (.*)", t).group(1).strip()
    parts = [float(x) for x in w.split(":")]
    walls.append(sum(x * 60 ** i for i, x in enumerate(reversed(parts))))
    rss.append(int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)))
    cpus.append(float(re.search(r"User time \(seconds\): ([0-9.]+)", t).group(1)) + float(re.search(r"System time \(seconds\): ([0-9.]+)", t).group(1)))
w, c = statistics.median(walls), statistics.median(cpus)
print(f"files={n:>6} GOMAXPROCS={procs}: wall {w:.2f} s ({n / w:.0f} files/s), cpu {c:.2f} s ({n / c:.0f} files/cpu-s), peak RSS {max(rss) / 1024:.0f} MB")
PY
	done
done
echo "== load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
