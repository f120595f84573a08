package extract_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/dbguard/dbguard/internal/extract"
	"github.com/dbguard/dbguard/internal/testenv"
)

// BenchmarkFile extracts every file of the synthetic corpus that
// bench/check uses (testenv.BenchCorpus, files-10000), read into memory once, so
// that extraction's CPU and allocations can be profiled apart from reading
// the disk, the policy and the output (testenv.BenchCorpus: the corpus
// under DBGUARD_BENCH_CORPUS, or generated once).
func BenchmarkFile(b *testing.B) {
	dir := testenv.BenchCorpus(b, 10000)
	type file struct {
		rel  string
		data []byte
	}
	var files []file
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		files = append(files, file{rel: filepath.ToSlash(rel), data: data})
		return nil
	})
	if err != nil {
		b.Fatalf("read corpus: %v", err)
	}
	if len(files) == 0 {
		b.Fatalf("no files under %s", dir)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, f := range files {
			extract.File(f.rel, f.data)
		}
	}
	perFile := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(len(files))
	b.ReportMetric(perFile, "ns/file")
	b.ReportMetric(1e9/perFile, "files/s")
}
