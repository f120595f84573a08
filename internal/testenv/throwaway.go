package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// ThrowawayPG is a PostgreSQL of one test's own, on a loopback port: no
// TLS at all (the server a profile that requires TLS meets by mistake),
// trust for the roles pg_hba lets in, at most 20 connections. It is
// stopped at the test's cleanup.
type ThrowawayPG struct {
	Bin, Dir, Data string
	Port           int
}

// StartThrowawayPG initialises and starts a ThrowawayPG whose pg_hba.conf
// is hba (empty: trust for everyone on 127.0.0.1). It needs the test
// servers' PostgreSQL binaries and root, since the server runs as user
// postgres; it skips the test otherwise.
func StartThrowawayPG(t testing.TB, hba string) *ThrowawayPG {
	t.Helper()
	bin := PGBin(t)
	if os.Geteuid() != 0 {
		t.Skip("a throwaway PostgreSQL is started as user postgres through runuser, which needs root")
	}
	pgUser, err := user.Lookup("postgres")
	if err != nil {
		t.Fatalf("look up user postgres: %v", err)
	}
	uid, _ := strconv.Atoi(pgUser.Uid)
	gid, _ := strconv.Atoi(pgUser.Gid)
	dir, err := os.MkdirTemp("", "dbguard-throwaway-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	s := &ThrowawayPG{Bin: bin, Dir: dir, Data: filepath.Join(dir, "data"), Port: ClosedPort(t)}
	s.Run(t, "initdb", "-D", s.Data, "--no-sync", "-A", "trust", "-U", "postgres", "--no-instructions")
	conf := fmt.Sprintf("port = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nssl = off\nfsync = off\nmax_connections = 20\n", s.Port, dir)
	f, err := os.OpenFile(filepath.Join(s.Data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString(conf)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if hba == "" {
		hba = "host all all 127.0.0.1/32 trust\n"
	}
	if err := os.WriteFile(filepath.Join(s.Data, "pg_hba.conf"), []byte(hba), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(filepath.Join(s.Data, "pg_hba.conf"), uid, gid); err != nil {
		t.Fatal(err)
	}
	s.Run(t, "pg_ctl", "-D", s.Data, "-l", filepath.Join(dir, "log"), "-w", "-t", "30", "start")
	t.Cleanup(func() {
		_ = exec.Command("runuser", "-u", "postgres", "--", filepath.Join(bin, "pg_ctl"), "-D", s.Data, "-m", "immediate", "-w", "stop").Run()
	})
	return s
}

// Run runs one of the server's programs (initdb, pg_ctl) as user
// postgres, failing the test with the server's log when it fails.
func (s *ThrowawayPG) Run(t testing.TB, prog string, args ...string) {
	t.Helper()
	cmd := exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(s.Bin, prog)}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.Dir, "log"))
		t.Fatalf("%s: %v\n%s\n%s", prog, err, out, log)
	}
}

// URL is a libpq URL for user on database postgres, without TLS.
func (s *ThrowawayPG) URL(user string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/postgres?sslmode=disable", user, s.Port)
}

// PGExec runs statements on the test PostgreSQL as its superuser
// (PGSuper): creating throwaway roles, rotating a password behind a
// watched profile's back.
func PGExec(t testing.TB, stmts ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := pgconn.Connect(ctx, PGSuper(t))
	if err != nil {
		t.Fatalf("connect as superuser: %v", err)
	}
	defer c.Close(ctx)
	for _, s := range stmts {
		if _, err := c.Exec(ctx, s).ReadAll(); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}
