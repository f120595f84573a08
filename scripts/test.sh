#!/usr/bin/env bash
# dbguard's test command. It installs what is missing, starts real servers on
# loopback (PostgreSQL 15, MariaDB, PgBouncer in front of that PostgreSQL,
# Alertmanager),
# checks formatting and go.mod, runs go vet and the whole test suite once against them,
# prints how many integration tests ran against each server, and stops every
# server it started, even when a test fails or the run is interrupted.
#
# Usage:
#   ./scripts/test.sh                  the whole run (what CI and `make test` do)
#   ./scripts/test.sh --services-only  start the servers and wait until Ctrl-C;
#                                      meanwhile, in another shell:
#                                        . /tmp/dbguard-test.XXXXXX/env   (path printed)
#                                        go test ./internal/verify/...
#   ./scripts/test.sh --exec CMD...    start the servers, run CMD with the test
#                                      variables set, stop them; e.g.
#                                        ./scripts/test.sh --exec go test -run TestProbe ./internal/verify/
#
# Environment:
#   DBGUARD_REQUIRE_SHARED=1  fail, instead of skip, the tests that read the
#                    real-world corpus in ../shared when it is absent; only
#                    .ci/run sets it (a user's clone has no ../shared)
#   TEST_PKGS        packages for gofmt, go vet and go test (default ./...)
#   GO_TEST_TIMEOUT  go test -timeout (default 20m)
#   GO_TEST_FLAGS    extra go test flags (default none), e.g. "-run TestX -v"
#
# It must run as root (it installs packages and runs servers as the postgres
# and mysql users). Variables given to the tests are described in
# scripts/README.md and read through internal/testenv.
set -uo pipefail

SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPTS/.." && pwd)
# shellcheck source=lib/services.sh
. "$SCRIPTS/lib/services.sh"

SVC_STARTED_AT=$(date +%s%N)
export DEBIAN_FRONTEND=noninteractive
case ":$PATH:" in *:/usr/local/go/bin:*) ;; *) [ -x /usr/local/go/bin/go ] && PATH=$PATH:/usr/local/go/bin ;; esac
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin:/sbin ;; esac
export PATH

MODE=all
EXEC_ARGS=()
case "${1:-}" in
"") ;;
--services-only) MODE=services ;;
--exec)
	MODE=exec
	shift
	EXEC_ARGS=("$@")
	[ "${#EXEC_ARGS[@]}" -gt 0 ] || {
		echo "usage: $0 --exec CMD [ARGS...]" >&2
		exit 2
	}
	;;
-h | --help)
	sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 0
	;;
*)
	echo "usage: $0 [--services-only | --exec CMD ARGS... | --help]" >&2
	exit 2
	;;
esac

CHILD_PID="" # process group of the command running now (go test, --exec)
SLEEP_PID="" # the sleep --services-only waits on

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	[ -z "$SLEEP_PID" ] || kill "$SLEEP_PID" 2>/dev/null || true
	if [ -n "$CHILD_PID" ] && kill -0 "$CHILD_PID" 2>/dev/null; then
		svc_log "stopping the running command (process group $CHILD_PID)"
		kill -TERM -- "-$CHILD_PID" 2>/dev/null || true
		svc_wait_gone "$CHILD_PID" 10 || kill -KILL -- "-$CHILD_PID" 2>/dev/null || true
	fi
	svc_stop_all
	exit "$rc"
}
trap cleanup EXIT
trap 'echo; svc_err "interrupted"; exit 130' INT
trap 'svc_err "terminated"; exit 143' TERM

# run_group runs "$@" in its own process group, output also copied to the
# file in $LOG, and returns its status. Its own group lets cleanup stop it
# and every process it started (test binaries) when the script is
# interrupted; waiting in the background lets the traps run at once.
run_group() {
	local rc
	setsid bash -c 'log=$1; shift; "$@" 2>&1 </dev/null | tee "$log"; exit "${PIPESTATUS[0]}"' _ "$LOG" "$@" &
	CHILD_PID=$!
	wait "$CHILD_PID"
	rc=$?
	CHILD_PID=""
	return "$rc"
}

if [ "$(id -u)" != 0 ]; then
	svc_err "run me as root: I install packages and start servers as the postgres and mysql users"
	exit 2
fi
command -v go >/dev/null 2>&1 || {
	svc_err "go not found in PATH"
	exit 2
}

svc_start_all || {
	svc_err "could not start the test servers"
	exit 1
}

case $MODE in
services)
	svc_log "servers are running; in another shell:"
	echo "    . $SVC_DIR/env"
	echo "    go test ./..."
	svc_log "press Ctrl-C (or send TERM to pid $$) to stop them"
	while :; do
		sleep 3600 &
		SLEEP_PID=$!
		wait "$SLEEP_PID" || true
	done
	;;
