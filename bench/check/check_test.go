// Package check benchmarks dbguard check end to end (cli.Run with the json
// format) over the synthetic corpus, so that a CPU or memory
// profile of the whole command can be taken with go test. The side-by-side
// comparison with conftest is run.sh; this file only serves profiling.
package check

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/dbguard/dbguard/internal/cli"
	"github.com/dbguard/dbguard/internal/testenv"
)

// BenchmarkCheck runs check over the synthetic corpus of 1,000 and 10,000
// files (testenv.BenchCorpus: run.sh's under DBGUARD_BENCH_CORPUS, or
// generated once).
func BenchmarkCheck(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		corpus := testenv.BenchCorpus(b, n)
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
