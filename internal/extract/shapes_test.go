package extract_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/extract"
	"github.com/dbguard/dbguard/internal/profile"
)

// shapeWant is one expected profile of the hard shapes of issue 12: the
// product fields, and any other field by the name EachField gives it
// ("tls.verify", "params.max_connections"), "-" for unset. "socket" is
// the first host's socket flag.
type shapeWant struct {
	prodWant
	fields map[string]string
}

// shapeSecrets are the passwords written in testdata/shapes; none may
// reach a profile's JSON.
var shapeSecrets = []string{"pg-secret-pw", "cGctc2VjcmV0LXB3", "reports-only-pw", "typeorm-pw", "stackex-pw",
	"mongo-pw", "mssql-pw", "bouncer-pw", "it's-bouncer", "sock-pw", "prisma-pw"}

func TestShapes(t *testing.T) {
	tests := []struct {
		dir   string // under testdata/shapes: every file of it is scanned and linked
		wants []shapeWant
	}{
		{"kube", []shapeWant{
			{prodWant: prodWant{name: "ConfigMap/orders-db DB_*", host: "orders-pg.data.svc", port: "5432"}},
			{prodWant: prodWant{name: "Secret/orders-db-creds DB_*", user: "orders_app", password: "literal"}},
			{prodWant: prodWant{name: "Deployment/orders-api env DATABASE_URL", driver: "postgres", host: "orders-pg.data.svc",
				port: "5432", database: "orders", user: "orders_app", password: "secret:orders-db-creds/DB_PASSWORD",
				tls: "require", env: "production"},
				fields: map[string]string{"host": "orders-pg.data.svc", "replicas": "3"}},
			{prodWant: prodWant{name: "Deployment/orders-api env AUDIT_DB_URL", host: "$(AUDIT_HOST)", port: "5432",
				database: "audit", user: "auditor", password: "none", env: "production"}},
			{prodWant: prodWant{name: "Deployment/orders-api env LEGACY_DB_URL", host: "$(DB_HOST)", database: "legacy",
				user: "legacy", env: "production"}},
			{prodWant: prodWant{name: "ConfigMap/billing-db PG*", host: "billing-pg.internal", port: "6432",
				database: "billing", env: "production"}},
			{prodWant: prodWant{name: "Deployment/billing env PG*", host: "billing-pg.internal", port: "6432",
				database: "billing", user: "billing_app", password: "secret:billing-pg/password", env: "staging"}},
			{prodWant: prodWant{name: "Deployment/billing env BILLING_DB_URL", host: "billing-pg.internal", port: "6432",
				database: "billing", user: "billing_app", password: "secret:billing-pg/password", env: "staging"}},
		}},
		{"dotenv", []shapeWant{
			{prodWant: prodWant{name: "DB_*", driver: "postgres", host: "pg-main.internal", port: "5433", database: "shop",
				user: "shop_app", password: "env:DB_SECRET_FROM_VAULT", env: "production"}},
			{prodWant: prodWant{name: "REDIS_*", driver: "redis", host: "cache.internal", port: "6380", database: "0",
				password: "none"}},
			{prodWant: prodWant{name: "DATABASE_URL", driver: "postgres", host: "pg-main.internal", port: "5433",
				database: "shop", user: "shop_app", password: "none"}},
		}},
		{"creds", []shapeWant{
			{prodWant: prodWant{name: "api", password: "env:DB_PASSWORD", user: "api"}},
			{prodWant: prodWant{name: "worker", password: "env:WORKER_DB_PASSWORD"}},
			{prodWant: prodWant{name: "jobs", password: "file:/run/secrets/jobs_db_password"}},
			{prodWant: prodWant{name: "pg", password: "file:/run/secrets/pg_admin", serverSide: true}},
			{prodWant: prodWant{name: "database", password: "file:/etc/ledger/db-password", user: "ledger"}},
			{prodWant: prodWant{name: "cache.redis", driver: "redis", password: "env:LEDGER_REDIS_PASSWORD"}},
			{prodWant: prodWant{name: "reports", host: "reports-db.internal", user: "-", password: "literal", database: "reports"}},
			{prodWant: prodWant{name: "externalDatabase", password: "secret:billing-db/db-password"}},
			{prodWant: prodWant{name: "migrate.DB", user: "migrator", password: "secret:secrets.STAGING_DB_PASSWORD", env: "ci"}},
		}},
		{"umbrella", []shapeWant{
			// The Service a subchart creates is a parameter its clients
			// link by, not a host the values file writes.
			{prodWant: prodWant{name: "postgresql", driver: "postgres", host: "-", port: "5432",
				database: "orders", user: "orders", password: "secret:orders-db-auth/user-password", tls: "true", serverSide: true,
				params: map[string]string{"max_connections": "300", "service_name": "{{ .Release.Name }}-postgresql"}}},
			{prodWant: prodWant{name: "mysql", driver: "mysql", host: "-", port: "3307", database: "catalog",
				user: "catalog", password: "secret:catalog-mysql-auth/mysql-password", serverSide: true,
				params: map[string]string{"max_connections": "400", "service_name": "catalog-db"}}},
			{prodWant: prodWant{name: "redis", driver: "redis", host: "-", port: "6379",
				password: "secret:cache-auth/redis-password", tls: "false", serverSide: true,
				params: map[string]string{"service_name": "{{ .Release.Name }}-redis-master"}}},
			{prodWant: prodWant{name: "api.database", host: "{{ .Release.Name }}-postgresql", tls: "require",
				params: map[string]string{"server": "values.yaml#postgresql"}}},
			{prodWant: prodWant{name: "worker.database", host: "catalog-db", port: "3307",
				params: map[string]string{"server": "values.yaml#mysql"}}},
		}},
		{"orm", []shapeWant{
			// StackExchange.Redis strings, as .NET keeps them.
			{prodWant: prodWant{name: "ConnectionStrings.Cache", driver: "redis", host: "cache.internal", port: "6380",
				database: "-", user: "-", password: "literal", tls: "True",
				params: map[string]string{"abortConnect": "False", "url": "cache.internal:6380,password=xxxxx,ssl=True,abortConnect=False"}}},
			{prodWant: prodWant{name: "Redis.Configuration", driver: "redis", hosts: "sessions-1.internal:6379,sessions-2.internal:6379",
				database: "2", user: "-", password: "literal", tls: "False"}},
			// Prisma: env("X") is the unresolved ${X}; a literal is read.
			{prodWant: prodWant{name: "db", format: "prisma", driver: "postgres", host: "-", password: "unknown"},
				fields: map[string]string{"params.url": "${DATABASE_URL}"}},
			{prodWant: prodWant{name: "db.directUrl", format: "prisma", driver: "postgres", host: "-", password: "unknown"},
				fields: map[string]string{"params.url": "${DIRECT_URL}"}},
			{prodWant: prodWant{name: "db.shadowDatabaseUrl", format: "prisma", driver: "postgres", host: "pg-shadow.internal",
				port: "5433", database: "shadow", user: "shadow", password: "literal", tls: "require"},
				fields: map[string]string{"params.url": "postgresql://shadow:xxxxx@pg-shadow.internal:5433/shadow?sslmode=require"}},
			{prodWant: prodWant{name: "ConnectionStrings.Docs", driver: "mongodb", host: "docs.cluster.example.net",
				database: "docs", user: "docs", password: "literal"}},
			{prodWant: prodWant{name: "ConnectionStrings.Sales", driver: "sqlserver", host: "sql.internal", port: "1433",
				database: "sales", user: "sales", password: "literal", tls: "True"},
				fields: map[string]string{"tls.verify": "False"}},
			{prodWant: prodWant{name: "development", driver: "postgres", host: "127.0.0.1", database: "shop_dev", user: "dev",
				env: "development"}},
			{prodWant: prodWant{name: "production", driver: "postgres", host: "-", password: "unknown", env: "production"},
				fields: map[string]string{"params.url": "${DATABASE_URL}"}},
			// TypeORM names a connection by its name key, else "default".
			{prodWant: prodWant{name: "default", driver: "mysql", host: "mysql.internal", port: "3306", database: "catalog",
				user: "typeorm", password: "literal", tls: "true"}},
			{prodWant: prodWant{name: "analytics", driver: "postgres", host: "analytics-pg.internal", port: "5432",
				database: "events", user: "analyst", password: "literal"}},
			{prodWant: prodWant{name: "reports", driver: "mysql", host: "reports-db.internal", port: "3307",
				database: "reports", user: "reporter", password: "none"}},
		}},
		// Knex: one block per environment, connection as a map, a URL,
		// or node-postgres's connectionString.
		{"knex", []shapeWant{
			{prodWant: prodWant{name: "development", driver: "postgres", host: "127.0.0.1", port: "-",
				database: "app_dev", user: "dev", password: "none", env: "development"}},
			{prodWant: prodWant{name: "staging", driver: "postgres", host: "pg-staging.internal", port: "5432",
				database: "app", user: "app", password: "none", env: "staging", maxOpen: "10"}},
			{prodWant: prodWant{name: "production", driver: "postgres", host: "-", password: "unknown",
				env: "production", maxOpen: "20"},
				fields: map[string]string{"params.url": "${DATABASE_URL}"}},
		}},
		{"dsn", []shapeWant{
			{prodWant: prodWant{name: "databases.shop", host: "pg.internal", database: "shop", user: "shop", password: "literal"}},
			{prodWant: prodWant{name: "databases.local", host: "/var/run/postgresql", database: "local"},
				fields: map[string]string{"socket": "true"}},
			{prodWant: prodWant{name: "PG_SOCKET_URL", driver: "postgres", host: "/tmp", database: "app"},
				fields: map[string]string{"socket": "true"}},
			{prodWant: prodWant{name: "MYSQL_SOCKET_DSN", driver: "mysql", host: "/tmp/mysql.sock", database: "app", user: "app",
				password: "literal"}, fields: map[string]string{"socket": "true"}},
			{prodWant: prodWant{name: "JDBC_DB_URL", driver: "postgres", host: "/var/run/postgresql", database: "app", user: "app"},
				fields: map[string]string{"socket": "true"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			ps := scanShapes(t, filepath.Join("testdata", "shapes", tt.dir))
			var pws []prodWant
			for _, w := range tt.wants {
				pws = append(pws, w.prodWant)
			}
			checkProducts(t, ps, pws)
			for _, w := range tt.wants {
				i := slices.IndexFunc(ps, func(p *profile.Profile) bool { return p.Name == w.name })
				if i < 0 {
					continue
				}
				checkFields(t, ps[i], w.fields)
			}
			checkShapeSecrets(t, ps)
		})
	}
}

// scanShapes extracts every file under dir, as scan names them, and links
// them as one scan.
func scanShapes(t *testing.T, dir string) []*profile.Profile {
	t.Helper()
	var (
		ps      []*profile.Profile
		scalers []extract.Scaler
		envFrom []extract.EnvFrom
	)
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		res := extract.File(filepath.ToSlash(rel), data)
		for _, pr := range res.Problems {
			t.Errorf("problem: %s", pr)
		}
		ps = append(ps, res.Profiles...)
		scalers = append(scalers, res.Scalers...)
		envFrom = append(envFrom, res.EnvFrom...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	extract.Link(ps, scalers, envFrom)
	return ps
}

func checkFields(t *testing.T, p *profile.Profile, want map[string]string) {
	t.Helper()
	got := map[string]string{"socket": "false"}
	if p.FirstHost().Socket {
		got["socket"] = "true"
	}
	p.EachField(func(name string, v profile.Value) { got[name] = v.Text })
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			g = "-"
		}
		if g != w {
			t.Errorf("%s: %s = %q, want %q", p.Name, k, g, w)
		}
	}
}

func checkShapeSecrets(t *testing.T, ps []*profile.Profile) {
	t.Helper()
	for _, p := range ps {
		out, err := json.Marshal(p.View())
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range shapeSecrets {
			if strings.Contains(string(out), s) {
				t.Errorf("%s: output holds the password %q", p.ID, s)
			}
		}
	}
}

func FuzzShapesKube(f *testing.F) {
	fuzzProduct(f, "deploy.yaml", "shapes/kube/orders.yaml", "shapes/kube/billing-deploy.yaml", "shapes/kube/billing-cm.yaml")
}
func FuzzShapesDotenv(f *testing.F) {
	fuzzProduct(f, "app.env", "shapes/dotenv/laravel.env", "shapes/dsn/sockets.env")
}
func FuzzShapesUmbrella(f *testing.F) {
	fuzzProduct(f, "values.yaml", "shapes/umbrella/values.yaml", "shapes/creds/values.yaml")
}

// FuzzShapesLinked links a fuzzed manifest with a fixed Secret whose
// password a Deployment pulls in through envFrom and $(VAR): whatever the
// other file says, nothing panics and the password reaches no profile's
// JSON.
func FuzzShapesLinked(f *testing.F) {
	const pw = "Qz7Vb2Nk9Lp"
	secret := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  DB_PASSWORD: " +
		base64.StdEncoding.EncodeToString([]byte(pw)) + "\nstringData:\n  DB_USER: u\n"
	for _, s := range []string{"shapes/kube/orders.yaml", "shapes/kube/billing-deploy.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", s))
		if err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(strings.ReplaceAll(string(data), "orders-db-creds", "s")))
	}
	f.Fuzz(func(t *testing.T, a []byte) {
		if bytes.Contains(a, []byte(pw)) {
			return
		}
		var (
			ps      []*profile.Profile
			scalers []extract.Scaler
			envFrom []extract.EnvFrom
		)
		for name, data := range map[string][]byte{"a/app.yaml": a, "c/secret.yaml": []byte(secret)} {
			res := extract.File(name, data)
			ps = append(ps, res.Profiles...)
			scalers = append(scalers, res.Scalers...)
			envFrom = append(envFrom, res.EnvFrom...)
		}
		extract.Link(ps, scalers, envFrom)
		noPlantedPassword(t, pw[:6], ps, nil)
	})
}

