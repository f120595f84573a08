package app_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/audit"
	"github.com/dbguard/dbguard/internal/testenv"
	"github.com/dbguard/dbguard/internal/verify"
)

// auditRepo is a git repository of the test's own with the files given,
// and a store request whose key and witness live outside it.
func auditRepo(t testing.TB, files map[string]string) (string, app.StoreRequest) {
	t.Helper()
	root := t.TempDir()
	repo := filepath.Join(root, "repo")
	if out, err := exec.Command("git", "init", "-q", repo).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	writeFiles(t, repo, files)
	env := map[string]string{"HOME": root, "XDG_CONFIG_HOME": filepath.Join(root, "config"), app.EnvActor: "auditor"}
	return repo, app.StoreRequest{Dir: repo, Getenv: func(k string) string { return env[k] }}
}

func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func runAudit(t *testing.T, repo string, st app.StoreRequest, env map[string]string, live bool) *audit.Report {
	t.Helper()
	return runAuditWindow(t, repo, st, env, live, 0)
}

// runAuditWindow audits with a certificate window (0: the default).
func runAuditWindow(t *testing.T, repo string, st app.StoreRequest, env map[string]string, live bool, window time.Duration) *audit.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := app.Audit(ctx, app.AuditRequest{
		Check:      app.CheckRequest{Scan: app.ScanRequest{Paths: []string{repo}}},
		Store:      st,
		Probe:      app.ProbeSettings{StageTimeout: 5 * time.Second},
		Resolve:    verify.ResolveOptions{Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok }},
		NoLive:     !live,
		CertWindow: window,
	})
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	return res.Report
}

