package policy

import (
	"fmt"
	"hash/maphash"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/service"
)

// Families 8 to 11: environment names, interpolation, keys, topology.

func nonProdWords() []string {
	return []string{"staging", "stage", "stg", "dev", "development", "test", "testing", "qa", "uat", "sandbox", "preprod"}
}

func prodWords() []string { return []string{"prod", "production", "prd", "live"} }

func environmentRules() []*Rule {
	return []*Rule{
		{
			ID: ProductionNamesNonProduction, Family: 8, Severity: Error,
			Title:       "A production profile points at a staging, dev or test database",
			Why:         "A production service writing to a staging or test database loses its data silently; the host or database name says so before the deploy does.",
			Remediation: "Point the production profile at the production database, or fix the environment dbguard assigns (dbguard.yaml environments).",
			BadName:     "config.yaml", Bad: "environment: production\ndatabase:\n  host: orders-db.staging.internal\n  dbname: orders\n",
			GoodName: "config.yaml", Good: "environment: production\ndatabase:\n  host: orders-db.prod.internal\n  dbname: orders\n",
			Profile: func(c *Context, p *profile.Profile) {
				if !isProd(p) || !client(p) {
					return
				}
				envNameCheck(c, p, nonProdWords(), "production profile", "a non-production")
			},
		},
		{
			ID: NonProductionNamesProduction, Family: 8, Severity: Error,
			Title:       "A staging, dev or test profile points at a production database",
			Why:         "Tests and experiments run against production data by accident: migrations, truncations and load tests hit real users.",
			Remediation: "Point the profile at its own environment's database, or fix the environment dbguard assigns (dbguard.yaml environments).",
			BadName:     "config.yaml", Bad: "environment: staging\ndatabase:\n  host: orders-db.prod.internal\n",
			GoodName: "config.yaml", Good: "environment: staging\ndatabase:\n  host: orders-db.staging.internal\n",
			Profile: func(c *Context, p *profile.Profile) {
				if !isNonProd(p) || !client(p) {
					return
				}
				envNameCheck(c, p, prodWords(), string(p.Environment)+" profile", "a production")
			},
		},
	}
}

func envNameCheck(c *Context, p *profile.Profile, bad []string, who, what string) {
	for i, h := range p.Hosts {
		if s, ok := eff(h.Host); ok {
			if w, hit := hasWord(s, bad...); hit {
				c.Report(p, hostField(i, "host"), h.Host.Loc, "%s connects to host %q, whose name says %q: %s database", who, s, w, what)
				return
			}
		}
	}
	if s, ok := eff(p.Database); ok {
		if w, hit := hasWord(s, bad...); hit {
			c.Report(p, "database", p.Database.Loc, "%s uses database %q, whose name says %q: %s database", who, s, w, what)
		}
	}
}

func interpolationRules() []*Rule {
	return []*Rule{
		{
			ID: UnresolvedProduction, Family: 9, Severity: Warning,
			Title:       "Interpolation without a default in a production profile",
			Why:         "A ${VAR} with no default makes production depend on a variable being set at deploy time; when it is missing the driver connects to an empty host or port, and the failure shows only at run time. The password is exempt: a secret is expected to come from outside.",
			Remediation: "Give the interpolation a production-safe default (${DB_PORT:-5432}), or make sure the deploy fails when the variable is missing (${DB_HOST:?DB_HOST is required}).",
			BadName:     "config.yaml", Bad: "environment: production\ndatabase:\n  host: ${DB_HOST}\n  port: ${DB_PORT}\n",
			GoodName: "config.yaml", Good: "environment: production\ndatabase:\n  host: ${DB_HOST:-orders-db.prod.internal}\n  port: ${DB_PORT:-5432}\n",
			Profile: func(c *Context, p *profile.Profile) {
				if !isProd(p) || !client(p) {
					return
				}
				if names, first := unresolvedFields(p); len(names) > 0 {
					c.Report(p, "unresolved", first, "production profile depends on interpolations with no default: %s; when a variable is missing the driver gets an empty value", strings.Join(names, ", "))
				}
			},
		},
		{
			ID: DefaultLocalProduction, Family: 9, Severity: Error,
			Title:       "Interpolation default points at a local or placeholder host in production",
			Why:         "${DB_HOST:-localhost} in production connects to the container itself whenever the variable is missing: the service starts, and every query fails. A default must be a value production can live with.",
			Remediation: "Use the production host as the default (${DB_HOST:-orders-db.prod.internal}) or no default with a required-variable check (${DB_HOST:?}).",
			BadName:     "config.yaml", Bad: "environment: production\ndatabase:\n  host: ${DB_HOST:-localhost}\n",
			GoodName: "config.yaml", Good: "environment: production\ndatabase:\n  host: ${DB_HOST:-orders-db.prod.internal}\n",
			Profile: func(c *Context, p *profile.Profile) {
				if !isProd(p) || !client(p) {
					return
				}
				for i, h := range p.Hosts {
					if h.Host.Unresolved && h.Host.HasDefault && placeholderHost(h.Host.Default) && !localProxy(p, h) {
						c.Report(p, hostField(i, "host"), h.Host.Loc, "production host %s falls back to %q when the variable is missing: a local or placeholder host, not the database", h.Host.Text, h.Host.Default)
					}
				}
			},
		},
	}
}

