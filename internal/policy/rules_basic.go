package policy

import (
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/dbguard/dbguard/internal/profile"
)

// Families 1 to 4: the connection string, the address, TLS, the password.

func parseRules() []*Rule {
	return []*Rule{
		{
			ID: ConnectionStringInvalid, Family: 1, Severity: Error,
			Title:       "A connection string cannot be parsed",
			Why:         "A connection string the driver cannot parse fails at the first connection attempt, in production, after the deploy. dbguard parses it the way the driver will and reports the first error. A string that cannot be parsed is where a password is most likely cut in the wrong place (a stray ';', quote, brace or '#', a missing '='), so the message quotes nothing from the first password-like key on, and the string is shown with everything from that key's value to its end masked. A password setting found inside another field (postgres://h/app;password=..., where the driver would read it as part of the database name) is reported here too.",
			Remediation: "Fix the connection string's syntax; percent-encode reserved characters in the user and password.",
			BadName:     ".env", Bad: "DATABASE_URL=postgres://app@[fd00::5:5432/orders\n",
			GoodName: ".env", Good: "DATABASE_URL=postgres://app@[fd00::5]:5432/orders\n",
			Profile: func(c *Context, p *profile.Profile) {
				if v, ok := p.Params["url_error"]; ok && v.Set {
					c.Report(p, "params.url", v.Loc, "connection string cannot be parsed: %s", v.Text)
				}
			},
		},
		{
			ID: DriverUnknown, Family: 1, Severity: Warning,
			Title:       "The database driver cannot be recognised",
			Why:         "When the driver is unknown, dbguard cannot apply the driver's defaults (TLS, timeouts, pool) and the application may not be able to load it at all.",
			Remediation: "Name a driver dbguard knows (postgres, mysql, sqlserver, ...) or fix a typo in the scheme or adapter.",
			BadName:     "config.yaml", Bad: "database:\n  adapter: postgersql\n  host: db.internal\n  port: 5432\n",
			GoodName: "config.yaml", Good: "database:\n  adapter: postgresql\n  host: db.internal\n  port: 5432\n",
			Profile: func(c *Context, p *profile.Profile) {
				if !p.Driver.Set || p.Driver.Unresolved && !p.Driver.HasDefault {
					return
				}
				d := driver(p)
				if d != "" && !slices.Contains(knownDrivers(), d) && !strings.Contains(d, "${") {
					c.Report(p, "driver", profile.Location{}, "driver %q is not one dbguard recognises, so its defaults (TLS, timeouts, pool) cannot be checked", d)
				}
			},
		},
	}
}

