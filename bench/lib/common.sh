# bench_start NAME does what every bench/*/run.sh does before it measures
# anything; sourced by the bench/ scripts after they set root (the
# repository's top folder). It
#   - stops unless GNU time is at /usr/bin/time: the scripts read peak RSS
#     from it, which the shell's time keyword does not give;
#   - sets work to the work folder, DBGUARD_BENCH_DIR or by default
#     ${TMPDIR:-/tmp}/dbguard-bench-NAME, created and made absolute, and
#     stops if it lies inside the repository: thousands of generated files
#     there would show in git status and in every tool that walks the tree;
#   - prints the machine, its load and the commit under "== machine": a
#     figure means little without them.
bench_start() {
	local name=$1
	if [[ ! -x /usr/bin/time ]]; then
		echo "run.sh: /usr/bin/time (GNU time) not found (apt-get install time): it measures peak RSS" >&2
		exit 2
	fi
	work=${DBGUARD_BENCH_DIR:-${TMPDIR:-/tmp}/dbguard-bench-$name}
	mkdir -p "$work"
	work=$(cd "$work" && pwd)
	case "$work/" in
	"$root"/*)
		echo "run.sh: DBGUARD_BENCH_DIR ($work) is inside the repository; choose a folder outside it" >&2
		exit 2
		;;
	esac

	echo "== machine"
	echo "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "cpu:      $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') ($(nproc) cores)"
	echo "memory:   $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
	echo "go:       $(go version)"
	echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
	echo "commit:   $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
}
