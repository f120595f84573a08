package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/capacity"
	"github.com/dbguard/dbguard/internal/profile"
)

// Families 5 to 7: timeouts, pool limits, capacity against the server.

// connectDefault is the connect timeout a driver applies when none is set,
// or zero when it waits as long as the operating system lets it.
func connectDefault(p *profile.Profile) (time.Duration, string) {
	// A pooler's connection to its server has the pooler's own default.
	switch p.Format {
	case "pgbouncer":
		return 15 * time.Second, "PgBouncer's server_connect_timeout (15 s)"
	case "pgcat":
		return time.Second, "pgcat's connect_timeout (1 s)"
	}
	switch d := driver(p); {
	case d == "sqlserver":
		return 15 * time.Second, "ADO.NET and go-mssqldb (15 s)"
	case d == "mysql" && p.KeyOf("driver") == "client":
		// knex's client: mysql or mysql2 (Ghost's config.json): Node's
		// mysql and mysql2 give up after connectTimeout, 10 s. Its pg
		// (node-postgres) waits as long as the system lets it.
		return 10 * time.Second, "Node's mysql and mysql2 (10 s)"
	case !jdbc(p):
		// no default: the operating system's TCP timeout
	case d == "postgres":
		return 10 * time.Second, "PgJDBC (10 s)"
	case hikari(p):
		return 30 * time.Second, "HikariCP (30 s)"
	case jdbcURLPrefix(p, "jdbc:mariadb:"):
		return 30 * time.Second, "MariaDB Connector/J (30 s)"
	}
	// MySQL Connector/J under Druid, DBCP or Tomcat JDBC: connectTimeout
	// 0, the operating system's.
	return 0, ""
}

// hikari reports a JDBC profile whose pool is HikariCP: one that says so,
// or a Spring Boot datasource that names no other pool (Boot's default).
func hikari(p *profile.Profile) bool {
	if v, ok := p.Params["pool"]; ok {
		return strings.EqualFold(v.Text, "hikari")
	}
	if t, ok := eff(p.Params["type"]); ok && t != "" {
		return strings.Contains(strings.ToLower(t), "hikari")
	}
	return strings.HasPrefix(p.KeyPath, "spring.datasource") || springBinding(p)
}

func jdbcURLPrefix(p *profile.Profile, prefix string) bool {
	for _, k := range []string{"url", "raw"} {
		if v, ok := p.Params[k]; ok && strings.HasPrefix(strings.ToLower(v.Text), prefix) {
			return true
		}
	}
	return false
}

