package dsn_test

import (
	"testing"

	"github.com/dbguard/dbguard/internal/dsn"
)

func jdbcCases() []parseCase {
	j := func(scheme, driver string, w want) want {
		w.format, w.scheme, w.driver = "jdbc", scheme, driver
		return w
	}
	return []parseCase{
		{"postgresql multi-host", "jdbc:postgresql://h1:5432,h2/db?ssl=true&sslmode=verify-full&user=app&password=pw",
			j("postgresql", "postgres", want{hosts: []string{"h1:5432", "h2"}, db: "db", user: "app", pass: "pw",
				tls: "verify-full", tlsKey: "sslmode", params: []string{"ssl=true"}})},
		{"postgresql ssl only", "jdbc:postgresql://postgres:5432/thingsboard?ssl=true",
			j("postgresql", "postgres", want{hosts: []string{"postgres:5432"}, db: "thingsboard", tls: "true", tlsKey: "ssl"})},
		{"postgresql opaque db", "jdbc:postgresql:mydb",
			j("postgresql", "postgres", want{db: "mydb"})},
		{"mysql spring placeholders", "jdbc:mysql://${DB_HOST:localhost}:${DB_PORT:3306}/${DB_NAME:eladmin}?serverTimezone=Asia/Shanghai&useSSL=false",
			j("mysql", "mysql", want{hosts: []string{"${DB_HOST:localhost}:${DB_PORT:3306}"}, db: "${DB_NAME:eladmin}",
				tls: "false", tlsKey: "useSSL", params: []string{"serverTimezone=Asia/Shanghai"}})},
		{"mysql userinfo and sslMode", "jdbc:mysql://u:p@db:3306/app?useSSL=true&sslMode=VERIFY_IDENTITY",
			j("mysql", "mysql", want{hosts: []string{"db:3306"}, db: "app", user: "u", pass: "p",
				tls: "VERIFY_IDENTITY", tlsKey: "sslMode", params: []string{"useSSL=true"}})},
		{"mysql loadbalance", "jdbc:mysql:loadbalance://h1:3306,h2:3307/app",
			j("mysql:loadbalance", "mysql", want{hosts: []string{"h1:3306", "h2:3307"}, db: "app"})},
		{"mysql address equals", "jdbc:mysql://address=(host=h1)(port=3306)(type=primary),address=(host=h2)(port=3307)/app",
			j("mysql", "mysql", want{hosts: []string{"h1:3306", "h2:3307"}, db: "app"})},
		{"mariadb", "jdbc:mariadb://db/app?user=u&password=p",
			j("mariadb", "mysql", want{hosts: []string{"db"}, db: "app", user: "u", pass: "p"})},
		{"sqlserver", "jdbc:sqlserver://host:1433;databaseName=x;encrypt=true;trustServerCertificate=false;user=sa;password=pw",
			j("sqlserver", "sqlserver", want{hosts: []string{"host:1433"}, db: "x", user: "sa", pass: "pw",
				tls: "true", tlsKey: "encrypt", params: []string{"trustServerCertificate=false"}})},
		{"sqlserver instance braces", `jdbc:sqlserver://host\inst:1433;password={p;w}}d};databaseName=x`,
			j("sqlserver", "sqlserver", want{hosts: []string{`host\inst:1433`}, db: "x", pass: "p;w}d"})},
		{"sqlserver serverName property", "jdbc:sqlserver://;serverName=h;portNumber=1444;instanceName=i;database=d",
			j("sqlserver", "sqlserver", want{hosts: []string{`h\i:1444`}, db: "d"})},
		{"oracle ezconnect", "jdbc:oracle:thin:scott/tiger@//db.example.com:1521/ORCL",
			j("oracle:thin", "oracle", want{hosts: []string{"db.example.com:1521"}, db: "ORCL", user: "scott", pass: "tiger"})},
		{"oracle sid", "jdbc:oracle:thin:@db:1521:XE",
			j("oracle:thin", "oracle", want{hosts: []string{"db:1521"}, db: "XE"})},
		{"oracle descriptor", "jdbc:oracle:thin:@(DESCRIPTION=(ADDRESS=(PROTOCOL=TCPS)(HOST=h)(PORT=2484))(CONNECT_DATA=(SERVICE_NAME=svc)))",
			j("oracle:thin", "oracle", want{hosts: []string{"h:2484"}, db: "svc", tls: "TCPS", tlsKey: "PROTOCOL"})},
		{"oracle tns alias", "jdbc:oracle:thin:@prod_db",
			j("oracle:thin", "oracle", want{db: "prod_db"})},
		{"h2 mem", "jdbc:h2:mem:test;DB_CLOSE_DELAY=-1",
			j("h2", "h2", want{db: "mem:test", params: []string{"DB_CLOSE_DELAY=-1"}})},
		{"h2 tcp", "jdbc:h2:tcp://localhost:9092/~/test;USER=sa;PASSWORD=x",
			j("h2", "h2", want{hosts: []string{"localhost:9092"}, db: "~/test", user: "sa", pass: "x"})},
		{"h2 ssl", "jdbc:h2:ssl://h/db",
			j("h2", "h2", want{hosts: []string{"h"}, db: "db", tls: "ssl", tlsKey: "scheme"})},
		{"derby", "jdbc:derby://localhost:1527/db;create=true;user=u;password=p",
			j("derby", "derby", want{hosts: []string{"localhost:1527"}, db: "db", user: "u", pass: "p", params: []string{"create=true"}})},
		{"jtds", "jdbc:jtds:sqlserver://h:1433/db;instance=I;ssl=require",
			j("jtds:sqlserver", "sqlserver", want{hosts: []string{`h\I:1433`}, db: "db", tls: "require", tlsKey: "ssl"})},
		{"sqlite", "jdbc:sqlite:/var/db/app.db?journal_mode=WAL",
			j("sqlite", "sqlite", want{db: "/var/db/app.db", params: []string{"journal_mode=WAL"}})},
		{"clickhouse", "jdbc:clickhouse://h:8443/db?ssl=true",
			j("clickhouse", "clickhouse", want{hosts: []string{"h:8443"}, db: "db", tls: "true", tlsKey: "ssl"})},
		{"unknown subprotocol", "jdbc:foo://h:1/db",
			j("foo", "", want{hosts: []string{"h:1"}, db: "db"})},
		{"upper-case prefix", "JDBC:PostgreSQL://h/db",
			j("postgresql", "postgres", want{hosts: []string{"h"}, db: "db"})},
	}
}

