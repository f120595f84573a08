package policy_test

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/profile"
)

// v is a literal value at line n of the fixture's file.
func v(text string, line int) profile.Value {
	return profile.V(text, profile.Location{File: "app.yaml", Line: line, Column: 3})
}

// interp is an unresolved ${VAR} value, with a default when def != "-".
func interp(text, def string, line int) profile.Value {
	val := v(text, line)
	val.Unresolved = true
	if def != "-" {
		val.Default, val.HasDefault = def, true
	}
	return val
}

// base is a clean production PostgreSQL client profile: every built-in
// rule passes on it.
func base() *profile.Profile {
	return &profile.Profile{
		ID: "app.yaml#database", File: "app.yaml", KeyPath: "database", Name: "database", Format: "generic",
		Environment: profile.Production,
		Driver:      v("postgres", 2),
		Hosts:       []profile.Host{{Host: v("orders-db.prod.internal", 3), Port: v("5432", 4)}},
		Database:    v("orders", 5),
		User:        v("orders_app", 6),
		Password:    profile.Password{Set: true, Known: true, Source: "env:DB_PASSWORD", Unresolved: true, Loc: profile.Location{File: "app.yaml", Line: 7, Column: 3}},
		TLS:         profile.TLS{Mode: v("verify-full", 8), Key: "sslmode", CA: v("/etc/ssl/ca.pem", 9)},
		Pool:        profile.Pool{MaxOpen: v("20", 10), MaxIdle: v("5", 11), MaxLifetime: v("30m", 12)},
		Timeouts:    profile.Timeouts{Connect: v("5", 13), Statement: v("30s", 14)},
	}
}

func with(mods ...func(p *profile.Profile)) []*profile.Profile {
	p := base()
	for _, m := range mods {
		m(p)
	}
	return []*profile.Profile{p}
}

func literalPassword(secret string, line int) profile.Password {
	return profile.Password{Set: true, Known: true, Source: "literal", Secret: profile.NewSecret(secret),
		Loc: profile.Location{File: "app.yaml", Line: line, Column: 3}}
}

// server is a compose database container in app.yaml.
func server(mods ...func(p *profile.Profile)) *profile.Profile {
	p := &profile.Profile{
		ID: "app.yaml#services.db", File: "app.yaml", KeyPath: "services.db", Name: "db", Format: "compose",
		ServerSide: true, Driver: v("postgres", 20),
		Hosts:    []profile.Host{{Host: v("db", 20), Port: v("5432", 21)}},
		Database: v("orders", 22), User: v("orders_app", 23),
		Params: map[string]profile.Value{"max_connections": v("100", 24)},
	}
	for _, m := range mods {
		m(p)
	}
	return p
}

// composeClient is a compose client of server().
func composeClient(mods ...func(p *profile.Profile)) []*profile.Profile {
	ps := with(func(p *profile.Profile) {
		p.Format, p.Name = "compose", "app"
		p.Hosts = []profile.Host{{Host: v("db", 3), Port: v("5432", 4)}}
	})
	for _, m := range mods {
		m(ps[0])
	}
	return append(ps, server())
}

type ruleCase struct {
	rule  string
	name  string
	in    []*profile.Profile
	notes []policy.KeyNote
	set   *policy.Settings
	want  int    // findings of rule
	field string // field of the first finding, when want > 0
}