exec)
	LOG=$SVC_DIR/exec.log
	svc_log "running: ${EXEC_ARGS[*]}"
	cd "$ROOT" || exit 1
	run_group "${EXEC_ARGS[@]}"
	rc=$?
	svc_log "command exited with status $rc"
	exit "$rc"
	;;
esac

cd "$ROOT" || exit 1
read -r -a PKGS <<<"${TEST_PKGS:-./...}"
read -r -a EXTRA <<<"${GO_TEST_FLAGS:-}"
FAILED=()

# gofmt looks at the whole tree, or only at the folders of TEST_PKGS when
# that is set (./internal/x/... -> ./internal/x).
FMT_DIRS=(.)
if [ -n "${TEST_PKGS:-}" ]; then
	FMT_DIRS=()
	for p in "${PKGS[@]}"; do FMT_DIRS+=("${p%/...}"); done
fi
svc_log "gofmt -l ${FMT_DIRS[*]}"
unformatted=$(gofmt -l "${FMT_DIRS[@]}" 2>&1)
if [ -n "$unformatted" ]; then
	svc_err "gofmt would change these files (run gofmt -w):"
	echo "$unformatted" >&2
	FAILED+=("gofmt: $(echo "$unformatted" | tr '\n' ' ')")
fi

# go.mod and go.sum say exactly what the code imports (a reviewer's first
# look); -diff changes nothing, it prints what tidy would change.
svc_log "go mod tidy -diff"
LOG=$SVC_DIR/tidy.log
if ! run_group go mod tidy -diff; then
	svc_err "go.mod or go.sum is not tidy (run go mod tidy)"
	FAILED+=("go mod tidy -diff")
fi

svc_log "go vet ${PKGS[*]}"
LOG=$SVC_DIR/vet.log
t0=$(date +%s)
if ! run_group go vet "${PKGS[@]}"; then
	svc_err "go vet failed"
	FAILED+=("go vet")
fi
vet_seconds=$(($(date +%s) - t0))

svc_log "go test -race -count=1 -timeout ${GO_TEST_TIMEOUT:-20m} ${EXTRA[*]} ${PKGS[*]}"
LOG=$SVC_DIR/test.log
t0=$(date +%s)
if ! run_group go test -race -count=1 -timeout "${GO_TEST_TIMEOUT:-20m}" "${EXTRA[@]}" "${PKGS[@]}"; then
	FAILED+=("go test")
fi
test_seconds=$(($(date +%s) - t0))

echo
echo "==================== summary ===================="
printf 'services started in %ss; go vet took %ss; go test took %ss\n' \
	"$SVC_STARTUP_SECONDS" "$vet_seconds" "$test_seconds"
# The ledger has one line per (server, test) use, written by internal/testenv.
counts=$(sort -u "$DBGUARD_TEST_LEDGER" | awk -F '\t' '{ n[$1]++ }
	END { printf "postgres %d, mariadb %d, pgbouncer %d, alertmanager %d, promtool %d", n["postgres"], n["mariadb"], n["pgbouncer"], n["alertmanager"], n["promtool"] }')
echo "integration tests run: $counts"
# Tests that read the shared real-world corpus skip without ../shared (a
# user's clone), each writing one ledger line; .ci/run makes that a failure.
shared_skips=$(awk -F '\t' '$1 == "shared-missing"' "$DBGUARD_TEST_LEDGER" | sort -u | wc -l)
if [ "$shared_skips" -gt 0 ]; then
	echo "skipped for want of ../shared (the real-world corpus, which CI has): $shared_skips tests"
	awk -F '\t' '$1 == "shared-missing" { print "    " $3 ": " $2 }' "$DBGUARD_TEST_LEDGER" | sort -u
elif [ "${DBGUARD_REQUIRE_SHARED:-}" = 1 ]; then
	echo "shared real-world corpus: required (DBGUARD_REQUIRE_SHARED=1): no test skipped for want of it"
else
	echo "shared real-world corpus: found beside the checkout: no test skipped for want of it"
fi
awk '
	/^ok[ \t]/ { ok++ }
	/^FAIL[ \t]/ { fail++; failed = failed "\n    " $0 }
	/^\?[ \t]/ { none++ }
	/^[ \t]*--- FAIL:/ { tests = tests "\n  " $0 }
	END {
		printf "packages: %d ok, %d failed, %d without tests\n", ok, fail, none
		if (failed != "") printf "failed packages:%s\n", failed
		if (tests != "") printf "failed tests:%s\n", tests
	}' "$LOG"
if [ "${#FAILED[@]}" -gt 0 ]; then
	echo "RESULT: FAIL"
	printf '  failed step: %s\n' "${FAILED[@]}"
	exit 1
fi
echo "RESULT: PASS"
exit 0
