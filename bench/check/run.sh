#!/usr/bin/env bash
# dbguard check against conftest, side by side in one run, over the same
# synthetic corpus (seed 42, 1,000 and 10,000 files; bench/lib/corpus.sh:
# ../shared/tools/gen-corpus where present, else go run ./bench/gencorpus):
# conftest runs the Rego policy in bench/check/policy, which finds
# the same five kinds the corpus plants. Before any timing, both tools'
# per-file results are checked against the corpus manifest (compare.py);
# the script stops if either tool is wrong on any file. Then each tool is
# timed with /usr/bin/time -v (wall time, peak RSS), runs interleaved, and
# the medians, files/s and the ratios are printed. Figures and how to read
# them: bench/README.md, section "check".
#
# Environment:
#   DBGUARD_BENCH_DIR  work folder outside the repository (corpus, conftest,
#                      binary, raw results); default ${TMPDIR:-/tmp}/dbguard-bench-check
#   RUNS               timed runs per tool and corpus size (default 5)
#   SIZES              corpus sizes (default "1000 10000")
#   KEEP_GOING=1       time the tools even when the manifest check fails; the
#                      figures are then marked unverified and the exit code
#                      is still 1
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/common.sh
. "$root/bench/lib/common.sh"
# shellcheck source=../lib/corpus.sh
. "$root/bench/lib/corpus.sh"
here=$root/bench/check
runs=${RUNS:-5}
sizes=${SIZES:-"1000 10000"}
conftest_version=v0.71.1

bench_start check
mkdir -p "$work/bin"

echo "== corpus"
for n in $sizes; do
	# Always regenerated: same seed and count give byte-identical files.
	bench_corpus "$work/corpus/files-$n" "$n" 42
done

echo "== tools"
# Both tools are built the same way, static (CGO_ENABLED=0), as their
# release binaries are: the standard library's DNS resolver is the only
# part of either that would link libc, and that costs each about 1.8 MB of
# resident memory at start.
conftest=$work/bin/conftest
if ! { [[ -x $conftest ]] && go version -m "$conftest" | grep -q "mod[[:space:]]*github.com/open-policy-agent/conftest[[:space:]]*$conftest_version[[:space:]]" &&
	go version -m "$conftest" | grep -q "CGO_ENABLED=0"; }; then
	echo "installing conftest $conftest_version into $work/bin"
	# Run from the work folder so that the repository's go.mod plays no part.
	(cd "$work" && CGO_ENABLED=0 GOBIN="$work/bin" GOFLAGS= go install "github.com/open-policy-agent/conftest@$conftest_version")
fi
(cd "$root" && CGO_ENABLED=0 go build -o "$work/dbguard" ./cmd/dbguard)
dbguard=$work/dbguard
echo "conftest: $("$conftest" --version | tr '\n' ' ')(module $(go version -m "$conftest" | awk '$1 == "mod" {print $3}'), built with $(go version "$conftest" | awk '{print $2}'), $(go version -m "$conftest" | awk '$2 ~ /^CGO_ENABLED=/ {print $2}'))"
echo "dbguard:  built from $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown) with $(go version | awk '{print $3}'), $(go version -m "$dbguard" | awk '$2 ~ /^CGO_ENABLED=/ {print $2}')"
if command -v hyperfine >/dev/null; then
	echo "hyperfine: $(hyperfine --version)"
fi

# The two commands, as timed. Both write JSON to stdout; neither fails on
# findings, so that an exit status is only ever an error of the tool.
dbguard_cmd() { "$dbguard" check --no-config --fail-on none --format json "$1"; }
conftest_cmd() { "$conftest" test --policy "$here/policy" --output json --no-fail "$1"; }
echo "dbguard command:  $dbguard check --no-config --fail-on none --format json DIR"
echo "conftest command: $conftest test --policy bench/check/policy --output json --no-fail DIR"
echo "                  (parser chosen per file by extension: .yaml .json .toml .env .properties)"

echo "== per-file results against the manifest"
verified=1
cd "$work/corpus"
for n in $sizes; do
	dbguard_cmd "files-$n" >"$work/dbguard-$n.json"
	conftest_cmd "files-$n" >"$work/conftest-$n.json"
	echo "-- $n files"
	if ! python3 "$here/compare.py" "files-$n.manifest.tsv" "files-$n" "$work/dbguard-$n.json" "$work/conftest-$n.json"; then
		verified=0
	fi