// unresolvedFields lists the fields of p that are interpolations with no
// default ("name ${VAR}"), in EachField's order, and where the first is;
// the password and the whole connection string are left out. EachField
// visits the parameters last, in name order: they are visited apart, so
// that their names are sorted only when one of them is listed.
func unresolvedFields(p *profile.Profile) (names []string, first profile.Location) {
	add := func(name string, v profile.Value) {
		names = append(names, name+" "+v.Text)
		if first.Line == 0 {
			first = v.Loc
		}
	}
	q := *p
	q.Params = nil
	q.EachField(func(name string, v profile.Value) {
		if v.Unresolved && !v.HasDefault && !strings.Contains(name, "password") {
			add(name, v)
		}
	})
	var keys []string
	for k, v := range p.Params {
		if v.Set && v.Unresolved && !v.HasDefault && k != "url" && k != "raw" && !strings.Contains(k, "password") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		add("params."+k, p.Params[k])
	}
	return names, first
}

func keyRules() []*Rule {
	return []*Rule{
		{
			ID: DuplicateKey, Family: 10, Severity: Error,
			Title:       "The same key twice in one block",
			Why:         "When a key is defined twice in one block, the parser keeps the last one without a word: the reviewer reads the first value, the application uses the second.",
			Remediation: "Delete one of the two definitions.",
			BadName:     "config.yaml", Bad: "database:\n  host: db-primary.internal\n  port: 5432\n  host: db-old.internal\n",
			GoodName: "config.yaml", Good: "database:\n  host: db-primary.internal\n  port: 5432\n",
			Set: func(c *Context, _ []*profile.Profile) {
				for _, n := range c.Notes {
					if n.Kind == "duplicate" {
						c.reportNote(n, "key %q is defined twice in %s (first at line %d): the last definition silently wins", n.Key, blockName(n), n.Other.Line)
					}
				}
			},
		},
		{
			ID: KeyOutsideBlock, Family: 10, Severity: Error,
			Title:       "A connection key sits where no schema reads it",
			Why:         "A pool or connection key dedented out of its block (max_open_conns next to database: instead of under it, a Hikari block outside spring.datasource) is read by nothing: the setting the reviewer sees is not in force.",
			Remediation: "Indent the key into the block it belongs to.",
			BadName:     "config.yaml", Bad: "database:\n  host: db.internal\n  port: 5432\nmax_open_conns: 20\n",
			GoodName: "config.yaml", Good: "database:\n  host: db.internal\n  port: 5432\n  max_open_conns: 20\n",
			Set: func(c *Context, _ []*profile.Profile) {
				for _, n := range c.Notes {
					if n.Kind == "stray" {
						c.reportNote(n, "connection key %q sits outside %s, where nothing reads it: the setting is not in force", n.Key, blockName(n))
					}
				}
			},
		},
	}
}

func blockName(n KeyNote) string {
	if n.Block == "" {
		return "its block"
	}
	return "block " + n.Block
}

