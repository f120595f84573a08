package pgserver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is one private PostgreSQL: a folder of its own that holds the
// data folder, the server's log and its Unix socket, and a loopback port
// chosen when it starts.
type Server struct {
	bin, dir, data, log string
	port                int
	// asPostgres: running as root, PostgreSQL's programs run as user
	// postgres through runuser (the server refuses root).
	asPostgres bool
	uid, gid   int
	// pickPort is FreePort; a test makes it return a taken port to
	// provoke the bind race.
	pickPort func() (int, error)
	// mu serialises stopping: an interrupt's clean-up and the normal
	// one may both try.
	mu sync.Mutex
}

// Config is what the caller decides about a new cluster.
type Config struct {
	// Auth is initdb's authentication arguments, such as "-A", "trust"
	// or "--auth-local=trust", "--auth-host=scram-sha-256".
	Auth []string
	// Conf is appended to postgresql.conf after the base lines: listen
	// on 127.0.0.1 only, the socket in the server's folder, fsync off.
	Conf string
	// HBA, when not empty, replaces pg_hba.conf.
	HBA string
}

// New makes the server's folder dir (which must not exist yet) with
// bin, the folder of initdb and pg_ctl. Running as root, PostgreSQL runs
// as user postgres: New checks that user postgres can pass through every
// folder above dir's parent, opens that parent to passage (0711, so it
// should be a folder of the caller's own, such as one os.MkdirTemp made)
// and gives dir to user postgres.
func New(bin, dir string) (*Server, error) {
	s := &Server{bin: bin, dir: dir, data: filepath.Join(dir, "data"), log: filepath.Join(dir, "server.log"), pickPort: FreePort}
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, fmt.Errorf("make the server folder: %w", err)
	}
	if os.Geteuid() != 0 {
		return s, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, PostgreSQL must run as user postgres, which does not exist (create it, or run as an ordinary user): %w", err)
	}
	if _, err := exec.LookPath("runuser"); err != nil {
		return nil, fmt.Errorf("running as root, PostgreSQL is started as user postgres with runuser, which is not installed: %w", err)
	}
	s.asPostgres = true
	s.uid, _ = strconv.Atoi(u.Uid)
	s.gid, _ = strconv.Atoi(u.Gid)
	parent := filepath.Dir(dir)
	if err := reachable(filepath.Dir(parent)); err != nil {
		return nil, err
	}
	// postgres must pass through the caller's folder to its own.
	if err := os.Chmod(parent, 0o711); err != nil {
		return nil, fmt.Errorf("open %s to user postgres: %w", parent, err)
	}
	if err := os.Chown(dir, s.uid, s.gid); err != nil {
		return nil, fmt.Errorf("give the server folder to user postgres: %w", err)
	}
	return s, nil
}

// reachable checks that user postgres can pass through every folder
// from dir up: initdb would fail with "Permission denied" otherwise.
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

// Bin is the folder of PostgreSQL's programs.
func (s *Server) Bin() string { return s.bin }

// Dir is the server's folder, which is also its Unix socket's.
func (s *Server) Dir() string { return s.dir }

// Data is the data folder (PGDATA).
func (s *Server) Data() string { return s.data }

// Log is the server's log file.
func (s *Server) Log() string { return s.log }

// Port is the loopback port, 0 before Start.
func (s *Server) Port() int { return s.port }

// AsPostgres reports whether the programs run as user postgres (root).
func (s *Server) AsPostgres() bool { return s.asPostgres }

// URL is a connection URL for user over TCP, without TLS.
func (s *Server) URL(user string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/postgres?sslmode=disable", user, s.port)
}

