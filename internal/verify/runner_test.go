package verify_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/testenv"
	"github.com/dbguard/dbguard/internal/verify"
)

// fakeDriver stands in for a wire protocol, not for a database: it speaks
// nothing on the connection the core dialled (a real loopback listener)
// and answers each login with what the test scripted for that user. It
// lets the runner's own behaviour — order, bounded workers, retries,
// callbacks, cancellation — be tested apart from any server's timing.
type fakeDriver struct {
	// login answers a user's login: nil for success, else the error.
	login func(user string) error
	// hold makes every login wait this long (or until ctx ends).
	hold time.Duration
	// inFlight and peak count concurrent logins.
	inFlight, peak atomic.Int32
}

func (d *fakeDriver) Name() string     { return "fake" }
func (d *fakeDriver) DefaultPort() int { return 1 }
func (d *fakeDriver) NegotiateTLS(context.Context, net.Conn) (verify.TLSOffer, error) {
	return verify.TLSOffer{}, nil
}

func (d *fakeDriver) Connect(ctx context.Context, conn net.Conn, req verify.ConnectRequest) (verify.Session, error) {
	n := d.inFlight.Add(1)
	defer d.inFlight.Add(-1)
	for {
		p := d.peak.Load()
		if n <= p || d.peak.CompareAndSwap(p, n) {
			break
		}
	}
	if d.hold > 0 {
		// The core moves conn's deadline to the past when the probe is
		// cancelled: a read wakes up then, as a real driver's would.
		start := time.Now()
		_ = conn.SetReadDeadline(start.Add(d.hold))
		if _, err := conn.Read(make([]byte, 1)); err != nil && time.Since(start) < d.hold {
			return nil, err
		}
	}
	if err := d.login(req.User); err != nil {
		return nil, err
	}
	return fakeSession{}, nil
}

type fakeSession struct{}

func (fakeSession) Query(context.Context, string, time.Duration) (verify.QueryInfo, error) {
	return verify.QueryInfo{}, nil
}
func (fakeSession) ReadOnly(context.Context) (bool, error) { return false, nil }
func (fakeSession) WriteCheck(context.Context, string, time.Duration) error {
	return nil
}
func (fakeSession) Capacity(context.Context) (verify.Capacity, error) {
	return verify.Capacity{}, errors.New("no capacity")
}
func (fakeSession) Close(context.Context) error { return nil }

var _ verify.Driver = (*fakeDriver)(nil)

// acceptor is a loopback listener that accepts every connection and holds
// it open until the test ends.
func acceptor(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}

func fakeProfile(i, port int, user string) *profile.Profile {
	loc := profile.Location{File: "fleet.yaml", Line: i + 1, Column: 1}
	p := &profile.Profile{ID: fmt.Sprintf("fleet.yaml#db%d", i), File: "fleet.yaml", Name: fmt.Sprintf("db%d", i), Environment: profile.Test}
	p.Driver = profile.V("fake", loc)
	p.Hosts = []profile.Host{{Host: profile.V("127.0.0.1", loc), Port: profile.V(strconv.Itoa(port), loc)}}
	p.User = profile.V(user, loc)
	p.Password = profile.Password{Secret: profile.NewSecret("pw"), Set: true, Known: true, Source: "literal"}
	p.TLS.Mode = profile.V("disable", loc)
	return p
}

func fakeProber(d *fakeDriver, dial func(context.Context, string, string) (net.Conn, error)) *verify.Prober {
	return verify.NewProber(verify.Options{Drivers: map[string]verify.Driver{"fake": d}, Resolver: noResolver{},
		StageTimeout: 5 * time.Second, SkipCapacity: true, Dial: dial})
}