// reportNote reports a key note with both its locations.
func (c *Context) reportNote(n KeyNote, format string, args ...any) {
	f := Finding{
		Rule: c.rule.ID, Severity: c.rule.Severity, Message: fmt.Sprintf(format, args...),
		Profile: n.Profile, Environment: c.envs[n.Profile], Loc: n.Loc,
		Remediation: c.rule.Remediation, Help: c.rule.helpPath(),
		Key: n.Block + ":" + n.Key,
	}
	if n.Other.Line > 0 || n.Other.File != "" {
		msg := "first definition"
		if n.Kind == "stray" {
			msg = "the block it belongs to"
		}
		f.Related = []Related{{Loc: n.Other, Message: msg}}
	}
	*c.out = append(*c.out, f)
}

func readerWords() []string {
	return []string{"ro", "reader", "replica", "readonly", "read", "slave", "standby", "secondary"}
}

func writerWords() []string {
	return []string{"primary", "writer", "master", "write", "rw", "main", "leader"}
}

func topologyRules() []*Rule {
	return []*Rule{
		{
			ID: MultiHostNoTargetSession, Family: 11, Severity: Warning,
			Title:       "Multi-host PostgreSQL without target_session_attrs for a writer",
			Why:         "With several hosts and no target_session_attrs, libpq and pgx connect to the first host that answers, which after a failover is a read-only standby: writes fail with 'cannot execute in a read-only transaction'.",
			Remediation: "Add target_session_attrs=read-write (libpq, pgx) or targetServerType=primary (PgJDBC).",
			BadName:     ".env", Bad: "DATABASE_URL=postgres://app@db-a.internal,db-b.internal/orders\n",
			GoodName: ".env", Good: "DATABASE_URL=postgres://app@db-a.internal,db-b.internal/orders?target_session_attrs=read-write\n",
			Profile: func(c *Context, p *profile.Profile) {
				if !client(p) || pooler(p) || len(p.Hosts) < 2 || (driver(p) != "postgres" && driver(p) != "cockroachdb") {
					return
				}
				// The name and the key path are read apart: no word runs
				// from one into the other.
				if _, reader := hasWord(p.Name, readerWords()...); reader {
					return
				}
				if _, reader := hasWord(p.KeyPath, readerWords()...); reader {
					return
				}
				if _, ok := param(p, "target_session_attrs", "targetServerType"); ok {
					return
				}
				c.Report(p, "hosts", p.FirstHost().Host.Loc, "%d hosts and no target_session_attrs: after a failover the driver may connect to a read-only standby and writes fail", len(p.Hosts))
			},
		},
		{
			ID: WriterUsesReader, Family: 11, Severity: Error,
			Title:       "A writer profile uses a reader endpoint",
			Why:         "A profile named as the primary or writer that connects to a reader endpoint (-ro-, reader, replica) fails on its first write, or worse, reads stale data it then acts on.",
			Remediation: "Point the writer profile at the cluster's writer endpoint.",
			BadName:     "database.yml", Bad: "production:\n  primary:\n    host: orders.cluster-ro-abc123.eu-west-1.rds.amazonaws.com\n",
			GoodName: "database.yml", Good: "production:\n  primary:\n    host: orders.cluster-abc123.eu-west-1.rds.amazonaws.com\n",
			Profile: func(c *Context, p *profile.Profile) {
				if !client(p) {
					return
				}
				w, writer := hasWord(p.Name, writerWords()...)
				if !writer {
					w, writer = hasWord(p.KeyPath, writerWords()...)
				}
				if !writer {
					return
				}
				for i, h := range p.Hosts {
					s, ok := eff(h.Host)
					if !ok {
						continue
					}
					if r, reader := hasWord(s, readerWords()...); reader {
						c.Report(p, hostField(i, "host"), h.Host.Loc, "profile named as a writer (%q) connects to %q, a reader endpoint (%q): writes will fail", w, s, r)
						return
					}
				}
			},
		},
	}
}

// fleetFieldNames are the settings that must agree across a service's
// copies, in the order the rule compares them; hosts may differ per region.
func fleetFieldNames() [fleetFieldCount]string {
	return [fleetFieldCount]string{"database", "pool.max_idle", "pool.max_lifetime", "pool.max_open", "port",
		"timeouts.connect", "timeouts.statement", "tls", "user"}
}

const fleetFieldCount = 9

