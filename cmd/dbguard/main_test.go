//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests here run the built binary: what they check — a signal ending
// the process, a FIFO not hanging it, a folder that cannot be listed by an
// unprivileged user — belongs to the process, not to cli.Run.

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// dbguardBinary builds the command once, into a folder any user may run
// it from (the unreadable-folder test runs it as nobody).
func dbguardBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "dbguard-bin-")
		if err != nil {
			buildErr = err
			return
		}
		if err := os.Chmod(dir, 0o755); err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "dbguard")
		out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary != "" {
		os.RemoveAll(filepath.Dir(binary))
	}
	os.Exit(code)
}

// run runs the binary to its end, failing the test if that takes a
// second or more.
func run(t *testing.T, cmd *exec.Cmd) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return exitCode(t, err), out.String(), errb.String()
	case <-time.After(time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%v still running after 1s; stderr:\n%s", cmd.Args, errb.String())
	}
	return 0, "", ""
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	t.Fatal(err)
	return 0
}

// TestScanFIFO: a FIFO named on the command line is refused at once (it
// used to hang forever, past SIGINT and SIGTERM), and being the
// only input, leaves nothing readable: exit 2. Beside a readable file it
// is one unreadable input: exit 1. The same for a device.
func TestScanFIFO(t *testing.T) {
	bin := dbguardBinary(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "f.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte("database:\n  host: db\n  user: app\n  password: ${P}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		code int // -1: any
		msg  string
	}{
		{[]string{"scan", fifo}, 2, fifo + ":1:1: input-unreadable: a named pipe (FIFO), not a regular file"},
		{[]string{"scan", fifo, good}, 1, fifo + ":1:1: input-unreadable: a named pipe (FIFO), not a regular file"},
		{[]string{"check", fifo}, 2, "named pipe"},
		{[]string{"verify", fifo}, 2, "named pipe"},
		{[]string{"diff", fifo, good}, -1, "named pipe"}, // diff's code is its own matter
		{[]string{"scan", "/dev/zero"}, 2, "/dev/zero:1:1: input-unreadable: a character device, not a regular file"},
		{[]string{"scan", "--config", fifo, good}, 2, "read config: " + fifo + " is a named pipe (FIFO)"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := run(t, exec.Command(bin, append([]string{tt.args[0], "--no-config"}, tt.args[1:]...)...))
			if tt.args[1] == "--config" {
				code, stdout, stderr = run(t, exec.Command(bin, tt.args...))
			}
			if tt.code >= 0 && code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, stdout, stderr)
			}
			if !strings.Contains(stdout+stderr, tt.msg) {
				t.Errorf("output does not say %q:\n%s%s", tt.msg, stdout, stderr)
			}
		})
	}
}

