package dsn_test

import (
	"testing"

	"github.com/dbguard/dbguard/internal/dsn"
)

func urlCases() []parseCase {
	pg := func(w want) want { w.format, w.driver = "url", "postgres"; return w }
	return []parseCase{
		{"simple", "postgres://app:s3cret@db.internal:5432/orders?sslmode=verify-full&connect_timeout=5",
			want{format: "url", scheme: "postgres", driver: "postgres", hosts: []string{"db.internal:5432"},
				db: "orders", user: "app", pass: "s3cret", tls: "verify-full", tlsKey: "sslmode",
				params: []string{"connect_timeout=5"}}},
		{"postgresql scheme upper case", "PostgreSQL://h/db",
			pg(want{scheme: "postgresql", hosts: []string{"h"}, db: "db"})},
		{"multi-host", "postgres://u@h1:5432,h2:5433/db?target_session_attrs=read-write",
			pg(want{scheme: "postgres", hosts: []string{"h1:5432", "h2:5433"}, db: "db", user: "u",
				params: []string{"target_session_attrs=read-write"}})},
		{"ipv6", "postgres://[::1]:5432/db",
			pg(want{scheme: "postgres", hosts: []string{"[::1]:5432"}, db: "db"})},
		{"ipv6 no port and zone", "postgres://[fe80::1%25eth0]/db",
			pg(want{scheme: "postgres", hosts: []string{"[fe80::1%eth0]"}, db: "db"})},
		{"socket via host param", "postgres:///db?host=/var/run/postgresql",
			pg(want{scheme: "postgres", hosts: []string{"/var/run/postgresql sock"}, db: "db"})},
		{"socket via host param keeps authority port", "postgresql://:5433/db?host=%2Ftmp",
			pg(want{scheme: "postgresql", hosts: []string{"/tmp:5433 sock"}, db: "db"})},
		{"socket percent-encoded host", "postgres://%2Fvar%2Frun%2Fpostgresql/db",
			pg(want{scheme: "postgres", hosts: []string{"/var/run/postgresql sock"}, db: "db"})},
		{"host and port params multi", "postgres:///db?host=a,b&port=1,2&user=u&password=pw&dbname=other",
			pg(want{scheme: "postgres", hosts: []string{"a:1", "b:2"}, db: "other", user: "u", pass: "pw"})},
		{"port param for no host", "postgres:///db?port=5433",
			pg(want{scheme: "postgres", hosts: []string{":5433"}, db: "db"})},
		{"port count mismatch", "postgres://a,b,c/db?port=1,2",
			pg(want{scheme: "postgres", hosts: []string{"a:1", "b:2", "c"}, db: "db", issues: []string{"2 ports for 3 hosts"}})},
		{"percent-encoded user password db", "postgres://us%65r:p%40ss%3Aw%2Frd@h/my%20db",
			pg(want{scheme: "postgres", hosts: []string{"h"}, db: "my db", user: "user", pass: "p@ss:w/rd"})},
		{"plus is not a space", "postgres://u:a+b@h/db?application_name=a+b",
			pg(want{scheme: "postgres", hosts: []string{"h"}, db: "db", user: "u", pass: "a+b", params: []string{"application_name=a+b"}})},
		{"colon in password needs no encoding", "postgres://u:a:b:c@h/db",
			pg(want{scheme: "postgres", hosts: []string{"h"}, db: "db", user: "u", pass: "a:b:c"})},
		{"raw @ in password", "postgres://u:p@ss@h:5432/db",
			pg(want{scheme: "postgres", hosts: []string{"h:5432"}, db: "db", user: "u", pass: "p@ss", needsEnc: true,
				issues: []string{"percent-encoded"}})},
		{"raw / # ? in password", "postgres://u:a/b#c?d@h/db?sslmode=require",
			pg(want{scheme: "postgres", hosts: []string{"h"}, db: "db", user: "u", pass: "a/b#c?d", needsEnc: true,
				tls: "require", tlsKey: "sslmode", issues: []string{"percent-encoded"}})},
		{"bare percent in password", "postgres://u:100%x@h/db",
			pg(want{scheme: "postgres", hosts: []string{"h"}, db: "db", user: "u", pass: "100%x", needsEnc: true,
				issues: []string{"percent-encoded"}})},
		{"@ in query is not userinfo", "postgres://h/db?application_name=a@b",
			pg(want{scheme: "postgres", hosts: []string{"h"}, db: "db", params: []string{"application_name=a@b"}})},
		{"password param with #", "postgres://u@h/db?password=ab#cd",
			pg(want{scheme: "postgres", hosts: []string{"h"}, db: "db", user: "u", pass: "ab#cd"})},
		{"interpolations", "postgres://${DB_USER}:${DB_PASSWORD}@${DB_HOST:-localhost}:5432/app",
			pg(want{scheme: "postgres", hosts: []string{"${DB_HOST:-localhost}:5432"}, db: "app", user: "${DB_USER}", pass: "${DB_PASSWORD}"})},
		{"interpolated port and nested default", "postgres://u:${P:-a@b/c}@h:${PORT:-${X}}/${DB:-a/b}",
			pg(want{scheme: "postgres", hosts: []string{"h:${PORT:-${X}}"}, db: "${DB:-a/b}", user: "u", pass: "${P:-a@b/c}"})},
		{"kubernetes $(VAR)", "postgres://$(PGUSER):$(PGPASS)@$(PGHOST):$(PGPORT)/$(PGDB)?sslmode=disable",
			pg(want{scheme: "postgres", hosts: []string{"$(PGHOST):$(PGPORT)"}, db: "$(PGDB)", user: "$(PGUSER)", pass: "$(PGPASS)",
				tls: "disable", tlsKey: "sslmode"})},
		{"jinja and erb", "postgresql://{{ db_user }}:<%= ENV['DB_PASS'] %>@{{ host | default('a:b') }}/app",
			pg(want{scheme: "postgresql", hosts: []string{"{{ host | default('a:b') }}"}, db: "app", user: "{{ db_user }}", pass: "<%= ENV['DB_PASS'] %>"})},
		{"port out of range kept", "postgres://h:99999/db",
			pg(want{scheme: "postgres", hosts: []string{"h:99999"}, db: "db", issues: []string{"port 99999 is out of range"}})},
		{"port not a number kept", "postgres://u@h:abc/db",
			pg(want{scheme: "postgres", hosts: []string{"h:abc"}, db: "db", user: "u", issues: []string{`port "abc" is not a number`}})},
		{"empty userinfo parts", "postgres://:@h/",
			pg(want{scheme: "postgres", hosts: []string{"h"}, db: "''", pass: "''"})}, // ":@": no user written
		{"no path", "postgres://h",
			pg(want{scheme: "postgres", hosts: []string{"h"}})},
		{"duplicate params kept", "postgres://h/db?options=-c%20a%3D1&options=-c%20b%3D2&flag",
			pg(want{scheme: "postgres", hosts: []string{"h"}, db: "db", params: []string{"options=-c a=1", "options=-c b=2", "flag="}})},
		{"sqlalchemy dialect+driver", "postgresql+psycopg2://u:p@h/db",
			pg(want{scheme: "postgresql+psycopg2", hosts: []string{"h"}, db: "db", user: "u", pass: "p"})},
		{"cockroach", "cockroach://root@cockroachd:26257/defaultdb?sslmode=disable&max_conns=20",
			want{format: "url", scheme: "cockroach", driver: "cockroachdb", hosts: []string{"cockroachd:26257"}, db: "defaultdb",
				user: "root", tls: "disable", tlsKey: "sslmode", params: []string{"max_conns=20"}}},
		{"mysql url", "mysql://root:pw@db:3306/app?ssl-mode=REQUIRED&charset=utf8mb4",
			want{format: "url", scheme: "mysql", driver: "mysql", hosts: []string{"db:3306"}, db: "app", user: "root", pass: "pw",
				tls: "REQUIRED", tlsKey: "ssl-mode", params: []string{"charset=utf8mb4"}}},
		{"mysql hybrid dsn", "mysql://root:secret@tcp(mysqld:3306)/mysql?max_conns=20",
			want{format: "mysql-dsn", scheme: "mysql", driver: "mysql", network: "tcp", hosts: []string{"mysqld:3306"}, db: "mysql",
				user: "root", pass: "secret", params: []string{"max_conns=20"}}},
		{"mariadb mysql2 mysqlx", "mysql2://h/db",
			want{format: "url", scheme: "mysql2", driver: "mysql", hosts: []string{"h"}, db: "db"}},
		{"rediss", "rediss://:secret@cache:6380/0",
			want{format: "url", scheme: "rediss", driver: "redis", hosts: []string{"cache:6380"}, db: "0", pass: "secret",
				tls: "rediss", tlsKey: "scheme"}},
		{"redis user", "redis://default:pw@localhost:6379/2?protocol=3",
			want{format: "url", scheme: "redis", driver: "redis", hosts: []string{"localhost:6379"}, db: "2", user: "default", pass: "pw",
				params: []string{"protocol=3"}}},
		{"valkey", "valkey://h", want{format: "url", scheme: "valkey", driver: "redis", hosts: []string{"h"}}},
		{"redis unix socket", "unix:///tmp/redis.sock?db=1",
			want{format: "url", scheme: "unix", driver: "redis", hosts: []string{"/tmp/redis.sock sock"}, params: []string{"db=1"}}},
		{"mongodb multi-host", "mongodb://root:pw@m1:27017,m2:27018,[::1]/app?replicaSet=rs0&authSource=admin&tls=true",
			want{format: "url", scheme: "mongodb", driver: "mongodb", hosts: []string{"m1:27017", "m2:27018", "[::1]"}, db: "app",
				user: "root", pass: "pw", tls: "true", tlsKey: "tls", params: []string{"replicaSet=rs0", "authSource=admin"}}},
		{"mongodb+srv", "mongodb+srv://zqq:No1Bug2Please3!@cluster0.example.net/daily?retryWrites=true&w=majority",
			want{format: "url", scheme: "mongodb+srv", driver: "mongodb", hosts: []string{"cluster0.example.net"}, db: "daily",
				user: "zqq", pass: "No1Bug2Please3!", params: []string{"retryWrites=true", "w=majority"}}},
		{"mongodb empty db", "mongodb://h1,h2/?ssl=true",
			want{format: "url", scheme: "mongodb", driver: "mongodb", hosts: []string{"h1", "h2"}, db: "''", tls: "true", tlsKey: "ssl"}},
		{"sqlserver url", "sqlserver://sa:pw@sql:1433?database=app&encrypt=disable",
			want{format: "url", scheme: "sqlserver", driver: "sqlserver", hosts: []string{"sql:1433"}, db: "app", user: "sa", pass: "pw",
				tls: "disable", tlsKey: "encrypt"}},
		{"sqlserver url instance path", "sqlserver://sa@sql/SQLEXPRESS?database=app",
			want{format: "url", scheme: "sqlserver", driver: "sqlserver", hosts: []string{"sql"}, db: "app", user: "sa"}},
		{"clickhouse", "clickhouse://default:pw@ch:9440/db?secure=true",
			want{format: "url", scheme: "clickhouse", driver: "clickhouse", hosts: []string{"ch:9440"}, db: "db", user: "default", pass: "pw",
				tls: "true", tlsKey: "secure"}},
		{"sqlite relative", "sqlite:///data/app.db",
			want{format: "url", scheme: "sqlite", driver: "sqlite", db: "data/app.db"}},
		{"sqlite absolute", "sqlite:////var/lib/app.db",
			want{format: "url", scheme: "sqlite", driver: "sqlite", db: "/var/lib/app.db"}},
		{"sqlite memory", "sqlite::memory:",
			want{format: "url", scheme: "sqlite", driver: "sqlite", db: ":memory:"}},
		{"file uri", "file:test.db?cache=shared&mode=memory",
			want{format: "url", scheme: "file", driver: "sqlite", db: "test.db", params: []string{"cache=shared", "mode=memory"}}},
		{"file uri absolute", "file:///var/db/x.sqlite",
			want{format: "url", scheme: "file", driver: "sqlite", db: "/var/db/x.sqlite"}},
		{"unknown scheme kept", "foo://u:p@h:1/x",
			want{format: "url", scheme: "foo", hosts: []string{"h:1"}, db: "x", user: "u", pass: "p"}},
		{"surrounding spaces", "  postgres://h/db  ",
			pg(want{scheme: "postgres", hosts: []string{"h"}, db: "db"})},
		{"non-ascii", "postgres://ü:päss€@hôst/dé",
			pg(want{scheme: "postgres", hosts: []string{"hôst"}, db: "dé", user: "ü", pass: "päss€"})},
	}
}

func urlErrCases() []errCase {
	return []errCase{
		{"empty", "", 0, "empty"},
		{"blank", "   ", 0, "empty"},
		{"no scheme", "//h/db", 0, "missing scheme"},
		{"no slashes", "postgres:h/db", 9, `missing "//"`},
		{"unclosed bracket", "postgres://u@[::1:5432/db", 13, `missing "]"`},
		{"junk after bracket", "postgres://[::1]x/db", 16, "after IPv6"},
		{"bad mysql hybrid", "mysql://u:p@tcp(h:3306/db", 15, `missing ")"`},
		{"port or password", "postgres://app:Kq7Zx9/db", 15, "may be a password"},
	}
}

func TestParseURL(t *testing.T) {
	t.Parallel()
	runParseCases(t, dsn.ParseURL, urlCases())
}

func TestParseURLErrors(t *testing.T) {
	t.Parallel()
	cases := urlErrCases()
	for i := range cases {
		if cases[i].name == "bad mysql hybrid" {
			runErrCases(t, "mysql-dsn", dsn.ParseURL, cases[i:i+1])
			cases = append(cases[:i:i], cases[i+1:]...)
			break
		}
	}
	runErrCases(t, "url", dsn.ParseURL, cases)
}
