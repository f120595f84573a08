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
		if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$pkg"; then
			failed+=("$pkg $name")
		fi
	done
done

echo "fuzz targets run: $ran, failed: ${#failed[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
	printf '  failed: %s\n' "${failed[@]}"
	exit 1
fi
