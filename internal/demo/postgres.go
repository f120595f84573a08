package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNoPostgres is returned when PostgreSQL's server programs (initdb,
// pg_ctl) are neither on PATH nor under /usr/lib/postgresql/*/bin.
var ErrNoPostgres = errors.New("PostgreSQL's server programs (initdb, pg_ctl) are not installed: install them (Debian/Ubuntu: apt-get install postgresql; Fedora: dnf install postgresql-server; macOS: brew install postgresql) or put their folder on PATH")

// FindPostgres returns the folder of initdb and pg_ctl: PATH first, then
// the newest /usr/lib/postgresql/N/bin (where Debian keeps them off PATH).
func FindPostgres() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		dir := filepath.Dir(p)
		if executable(filepath.Join(dir, "pg_ctl")) {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if executable(filepath.Join(d, "initdb")) && executable(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	return "", ErrNoPostgres
}

func version(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

func executable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// server is the demo's throwaway PostgreSQL: its own data folder, a free
// loopback port, no TLS, password (SCRAM) logins over TCP and trust over
// its private Unix socket, from which the demo creates the service's role.
type server struct {
	bin, dir, data, log string
	port                int
	// asPostgres: running as root, PostgreSQL's programs run as user
	// postgres through runuser (the server refuses root).
	asPostgres bool
	uid, gid   int
	// mu serialises stopping: the interrupt's clean-up and the normal
	// one may both try.
	mu sync.Mutex
}

// maxConnections is the server's limit; the capacity scenario's pool
// goes over it.
const maxConnections = 20

// newServer prepares the server's folder under dir.
func newServer(bin, dir string) (*server, error) {
	s := &server{bin: bin, dir: filepath.Join(dir, "postgres")}
	s.data, s.log = filepath.Join(s.dir, "data"), filepath.Join(s.dir, "server.log")
	if err := os.Mkdir(s.dir, 0o700); err != nil {
		return nil, fmt.Errorf("make the server folder: %w", err)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root, PostgreSQL must run as user postgres, which does not exist (create it, or run the demo as an ordinary user): %w", err)
		}
		if _, err := exec.LookPath("runuser"); err != nil {
			return nil, fmt.Errorf("running as root, the demo starts PostgreSQL as user postgres with runuser, which is not installed: %w", err)
		}
		s.asPostgres = true
		s.uid, _ = strconv.Atoi(u.Uid)
		s.gid, _ = strconv.Atoi(u.Gid)
		if err := reachable(filepath.Dir(dir)); err != nil {
			return nil, err
		}
		// postgres must pass through the demo's folder to its own.
		if err := os.Chmod(dir, 0o711); err != nil {
			return nil, fmt.Errorf("open the demo folder to user postgres: %w", err)
		}
		if err := os.Chown(s.dir, s.uid, s.gid); err != nil {
			return nil, fmt.Errorf("give the server folder to user postgres: %w", err)
		}
	}
	return s, nil
}

// reachable checks that user postgres can pass through every folder
// above the demo's: initdb would fail with "Permission denied" otherwise.
func reachable(dir string) error {
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("check the temporary folder: %w", err)
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("user postgres cannot pass through %s (not open to others): set TMPDIR to a folder it can reach, such as /tmp", d)
		}
		if filepath.Dir(d) == d {
			return nil
		}
	}
}

