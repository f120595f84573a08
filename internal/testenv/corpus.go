package testenv

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// EnvBenchCorpus names a folder holding (or to receive) the synthetic
// corpora as files-N; the bench/ scripts set it so that the binaries they
// time read the same files as the Go benchmarks.
const EnvBenchCorpus = "DBGUARD_BENCH_CORPUS"

// BenchCorpus returns a folder holding ../shared/tools/gen-corpus's n files
// (seed 42), under $DBGUARD_BENCH_CORPUS or a cache in os.TempDir(),
// generating it on first use. A corpus is complete once its manifest,
// which gen-corpus writes last, exists beside it. The default cache key
// holds a hash of the generator, so that a changed generator is rerun.
// Without ../shared it skips (fails under DBGUARD_REQUIRE_SERVICES=1).
func BenchCorpus(tb testing.TB, n int) string {
	tb.Helper()
	gen := filepath.Join(SharedDir(tb), "tools", "gen-corpus")
	script, err := os.ReadFile(gen)
	if err != nil {
		tb.Fatalf("read the corpus generator: %v", err)
	}
	root := os.Getenv(EnvBenchCorpus)
	if root == "" {
		sum := sha256.Sum256(script)
		root = filepath.Join(os.TempDir(), "dbguard-bench-corpus-"+hex.EncodeToString(sum[:6]))
	}
	dir := filepath.Join(root, "files-"+strconv.Itoa(n))
	if _, err := os.Stat(dir + ".manifest.tsv"); err == nil {
		return dir
	}
	if _, err := exec.LookPath("python3"); err != nil {
		tb.Fatalf("python3 is needed to generate the corpus: %v", err)
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
	cmd := exec.Command("python3", gen, "--out", out, "--files", strconv.Itoa(n), "--seed", "42")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("generate corpus: %v\n%s", err, stderr.String())
	}
	os.RemoveAll(dir)
	if err := os.Rename(out, dir); err != nil {
		tb.Fatalf("move corpus into place: %v", err)
	}
	if err := os.Rename(out+".manifest.tsv", dir+".manifest.tsv"); err != nil {
		tb.Fatalf("move corpus manifest into place: %v", err)
	}
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		tb.Log(sc.Text())
	}
	return dir
}
