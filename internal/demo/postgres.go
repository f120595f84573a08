package demo

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/dbguard/dbguard/internal/pgserver"
)

// ErrNoPostgres is returned when PostgreSQL's server programs (initdb,
// pg_ctl) are neither on PATH nor under /usr/lib/postgresql/*/bin.
var ErrNoPostgres = pgserver.ErrNoPostgres

// FindPostgres returns the folder of initdb and pg_ctl (pgserver.FindPostgres).
func FindPostgres() (string, error) { return pgserver.FindPostgres() }

// server is the demo's throwaway PostgreSQL: its own data folder, a free
// loopback port, no TLS, password (SCRAM) logins over TCP and trust over
// its private Unix socket, from which the demo creates the service's role.
type server struct{ *pgserver.Server }

// maxConnections is the server's limit; the capacity scenario's pool
// goes over it.
const maxConnections = 20

// newServer prepares the server's folder under dir (as root, opened to
// user postgres: pgserver.New).
func newServer(bin, dir string) (*server, error) {
	s, err := pgserver.New(bin, filepath.Join(dir, "postgres"))
	if err != nil {
		return nil, err
	}
	return &server{s}, nil
}

// start initialises the cluster and starts it on a free loopback port.
func (s *server) start(ctx context.Context) error {
	// log_min_error_statement = panic: a failed CREATE ROLE must not
	// write its statement, password included, into the server's log.
	conf := fmt.Sprintf("ssl = off\nmax_connections = %d\nshared_buffers = 16MB\nlog_statement = none\nlog_min_error_statement = panic\n", maxConnections)
	err := s.Init(ctx, pgserver.Config{Auth: []string{"--auth-local=trust", "--auth-host=scram-sha-256"}, Conf: conf})
	if err != nil {
		return err
	}
	return s.Start(ctx)
}

// createRole makes the service's login role and database, over the
// server's private socket (trust), with the password given; the password
// goes to the server in the statement and nowhere else.
func (s *server) createRole(ctx context.Context, role, password string) error {
	cfg, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%d user=postgres dbname=postgres sslmode=disable", s.Dir(), s.Port()))
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
