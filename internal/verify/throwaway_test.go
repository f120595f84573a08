package verify_test

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

	"github.com/dbguard/dbguard/internal/testenv"
)

// throwawayPG is a PostgreSQL of the test's own: no TLS, trust for
// everyone on loopback except role gss_user, whose pg_hba line asks for
// GSSAPI, which the client cannot do.
type throwawayPG struct {
	bin, dir, data string
	port           int
}

func startThrowawayPG(t *testing.T) *throwawayPG {
	t.Helper()
	bin := testenv.PGBin(t)
	if os.Geteuid() != 0 {
		t.Skip("a throwaway PostgreSQL is started as user postgres through runuser, which needs root")
	}
	pgUser, err := user.Lookup("postgres")
	if err != nil {
		t.Fatalf("look up user postgres: %v", err)
	}
	uid, _ := strconv.Atoi(pgUser.Uid)
	gid, _ := strconv.Atoi(pgUser.Gid)
	dir, err := os.MkdirTemp("", "dbguard-verify-pg-")
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
	s := &throwawayPG{bin: bin, dir: dir, data: filepath.Join(dir, "data"), port: testenv.ClosedPort(t)}
	s.run(t, "initdb", "-D", s.data, "--no-sync", "-A", "trust", "-U", "postgres", "--no-instructions")
	conf := fmt.Sprintf("port = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nssl = off\nfsync = off\nmax_connections = 20\n", s.port, dir)
	appendFile(t, filepath.Join(s.data, "postgresql.conf"), conf)
	hba := "host all gss_user 127.0.0.1/32 gss\nhost all all 127.0.0.1/32 trust\n"
	if err := os.WriteFile(filepath.Join(s.data, "pg_hba.conf"), []byte(hba), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(filepath.Join(s.data, "pg_hba.conf"), uid, gid); err != nil {
		t.Fatal(err)
	}
	s.run(t, "pg_ctl", "-D", s.data, "-l", filepath.Join(dir, "log"), "-w", "-t", "30", "start")
	t.Cleanup(func() {
		_ = exec.Command("runuser", "-u", "postgres", "--", filepath.Join(bin, "pg_ctl"), "-D", s.data, "-m", "immediate", "-w", "stop").Run()
	})
	return s
}

func (s *throwawayPG) run(t *testing.T, prog string, args ...string) {
	t.Helper()
	cmd := exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(s.bin, prog)}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		t.Fatalf("%s: %v\n%s\n%s", prog, err, out, log)
	}
}

func (s *throwawayPG) url(user string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/postgres?sslmode=disable", user, s.port)
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

// smartShutdown starts `pg_ctl stop -m smart` while a session is held
// open, so the server stays in shutdown and refuses new logins with 57P03.
func (s *throwawayPG) smartShutdown(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	held, err := pgconn.Connect(ctx, s.url("postgres"))
	if err != nil {
		t.Fatalf("hold a session: %v", err)
	}
	t.Cleanup(func() { held.Close(context.Background()) })
	cmd := exec.Command("runuser", "-u", "postgres", "--", filepath.Join(s.bin, "pg_ctl"), "-D", s.data, "-m", "smart", "--no-wait", "stop")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pg_ctl stop -m smart: %v\n%s", err, out)
	}
	// Wait until a new login is refused.
	for i := 0; i < 100; i++ {
		c, err := pgconn.Connect(ctx, s.url("postgres"))
		if err != nil {
			return
		}
		c.Close(ctx)
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the server kept accepting logins after a smart shutdown")
}