func ruleCases() []ruleCase {
	prod := func(p *profile.Profile) {}
	staging := func(p *profile.Profile) {
		p.Environment = profile.Staging
		p.Hosts[0].Host = v("orders-db.staging.internal", 3)
	}
	return []ruleCase{
		{policy.ConnectionStringInvalid, "fail", with(func(p *profile.Profile) {
			p.SetParam("url_error", v("invalid port \"54x2\"", 3))
		}), nil, nil, 1, "params.url"},
		{policy.ConnectionStringInvalid, "pass", with(prod), nil, nil, 0, ""},

		{policy.DriverUnknown, "fail", with(func(p *profile.Profile) { p.Driver = v("postgersql", 2) }), nil, nil, 1, "driver"},
		{policy.DriverUnknown, "pass", with(prod), nil, nil, 0, ""},

		{policy.PortInvalid, "fail out of range", with(func(p *profile.Profile) { p.Hosts[0].Port = v("65536", 4) }), nil, nil, 1, "port"},
		{policy.PortInvalid, "fail zero", with(func(p *profile.Profile) { p.Hosts[0].Port = v("0", 4) }), nil, nil, 1, "port"},
		{policy.PortInvalid, "fail not a number", with(func(p *profile.Profile) { p.Hosts[0].Port = v("54x2", 4) }), nil, nil, 1, "port"},
		{policy.PortInvalid, "fail default", with(func(p *profile.Profile) { p.Hosts[0].Port = interp("${DB_PORT:-99999}", "99999", 4) }), nil, nil, 1, "port"},
		{policy.PortInvalid, "pass", with(prod), nil, nil, 0, ""},
		{policy.PortInvalid, "pass unresolved", with(func(p *profile.Profile) { p.Hosts[0].Port = interp("${DB_PORT}", "-", 4) }), nil, nil, 0, ""},

		{policy.HostEmpty, "fail", with(func(p *profile.Profile) { p.Hosts[0].Host = v("", 3) }), nil, nil, 1, "host"},
		{policy.HostEmpty, "pass", with(prod), nil, nil, 0, ""},

		{policy.HostPlaceholderProduction, "fail localhost", with(func(p *profile.Profile) { p.Hosts[0].Host = v("localhost", 3) }), nil, nil, 1, "host"},
		{policy.HostPlaceholderProduction, "fail example.com", with(func(p *profile.Profile) { p.Hosts[0].Host = v("db.example.com", 3) }), nil, nil, 1, "host"},
		{policy.HostPlaceholderProduction, "fail changeme", with(func(p *profile.Profile) { p.Hosts[0].Host = v("changeme", 3) }), nil, nil, 1, "host"},
		{policy.HostPlaceholderProduction, "pass", with(prod), nil, nil, 0, ""},
		{policy.HostPlaceholderProduction, "pass staging", with(func(p *profile.Profile) {
			p.Environment = profile.Staging
			p.Hosts[0].Host = v("localhost", 3)
		}), nil, nil, 0, ""},
		{policy.HostPlaceholderProduction, "pass unix socket", with(func(p *profile.Profile) {
			p.Hosts[0] = profile.Host{Host: v("/cloudsql/proj:region:db", 3), Socket: true}
		}), nil, nil, 0, ""},
		{policy.HostPlaceholderProduction, "pass sidecar", with(func(p *profile.Profile) {
			p.Hosts[0].Host = v("127.0.0.1", 3)
			p.SetParam("sidecars", v("cloud-sql-proxy", 30))
		}), nil, nil, 0, ""},

		{policy.TLSDisabledProduction, "fail disable", with(func(p *profile.Profile) { p.TLS = profile.TLS{Mode: v("disable", 8), Key: "sslmode"} }), nil, nil, 1, "tls"},
		{policy.TLSDisabledProduction, "fail prefer", with(func(p *profile.Profile) { p.TLS = profile.TLS{Mode: v("prefer", 8), Key: "sslmode"} }), nil, nil, 1, "tls"},
		{policy.TLSDisabledProduction, "fail allow", with(func(p *profile.Profile) { p.TLS = profile.TLS{Mode: v("allow", 8), Key: "sslmode"} }), nil, nil, 1, "tls"},
		{policy.TLSDisabledProduction, "fail mysql tls=false", with(func(p *profile.Profile) {
			p.Driver = v("mysql", 2)
			p.TLS = profile.TLS{Mode: v("false", 8), Key: "tls"}
		}), nil, nil, 1, "tls"},
		{policy.TLSDisabledProduction, "fail useSSL=false", with(func(p *profile.Profile) {
			p.Driver = v("mysql", 2)
			p.TLS = profile.TLS{Mode: v("false", 8), Key: "useSSL"}
		}), nil, nil, 1, "tls"},
		{policy.TLSDisabledProduction, "fail Encrypt=false", with(func(p *profile.Profile) {
			p.Driver = v("sqlserver", 2)
			p.TLS = profile.TLS{Mode: v("False", 8), Key: "Encrypt"}
		}), nil, nil, 1, "tls"},
		{policy.TLSDisabledProduction, "pass", with(prod), nil, nil, 0, ""},
		{policy.TLSDisabledProduction, "pass development", with(func(p *profile.Profile) {
			p.Environment = profile.Development
			p.TLS = profile.TLS{Mode: v("disable", 8), Key: "sslmode"}
		}), nil, nil, 0, ""},

		{policy.TLSUnverifiedProduction, "fail require", with(func(p *profile.Profile) { p.TLS = profile.TLS{Mode: v("require", 8), Key: "sslmode"} }), nil, nil, 1, "tls"},
		{policy.TLSUnverifiedProduction, "fail skip-verify", with(func(p *profile.Profile) {
			p.Driver = v("mysql", 2)
			p.TLS = profile.TLS{Mode: v("skip-verify", 8), Key: "tls"}
		}), nil, nil, 1, "tls"},
		{policy.TLSUnverifiedProduction, "fail TrustServerCertificate", with(func(p *profile.Profile) {
			p.Driver = v("sqlserver", 2)
			p.TLS = profile.TLS{Mode: v("True", 8), Key: "Encrypt", Verify: v("True", 9)}
		}), nil, nil, 1, "tls.verify"},
		{policy.TLSUnverifiedProduction, "pass", with(prod), nil, nil, 0, ""},
		{policy.TLSUnverifiedProduction, "pass require with root cert", with(func(p *profile.Profile) { p.TLS.Mode = v("require", 8) }), nil, nil, 0, ""},

		{policy.TLSNotConfiguredProduction, "fail", with(func(p *profile.Profile) { p.TLS = profile.TLS{} }), nil, nil, 1, "tls"},
		{policy.TLSNotConfiguredProduction, "pass", with(prod), nil, nil, 0, ""},

		{policy.PasswordLiteral, "fail", with(func(p *profile.Profile) { p.Password = literalPassword("hunter2-canary", 7) }), nil, nil, 1, "password"},
		{policy.PasswordLiteral, "pass env", with(prod), nil, nil, 0, ""},
		{policy.PasswordLiteral, "pass file", with(func(p *profile.Profile) {
			p.Password = profile.Password{Set: true, Known: true, Source: "file:/run/secrets/db"}
		}), nil, nil, 0, ""},

		{policy.PasswordNeedsEncoding, "fail", with(func(p *profile.Profile) {
			p.Password = literalPassword("p@ss#word", 7)
			p.Password.NeedsEncoding = true
		}), nil, nil, 1, "password"},
		{policy.PasswordNeedsEncoding, "pass", with(func(p *profile.Profile) { p.Password = literalPassword("pass:word", 7) }), nil, nil, 0, ""},

		{policy.PasswordSharedAcross, "fail", append(with(func(p *profile.Profile) { p.Password = literalPassword("Tr0ub4dor", 7) }),
			with(staging, func(p *profile.Profile) {
				p.ID, p.KeyPath = "app.yaml#staging", "staging"
				p.Password = literalPassword("Tr0ub4dor", 17)
			})...), nil, nil, 1, "password"},
		{policy.PasswordSharedAcross, "pass", append(with(func(p *profile.Profile) { p.Password = literalPassword("Tr0ub4dor", 7) }),
			with(staging, func(p *profile.Profile) {
				p.ID, p.KeyPath = "app.yaml#staging", "staging"
				p.Password = literalPassword("another-one", 17)
			})...), nil, nil, 0, ""},

		{policy.ConnectTimeoutMissing, "fail", with(func(p *profile.Profile) { p.Timeouts.Connect = profile.Value{} }), nil, nil, 1, "timeouts.connect"},
		{policy.ConnectTimeoutMissing, "pass", with(prod), nil, nil, 0, ""},
		{policy.ConnectTimeoutMissing, "pass jdbc has a default", with(func(p *profile.Profile) {
			p.Timeouts.Connect = profile.Value{}
			p.SetParam("url", v("jdbc:postgresql://orders-db.prod.internal:5432/orders", 3))
		}), nil, nil, 0, ""},

		{policy.ConnectTimeoutDriverOnly, "fail", with(func(p *profile.Profile) {
			p.Timeouts.Connect = profile.Value{}
			p.SetParam("url", v("jdbc:postgresql://orders-db.prod.internal:5432/orders", 3))
		}), nil, nil, 1, "timeouts.connect"},
		{policy.ConnectTimeoutDriverOnly, "pass", with(prod), nil, nil, 0, ""},

		{policy.ConnectTimeoutTooLong, "fail seconds", with(func(p *profile.Profile) { p.Timeouts.Connect = v("120", 13) }), nil, nil, 1, "timeouts.connect"},
		{policy.ConnectTimeoutTooLong, "fail duration", with(func(p *profile.Profile) { p.Timeouts.Connect = v("1m", 13) }), nil, nil, 1, "timeouts.connect"},
		{policy.ConnectTimeoutTooLong, "fail milliseconds", with(func(p *profile.Profile) { p.Timeouts.Connect = v("60000", 13) }), nil, nil, 1, "timeouts.connect"},
		{policy.ConnectTimeoutTooLong, "fail zero", with(func(p *profile.Profile) { p.Timeouts.Connect = v("0", 13) }), nil, nil, 1, "timeouts.connect"},
		{policy.ConnectTimeoutTooLong, "pass", with(prod), nil, nil, 0, ""},
		{policy.ConnectTimeoutTooLong, "pass milliseconds", with(func(p *profile.Profile) { p.Timeouts.Connect = v("5000", 13) }), nil, nil, 0, ""},

		{policy.StatementTimeoutMissing, "fail", with(func(p *profile.Profile) { p.Timeouts.Statement = profile.Value{} }), nil, nil, 1, "timeouts.statement"},
		{policy.StatementTimeoutMissing, "pass", with(prod), nil, nil, 0, ""},

		{policy.PoolUnbounded, "fail", with(func(p *profile.Profile) { p.Pool.MaxOpen = v("0", 10) }), nil, nil, 1, "pool.max_open"},
		{policy.PoolUnbounded, "pass", with(prod), nil, nil, 0, ""},

		{policy.PoolTooLarge, "fail", with(func(p *profile.Profile) { p.Pool.MaxOpen = v("500", 10) }), nil, nil, 1, "pool.max_open"},
		{policy.PoolTooLarge, "pass", with(prod), nil, nil, 0, ""},
		{policy.PoolTooLarge, "pass raised ceiling", with(func(p *profile.Profile) { p.Pool.MaxOpen = v("500", 10) }), nil,
			&policy.Settings{PoolCeiling: 600, MaxConnectTimeout: 30e9}, 0, ""},

		{policy.PoolIdleAboveOpen, "fail", with(func(p *profile.Profile) { p.Pool.MaxIdle = v("50", 11) }), nil, nil, 1, "pool.max_idle"},
		{policy.PoolIdleAboveOpen, "pass", with(prod), nil, nil, 0, ""},

		{policy.PoolLifetimeMissing, "fail", with(func(p *profile.Profile) { p.Pool.MaxLifetime = profile.Value{} }), nil, nil, 1, "pool.max_lifetime"},
		{policy.PoolLifetimeMissing, "pass", with(prod), nil, nil, 0, ""},

		{policy.PoolLifetimeAboveIdle, "fail", func() []*profile.Profile {
			ps := composeClient(func(p *profile.Profile) { p.Pool.MaxLifetime = v("1h", 12) })
			ps[1].SetParam("idle_session_timeout", v("60000", 25))
			return ps
		}(), nil, nil, 1, "pool.max_lifetime"},
		{policy.PoolLifetimeAboveIdle, "pass", func() []*profile.Profile {
			ps := composeClient(func(p *profile.Profile) { p.Pool.MaxLifetime = v("30s", 12) })
			ps[1].SetParam("idle_session_timeout", v("60000", 25))
			return ps
		}(), nil, nil, 0, ""},

		{policy.PoolExceedsServer, "fail", composeClient(func(p *profile.Profile) {
			p.Pool.MaxOpen = v("40", 10)
			p.Replicas = profile.Replicas{Count: v("4", 15), Source: "compose"}
		}), nil, nil, 1, "pool.max_open"},
		{policy.PoolExceedsServer, "fail surge", composeClient(func(p *profile.Profile) {
			p.Pool.MaxOpen = v("20", 10)
			p.Replicas = profile.Replicas{Count: v("4", 15), Source: "deployment", Surge: v("1", 16)}
		}), nil, nil, 1, "pool.max_open"},
		{policy.PoolExceedsServer, "pass", composeClient(func(p *profile.Profile) {
			p.Pool.MaxOpen = v("20", 10)
			p.Replicas = profile.Replicas{Count: v("4", 15), Source: "compose"}
		}), nil, nil, 0, ""},
		{policy.PoolExceedsServer, "fail inventory", with(func(p *profile.Profile) {
			p.Replicas = profile.Replicas{Count: v("10", 15), Source: "hpa"}
		}), nil, &policy.Settings{PoolCeiling: 100, MaxConnectTimeout: 30e9, Inventory: []policy.Server{{
			Name: "orders", Hosts: []string{"orders-db.*.internal"}, Kind: "postgres", MaxConnections: 150, Reserved: 3}}}, 1, "pool.max_open"},

		{policy.PoolExceedsBouncerClient, "fail", with(func(p *profile.Profile) { p.Replicas = profile.Replicas{Count: v("10", 15)} }), nil,
			&policy.Settings{PoolCeiling: 100, MaxConnectTimeout: 30e9, Inventory: []policy.Server{{
				Name: "bouncer", Hosts: []string{"orders-db.prod.internal"}, Kind: "pgbouncer", MaxClientConn: 100}}}, 1, "pool.max_open"},
		{policy.PoolExceedsBouncerClient, "pass", with(func(p *profile.Profile) { p.Replicas = profile.Replicas{Count: v("2", 15)} }), nil,
			&policy.Settings{PoolCeiling: 100, MaxConnectTimeout: 30e9, Inventory: []policy.Server{{
				Name: "bouncer", Hosts: []string{"orders-db.prod.internal"}, Kind: "pgbouncer", MaxClientConn: 100}}}, 0, ""},

		{policy.PoolExceedsBouncerPool, "fail", with(prod), nil,
			&policy.Settings{PoolCeiling: 100, MaxConnectTimeout: 30e9, Inventory: []policy.Server{{
				Name: "bouncer", Hosts: []string{"orders-db.prod.internal"}, Kind: "pgbouncer", PoolSize: 10}}}, 1, "pool.max_open"},
		{policy.PoolExceedsBouncerPool, "pass", with(prod), nil,
			&policy.Settings{PoolCeiling: 100, MaxConnectTimeout: 30e9, Inventory: []policy.Server{{
				Name: "bouncer", Hosts: []string{"orders-db.prod.internal"}, Kind: "pgbouncer", PoolSize: 40}}}, 0, ""},

		{policy.ProductionNamesNonProduction, "fail host", with(func(p *profile.Profile) { p.Hosts[0].Host = v("orders-db.staging.internal", 3) }), nil, nil, 1, "host"},
		{policy.ProductionNamesNonProduction, "fail database", with(func(p *profile.Profile) { p.Database = v("orders_test", 5) }), nil, nil, 1, "database"},
		{policy.ProductionNamesNonProduction, "pass", with(prod), nil, nil, 0, ""},

		{policy.NonProductionNamesProduction, "fail", with(func(p *profile.Profile) { p.Environment = profile.Staging }), nil, nil, 1, "host"},
		{policy.NonProductionNamesProduction, "pass", with(staging), nil, nil, 0, ""},

		{policy.UnresolvedProduction, "fail", with(func(p *profile.Profile) { p.Hosts[0].Host = interp("${DB_HOST}", "-", 3) }), nil, nil, 1, "unresolved"},
		{policy.UnresolvedProduction, "pass default", with(func(p *profile.Profile) {
			p.Hosts[0].Host = interp("${DB_HOST:-orders-db.prod.internal}", "orders-db.prod.internal", 3)
		}), nil, nil, 0, ""},
		{policy.UnresolvedProduction, "pass password", with(prod), nil, nil, 0, ""},

		{policy.DefaultLocalProduction, "fail", with(func(p *profile.Profile) { p.Hosts[0].Host = interp("${DB_HOST:-localhost}", "localhost", 3) }), nil, nil, 1, "host"},
		{policy.DefaultLocalProduction, "pass", with(func(p *profile.Profile) { p.Hosts[0].Host = interp("${DB_HOST:-prod-db}", "prod-db", 3) }), nil, nil, 0, ""},

		{policy.DuplicateKey, "fail", with(prod), []policy.KeyNote{{Kind: "duplicate", Key: "host", Block: "database", Profile: "app.yaml#database",
			Loc: profile.Location{File: "app.yaml", Line: 9, Column: 3}, Other: profile.Location{File: "app.yaml", Line: 3, Column: 3}}}, nil, 1, ""},
		{policy.DuplicateKey, "pass", with(prod), nil, nil, 0, ""},

		{policy.KeyOutsideBlock, "fail", with(prod), []policy.KeyNote{{Kind: "stray", Key: "max_open_conns", Block: "database", Profile: "app.yaml#database",
			Loc: profile.Location{File: "app.yaml", Line: 15, Column: 1}, Other: profile.Location{File: "app.yaml", Line: 1, Column: 1}}}, nil, 1, ""},
		{policy.KeyOutsideBlock, "pass", with(prod), []policy.KeyNote{{Kind: "duplicate", Key: "host"}}, nil, 0, ""},

		{policy.MultiHostNoTargetSession, "fail", with(func(p *profile.Profile) {
			p.Hosts = append(p.Hosts, profile.Host{Host: v("orders-db-b.prod.internal", 3), Port: v("5432", 3)})
		}), nil, nil, 1, "hosts"},
		{policy.MultiHostNoTargetSession, "pass", with(func(p *profile.Profile) {
			p.Hosts = append(p.Hosts, profile.Host{Host: v("orders-db-b.prod.internal", 3), Port: v("5432", 3)})
			p.SetParam("target_session_attrs", v("read-write", 3))
		}), nil, nil, 0, ""},

		{policy.WriterUsesReader, "fail", with(func(p *profile.Profile) {
			p.Name, p.KeyPath = "production.primary", "production.primary"
			p.Hosts[0].Host = v("orders.cluster-ro-abc.eu-west-1.rds.amazonaws.com", 3)
		}), nil, nil, 1, "host"},
		{policy.WriterUsesReader, "pass", with(func(p *profile.Profile) {
			p.Name, p.KeyPath = "production.replica", "production.replica"
			p.Hosts[0].Host = v("orders.cluster-ro-abc.eu-west-1.rds.amazonaws.com", 3)
		}), nil, nil, 0, ""},

		{policy.FleetInconsistent, "fail", fleet("5432", "5432", "5433"), nil, nil, 1, "port"},
		{policy.FleetInconsistent, "pass", fleet("5432", "5432", "5432"), nil, nil, 0, ""},

		{policy.ClientServerPort, "fail", composeClient(func(p *profile.Profile) { p.Hosts[0].Port = v("5433", 4) }), nil, nil, 1, "port"},
		{policy.ClientServerPort, "pass", composeClient(), nil, nil, 0, ""},

		{policy.ClientServerTLS, "fail", func() []*profile.Profile {
			ps := composeClient()
			ps[1].TLS = profile.TLS{Mode: v("off", 26), Key: "ssl"}
			return ps
		}(), nil, nil, 1, "tls"},
		{policy.ClientServerTLS, "pass", func() []*profile.Profile {
			ps := composeClient()
			ps[1].TLS = profile.TLS{Mode: v("on", 26), Key: "ssl"}
			return ps
		}(), nil, nil, 0, ""},

		{policy.ClientServerDatabase, "fail", composeClient(func(p *profile.Profile) { p.Database = v("order", 5) }), nil, nil, 1, "database"},
		{policy.ClientServerDatabase, "pass", composeClient(), nil, nil, 0, ""},

		{policy.ClientServerUser, "fail", composeClient(func(p *profile.Profile) { p.User = v("someone", 6) }), nil, nil, 1, "user"},
		{policy.ClientServerUser, "pass", composeClient(), nil, nil, 0, ""},
	}
}

