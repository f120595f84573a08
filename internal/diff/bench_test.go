package diff_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/diff"
)

// BenchmarkCompare diffs the two trees bench/diff/run.sh prepares (old/
// and new/ under DBGUARD_BENCH_DIFF); it is skipped without them.
func BenchmarkCompare(b *testing.B) {
	dir := os.Getenv("DBGUARD_BENCH_DIFF")
	if dir == "" {
		b.Skip("DBGUARD_BENCH_DIFF is not set (bench/diff/run.sh sets it up)")
	}
	cfg := config.Default()
	b.ReportAllocs()
	for b.Loop() {
		compareFolders(b, filepath.Join(dir, "old"), filepath.Join(dir, "new"), cfg, diff.Options{})
	}
}
