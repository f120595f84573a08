package diff_test

import (
	"context"
	"testing"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/diff"
	"github.com/dbguard/dbguard/internal/scan"
)

// compareFolders diffs two folders on disk, both classified by cfg, as
// dbguard diff does.
func compareFolders(tb testing.TB, oldDir, newDir string, cfg *config.Config, opts diff.Options) *diff.Result {
	tb.Helper()
	oldSrc, err := scan.NewDir(oldDir, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	newSrc, err := scan.NewDir(newDir, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := diff.Compare(context.Background(), scan.NewSide(oldSrc, cfg, nil), scan.NewSide(newSrc, cfg, nil), opts)
	if err != nil {
		tb.Fatalf("compare: %v", err)
	}
	return res
}
