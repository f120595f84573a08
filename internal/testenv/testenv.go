// Package testenv hands tests the real database servers that
// scripts/test.sh starts, the synthetic corpus (gencorpus), the shared
// real-world corpus beside the checkout where there is one, and the few
// helpers tests of several packages share: loopback stand-ins for a
// misbehaving server (net.go) and FirstDiff (text.go).
//
// dbguard tests real PostgreSQL, MariaDB and PgBouncer servers, never mocks.
// scripts/test.sh starts them on loopback and passes their addresses in
// environment variables; each accessor here reads one. When a variable is
// unset the test is skipped, so that `go test ./...` without servers still
// runs every unit test — unless DBGUARD_REQUIRE_SERVICES=1 (set by
// test.sh and CI), where a missing server is a failure: a suite that
// silently skips its integration tests proves nothing.
//
// The shared folder (../shared beside the checkout: the real-world corpus
// and its expected results) is CI's proof, not a user's burden: a clone has
// none, and tests that read it skip with one line — unless
// DBGUARD_REQUIRE_SHARED=1, which .ci/run alone sets, where its absence is
// a failure. DBGUARD_REQUIRE_SERVICES=1 is about the servers only.
//
// Each successful call also appends one line "SERVER\tTEST\tPACKAGE" to the
// file named by DBGUARD_TEST_LEDGER, so that test.sh can report how many
// integration tests really ran against each server. Lines are written with
// one O_APPEND write each, which stays whole across the parallel test
// processes that go test runs.
package testenv

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/go-sql-driver/mysql"
)

// Names of the variables scripts/test.sh sets.
const (
	EnvPG            = "DBGUARD_TEST_PG"
	EnvPGTLS         = "DBGUARD_TEST_PG_TLS"
	EnvPGSuper       = "DBGUARD_TEST_PG_SUPER"
	EnvMySQL         = "DBGUARD_TEST_MYSQL"
	EnvMySQLTLS      = "DBGUARD_TEST_MYSQL_TLS"
	EnvPgBouncer     = "DBGUARD_TEST_PGBOUNCER"
	EnvCA            = "DBGUARD_TEST_CA"
	EnvPGBin         = "DBGUARD_TEST_PG_BIN"
	EnvLedger        = "DBGUARD_TEST_LEDGER"
	EnvRequire       = "DBGUARD_REQUIRE_SERVICES"
	EnvRequireShared = "DBGUARD_REQUIRE_SHARED"
)

// Server names written to the ledger, as test.sh counts them.
const (
	ServerPostgres  = "postgres"
	ServerMariaDB   = "mariadb"
	ServerPgBouncer = "pgbouncer"
	// SharedMissing is not a server: the ledger line of a test skipped
	// for want of ../shared, so that test.sh's summary counts them.
	SharedMissing = "shared-missing"
)

// MySQLTLSConfigName is the go-sql-driver TLS configuration name used by the
// DSN in DBGUARD_TEST_MYSQL_TLS (`?tls=dbguard-test`). MySQLTLS registers it,
// trusting only the test CA, before returning the DSN.
const MySQLTLSConfigName = "dbguard-test"

// PG returns a libpq URL for the test PostgreSQL as role dbguard (a
// superuser), database dbguard, without TLS.
func PG(t testing.TB) string {
	t.Helper()
	return lookup(t, EnvPG, ServerPostgres)
}

// PGTLS returns a libpq URL for role dbguard_tls, which the server's
// pg_hba.conf refuses without TLS (SQLSTATE 28000); the URL asks for
// sslmode=verify-full against the test CA.
func PGTLS(t testing.TB) string {
	t.Helper()
	return lookup(t, EnvPGTLS, ServerPostgres)
}

// PGSuper returns a libpq URL for a superuser role: the one tests use to
// create throwaway roles and databases (and to drop them in t.Cleanup).
func PGSuper(t testing.TB) string {
	t.Helper()
	return lookup(t, EnvPGSuper, ServerPostgres)
}

// MySQL returns a go-sql-driver DSN for the test MariaDB as user dbguard
// (all privileges, with grant option), database dbguard, without TLS.
func MySQL(t testing.TB) string {
	t.Helper()
	return lookup(t, EnvMySQL, ServerMariaDB)
}

// MySQLTLS returns a go-sql-driver DSN for user dbguard_tls, created with
// REQUIRE SSL (a plaintext login gets 1045). The DSN names the TLS
// configuration MySQLTLSConfigName, registered here with the test CA so that
// sql.Open accepts the DSN as it is.
func MySQLTLS(t testing.TB) string {
	t.Helper()
	dsn := lookup(t, EnvMySQLTLS, ServerMariaDB)
	if err := mysql.RegisterTLSConfig(MySQLTLSConfigName, TLSConfig(t)); err != nil {
		t.Fatalf("register the test TLS configuration: %v", err)
	}
	return dsn
}

