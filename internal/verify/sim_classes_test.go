package verify_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/testenv"
	"github.com/dbguard/dbguard/internal/verify"
)

func TestSimulatedNetworkClasses(t *testing.T) {
	dns := startDNS(t, map[string]net.IP{"db.dbguard.test": net.IPv4(127, 0, 0, 1)})
	pg := conn{driver: "postgres", host: "127.0.0.1", db: "x", user: "u", pw: "canary-pw", tls: "disable"}
	my := conn{driver: "mysql", host: "127.0.0.1", db: "x", user: "u", pw: "canary-pw"}
	with := func(c conn, host string, port int) conn { c.host, c.port = host, port; return c }
	tls12 := pg
	tls12.tls, tls12.params = "require", map[string]string{"ssl_max_protocol_version": "TLSv1.2"}
	cases := []struct {
		name  string
		c     conn
		class verify.Class
		stage verify.Stage
		// resolver replaces the loopback DNS server when set.
		resolver verify.Resolver
	}{
		{"name does not resolve", with(pg, "missing.dbguard.test", 5432), verify.ClassDNSNotFound, verify.StageDNS, nil},
		{"dns server never answers", with(pg, "silent.dbguard.test", 5432), verify.ClassDNSTimeout, verify.StageDNS, nil},
		// A resolver that cannot be reached or fails the query says
		// nothing about the name: never dns_not_found.
		{"dns server answers SERVFAIL", with(pg, "servfail.dbguard.test", 5432), verify.ClassDNSServerFailed, verify.StageDNS, nil},
		{"dns server port closed", with(pg, "db.dbguard.test", 5432), verify.ClassDNSServerFailed, verify.StageDNS, closedDNSResolver(t)},
		{"resolved name, closed port", with(pg, "db.dbguard.test", testenv.ClosedPort(t)), verify.ClassTCPRefused, verify.StageTCP, nil},
		{"full listen backlog", with(pg, "127.0.0.1", fullBacklogPort(t)), verify.ClassTCPTimeout, verify.StageTCP, nil},
		{"accepts and says nothing (postgres)", with(pg, "127.0.0.1", testenv.SilentListener(t).Port), verify.ClassProtocolTimeout, verify.StageAuth, nil},
		{"accepts and says nothing (mysql)", with(my, "127.0.0.1", testenv.SilentListener(t).Port), verify.ClassProtocolTimeout, verify.StageAuth, nil},
		{"answers garbage (postgres)", with(pg, "127.0.0.1", garbagePort(t)), verify.ClassProtocolError, verify.StageAuth, nil},
		{"answers garbage to SSLRequest", with(func() conn { c := pg; c.tls = "require"; return c }(), "127.0.0.1", garbagePort(t)), verify.ClassProtocolError, verify.StageTLS, nil},
		{"answers garbage (mysql)", with(my, "127.0.0.1", garbagePort(t)), verify.ClassProtocolError, verify.StageAuth, nil},
		{"TLS 1.3 only server, client capped at 1.2", with(tls12, "127.0.0.1", tls13OnlyPort(t)), verify.ClassTLSHandshakeFailed, verify.StageTLS, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var res verify.Resolver = dns.resolver()
			if tc.resolver != nil {
				res = tc.resolver
			}
			p := newProber(verify.Options{Resolver: res, StageTimeout: 700 * time.Millisecond})
			expect(t, p.Probe(ctx, tc.c.profile(), verify.ResolveOptions{}), false, tc.class, tc.stage)
		})
	}
}

func TestThrowawayPostgresClasses(t *testing.T) {
	s := startThrowawayPG(t)
	base := conn{driver: "postgres", host: "127.0.0.1", port: s.Port, db: "postgres", user: "postgres", tls: "disable"}
	t.Run("ok", func(t *testing.T) {
		expect(t, probe(t, verify.Options{}, base), true, verify.ClassNone, "")
	})
	t.Run("sslmode=require against a server without TLS", func(t *testing.T) {
		c := base
		c.tls = "require"
		expect(t, probe(t, verify.Options{}, c), false, verify.ClassTLSNotSupportedByServer, verify.StageTLS)
	})
	t.Run("gss line in pg_hba", func(t *testing.T) {
		c := base
		c.user = "gss_user"
		expect(t, probe(t, verify.Options{}, c), false, verify.ClassAuthMethodUnsupported, verify.StageAuth)
	})
	t.Run("smart shutdown with a session held", func(t *testing.T) {
		s.smartShutdown(t)
		expect(t, probe(t, verify.Options{}, base), false, verify.ClassServerStartingOrStopping, verify.StageAuth)
	})
}