func addressRules() []*Rule {
	return []*Rule{
		{
			ID: PortInvalid, Family: 2, Severity: Error,
			Title:       "Port out of range or not a number",
			Why:         "A port outside 1-65535, or one that is not a number, can never connect; the error surfaces only at run time.",
			Remediation: "Set the port to the server's listening port, a number from 1 to 65535 (5432 for PostgreSQL, 3306 for MySQL).",
			BadName:     "config.yaml", Bad: "database:\n  driver: postgres\n  host: db.internal\n  port: 65536\n",
			GoodName: "config.yaml", Good: "database:\n  driver: postgres\n  host: db.internal\n  port: 5432\n",
			Profile: func(c *Context, p *profile.Profile) {
				for i, h := range p.Hosts {
					s, ok := eff(h.Port)
					if !ok || emptyPort(s) {
						continue // the driver's default port
					}
					n, err := strconv.Atoi(s)
					field := hostField(i, "port")
					switch {
					case err != nil:
						c.Report(p, field, h.Port.Loc, "port %q is not a number: the connection cannot be made", s)
					case n < 1 || n > 65535:
						c.Report(p, field, h.Port.Loc, "port %d is out of range (1-65535): the connection cannot be made", n)
					}
				}
			},
		},
		{
			ID: HostEmpty, Family: 2, Severity: Error,
			Title:       "Empty host",
			Why:         "An empty host makes most drivers fall back to a local socket or localhost: in a container that is not the database, and the failure looks like a network problem.",
			Remediation: "Set the host to the database's address, or remove the key if a default is intended.",
			BadName:     "config.yaml", Bad: "database:\n  driver: postgres\n  host: \"\"\n  port: 5432\n",
			GoodName: "config.yaml", Good: "database:\n  driver: postgres\n  host: db.internal\n  port: 5432\n",
			Profile: func(c *Context, p *profile.Profile) {
				if !client(p) {
					return
				}
				for i, h := range p.Hosts {
					// The file's name is read only for an empty host.
					if h.Host.Set && !h.Host.Unresolved && strings.TrimSpace(h.Host.Text) == "" && !h.Socket && !template(p.File) && !chartBlank(p, h.Host) {
						c.Report(p, hostField(i, "host"), h.Host.Loc, "host is empty: the driver falls back to a local default, which is not the database in a container")
					}
				}
			},
		},
		{
			ID: HostPlaceholderProduction, Family: 2, Severity: Error,
			Title:       "Placeholder or local host in a production profile",
			Why:         "localhost, 127.0.0.1, example.com or changeme in production means a template value shipped: the service cannot reach its database. A local proxy (a unix socket, or a cloud-sql-proxy, PgBouncer or Envoy sidecar in the same pod) is the exception.",
			Remediation: "Set the production database's address, or, when a sidecar proxy is the design, declare it (the sidecars parameter) so the exception is visible.",
			BadName:     "config.yaml", Bad: "environment: production\ndatabase:\n  driver: postgres\n  host: localhost\n  port: 5432\n",
			GoodName: "config.yaml", Good: "environment: production\ndatabase:\n  driver: postgres\n  host: orders-db.prod.internal\n  port: 5432\n",
			Profile: func(c *Context, p *profile.Profile) {
				// A template (.env.example) is meant to hold placeholders.
				if !isProd(p) || !client(p) {
					return
				}
				for i, h := range p.Hosts {
					if h.Host.Unresolved {
						continue // default-host-placeholder-production judges defaults
					}
					s, ok := eff(h.Host)
					if ok && placeholderHost(s) && !template(p.File) && !localProxy(p, h) {
						c.Report(p, hostField(i, "host"), h.Host.Loc, "host %q in a production profile is a placeholder or the local machine, not a production database", s)
					}
				}
			},
		},
	}
}

func hostField(i int, name string) string {
	if i == 0 {
		return name
	}
	return "hosts[" + strconv.Itoa(i) + "]." + name
}

func tlsRules() []*Rule {
	return []*Rule{
		{
			ID: TLSDisabledProduction, Family: 3, Severity: Error,
			Title:       "TLS off or opportunistic in production",
			Why:         "Without TLS, credentials and data cross the network in clear. allow and prefer are no better: when the TLS handshake fails they silently fall back to plaintext. MySQL's tls=false and useSSL=false and SQL Server's Encrypt=false are the same setting in other words.",
			Remediation: "Use sslmode=verify-full with sslrootcert (PostgreSQL), tls=true or sslMode=VERIFY_IDENTITY (MySQL), Encrypt=true (SQL Server).",
			BadName:     "config.yaml", Bad: "environment: production\ndatabase:\n  url: postgres://app@orders-db.prod.internal:5432/orders?sslmode=disable\n",
			GoodName: "config.yaml", Good: "environment: production\ndatabase:\n  url: postgres://app@orders-db.prod.internal:5432/orders?sslmode=verify-full&sslrootcert=/etc/ssl/rds-ca.pem\n",
			Profile: func(c *Context, p *profile.Profile) {
				if !isProd(p) || !connection(p) {
					return
				}
				switch st, mode := tlsOf(p); st {
				case tlsOff:
					c.Report(p, "tls", p.TLS.Mode.Loc, "%s=%s in a production profile: credentials and data cross the network unencrypted", tlsKey(p), mode)
				case tlsOpportunistic:
					c.Report(p, "tls", p.TLS.Mode.Loc, "%s=%s in a production profile: when the TLS handshake fails the driver silently falls back to plaintext", tlsKey(p), mode)
				}
			},
		},
		{
			ID: TLSUnverifiedProduction, Family: 3, Severity: Warning,
			Title:       "TLS without certificate verification in production",
			Why:         "Encryption without verifying the server's certificate protects against eavesdropping but not against an attacker who answers in the server's place (sslmode=require, MySQL tls=skip-verify, SQL Server TrustServerCertificate=true).",
			Remediation: "Verify the server: sslmode=verify-full with sslrootcert, MySQL tls=true, SQL Server TrustServerCertificate=false.",
			BadName:     "config.yaml", Bad: "environment: production\ndatabase:\n  url: postgres://app@orders-db.prod.internal:5432/orders?sslmode=require\n",
			GoodName: "config.yaml", Good: "environment: production\ndatabase:\n  url: postgres://app@orders-db.prod.internal:5432/orders?sslmode=verify-full&sslrootcert=/etc/ssl/rds-ca.pem\n",
			Profile: func(c *Context, p *profile.Profile) {
				if !isProd(p) || !connection(p) {
					return
				}
				if st, mode := tlsOf(p); st == tlsUnverified {
					field, loc := "tls", p.TLS.Mode.Loc
					what := tlsKey(p) + "=" + mode
					if p.TLS.Verify.Set && driver(p) == "sqlserver" {
						field, loc, what = "tls.verify", p.TLS.Verify.Loc, "TrustServerCertificate="+p.TLS.Verify.Text
					}
					c.Report(p, field, loc, "%s in a production profile encrypts without verifying the server's certificate: an impostor server is accepted", what)
				}
			},
		},
		{
			ID: TLSNotConfiguredProduction, Family: 3, Severity: Warning,
			Title:       "No TLS setting in a production profile",
			Why:         "With no TLS setting the driver's default applies: libpq and pgx use prefer, which falls back to plaintext; go-sql-driver and Connector/J do not encrypt at all. Production should say what it needs.",
			Remediation: "Set TLS explicitly: sslmode=verify-full (PostgreSQL), tls=true (MySQL), Encrypt=true (SQL Server).",
			BadName:     "config.yaml", Bad: "environment: production\ndatabase:\n  driver: postgres\n  host: orders-db.prod.internal\n  port: 5432\n",
			GoodName: "config.yaml", Good: "environment: production\ndatabase:\n  driver: postgres\n  host: orders-db.prod.internal\n  port: 5432\n  sslmode: verify-full\n",
			Profile: func(c *Context, p *profile.Profile) {
				// No TLS setting (tlsOf's tlsUnset) is tested before the
				// driver, the dearest test.
				if !isProd(p) || !connection(p) || p.TLS.Mode.Set || len(p.Hosts) == 0 || p.Hosts[0].Socket || !sqlDriver(p) {
					return
				}
				if st, _ := tlsOf(p); st == tlsUnset {
					c.Report(p, "tls", profile.Location{}, "no TLS setting in a production profile: the %s driver's default may send data in clear", driver(p))
				}
			},
		},
	}
}

