# bench_corpus OUT N SEED writes the synthetic corpus of N files into OUT and
# its manifest beside it (OUT.manifest.tsv). Sourced by the bench/ scripts.
#
# bench/README.md's published figures were measured on the corpus of
# ../shared/tools/gen-corpus, which only the project's own machines have
# beside the checkout; it is used where present, so that new figures compare
# with the published ones. Elsewhere the project's own generator
# (go run ./bench/gencorpus: the same formats, shapes and violations, other
# files) writes it, and one line says that the figures are not comparable
# file for file.
bench_corpus() {
	local out=$1 n=$2 seed=$3
	local root shared
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	shared=$(cd "$root/.." && pwd)/shared
	rm -f "$out.manifest.tsv"
	if [[ -f "$shared/tools/gen-corpus" ]] && command -v python3 >/dev/null; then
		python3 "$shared/tools/gen-corpus" --out "$out" --files "$n" --seed "$seed"
	else
		echo "corpus: ../shared/tools/gen-corpus not found; writing it with go run ./bench/gencorpus (same shapes, other files: figures not comparable file for file with bench/README.md's)" >&2
		(cd "$root" && go run ./bench/gencorpus --out "$out" --files "$n" --seed "$seed")
	fi
}