// fleetFields are the values of fleetFieldNames, in that order.
func fleetFields(p *profile.Profile) [fleetFieldCount]profile.Value {
	return [fleetFieldCount]profile.Value{p.Database, p.Pool.MaxIdle, p.Pool.MaxLifetime, p.Pool.MaxOpen, p.FirstHost().Port,
		p.Timeouts.Connect, p.Timeouts.Statement, p.TLS.Mode, p.User}
}

// fleetKey groups the copies of one service's profile: the same service
// (package service: workload or app label, compose service, or file name
// across folders, or dbguard.yaml's services section) and the same
// connection within it, always within one environment and one driver.
func fleetKey(p *profile.Profile) string {
	var b strings.Builder
	writeFleetKey(&b, p)
	return b.String()
}

// writeFleetKey writes fleetKey(p) to w, so that check can hash it
// without building the string.
func writeFleetKey(w interface {
	io.StringWriter
	io.ByteWriter
}, p *profile.Profile) {
	w.WriteString(string(p.Environment))
	w.WriteByte('|')
	w.WriteString(driver(p))
	w.WriteByte('|')
	svc := p.Service
	if svc == "" {
		// A profile that did not come through the scan (a test's, a
		// custom caller's): the same inference.
		svc = service.Of(p)
	}
	w.WriteString(svc)
	w.WriteByte('#')
	w.WriteString(service.Connection(p))
}

func fleetRules() []*Rule {
	return []*Rule{
		{
			ID: FleetInconsistent, Family: 12, Severity: Error,
			Title:       "Copies of one service's profile disagree",
			Why:         "The same service deployed from several files (regions, overlays, clusters) should connect the same way; when one copy differs in port, database, user, TLS, pool or timeouts, part of the fleet behaves differently. That is the signature of a partial rollout: the outage behind dbguard hit 30% of users. Copies are grouped by Kubernetes workload, compose service, or file name across folders, plus environment; the minority that differs from the majority is flagged.",
			Remediation: "Make the differing copy match the others, or, when the difference is intended, suppress the finding with the reason.",
			BadName:     "deploy/{eu,us,ap}/orders.yaml", Bad: "# deploy/eu/orders.yaml and deploy/us/orders.yaml\nenvironment: production\ndatabase:\n  port: 5432\n---\n# deploy/ap/orders.yaml\nenvironment: production\ndatabase:\n  port: 5433\n",
			GoodName: "deploy/{eu,us,ap}/orders.yaml", Good: "# deploy/eu/orders.yaml, deploy/us/orders.yaml and deploy/ap/orders.yaml\nenvironment: production\ndatabase:\n  port: 5432\n",
			Set: fleetCheck,
		},
	}
}

func fleetCheck(c *Context, ps []*profile.Profile) {
	t, rs := recordsOf(fleetCopies(ps))
	fleetRecords(c, t, rs)
}

// fleetCopies are the client profiles of ps whose fleetKey another one
// shares (or seems to: two keys may hash alike), in their order: a profile
// alone in its group is never compared, and most are, so only the others'
// records are made.
func fleetCopies(ps []*profile.Profile) []*profile.Profile {
	var h maphash.Hash
	hashes := make([]uint64, len(ps))
	count := make(map[uint64]int, len(ps))
	for i, p := range ps {
		if !client(p) {
			continue
		}
		h.Reset()
		writeFleetKey(&h, p)
		hashes[i] = h.Sum64()
		count[hashes[i]]++
	}
	var copies []*profile.Profile
	for i, p := range ps {
		if client(p) && count[hashes[i]] > 1 {
			copies = append(copies, p)
		}
	}
	return copies
}

