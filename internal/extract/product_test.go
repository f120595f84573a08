package extract_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dbguard/dbguard/internal/extract"
	"github.com/dbguard/dbguard/internal/profile"
)

// prodWant is one expected profile of a product extractor, found by name.
// Empty strings are not checked; "-" means unset.
type prodWant struct {
	name, format, driver, host, port, hosts, database, user, password, tls, env string
	serverSide, inactive                                                        bool
	reason                                                                      string // a substring of the reason
	maxOpen, connectTimeout                                                     string
	params                                                                      map[string]string
}

// productSecrets are the passwords written in testdata for the product
// extractors. None may reach params, the view or the JSON output.
var productSecrets = []string{"bundled-pw", "init-pw", "ext-pw", "bouncer-pw", "odyssey-pw", "pgcat-pw",
	"pgcat-ro-pw", "admin-pw", "patroni-su-pw", "patroni-rep-pw", "mycnf-pw", "w0rker-pw", "gitea-pw", "ep-default", "swift-pw"}

func valText(v profile.Value) string {
	if !v.Set {
		return "-"
	}
	return v.Text
}

func passwordOf(p *profile.Profile) string {
	switch {
	case !p.Password.Known:
		return "unknown"
	case p.Password.Set:
		return p.Password.Source
	}
	return "none"
}

func hostList(p *profile.Profile) string {
	var hs []string
	for _, h := range p.Hosts {
		hs = append(hs, valText(h.Host)+":"+valText(h.Port))
	}
	return strings.Join(hs, ",")
}

