//go:build unix

package pgserver_test

import (
	"context"
	"errors"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dbguard/dbguard/internal/pgserver"
	"github.com/dbguard/dbguard/internal/testenv"
)

// newServer is a server of the test's own, not yet initialised.
func newServer(t *testing.T) *pgserver.Server {
	t.Helper()
	return testenv.NewPGServer(t, testenv.PGBin(t))
}

// TestStartStop starts a real server (as user postgres through runuser
// when root, as this user otherwise) with the caller's configuration and
// pg_hba, checks that it runs with them, and stops it: no pid file, no
// listener, and stopping again is no error.
func TestStartStop(t *testing.T) {
	s := newServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Only role postgres may log in over TCP: the replaced pg_hba.conf
	// is the one the server reads.
	err := s.Init(ctx, pgserver.Config{
		Auth: []string{"-A", "trust"},
		Conf: "ssl = off\nmax_connections = 7\n",
		HBA:  "local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 reject\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if !s.AsPostgres() {
			t.Fatal("running as root, the server's programs do not run as user postgres")
		}
		pg, err := user.Lookup("postgres")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{s.Dir(), s.Data(), filepath.Join(s.Data(), "pg_hba.conf")} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if uid := strconv.Itoa(int(fi.Sys().(*syscall.Stat_t).Uid)); uid != pg.Uid {
				t.Errorf("%s belongs to uid %s, not to user postgres (%s)", p, uid, pg.Uid)
			}
		}
	}
	if s.Port() != 0 {
		t.Errorf("Port() = %d before Start, want 0", s.Port())
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	conn, err := pgconn.Connect(ctx, s.URL("postgres"))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	for setting, want := range map[string]string{
		"max_connections":         "7",
		"fsync":                   "off",
		"ssl":                     "off",
		"listen_addresses":        "127.0.0.1",
		"unix_socket_directories": s.Dir(),
		"port":                    strconv.Itoa(s.Port()),
	} {
		res, err := conn.Exec(ctx, "SHOW "+setting).ReadAll()
		if err != nil {
			t.Fatalf("SHOW %s: %v", setting, err)
		}
		if got := string(res[0].Rows[0][0]); got != want {
			t.Errorf("%s = %q, want %q", setting, got, want)
		}
	}
	conn.Close(ctx)
	if c, err := pgconn.Connect(ctx, s.URL("other")); err == nil {
		c.Close(ctx)
		t.Error("role other logged in: pg_hba.conf was not replaced")
	}

	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s.Data(), "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("postmaster.pid after Stop: %v", err)
	}
	if c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port())), time.Second); err == nil {
		c.Close()
		t.Errorf("port %d still accepts connections after Stop", s.Port())
	}
	if err := s.Stop(); err != nil {
		t.Errorf("Stop again: %v", err)
	}
}

// TestStopTwiceAtOnce stops from two goroutines, as the demo's interrupt
// and its normal clean-up may: both return without error and the server
// is gone.
func TestStopTwiceAtOnce(t *testing.T) {
	s := newServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.Init(ctx, pgserver.Config{Auth: []string{"-A", "trust"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, stop := range []func() error{s.Stop, s.StopNow} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = stop()
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s.Data(), "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("postmaster.pid after both stops: %v", err)
	}
}

// TestRunError: a program that fails is a *RunError naming it, with
// what it printed, and Stop before any Start has nothing to stop.
func TestRunError(t *testing.T) {
	s := newServer(t)
	err := s.Run(context.Background(), "pg_ctl", "-D", s.Data(), "status")
	var re *pgserver.RunError
	if !errors.As(err, &re) {
		t.Fatalf("pg_ctl status on no cluster: %v, want a *RunError", err)
	}
	if re.Prog != "pg_ctl" || re.Output == "" || re.Err == nil {
		t.Errorf("RunError = %+v, want pg_ctl with its output and exit error", re)
	}
	if !strings.HasPrefix(err.Error(), "run pg_ctl: ") || !strings.Contains(err.Error(), re.Output) {
		t.Errorf("error %q does not name the program and its output", err)
	}
	if err := s.Stop(); err != nil {
		t.Errorf("Stop before Start: %v", err)
	}
}

// TestNewAsRootNeedsPassableFolders: as root, a folder above the
// server's that user postgres cannot pass is named in the error, before
// initdb would fail with "Permission denied".
func TestNewAsRootNeedsPassableFolders(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root runs the server as user postgres")
	}
	bin := testenv.PGBin(t)
	closed, err := os.MkdirTemp("", "dbguard-pgserver-") // 0700: closed to others
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(closed) })
	parent := filepath.Join(closed, "parent")
	if err := os.Mkdir(parent, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err = pgserver.New(bin, filepath.Join(parent, "postgres"))
	if err == nil || !strings.Contains(err.Error(), "cannot pass through "+closed) {
		t.Fatalf("New under a closed folder: %v, want it named", err)
	}
}

// takenPorts is a port picker whose first n ports are held by loopback
// listeners of the test's own, as a process that took the port between
// the look and the bind would; then free ones.
func takenPorts(t *testing.T, n int) func() (int, error) {
	return func() (int, error) {
		if n == 0 {
			return pgserver.FreePort()
		}
		n--
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		t.Cleanup(func() { l.Close() })
		return l.Addr().(*net.TCPAddr).Port, nil
	}
}

// TestStartRetriesTakenPort: a port taken before the server's bind is
// retried on another, twice; a third taken port is the error, with the
// server's log line that says so.
func TestStartRetriesTakenPort(t *testing.T) {
	for _, tc := range []struct {
		taken int
		ok    bool
	}{{taken: 2, ok: true}, {taken: 3, ok: false}} {
		t.Run(strconv.Itoa(tc.taken)+" taken", func(t *testing.T) {
			s := newServer(t)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := s.Init(ctx, pgserver.Config{Auth: []string{"-A", "trust"}}); err != nil {
				t.Fatal(err)
			}
			var picked []int
			pick := takenPorts(t, tc.taken)
			pgserver.SetPortPicker(s, func() (int, error) {
				p, err := pick()
				picked = append(picked, p)
				return p, err
			})
			err := s.Start(ctx)
			if !tc.ok {
				var re *pgserver.RunError
				if !errors.As(err, &re) || !strings.Contains(re.Log, pgserver.BindRace) {
					t.Fatalf("Start on three taken ports: %v, want a *RunError with %q in its log", err, pgserver.BindRace)
				}
				if len(picked) != 3 {
					t.Errorf("Start tried %d ports, want 3", len(picked))
				}
				return
			}
			if err != nil {
				t.Fatalf("Start after %d taken ports: %v", tc.taken, err)
			}
			if len(picked) != tc.taken+1 || s.Port() != picked[len(picked)-1] {
				t.Errorf("Start picked %v and runs on %d, want %d tries ending on the last", picked, s.Port(), tc.taken+1)
			}
			conn, err := pgconn.Connect(ctx, s.URL("postgres"))
			if err != nil {
				t.Fatalf("connect after the retries: %v", err)
			}
			conn.Close(ctx)
		})
	}
}