func jdbcErrCases() []errCase {
	return []errCase{
		{"empty", "", 0, "empty"},
		{"no prefix", "postgresql://h/db", 0, `missing "jdbc:"`},
		{"no subprotocol", "jdbc:", 5, "missing subprotocol"},
		{"no subprotocol colon", "jdbc:mysql", 5, "missing subprotocol"},
		{"sqlserver no slashes", "jdbc:sqlserver:h", 15, `missing "//"`},
		{"sqlserver prop without equals", "jdbc:sqlserver://h;encrypt", 19, `missing "="`},
		{"sqlserver unterminated brace", "jdbc:sqlserver://h;password={abc", 28, "unterminated"},
		{"oracle without at", "jdbc:oracle:thin:db:1521:XE", 17, `missing "@"`},
		{"oracle unbalanced", "jdbc:oracle:thin:@(DESCRIPTION=(ADDRESS=(HOST=h)", 18, "unbalanced"},
		{"ipv6 unclosed", "jdbc:postgresql://[::1/db", 18, `missing "]"`},
	}
}

func TestParseJDBC(t *testing.T) {
	t.Parallel()
	runParseCases(t, dsn.ParseJDBC, jdbcCases())
}

func TestParseJDBCErrors(t *testing.T) {
	t.Parallel()
	runErrCases(t, "jdbc", dsn.ParseJDBC, jdbcErrCases())
}
