package verify_test

import (
	"context"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/testenv"
	"github.com/dbguard/dbguard/internal/verify"
	"github.com/dbguard/dbguard/internal/verify/postgres"
)

// A probe that stops after tcp succeeds against a listener that never
// speaks PostgreSQL, skips the rest as not requested, and still fails a
// refused port at tcp.
func TestLastStageTCP(t *testing.T) {
	t.Parallel()
	p := verify.NewProber(verify.Options{Drivers: map[string]verify.Driver{"postgres": postgres.New()},
		StageTimeout: 2 * time.Second, LastStage: verify.StageTCP})
	silent := testenv.SilentListener(t)
	r := p.Probe(context.Background(), conn{driver: "postgres", host: "127.0.0.1", port: silent.Port, user: "u", pw: "p"}.profile(), verify.ResolveOptions{})
	if !r.OK() {
		t.Fatalf("probe of a listening port failed: %+v", r.Final())
	}
	for _, s := range r.Final().Stages {
		switch s.Stage {
		case verify.StageConfig, verify.StageDNS, verify.StageTCP:
			if s.Status != verify.StatusOK {
				t.Errorf("stage %s: %s, want ok", s.Stage, s.Status)
			}
		default:
			if s.Status != verify.StatusSkip || s.Note != "not requested" {
				t.Errorf("stage %s: %s %q, want skip \"not requested\"", s.Stage, s.Status, s.Note)
			}
		}
	}
	r = p.Probe(context.Background(), conn{driver: "postgres", host: "127.0.0.1", port: testenv.ClosedPort(t), user: "u", pw: "p"}.profile(), verify.ResolveOptions{})
	if a := r.Final(); r.OK() || a.Class != verify.ClassTCPRefused {
		t.Fatalf("closed port: ok=%v class=%s, want tcp_refused", r.OK(), a.Class)
	}
}