func tlsKey(p *profile.Profile) string {
	if p.TLS.Key != "" {
		return p.TLS.Key
	}
	return "tls"
}

func passwordRules() []*Rule {
	return []*Rule{
		{
			ID: PasswordLiteral, Family: 4, Severity: Error,
			Title:       "Literal password in a committed file",
			Why:         "A password in a file in version control is readable by everyone with access to the repository, its forks and its history, forever. A reference to an environment variable, a secret or a file is fine. A placeholder (changeme, <password>) is info everywhere; a documented sample value (postgres, root, the user's own name: see README.md, Severity follows consequence) is info in test, CI, development and sample files, an error in production, staging and unknown environments.",
			Remediation: "Move the password to a secret store and reference it (${DB_PASSWORD}, a Kubernetes secretKeyRef, a *_FILE variable); rotate the exposed password.",
			BadName:     "config.yaml", Bad: "database:\n  host: db.internal\n  user: app\n  password: s3cr3t-Passw0rd\n",
			GoodName: "config.yaml", Good: "database:\n  host: db.internal\n  user: app\n  password: ${DB_PASSWORD}\n",
			Profile: func(c *Context, p *profile.Profile) {
				if !p.Password.Set || !p.Password.Known || p.Password.Source != "literal" || p.Password.Secret.Empty() {
					return
				}
				if placeholderPassword(p.Password.Secret) {
					// changeme, <password>, the images' documented
					// mysecretpassword: a gap to fill, not a leak.
					c.Report(p, "password", p.Password.Loc, "the literal password is a placeholder (value not shown): fill it from a secret where this file is used")
					(*c.out)[len(*c.out)-1].Severity = Info
					return
				}
				if ctx := contextOf(p.Environment, p.File); sampleValueContext(ctx) && samplePassword(p) {
					// postgres, root, the user's own name in a test,
					// CI, development or sample file: a throwaway for
					// a throwaway database.
					c.Report(p, "password", p.Password.Loc, "the literal password is a well-known sample value in a %s file (value not shown): keep such values out of production", ctx)
					(*c.out)[len(*c.out)-1].Severity = Info
					return
				}
				c.Report(p, "password", p.Password.Loc, "a literal password is written in this file (value not shown): anyone who can read the repository can read it")
			},
		},
		{
			ID: PasswordNeedsEncoding, Family: 4, Severity: Error,
			Title:       "Password in a URL needs percent-encoding",
			Why:         "A password inside a URL that holds @ / # ? or % unencoded is cut at that character: the driver sends another password, or reads part of it as the host. (A : needs no encoding.)",
			Remediation: "Percent-encode the password inside the URL (@ is %40, / is %2F, # is %23, ? is %3F, % is %25), or pass it as a separate setting.",
			BadName:     ".env", Bad: "DATABASE_URL=postgres://app:p@ss#word@db.internal:5432/orders\n",
			GoodName: ".env", Good: "DATABASE_URL=postgres://app:p%40ss%23word@db.internal:5432/orders\n",
			Profile: func(c *Context, p *profile.Profile) {
				if p.Password.NeedsEncoding {
					c.Report(p, "password", p.Password.Loc, "the password inside this URL holds characters that must be percent-encoded and are not (value not shown): the driver will read another password or host")
				}
			},
		},
		{
			ID: PasswordSharedAcross, Family: 4, Severity: Error,
			Title:       "The same password in production and another environment",
			Why:         "A production password that is also used by staging, development or test is known to more people and machines than production's; a leak of the weaker environment opens production. dbguard compares the passwords in memory and never prints or hashes them.",
			Remediation: "Give production its own password, from a secret store; rotate the shared one.",
			BadName:     "database.yml", Bad: "production:\n  host: db.prod.internal\n  password: Tr0ub4dor\nstaging:\n  host: db.staging.internal\n  password: Tr0ub4dor\n",
			GoodName: "database.yml", Good: "production:\n  host: db.prod.internal\n  password: <%= ENV['DB_PASSWORD'] %>\nstaging:\n  host: db.staging.internal\n  password: <%= ENV['DB_PASSWORD'] %>\n",
			Set: func(c *Context, ps []*profile.Profile) {
				// sharedPasswords reads the records of literal secrets
				// alone: the others need not be made.
				var secrets []*profile.Profile
				for _, p := range ps {
					if literalSecret(p) {
						secrets = append(secrets, p)
					}
				}
				t, rs := recordsOf(secrets)
				sharedPasswords(c, t, rs)
			},
		},
	}
}

