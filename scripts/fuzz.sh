#!/usr/bin/env bash
# Runs every fuzz target of the module, one after the other, each for
# FUZZTIME (default 30s). `go test -fuzz` accepts one target per run, so the
# targets are listed per package with `go test -list '^Fuzz'` first.
# A crash is kept by go test under the package's testdata/fuzz/ folder: commit
# it with the fix, it then runs as a regression case in every `go test`.
#
# Environment:
#   FUZZTIME   how long each target runs (default 30s)
#   FUZZ_PKGS  packages to search for targets (default ./...)
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
case ":$PATH:" in *:/usr/local/go/bin:*) ;; *) [ -x /usr/local/go/bin/go ] && PATH=$PATH:/usr/local/go/bin ;; esac

FUZZTIME=${FUZZTIME:-30s}
read -r -a PKGS <<<"${FUZZ_PKGS:-./...}"

# fuzz_one runs one target. Go 1.26's fuzzing coordinator can report
# "context deadline exceeded" as a failure when -fuzztime runs out while a
# worker is mid-call (golang/go#75804, fixed in Go 1.27): no input fails,
# nothing is written to testdata/fuzz. Such a run is retried once; any
# other failure, or a second one, stands.
fuzz_one() {
	local pkg=$1 name=$2 log
	log=$(mktemp)
	if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$pkg" 2>&1 | tee "$log"; [ "${PIPESTATUS[0]}" -eq 0 ]; then
		rm -f "$log"
		return 0
	fi
	if grep -q 'context deadline exceeded' "$log" && ! grep -qiE 'failing input|panic:' "$log"; then
		echo "-- $name: the coordinator's deadline race (golang/go#75804), no failing input; running it again"
		rm -f "$log"
		go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$pkg"
		return
	fi
	rm -f "$log"
	return 1
}

pkgs=$(go list "${PKGS[@]}") || exit 1
ran=0
failed=()
for pkg in $pkgs; do
	if ! listing=$(go test -list '^Fuzz' "$pkg" 2>&1); then
		echo "$listing" >&2
		failed+=("$pkg (does not build)")
		continue
	fi
	for name in $(printf '%s\n' "$listing" | grep -E '^Fuzz[A-Za-z0-9_]*$'); do
		echo "== $pkg $name for $FUZZTIME"
		ran=$((ran + 1))
		if ! fuzz_one "$pkg" "$name"; then
			failed+=("$pkg $name")
		fi
	done
done

echo "fuzz targets run: $ran, failed: ${#failed[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
	printf '  failed: %s\n' "${failed[@]}"
	exit 1
fi
