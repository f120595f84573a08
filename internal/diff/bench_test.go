package diff_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/diff"
	"github.com/dbguard/dbguard/internal/scan"
)

// BenchmarkCompare diffs the two trees bench/diff/run.sh prepares (old/
// and new/ under DBGUARD_BENCH_DIFF); it is skipped without them.
func BenchmarkCompare(b *testing.B) {
	dir := os.Getenv("DBGUARD_BENCH_DIFF")
	if dir == "" {
		b.Skip("DBGUARD_BENCH_DIFF is not set (bench/diff/run.sh sets it up)")
	}
	cfg := config.Default()
	oldSrc, err := scan.NewDir(filepath.Join(dir, "old"), cfg)
	if err != nil {
		b.Fatal(err)
	}
	newSrc, err := scan.NewDir(filepath.Join(dir, "new"), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := diff.Compare(context.Background(), scan.NewSide(oldSrc, cfg, nil), scan.NewSide(newSrc, cfg, nil), diff.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
