// Package watch_bench measures dbguard watch: the soak (soak_test.go) and
// the comparison with Gatus (this file). Both run only when their flag is
// given (bench/watch/run.sh gives them), never in the test command.
package watch_bench

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	compare = flag.Bool("compare", false, "measure CPU per probe and peak RSS of dbguard watch (and Gatus with -gatus) probing loopback TCP targets")
	gatus   = flag.String("gatus", "", "path of a Gatus v5 binary built outside the repository; without it only dbguard is measured")
	only    = flag.String("only", "", `measure one side only: "dbguard" or "gatus"`)
	sizes   = flag.String("targets", "1000,10000", "comma-separated numbers of targets")
	warmup  = flag.Duration("warmup", 30*time.Second, "time after the metrics page first answers before the measured window")
	window  = flag.Duration("window", 2*time.Minute, "the measured window")
	// Gatus starts its endpoints gradually and needs minutes to reach its
	// configured rate (bench/README.md), so one run can give it a longer
	// warm-up than dbguard, which runs at its rate from the first interval.
	gatusWarmup = flag.Duration("gatus-warmup", 0, "Gatus's warm-up when longer than -warmup (default: -warmup)")
)

// interval is the probe interval of both sides: 10 s, the issue's.
const interval = 10 * time.Second

// concurrency is how many probes each side may run at once: watch's
// default, and Gatus's concurrency setting made the same.
const concurrency = 64

// figure is one side's measurement over the window.
type figure struct {
	side    string
	targets int
	window  time.Duration
	probes  float64
	cpu     time.Duration
	hwm     int64
}

func (f figure) cpuPerProbe() time.Duration {
	if f.probes == 0 {
		return 0
	}
	return time.Duration(float64(f.cpu) / f.probes)
}

func (f figure) bytesPerTarget() float64 { return float64(f.hwm) / float64(f.targets) }

// rate is the share of the configured rate (targets per interval) reached.
func (f figure) rate() float64 {
	return f.probes / f.window.Seconds() / (float64(f.targets) / interval.Seconds())
}

func (f figure) String() string {
	return fmt.Sprintf("%-7s %6d targets  %5.0fs  %8.0f probes (%5.1f%% of the configured rate)  CPU %7.2fs = %6.1f µs/probe  peak RSS %7.1f MiB = %5.1f KiB/target",
		f.side, f.targets, f.window.Seconds(), f.probes, 100*f.rate(), f.cpu.Seconds(),
		float64(f.cpuPerProbe())/float64(time.Microsecond), float64(f.hwm)/(1<<20), f.bytesPerTarget()/1024)
}

// measure waits for the child's metrics page, lets it run warmup, and
// measures CPU (from /proc), probes (the sum of counter on the page) and
// peak RSS over the window.
func measure(t *testing.T, c *child, side, url, counter string, targets int, warm time.Duration) figure {
	t.Helper()
	ctx := t.Context()
	if _, err := waitScrape(ctx, url, 2*time.Minute); err != nil {
		t.Fatalf("%s: %v\n%s", side, err, c.tail())
	}
	time.Sleep(warm)
	m0, err := scrape(ctx, url)
	if err != nil {
		t.Fatalf("%s: %v", side, err)
	}
	p0, err := sampleProc(c.cmd.Process.Pid)
	if err != nil {
		t.Fatalf("%s: %v", side, err)
	}
	time.Sleep(*window)
	m1, err := scrape(ctx, url)
	if err != nil {
		t.Fatalf("%s: %v\n%s", side, err, c.tail())
	}
	p1, err := sampleProc(c.cmd.Process.Pid)
	if err != nil {
		t.Fatalf("%s: %v", side, err)
	}
	if err, ok := c.exited(); ok {
		t.Fatalf("%s exited during the window: %v\n%s", side, err, c.tail())
	}
	return figure{side: side, targets: targets, window: p1.At.Sub(p0.At),
		probes: m1[counter] - m0[counter], cpu: p1.CPU - p0.CPU, hwm: p1.HWM}
}