func TestProductExtractors(t *testing.T) {
	tests := []struct {
		file  string
		wants []prodWant
	}{
		{"ecs/billing-production-task.json", []prodWant{
			{name: "api.DB", format: "ecs", driver: "postgres", host: "billing.cluster-abc.eu-west-1.rds.amazonaws.com", port: "5432",
				database: "billing", user: "billing_app", tls: "verify-full", env: "production",
				password: "secret:arn:aws:secretsmanager:eu-west-1:111122223333:secret:billing-db-AbCdEf:password::"},
			{name: "api.CACHE_REDIS_URL", driver: "redis", host: "cache.abc.euw1.cache.amazonaws.com", port: "6379",
				database: "0", tls: "rediss", password: "none", env: "production"},
			{name: "api.ANALYTICS_DATABASE_URL", driver: "-", host: "-", password: "unknown", env: "production"},
		}},
		{"ecs/describe-staging.json", []prodWant{
			{name: "worker.DATABASE_URL", format: "ecs", driver: "postgres", host: "db.staging.internal", port: "5432",
				database: "jobs", user: "worker", tls: "require", password: "literal", env: "staging"},
		}},
		{"helm/values.yaml", []prodWant{
			{name: "externalDatabase", format: "helm", driver: "postgres", host: "pg.example.internal", port: "5432",
				database: "app", user: "app", password: "secret:app-db/db-password"},
			{name: "postgresql", driver: "postgres", port: "5433", database: "app", user: "app", password: "literal",
				serverSide: true, inactive: true, reason: "postgresql.enabled is false"},
			{name: "redis", driver: "redis", password: "secret:app-redis/redis-password", serverSide: true},
			{name: "externalRedis", driver: "redis", host: "redis.example.internal", port: "6379", password: "none",
				inactive: true, reason: "redis.enabled is true"},
		}},
		{"helm/values-prod.yaml", []prodWant{
			{name: "database.internal", driver: "postgres", host: "-", password: "literal", serverSide: true,
				inactive: true, reason: "database.type is external", maxOpen: "100"},
			{name: "database.external", driver: "postgres", host: "10.1.2.3", port: "5432", database: "registry",
				user: "registry", password: "literal", tls: "require", maxOpen: "100", env: "production"},
			{name: "redis.external", driver: "redis", host: "10.1.2.4", port: "6380", user: "", password: "none",
				tls: "true", inactive: true, reason: "redis.type is internal"},
		}},
		{"helm/temporal-values.yaml", []prodWant{
			{name: "server.config.persistence.datastores.default.sql", driver: "postgres", host: "pg.example.internal",
				port: "5432", database: "temporal", user: "temporal", password: "env:TEMPORAL_DB_PASSWORD", tls: "true",
				maxOpen: "20", params: map[string]string{"connectProtocol": "tcp"}},
		}},
		{"pooler/pgbouncer.ini", []prodWant{
			{name: "databases.app", format: "pgbouncer", driver: "postgres", host: "db1.internal", port: "5432",
				database: "app", user: "app", password: "literal", tls: "verify-full", maxOpen: "20",
				params: map[string]string{"global.pool_mode": "transaction", "global.max_client_conn": "500"}},
			{name: "databases.sales", driver: "postgres", host: "10.0.0.5", port: "-", database: "sales", user: "sales",
				password: "none"},
			{name: "databases.*", driver: "postgres", host: "fallback.internal", port: "5433", database: "-", user: "-"},
		}},
		{"pooler/pgbouncer-commented.ini", nil},
		{"pooler/odyssey.conf", []prodWant{
			{name: "database app user app_rw", format: "odyssey", driver: "postgres",
				hosts: "pg1.internal:5432,pg2.internal:5433", database: "app", user: "app_owner", password: "literal",
				tls: "require", maxOpen: "40", connectTimeout: "5000",
				params: map[string]string{"pool": "transaction", "authentication": "scram-sha-256"}},
			{name: "database default user default", hosts: "pg1.internal:5432,pg2.internal:5433", database: "-",
				user: "-", password: "none", params: map[string]string{"pool": "session"}},
		}},
		{"pooler/pgcat.toml", []prodWant{
			{name: "pools.shop.shards.0.users.0", format: "pgcat", driver: "postgres",
				hosts: "pg-primary:5432,pg-replica:5432", database: "shop", user: "shop", password: "literal",
				maxOpen: "25", connectTimeout: "3000", params: map[string]string{"pool_mode": "transaction"}},
			{name: "pools.shop.shards.0.users.1", hosts: "pg-primary:5432,pg-replica:5432", user: "reporting_ro",
				password: "literal", maxOpen: "5"},
		}},
		{"patroni/patroni.yml", []prodWant{
			{name: "postgresql.authentication.superuser", format: "patroni", driver: "postgres", host: "10.0.0.11",
				port: "5432", user: "postgres", password: "literal", params: map[string]string{"scope": "main"}},
			{name: "postgresql.authentication.replication", host: "10.0.0.11", user: "replicator", tls: "verify-ca"},
			{name: "postgresql.parameters", host: "10.0.0.11", port: "5432", tls: "on", serverSide: true,
				params: map[string]string{"max_connections": "300"}},
		}},
		{"serverconf/postgresql.conf", []prodWant{
			{name: "postgresql.conf", format: "postgresql.conf", driver: "postgres", hosts: "localhost:5433,10.0.0.20:5433",
				tls: "on", password: "none", serverSide: true,
				params: map[string]string{"max_connections": "200", "superuser_reserved_connections": "3"}},
		}},
		{"serverconf/my.cnf", []prodWant{
			{name: "client", format: "my.cnf", driver: "mysql", host: "db.internal", port: "3307", user: "app",
				password: "literal", tls: "VERIFY_IDENTITY"},
			{name: "mysqld", driver: "mysql", host: "0.0.0.0", port: "3307", tls: "ON", serverSide: true,
				params: map[string]string{"max_connections": "400"}},
		}},
		{"serverconf/pg_service.conf", []prodWant{
			{name: "billing", format: "pg_service", driver: "postgres", host: "billing-db.internal", port: "5432",
				database: "billing", user: "billing_ro", tls: "verify-full", password: "none"},
			{name: "local", driver: "postgres", host: "/var/run/postgresql", database: "dev"},
		}},
		{"node/settings.json", []prodWant{
			{name: "dbSettings", format: "etherpad", driver: "mysql", host: "mysql.internal", port: "3306",
				database: "etherpad_lite", user: "etherpad", password: "env:DB_PASS",
				params: map[string]string{"charset": "utf8mb4"}},
		}},
		{"appini/app.ini", []prodWant{
			{name: "database", format: "app.ini", driver: "mysql", host: "127.0.0.1", port: "3306", database: "gitea",
				user: "gitea", password: "literal", tls: "disable", maxOpen: "40", env: "production",
				params: map[string]string{"PATH": "/data/gitea/gitea.db"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			res := extract.File(tt.file, data)
			for _, p := range res.Problems {
				t.Errorf("problem: %s: %s", p.Loc, p.Msg)
			}
			checkProducts(t, res.Profiles, tt.wants)
			checkLocations(t, data, res.Profiles)
			checkNoSecrets(t, res.Profiles)
		})
	}
}

func checkProducts(t *testing.T, got []*profile.Profile, wants []prodWant) {
	t.Helper()
	byName := map[string]*profile.Profile{}
	var names []string
	for _, p := range got {
		byName[p.Name] = p
		names = append(names, p.Name)
	}
	if len(got) != len(wants) {
		t.Errorf("got %d profiles %q, want %d", len(got), names, len(wants))
	}
	for _, w := range wants {
		p := byName[w.name]
		if p == nil {
			t.Errorf("no profile %q among %q", w.name, names)
			continue
		}
		h := p.FirstHost()
		fields := []struct{ field, got, want string }{
			{"format", p.Format, w.format},
			{"driver", valText(p.Driver), w.driver},
			{"host", valText(h.Host), w.host},
			{"port", valText(h.Port), w.port},
			{"hosts", hostList(p), w.hosts},
			{"database", valText(p.Database), w.database},
			{"user", valText(p.User), w.user},
			{"password", passwordOf(p), w.password},
			{"tls", valText(p.TLS.Mode), w.tls},
			{"environment", string(p.Environment), w.env},
			{"pool.max_open", valText(p.Pool.MaxOpen), w.maxOpen},
			{"timeouts.connect", valText(p.Timeouts.Connect), w.connectTimeout},
		}
		for _, f := range fields {
			if f.want != "" && f.got != f.want {
				t.Errorf("%s: %s = %q, want %q", w.name, f.field, f.got, f.want)
			}
		}
		if w.user == "" && w.name == "redis.external" && valText(p.User) != "" {
			t.Errorf("%s: user = %q, want the empty string as written", w.name, valText(p.User))
		}
		if p.ServerSide != w.serverSide {
			t.Errorf("%s: server_side = %v, want %v", w.name, p.ServerSide, w.serverSide)
		}
		if p.Inactive != w.inactive || !strings.Contains(p.Reason, w.reason) {
			t.Errorf("%s: inactive = %v (%q), want %v (%q)", w.name, p.Inactive, p.Reason, w.inactive, w.reason)
		}
		for k, v := range w.params {
			if got := valText(p.Params[k]); got != v {
				t.Errorf("%s: params.%s = %q, want %q", w.name, k, got, v)
			}
		}
	}
}

// checkLocations checks that every located field points at its own text
// (past an opening quote, if any). The driver is canonical and raw
// connection strings are redacted, so their text differs by design.
func checkLocations(t *testing.T, data []byte, ps []*profile.Profile) {
	t.Helper()
	lines := strings.Split(string(data), "\n")
	for _, p := range ps {
		p.EachField(func(name string, v profile.Value) {
			if v.Loc.Line == 0 || v.Text == "" || name == "driver" || name == "params.url" || name == "params.raw" {
				return
			}
			if v.Loc.Line > len(lines) {
				t.Errorf("%s %s: line %d beyond the file", p.ID, name, v.Loc.Line)
				return
			}
			line := []rune(strings.TrimSuffix(lines[v.Loc.Line-1], "\r"))
			if v.Loc.Column < 1 || v.Loc.Column > len(line) {
				t.Errorf("%s %s: column %d outside line %d", p.ID, name, v.Loc.Column, v.Loc.Line)
				return
			}
			at := string(line[v.Loc.Column-1:])
			if !strings.HasPrefix(at, v.Text) && !strings.HasPrefix(strings.TrimLeft(at, `"'`), v.Text) {
				t.Errorf("%s %s = %q but %s holds %q", p.ID, name, v.Text, v.Loc, at)
			}
		})
	}
}

func checkNoSecrets(t *testing.T, ps []*profile.Profile) {
	t.Helper()
	for _, p := range ps {
		out, err := json.Marshal(p.View())
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range productSecrets {
			if strings.Contains(string(out), s) {
				t.Errorf("%s: output holds the password %q", p.ID, s)
			}
			for k, v := range p.Params {
				if strings.Contains(v.Text, s) {
					t.Errorf("%s: params.%s holds the password %q", p.ID, k, s)
				}
			}
		}
	}
}

// fuzzProduct feeds arbitrary content under a fixed file name, so that one
// extractor is exercised, and checks that nothing panics and every
// location lies inside the input.
func fuzzProduct(f *testing.F, name string, seeds ...string) {
	for _, s := range seeds {
		data, err := os.ReadFile(filepath.Join("testdata", s))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res := extract.File(name, data)
		lines := strings.Split(string(data), "\n")
		for _, p := range res.Profiles {
			p.EachField(func(field string, v profile.Value) {
				if v.Loc.Line == 0 {
					return
				}
				if v.Loc.Line > len(lines) {
					t.Fatalf("%s %s: line %d beyond %d lines", p.ID, field, v.Loc.Line, len(lines))
				}
				if v.Loc.Column < 1 || v.Loc.Column > utf8.RuneCountInString(lines[v.Loc.Line-1])+1 {
					t.Fatalf("%s %s: column %d outside line %d", p.ID, field, v.Loc.Column, v.Loc.Line)
				}
			})
			if _, err := json.Marshal(p.View()); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func FuzzECS(f *testing.F) {
	fuzzProduct(f, "task-definition.json", "ecs/billing-production-task.json", "ecs/describe-staging.json")
}
func FuzzHelm(f *testing.F) {
	fuzzProduct(f, "values.yaml", "helm/values.yaml", "helm/values-prod.yaml", "helm/temporal-values.yaml")
}
func FuzzPgBouncer(f *testing.F) {
	fuzzProduct(f, "pgbouncer.ini", "pooler/pgbouncer.ini", "pooler/pgbouncer-commented.ini")
}
func FuzzOdyssey(f *testing.F)   { fuzzProduct(f, "odyssey.conf", "pooler/odyssey.conf") }
func FuzzPgCat(f *testing.F)     { fuzzProduct(f, "pgcat.toml", "pooler/pgcat.toml") }
func FuzzPatroni(f *testing.F)   { fuzzProduct(f, "patroni.yml", "patroni/patroni.yml") }
func FuzzPgConf(f *testing.F)    { fuzzProduct(f, "postgresql.conf", "serverconf/postgresql.conf") }
func FuzzMyCnf(f *testing.F)     { fuzzProduct(f, "my.cnf", "serverconf/my.cnf") }
func FuzzPgService(f *testing.F) { fuzzProduct(f, "pg_service.conf", "serverconf/pg_service.conf") }
func FuzzEtherpad(f *testing.F)  { fuzzProduct(f, "settings.json", "node/settings.json") }
func FuzzAppIni(f *testing.F)    { fuzzProduct(f, "app.ini", "appini/app.ini") }
