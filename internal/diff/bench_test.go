package diff_test

import (
	"context"
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
	oldSrc, err := diff.NewDir(filepath.Join(dir, "old"), cfg)
	if err != nil {
		b.Fatal(err)
	}
	newSrc, err := diff.NewDir(filepath.Join(dir, "new"), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := diff.Compare(context.Background(), oldSrc, newSrc, diff.Options{Config: cfg}); err != nil {
			b.Fatal(err)
		}
	}
}
