package testenv

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
)

// ThrowawayPG is a PostgreSQL of one test's own, on a free loopback port,
// for settings the shared test server must not have (ssl off, a trust line
// for 0.0.0.0/0, a small max_connections, a pg_hba line no client can
// satisfy). It is started with initdb and pg_ctl as user postgres (through
// runuser, so the test must run as root) and stopped when the test ends.
type ThrowawayPG struct {
	Bin, Dir, Data string
	Port           int
}

// StartThrowawayPG initialises and starts the server. conf is appended to
// postgresql.conf after the port, the loopback address, the socket folder
// and fsync = off; hba replaces pg_hba.conf. Without PostgreSQL's binaries
// (DBGUARD_TEST_PG_BIN) or root, the test is skipped (or fails under
// DBGUARD_TEST_REQUIRE=1, as every server helper).
func StartThrowawayPG(t testing.TB, conf, hba string) *ThrowawayPG {
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
	dir, err := os.MkdirTemp("", "dbguard-pg-")
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
	s := &ThrowawayPG{Bin: bin, Dir: dir, Data: filepath.Join(dir, "data")}
	s.Run(t, "initdb", "-D", s.Data, "--no-sync", "-A", "trust", "-U", "postgres", "--no-instructions")
	base := fmt.Sprintf("listen_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nfsync = off\n", dir)
	f, err := os.OpenFile(filepath.Join(s.Data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString(base + conf)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	hbaFile := filepath.Join(s.Data, "pg_hba.conf")
	if err := os.WriteFile(hbaFile, []byte(hba), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(hbaFile, uid, gid); err != nil {
		t.Fatal(err)
	}
	s.start(t)
	t.Cleanup(func() {
		_ = exec.Command("runuser", "-u", "postgres", "--", filepath.Join(bin, "pg_ctl"), "-D", s.Data, "-m", "immediate", "-w", "stop").Run()
	})
	return s
}

// start starts the server on a port found free just before, and again on
// another when that port was taken meanwhile: on a busy machine another
// process can take a free port between the look and PostgreSQL's bind.
func (s *ThrowawayPG) start(t testing.TB) {
	t.Helper()
	logFile := filepath.Join(s.Dir, "log")
	for try := 1; ; try++ {
		s.Port = FreePort(t)
		cmd := exec.Command("runuser", "-u", "postgres", "--", filepath.Join(s.Bin, "pg_ctl"), "-D", s.Data, "-l", logFile,
			"-o", fmt.Sprintf("-p %d", s.Port), "-w", "-t", "30", "start")
		out, err := cmd.CombinedOutput()
		if err == nil {
			return
		}
		log, _ := os.ReadFile(logFile)
		if try < 3 && bytes.Contains(log, []byte("could not create any TCP/IP sockets")) {
			continue
		}
		t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
}

// Run runs one of PostgreSQL's programs as user postgres; a failure ends
// the test with the program's output and the server's log.
func (s *ThrowawayPG) Run(t testing.TB, prog string, args ...string) {
	t.Helper()
	cmd := exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(s.Bin, prog)}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.Dir, "log"))
		t.Fatalf("%s: %v\n%s\n%s", prog, err, out, log)
	}
}

// URL is a connection URL for user, without TLS.
func (s *ThrowawayPG) URL(user string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/postgres?sslmode=disable", user, s.Port)
}
