#!/usr/bin/env bash
# Times dbguard diff on two 10,000-file trees of the synthetic corpus of
# bench/lib/corpus.sh (seed 42) of which 1% differ (mutate.py), on
# one core: wall time, CPU time and peak RSS of the binary, median of RUNS.
# Figures and how to read them: bench/README.md, section "diff".
#
# Environment:
#   DBGUARD_BENCH_DIR  work folder outside the repository; default
#                      ${TMPDIR:-/tmp}/dbguard-bench-diff
#   FILES              corpus size (default 10000)
#   RUNS               runs per measurement (default 5)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/common.sh
. "$root/bench/lib/common.sh"
# shellcheck source=../lib/corpus.sh
. "$root/bench/lib/corpus.sh"
files=${FILES:-10000}
runs=${RUNS:-5}

bench_start diff

echo "== trees"
rm -rf "$work/old" "$work/new" "$work/old.manifest.tsv"
bench_corpus "$work/old" "$files" 42
python3 "$root/bench/diff/mutate.py" "$work/old" "$work/new"
(cd "$root" && go build -o "$work/dbguard" ./cmd/dbguard)

measure() {
	local label=$1
	shift
	for i in $(seq "$runs"); do
		rc=0
		GOMAXPROCS=1 /usr/bin/time -v "$@" >"$work/out.txt" 2>"$work/time-$i.txt" || rc=$?
		if ((rc > 1)); then
			echo "exit $rc:" >&2
			cat "$work/time-$i.txt" >&2
			exit 1
		fi
	done
	python3 - "$label" "$work"/time-*.txt <<'PY'
import re, statistics, sys
label, files = sys.argv[1], sys.argv[2:]
walls, rss, cpus = [], [], []
for f in files:
    t = open(f).read()
    w = re.search(r"Elapsed \(wall clock\) time.*: (.*)", t).group(1).strip()
    walls.append(sum(float(x) * 60 ** i for i, x in enumerate(reversed(w.split(":")))))
    rss.append(int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)))
    cpus.append(float(re.search(r"User time \(seconds\): ([0-9.]+)", t).group(1)) + float(re.search(r"System time \(seconds\): ([0-9.]+)", t).group(1)))
print(f"{label}: wall {statistics.median(walls):.3f} s (min {min(walls):.3f}), cpu {statistics.median(cpus):.3f} s, peak RSS {max(rss) / 1024:.0f} MB, {len(files)} runs")
PY
	rm -f "$work"/time-*.txt
}

echo "== dbguard diff (GOMAXPROCS=1, median of $runs)"
measure "diff --format json old new" "$work/dbguard" diff --no-config --format json "$work/old" "$work/new"
grep -c '"field"' "$work/out.txt" | sed 's/^/changes reported: /'
measure "diff identical trees" "$work/dbguard" diff --no-config --format json "$work/old" "$work/old"

echo "== dbguard review in a git repository (GOMAXPROCS=1, median of $runs)"
rm -rf "$work/repo"
mkdir -p "$work/repo"
cp -r "$work/old/." "$work/repo/"
g() { git -C "$work/repo" -c user.email=b@example.invalid -c user.name=bench -c commit.gpgsign=false "$@"; }
g init -q -b main
g add -A
g commit -q -m old
rsync -a --delete --exclude .git "$work/new/" "$work/repo/"
g add -A
g commit -q -m new
measure "review --base HEAD~1 --head HEAD" sh -c "cd '$work/repo' && '$work/dbguard' review --no-config --format json --base HEAD~1 --head HEAD"
measure "review --base HEAD~1 (working tree)" sh -c "cd '$work/repo' && '$work/dbguard' review --no-config --format json --base HEAD~1"
echo "== load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