// TestCompareGatus is the comparison of bench/README.md ("watch"): dbguard
// watch and Gatus probing the same loopback TCP targets at a 10 s
// interval, one after the other.
func TestCompareGatus(t *testing.T) {
	if !*compare {
		t.Skip("a benchmark: bench/watch/run.sh compare [--gatus PATH]")
	}
	raiseFileLimit(t)
	runDbguard := *only == "" || *only == "dbguard"
	runGatus := *gatus != "" && (*only == "" || *only == "gatus")
	if *only == "gatus" && *gatus == "" {
		t.Fatal("-only gatus needs -gatus PATH")
	}
	var bin string
	if runDbguard {
		bin = buildDbguard(t, t.TempDir())
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			t.Fatalf("-targets: %q is not a positive number", s)
		}
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			ports := acceptTargets(t, n)
			var d, g figure
			if runDbguard {
				d = runWatchTCP(t, bin, ports)
				fmt.Println(d)
			}
			if runGatus {
				g = runGatusTCP(t, *gatus, ports)
				fmt.Println(g)
			}
			if runDbguard && runGatus {
				cpu := float64(d.cpuPerProbe()) / float64(g.cpuPerProbe())
				mem := d.bytesPerTarget() / g.bytesPerTarget()
				fmt.Printf("dbguard/gatus at %d targets: CPU per probe %.2f, memory per target %.2f (goal: at most 0.20 each)\n", n, cpu, mem)
				if cpu > 0.2 || mem > 0.2 {
					t.Errorf("goal missed at %d targets: CPU per probe ratio %.2f, memory per target ratio %.2f", n, cpu, mem)
				}
			}
		})
	}
}

// runWatchTCP runs dbguard watch on one .env file per port, every profile
// limited to the dns and tcp stages, and measures it.
func runWatchTCP(t *testing.T, bin string, ports []int) figure {
	t.Helper()
	dir := t.TempDir()
	files := filepath.Join(dir, "targets", "production")
	if err := os.MkdirAll(files, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, p := range ports {
		line := fmt.Sprintf("DATABASE_URL=postgres://bench@%s/bench\n", net.JoinHostPort(targetHost, strconv.Itoa(p)))
		if err := os.WriteFile(filepath.Join(files, fmt.Sprintf("t%05d.env", i)), []byte(line), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	listen := freePorts(t, 2)
	metricsPort := listen[1]
	writeWatchConfig(t, dir, listen, 5*time.Second, `[{match: "**", stages: [dns, tcp]}]`)
	c := start(t, "dbguard", dir, watchCommand(bin, dir))
	return measure(t, c, "dbguard", fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort), "dbguard_probes_total", len(ports), *warmup)
}

// writeWatchConfig writes dir/dbguard.yaml with the watch: section the
// benchmarks run (docs/config.md), watching dir/targets, listening on
// ports[0] and serving metrics on ports[1]; profiles, when not empty, is
// the section's profiles: list.
func writeWatchConfig(t testing.TB, dir string, ports []int, timeout time.Duration, profiles string) {
	t.Helper()
	cfg := fmt.Sprintf(`version: 1
watch:
  listen: 127.0.0.1:%d
  metrics_listen: 127.0.0.1:%d
  interval: %s
  timeout: %s
  retries: 1
  concurrency: %d
  sources: [{paths: [targets/], environments: [production]}]
`, ports[0], ports[1], interval, timeout, concurrency)
	if profiles != "" {
		cfg += "  profiles: " + profiles + "\n"
	}
	if err := os.WriteFile(filepath.Join(dir, "dbguard.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
}

// watchCommand runs dbguard watch in dir with its store, key and state in
// dir: nothing of the user's home is read or written.
func watchCommand(bin, dir string) *exec.Cmd {
	cmd := exec.Command(bin, "watch", "--config", filepath.Join(dir, "dbguard.yaml"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_STATE_HOME="+filepath.Join(dir, "state"), "XDG_CONFIG_HOME="+filepath.Join(dir, "config"))
	return cmd
}

// runGatusTCP runs Gatus with one tcp:// endpoint per port, its memory
// store, its metrics on, the same interval, timeout and concurrency as
// watch, and measures it. Gatus counts its probes in gatus_results_total.
func runGatusTCP(t *testing.T, bin string, ports []int) figure {
	t.Helper()
	dir := t.TempDir()
	webPort := freePorts(t, 1)[0]
	var b strings.Builder
	fmt.Fprintf(&b, "metrics: true\nconcurrency: %d\nstorage:\n  type: memory\nweb:\n  address: 127.0.0.1\n  port: %d\nendpoints:\n", concurrency, webPort)
	for i, p := range ports {
		fmt.Fprintf(&b, "  - name: t%05d\n    url: \"tcp://%s:%d\"\n    interval: %s\n    client: {timeout: 5s}\n    conditions: [\"[CONNECTED] == true\"]\n", i, targetHost, p, interval)
	}
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GATUS_CONFIG_PATH="+cfg, "GATUS_LOG_LEVEL=WARN")
	c := start(t, "gatus", dir, cmd)
	return measure(t, c, "gatus", fmt.Sprintf("http://127.0.0.1:%d/metrics", webPort), "gatus_results_total", len(ports), max(*gatusWarmup, *warmup))
}