// Init creates the cluster with initdb (superuser postgres, no sync, the
// caller's authentication arguments) and writes its configuration.
func (s *Server) Init(ctx context.Context, c Config) error {
	args := append([]string{"-D", s.data, "--no-sync", "-U", "postgres"}, c.Auth...)
	if err := s.Run(ctx, "initdb", append(args, "--no-instructions")...); err != nil {
		return err
	}
	base := fmt.Sprintf("listen_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nfsync = off\n", s.dir)
	if err := appendFile(filepath.Join(s.data, "postgresql.conf"), base+c.Conf); err != nil {
		return err
	}
	if c.HBA == "" {
		return nil
	}
	hba := filepath.Join(s.data, "pg_hba.conf")
	if err := os.WriteFile(hba, []byte(c.HBA), 0o600); err != nil {
		return fmt.Errorf("write pg_hba.conf: %w", err)
	}
	if s.asPostgres {
		if err := os.Chown(hba, s.uid, s.gid); err != nil {
			return fmt.Errorf("give pg_hba.conf to user postgres: %w", err)
		}
	}
	return nil
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

// bindRace is what the server logs when its port was taken between the
// look for a free one and its bind.
const bindRace = "could not create any TCP/IP sockets"

// Start starts the initialised server on a loopback port found free just
// before, and again on another (three tries in all) when that port was
// taken meanwhile: on a busy machine another process can take a free
// port between the look and PostgreSQL's bind.
func (s *Server) Start(ctx context.Context) error {
	for try := 1; ; try++ {
		port, err := s.pickPort()
		if err != nil {
			return err
		}
		s.port = port
		// Only this try's part of the log says why it failed.
		from := logSize(s.log)
		err = s.Run(ctx, "pg_ctl", "-D", s.data, "-l", s.log, "-o", fmt.Sprintf("-p %d", port), "-w", "-t", "30", "start")
		if err == nil {
			return nil
		}
		if try < 3 && strings.Contains(readFrom(s.log, from), bindRace) {
			// pg_ctl may have left a postmaster behind (a timeout).
			_ = s.Stop()
			continue
		}
		return err
	}
}

// FreePort is a loopback port nothing listens on at the time of asking.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func logSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func readFrom(path string, off int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	b, _ := io.ReadAll(io.NewSectionReader(f, off, 1<<40))
	return string(b)
}

// Command is one of PostgreSQL's programs from the server's bin folder,
// as user postgres when root.
func (s *Server) Command(ctx context.Context, prog string, args ...string) *exec.Cmd {
	path := filepath.Join(s.bin, prog)
	if s.asPostgres {
		return exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	return exec.CommandContext(ctx, path, args...)
}

// Run runs one of PostgreSQL's programs (Command); a failure is a
// *RunError with the program's output and the tail of the server's log.
func (s *Server) Run(ctx context.Context, prog string, args ...string) error {
	out, err := s.Command(ctx, prog, args...).CombinedOutput()
	if err != nil {
		return &RunError{Prog: prog, Err: err, Output: strings.TrimSpace(string(out)), Log: s.LogTail()}
	}
	return nil
}

// RunError is a program of the server's that failed.
type RunError struct {
	Prog string
	Err  error
	// Output is what the program printed; Log the tail of the server's
	// log at the time (LogTail), "" when there is none.
	Output, Log string
}

func (e *RunError) Error() string {
	msg := fmt.Sprintf("run %s: %v", e.Prog, e.Err)
	if e.Output != "" {
		msg += ": " + e.Output
	}
	if e.Log != "" {
		msg += "\nserver log:\n" + e.Log
	}
	return msg
}

func (e *RunError) Unwrap() error { return e.Err }

// logTailSize bounds LogTail: enough for the lines that say why the
// server stopped or never started.
const logTailSize = 2000

// LogTail is the end of the server's log, "" when there is none yet.
func (s *Server) LogTail() string {
	b, err := os.ReadFile(s.log)
	if err != nil {
		return ""
	}
	if len(b) > logTailSize {
		b = b[len(b)-logTailSize:]
	}
	return string(b)
}

// Stop stops the server: pg_ctl stop -m fast, then -m immediate, and as a
// last resort SIGKILL to the postmaster's process group (pg_ctl starts
// it in a session of its own, so the group is its pid and holds every
// backend). It is safe to call more than once, from two goroutines, and
// after a failed start. It takes no context: it is the clean-up that
// runs after the caller's context ended; it gives up after 30 s.
func (s *Server) Stop() error { return s.stopWith("fast", "immediate") }

// StopNow is Stop without waiting for a clean shutdown (-m immediate
// only), for a process with little time left or a test's clean-up.
func (s *Server) StopNow() error { return s.stopWith("immediate") }

func (s *Server) stopWith(modes ...string) error {
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
		if err = s.Run(ctx, "pg_ctl", "-D", s.data, "-m", m, "-w", "-t", "10", "stop"); err == nil {
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
func (s *Server) pid() int {
	b, err := os.ReadFile(filepath.Join(s.data, "postmaster.pid"))
	if err != nil {
		return 0
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	n, _ := strconv.Atoi(strings.TrimSpace(string(line)))
	return n
}