// fleet is the same service's profile in three region folders.
func fleet(ports ...string) []*profile.Profile {
	var ps []*profile.Profile
	for i, port := range ports {
		region := []string{"eu", "us", "ap"}[i]
		p := base()
		p.File = "deploy/" + region + "/orders.yaml"
		p.ID = p.File + "#database"
		p.Hosts[0] = profile.Host{Host: v("orders-db."+region+".prod.internal", 3), Port: v(port, 4)}
		for _, val := range []*profile.Value{&p.Hosts[0].Host, &p.Hosts[0].Port} {
			val.Loc.File = p.File
		}
		ps = append(ps, p)
	}
	return ps
}

// Every built-in rule has a failing and a passing case, and the failing
// case reports at the expected field, with location, message, remediation
// and help page.
func TestBuiltinRules(t *testing.T) {
	t.Parallel()
	covered := map[string][2]bool{}
	for _, tc := range ruleCases() {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			r, ok := policy.Lookup(tc.rule)
			if !ok {
				t.Fatalf("no rule %s", tc.rule)
			}
			rep := policy.Evaluate(policy.Input{Profiles: tc.in, Notes: tc.notes}, []*policy.Rule{r}, tc.set)
			if len(rep.Findings) != tc.want {
				t.Fatalf("%d findings, want %d: %+v", len(rep.Findings), tc.want, rep.Findings)
			}
			for _, f := range rep.Findings {
				if f.Rule != tc.rule || f.Message == "" || f.Remediation == "" || f.Help != "docs/rules/"+tc.rule+".md" {
					t.Errorf("incomplete finding %+v", f)
				}
				if f.Loc.File == "" || f.Loc.Line == 0 && tc.rule != policy.TLSNotConfiguredProduction {
					t.Errorf("finding without a location: %+v", f)
				}
				if strings.Contains(f.Message, "hunter2") || strings.Contains(f.Message, "Tr0ub4dor") || strings.Contains(f.Message, "p@ss") {
					t.Errorf("finding prints a secret: %s", f.Message)
				}
			}
			if tc.want > 0 && rep.Findings[0].Field != tc.field {
				t.Errorf("field %q, want %q", rep.Findings[0].Field, tc.field)
			}
		})
		c := covered[tc.rule]
		if tc.want > 0 {
			c[0] = true
		} else {
			c[1] = true
		}
		covered[tc.rule] = c
	}
	for _, r := range policy.Builtins() {
		if r.ID == policy.InputUnreadable || r.ID == policy.SuppressionWithoutReason {
			continue
		}
		if c := covered[r.ID]; !c[0] || !c[1] {
			t.Errorf("rule %s lacks a failing or a passing case (%v)", r.ID, c)
		}
	}
}

