package verify_test

import (
	"context"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/verify"
)

// TestCancelEndsAStageAtOnce: drivers get a context that is never
// canceled and are bounded by the connection's deadline; canceling the
// probe's context must still end a stage that waits on a silent server at
// once, and report the attempt as canceled, not as the server's timeout.
func TestCancelEndsAStageAtOnce(t *testing.T) {
	pg := conn{driver: "postgres", host: "127.0.0.1", port: silentPort(t), db: "x", user: "u", pw: "pw", tls: "disable"}
	my := conn{driver: "mysql", host: "127.0.0.1", port: silentPort(t), db: "x", user: "u", pw: "pw"}
	pgTLS := pg
	pgTLS.tls = "require"
	for name, c := range map[string]conn{"postgres auth": pg, "postgres tls": pgTLS, "mysql greeting": my} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(200*time.Millisecond, cancel)
			start := time.Now()
			r := newProber(verify.Options{StageTimeout: 20 * time.Second}).Probe(ctx, c.profile(), verify.ResolveOptions{})
			took := time.Since(start)
			a := r.Final()
			if a == nil || a.OK || a.Code != "canceled" {
				t.Fatalf("result %+v, want a failure with code canceled", a)
			}
			if took > 5*time.Second {
				t.Fatalf("the probe took %v after a cancel at 200ms", took)
			}
		})
	}
}