func timeoutRules() []*Rule {
	return []*Rule{
		{
			ID: ConnectTimeoutMissing, Family: 5, Severity: Error,
			Title:       "No connect timeout where the driver has no default",
			Why:         "libpq, pgx and go-sql-driver wait for the operating system's TCP timeout (minutes) when the database does not answer: requests pile up, pools fill, and the outage looks like the application hanging rather than a database problem.",
			Remediation: "Set a connect timeout of a few seconds: connect_timeout=5 (libpq, pgx), timeout=5s (go-sql-driver).",
			BadName:     "config.yaml", Bad: "database:\n  url: postgres://app@db.internal:5432/orders?sslmode=verify-full\n",
			GoodName: "config.yaml", Good: "database:\n  url: postgres://app@db.internal:5432/orders?sslmode=verify-full&connect_timeout=5\n",
			Profile: func(c *Context, p *profile.Profile) {
				if !connection(p) || p.Timeouts.Connect.Set || !sqlDriver(p) {
					return
				}
				if d, _ := connectDefault(p); d == 0 {
					c.Report(p, "timeouts.connect", profile.Location{}, "no connect timeout: the %s driver then waits for the operating system's TCP timeout, minutes, when the database does not answer", driver(p))
				}
			},
		},
		{
			ID: ConnectTimeoutDriverOnly, Family: 5, Severity: Warning,
			Title:       "No explicit connect timeout; the driver's default applies",
			Why:         "PgJDBC (10 s), HikariCP (30 s), ADO.NET (15 s) and Node's mysql and mysql2 (10 s, knex's client: mysql) have a default, so the connection does not hang forever; but the default is implicit, changes with the driver version, and is often longer than the service's own deadline.",
			Remediation: "Set the connect timeout explicitly (connectTimeout=5 in a PgJDBC URL, Connect Timeout=5 for SQL Server).",
			BadName:     "application.properties", Bad: "spring.datasource.url=jdbc:postgresql://db.internal:5432/orders?sslmode=verify-full\n",
			GoodName: "application.properties", Good: "spring.datasource.url=jdbc:postgresql://db.internal:5432/orders?sslmode=verify-full&connectTimeout=5\n",
			Profile: func(c *Context, p *profile.Profile) {
				if !connection(p) || p.Timeouts.Connect.Set || !sqlDriver(p) {
					return
				}
				if d, who := connectDefault(p); d > 0 {
					c.Report(p, "timeouts.connect", profile.Location{}, "no explicit connect timeout: the default of %s applies implicitly", who)
				}
			},
		},
		{
			ID: ConnectTimeoutTooLong, Family: 5, Severity: Warning,
			Title:       "Connect timeout above 30 seconds",
			Why:         "A connect timeout longer than a request's own deadline holds threads and pool slots waiting on a database that is not answering; callers time out first and retry, multiplying the load.",
			Remediation: "Use a connect timeout of a few seconds (at most 30 s, configurable in dbguard.yaml).",
			BadName:     "config.yaml", Bad: "database:\n  url: postgres://app@db.internal:5432/orders?connect_timeout=120\n",
			GoodName: "config.yaml", Good: "database:\n  url: postgres://app@db.internal:5432/orders?connect_timeout=5\n",
			Profile: func(c *Context, p *profile.Profile) {
				s, ok := eff(p.Timeouts.Connect)
				if !ok || !connection(p) {
					return
				}
				d, ok := parseDuration(s, 1000)
				if ok && d > c.Settings.MaxConnectTimeout {
					c.Report(p, "timeouts.connect", p.Timeouts.Connect.Loc, "connect timeout %q (%s) is above %s: callers give up before the driver does", s, d, c.Settings.MaxConnectTimeout)
				}
				if ok && d == 0 {
					c.Report(p, "timeouts.connect", p.Timeouts.Connect.Loc, "connect timeout %q means no timeout at all for most drivers: the connection waits for the operating system, minutes", s)
				}
			},
		},
		{
			ID: StatementTimeoutMissing, Family: 5, Severity: Warning,
			Title:       "No statement timeout in a production profile",
			Why:         "A query with no time limit holds its connection as long as it runs; a few slow queries exhaust the pool and every other request waits.",
			Remediation: "Set a statement or query timeout: options=-c statement_timeout=30s (PostgreSQL), readTimeout=30s (go-sql-driver), spring.jpa query timeout, Command Timeout (SQL Server).",
			BadName:     "config.yaml", Bad: "environment: production\ndatabase:\n  url: postgres://app@db.prod.internal:5432/orders?sslmode=verify-full&connect_timeout=5\n",
			GoodName: "config.yaml", Good: "environment: production\ndatabase:\n  url: postgres://app@db.prod.internal:5432/orders?sslmode=verify-full&connect_timeout=5\n  statement_timeout: 30s\n",
			Profile: func(c *Context, p *profile.Profile) {
				if isProd(p) && connection(p) && !p.Timeouts.Statement.Set && sqlDriver(p) {
					c.Report(p, "timeouts.statement", profile.Location{}, "no statement timeout in a production profile: slow queries hold connections until the pool is exhausted")
				}
			},
		},
	}
}

