package verify_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/testenv"
	"github.com/dbguard/dbguard/internal/verify"
)

func TestPostgresBasics(t *testing.T) {
	base := fromURL(t, testenv.PG(t))
	tls := fromURL(t, testenv.PGTLS(t))
	bad := base
	bad.pw = "wrong-" + base.pw
	nodb := base
	nodb.db = "dbguard_no_such_db"
	refused := base
	refused.port = closedPort(t)
	plainTLSUser := tls
	plainTLSUser.tls = "disable"
	badCA := tls
	badCA.ca = selfSignedCA(t)
	cases := []struct {
		name  string
		c     conn
		ok    bool
		class verify.Class
		stage verify.Stage
	}{
		{"ok", base, true, verify.ClassNone, ""},
		{"ok verify-full", tls, true, verify.ClassNone, ""},
		{"wrong password", bad, false, verify.ClassAuthFailed, verify.StageAuth},
		{"unknown database", nodb, false, verify.ClassDatabaseNotFound, verify.StageDatabase},
		{"closed port", refused, false, verify.ClassTCPRefused, verify.StageTCP},
		{"tls required by pg_hba", plainTLSUser, false, verify.ClassTLSRequiredByServer, verify.StageTLS},
		{"certificate from another CA", badCA, false, verify.ClassTLSCertInvalid, verify.StageTLS},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			expect(t, probe(t, verify.Options{}, tc.c), tc.ok, tc.class, tc.stage)
		})
	}
}

func TestMariaDBBasics(t *testing.T) {
	base := fromMySQL(t, testenv.MySQL(t))
	tlsUser := fromMySQL(t, testenv.MySQLTLS(t))
	tlsUser.tls, tlsUser.ca = "verify-full", testenv.CA(t)
	plainTLSUser := tlsUser
	plainTLSUser.tls, plainTLSUser.ca = "", ""
	bad := base
	bad.pw = "wrong-" + base.pw
	nodb := base
	nodb.db = "dbguard_no_such_db"
	cases := []struct {
		name  string
		c     conn
		ok    bool
		class verify.Class
		stage verify.Stage
	}{
		{"ok", base, true, verify.ClassNone, ""},
		{"ok tls", tlsUser, true, verify.ClassNone, ""},
		{"wrong password", bad, false, verify.ClassAuthFailed, verify.StageAuth},
		{"unknown database", nodb, false, verify.ClassDatabaseNotFound, verify.StageDatabase},
		{"require ssl user in plaintext", plainTLSUser, false, verify.ClassTLSRequiredByServer, verify.StageTLS},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			expect(t, probe(t, verify.Options{}, tc.c), tc.ok, tc.class, tc.stage)
		})
	}
}

func TestPgBouncerBasics(t *testing.T) {
	base := fromURL(t, testenv.PgBouncer(t))
	bad := base
	bad.pw = "wrong-" + base.pw
	nodb := base
	// A name of this run's own: after a failed server login PgBouncer
	// holds the clients of that pool for server_login_retry (15 s), so a
	// second run (-count=2) would time out instead of hearing the refusal.
	nodb.db = fmt.Sprintf("dbguard_no_such_db_%d", time.Now().UnixNano())
	withPool := base
	withPool.pool, withPool.reps = 5, 2
	cases := []struct {
		name  string
		c     conn
		ok    bool
		class verify.Class
		stage verify.Stage
	}{
		{"ok", withPool, true, verify.ClassNone, ""},
		{"wrong password", bad, false, verify.ClassAuthFailed, verify.StageAuth},
		{"unknown database", nodb, false, verify.ClassDatabaseNotFound, verify.StageDatabase},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := probe(t, verify.Options{}, tc.c)
			expect(t, r, tc.ok, tc.class, tc.stage)
			if tc.ok && !r.Final().Pooler {
				t.Errorf("PgBouncer not recognised as a pooler")
			}
		})
	}
}