// The clean base profile passes every built-in rule at once.
func TestCleanProfilePassesAll(t *testing.T) {
	t.Parallel()
	rep := policy.Evaluate(policy.Input{Profiles: with()}, policy.Builtins(), nil)
	for _, f := range rep.Findings {
		t.Errorf("clean profile: %s: %s", f.Rule, f.Message)
	}
}

func TestInputUnreadable(t *testing.T) {
	t.Parallel()
	in := policy.Input{Problems: []profile.Problem{{Loc: profile.Location{File: "bad.yaml", Line: 3}, Msg: "invalid YAML"}}}
	rep := policy.Evaluate(in, policy.Builtins(), nil)
	if len(rep.Findings) != 1 || rep.Findings[0].Rule != policy.InputUnreadable || rep.Findings[0].Severity != policy.Error {
		t.Fatalf("findings %+v", rep.Findings)
	}
}

// dbguard.yaml can change a rule's severity, disable it, or scope it to
// environments.
func TestRuleSettings(t *testing.T) {
	t.Parallel()
	in := policy.Input{Profiles: with(func(p *profile.Profile) { p.Password = literalPassword("x-canary", 7) })}
	cases := []struct {
		name string
		rs   policy.RuleSetting
		want int
		sev  policy.Severity
	}{
		{"default", policy.RuleSetting{}, 1, policy.Error},
		{"severity", policy.RuleSetting{Severity: policy.Info}, 1, policy.Info},
		{"disabled", policy.RuleSetting{Disabled: true}, 0, 0},
		{"scoped out", policy.RuleSetting{Environments: []profile.Environment{profile.Development}}, 0, 0},
		{"scoped in", policy.RuleSetting{Environments: []profile.Environment{profile.Production}}, 1, policy.Error},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := policy.DefaultSettings()
			s.Rules = map[string]policy.RuleSetting{policy.PasswordLiteral: tc.rs}
			r, _ := policy.Lookup(policy.PasswordLiteral)
			rep := policy.Evaluate(in, []*policy.Rule{r}, s)
			if len(rep.Findings) != tc.want {
				t.Fatalf("%d findings, want %d", len(rep.Findings), tc.want)
			}
			if tc.want > 0 && rep.Findings[0].Severity != tc.sev {
				t.Errorf("severity %v, want %v", rep.Findings[0].Severity, tc.sev)
			}
		})
	}
}

// Rule ids are unique, kebab-case, and every rule is documented enough to
// render its page.
func TestRuleMetadata(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, r := range policy.Builtins() {
		if seen[r.ID] {
			t.Errorf("duplicate id %s", r.ID)
		}
		seen[r.ID] = true
		if strings.ToLower(r.ID) != r.ID || strings.ContainsAny(r.ID, " _.") {
			t.Errorf("id %q is not kebab-case", r.ID)
		}
		if r.Title == "" || r.Why == "" || r.Remediation == "" || r.Bad == "" || r.Good == "" || r.Severity == 0 {
			t.Errorf("rule %s lacks documentation", r.ID)
		}
		if r.Profile == nil && r.Set == nil && r.ID != policy.InputUnreadable && r.ID != policy.SuppressionWithoutReason {
			t.Errorf("rule %s checks nothing", r.ID)
		}
	}
}

var update = flag.Bool("update", false, "rewrite golden files and docs/rules pages")

func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("read %s (go test -update writes it): %v", file, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update to accept)\n--- got\n%s", file, got)
	}
}
