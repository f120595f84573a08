package verify_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/testenv"
	"github.com/dbguard/dbguard/internal/verify"
)

func unique(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + "_" + hex.EncodeToString(b[:])
}

// pgExec runs statements as the test superuser.
func pgExec(t *testing.T, stmts ...string) { t.Helper(); testenv.PGExec(t, stmts...) }

// pgRole creates a login role with a random password, dropped at cleanup.
func pgRole(t *testing.T, opts string) conn {
	t.Helper()
	name, pw := unique("dbguard_v"), unique("pw")
	pgExec(t, fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD '%s' %s", name, pw, opts))
	t.Cleanup(func() {
		pgExec(t, fmt.Sprintf("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '%s'", name),
			"DROP OWNED BY "+name, "DROP ROLE IF EXISTS "+name)
	})
	c := fromURL(t, testenv.PG(t))
	c.user, c.pw = name, pw
	return c
}

// hold opens a session for c and keeps it until cleanup.
func holdPG(t *testing.T, c conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u := fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable", c.user, url.QueryEscape(c.pw), c.host, c.port, c.db)
	pc, err := pgconn.Connect(ctx, u)
	if err != nil {
		t.Fatalf("hold a session: %v", err)
	}
	t.Cleanup(func() { pc.Close(context.Background()) })
}

func TestPostgresRoleClasses(t *testing.T) {
	t.Run("connection limit reached", func(t *testing.T) {
		t.Parallel()
		c := pgRole(t, "CONNECTION LIMIT 1")
		holdPG(t, c)
		expect(t, probe(t, verify.Options{}, c), false, verify.ClassTooManyConnections, verify.StageAuth)
	})
	t.Run("pool times replicas above the free connections", func(t *testing.T) {
		t.Parallel()
		c := pgRole(t, "CONNECTION LIMIT 5")
		c.pool, c.reps = 10, 3
		expect(t, probe(t, verify.Options{}, c), false, verify.ClassPoolCapacityExceeded, verify.StageCapacity)
		c.pool, c.reps = 2, 2
		expect(t, probe(t, verify.Options{}, c), true, verify.ClassNone, "")
	})
	t.Run("query beyond the statement timeout", func(t *testing.T) {
		t.Parallel()
		c := pgRole(t, "")
		expect(t, probe(t, verify.Options{Query: "SELECT pg_sleep(5)", StageTimeout: 300 * time.Millisecond}, c),
			false, verify.ClassQueryTimeout, verify.StageQuery)
	})
	t.Run("permission denied on the configured query", func(t *testing.T) {
		t.Parallel()
		c := pgRole(t, "")
		table := unique("dbguard_secret")
		pgExec(t, "CREATE TABLE "+table+" (id int)")
		t.Cleanup(func() { pgExec(t, "DROP TABLE IF EXISTS "+table) })
		expect(t, probe(t, verify.Options{Query: "SELECT * FROM " + table}, c), false, verify.ClassPermissionDenied, verify.StageQuery)
	})
	t.Run("read-only database for a writer", func(t *testing.T) {
		t.Parallel()
		c := pgRole(t, "")
		db := unique("dbguard_ro")
		pgExec(t, "CREATE DATABASE "+db, "ALTER DATABASE "+db+" SET default_transaction_read_only = on",
			"GRANT ALL ON DATABASE "+db+" TO "+c.user)
		t.Cleanup(func() { pgExec(t, "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)") })
		c.db = db
		expect(t, probe(t, verify.Options{}, c), true, verify.ClassNone, "")
		c.params = map[string]string{"target_session_attrs": "read-write"}
		expect(t, probe(t, verify.Options{}, c), false, verify.ClassReadOnlyServer, verify.StageQuery)
	})
	t.Run("write check rolls back", func(t *testing.T) {
		t.Parallel()
		c := pgRole(t, "")
		table := unique("dbguard_w")
		pgExec(t, "CREATE TABLE "+table+" (id serial, note text DEFAULT 'probe')", "GRANT ALL ON "+table+" TO "+c.user,
			"GRANT USAGE ON SEQUENCE "+table+"_id_seq TO "+c.user)
		t.Cleanup(func() { pgExec(t, "DROP TABLE IF EXISTS "+table) })
		expect(t, probe(t, verify.Options{WriteCheck: table}, c), true, verify.ClassNone, "")
		ctx := context.Background()
		pc, err := pgconn.Connect(ctx, testenv.PGSuper(t))
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close(ctx)
		res, err := pc.Exec(ctx, "SELECT count(*) FROM "+table).ReadAll()
		if err != nil || string(res[0].Rows[0][0]) != "0" {
			t.Fatalf("the write check left rows behind: %v %v", res, err)
		}
	})
	t.Run("first host down, second works", func(t *testing.T) {
		t.Parallel()
		c := fromURL(t, testenv.PG(t))
		p := c.profile()
		loc := profile.Location{File: "test.yaml", Line: 1}
		p.Hosts = append([]profile.Host{{Host: profile.V("127.0.0.1", loc), Port: profile.V(fmt.Sprint(testenv.ClosedPort(t)), loc)}}, p.Hosts...)
		r := newProber(verify.Options{}).Probe(context.Background(), p, verify.ResolveOptions{})
		if len(r.Attempts) != 2 || r.Attempts[0].Class != verify.ClassTCPRefused || !r.OK() || r.Decided != 1 {
			t.Fatalf("got %+v", r)
		}
	})
}

// myExec runs statements as the MariaDB test user (which may grant).
func myDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("mysql", testenv.MySQL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMariaDBUserClasses(t *testing.T) {
	admin := myDB(t)
	name, pw := unique("dbg_v"), unique("pw")
	for _, s := range []string{
		fmt.Sprintf("CREATE USER '%s'@'%%' IDENTIFIED BY '%s' WITH MAX_USER_CONNECTIONS 1", name, pw),
		fmt.Sprintf("GRANT SELECT ON dbguard.* TO '%s'@'%%'", name),
	} {
		if _, err := admin.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	t.Cleanup(func() { _, _ = admin.Exec(fmt.Sprintf("DROP USER IF EXISTS '%s'@'%%'", name)) })
	c := fromMySQL(t, testenv.MySQL(t))
	c.user, c.pw = name, pw
	t.Run("no rights on another database", func(t *testing.T) {
		d := c
		d.db = "mysql"
		expect(t, probe(t, verify.Options{}, d), false, verify.ClassPermissionDenied, verify.StageDatabase)
	})
	t.Run("max_user_connections reached", func(t *testing.T) {
		cfg := gomysql.NewConfig()
		cfg.User, cfg.Passwd, cfg.Net, cfg.Addr, cfg.DBName = c.user, c.pw, "tcp", fmt.Sprintf("%s:%d", c.host, c.port), c.db
		held, err := sql.Open("mysql", cfg.FormatDSN())
		if err != nil {
			t.Fatal(err)
		}
		defer held.Close()
		hc, err := held.Conn(context.Background())
		if err != nil {
			t.Fatalf("hold a session: %v", err)
		}
		defer hc.Close()
		expect(t, probe(t, verify.Options{}, c), false, verify.ClassTooManyConnections, verify.StageAuth)
	})
}
