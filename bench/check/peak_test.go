package check

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/cli"
)

// TestPeakHeap writes the heap profile of dbguard check at its largest live
// heap over $DBGUARD_BENCH_CORPUS/files-10000 to $DBGUARD_BENCH_HEAPPROFILE:
// a heap profile written at the end, as go test -memprofile does, shows
// what was allocated, not what was held at the peak that sets RSS. A
// sampler reads the live heap after each garbage collection and keeps the
// profile taken at the largest.
func TestPeakHeap(t *testing.T) {
	dir, out := os.Getenv("DBGUARD_BENCH_CORPUS"), os.Getenv("DBGUARD_BENCH_HEAPPROFILE")
	if dir == "" || out == "" {
		t.Skip("set DBGUARD_BENCH_CORPUS and DBGUARD_BENCH_HEAPPROFILE to take a peak heap profile")
	}
	corpus := filepath.Join(dir, "files-10000")
	done := make(chan struct{})
	best := make(chan []byte, 1)
	go func() {
		var peak uint64
		var kept []byte
		var last uint32
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				best <- kept
				return
			case <-tick.C:
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.NumGC == last {
				continue
			}
			last = ms.NumGC
			// HeapAlloc just after a collection approximates the live heap.
			if ms.HeapAlloc > peak {
				var b bytes.Buffer
				if err := pprof.Lookup("heap").WriteTo(&b, 0); err == nil {
					peak, kept = ms.HeapAlloc, b.Bytes()
				}
			}
		}
	}()
	code := cli.Run(context.Background(), []string{"check", "--no-config", "--fail-on", "none", "--format", "json", corpus},
		nil, io.Discard, io.Discard)
	close(done)
	kept := <-best
	if code != cli.ExitOK {
		t.Fatalf("check exited %d", code)
	}
	if err := os.WriteFile(out, kept, 0o644); err != nil {
		t.Fatal(err)
	}
}
