package demo_test

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/testenv"
)

// closing is the demo's last line: its wall time, the server's port and
// its folder.
var closing = regexp.MustCompile(`demo finished in ([0-9.]+)s .*127\.0\.0\.1:([0-9]+) stopped, folder (\S+) removed`)

// TestBinaryTwiceLeavesNothing builds cmd/dbguard and runs `dbguard demo`
// twice in a row, then once more interrupted (SIGINT, as Ctrl-C sends) as
// soon as its PostgreSQL is up: each run leaves no process of its folder,
// no listening port and no folder behind, and the two complete runs take
// under 60 s each by their own clock.
func TestBinaryTwiceLeavesNothing(t *testing.T) {
	bin := testenv.PGBin(t)
	tmp := t.TempDir()
	if os.Geteuid() == 0 {
		// As root the server runs as user postgres, which must pass
		// through the test's folders to the demo's.
		for _, d := range []string{filepath.Dir(tmp), tmp} {
			if err := os.Chmod(d, 0o711); err != nil {
				t.Fatal(err)
			}
		}
	}
	exe := filepath.Join(t.TempDir(), "dbguard")
	build := exec.Command("go", append(append([]string{"build"}, buildFlags...), "-o", exe, "./cmd/dbguard")...)
	build.Dir = testenv.ModuleRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	env := append(os.Environ(), "TMPDIR="+tmp, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	for run := 1; run <= 2; run++ {
		cmd := exec.Command(exe, "demo", "--quiet")
		cmd.Env = env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("run %d: %v\nstdout:\n%s\nstderr:\n%s", run, err, stdout.String(), stderr.String())
		}
		m := closing.FindStringSubmatch(stdout.String())
		if m == nil {
			t.Fatalf("run %d: no closing line in:\n%s", run, stdout.String())
		}
		secs, _ := strconv.ParseFloat(m[1], 64)
		t.Logf("run %d: %ss by its own clock", run, m[1])
		if secs >= 60 {
			t.Errorf("run %d took %.1fs, want under 60s", run, secs)
		}
		if filepath.Dir(m[3]) != tmp {
			t.Errorf("run %d: folder %s, want one in TMPDIR %s", run, m[3], tmp)
		}
		port, _ := strconv.Atoi(m[2])
		leftovers(t, tmp, port)
	}

	// Interrupted once its server is up.
	cmd := exec.Command(exe, "demo")
	cmd.Env = env
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	port := 0
	lines := bufio.NewScanner(out)
	started := regexp.MustCompile(`started a throwaway PostgreSQL on 127\.0\.0\.1:([0-9]+)`)
	for lines.Scan() {
		if m := started.FindStringSubmatch(lines.Text()); m != nil {
			port, _ = strconv.Atoi(m[1])
			break
		}
	}
	if port == 0 {
		_ = cmd.Wait()
		t.Fatalf("the demo never said its server was up; stderr:\n%s", stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	go func() {
		for lines.Scan() {
		}
	}()
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Errorf("interrupted demo: %v, want exit 2; stderr:\n%s", err, stderr.String())
	}
	leftovers(t, tmp, port)
}

// leftovers fails when anything of a demo remains: a file or folder in
// tmp, a process whose command line names tmp, a listener on port.
func leftovers(t *testing.T, tmp string, port int) {
	t.Helper()
	if entries, err := os.ReadDir(tmp); err != nil || len(entries) != 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("TMPDIR holds %v (%v), want nothing", names, err)
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(b, []byte(tmp)) {
			t.Errorf("process %s still runs: %s", filepath.Base(filepath.Dir(p)), strings.ReplaceAll(string(b), "\x00", " "))
		}
	}
	if c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second); err == nil {
		c.Close()
		t.Errorf("port %d still accepts connections", port)
	}
}
