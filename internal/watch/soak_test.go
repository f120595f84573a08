package watch_test

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/testenv"
)

var (
	soak        = flag.Duration("soak", 0, "run TestSoak for this long (e.g. 10m); 0 skips it")
	soakTargets = flag.Int("soak-targets", 1000, "TestSoak's number of targets")
)

// usage is what the soak watches for growth.
type usage struct {
	goroutines, fds int
	heapMiB         float64
}

func measure(t *testing.T) usage {
	t.Helper()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return usage{goroutines: runtime.NumGoroutine(), fds: len(fds), heapMiB: float64(ms.HeapInuse) / (1 << 20)}
}

// TestSoak runs watch over -soak-targets targets for -soak, a third of them
// failing in different ways: refused, a blackholed loopback listener
// (accepts, never answers: each probe holds its socket until the 5s stage
// timeout), a wrong password against the real PostgreSQL; the rest probe
// the real PostgreSQL fully. Goroutines, file descriptors and heap must be
// flat: their end no more than their start plus a margin. Figures are
// printed for bench/README.md.
//
//	./scripts/test.sh --exec go test -run '^TestSoak$' -soak 10m -timeout 20m -v ./internal/watch/
func TestSoak(t *testing.T) {
	if *soak == 0 {
		t.Skip("soak: run with -soak 10m")
	}
	pg := testPG(t)
	refused := fmt.Sprint(testenv.ClosedPort(t))
	blackhole := fmt.Sprint(blackholeListener(t))
	dir := t.TempDir()
	for i := range *soakTargets {
		var content string
		switch i % 9 {
		case 0:
			content = profileYAML(pg, refused, "disable", "", 5)
		case 3:
			content = profileYAML(pg, blackhole, "disable", "", 5)
		case 6:
			content = profileYAML(pg, pg.port, "disable", "wrong-"+randHex(4), 5)
		default:
			content = profileYAML(pg, pg.port, "disable", "", 5)
		}
		if err := os.MkdirAll(filepath.Join(dir, "deploy"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "deploy", fmt.Sprintf("svc%04d.yaml", i)), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	began := time.Now()
	h := start(t, dir, "version: 1\nwatch:\n  interval: 10s\n  sources:\n    - paths: [deploy/]\n", map[string]string{"DB_PASSWORD": pg.pw})
	t.Logf("%d targets, first round done in %s", *soakTargets, time.Since(began).Round(time.Millisecond))
	time.Sleep(20 * time.Second) // the blackholed probes of the first rounds settle
	first := measure(t)
	t.Logf("start: %d goroutines, %d fds, heap %.1f MiB", first.goroutines, first.fds, first.heapMiB)
	// The log and the delivered alerts are tallied and dropped each minute,
	// so that the heap measured is watch's, not the test's buffers.
	counts, byRule := map[string]int{}, map[string]int{}
	delivered := 0
	tally := func() {
		for _, line := range strings.Split(h.logs.String(), "\n") {
			if _, rest, ok := strings.Cut(line, `"msg":"`); ok {
				msg, _, _ := strings.Cut(rest, `"`)
				counts[msg]++
			}
		}
		h.logs.Reset()
		h.rec.mu.Lock()
		delivered += len(h.rec.alerts)
		for _, a := range h.rec.alerts {
			byRule[string(a.Rule)+" "+string(a.State)]++
		}
		h.rec.alerts, h.rec.raw = nil, nil
		h.rec.mu.Unlock()
	}
	tally()
	end := time.Now().Add(*soak)
	for time.Now().Before(end) {
		time.Sleep(min(time.Minute, time.Until(end)))
		tally()
		u := measure(t)
		t.Logf("%s: %d goroutines, %d fds, heap %.1f MiB", time.Since(began).Round(time.Second), u.goroutines, u.fds, u.heapMiB)
	}
	last := measure(t)
	t.Logf("end: %d goroutines, %d fds, heap %.1f MiB", last.goroutines, last.fds, last.heapMiB)
	// What may differ between two moments without any leak: the probes
	// in flight (at most watch.concurrency, 64, each a worker goroutine, a
	// socket, and the blackhole server's socket and goroutine in this same
	// process).
	const inFlight = 2 * 64
	if last.goroutines > first.goroutines+inFlight || last.fds > first.fds+inFlight || last.heapMiB > first.heapMiB*1.5+8 {
		t.Errorf("not flat: start %+v, end %+v", first, last)
	}
	t.Logf("probes: %.0f in %s", h.probes(t, func(string) bool { return true }), time.Since(began).Round(time.Second))
	// Flapping would show here: each target should start failing once and
	// each alert fire once.
	tally()
	t.Logf("log lines by message: %v; alerts delivered: %d, by rule and state: %v", counts, delivered, byRule)
}

// blackholeListener accepts on loopback, never answers, and closes its
// side when the prober gives up. Unlike testenv.Serve it keeps nothing of
// a connection once closed, so that over a soak the descriptors and heap
// measured are watch's, not the test server's.
func blackholeListener(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(io.Discard, c); c.Close() }()
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}
