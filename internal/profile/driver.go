package profile

import "strings"

// driverAliases maps what configuration files call a driver (a Rails
// adapter, a Node package, a PHP extension, a URL scheme) to dbguard's
// canonical driver name.
var driverAliases = map[string]string{
	"postgres": "postgres", "postgresql": "postgres", "pgsql": "postgres", "pg": "postgres", "psql": "postgres",
	"postgis": "postgres", "npgsql": "postgres", "pgx": "postgres", "libpq": "postgres", "psycopg2": "postgres",
	"mysql": "mysql", "mysql2": "mysql", "mariadb": "mysql", "mysqli": "mysql", "pdomysql": "mysql", "trilogy": "mysql",
	"sqlserver": "sqlserver", "mssql": "sqlserver", "sqlsrv": "sqlserver", "tedious": "sqlserver",
	"sqlite": "sqlite", "sqlite3": "sqlite", "bettersqlite3": "sqlite",
	"mongodb": "mongodb", "mongo": "mongodb", "redis": "redis", "rediss": "redis", "valkey": "redis",
	"cockroachdb": "cockroachdb", "cockroach": "cockroachdb", "clickhouse": "clickhouse", "cassandra": "cassandra",
	"elasticsearch": "elasticsearch", "snowflake": "snowflake", "presto": "presto", "trino": "presto",
	"databricks": "databricks", "redshift": "redshift", "oracle": "oracle", "dirty": "dirty", "h2": "h2",
}

// driverWords name a driver inside a longer setting
// (org.postgresql.Driver, django.db.backends.mysql,
// Npgsql.EntityFrameworkCore), tried in this order: the first word found
// wins.
var driverWords = []struct{ word, driver string }{
	{"postgres", "postgres"}, {"npgsql", "postgres"}, {"pgsql", "postgres"}, {"postgis", "postgres"},
	{"mariadb", "mysql"}, {"mysql", "mysql"},
	{"sqlserver", "sqlserver"}, {"mssql", "sqlserver"},
	{"sqlite", "sqlite"},
	{"mongo", "mongodb"},
	{"oracle", "oracle"},
	{"redis", "redis"}, {"valkey", "redis"},
	{"clickhouse", "clickhouse"},
	{"cockroach", "cockroachdb"},
}

// CanonicalDriver maps a driver setting (adapter: postgresql,
// driver-class-name: org.postgresql.Driver, ENGINE:
// django.db.backends.mysql, mysql2) to dbguard's canonical driver name, or
// "" when it names no database dbguard knows. Extraction writes the
// canonical name into a profile; rules read it back through this same
// function, so that a profile built by hand means the same.
func CanonicalDriver(s string) string {
	if d, ok := driverAliases[s]; ok {
		return d
	}
	l := strings.ToLower(strings.TrimSpace(s))
	if d, ok := driverAliases[l]; ok {
		return d
	}
	for _, w := range driverWords {
		if strings.Contains(l, w.word) {
			return w.driver
		}
	}
	return ""
}
