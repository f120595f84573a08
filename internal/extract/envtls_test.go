package extract_test

import (
	"testing"

	"github.com/dbguard/dbguard/internal/extract"
)

// A Laravel .env names the MySQL CA as MYSQL_ATTR_SSL_CA, the PDO option
// its mysql connection reads: the CA is the DB_* connection's when that
// connection is MySQL's (by DB_CONNECTION or by MySQL's port), among other
// servers' groups; beside a PostgreSQL connection it is nobody's.
func TestEnvTLSGroupJoinsItsDriversServer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data string
		wantCA     string
	}{
		{"mysql by port, beside mail and redis hosts",
			"DB_HOST=db\nDB_PORT=3306\nDB_USERNAME=app\nMAIL_HOST=smtp\nREDIS_HOST=cache\nMYSQL_ATTR_SSL_CA=\"/path/to/ca.pem\"\n", "/path/to/ca.pem"},
		{"mysql by DB_CONNECTION",
			"DB_CONNECTION=mysql\nDB_HOST=db\nDB_USERNAME=app\nMYSQL_ATTR_SSL_CA=/etc/ca.pem\n", "/etc/ca.pem"},
		{"a PostgreSQL connection does not take MySQL's CA",
			"DB_CONNECTION=pgsql\nDB_HOST=db\nDB_PORT=5432\nDB_USERNAME=app\nMYSQL_ATTR_SSL_CA=/etc/ca.pem\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := extract.File(".env", []byte(tt.data))
			var db string
			found := false
			for _, p := range res.Profiles {
				if p.Name == "DB_*" {
					found = true
					db, _ = p.TLS.CA.Effective()
				}
			}
			if !found {
				t.Fatalf("no DB_* profile in %d profiles", len(res.Profiles))
			}
			if db != tt.wantCA {
				t.Errorf("DB_* CA = %q, want %q", db, tt.wantCA)
			}
		})
	}
}
