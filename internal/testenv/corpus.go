package testenv

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv/gencorpus"
)

// EnvBenchCorpus names a folder holding (or to receive) the synthetic
// corpora as files-N; the bench/ scripts set it so that the binaries they
// time read the same files as the Go benchmarks.
const EnvBenchCorpus = "DBGUARD_BENCH_CORPUS"

// corpusVersion names the generator's output in the default cache folder;
// raise it whenever gencorpus writes other files for the same options.
const corpusVersion = "1"

// SyntheticCorpus writes gencorpus's n files of the given seed into a
// temporary folder of the test and returns it; the manifest is beside it
// (gencorpus.ManifestPath, gencorpus.ReadManifest). It never skips: the
// project makes this data itself.
func SyntheticCorpus(tb testing.TB, n int, seed uint64) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "corpus")
	if _, err := gencorpus.Write(dir, gencorpus.Options{Files: n, Seed: seed}); err != nil {
		tb.Fatalf("generate the synthetic corpus: %v", err)
	}
	return dir
}

// BenchCorpus returns a folder holding a synthetic corpus of n files (seed
// 42) under $DBGUARD_BENCH_CORPUS, or a cache in os.TempDir(), generating
// it with gencorpus on first use. A corpus is complete once its manifest,
// which is written last, exists beside it: a folder that a bench/ script
// filled (with gencorpus, or with ../shared/tools/gen-corpus for the
// published comparisons) is used as it is.
func BenchCorpus(tb testing.TB, n int) string {
	tb.Helper()
	root := os.Getenv(EnvBenchCorpus)
	if root == "" {
		root = filepath.Join(os.TempDir(), "dbguard-bench-corpus-v"+corpusVersion)
	}
	dir := filepath.Join(root, "files-"+strconv.Itoa(n))
	if _, err := os.Stat(gencorpus.ManifestPath(dir)); err == nil {
		return dir
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		tb.Fatalf("make corpus folder: %v", err)
	}
	// Generate under a temporary name and rename, so that an interrupted
	// run never leaves a half corpus that looks complete.
	tmp, err := os.MkdirTemp(root, "partial-")
	if err != nil {
		tb.Fatalf("make corpus folder: %v", err)
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "corpus")
	sum, err := gencorpus.Write(out, gencorpus.Options{Files: n, Seed: 42})
	if err != nil {
		tb.Fatalf("generate corpus: %v", err)
	}
	os.RemoveAll(dir)
	if err := os.Rename(out, dir); err != nil {
		tb.Fatalf("move corpus into place: %v", err)
	}
	if err := os.Rename(gencorpus.ManifestPath(out), gencorpus.ManifestPath(dir)); err != nil {
		tb.Fatalf("move corpus manifest into place: %v", err)
	}
	tb.Logf("wrote %d files (%d bytes) to %s", sum.Files, sum.Bytes, dir)
	return dir
}
