package testenv_test

// These tests prove that the servers scripts/test.sh starts are what the
// variables promise: reachable, with the roles, TLS and refusals that other
// packages' tests rely on.

import (
	"context"
	"crypto/tls"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dbguard/dbguard/internal/testenv"
)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// pgConnect connects with pgx; simple selects the simple protocol, which
// PgBouncer's transaction pooling and admin console need.
func pgConnect(t *testing.T, connString string, simple bool) (*pgx.Conn, error) {
	t.Helper()
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		t.Fatalf("parse the connection string: %v", err)
	}
	if simple {
		cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	}
	conn, err := pgx.ConnectConfig(ctx(t), cfg)
	if err == nil {
		t.Cleanup(func() { conn.Close(context.Background()) })
	}
	return conn, err
}

// withQuery returns u with query parameters set (an empty value removes it).
func withQuery(t *testing.T, u string, kv ...string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatalf("parse URL: %v", err)
	}
	q := p.Query()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
		} else {
			q.Set(kv[i], kv[i+1])
		}
	}
	p.RawQuery = q.Encode()
	return p.String()
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	conn, err := pgConnect(t, testenv.PG(t), false)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	var one int
	if err := conn.QueryRow(ctx(t), "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
	if v := conn.PgConn().ParameterStatus("server_version"); !strings.HasPrefix(v, "15.") {
		t.Errorf("server_version = %q, want 15.x", v)
	}
	var ssl string
	if err := conn.QueryRow(ctx(t), "SHOW ssl").Scan(&ssl); err != nil || ssl != "on" {
		t.Errorf("SHOW ssl = %q, %v; want on", ssl, err)
	}
}

func TestPostgresSuperCreatesRoles(t *testing.T) {
	t.Parallel()
	conn, err := pgConnect(t, testenv.PGSuper(t), false)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	if _, err := conn.Exec(ctx(t), "CREATE ROLE testenv_throwaway LOGIN CONNECTION LIMIT 1"); err != nil {
		t.Fatalf("create role: %v", err)
	}
	if _, err := conn.Exec(ctx(t), "DROP ROLE testenv_throwaway"); err != nil {
		t.Fatalf("drop role: %v", err)
	}
}

func TestPostgresTLSRole(t *testing.T) {
	t.Parallel()
	tlsURL := testenv.PGTLS(t)
	t.Run("over TLS verify-full", func(t *testing.T) {
		conn, err := pgConnect(t, tlsURL, false)
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		var ssl bool
		if err := conn.QueryRow(ctx(t), "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").Scan(&ssl); err != nil || !ssl {
			t.Errorf("pg_stat_ssl.ssl = %v, %v; want true", ssl, err)
		}
	})
	t.Run("plaintext refused by pg_hba", func(t *testing.T) {
		_, err := pgConnect(t, withQuery(t, tlsURL, "sslmode", "disable", "sslrootcert", ""), false)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "28000" {
			t.Fatalf("plaintext connect error = %v, want SQLSTATE 28000", err)
		}
	})
}

func TestMariaDB(t *testing.T) {
	t.Parallel()
	db, err := sql.Open("mysql", testenv.MySQL(t))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	var version, haveSSL string
	if err := db.QueryRowContext(ctx(t), "SELECT VERSION(), @@have_ssl").Scan(&version, &haveSSL); err != nil {
		t.Fatalf("query: %v", err)
	}
	if !strings.Contains(version, "MariaDB") {
		t.Errorf("VERSION() = %q, want MariaDB", version)
	}
	if haveSSL != "YES" {
		t.Errorf("@@have_ssl = %q, want YES", haveSSL)
	}
	if _, err := db.ExecContext(ctx(t), "CREATE DATABASE IF NOT EXISTS testenv_throwaway"); err != nil {
		t.Errorf("create database: %v", err)
	}
	if _, err := db.ExecContext(ctx(t), "DROP DATABASE IF EXISTS testenv_throwaway"); err != nil {
		t.Errorf("drop database: %v", err)
	}
}

func TestMariaDBTLSUser(t *testing.T) {
	t.Parallel()
	dsn := testenv.MySQLTLS(t)
	t.Run("over TLS with the test CA", func(t *testing.T) {
		db, err := sql.Open("mysql", dsn)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		defer db.Close()
		var name, cipher string
		if err := db.QueryRowContext(ctx(t), "SHOW SESSION STATUS LIKE 'Ssl_cipher'").Scan(&name, &cipher); err != nil {
			t.Fatalf("query: %v", err)
		}
		if cipher == "" {
			t.Error("Ssl_cipher is empty: the session is not encrypted")
		}
	})
	t.Run("plaintext refused with 1045", func(t *testing.T) {
		cfg, err := mysql.ParseDSN(dsn)
		if err != nil {
			t.Fatalf("parse DSN: %v", err)
		}
		cfg.TLS = nil
		cfg.TLSConfig = "false"
		db, err := sql.Open("mysql", cfg.FormatDSN())
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		defer db.Close()
		err = db.PingContext(ctx(t))
		var myErr *mysql.MySQLError
		if !errors.As(err, &myErr) || myErr.Number != 1045 {
			t.Fatalf("plaintext ping error = %v, want 1045", err)
		}
	})
}

func TestPgBouncer(t *testing.T) {
	t.Parallel()
	bouncer := testenv.PgBouncer(t)
	t.Run("query through the pool", func(t *testing.T) {
		conn, err := pgConnect(t, bouncer, true)
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		var one int
		if err := conn.QueryRow(ctx(t), "SELECT 1").Scan(&one); err != nil || one != 1 {
			t.Fatalf("SELECT 1 = %d, %v", one, err)
		}
	})
	t.Run("TLS verify-full to PgBouncer", func(t *testing.T) {
		conn, err := pgConnect(t, withQuery(t, bouncer, "sslmode", "verify-full", "sslrootcert", testenv.CA(t)), true)
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		if _, ok := conn.PgConn().Conn().(*tls.Conn); !ok {
			t.Errorf("connection is %T, want *tls.Conn", conn.PgConn().Conn())
		}
	})
	t.Run("admin console", func(t *testing.T) {
		p, err := url.Parse(bouncer)
		if err != nil {
			t.Fatal(err)
		}
		p.Path = "/pgbouncer"
		conn, err := pgConnect(t, p.String(), true)
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		var version string
		if err := conn.QueryRow(ctx(t), "SHOW VERSION").Scan(&version); err != nil {
			t.Fatalf("SHOW VERSION: %v", err)
		}
		if !strings.HasPrefix(version, "PgBouncer 1.") {
			t.Errorf("SHOW VERSION = %q", version)
		}
	})
}

func TestPGBinHasServerTools(t *testing.T) {
	t.Parallel()
	dir := testenv.PGBin(t)
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Mode()&0o111 == 0 {
			t.Errorf("%s: not an executable in %s (%v)", name, dir, err)
		}
	}
}
