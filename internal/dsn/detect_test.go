package dsn_test

import (
	"testing"

	"github.com/dbguard/dbguard/internal/dsn"
)

func allCases() []parseCase {
	var all []parseCase
	for _, cs := range [][]parseCase{urlCases(), kvCases(), mysqlCases(), jdbcCases(), adoCases(), seCases()} {
		all = append(all, cs...)
	}
	return all
}

// notAutoDetected are valid inputs of one parser that Parse cannot tell
// from something else without being told the format.
var notAutoDetected = map[string]bool{
	"/dbname": true, // a bare go-sql-driver DSN looks like a path
}

func TestParseDetects(t *testing.T) {
	t.Parallel()
	for _, tc := range allCases() {
		if notAutoDetected[tc.in] {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := dsn.Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			compare(t, tc.in, c, tc.want)
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	runErrCases(t, "dsn", dsn.Parse, []errCase{
		{"empty", "", 0, "empty"},
		{"plain word", "info", 0, "unrecognized"},
		{"path", "  /var/log/app.log", 2, "unrecognized"},
	})
	// Errors from the format parser keep that parser's name.
	runErrCases(t, "libpq-kv", dsn.Parse, []errCase{{"kv", "host=h password='x", 16, "unterminated"}})
	runErrCases(t, "ado", dsn.Parse, []errCase{{"ado", "Server=h;Database", 9, "missing"}})
	runErrCases(t, "jdbc", dsn.Parse, []errCase{{"jdbc", "jdbc:", 5, "subprotocol"}})
	runErrCases(t, "url", dsn.Parse, []errCase{{"url", "postgres://[::1/db", 11, "]"}})
	runErrCases(t, "mysql-dsn", dsn.Parse, []errCase{{"mysql", "u:p@tcp(h:1)", 12, "/"}})
}

func TestLooks(t *testing.T) {
	t.Parallel()
	yes := []string{
		"postgres://u:p@h/db", "postgresql://h", "POSTGRES://h/db", "mysql://h/db", "mariadb://h",
		"mongodb+srv://u:p@c.example.net/db", "redis://h:6379/0", "rediss://h", "valkey://h",
		"sqlserver://h", "mssql://h", "clickhouse://h", "cockroachdb://h", "postgresql+asyncpg://h/db",
		"sqlite:///app.db", "sqlite::memory:", "file:test.db?cache=shared", "file:///var/lib/x.sqlite3",
		"jdbc:postgresql://h/db", "jdbc:sqlserver://h;databaseName=d", "jdbc:h2:mem:x",
		"host=localhost port=5432", "dbname=app user=u", "host = h dbname = d",
		"Server=h;Database=d", "Data Source=h,1433;Initial Catalog=x", "Host=h;Username=u;Password=p",
		"user:pass@tcp(host:3306)/db", "root@unix(/tmp/mysql.sock)/db", "tcp(h:3306)/db",
		"postgres://${DB_USER}:${DB_PASSWORD}@${DB_HOST:-localhost}:5432/app",
		"cache:6380,password=p,ssl=True", "localhost,abortConnect=false",
	}
	no := []string{
		"", "info", "/var/log/app.log", "true", "3306", "localhost", "db.example.com",
		"http://example.com/x", "https://u:p@example.com/", "amqp://guest:guest@rabbit:5672/",
		"ftp://h/", "unix:///var/run/docker.sock", "file:///etc/passwd",
		"postgres:16-alpine", "mysql:8.0", "redis:7", "bitnami/postgresql:15",
		"someone@example.com", "git@github.com:org/repo.git", "user:pass", "--host=localhost",
		"key=value", "a=b c=d", "host=localhost", "?host=a&dbname=b", "x=1;y=2",
		"Server error; try again", "time: 10:30", "C:\\Program Files\\x", "${DATABASE_URL}",
		"SELECT * FROM t WHERE a=1 AND host=2", "max_connections=100 shared_buffers=1GB",
		"a,b,c=d", "red,green,name=colors", "x:1,version=2", "eu-west-1,us-east-1,region=eu",
	}
	for _, s := range yes {
		if !dsn.Looks(s) {
			t.Errorf("Looks(%q) = false, want true", s)
		}
	}
	for _, s := range no {
		if dsn.Looks(s) {
			t.Errorf("Looks(%q) = true, want false", s)
		}
	}
	// Every table case that Parse detects also passes the filter, except
	// these, which are deliberately left out to keep false positives low.
	skip := map[string]string{
		"unix:///tmp/redis.sock?db=1":        "unix:// is mostly docker sockets",
		"foo://u:p@h:1/x":                    "not a database scheme",
		"requiressl=1 sslmode=disable":       "no host, hostaddr, dbname or service",
		"user@/dbname":                       "too bare: looks like a mail address",
		"u@cloudsql(project:region:inst)/db": "custom dialer names are not listed",
	}
	for _, tc := range allCases() {
		if notAutoDetected[tc.in] || skip[tc.in] != "" {
			continue
		}
		if !dsn.Looks(tc.in) {
			t.Errorf("Looks(%q) = false for a parseable case", tc.in)
		}
	}
}
