# What every bench/*/run.sh does before it measures anything. Sourced by the
# bench/ scripts after they set root (the repository's top folder).

# bench_need_time stops the script unless GNU time is at /usr/bin/time: the
# scripts read peak RSS from it, which the shell's time keyword does not give.
bench_need_time() {
	if [[ ! -x /usr/bin/time ]]; then
		echo "run.sh: /usr/bin/time (GNU time) not found (apt-get install time): it measures peak RSS" >&2
		exit 2
	fi
}

# bench_work_dir DIR creates DIR and prints its absolute path, or stops if
# it lies inside the repository: thousands of generated files there would
# show in git status and in every tool that walks the tree. Use it as
# work=$(bench_work_dir "$work"); under set -e a refusal stops the caller.
bench_work_dir() {
	local dir=$1
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	case "$dir/" in
	"$root"/*)
		echo "run.sh: DBGUARD_BENCH_DIR ($dir) is inside the repository; choose a folder outside it" >&2
		exit 2
		;;
	esac
	echo "$dir"
}

# bench_machine prints what the figures were measured on, under "== machine":
# a figure means little without the machine, its load and the commit.
bench_machine() {
	echo "== machine"
	echo "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "cpu:      $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') ($(nproc) cores)"
	echo "memory:   $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
	echo "go:       $(go version)"
	echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
	echo "commit:   $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
}