func poolRules() []*Rule {
	return []*Rule{
		{
			ID: PoolUnbounded, Family: 6, Severity: Error,
			Title:       "Connection pool with no upper bound",
			Why:         "A max-open of 0 or less means unlimited to Go's database/sql and to several other pools: under load the service opens connections until the database refuses them, taking other services down with it.",
			Remediation: "Set max open connections to a number the database can serve for every replica (see pool-exceeds-server-connections).",
			BadName:     "config.yaml", Bad: "database:\n  host: db.internal\n  max_open_conns: 0\n",
			GoodName: "config.yaml", Good: "database:\n  host: db.internal\n  max_open_conns: 20\n",
			Profile: func(c *Context, p *profile.Profile) {
				if !client(p) {
					return
				}
				if n, ok := p.Pool.MaxOpen.Int(); ok && n <= 0 {
					c.Report(p, "pool.max_open", p.Pool.MaxOpen.Loc, "pool max open is %d, which database/sql and most pools read as unlimited: load turns into connections until the server refuses them", n)
				}
			},
		},
		{
			ID: PoolTooLarge, Family: 6, Severity: Error,
			Title:       "Connection pool above the ceiling",
			Why:         "Each PostgreSQL connection is a server process with its own memory; a pool above about a hundred per instance rarely helps throughput and, multiplied by replicas, exhausts max_connections. The ceiling is 100 by default (rules.pool_ceiling in dbguard.yaml).",
			Remediation: "Lower the pool's max open connections, or put PgBouncer in front of the database.",
			BadName:     "config.yaml", Bad: "database:\n  host: db.internal\n  pool:\n    max_open: 500\n",
			GoodName: "config.yaml", Good: "database:\n  host: db.internal\n  pool:\n    max_open: 20\n",
			Profile: func(c *Context, p *profile.Profile) {
				if !client(p) {
					return
				}
				if n, ok := p.Pool.MaxOpen.Int(); ok && n > c.Settings.PoolCeiling {
					c.Report(p, "pool.max_open", p.Pool.MaxOpen.Loc, "pool max open %d is above the ceiling of %d connections per instance", n, c.Settings.PoolCeiling)
				}
			},
		},
		{
			ID: PoolIdleAboveOpen, Family: 6, Severity: Warning,
			Title:       "Max idle connections above max open",
			Why:         "A pool cannot keep more idle connections than it may open; the setting is a mistake, and which limit the driver honours differs (database/sql silently lowers max idle).",
			Remediation: "Set max idle at or below max open.",
			BadName:     "config.yaml", Bad: "database:\n  host: db.internal\n  max_open_conns: 10\n  max_idle_conns: 50\n",
			GoodName: "config.yaml", Good: "database:\n  host: db.internal\n  max_open_conns: 10\n  max_idle_conns: 5\n",
			Profile: func(c *Context, p *profile.Profile) {
				open, ok1 := p.Pool.MaxOpen.Int()
				idle, ok2 := p.Pool.MaxIdle.Int()
				if ok1 && ok2 && open > 0 && idle > open && client(p) {
					c.Report(p, "pool.max_idle", p.Pool.MaxIdle.Loc, "max idle %d is above max open %d: the pool cannot keep more idle connections than it may open", idle, open)
				}
			},
		},
		{
			ID: PoolLifetimeMissing, Family: 6, Severity: Warning,
			Title:       "No connection lifetime in a production pool",
			Why:         "Connections that live forever keep pointing at a server after a failover or DNS change, and are cut without warning by load balancers and server idle timeouts; the application sees broken connections.",
			Remediation: "Set a maximum connection lifetime (conn_max_lifetime: 30m, HikariCP max-lifetime below the server's and the network's idle timeouts).",
			BadName:     "config.yaml", Bad: "environment: production\ndatabase:\n  host: db.prod.internal\n  pool:\n    max_open: 20\n",
			GoodName: "config.yaml", Good: "environment: production\ndatabase:\n  host: db.prod.internal\n  pool:\n    max_open: 20\n    conn_max_lifetime: 30m\n",
			Profile: func(c *Context, p *profile.Profile) {
				if isProd(p) && client(p) && p.Pool.MaxOpen.Set && !p.Pool.MaxLifetime.Set && sqlDriver(p) {
					c.Report(p, "pool.max_lifetime", profile.Location{}, "production pool has no connection lifetime: connections outlive failovers and are cut by idle timeouts on the way")
				}
			},
		},
		{
			ID: PoolLifetimeAboveIdle, Family: 6, Severity: Warning,
			Title:       "Connection lifetime longer than the server's idle timeout",
			Why:         "When the server closes idle sessions (idle_session_timeout, wait_timeout) before the pool retires them, the pool hands out dead connections and the first query on them fails.",
			Remediation: "Set the pool's lifetime (or idle time) below the server's idle timeout.",
			BadName:     "docker-compose.yml", Bad: "services:\n  db:\n    image: postgres:16\n    command: postgres -c idle_session_timeout=60000\n  app:\n    environment:\n      DB_HOST: db\n      DB_CONN_MAX_LIFETIME: 1h\n",
			GoodName: "docker-compose.yml", Good: "services:\n  db:\n    image: postgres:16\n    command: postgres -c idle_session_timeout=60000\n  app:\n    environment:\n      DB_HOST: db\n      DB_CONN_MAX_LIFETIME: 30s\n",
			Profile: func(c *Context, p *profile.Profile) {
				if !client(p) || len(c.Servers) == 0 {
					return
				}
				s, ok := c.serverFor(p)
				if !ok || s.IdleTimeout <= 0 {
					return
				}
				v := p.Pool.MaxIdleTime
				if !v.Set {
					v = p.Pool.MaxLifetime
				}
				t, ok := eff(v)
				if !ok {
					return
				}
				d, ok := parseDuration(t, 100000)
				if ok && d > s.IdleTimeout {
					c.ReportRelated(p, fieldOf(p, v), v.Loc, []Related{{Loc: s.Loc, Message: "server " + s.Name + " closes idle sessions after " + s.IdleTimeout.String()}},
						"pool keeps connections for %s, longer than server %s's idle timeout of %s: the pool will hand out connections the server already closed", d, s.Name, s.IdleTimeout)
				}
			},
		},
	}
}