// fleetRecords is the fleet rule over compact records (setRecord), so that
// check can run it after the scan without holding the profiles.
func fleetRecords(c *Context, t *recordStrings, rs []*setRecord) {
	groups := map[fleetGroup][]*setRecord{}
	var order []fleetGroup
	for _, r := range rs {
		if !r.client {
			continue
		}
		g := r.fleet.group
		if _, seen := groups[g]; !seen {
			order = append(order, g)
		}
		groups[g] = append(groups[g], r)
	}
	// Only groups of copies in several folders (regions, overlays,
	// clusters) are compared, in the order of their fleetKey text.
	type named struct {
		key string
		g   []*setRecord
	}
	var compared []named
	for _, k := range order {
		g := groups[k]
		if len(g) < 2 {
			continue
		}
		dirs := map[string]bool{}
		for _, r := range g {
			dirs[path.Dir(t.str(r.file))] = true
		}
		if len(dirs) < 2 {
			continue
		}
		compared = append(compared, named{t.groupKey(k), g})
	}
	slices.SortStableFunc(compared, func(a, b named) int { return strings.Compare(a.key, b.key) })
	names := fleetFieldNames()
	for _, cg := range compared {
		g := cg.g
		for fi, field := range names {
			vals := make([]string, len(g))
			count := map[string]int{}
			for i, r := range g {
				vals[i] = t.str(r.fleet.text[fi])
				count[vals[i]]++
			}
			if len(count) < 2 {
				continue
			}
			major, n := "", 0
			for v, cnt := range count {
				if cnt > n || cnt == n && v < major {
					major, n = v, cnt
				}
			}
			strict := n*2 > len(g)
			var majorityFiles []string
			for i, r := range g {
				if vals[i] == major {
					majorityFiles = append(majorityFiles, t.str(r.file))
				}
			}
			for i, r := range g {
				if strict && vals[i] == major {
					continue
				}
				var rel []Related
				for j, o := range g {
					if j != i && vals[j] != vals[i] {
						loc := t.loc(o.fleet.loc[fi])
						if loc.File == "" {
							loc.File = t.str(o.file)
						}
						rel = append(rel, Related{Loc: loc, Message: field + " " + vals[j] + " in " + t.recID(o)})
					}
				}
				loc := t.loc(r.fleet.loc[fi])
				if strict {
					c.reportRecord(t, r, field, loc, rel, "%s is %s here but %s in %d of %d copies of this service's profile (%s): part of the fleet connects differently",
						field, vals[i], major, n, len(g), strings.Join(majorityFiles, ", "))
				} else {
					c.reportRecord(t, r, field, loc, rel, "%s is %s here; the %d copies of this service's profile disagree with no majority: part of the fleet connects differently",
						field, vals[i], len(g))
				}
			}
		}
	}
}

func fleetValue(v profile.Value) string {
	if !v.Set {
		return "unset"
	}
	if s, ok := v.Effective(); ok {
		return strconv.Quote(strings.TrimSpace(s))
	}
	return v.Text
}

