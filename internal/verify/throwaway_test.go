package verify_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dbguard/dbguard/internal/testenv"
)

// throwawayPG is a PostgreSQL of the test's own: no TLS, trust for
// everyone on loopback except role gss_user, whose pg_hba line asks for
// GSSAPI, which the client cannot do.
type throwawayPG struct{ *testenv.ThrowawayPG }

func startThrowawayPG(t *testing.T) throwawayPG {
	t.Helper()
	return throwawayPG{testenv.StartThrowawayPG(t, "ssl = off\nmax_connections = 20\n",
		"host all gss_user 127.0.0.1/32 gss\nhost all all 127.0.0.1/32 trust\n")}
}

// smartShutdown starts `pg_ctl stop -m smart` while a session is held
// open, so the server stays in shutdown and refuses new logins with 57P03.
func (s throwawayPG) smartShutdown(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	held, err := pgconn.Connect(ctx, s.URL("postgres"))
	if err != nil {
		t.Fatalf("hold a session: %v", err)
	}
	t.Cleanup(func() { held.Close(context.Background()) })
	cmd := exec.Command("runuser", "-u", "postgres", "--", filepath.Join(s.Bin, "pg_ctl"), "-D", s.Data, "-m", "smart", "--no-wait", "stop")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pg_ctl stop -m smart: %v\n%s", err, out)
	}
	// Wait until a new login is refused.
	for i := 0; i < 100; i++ {
		c, err := pgconn.Connect(ctx, s.URL("postgres"))
		if err != nil {
			return
		}
		c.Close(ctx)
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the server kept accepting logins after a smart shutdown")
}
