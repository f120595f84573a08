package verify_test

import (
	"context"
	"net"
	"os"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/testenv"
	"github.com/dbguard/dbguard/internal/verify"
	"github.com/dbguard/dbguard/internal/verify/postgres"
)

// tcpOnly returns a prober that stops after the tcp stage: with dial nil
// it connects the lean way (reach), otherwise with dial.
func tcpOnly(timeout time.Duration, dial func(context.Context, string, string) (net.Conn, error)) *verify.Prober {
	return verify.NewProber(verify.Options{Drivers: map[string]verify.Driver{"postgres": postgres.New()},
		StageTimeout: timeout, LastStage: verify.StageTCP, Dial: dial})
}

// A probe that stops at tcp connects without a net.Conn; it must answer
// exactly as one made with a net.Dialer: the same stage, class and code for
// a listening port, a refused one and a blackholed one (full backlog), on
// IPv4 and IPv6 loopback.
func TestReachAnswersAsTheDialer(t *testing.T) {
	t.Parallel()
	const timeout = 400 * time.Millisecond
	lean := tcpOnly(timeout, nil)
	dialer := tcpOnly(timeout, (&net.Dialer{KeepAlive: -1}).DialContext)
	cases := []struct {
		name, host string
		port       int
		class      verify.Class
	}{
		{"listening", "127.0.0.1", testenv.SilentListener(t).Port, ""},
		{"refused", "127.0.0.1", testenv.ClosedPort(t), verify.ClassTCPRefused},
		{"blackholed", "127.0.0.1", testenv.FullBacklogPort(t), verify.ClassTCPTimeout},
	}
	if l, err := net.Listen("tcp6", "[::1]:0"); err == nil {
		t.Cleanup(func() { l.Close() })
		cases = append(cases, struct {
			name, host string
			port       int
			class      verify.Class
		}{"listening IPv6", "::1", l.Addr().(*net.TCPAddr).Port, ""})
	} else {
		t.Logf("no IPv6 loopback here (%v): IPv6 not compared", err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			prof := conn{driver: "postgres", host: c.host, port: c.port, user: "u", pw: "p"}.profile()
			begin := time.Now()
			got := lean.Probe(context.Background(), prof, verify.ResolveOptions{})
			took := time.Since(begin)
			want := dialer.Probe(context.Background(), prof, verify.ResolveOptions{})
			g, w := got.Final(), want.Final()
			if got.OK() != want.OK() || g.Stage != w.Stage || g.Class != w.Class || g.Code != w.Code {
				t.Fatalf("lean: ok=%v %s/%s/%s, dialer: ok=%v %s/%s/%s", got.OK(), g.Stage, g.Class, g.Code, want.OK(), w.Stage, w.Class, w.Code)
			}
			if g.Class != c.class || got.OK() != (c.class == "") {
				t.Fatalf("ok=%v class %q, want class %q", got.OK(), g.Class, c.class)
			}
			if c.class == verify.ClassTCPTimeout && (took < timeout || took > timeout+2*time.Second) {
				t.Errorf("blackholed: answered in %v, want the stage timeout %v", took, timeout)
			}
		})
	}
}

// A lean connect waiting on a blackholed port ends as soon as the run is
// canceled, as the dialer's does, and reports it as canceled, not as a
// timeout of the target.
func TestReachEndsWithTheRun(t *testing.T) {
	t.Parallel()
	p := tcpOnly(5*time.Second, nil)
	prof := conn{driver: "postgres", host: "127.0.0.1", port: testenv.FullBacklogPort(t), user: "u", pw: "p"}.profile()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	begin := time.Now()
	r := p.Probe(ctx, prof, verify.ResolveOptions{})
	if took := time.Since(begin); took > 2*time.Second {
		t.Fatalf("probe ended %v after start, want soon after the cancel at 200ms", took)
	}
	if a := r.Final(); a.Class == verify.ClassTCPTimeout || r.OK() {
		t.Fatalf("canceled probe: ok=%v class %s code %s, want no verdict on the target", r.OK(), a.Class, a.Code)
	}
}

// Lean connects leave no descriptor behind, whether they connected, were
// refused or waited out a timeout.
func TestReachLeaksNoDescriptor(t *testing.T) {
	p := tcpOnly(100*time.Millisecond, nil)
	// AcceptAndClose: no server-side descriptor stays open to be counted.
	ports := []int{testenv.AcceptAndClose(t, "127.0.0.1"), testenv.ClosedPort(t), testenv.FullBacklogPort(t)}
	fds := func() int {
		es, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skipf("no /proc/self/fd here: %v", err)
		}
		return len(es)
	}
	probe := func() {
		for _, port := range ports {
			p.Probe(context.Background(), conn{driver: "postgres", host: "127.0.0.1", port: port, user: "u", pw: "p"}.profile(), verify.ResolveOptions{})
		}
	}
	probe() // the poller's own descriptors, made once
	before := fds()
	for range 20 {
		probe()
	}
	after := fds()
	for deadline := time.Now().Add(2 * time.Second); after > before && time.Now().Before(deadline); after = fds() {
		time.Sleep(20 * time.Millisecond) // the listener's last accept and close
	}
	if after > before {
		t.Fatalf("open descriptors: %d before 60 probes, %d after", before, after)
	}
}
