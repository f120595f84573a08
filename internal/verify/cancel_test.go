package verify_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/testenv"
	"github.com/dbguard/dbguard/internal/verify"
)

// TestRunEndEndsAStageAtOnce: drivers get a context that is never canceled
// and are bounded by the connection's deadline; the end of the probe's
// context, by cancel (a signal) or by its deadline (--timeout), must still
// end a stage that waits on a silent server at once, and report the
// attempt as not verified with the context's cause, not as the server's
// timeout.
func TestRunEndEndsAStageAtOnce(t *testing.T) {
	pg := conn{driver: "postgres", host: "127.0.0.1", port: testenv.SilentListener(t).Port, db: "x", user: "u", pw: "pw", tls: "disable"}
	my := conn{driver: "mysql", host: "127.0.0.1", port: testenv.SilentListener(t).Port, db: "x", user: "u", pw: "pw"}
	pgTLS := pg
	pgTLS.tls = "require"
	ends := map[string]struct {
		ctx  func() (context.Context, context.CancelFunc)
		code string
		why  string
	}{
		"cancel": {func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancelCause(context.Background())
			time.AfterFunc(200*time.Millisecond, func() { cancel(errors.New("interrupt signal received")) })
			return ctx, func() { cancel(nil) }
		}, "canceled", "interrupt signal received"},
		"deadline": {func() (context.Context, context.CancelFunc) {
			return context.WithTimeoutCause(context.Background(), 200*time.Millisecond, errors.New("the run's deadline passed"))
		}, "deadline", "the run's deadline passed"},
	}
	for end, e := range ends {
		for name, c := range map[string]conn{"postgres auth": pg, "postgres tls": pgTLS, "mysql greeting": my} {
			t.Run(end+"/"+name, func(t *testing.T) {
				t.Parallel()
				ctx, cancel := e.ctx()
				defer cancel()
				start := time.Now()
				r := newProber(verify.Options{StageTimeout: 20 * time.Second}).Probe(ctx, c.profile(), verify.ResolveOptions{})
				took := time.Since(start)
				a := r.Final()
				if a == nil || a.OK || a.Class != verify.ClassNotVerified || a.Code != e.code || r.Verified() {
					t.Fatalf("result %+v, want not_verified with code %s", a, e.code)
				}
				if !strings.Contains(a.Detail, e.why) {
					t.Errorf("detail %q does not give the cause %q", a.Detail, e.why)
				}
				if took > 5*time.Second {
					t.Fatalf("the probe took %v after the run ended at 200ms", took)
				}
			})
		}
	}
}

// TestProbeAfterTheRunEnded: a probe begun after its context ended is not
// verified at the first stage that needs the network, whatever the
// address would have answered: a closed port is not reported refused, a
// working server is not reported ok.
func TestProbeAfterTheRunEnded(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	refused := conn{driver: "postgres", host: "127.0.0.1", port: testenv.ClosedPort(t), db: "x", user: "u", pw: "pw", tls: "disable"}
	r := newProber(verify.Options{}).Probe(ctx, refused.profile(), verify.ResolveOptions{})
	if a := r.Final(); a == nil || a.Class != verify.ClassNotVerified || a.Stage != verify.StageTCP || a.Code != "deadline" || r.Verified() || r.OK() {
		t.Fatalf("got %+v, want not_verified at tcp with code deadline", a)
	}
}

// TestNotProbed: a profile the run never began is a result of its own,
// not verified, with the profile's written host and the context's cause.
func TestNotProbed(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("interrupt signal received"))
	c := conn{driver: "postgres", host: "db.internal", port: 6432, db: "x", user: "u", pw: "pw"}
	r := verify.NotProbed(ctx, c.profile())
	a := r.Final()
	if a == nil || r.OK() || r.Verified() || a.Class != verify.ClassNotVerified || a.Code != "canceled" || a.Stage != verify.StageConfig {
		t.Fatalf("got %+v", a)
	}
	if r.Profile != "test.yaml#db" || r.Driver != "postgres" || a.Host != "db.internal" || a.Port != 6432 || r.Tries != 0 {
		t.Errorf("result %+v does not describe the profile", r)
	}
	if !strings.Contains(a.Detail, "interrupt signal received") {
		t.Errorf("detail %q does not give the cause", a.Detail)
	}
	for _, s := range a.Stages {
		if s.Status != verify.StatusSkip {
			t.Errorf("stage %s is %s in a profile never probed", s.Stage, s.Status)
		}
	}
	if _, ok := verify.Info(verify.ClassNotVerified); !ok {
		t.Error("not_verified is not in the taxonomy")
	}
}