// command runs one of PostgreSQL's programs, as user postgres when root.
func (s *server) command(ctx context.Context, prog string, args ...string) *exec.Cmd {
	path := filepath.Join(s.bin, prog)
	if s.asPostgres {
		return exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	return exec.CommandContext(ctx, path, args...)
}

func (s *server) run(ctx context.Context, prog string, args ...string) error {
	out, err := s.command(ctx, prog, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("run %s: %w: %s%s", prog, err, strings.TrimSpace(string(out)), s.logTail())
	}
	return nil
}

func (s *server) logTail() string {
	b, err := os.ReadFile(s.log)
	if err != nil || len(b) == 0 {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return "\nserver log:\n" + string(b)
}

// start initialises the cluster and starts it on a free loopback port,
// trying another port when one was taken between the look and the bind.
func (s *server) start(ctx context.Context) error {
	if err := s.run(ctx, "initdb", "-D", s.data, "--no-sync", "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-instructions"); err != nil {
		return err
	}
	// log_min_error_statement = panic: a failed CREATE ROLE must not
	// write its statement, password included, into the server's log.
	conf := fmt.Sprintf("listen_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nfsync = off\nssl = off\nmax_connections = %d\nshared_buffers = 16MB\nlog_statement = none\nlog_min_error_statement = panic\n",
		s.dir, maxConnections)
	if err := appendFile(filepath.Join(s.data, "postgresql.conf"), conf); err != nil {
		return err
	}
	for try := 1; ; try++ {
		port, err := freePort()
		if err != nil {
			return err
		}
		s.port = port
		err = s.run(ctx, "pg_ctl", "-D", s.data, "-l", s.log, "-o", fmt.Sprintf("-p %d", port), "-w", "-t", "30", "start")
		if err == nil {
			return nil
		}
		// pg_ctl may have left a postmaster behind (a timeout).
		if try < 3 && strings.Contains(s.logTail(), "could not create any TCP/IP sockets") {
			s.stop()
			continue
		}
		return err
	}
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("configure the server: %w", err)
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("configure the server: %w", err)
	}
	return nil
}

// freePort is a loopback port nothing listens on at the time of asking.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// createRole makes the service's login role and database, over the
// server's private socket (trust), with the password given; the password
// goes to the server in the statement and nowhere else.
func (s *server) createRole(ctx context.Context, role, password string) error {
	cfg, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%d user=postgres dbname=postgres sslmode=disable", s.dir, s.port))
	if err != nil {
		return fmt.Errorf("connect to the server: %w", err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect to the server: %w", err)
	}
	defer conn.Close(context.Background())
	ident := pgx.Identifier{role}.Sanitize()
	lit := "'" + strings.ReplaceAll(password, "'", "''") + "'"
	for _, stmt := range []string{"CREATE ROLE " + ident + " LOGIN PASSWORD " + lit, "CREATE DATABASE " + ident + " OWNER " + ident} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			// The error names the statement's kind, never its text.
			return fmt.Errorf("create the service's role and database: %w", err)
		}
	}
	return nil
}

// stop stops the server: pg_ctl stop -m fast, then -m immediate, and as a
// last resort SIGKILL to the postmaster's process group (pg_ctl starts
// it in a session of its own, so the group is its pid and holds every
// backend). It is safe to call more than once, from two goroutines, and
// after a failed start.
func (s *server) stop() error { return s.stopWith("fast", "immediate") }

// stopNow is stop when interrupted: the process has under a second left
// (cmd/dbguard's stop grace), so no clean shutdown is waited for.
func (s *server) stopNow() error { return s.stopWith("immediate") }

func (s *server) stopWith(modes ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	// The pid file says whether a postmaster runs (or was left by a
	// start that failed half-way); without it there is nothing to stop.
	pid := s.pid()
	if pid == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	for _, m := range modes {
		if err = s.run(ctx, "pg_ctl", "-D", s.data, "-m", m, "-w", "-t", "10", "stop"); err == nil {
			break
		}
	}
	if alive(pid) {
		killGroup(pid)
		for i := 0; i < 100 && alive(pid); i++ {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if alive(pid) {
		return fmt.Errorf("stop PostgreSQL (pid %d): still running after %v", pid, err)
	}
	return nil
}

// pid is the postmaster's pid from its pid file, 0 when there is none.
func (s *server) pid() int {
	b, err := os.ReadFile(filepath.Join(s.data, "postmaster.pid"))
	if err != nil {
		return 0
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	n, _ := strconv.Atoi(strings.TrimSpace(string(line)))
	return n
}
