package watch_bench

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/testenv"
)

var (
	soak        = flag.Duration("soak", 0, "run the soak for this long (10m for bench/README.md's figure)")
	soakTargets = flag.Int("soak-targets", 1000, "targets of the soak; a third of them fail")
	soakEvery   = flag.Duration("soak-every", 10*time.Second, "how often the soak samples the curves")
	// The soak's stage timeout is shorter than watch's 5 s default: 111
	// blackholed targets, each waiting out its timeout twice (one retry),
	// would otherwise hold more than the 64 probe slots on their own, and
	// the soak would measure a starved scheduler rather than leaks.
	soakTimeout = flag.Duration("soak-timeout", 2*time.Second, "watch's stage timeout during the soak")
)

// soakCurves are the series the soak follows: they must be flat.
var soakCurves = []string{"go_goroutines", "process_open_fds", "go_memstats_heap_inuse_bytes"}

// TestSoak runs dbguard watch on soakTargets targets, a third of them
// failing in different ways, for the -soak duration, and reports
// goroutines, file descriptors and heap (from its /metrics) at each sample.
// It needs the test PostgreSQL: run it through scripts/test.sh --exec
// (bench/watch/run.sh soak does).
//
// Targets, in equal thirds of the failing third:
//   - refused: a loopback port with nothing listening (tcp_refused);
//   - blackholed: a loopback listener whose backlog is full (tcp_timeout);
//   - auth: the test PostgreSQL with a wrong password (auth_failed);
//
// the other two thirds are the test PostgreSQL with the right credentials,
// probed through every stage.
func TestSoak(t *testing.T) {
	if *soak == 0 {
		t.Skip("a benchmark: bench/watch/run.sh soak")
	}
	raiseFileLimit(t)
	pg, err := url.Parse(testenv.PG(t))
	if err != nil {
		t.Fatal(err)
	}
	wrong := *pg
	wrong.User = url.UserPassword(pg.User.Username(), "not-the-password")

	dir := t.TempDir()
	files := filepath.Join(dir, "targets", "production")
	if err := os.MkdirAll(files, 0o755); err != nil {
		t.Fatal(err)
	}
	n := *soakTargets
	ninth := n / 9 // each failure kind: a ninth, a third failing in all
	kinds := map[string]int{}
	for i := range n {
		var u, kind string
		switch {
		case i < ninth:
			u, kind = fmt.Sprintf("postgres://bench@127.0.0.1:%d/bench", testenv.ClosedPort(t)), "refused"
		case i < 2*ninth:
			u, kind = fmt.Sprintf("postgres://bench@127.0.0.1:%d/bench", testenv.FullBacklogPort(t)), "blackholed"
		case i < 3*ninth:
			u, kind = wrong.String(), "auth"
		default:
			u, kind = pg.String(), "healthy"
		}
		kinds[kind]++
		line := "DATABASE_URL=" + u + "\n"
		if err := os.WriteFile(filepath.Join(files, fmt.Sprintf("t%05d.env", i)), []byte(line), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	fmt.Printf("soak: %d targets (%d refused, %d blackholed, %d auth, %d healthy), %s, stage timeout %s\n",
		n, kinds["refused"], kinds["blackholed"], kinds["auth"], kinds["healthy"], *soak, *soakTimeout)

	bin := buildDbguard(t, t.TempDir())
	listen := freePorts(t, 2)
	metricsPort := listen[1]
	writeWatchConfig(t, dir, listen, *soakTimeout, "")
	c := start(t, "dbguard", dir, watchCommand(bin, dir))
	metricsURL := fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort)
	ctx := t.Context()
	if _, err := waitScrape(ctx, metricsURL, 2*time.Minute); err != nil {
		t.Fatalf("%v\n%s", err, c.tail())
	}
	// The start of each curve is taken after the first full round (one
	// interval and a timeout), when every target holds its steady state.
	time.Sleep(interval + 2**soakTimeout)

	var samples []soakSample
	begin := time.Now()
	for {
		m, err := scrape(ctx, metricsURL)
		if err != nil {
			t.Fatalf("%v\n%s", err, c.tail())
		}
		if err, ok := c.exited(); ok {
			t.Fatalf("dbguard watch exited: %v\n%s", err, c.tail())
		}
		samples = append(samples, soakSample{at: time.Since(begin), m: m})
		fmt.Printf("soak %6.0fs  goroutines %5.0f  open fds %5.0f  heap in use %6.1f MiB  probes %8.0f\n",
			time.Since(begin).Seconds(), m["go_goroutines"], m["process_open_fds"],
			m["go_memstats_heap_inuse_bytes"]/(1<<20), m["dbguard_probes_total"])
		if time.Since(begin) >= *soak {
			break
		}
		time.Sleep(min(*soakEvery, *soak-time.Since(begin)+time.Second))
	}
	first, last := samples[0].m, samples[len(samples)-1].m
	elapsed := time.Since(begin)
	probes := last["dbguard_probes_total"] - first["dbguard_probes_total"]
	fmt.Printf("soak: %.0f probes in %.0fs = %.1f/s (configured: %.1f/s)\n",
		probes, elapsed.Seconds(), probes/elapsed.Seconds(), float64(n)/interval.Seconds())
	// Flat: what a probe holds while in flight (goroutines, a socket, its
	// buffers) comes and goes with the moment a sample catches, so each
	// curve is judged by its highest sample in the first and in the last
	// minute: the end within 10% (and a small absolute slack) of the start,
	// the heap within 25% (it breathes with the GC cycle).
	head, tail := between(samples, 0, time.Minute), between(samples, samples[len(samples)-1].at-time.Minute, time.Minute)
	for _, k := range soakCurves {
		start, end := peak(head, k), peak(tail, k)
		slack := 0.1*start + 32
		if k == "go_memstats_heap_inuse_bytes" {
			slack = 0.25*start + 8<<20
		}
		fmt.Printf("soak: %-30s highest in the first minute %12.0f, in the last minute %12.0f\n", k, start, end)
		if end > start+slack {
			t.Errorf("%s grew from %.0f to %.0f over %s", k, start, end, elapsed.Round(time.Second))
		}
	}
}

// soakSample is one scrape of watch's metrics during the soak.
type soakSample struct {
	at time.Duration
	m  map[string]float64
}

// between returns the samples taken from from to from+d.
func between(samples []soakSample, from, d time.Duration) []soakSample {
	var w []soakSample
	for _, s := range samples {
		if s.at >= from && s.at <= from+d {
			w = append(w, s)
		}
	}
	return w
}

// peak is the highest value of metric k among the samples.
func peak(samples []soakSample, k string) float64 {
	v := 0.0
	for _, s := range samples {
		v = max(v, s.m[k])
	}
	return v
}