// byRule returns the findings of rule.
func byRule(r *audit.Report, rule string) []audit.Finding {
	var out []audit.Finding
	for _, f := range r.Findings {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

func TestAuditDrift(t *testing.T) {
	const app1 = "database:\n  driver: postgres\n  host: db.internal\n  port: 5432\n  name: orders\n  user: orders\n  sslmode: require\n"
	repo, st := auditRepo(t, map[string]string{"config/app.yaml": app1})
	rec, err := app.Record(context.Background(), app.RecordRequest{Paths: []string{repo}, Store: st})
	if err != nil {
		t.Fatalf("record: %v", err)
	}
	rev := rec.Files[0].Revision

	first := runAudit(t, repo, st, nil, false)
	if got := byRule(first, audit.ConfigDrift); len(got) != 0 {
		t.Fatalf("drift right after record: %+v", got)
	}
	if first.Event == 0 || first.Trend.Previous != 0 {
		t.Fatalf("first audit: event %d, previous %d", first.Event, first.Trend.Previous)
	}

	writeFiles(t, repo, map[string]string{"config/app.yaml": strings.Replace(app1, "port: 5432", "port: 6432", 1)})
	second := runAudit(t, repo, st, nil, false)
	var port *audit.Finding
	for _, f := range byRule(second, audit.ConfigDrift) {
		if f.Field == "port" {
			port = &f
		}
	}
	if port == nil {
		t.Fatalf("no drift of port: %+v", second.Drift)
	}
	for _, want := range []string{"config/app.yaml#database", "6432", "5432", "revision " + rev[:12]} {
		if !strings.Contains(port.Message, want) {
			t.Errorf("drift finding %q does not name %q", port.Message, want)
		}
	}
	df := second.Drift.Files[0]
	if df.State != "drifted" || df.Revision != rev || df.Recorded.IsZero() {
		t.Errorf("drift file %+v, want drifted from %s with its time", df, rev)
	}
	if second.Trend.Previous != first.Event || len(second.Trend.New) == 0 {
		t.Errorf("trend %+v: want the drift new against event %d", second.Trend, first.Event)
	}

	// Back as recorded, with a comment added: no field drifts, and with the
	// key the content difference is still reported; the field drift is
	// fixed.
	writeFiles(t, repo, map[string]string{"config/app.yaml": "# reviewed\n" + app1})
	third := runAudit(t, repo, st, nil, false)
	if f := third.Drift.Files[0]; f.State != "drifted" || !f.ContentOnly || len(f.Fields) != 0 {
		t.Errorf("comment only: drift %+v, want content only", f)
	}
	if !contains(third.Trend.Fixed, port.Key) {
		t.Errorf("trend %+v does not count %s fixed", third.Trend, port.Key)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// TestAuditWeakPostgres starts a PostgreSQL with weak settings (ssl off,
// trust from 0.0.0.0/0, MD5 passwords, max_connections 10) and a fleet
// whose pools × replicas exceed it.
func TestAuditWeakPostgres(t *testing.T) {
	pg := testenv.StartThrowawayPG(t, "ssl = off\nmax_connections = 10\npassword_encryption = md5\n",
		"local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all 0.0.0.0/0 trust\n")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := pgconn.Connect(ctx, pg.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, "CREATE ROLE auditor LOGIN").ReadAll(); err != nil {
		t.Fatal(err)
	}
	c.Close(ctx)
	port := fmt.Sprint(pg.Port)
	repo, st := auditRepo(t, map[string]string{
		// 4 replicas × pool 5 = 20 against 10 − 3 reserved.
		"docker-compose.yml": "services:\n  api:\n    image: example/api:1\n    deploy:\n      replicas: 4\n    environment:\n" +
			"      DATABASE_URL: postgres://postgres@127.0.0.1:" + port + "/postgres?sslmode=disable\n      DB_MAX_OPEN_CONNS: 5\n",
		// The same server under another name, as a role that may not
		// read pg_hba_file_rules.
		"reports/app.yaml": "database:\n  driver: postgres\n  host: localhost\n  port: " + port + "\n  name: postgres\n  user: auditor\n  sslmode: disable\n",
	})
	rep := runAudit(t, repo, st, nil, true)
	server := "127.0.0.1:" + port
	for _, rule := range []string{audit.ServerSSLOff, audit.ServerHBATrustRemote, audit.ServerHBAPlaintext, audit.ServerPasswordMD5,
		audit.ServerIdleTxTimeoutOff, audit.CapacityExceeded} {
		got := byRule(rep, rule)
		if len(got) == 0 || got[0].Server != server {
			t.Errorf("no %s finding on %s: %+v", rule, server, got)
		}
	}
	for _, f := range byRule(rep, audit.ServerHBATrustRemote) {
		if !strings.Contains(f.Message, "line 3") || strings.Contains(f.Message, "line 2 ") {
			t.Errorf("trust finding %q: want line 3 (0.0.0.0/0) only", f.Message)
		}
	}
	if n := len(byRule(rep, audit.ServerHBATrustRemote)); n != 1 {
		t.Errorf("%d trust findings, want 1 (the loopback line is local)", n)
	}
	cap := byRule(rep, audit.CapacityExceeded)
	if len(cap) > 0 {
		for _, want := range []string{"4 replicas × pool 5 = 20 > 7 available on " + server, "max_connections 10 − 3 reserved", "live"} {
			if !strings.Contains(cap[0].Message, want) {
				t.Errorf("capacity finding %q lacks %q", cap[0].Message, want)
			}
		}
	}
	unread := byRule(rep, audit.ServerSettingsUnread)
	if len(unread) != 1 || unread[0].Server != "localhost:"+port || !strings.Contains(unread[0].Message, "pg_hba_file_rules") ||
		!strings.Contains(unread[0].Message, "pg_read_all_settings") {
		t.Errorf("want one unreadable finding for the auditor's pg_hba_file_rules on localhost:%s, got %+v", port, unread)
	}
	if len(rep.Servers) != 2 {
		t.Errorf("%d servers read, want 2 (one per address)", len(rep.Servers))
	}
}

// TestAuditTestServers reads the test command's servers: PostgreSQL over
// verify-full TLS as a role without superuser, PgBouncer's console, and
// MariaDB with require_secure_transport OFF and, for the test's length,
// an account with an empty password.
func TestAuditTestServers(t *testing.T) {
	pgTLS, err := url.Parse(testenv.PGTLS(t))
	if err != nil {
		t.Fatal(err)
	}
	pgb, err := url.Parse(testenv.PgBouncer(t))
	if err != nil {
		t.Fatal(err)
	}
	my := testenv.MySQLConfig(t)
	tlsPW, _ := pgTLS.User.Password()
	pgbPW, _ := pgb.User.Password()
	env := map[string]string{"PG_TLS_PW": tlsPW, "PGB_PW": pgbPW, "MY_PW": my.Passwd}
	files := map[string]string{
		"pg/app.yaml": "database:\n  driver: postgres\n  host: " + pgTLS.Hostname() + "\n  port: " + pgTLS.Port() + "\n  name: dbguard\n  user: dbguard_tls\n" +
			"  password: ${PG_TLS_PW}\n  sslmode: verify-full\n  sslrootcert: " + testenv.CA(t) + "\n",
		"bouncer/app.yaml": "database:\n  driver: postgres\n  host: " + pgb.Hostname() + "\n  port: " + pgb.Port() + "\n  name: dbguard\n  user: dbguard\n" +
			"  password: ${PGB_PW}\n  sslmode: disable\n",
		"maria/app.yaml": "database:\n  driver: mysql\n  host: 127.0.0.1\n  port: " + strings.TrimPrefix(my.Addr, "127.0.0.1:") + "\n  name: dbguard\n  user: " + my.User + "\n" +
			"  password: ${MY_PW}\n",
	}
	repo, st := auditRepo(t, files)

	db, err := sql.Open("mysql", testenv.MySQL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var was string
	if err := db.QueryRow("SELECT @@global.require_secure_transport").Scan(&was); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("SET GLOBAL require_secure_transport = OFF"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = db.Exec("SET GLOBAL require_secure_transport = " + was) })

	// The test certificates live a few days: a window of an hour judges
	// them valid, the default month would (rightly) report them.
	clean := runAuditWindow(t, repo, st, env, true, time.Hour)
	pgAddr, bAddr, myAddr := pgTLS.Host, pgb.Host, my.Addr
	for _, s := range clean.Servers {
		if s.Error != "" {
			t.Fatalf("server %s not read: %s", s.Address, s.Error)
		}
	}
	on := func(r *audit.Report, rule, server string) []audit.Finding {
		var out []audit.Finding
		for _, f := range byRule(r, rule) {
			if f.Server == server {
				out = append(out, f)
			}
		}
		return out
	}
	// The test PostgreSQL: TLS on, SCRAM, pg_hba for loopback only, a
	// certificate valid for long; its role may not read pg_hba_file_rules.
	for _, rule := range []string{audit.ServerSSLOff, audit.ServerHBATrustRemote, audit.ServerHBAPlaintext, audit.ServerPasswordMD5,
		audit.ServerTLSVersionOld, audit.ServerCertExpired, audit.ServerCertExpiring, audit.CapacityExceeded} {
		if got := on(clean, rule, pgAddr); len(got) > 0 {
			t.Errorf("the test PostgreSQL: unexpected %s: %+v", rule, got)
		}
	}
	for _, s := range clean.Servers {
		if s.Address == pgAddr && (!s.TLS || s.CertNotAfter == nil || s.Kind != "postgresql") {
			t.Errorf("the test PostgreSQL was not read over TLS: %+v", s)
		}
	}
	if got := on(runAudit(t, repo, st, env, true), audit.ServerCertExpiring, pgAddr); len(got) != 1 {
		t.Errorf("the test certificate expires within the default month: got %+v", got)
	}
	if got := on(clean, audit.ServerSettingsUnread, pgAddr); len(got) != 1 {
		t.Errorf("the test PostgreSQL as dbguard_tls: want one unreadable pg_hba_file_rules, got %+v", got)
	}
	// PgBouncer in transaction mode, its pool far below the server's 200.
	for _, rule := range []string{audit.PoolerSessionMode, audit.PoolerPoolExceedsServer, audit.ServerSettingsUnread, audit.ServerUnreachable} {
		if got := on(clean, rule, bAddr); len(got) > 0 {
			t.Errorf("the test PgBouncer: unexpected %s: %+v", rule, got)
		}
	}
	var bouncer *audit.Server
	for i := range clean.Servers {
		if clean.Servers[i].Address == bAddr {
			bouncer = &clean.Servers[i]
		}
	}
	if bouncer == nil || bouncer.Kind != "pgbouncer" || bouncer.Settings["pool_mode"] != "transaction" {
		t.Errorf("the test PgBouncer was not read as one: %+v", bouncer)
	}
	// MariaDB: its accounts read (the test user may), none with an empty
	// password yet (mariadb.sys is locked); plaintext allowed.
	for _, s := range clean.Servers {
		if s.Address == myAddr && (s.Kind != "mariadb" || len(s.Accounts) == 0 || len(s.Unread) > 0) {
			t.Errorf("the test MariaDB's accounts were not read: %+v", s)
		}
	}
	if got := on(clean, audit.ServerAccountEmptyPassword, myAddr); len(got) > 0 {
		t.Errorf("the test MariaDB: unexpected empty passwords: %+v", got)
	}
	if got := on(clean, audit.ServerTLSNotRequired, myAddr); len(got) != 1 {
		t.Errorf("the test MariaDB with require_secure_transport OFF: got %+v", got)
	}

	user := fmt.Sprintf("audit_empty_%d", time.Now().UnixNano()%1e9)
	if _, err := db.Exec("CREATE USER '" + user + "'@'localhost' IDENTIFIED BY ''"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = db.Exec("DROP USER '" + user + "'@'localhost'") })
	weak := runAuditWindow(t, repo, st, env, true, time.Hour)
	got := on(weak, audit.ServerAccountEmptyPassword, myAddr)
	if len(got) != 1 || !strings.Contains(got[0].Message, "'"+user+"'@'localhost'") {
		t.Errorf("the account with an empty password: got %+v", got)
	}
	if !contains(weak.Trend.New, audit.ServerAccountEmptyPassword+"|"+myAddr+"|account:'"+user+"'@'localhost'") {
		t.Errorf("the new account is not new in the trend: %+v", weak.Trend.New)
	}
	out, _ := json.Marshal(weak)
	for _, pw := range env {
		if pw != "" && strings.Contains(string(out), pw) {
			t.Errorf("the report holds a test password")
		}
	}
}
