package extract_test

import (
	"testing"

	"github.com/dbguard/dbguard/internal/extract"
	"github.com/dbguard/dbguard/internal/profile"
)

// TestPrecision holds what a trial on real repositories found scan
// getting wrong, each as a minimal file written for the test: what a
// reviewer of the repository would read in it, field by field.
func TestPrecision(t *testing.T) {
	tests := []struct {
		name, rel, data string
		wants           []want
	}{
		{"pgbouncer: a ';' inside a quoted value ends nothing", "pgbouncer.ini",
			"[databases]\np8 = host=db port=5432 dbname=app connect_query='set a=off; set b=off'\n[pgbouncer]\nlisten_port = 6432\n",
			[]want{{name: "databases.p8", host: "db", port: "5432", database: "app", connectTimeout: "-",
				params: map[string]string{"connect_query": "set a=off; set b=off"}}}},
		{"pgbouncer: server_connect_timeout is every database's connect timeout", "pgbouncer.ini",
			"[databases]\napp = host=db dbname=app\n[pgbouncer]\nserver_connect_timeout = 2\n",
			[]want{{name: "databases.app", host: "db", database: "app", connectTimeout: "2"}}},
		{"compose: DB_HOST and POSTGRES_USER of one service are one connection", "docker-compose.yml",
			"services:\n  app:\n    image: myapp\n    environment:\n      DB_HOST: db\n      DB_PORT: 5432\n      POSTGRES_USER: app\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n  db:\n    image: postgres:16\n",
			[]want{{name: "app", driver: "postgres", host: "db", port: "5432", user: "app", password: "env:POSTGRES_PASSWORD"}}},
		{"compose: a lone DB_HOST naming a database service", "docker-compose.yml",
			"services:\n  worker:\n    image: myapp\n    environment:\n      DB_HOST: db\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_DB: app\n",
			[]want{{name: "worker", driver: "postgres", host: "db"},
				{name: "db", driver: "postgres", host: "db", database: "app", serverSide: true}}},
		{"compose: a database service configured by env_file alone", "docker-compose.yml",
			"services:\n  db:\n    image: postgres:16\n    env_file: db.env\n    ports:\n      - \"5432:5432\"\n",
			[]want{{name: "db", driver: "postgres", host: "db", port: "5432", serverSide: true}}},
		{"dotenv: a database image's variables alone are a server's", "db.env",
			"POSTGRES_USER=app\nPOSTGRES_PASSWORD=pw\nPOSTGRES_DB=app\n",
			[]want{{name: "POSTGRES_*", driver: "postgres", host: "-", user: "app", database: "app", password: "literal", serverSide: true}}},
		{"helm: repmgr's user and database are not the subchart's", "values.yaml",
			"postgresql:\n  username: postgres\n  database: app\n  repmgrUsername: repmgr\n  repmgrDatabase: repmgr\n  password: pw\n",
			[]want{{name: "postgresql", user: "postgres", database: "app", serverSide: true}}},
		{"helm: empty global placeholders are no connection", "values.yaml",
			"global:\n  postgresql:\n    auth:\n      username: \"\"\n      password: \"\"\n      database: \"\"\n    service:\n      ports:\n        postgresql: \"\"\nreplicaCount: 1\n",
			nil},
		{"spring: a Druid pool's max-active", "application.yml",
			"spring:\n  datasource:\n    url: jdbc:mysql://db:3306/mall\n    druid:\n      max-active: 20\n      min-idle: 10\n",
			[]want{{name: "spring.datasource", host: "db", maxOpen: "20", params: map[string]string{"pool": "druid"}}}},
		{"spring: spring.redis.timeout is a read timeout", "application.yml",
			"spring:\n  redis:\n    host: redis\n    port: 6379\n    timeout: 3000ms\n",
			[]want{{name: "spring.redis", host: "redis", connectTimeout: "-"}}},
		{"spring: spring.data.redis.connect-timeout is the connect timeout", "application.yml",
			"spring:\n  data:\n    redis:\n      host: redis\n      port: 6379\n      timeout: 3s\n      connect-timeout: 2s\n",
			[]want{{name: "spring.data.redis", host: "redis", connectTimeout: "2s"}}},
		{"c3p0: maxPoolSize and checkoutTimeout", "application.properties",
			"c3p0.jdbcUrl=jdbc:postgresql://db:5432/app\nc3p0.maxPoolSize=15\n",
			[]want{{name: "c3p0", host: "db", maxOpen: "15"}}},
		{"sqlalchemy: pool_size and max_overflow", "config.yaml",
			"database:\n  url: postgresql://app@db:5432/app\n  pool_size: 5\n  max_overflow: 10\n",
			[]want{{name: "database", host: "db", maxOpen: "5", params: map[string]string{"max_overflow": "10"}}}},
		// Found by the acceptance trial (docs/precision.md).
		{"compose: a redis started with --requirepass from its environment", "docker-compose.yml",
			"services:\n  cache:\n    image: valkey/valkey:8\n    command:\n      - sh\n      - -c\n      - valkey-server --appendonly yes --requirepass $$REDIS_PASSWORD\n    env_file: redis.env\n",
			[]want{{name: "cache", driver: "redis", host: "cache", password: "env:REDIS_PASSWORD", serverSide: true}}},
		{"kubernetes: an init container waiting for the database is its client, not a server", "deployment.yaml",
			"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      initContainers:\n        - name: wait-for-db\n          image: mariadb:11\n          env:\n            - name: MARIADB_USER\n              value: app\n            - name: MARIADB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: db\n                  key: password\n          command: [sh, -c, 'until mariadb-admin ping -h db; do sleep 2; done']\n      containers:\n        - name: web\n          image: ghost:5\n",
			[]want{{name: "Deployment/web env MARIADB_*", driver: "mysql", host: "-", user: "app", password: "secret:db/password"}}},
		{"helm: a database block's externalConnection is its connection", "values.yaml",
			"config:\n  database:\n    client: mysql\n    externalConnection:\n      host: my-external-db\n      port: 3306\n      user: ghost\n    pool:\n      max: 10\n",
			[]want{{name: "config.database", driver: "mysql", host: "my-external-db", port: "3306", user: "ghost", maxOpen: "10"}}},
		{"compose: --requirepass in a one-line command", "docker-compose.yml",
			"services:\n  redis:\n    image: redis:7\n    command: redis-server --requirepass ${REDIS_PASSWORD:?}\n",
			[]want{{name: "redis", driver: "redis", host: "redis", password: "env:REDIS_PASSWORD", serverSide: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkFile(t, tt.rel, tt.data, tt.wants) })
	}
}

// checkFile extracts one file written for the test and checks its
// profiles.
func checkFile(t *testing.T, rel, data string, wants []want) {
	t.Helper()
	res := extract.File(rel, []byte(data))
	if len(res.Problems) > 0 {
		t.Fatalf("problems: %v", res.Problems)
	}
	check(t, res.Profiles, wants)
}

// TestComposeEnvFileServer checks that a compose database service whose
// settings live in its env_file gets them from that file once the scan
// links the two: user, database, and its password's variable (the env
// file's own profile reports the literal, which is never copied).
func TestComposeEnvFileServer(t *testing.T) {
	compose := extract.File("docker-compose.yml", []byte("services:\n  db:\n    image: postgres:16\n    env_file: env/db.env\n"))
	env := extract.File("env/db.env", []byte("POSTGRES_USER=app\nPOSTGRES_DB=orders\nPOSTGRES_PASSWORD=Zk3-9qLmTw\n"))
	ps := append(compose.Profiles, env.Profiles...)
	extract.Link(ps, nil, nil)
	var server *profile.Profile
	for _, p := range ps {
		if p.File == "docker-compose.yml" && p.ServerSide {
			server = p
		}
	}
	if server == nil {
		t.Fatalf("no server profile for the db service among %d profiles", len(ps))
	}
	if got := text(server.User); got != "app" {
		t.Errorf("user = %q, want app (from db.env)", got)
	}
	if got := text(server.Database); got != "orders" {
		t.Errorf("database = %q, want orders (from db.env)", got)
	}
	pw := server.Password
	if !pw.Set || pw.Source != "env:POSTGRES_PASSWORD" || !pw.Secret.Empty() {
		t.Errorf("password set %v, source %q, secret copied %v; want set, env:POSTGRES_PASSWORD, not copied", pw.Set, pw.Source, !pw.Secret.Empty())
	}
	if pw.Loc.File != "env/db.env" || pw.Loc.Line != 3 {
		t.Errorf("password location %v, want env/db.env:3", pw.Loc)
	}
}