func fieldOf(p *profile.Profile, v profile.Value) string {
	if v.Loc == p.Pool.MaxIdleTime.Loc && p.Pool.MaxIdleTime.Set {
		return "pool.max_idle_time"
	}
	return "pool.max_lifetime"
}

func capacityRules() []*Rule {
	return []*Rule{
		{
			ID: PoolExceedsServer, Family: 7, Severity: Error,
			Title:       "Pool × replicas above the server's max_connections",
			Why:         "Every replica opens its own pool. At deploy time the rollout's surge adds more replicas while the old ones still hold their connections: that is when connections peak, and when the server starts refusing them (too many connections), for this service and for every other one.",
			Remediation: "Lower the pool size, cap the replicas or the surge, raise the server's max_connections, or put PgBouncer in front of the database.",
			BadName:     "docker-compose.yml", Bad: "services:\n  db:\n    image: postgres:16\n    command: postgres -c max_connections=100\n  app:\n    deploy:\n      replicas: 4\n    environment:\n      DATABASE_URL: postgres://app@db:5432/app\n      DB_MAX_OPEN_CONNS: 40\n",
			GoodName: "docker-compose.yml", Good: "services:\n  db:\n    image: postgres:16\n    command: postgres -c max_connections=100\n  app:\n    deploy:\n      replicas: 4\n    environment:\n      DATABASE_URL: postgres://app@db:5432/app\n      DB_MAX_OPEN_CONNS: 20\n",
			Profile: func(c *Context, p *profile.Profile) {
				s, ok := c.serverOfClient(p)
				if !ok || s.Kind == "pgbouncer" || s.MaxConnections <= 0 {
					return
				}
				overBudget(c, p, s, capacity.ServerLimit(s.Name, s.MaxConnections, s.Reserved),
					fmt.Sprintf("server %s allows %d connections (%d reserved)", s.Name, s.MaxConnections, s.Reserved), "connections at peak over the server's budget")
			},
		},
		{
			ID: PoolExceedsBouncerClient, Family: 7, Severity: Error,
			Title:       "Pool × replicas above PgBouncer's max_client_conn",
			Why:         "PgBouncer refuses client connections beyond max_client_conn; at deploy time, when the surge's new replicas open their pools beside the old ones, clients get errors instead of queueing.",
			Remediation: "Lower the pool size or the replicas, or raise max_client_conn in pgbouncer.ini.",
			BadName:     "dbguard.yaml + config.yaml", Bad: "# dbguard.yaml: inventory: servers: [{name: bouncer, hosts: [pgbouncer], kind: pgbouncer, max_client_conn: 100}]\ndatabase:\n  host: pgbouncer\n  port: 6432\n  max_open_conns: 200\n",
			GoodName: "dbguard.yaml + config.yaml", Good: "# dbguard.yaml: inventory: servers: [{name: bouncer, hosts: [pgbouncer], kind: pgbouncer, max_client_conn: 1000}]\ndatabase:\n  host: pgbouncer\n  port: 6432\n  max_open_conns: 200\n",
			Profile: func(c *Context, p *profile.Profile) {
				s, ok := c.serverOfClient(p)
				if !ok || s.Kind != "pgbouncer" || s.MaxClientConn <= 0 {
					return
				}
				overBudget(c, p, s, capacity.BouncerClients(s.Name, s.MaxClientConn),
					fmt.Sprintf("PgBouncer %s accepts %d clients", s.Name, s.MaxClientConn), "client connections at peak over PgBouncer's limit")
			},
		},
		{
			ID: PoolExceedsBouncerPool, Family: 7, Severity: Warning,
			Title:       "Pool × replicas above PgBouncer's pool size for the database and user",
			Why:         "PgBouncer opens at most pool_size server connections per database and user; clients beyond it wait in a queue (up to query_wait_timeout). A client pool far above it only adds waiting.",
			Remediation: "Size the client pools so that their sum stays near PgBouncer's pool size, or raise default_pool_size for this database.",
			BadName:     "dbguard.yaml + config.yaml", Bad: "# dbguard.yaml: inventory: servers: [{name: bouncer, hosts: [pgbouncer], kind: pgbouncer, pool_size: 20}]\ndatabase:\n  host: pgbouncer\n  max_open_conns: 50\n",
			GoodName: "dbguard.yaml + config.yaml", Good: "# dbguard.yaml: inventory: servers: [{name: bouncer, hosts: [pgbouncer], kind: pgbouncer, pool_size: 20}]\ndatabase:\n  host: pgbouncer\n  max_open_conns: 10\n",
			Profile: func(c *Context, p *profile.Profile) {
				s, ok := c.serverOfClient(p)
				if !ok || s.Kind != "pgbouncer" || s.PoolSize <= 0 {
					return
				}
				overBudget(c, p, s, capacity.BouncerPool(s.Name, s.PoolSize),
					fmt.Sprintf("PgBouncer %s pool_size %d", s.Name, s.PoolSize), "clients beyond PgBouncer's server connections queue")
			},
		},
	}
}