done
if [[ $verified == 0 ]]; then
	if [[ ${KEEP_GOING:-} != 1 ]]; then
		echo "run.sh: a tool disagrees with the manifest (above); no timing is reported. KEEP_GOING=1 times them anyway, marked unverified." >&2
		exit 1
	fi
	echo "!! WARNING: a tool disagrees with the manifest; the timings below are UNVERIFIED"
fi

echo "== timing ($runs runs per tool and size, interleaved; /usr/bin/time -v)"
raw=$work/times.tsv
: >"$raw"
timed() { # tool size run
	local log=$work/time.log
	local cmd
	case $1 in
	dbguard) cmd=("$dbguard" check --no-config --fail-on none --format json "files-$2") ;;
	conftest) cmd=("$conftest" test --policy "$here/policy" --output json --no-fail "files-$2") ;;
	esac
	local t0 t1
	t0=$(date +%s%N)
	if ! /usr/bin/time -v -o "$log" "${cmd[@]}" >/dev/null; then
		echo "run.sh: $1 failed on files-$2:" >&2
		cat "$log" >&2
		exit 1
	fi
	t1=$(date +%s%N)
	# Wall time from the clock around the run: time -v's own figure has
	# centisecond resolution, too coarse at 1,000 files.
	local wall rss cpu
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", (b - a) / 1e9}')
	rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
	cpu=$(awk -F': ' '/User time|System time/ {t += $2} END {printf "%.2f", t}' "$log")
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$wall" "$rss" "$cpu" >>"$raw"
}
for n in $sizes; do
	timed dbguard "$n" warmup
	timed conftest "$n" warmup
	for i in $(seq "$runs"); do
		timed dbguard "$n" "$i"
		timed conftest "$n" "$i"
	done
done
python3 - "$raw" "$verified" <<'PY'
import statistics, sys

rows = {}
for line in open(sys.argv[1]):
    tool, n, run, wall, rss, cpu = line.rstrip("\n").split("\t")
    if run == "warmup":
        continue
    rows.setdefault((tool, int(n)), []).append((float(wall), int(rss), float(cpu)))
mark = "" if sys.argv[2] == "1" else "  (UNVERIFIED)"
print(f"{'files':>6} {'tool':9} {'wall median':>12} {'min-max':>15} {'files/s':>9} {'cpu median':>11} {'peak RSS median':>16}")
for n in sorted({n for _, n in rows}):
    med = {}
    for tool in ("dbguard", "conftest"):
        r = rows[(tool, n)]
        w = statistics.median(x[0] for x in r)
        m = statistics.median(x[1] for x in r)
        c = statistics.median(x[2] for x in r)
        med[tool] = (w, m, c)
        lo, hi = min(x[0] for x in r), max(x[0] for x in r)
        print(f"{n:>6} {tool:9} {w:>10.3f} s {lo:>6.2f}-{hi:<6.2f} s {n / w:>9.0f} {c:>9.2f} s {m / 1024:>13.1f} MB{mark}")
    (dw, dm, dc), (cw, cm, cc) = med["dbguard"], med["conftest"]
    print(f"{n:>6} ratio     conftest/dbguard: wall {cw / dw:.1f}x (goal >= 20x), "
          f"cpu {cc / dc:.1f}x, peak RSS {cm / dm:.2f}x (goal >= 5x)")
PY

if command -v hyperfine >/dev/null; then
	echo "== hyperfine cross-check of wall time (median of $runs runs, 1 warm-up)"
	for n in $sizes; do
		hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$work/hyperfine-$n.json" \
			-n "dbguard $n" "$dbguard check --no-config --fail-on none --format json files-$n" \
			-n "conftest $n" "$conftest test --policy $here/policy --output json --no-fail files-$n" >/dev/null
		python3 - "$work/hyperfine-$n.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
for name, x in r.items():
    print(f"{name:15} median {x['median']:.3f} s  (mean {x['mean']:.3f} ± {x['stddev']:.3f} s)")
d, c = [x["median"] for x in r.values()]
print(f"ratio conftest/dbguard: {c / d:.1f}x")
PY
	done
fi
echo "raw: $raw; tool outputs: $work/{dbguard,conftest}-N.json"
[[ $verified == 1 ]]
