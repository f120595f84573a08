package watch_bench

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/testenv"
)

var dbguardBin = flag.String("dbguard", "", "a dbguard binary to measure instead of one built from this checkout")

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat:
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// procSample is what /proc says of a process at one moment.
type procSample struct {
	At  time.Time
	CPU time.Duration // utime + stime
	HWM int64         // peak resident set (VmHWM), bytes
	RSS int64         // resident set now (VmRSS), bytes
}

// sampleProc reads a process's CPU time and memory from /proc.
func sampleProc(pid int) (procSample, error) {
	s := procSample{At: time.Now()}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, fmt.Errorf("read stat: %w", err)
	}
	// The command name may hold spaces and parentheses: fields are
	// counted after its closing parenthesis; utime and stime are fields
	// 14 and 15 of the line, 12 and 13 after the name.
	rest := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	if len(rest) < 13 {
		return s, fmt.Errorf("parse stat of %d: %d fields", pid, len(rest))
	}
	utime, err1 := strconv.ParseInt(rest[11], 10, 64)
	stime, err2 := strconv.ParseInt(rest[12], 10, 64)
	if err1 != nil || err2 != nil {
		return s, fmt.Errorf("parse stat of %d: utime %q, stime %q", pid, rest[11], rest[12])
	}
	s.CPU = time.Duration(utime+stime) * time.Second / clockTicks
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, fmt.Errorf("read status: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmHWM" && k != "VmRSS") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return s, fmt.Errorf("parse %s of %d: %w", k, pid, err)
		}
		if k == "VmHWM" {
			s.HWM = kb * 1024
		} else {
			s.RSS = kb * 1024
		}
	}
	return s, sc.Err()
}

// scrape fetches a Prometheus text page and returns, for each metric
// name, the sum of its samples. Enough for counters and gauges whose label
// values hold no spaces, which is what these benchmarks read.
func scrape(ctx context.Context, url string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scrape: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scrape %s: %s", url, resp.Status)
	}
	sums := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name := line[:strings.IndexAny(line+" ", "{ ")]
		fields := strings.Fields(line[strings.LastIndexByte(line, '}')+1:])
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err != nil {
			// a timestamp after the value: take the value
			if len(fields) < 2 {
				continue
			}
			if v, err = strconv.ParseFloat(fields[len(fields)-2], 64); err != nil {
				continue
			}
		}
		sums[name] += v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("scrape %s: %w", url, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return sums, nil
}

// waitScrape scrapes url until it answers or d has passed.
func waitScrape(ctx context.Context, url string, d time.Duration) (map[string]float64, error) {
	deadline := time.Now().Add(d)
	for {
		m, err := scrape(ctx, url)
		if err == nil {
			return m, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("no metrics after %s: %w", d, err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// freePorts returns n distinct loopback ports free now, for a child's
// listen addresses. The listeners are held until all n are picked, so the
// kernel cannot hand the same port out twice.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, n)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports
}

// targetHost is the loopback address the targets listen on. Not
// 127.0.0.1: each probe's closed connection waits out TIME_WAIT (60 s) on
// a 127.0.0.1 port, and at 10,000 targets those, with another benchmark's
// running beside, used up the ports a listener on 127.0.0.1 could bind
// ("bind: address already in use" at the 8,893rd). A listener on
// 127.0.0.2 shares no port with them. Both sides probe the same targets.
const targetHost = "127.0.0.2"

// acceptTargets opens n listeners on targetHost that accept each
// connection and close it at once, and returns their ports.
func acceptTargets(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, n)
	for i := range ports {
		ports[i] = testenv.AcceptAndClose(t, targetHost)
	}
	return ports
}

// raiseFileLimit lifts the soft limit on open files to the hard one: 10,000
// listeners need more than the usual 1,024, and the children inherit it.
func raiseFileLimit(t testing.TB) {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
}

// buildDbguard builds cmd/dbguard into dir and returns its path, or
// returns the -dbguard binary when one is given.
func buildDbguard(t testing.TB, dir string) string {
	t.Helper()
	if *dbguardBin != "" {
		return *dbguardBin
	}
	bin := filepath.Join(dir, "dbguard")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/dbguard")
	cmd.Dir = testenv.ModuleRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/dbguard: %v\n%s", err, out)
	}
	return bin
}

// child is a process under measurement.
type child struct {
	name string
	cmd  *exec.Cmd
	log  *os.File
	done chan error
}

// start runs cmd with its output in dir/NAME.log, stopped (SIGTERM, then
// SIGKILL after 10 s) when the test ends.
func start(t testing.TB, name, dir string, cmd *exec.Cmd) *child {
	t.Helper()
	log, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	c := &child{name: name, cmd: cmd, log: log, done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait() }()
	t.Cleanup(c.stop)
	return c
}

// exited says whether the child has ended, and how.
func (c *child) exited() (error, bool) {
	select {
	case err := <-c.done:
		c.done <- err
		return err, true
	default:
		return nil, false
	}
}

// stop ends the child: SIGTERM, and SIGKILL if it is still running 10 s
// later.
func (c *child) stop() {
	if _, ok := c.exited(); !ok {
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
			_ = c.cmd.Process.Kill()
			<-c.done
		}
	}
	c.log.Close()
}

// tail returns the last lines of the child's log, for a failure message.
func (c *child) tail() string {
	data, _ := os.ReadFile(c.log.Name())
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.Join(lines, "\n")
}