// MySQLConfig returns MySQL's DSN as go-sql-driver reads it, for a test
// that needs its address, user or password one by one.
func MySQLConfig(t testing.TB) *mysql.Config {
	t.Helper()
	cfg, err := mysql.ParseDSN(MySQL(t))
	if err != nil {
		t.Fatalf("parse %s: %v", EnvMySQL, err)
	}
	return cfg
}

// PgBouncer returns a libpq URL through the test PgBouncer 1.18 (transaction
// pooling, SCRAM) to the test PostgreSQL as role dbguard. pgx needs
// default_query_exec_mode=simple_protocol through it: transaction pooling
// breaks its cached prepared statements (42P05). Database "pgbouncer" is
// the admin console (simple protocol only; SHOW VERSION works).
func PgBouncer(t testing.TB) string {
	t.Helper()
	return lookup(t, EnvPgBouncer, ServerPgBouncer)
}

// CA returns the path of the PEM CA certificate that signed every test
// server's certificate (valid for localhost, 127.0.0.1 and ::1).
func CA(t testing.TB) string {
	t.Helper()
	return lookup(t, EnvCA, "")
}

// PGBin returns the folder of the PostgreSQL 15 binaries (initdb, pg_ctl,
// postgres), for tests that start a throwaway server of their own. As root,
// those binaries must run as user postgres (runuser -u postgres).
func PGBin(t testing.TB) string {
	t.Helper()
	return lookup(t, EnvPGBin, ServerPostgres)
}

// TLSConfig returns a client TLS configuration that trusts only the test CA.
// ServerName is left empty: drivers fill it from the host they dial.
func TLSConfig(t testing.TB) *tls.Config {
	t.Helper()
	path := CA(t)
	pem, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read the test CA: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("read the test CA: no PEM certificate in %s", path)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// ModuleRoot returns the absolute path of the folder holding go.mod, found
// by walking up from the working directory (go test runs each package in
// its own folder).
func ModuleRoot(t testing.TB) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatalf("find the module root: %v", err)
	}
	return root
}

// SharedDir returns the absolute path of the shared folder beside the
// checkout (../shared from the module root), where the real-world corpus
// lives. Without it the test skips with one line, recorded in the ledger
// as SharedMissing; under DBGUARD_REQUIRE_SHARED=1 (.ci/run) it fails.
func SharedDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(filepath.Dir(ModuleRoot(t)), "shared")
	fi, err := os.Stat(dir)
	if err == nil && !fi.IsDir() {
		err = fmt.Errorf("%s is not a folder", dir)
	}
	if err == nil {
		_, err = os.ReadDir(dir)
	}
	if err != nil {
		msg := fmt.Sprintf("../shared not usable beside the checkout (%v): this test reads the shared real-world corpus, which only CI has", err)
		if os.Getenv(EnvRequireShared) == "1" {
			t.Fatal(msg + " (" + EnvRequireShared + "=1 makes this a failure)")
		}
		if err := record(SharedMissing, t.Name()); err != nil {
			t.Fatalf("record the skipped test: %v", err)
		}
		t.Skip(msg)
	}
	return dir
}

// lookup returns the variable's value, or skips (fails under
// DBGUARD_REQUIRE_SERVICES=1) when it is unset, and records the use of
// server in the ledger.
func lookup(t testing.TB, name, server string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		missing(t, name+" unset: run ./scripts/test.sh, which starts real servers")
	}
	if server != "" {
		if err := record(server, t.Name()); err != nil {
			t.Fatalf("record the integration test: %v", err)
		}
	}
	return v
}

// missing skips, or fails when the run requires every server.
func missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv(EnvRequire) == "1" {
		t.Fatal(msg + " (" + EnvRequire + "=1 makes this a failure)")
	}
	t.Skip(msg)
}

// record appends one ledger line, if a ledger is configured.
func record(server, test string) error {
	path := os.Getenv(EnvLedger)
	if path == "" {
		return nil
	}
	pkg := "."
	if wd, err := os.Getwd(); err == nil {
		pkg = wd
		if root, err := moduleRoot(); err == nil {
			if rel, err := filepath.Rel(root, wd); err == nil {
				pkg = rel
			}
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("open ledger: %w", err)
	}
	_, werr := f.Write([]byte(server + "\t" + test + "\t" + pkg + "\n"))
	cerr := f.Close()
	if werr != nil {
		return fmt.Errorf("write ledger: %w", werr)
	}
	if cerr != nil {
		return fmt.Errorf("close ledger: %w", cerr)
	}
	return nil
}

// errNoModule says the walk up reached the file system root.
var errNoModule = errors.New("no go.mod in the working directory or above")

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("get working directory: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errNoModule
		}
		dir = parent
	}
}

// Python3 returns the python3 that runs the corpus tools of ../shared
// (corpus-score). Call it after SharedDir: it is needed only where the
// shared folder is, and there its absence fails the test.
func Python3(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 not found: the corpus tools of ../shared need it")
	}
	return p
}