// noPlantedPassword fails the test when the JSON view of a profile, or a
// problem's message, holds run, a piece of the password a fuzz target
// planted.
func noPlantedPassword(t *testing.T, run string, ps []*profile.Profile, problems []profile.Problem) {
	t.Helper()
	for _, p := range ps {
		out, err := json.Marshal(p.View())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out), run) {
			t.Fatalf("%s: output holds the password: %s", p.ID, out)
		}
	}
	for _, pr := range problems {
		if strings.Contains(pr.String(), run) {
			t.Fatalf("problem holds the password: %s", pr)
		}
	}
}

func FuzzShapesPrisma(f *testing.F) {
	fuzzProduct(f, "schema.prisma", "shapes/orm/schema.prisma", "../tree/testdata/schema.prisma")
}

// FuzzShapesPrismaPassword plants a password in the userinfo of a URL
// between fuzzed text: whatever surrounds it (a datasource's url, another
// setting, a model, a broken block), the password reaches no profile's
// JSON and no problem's message.
func FuzzShapesPrismaPassword(f *testing.F) {
	const pw = "Wq4Hn8Tz2Rb"
	f.Add("datasource db {\n  provider = \"postgresql\"\n  url = \"postgresql", "127.0.0.1:5432/app\"\n}\n")
	f.Add("datasource db {\n  url = \"mysql", "h:3306/app?ssl=true\"\n}\n")
	f.Add("datasource db {\n  directUrl = \"postgres", "h/db?sslmode=require\" }")
	f.Add("datasource db {\n  shadowDatabaseUrl = \"postgres", "h/db\"\n  url = env(\"X\")\n}")
	f.Add("datasource db {\n  url = \"sqlserver", "h:1433;database=d\"\n")
	f.Add("model M {\n  a String @default(\"postgres", "h/db\")\n}")
	f.Fuzz(func(t *testing.T, pre, post string) {
		if strings.Contains(pre, pw[:4]) || strings.Contains(post, pw[:4]) {
			return
		}
		res := extract.File("schema.prisma", []byte(pre+"://u:"+pw+"@"+post))
		noPlantedPassword(t, pw[:6], res.Profiles, res.Problems)
	})
}

func FuzzShapesORMConfig(f *testing.F) {
	fuzzProduct(f, "ormconfig.json", "shapes/orm/ormconfig.json", "shapes/orm/typeorm/ormconfig.json", "shapes/knex/knexfile.json")
}
