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
	refused := base
	refused.port = testenv.ClosedPort(t)
	plainTLSUser := tls
	plainTLSUser.tls = "disable"
	badCA := tls
	badCA.ca = selfSignedCA(t)
	cases := append(loginCases(base, "dbguard_no_such_db"), []basicCase{
		{"ok", base, true, verify.ClassNone, ""},
		{"ok verify-full", tls, true, verify.ClassNone, ""},
		{"closed port", refused, false, verify.ClassTCPRefused, verify.StageTCP},
		{"tls required by pg_hba", plainTLSUser, false, verify.ClassTLSRequiredByServer, verify.StageTLS},
		{"certificate from another CA", badCA, false, verify.ClassTLSCertInvalid, verify.StageTLS},
	}...)
	runBasics(t, cases, nil)
}

func TestMariaDBBasics(t *testing.T) {
	base := fromMySQL(t, testenv.MySQL(t))
	tlsUser := fromMySQL(t, testenv.MySQLTLS(t))
	tlsUser.tls, tlsUser.ca = "verify-full", testenv.CA(t)
	plainTLSUser := tlsUser
	plainTLSUser.tls, plainTLSUser.ca = "", ""
	cases := append(loginCases(base, "dbguard_no_such_db"), []basicCase{
		{"ok", base, true, verify.ClassNone, ""},
		{"ok tls", tlsUser, true, verify.ClassNone, ""},
		{"require ssl user in plaintext", plainTLSUser, false, verify.ClassTLSRequiredByServer, verify.StageTLS},
	}...)
	runBasics(t, cases, nil)
}

func TestPgBouncerBasics(t *testing.T) {
	base := fromURL(t, testenv.PgBouncer(t))
	withPool := base
	withPool.pool, withPool.reps = 5, 2
	// A database name of this run's own: after a failed server login
	// PgBouncer holds the clients of that pool for server_login_retry
	// (15 s), so a second run (-count=2) would time out instead of hearing
	// the refusal.
	cases := append(loginCases(base, fmt.Sprintf("dbguard_no_such_db_%d", time.Now().UnixNano())),
		basicCase{"ok", withPool, true, verify.ClassNone, ""})
	runBasics(t, cases, func(t *testing.T, tc basicCase, r verify.Result) {
		if tc.ok && !r.Final().Pooler {
			t.Errorf("PgBouncer not recognised as a pooler")
		}
	})
}

// basicCase is one probe of a Basics test and the verdict it must reach.
type basicCase struct {
	name  string
	c     conn
	ok    bool
	class verify.Class
	stage verify.Stage
}

// loginCases are the cases every server's Basics test has: base with a
// wrong password, and base asking for a database named noDB, which the
// server does not have.
func loginCases(base conn, noDB string) []basicCase {
	bad, nodb := base, base
	bad.pw = "wrong-" + base.pw
	nodb.db = noDB
	return []basicCase{
		{"wrong password", bad, false, verify.ClassAuthFailed, verify.StageAuth},
		{"unknown database", nodb, false, verify.ClassDatabaseNotFound, verify.StageDatabase},
	}
}

// runBasics probes every case in parallel and checks its verdict; more,
// when not nil, looks further at the result.
func runBasics(t *testing.T, cases []basicCase, more func(*testing.T, basicCase, verify.Result)) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := probe(t, verify.Options{}, tc.c)
			expect(t, r, tc.ok, tc.class, tc.stage)
			if more != nil {
				more(t, tc, r)
			}
		})
	}
}