func clientServerRules() []*Rule {
	return []*Rule{
		{
			ID: ClientServerPort, Family: 13, Severity: Error,
			Title:       "Client uses another port than the server it names",
			Why:         "The server is defined in the same change (a compose service, a Kubernetes Service) and listens on another port than the client dials: the connection is refused as soon as it is deployed.",
			Remediation: "Use the server's port in the client, or change the server's.",
			BadName:     "docker-compose.yml", Bad: "services:\n  db:\n    image: postgres:16\n    command: postgres -c port=5433\n  app:\n    environment:\n      DATABASE_URL: postgres://app@db:5432/app\n",
			GoodName: "docker-compose.yml", Good: "services:\n  db:\n    image: postgres:16\n    command: postgres -c port=5433\n  app:\n    environment:\n      DATABASE_URL: postgres://app@db:5433/app\n",
			Profile: func(c *Context, p *profile.Profile) {
				s, ok := c.serverFor(p)
				if !ok || s.Port == 0 || s.profile == nil {
					return
				}
				if port, ok := p.FirstHost().Port.Int(); ok && port != s.Port {
					c.ReportRelated(p, "port", p.FirstHost().Port.Loc, []Related{{Loc: s.Loc, Message: fmt.Sprintf("server %s listens on %d", s.Name, s.Port)}},
						"client connects to %s on port %d, but that server listens on %d: connection refused", s.Name, port, s.Port)
				}
			},
		},
		{
			ID: ClientServerTLS, Family: 13, Severity: Error,
			Title:       "Client and server disagree on TLS",
			Why:         "A client that requires TLS from a server started with ssl=off fails every connection; a server that requires TLS refuses a client with TLS disabled. Both are defined in the same scan, so the mismatch is known before the deploy.",
			Remediation: "Turn TLS on in the server, or set the client's TLS mode to what the server offers.",
			BadName:     "docker-compose.yml", Bad: "services:\n  db:\n    image: postgres:16\n    command: postgres -c ssl=off\n  app:\n    environment:\n      DATABASE_URL: postgres://app@db:5432/app?sslmode=verify-full\n",
			GoodName: "docker-compose.yml", Good: "services:\n  db:\n    image: postgres:16\n    command: postgres -c ssl=on\n  app:\n    environment:\n      DATABASE_URL: postgres://app@db:5432/app?sslmode=verify-full\n",
			Profile: func(c *Context, p *profile.Profile) {
				s, ok := c.serverFor(p)
				if !ok || s.TLS == "" {
					return
				}
				st, mode := tlsOf(p)
				rel := func() []Related { return []Related{{Loc: s.Loc, Message: "server " + s.Name + " TLS " + s.TLS}} }
				switch {
				case s.TLS == "off" && (st == tlsOn || st == tlsVerified || st == tlsUnverified):
					c.ReportRelated(p, "tls", p.TLS.Mode.Loc, rel(), "client requires TLS (%s=%s) but server %s runs with TLS off: every connection fails", tlsKey(p), mode, s.Name)
				case s.TLS == "on" && st == tlsOff && s.Kind == "mysql":
					c.ReportRelated(p, "tls", p.TLS.Mode.Loc, rel(), "client disables TLS (%s=%s) but server %s requires secure transport: every connection is refused", tlsKey(p), mode, s.Name)
				}
			},
		},
		{
			ID: ClientServerDatabase, Family: 13, Severity: Error,
			Title:       "Client names a database the server does not create",
			Why:         "The server container creates its database from its own settings (POSTGRES_DB, MYSQL_DATABASE); a client naming another database fails with 'database does not exist' on first connect.",
			Remediation: "Use the same database name in the client and the server's settings.",
			BadName:     "docker-compose.yml", Bad: "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_DB: orders\n  app:\n    environment:\n      DATABASE_URL: postgres://app@db:5432/order\n",
			GoodName: "docker-compose.yml", Good: "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_DB: orders\n  app:\n    environment:\n      DATABASE_URL: postgres://app@db:5432/orders\n",
			Profile: func(c *Context, p *profile.Profile) {
				s, ok := c.serverFor(p)
				if !ok || len(s.Databases) == 0 || s.profile != nil && s.profile.Database.Loc.Line == 0 {
					return // a database the image creates by default is not a contract
				}
				if d, ok := eff(p.Database); ok && d != "" && !containsFold(s.Databases, d) {
					c.ReportRelated(p, "database", p.Database.Loc, []Related{{Loc: s.Loc, Message: "server " + s.Name + " creates " + strings.Join(s.Databases, ", ")}},
						"client uses database %q but server %s creates %s: 'database does not exist' on first connect", d, s.Name, strings.Join(s.Databases, ", "))
				}
			},
		},
		{
			ID: ClientServerUser, Family: 13, Severity: Error,
			Title:       "Client logs in as a user the server does not create",
			Why:         "The server container creates its user from its own settings (POSTGRES_USER, MYSQL_USER); a client logging in as another user fails authentication on first connect.",
			Remediation: "Use the same user in the client and the server's settings.",
			BadName:     "docker-compose.yml", Bad: "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: orders\n  app:\n    environment:\n      DATABASE_URL: postgres://order_app@db:5432/orders\n",
			GoodName: "docker-compose.yml", Good: "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: orders\n  app:\n    environment:\n      DATABASE_URL: postgres://orders@db:5432/orders\n",
			Profile: func(c *Context, p *profile.Profile) {
				s, ok := c.serverFor(p)
				if !ok || len(s.Users) == 0 || s.profile != nil && s.profile.User.Loc.Line == 0 {
					return // the image's default user; init scripts may create others
				}
				if u, ok := eff(p.User); ok && u != "" && !containsFold(s.Users, u) {
					// MySQL images create root besides MYSQL_USER.
					if s.Kind == "mysql" && strings.EqualFold(u, "root") {
						return
					}
					c.ReportRelated(p, "user", p.User.Loc, []Related{{Loc: s.Loc, Message: "server " + s.Name + " creates user " + strings.Join(s.Users, ", ")}},
						"client logs in as %q but server %s creates user %s: authentication fails on first connect", u, s.Name, strings.Join(s.Users, ", "))
				}
			},
		},
	}
}

func containsFold(ss []string, s string) bool {
	for _, x := range ss {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
