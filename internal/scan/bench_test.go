//go:build unix

package scan_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"

	"github.com/pelletier/go-toml/v2"
	"gopkg.in/yaml.v3"

	"github.com/dbguard/dbguard/internal/scan"
	"github.com/dbguard/dbguard/internal/testenv"
)

// The scan benchmarks measure throughput on the synthetic corpus of
// testenv.BenchCorpus (seed 42), beside a floor: the same files read
// and decoded by the libraries dbguard's parsers build on, and nothing else.
// The target is 20,000 files/s on one core, within 1.5 times the
// floor, and files/s that stays flat from 1,000 to 10,000 files.
// bench/scan/run.sh runs them and prints the summary.

// benchSizes are the corpus sizes measured; growth is their files/s ratio.
var benchSizes = []int{1000, 10000}

func BenchmarkScan(b *testing.B) {
	benchCorpora(b, func(b *testing.B, dir string, files int, size int64) {
		res, err := scan.Run(context.Background(), scan.Options{Paths: []string{dir}})
		if err != nil {
			b.Fatal(err)
		}
		if res.Files != files || res.Bytes != size {
			b.Fatalf("scan read %d files (%d bytes), want %d (%d bytes)", res.Files, res.Bytes, files, size)
		}
		if len(res.Profiles) == 0 {
			b.Fatal("scan found no profile in the corpus")
		}
	})
}

func BenchmarkFloor(b *testing.B) {
	benchCorpora(b, func(b *testing.B, dir string, files int, _ int64) {
		got, err := floor(dir, runtime.GOMAXPROCS(0))
		if err != nil {
			b.Fatal(err)
		}
		if got != files {
			b.Fatalf("floor read %d files, want %d", got, files)
		}
	})
}

// benchCorpora runs one sub-benchmark per corpus size, each timing readAll
// over the whole corpus (files files, size bytes in dir) and reporting
// MB/s, allocations and files/s of wall and CPU time, so that scan and its
// floor are measured alike.
func benchCorpora(b *testing.B, readAll func(b *testing.B, dir string, files int, size int64)) {
	for _, n := range benchSizes {
		dir := testenv.BenchCorpus(b, n)
		files, size := corpusSize(b, dir)
		b.Run("files="+strconv.Itoa(n), func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			cpu := cpuTime(b)
			for b.Loop() {
				readAll(b, dir, files, size)
			}
			reportFiles(b, files, cpuTime(b)-cpu)
		})
	}
}

// reportFiles reports files per second of wall time, and per second of
// CPU time used by the whole process (user and system, garbage collection
// included). On a machine shared with other work the wall figure falls
// with the load while the CPU figure stays near what an idle core gives;
// with -cpu 1 the two agree on an idle machine.
func reportFiles(b *testing.B, files int, cpu float64) {
	n := float64(files) * float64(b.N)
	b.ReportMetric(n/b.Elapsed().Seconds(), "files/s")
	if cpu > 0 {
		b.ReportMetric(n/cpu, "files/cpu-s")
	}
}

// cpuTime returns the user and system CPU seconds the process has used.
func cpuTime(b *testing.B) float64 {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// floor does the least any scanner must: walk the folder, read every file
// and decode it with the library dbguard's parser for that format uses, on
// as many workers as scan uses. JSON has no such library (tree.ParseJSON
// is hand-written), so its floor is encoding/json, the standard decoder.
func floor(dir string, workers int) (int, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("walk %s: %w", dir, err)
	}
	errs := make([]error, workers)
	next := make(chan string)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range next {
				if err := decodeFile(p); err != nil && errs[w] == nil {
					errs[w] = err
				}
			}
		}()
	}
	for _, p := range paths {
		next <- p
	}
	close(next)
	wg.Wait()
	return len(paths), errors.Join(errs...)
}

func decodeFile(p string) error {
	data, err := os.ReadFile(p)
	if err != nil {
		return fmt.Errorf("read file: %w", err)
	}
	switch filepath.Ext(p) {
	case ".yaml", ".yml":
		if !bytes.HasPrefix(data, []byte("---")) && !bytes.Contains(data, []byte("\n---")) {
			// One document: yaml.Unmarshal skips the Decoder's buffering,
			// as tree.ParseYAML does.
			var n yaml.Node
			if err := yaml.Unmarshal(data, &n); err != nil {
				return fmt.Errorf("decode %s: %w", p, err)
			}
			return nil
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var n yaml.Node
			if err := dec.Decode(&n); err != nil {
				if errors.Is(err, io.EOF) {
					return nil
				}
				return fmt.Errorf("decode %s: %w", p, err)
			}
		}
	case ".json":
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			return fmt.Errorf("decode %s: %w", p, err)
		}
	case ".toml":
		var m map[string]any
		if err := toml.Unmarshal(data, &m); err != nil {
			return fmt.Errorf("decode %s: %w", p, err)
		}
	case ".env", ".properties":
		keys := 0
		for line := range bytes.Lines(data) {
			line = bytes.TrimSpace(line)
			if len(line) == 0 || line[0] == '#' {
				continue
			}
			if k, _, ok := bytes.Cut(line, []byte{'='}); ok && len(k) > 0 {
				keys++
			}
		}
		if keys == 0 {
			return fmt.Errorf("decode %s: no key", p)
		}
	default:
		return fmt.Errorf("decode %s: unknown extension", p)
	}
	return nil
}

// corpusSize counts the corpus's files and bytes.
func corpusSize(b *testing.B, dir string) (files int, size int64) {
	b.Helper()
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		files++
		size += fi.Size()
		return nil
	})
	if err != nil {
		b.Fatalf("measure corpus: %v", err)
	}
	return files, size
}