// sharedPasswords reports each production password that a non-production
// profile of the same application also uses. It reads only the compact
// records (setRecord), so that check can run it after the scan without
// holding the profiles.
func sharedPasswords(c *Context, t *recordStrings, rs []*setRecord) {
	var prod, other []*setRecord
	for _, r := range rs {
		if r.password == nil {
			continue
		}
		switch env := profile.Environment(t.str(r.env)); {
		case env == profile.Production:
			prod = append(prod, r)
		case nonProdEnv(env):
			other = append(other, r)
		}
	}
	for _, p := range prod {
		var rel []Related
		var names []string
		seen := map[string]bool{}
		for _, o := range other {
			id := t.recID(o)
			if !seen[id] && sameApplication(t, p, o) && p.password.secret.Equal(o.password.secret) {
				seen[id] = true
				loc := t.loc(o.password.loc)
				if loc.File == "" {
					loc.File = t.str(o.file)
				}
				env := t.str(o.env)
				rel = append(rel, Related{Loc: loc, Message: "same password in " + env + " profile " + id})
				names = append(names, id+" ("+env+")")
			}
		}
		if len(rel) > 0 {
			c.reportRecord(t, p, "password", t.loc(p.password.loc), rel, "this production password is also used by %s (compared in memory, not shown)", strings.Join(names, ", "))
		}
	}
}

// sameApplication reports whether two profiles plausibly configure one
// application: files in one folder, files of one name in per-environment
// folders (deploy/prod/app.yaml, deploy/staging/app.yaml), or the same user
// or database. A scan of many unrelated projects must not pair one's
// production with another's development settings.
func sameApplication(t *recordStrings, a, b *setRecord) bool {
	af, bf := t.str(a.file), t.str(b.file)
	if path.Dir(af) == path.Dir(bf) || path.Base(af) == path.Base(bf) {
		return true
	}
	same := func(x, y effValue) bool { return x.ok && y.ok && x.s != 0 && x.s == y.s }
	return same(a.password.user, b.password.user) || same(a.password.database, b.password.database)
}
