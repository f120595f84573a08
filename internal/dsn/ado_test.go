package dsn_test

import (
	"testing"

	"github.com/dbguard/dbguard/internal/dsn"
)

func adoCases() []parseCase {
	ado := func(driver string, w want) want { w.format, w.driver = "ado", driver; return w }
	return []parseCase{
		{"sqlserver", "Server=sqldata;Database=Ordering;User Id=sa;Password=Pass@word;Encrypt=False;TrustServerCertificate=true",
			ado("sqlserver", want{hosts: []string{"sqldata"}, db: "Ordering", user: "sa", pass: "Pass@word",
				tls: "False", tlsKey: "Encrypt", params: []string{"TrustServerCertificate=true"}})},
		{"host comma port", "Server=sqlserver,1433;Initial Catalog=Catalog;User Id=sa;Password=@some;Trusted_Connection=false;",
			ado("sqlserver", want{hosts: []string{"sqlserver:1433"}, db: "Catalog", user: "sa", pass: "@some",
				params: []string{"Trusted_Connection=false"}})},
		{"tcp prefix instance port", `Data Source=tcp:host\inst,1433;Initial Catalog=x;UID=u;PWD=p`,
			ado("sqlserver", want{network: "tcp", hosts: []string{`host\inst:1433`}, db: "x", user: "u", pass: "p"})},
		{"localdb", `Server=(localdb)\mssqllocaldb;Database=CleanArchitectureDb;Trusted_Connection=True;MultipleActiveResultSets=true`,
			ado("sqlserver", want{hosts: []string{`(localdb)\mssqllocaldb`}, db: "CleanArchitectureDb",
				params: []string{"Trusted_Connection=True", "MultipleActiveResultSets=true"}})},
		{"named pipe", `Server=np:\\.\pipe\sql\query;Database=d`,
			ado("sqlserver", want{network: "np", hosts: []string{`\\.\pipe\sql\query`}, db: "d"})},
		{"quoted values with doubled quotes", `Server="my;server";Password="a;b""c";User ID='o''brien'`,
			ado("sqlserver", want{hosts: []string{"my;server"}, user: "o'brien", pass: `a;b"c`})},
		{"odbc braces", "Driver={ODBC Driver 18 for SQL Server};Server=h;Uid=u;Pwd={p;}}w};Encrypt=yes",
			ado("sqlserver", want{hosts: []string{"h"}, user: "u", pass: "p;}w", tls: "yes", tlsKey: "Encrypt",
				params: []string{"Driver=ODBC Driver 18 for SQL Server"}})},
		{"spaces around keys and values", " Server = h ; Database = d ;",
			ado("sqlserver", want{hosts: []string{"h"}, db: "d"})},
		{"npgsql server port username", "Server=127.0.0.1;Port=5432;Database=CleanArchitectureDb;Username=admin;Password=password;",
			ado("postgres", want{hosts: []string{"127.0.0.1:5432"}, db: "CleanArchitectureDb", user: "admin", pass: "password"})},
		{"npgsql multi-host", "Host=h1:5433,h2;Port=5432;Username=u;Password=p;SSL Mode=VerifyFull;Trust Server Certificate=false",
			ado("postgres", want{hosts: []string{"h1:5433", "h2:5432"}, user: "u", pass: "p", tls: "VerifyFull", tlsKey: "SSL Mode",
				params: []string{"Trust Server Certificate=false"}})},
		{"npgsql socket", "Host=/var/run/postgresql;Username=postgres",
			ado("postgres", want{hosts: []string{"/var/run/postgresql sock"}, user: "postgres"})},
		{"mysqlconnector", "Server=db;Port=3306;Database=app;Uid=root;Pwd=pw;SslMode=Required",
			ado("mysql", want{hosts: []string{"db:3306"}, db: "app", user: "root", pass: "pw", tls: "Required", tlsKey: "SslMode"})},
		{"driver hint", "Driver={PostgreSQL Unicode};Server=h;Database=d",
			ado("postgres", want{hosts: []string{"h"}, db: "d", params: []string{"Driver=PostgreSQL Unicode"}})},
		{"sqlite", "Data Source=app.db;Cache=Shared",
			ado("sqlite", want{db: "app.db", params: []string{"Cache=Shared"}})},
		{"oracle descriptor", "Data Source=(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=ora)(PORT=1521))(CONNECT_DATA=(SERVICE_NAME=orcl)));User Id=scott;Password=tiger",
			ado("oracle", want{hosts: []string{"ora:1521"}, db: "orcl", user: "scott", pass: "tiger"})},
		{"interpolated password with semicolon", "Server=h;Password=${SQL_PASS:-a;b};Database=d",
			ado("sqlserver", want{hosts: []string{"h"}, db: "d", pass: "${SQL_PASS:-a;b}"})},
		{"jinja password", "Server=h;Password={{ vault('db') }};Database=d",
			ado("sqlserver", want{hosts: []string{"h"}, db: "d", pass: "{{ vault('db') }}"})},
		{"port out of range", "Server=h,99999;Database=d",
			ado("sqlserver", want{hosts: []string{"h:99999"}, db: "d", issues: []string{"out of range"}})},
		{"doubled equals in key", "Server=h;a==b=c",
			ado("sqlserver", want{hosts: []string{"h"}, params: []string{"a=b=c"}})},
		{"non-ascii", "Server=h;Password=pässwörd€",
			ado("sqlserver", want{hosts: []string{"h"}, pass: "pässwörd€"})},
	}
}

func adoErrCases() []errCase {
	return []errCase{
		{"empty", "", 0, "empty"},
		{"missing equals", "Server=h;Database", 9, `missing "=" after "Database"`},
		{"missing key", "Server=h; =x", 10, "missing keyword"},
		{"unterminated quote", `Server=h;Password="abc`, 18, "unterminated"},
		{"text after quote", `Password="a"b;Server=h`, 12, "unexpected text"},
		{"unterminated brace", "Pwd={abc;Server=h", 4, "unterminated"},
		{"unclosed ipv6", "Host=[::1;Username=u", 5, `missing "]"`},
		{"url is not ado", "postgres://h/db?password=a;x=y", 8, "invalid character ':' in keyword"},
	}
}

func TestParseADO(t *testing.T) {
	t.Parallel()
	runParseCases(t, dsn.ParseADO, adoCases())
}

func TestParseADOErrors(t *testing.T) {
	t.Parallel()
	runErrCases(t, "ado", dsn.ParseADO, adoErrCases())
}
