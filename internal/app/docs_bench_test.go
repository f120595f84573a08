package app_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/output"
	"github.com/dbguard/dbguard/internal/testenv/gencorpus"
)

// BenchmarkDocs is docs over the synthetic corpus of 2,000 files: the
// reference built (check and a scan that keeps the profiles), then
// rendered as Markdown pages, beside check alone:
//
//	go test -run '^$' -bench 'Docs' -benchtime 10x -benchmem ./internal/app/
func BenchmarkDocs(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "corpus")
	if _, err := gencorpus.Write(dir, gencorpus.Options{Files: 2000, Seed: 42}); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("check", func(b *testing.B) {
		for b.Loop() {
			if _, err := app.Check(ctx, app.CheckRequest{Scan: app.ScanRequest{Paths: []string{dir}}}); err != nil {
				b.Fatal(err)
			}
		}
	})
	var pages int
	b.Run("docs", func(b *testing.B) {
		for b.Loop() {
			res, err := app.Docs(ctx, app.DocsRequest{Check: app.CheckRequest{Scan: app.ScanRequest{Paths: []string{dir}}}})
			if err != nil {
				b.Fatal(err)
			}
			pages = len(output.DocsMarkdown(res.Reference))
		}
	})
	b.Logf("%d pages", pages)
}