// CapacityBudget is the budget of the server the client profile p connects
// to, counted over the profiles ps judged with it as check's capacity
// rules count (the server's max_connections minus reserved, or a
// PgBouncer's max_client_conn), and p's place among its demands. ok is
// false when p states no pool size, or no server with a known limit is
// found for it. Review judges a change of replicas or pool size by it.
func CapacityBudget(p *profile.Profile, ps []*profile.Profile, s *Settings) (b capacity.Budget, focus int, ok bool) {
	if s == nil {
		s = DefaultSettings()
	}
	active := make([]*profile.Profile, 0, len(ps))
	for _, q := range ps {
		if !q.Inactive {
			active = append(active, q)
		}
	}
	c := &Context{Settings: s, Servers: append(slices.Clone(s.Inventory), serversFromProfiles(active)...), peers: active}
	sv, ok := c.serverOfClient(p)
	if !ok {
		return capacity.Budget{}, 0, false
	}
	var lim capacity.Limit
	switch {
	case sv.Kind == "pgbouncer" && sv.MaxClientConn > 0:
		lim = capacity.BouncerClients(sv.Name, sv.MaxClientConn)
	case sv.Kind != "pgbouncer" && sv.MaxConnections > 0:
		lim = capacity.ServerLimit(sv.Name, sv.MaxConnections, sv.Reserved)
	default:
		return capacity.Budget{}, 0, false
	}
	b, focus = c.budget(p, sv)
	b.Limit = lim
	return b, focus, true
}

