package testenv

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/pgserver"
)

// ThrowawayPG is a PostgreSQL of one test's own, on a free loopback port,
// for settings the shared test server must not have (ssl off, a trust line
// for 0.0.0.0/0, a small max_connections, a pg_hba line no client can
// satisfy). It is started with initdb and pg_ctl as user postgres (through
// runuser, so the test must run as root) and stopped when the test ends.
type ThrowawayPG struct {
	Bin, Dir, Data string
	Port           int
	srv            *pgserver.Server
}

// StartThrowawayPG initialises and starts the server. conf is appended to
// postgresql.conf after the loopback address, the socket folder and
// fsync = off; hba replaces pg_hba.conf. Without PostgreSQL's binaries
// (DBGUARD_TEST_PG_BIN) the test is skipped, or fails under
// DBGUARD_REQUIRE_SERVICES=1 as with every server helper; without root it
// is skipped.
func StartThrowawayPG(t testing.TB, conf, hba string) *ThrowawayPG {
	t.Helper()
	bin := PGBin(t)
	if os.Geteuid() != 0 {
		t.Skip("a throwaway PostgreSQL is started as user postgres through runuser, which needs root")
	}
	srv := NewPGServer(t, bin)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := srv.Init(ctx, pgserver.Config{Auth: []string{"-A", "trust"}, Conf: conf, HBA: hba}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return &ThrowawayPG{srv: srv, Bin: bin, Dir: srv.Dir(), Data: srv.Data(), Port: srv.Port()}
}

// NewPGServer makes a pgserver.Server of bin in a temporary folder of the
// test's own, not yet initialised. When the test ends the server is
// stopped without waiting for a clean shutdown (a start that failed
// half-way may have left a postmaster behind) and the folder removed.
func NewPGServer(t testing.TB, bin string) *pgserver.Server {
	t.Helper()
	dir, err := os.MkdirTemp("", "dbguard-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	srv, err := pgserver.New(bin, filepath.Join(dir, "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.StopNow(); err != nil {
			t.Error(err)
		}
	})
	return srv
}

// Run runs one of PostgreSQL's programs as user postgres; a failure ends
// the test with the program's output and the server's log.
func (s *ThrowawayPG) Run(t testing.TB, prog string, args ...string) {
	t.Helper()
	if err := s.srv.Run(context.Background(), prog, args...); err != nil {
		t.Fatal(err)
	}
}

// URL is a connection URL for user, without TLS.
func (s *ThrowawayPG) URL(user string) string { return s.srv.URL(user) }
