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
	switch {
	case strings.Contains(l, "postgres"), strings.Contains(l, "npgsql"), strings.Contains(l, "pgsql"), strings.Contains(l, "postgis"):
		return "postgres"
	case strings.Contains(l, "mariadb"), strings.Contains(l, "mysql"):
		return "mysql"
	case strings.Contains(l, "sqlserver"), strings.Contains(l, "mssql"):
		return "sqlserver"
	case strings.Contains(l, "sqlite"):
		return "sqlite"
	case strings.Contains(l, "mongo"):
		return "mongodb"
	case strings.Contains(l, "oracle"):
		return "oracle"
	case strings.Contains(l, "redis"), strings.Contains(l, "valkey"):
		return "redis"
	case strings.Contains(l, "clickhouse"):
		return "clickhouse"
	case strings.Contains(l, "cockroach"):
		return "cockroachdb"
	}
	return ""
}