// serverOfClient is the server a client profile with a stated pool size
// connects to, for the capacity rules.
func (c *Context) serverOfClient(p *profile.Profile) (*Server, bool) {
	if !client(p) || !p.Pool.MaxOpen.Set || len(c.Servers) == 0 {
		return nil, false
	}
	if _, ok := capacity.DemandOf(p); !ok {
		return nil, false
	}
	return c.serverFor(p)
}

// overBudget reports p when the clients of s that are judged with it open
// more connections at peak than lim admits. The arithmetic, and its words,
// are package capacity's, as review's and verify's are.
func overBudget(c *Context, p *profile.Profile, s *Server, lim capacity.Limit, related, what string) {
	b, focus := c.budget(p, s)
	b.Limit = lim
	if !b.Over() {
		return
	}
	c.ReportRelated(p, "pool.max_open", p.Pool.MaxOpen.Loc, []Related{{Loc: s.Loc, Message: related}},
		"%s: %s", what, b.Explain(focus))
}

// budget gathers the demands of the clients that share server s with p:
// every active client judged in this run that connects to s, among those
// of p's own file for a server of dbguard.yaml's inventory (copies of a
// service in several regions' files are not one fleet on one server), and
// for a server found in the scan the clients serverFor already confines to
// its file or its manifests' folder. focus is p's place in the demands.
func (c *Context) budget(p *profile.Profile, s *Server) (capacity.Budget, int) {
	if c.budgets == nil {
		c.budgets = map[budgetKey][]*profile.Profile{}
		peers := c.peers
		if len(peers) == 0 {
			peers = []*profile.Profile{p}
		}
		for _, q := range peers {
			if !client(q) {
				continue
			}
			if _, ok := capacity.DemandOf(q); !ok {
				continue
			}
			if qs, ok := c.findServer(q); ok {
				k := budgetKey{server: qs}
				if qs.profile == nil {
					k.file = q.File
				}
				c.budgets[k] = append(c.budgets[k], q)
			}
		}
	}
	k := budgetKey{server: s}
	if s.profile == nil {
		k.file = p.File
	}
	var b capacity.Budget
	focus := -1
	for _, q := range c.budgets[k] {
		if q == p {
			focus = len(b.Demands)
		}
		d, _ := capacity.DemandOf(q)
		b.Demands = append(b.Demands, d)
	}
	if focus < 0 {
		// Not among the peers (a rule called on a profile of its own).
		d, _ := capacity.DemandOf(p)
		focus = len(b.Demands)
		b.Demands = append(b.Demands, d)
	}
	return b, focus
}

// budgetKey groups the clients counted against one server: a server of
// the scan counts all its clients, an inventory server those of one file.
type budgetKey struct {
	server *Server
	file   string
}
