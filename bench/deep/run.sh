#!/usr/bin/env bash
# Measures what hostile input costs dbguard: single files nested 1,000 to
# 10,000 levels deep, a tree of 80 such 20 KB files, and flat lists up to
# 10 MB, through the real binary (wall time and peak memory from
# /usr/bin/time), then the Go benchmarks of this folder (extract.File per
# file). It builds dbguard and generates every input itself. Figures and
# how to read them: bench/README.md, section "deep".
#
# Environment:
#   DBGUARD_BENCH_DIR  work folder outside the repository (inputs, binary,
#                      raw results); default ${TMPDIR:-/tmp}/dbguard-bench-deep
#   RUNS               runs of the binary per input; the median is kept
#                      (default 3)
#   BENCHTIME          go test -benchtime (default 20x)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/common.sh
. "$root/bench/lib/common.sh"
runs=${RUNS:-3}
benchtime=${BENCHTIME:-20x}
bench_start deep

echo "== build"
(cd "$root" && go build -o "$work/bin/dbguard" ./cmd/dbguard)
bin=$work/bin/dbguard

echo "== inputs"
rm -rf "$work/in"
mkdir -p "$work/in/single" "$work/in/nestdir" "$work/in/emptydir" "$work/in/flat"
python3 - "$work/in" <<'PY'
import os, sys
out = sys.argv[1]
def write(path, text):
    with open(os.path.join(out, path), "w") as f:
        f.write(text)
for d in (1000, 2500, 5000, 10000):
    write(f"single/arrays-{d}.json", "[" * d + "]" * d)
    write(f"single/objects-{d}.json", '{"a":' * d + "1" + "}" * d)
    write(f"single/flow-{d}.yaml", "a: " + "[" * d + "]" * d + "\n")
# 80 files of 20 KB nested 10,000 deep, half JSON, half YAML.
for i in range(80):
    if i % 2 == 0:
        write(f"nestdir/n{i:02d}.json", "[" * 10000 + "]" * 10000)
    else:
        write(f"nestdir/n{i:02d}.yaml", "[" * 9999 + "]" * 9999 + "\n")
mb = 1 << 20
for size in (1, 10):
    n = size * mb - 64
    write(f"flat/block-{size}mb.yaml", "items:\n" + "- 1\n" * (n // 4))
    write(f"flat/flow-{size}mb.yaml", "items: [" + "1, " * (n // 3) + "1]\n")
    write(f"flat/list-{size}mb.json", "[" + "1," * (n // 2) + "1]")
    write(f"flat/vars-{size}mb.env", "A=1\n" * (n // 4))
PY

# measure NAME ARGS...: the median wall time and peak RSS of RUNS runs.
measure() {
	local name=$1
	shift
	local times=() mems=() code=0
	for ((r = 0; r < runs; r++)); do
		code=0
		/usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" || code=$?
		read -r t m <"$work/time.txt" < <(tail -1 "$work/time.txt")
		times+=("$t")
		mems+=("$m")
	done
	local t m
	t=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
	m=$(printf '%s\n' "${mems[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
	printf '%-32s %8s s %8d MB  exit %d  %s\n' "$name" "$t" $((m / 1024)) "$code" \
		"$(grep -m1 -o 'input-unreadable: .*' "$work/stderr.txt" | cut -c19-90 || true)"
}

echo "== binary: median of $runs runs (wall time, peak RSS, exit, first problem)"
for f in "$work"/in/single/*; do
	measure "scan $(basename "$f")" "$bin" scan --no-config "$f"
done
measure "scan nestdir (80 x 20 KB)" "$bin" scan --no-config "$work/in/nestdir"
measure "check nestdir" "$bin" check --no-config "$work/in/nestdir"
measure "diff emptydir nestdir" "$bin" diff "$work/in/emptydir" "$work/in/nestdir"
for f in "$work"/in/flat/*; do
	measure "scan $(basename "$f")" "$bin" scan --no-config "$f"
done

echo "== go test -bench (extract.File per file)"
(cd "$root" && go test -run '^$' -bench . -benchtime "$benchtime" ./bench/deep/) | tee "$work/bench.txt"