// TestSignalEndsCommand: SIGINT and SIGTERM end a command within a second,
// whatever it is waiting on: verify on a server that accepts and never
// answers, scan and check reading a standard input nobody closes.
func TestSignalEndsCommand(t *testing.T) {
	bin := dbguardBinary(t)
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open and silent until the test ends
			accepted <- struct{}{}
		}
	}()
	env := filepath.Join(dir, "app.env")
	dsn := fmt.Sprintf("DATABASE_URL=postgres://app:pw@%s/app?connect_timeout=60\n", ln.Addr())
	if err := os.WriteFile(env, []byte(dsn), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		sig  syscall.Signal
		// ready is closed or sent on when the command is surely waiting.
		ready <-chan struct{}
	}{
		{"verify SIGTERM", []string{"verify", "--no-config", "--timeout", "1m", "--stage-timeout", "1m", env}, syscall.SIGTERM, accepted},
		{"verify SIGINT", []string{"verify", "--no-config", "--timeout", "1m", "--stage-timeout", "1m", env}, syscall.SIGINT, accepted},
		{"scan - SIGINT", []string{"scan", "--no-config", "-"}, syscall.SIGINT, nil},
		{"check - SIGTERM", []string{"check", "--no-config", "-"}, syscall.SIGTERM, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin, tt.args...)
			// Standard input: a pipe whose writer stays open.
			pr, pw, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer pw.Close()
			cmd.Stdin = pr
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			pr.Close()
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			if tt.ready != nil {
				select {
				case <-tt.ready:
				case err := <-done:
					t.Fatalf("ended before it reached the server: %v\n%s", err, stderr.String())
				case <-time.After(10 * time.Second):
					t.Fatal("never connected to the silent server")
				}
			}
			// Let it settle into its wait.
			time.Sleep(200 * time.Millisecond)
			select {
			case err := <-done:
				t.Fatalf("ended before the signal: %v\n%s", err, stderr.String())
			default:
			}
			sent := time.Now()
			if err := cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				took := time.Since(sent)
				code := exitCode(t, err)
				t.Logf("ended %v after %v with exit %d: %s", tt.sig, took.Round(time.Millisecond), code, strings.TrimSpace(stderr.String()))
				if code == 0 {
					t.Errorf("exit 0 after %v: an interrupted command must not pass", tt.sig)
				}
				// Each command words it its own way (verify counts what it
				// did not verify); each must say why it stopped.
				if e := stderr.String(); !strings.Contains(e, "interrupted") && !strings.Contains(e, "signal received") {
					t.Errorf("stderr does not say it was interrupted:\n%s", e)
				}
			case <-time.After(time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("still running 1s after %v\n%s", tt.sig, stderr.String())
			}
		})
	}
}

// TestRunStoppableGivesUp: a command that does not return when the
// context ends (a system call nothing can interrupt) is given up on
// stopGrace later, with exit 2 and a word on stderr; one that returns in
// time keeps its own exit code.
func TestRunStoppableGivesUp(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	block := make(chan struct{})
	defer close(block)
	var stderr bytes.Buffer
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	code := runStoppable(ctx, func() int { <-block; return 0 }, &stderr)
	took := time.Since(start)
	if code != 2 || took < stopGrace || took > stopGrace+500*time.Millisecond {
		t.Errorf("exit %d after %v, want 2 after about %v", code, took, stopGrace+50*time.Millisecond)
	}
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr = %q, want it to say interrupted", stderr.String())
	}

	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if code := runStoppable(ctx, func() int { time.Sleep(20 * time.Millisecond); return 1 }, &stderr); code != 1 {
		t.Errorf("a command ending in time after the signal: exit %d, want its own 1", code)
	}
}

// TestUnreadableFolderName: a folder named on the command line that cannot
// be listed is reported under a name that says which (it was ".", for cd
// unreadable && dbguard scan .). Root lists any folder, so as root the
// binary runs as nobody.
func TestUnreadableFolderName(t *testing.T) {
	bin := dbguardBinary(t)
	base, err := os.MkdirTemp("", "dbguard-unreadable-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		os.Chmod(filepath.Join(base, "locked"), 0o755)
		os.RemoveAll(base)
	})
	locked := filepath.Join(base, "locked")
	if err := os.Mkdir(locked, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(locked, "app.yaml"), []byte("database:\n  host: db\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Searchable (one can cd into it) but not readable (nobody can list it).
	if err := os.Chmod(locked, 0o311); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		dir, arg, name string
	}{
		{locked, ".", locked},
		{base, "locked", "locked"},
		{base, "./locked/", "locked"},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			cmd := exec.Command(bin, "scan", "--no-config", tt.arg)
			cmd.Dir = tt.dir
			if os.Geteuid() == 0 {
				cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
			}
			code, stdout, stderr := run(t, cmd)
			want := tt.name + ":1:1: input-unreadable: cannot read file: permission denied"
			if code != 2 || !strings.Contains(stderr, want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and %q\n%s", code, stderr, want, stdout)
			}
		})
	}
}