// Results come back one per target in the targets' order, each with its
// start time and key; OnStart and OnResult see every target once; no more
// than Workers probes are in flight.
func TestRunOrderCallbacksWorkers(t *testing.T) {
	t.Parallel()
	port := acceptor(t)
	d := &fakeDriver{login: func(user string) error {
		if user == "bad" {
			return &verify.ServerError{System: verify.SystemSQLState, Code: "28P01", Message: "password authentication failed"}
		}
		return nil
	}, hold: 20 * time.Millisecond}
	var targets []*profile.Profile
	for i := 0; i < 12; i++ {
		user := "app"
		if i%4 == 3 {
			user = "bad"
		}
		targets = append(targets, fakeProfile(i, port, user))
	}
	var dials atomic.Int32
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	started := -1
	seen := map[int]int{}
	before := time.Now()
	results, err := fakeProber(d, dial).Run(context.Background(), targets, verify.RunOptions{
		Workers:  3,
		OnStart:  func(n int) { started = n },
		OnResult: func(i int, _ verify.Result) { seen[i]++ },
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if started != 12 || len(seen) != 12 {
		t.Errorf("OnStart got %d, OnResult saw %d targets; want 12 and 12", started, len(seen))
	}
	for i, r := range results {
		if seen[i] != 1 {
			t.Errorf("OnResult called %d times for target %d", seen[i], i)
		}
		if r.Profile != targets[i].ID || r.Key != targets[i].ID {
			t.Errorf("result %d is %s (key %s), want %s", i, r.Profile, r.Key, targets[i].ID)
		}
		if r.Start.Before(before) || r.Start.After(time.Now()) {
			t.Errorf("result %d started at %v, outside the run", i, r.Start)
		}
		if want := i%4 != 3; r.OK() != want {
			t.Errorf("result %d ok=%v, want %v: %+v", i, r.OK(), want, r.Final())
		}
	}
	if p := d.peak.Load(); p > 3 || p < 2 {
		t.Errorf("%d logins in flight at most, want 2 or 3 with 3 workers", p)
	}
	// A rejected login is asked again over TLS, to tell a server that
	// requires TLS apart: 12 connections and one more per bad login.
	if n := dials.Load(); n != 15 {
		t.Errorf("the dial hook opened %d connections, want 15", n)
	}
}

// Retries follow Retryable: a refused port (tcp) is probed 1+Retries
// times, a rejected login once.
func TestRunRetriesOnlyWhatMaySucceed(t *testing.T) {
	t.Parallel()
	closed := testenv.ClosedPort(t) // held: no other process can take it
	port := acceptor(t)
	d := &fakeDriver{login: func(string) error {
		return &verify.ServerError{System: verify.SystemSQLState, Code: "28P01", Message: "password authentication failed"}
	}}
	targets := []*profile.Profile{fakeProfile(0, closed, "app"), fakeProfile(1, port, "app")}
	results, err := fakeProber(d, nil).Run(context.Background(), targets, verify.RunOptions{Retries: 3, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct {
		class verify.Class
		tries int
	}{{verify.ClassTCPRefused, 4}, {verify.ClassAuthFailed, 1}} {
		r := results[i]
		if a := r.Final(); a == nil || a.Class != want.class || r.Tries != want.tries {
			t.Errorf("target %d: %+v after %d tries, want %s after %d", i, a, r.Tries, want.class, want.tries)
		}
	}
}

// When the run's context ends, every target without an answer is in the
// results as not verified and the error is a *RunEndedError carrying the
// cause; none is left out, none is reported as the server's failure.
func TestRunEndedReportsEveryTarget(t *testing.T) {
	t.Parallel()
	port := acceptor(t)
	d := &fakeDriver{login: func(string) error { return nil }, hold: time.Minute}
	var targets []*profile.Profile
	for i := 0; i < 6; i++ {
		targets = append(targets, fakeProfile(i, port, "app"))
	}
	cause := errors.New("the test's deadline")
	ctx, cancel := context.WithTimeoutCause(context.Background(), 200*time.Millisecond, cause)
	defer cancel()
	begin := time.Now()
	results, err := fakeProber(d, nil).Run(ctx, targets, verify.RunOptions{Workers: 2})
	if took := time.Since(begin); took > 5*time.Second {
		t.Errorf("the run took %v after its deadline", took)
	}
	var ended *verify.RunEndedError
	if !errors.As(err, &ended) || ended.NotVerified != 6 || ended.Total != 6 || !errors.Is(err, cause) {
		t.Fatalf("error %v (%#v), want a RunEndedError of 6 of 6 with the cause", err, ended)
	}
	if len(results) != 6 {
		t.Fatalf("%d results, want 6", len(results))
	}
	for i, r := range results {
		if r.Verified() || r.Final() == nil || r.Final().Class != verify.ClassNotVerified {
			t.Errorf("result %d: %+v, want not verified", i, r.Final())
		}
	}
}

// Against the real servers: a fleet of good and bad profiles of the test
// PostgreSQL and MariaDB gets one verified answer each, in order.
func TestRunRealServers(t *testing.T) {
	pg := fromURL(t, testenv.PG(t))
	my := fromMySQL(t, testenv.MySQL(t))
	wrong := pg
	wrong.pw = "not-the-password"
	missing := pg
	missing.db = "no_such_database"
	targets := []*profile.Profile{pg.profile(), my.profile(), wrong.profile(), missing.profile()}
	for i, p := range targets {
		p.ID = fmt.Sprintf("fleet.yaml#db%d", i)
	}
	results, err := newProber(verify.Options{}).Run(context.Background(), targets, verify.RunOptions{Workers: 4, Retries: 2, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	want := []verify.Class{verify.ClassNone, verify.ClassNone, verify.ClassAuthFailed, verify.ClassDatabaseNotFound}
	for i, r := range results {
		a := r.Final()
		if a == nil || a.Class != want[i] || r.Profile != targets[i].ID || r.Tries != 1 {
			t.Errorf("target %d: %s %+v after %d tries, want class %q after 1", i, r.Profile, a, r.Tries, want[i])
		}
	}
}

// A streamed run hands every result to OnResult, keeps none, and still
// counts in its error the targets the run's end left without an answer.
func TestRunStream(t *testing.T) {
	t.Parallel()
	port := acceptor(t)
	d := &fakeDriver{login: func(string) error { return nil }}
	var targets []*profile.Profile
	for i := range 5 {
		targets = append(targets, fakeProfile(i, port, "app"))
	}
	got := map[int]bool{}
	res, err := fakeProber(d, nil).Run(context.Background(), targets, verify.RunOptions{Workers: 2, Stream: true,
		OnResult: func(i int, r verify.Result) { got[i] = r.OK() }})
	if err != nil || res != nil || len(got) != 5 {
		t.Fatalf("streamed run: %d results kept, %d streamed, error %v; want none kept, 5 streamed, no error", len(res), len(got), err)
	}
	for i, ok := range got {
		if !ok {
			t.Errorf("target %d: not ok", i)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	clear(got)
	res, err = fakeProber(d, nil).Run(ctx, targets, verify.RunOptions{Stream: true, OnResult: func(i int, r verify.Result) { got[i] = r.Verified() }})
	var ended *verify.RunEndedError
	if !errors.As(err, &ended) || ended.NotVerified != 5 || res != nil || len(got) != 5 {
		t.Fatalf("streamed run after its end: %v, %d kept, %d streamed; want 5 of 5 not verified, all streamed", err, len(res), len(got))
	}
}
