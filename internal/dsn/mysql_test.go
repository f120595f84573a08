package dsn_test

import (
	"testing"

	"github.com/dbguard/dbguard/internal/dsn"
)

func mysqlCases() []parseCase {
	my := func(w want) want { w.format, w.driver = "mysql-dsn", "mysql"; return w }
	return []parseCase{
		{"tcp", "user:pass@tcp(host:3306)/db?tls=skip-verify&parseTime=true",
			my(want{network: "tcp", hosts: []string{"host:3306"}, db: "db", user: "user", pass: "pass",
				tls: "skip-verify", tlsKey: "tls", params: []string{"parseTime=true"}})},
		{"unix socket", "root@unix(/tmp/mysql.sock)/db",
			my(want{network: "unix", hosts: []string{"/tmp/mysql.sock sock"}, db: "db", user: "root"})},
		{"no net", "user@/dbname",
			my(want{db: "dbname", user: "user"})},
		{"only db", "/dbname",
			my(want{db: "dbname"})},
		{"empty db", "u:p@tcp(h)/",
			my(want{network: "tcp", hosts: []string{"h"}, db: "''", user: "u", pass: "p"})},
		{"ipv6", "u@tcp([::1]:3306)/db",
			my(want{network: "tcp", hosts: []string{"[::1]:3306"}, db: "db", user: "u"})},
		{"password with @ : / and )", "u:p@ss:w/o)rd@tcp(h:3306)/db",
			my(want{network: "tcp", hosts: []string{"h:3306"}, db: "db", user: "u", pass: "p@ss:w/o)rd"})},
		{"password is not decoded", "u:p%40ss@tcp(h)/db",
			my(want{network: "tcp", hosts: []string{"h"}, db: "db", user: "u", pass: "p%40ss"})},
		{"param values form-decoded", "u@tcp(h)/db?loc=Asia%2FShanghai&time_zone=%27%2B00%3A00%27&x=a+b",
			my(want{network: "tcp", hosts: []string{"h"}, db: "db", user: "u",
				params: []string{"loc=Asia/Shanghai", "time_zone='+00:00'", "x=a b"}})},
		{"@ in query ignored", "u:p@tcp(h)/db?x=a@b",
			my(want{network: "tcp", hosts: []string{"h"}, db: "db", user: "u", pass: "p", params: []string{"x=a@b"}})},
		{"interpolations", "${DB_USER}:${DB_PASS}@tcp(${DB_HOST}:${DB_PORT:-3306})/${DB_NAME}",
			my(want{network: "tcp", hosts: []string{"${DB_HOST}:${DB_PORT:-3306}"}, db: "${DB_NAME}", user: "${DB_USER}", pass: "${DB_PASS}"})},
		{"out of range port", "u@tcp(h:99999)/db",
			my(want{network: "tcp", hosts: []string{"h:99999"}, db: "db", user: "u", issues: []string{"out of range"}})},
		{"custom network", "u@cloudsql(project:region:inst)/db",
			my(want{network: "cloudsql", hosts: []string{"[project:region:inst]"}, db: "db", user: "u",
				issues: []string{`network "cloudsql" is neither tcp nor unix`}})},
		{"hybrid with scheme", "mariadb://u:p@tcp(h:3307)/db",
			my(want{scheme: "mariadb", network: "tcp", hosts: []string{"h:3307"}, db: "db", user: "u", pass: "p"})},
		{"non-ascii password", "u:pä$s€@tcp(h)/db",
			my(want{network: "tcp", hosts: []string{"h"}, db: "db", user: "u", pass: "pä$s€"})},
	}
}

func mysqlErrCases() []errCase {
	return []errCase{
		{"empty", "", 0, "empty"},
		{"missing slash", "user:pass@tcp(host:3306)", 24, `missing "/"`},
		{"unclosed address", "user:pass@tcp(host:3306/db", 13, `missing ")"`},
		{"host without net", "user@localhost:3306/db", 14, `unexpected ':'`},
		{"not mysql scheme", "postgres://u@tcp(h)/db", 0, "not a MySQL scheme"},
		{"jdbc url", "jdbc:oracle:thin:scott/tiger@//h:1521/ORCL", 0, "this is a URL"},
		{"url in password position", "u:x://y@tcp(h)/db", 0, "this is a URL"},
	}
}

func TestParseMySQL(t *testing.T) {
	t.Parallel()
	runParseCases(t, dsn.ParseMySQL, mysqlCases())
}

func TestParseMySQLErrors(t *testing.T) {
	t.Parallel()
	runErrCases(t, "mysql-dsn", dsn.ParseMySQL, mysqlErrCases())
}
