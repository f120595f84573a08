// Package check benchmarks dbguard check end to end (cli.Run with the json
// format) over gen-corpus's synthetic corpus, so that a CPU or memory
// profile of the whole command can be taken with go test. The side-by-side
// comparison with conftest is run.sh; this file only serves profiling.
package check

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/dbguard/dbguard/internal/cli"
)

// BenchmarkCheck runs check over $DBGUARD_BENCH_CORPUS/files-N for each
// corpus run.sh generates. It is skipped when the variable is unset, since
// the corpus lives outside the repository.
func BenchmarkCheck(b *testing.B) {
	dir := os.Getenv("DBGUARD_BENCH_CORPUS")
	if dir == "" {
		b.Skip("DBGUARD_BENCH_CORPUS not set: run bench/check/run.sh, or point it at a folder holding files-1000 and files-10000")
	}
	for _, n := range []int{1000, 10000} {
		corpus := filepath.Join(dir, fmt.Sprintf("files-%d", n))
		if _, err := os.Stat(corpus); err != nil {
			b.Logf("skipping %d files: %v", n, err)
			continue
		}
		b.Run(fmt.Sprintf("files=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				code := cli.Run(context.Background(), []string{"check", "--no-config", "--fail-on", "none", "--format", "json", corpus},
					nil, io.Discard, io.Discard)
				if code != cli.ExitOK {
					b.Fatalf("check exited %d", code)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
		})
	}
}
