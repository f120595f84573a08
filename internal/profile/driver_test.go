package profile_test

import (
	"testing"

	"github.com/dbguard/dbguard/internal/profile"
)

func TestCanonicalDriver(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"postgres": "postgres", "PostgreSQL": "postgres", " pgx ": "postgres", "org.postgresql.Driver": "postgres",
		"django.db.backends.postgresql": "postgres", "postgis": "postgres", "mysql2": "mysql", "MariaDB": "mysql",
		"com.mysql.cj.jdbc.Driver": "mysql", "trilogy": "mysql", "tedious": "sqlserver", "mssql": "sqlserver",
		"betterSqlite3": "sqlite", "valkey-cluster": "redis", "rediss": "redis", "trino": "presto",
		"": "", "localhost": "", "yes": "",
	}
	for in, want := range tests {
		if got := profile.CanonicalDriver(in); got != want {
			t.Errorf("CanonicalDriver(%q) = %q, want %q", in, got, want)
		}
	}
}
