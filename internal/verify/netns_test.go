//go:build linux

package verify_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/testenv"
	"github.com/dbguard/dbguard/internal/verify"
)

// netns creates a network namespace of the test's own, named
// dbguard-test-XXXXXXXX, with its loopback up and one route made
// unreachable, and deletes it when the test ends. The namespace has no
// interface but its loopback: no packet can leave it, whatever address a
// probe inside it dials.
func netns(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		missingTool(t, "creating a network namespace needs root")
	}
	ip, err := exec.LookPath("ip")
	if err != nil {
		for _, p := range []string{"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip"} {
			if _, serr := os.Stat(p); serr == nil {
				ip, err = p, nil
				break
			}
		}
	}
	if err != nil {
		missingTool(t, "no `ip` binary (Debian: apt-get install iproute2)")
	}
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	name := "dbguard-test-" + hex.EncodeToString(b)
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(ip, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("netns", "add", name)
	t.Cleanup(func() {
		if out, err := exec.Command(ip, "netns", "delete", name).CombinedOutput(); err != nil {
			t.Errorf("delete network namespace %s: %v\n%s", name, err, out)
		}
		if _, err := os.Stat("/run/netns/" + name); err == nil {
			t.Errorf("network namespace %s still exists after delete", name)
		}
	})
	run("-n", name, "link", "set", "lo", "up")
	run("-n", name, "route", "add", "unreachable", "198.51.100.0/24")
	// Nothing but the loopback: the guarantee that no traffic leaves.
	for _, line := range strings.Split(strings.TrimSpace(run("-n", name, "-o", "link", "show")), "\n") {
		if f := strings.Fields(line); len(f) < 2 || f[1] != "lo:" {
			t.Fatalf("namespace %s has an interface besides lo: %s", name, line)
		}
	}
	return name
}

// missingTool skips, or fails when the run requires every dependency.
func missingTool(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv(testenv.EnvRequire) == "1" {
		t.Fatal(msg + " (" + testenv.EnvRequire + "=1 makes this a failure)")
	}
	t.Skip(msg + ": tcp_unreachable is not produced")
}

// inNetns runs fn on an OS thread that has entered the namespace. The
// thread stays locked and ends with its goroutine, so no other goroutine
// ever runs in the namespace; the Go runtime starts new threads from its
// template thread, not from a locked one, so none inherits it either.
func inNetns(t *testing.T, name string, fn func()) {
	t.Helper()
	sysSetns, ok := setnsNumber()
	if !ok {
		missingTool(t, "no setns system call number known for "+runtime.GOARCH)
	}
	f, err := os.Open("/run/netns/" + name)
	if err != nil {
		t.Fatalf("open network namespace: %v", err)
	}
	defer f.Close()
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
		if _, _, errno := syscall.RawSyscall(sysSetns, f.Fd(), syscall.CLONE_NEWNET, 0); errno != 0 {
			done <- errno
			return
		}
		fn()
		done <- nil
	}()
	if err := <-done; err != nil {
		t.Fatalf("enter network namespace %s: %v", name, err)
	}
}

// setnsNumber is setns(2)'s number: the syscall package predates it and
// golang.org/x/sys is not worth a dependency for one test.
func setnsNumber() (uintptr, bool) {
	switch runtime.GOARCH {
	case "amd64":
		return 308, true
	case "arm64", "riscv64", "loong64":
		return 268, true
	case "386":
		return 346, true
	case "arm":
		return 375, true
	case "ppc64", "ppc64le":
		return 350, true
	case "s390x":
		return 339, true
	}
	return 0, false
}

// TestTCPUnreachableInNetworkNamespace produces tcp_unreachable for real:
// inside a namespace of its own, a route of type unreachable answers the
// connect with EHOSTUNREACH, and an address no route covers with
// ENETUNREACH, both before any packet is sent.
func TestTCPUnreachableInNetworkNamespace(t *testing.T) {
	ns := netns(t)
	base := conn{driver: "postgres", port: 5432, db: "x", user: "u", pw: "canary-pw", tls: "disable"}
	cases := []struct {
		name, host, code string
	}{
		{"unreachable route", "198.51.100.7", "EHOSTUNREACH"},
		{"no route at all", "192.0.2.7", "ENETUNREACH"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			c.host = tc.host
			var r verify.Result
			start := time.Now()
			inNetns(t, ns, func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				r = newProber(verify.Options{StageTimeout: 3 * time.Second}).Probe(ctx, c.profile(), verify.ResolveOptions{})
			})
			expect(t, r, false, verify.ClassTCPUnreachable, verify.StageTCP)
			if a := r.Final(); a.Code != tc.code {
				t.Errorf("code %q, want %q", a.Code, tc.code)
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %v: an unreachable route answers at once, a timeout would mean packets went out", took)
			}
		})
	}
}
