package verify_test

import (
	"context"
	"net"
	"testing"

	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/testenv"
	"github.com/dbguard/dbguard/internal/verify"
)

// BenchmarkRunTCPOnly is watch's hot path: a fleet run of TCP-only probes
// (LastStage tcp, watch's stages: [dns, tcp]) against a loopback listener
// that accepts and closes, one small batch at a time as watch launches
// them. Its allocations are what watch pays per probe besides the dial.
func BenchmarkRunTCPOnly(b *testing.B) {
	addr := testenv.Serve(b, func(c net.Conn) { _ = c.Close() })
	profs := make([]*profile.Profile, 4)
	for i := range profs {
		profs[i] = conn{driver: "postgres", host: "127.0.0.1", port: addr.Port, user: "bench"}.profile()
	}
	p := newProber(verify.Options{LastStage: verify.StageTCP})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res, err := p.Run(ctx, profs, verify.RunOptions{Workers: 2, Retries: 1, OnResult: func(int, verify.Result) {}})
		if err != nil || !res[0].OK() {
			b.Fatalf("probe failed: %v %+v", err, res[0].Final())
		}
	}
}
