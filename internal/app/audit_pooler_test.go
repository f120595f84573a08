package app

import (
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/audit"
)

// TestPoolersOverServers: a PgBouncer database whose pool (its own, else
// default_pool_size) exceeds what the server it forwards to admits is
// reported with capacity's numbers; one that fits, or whose server was not
// read, is not.
func TestPoolersOverServers(t *testing.T) {
	pg := &audit.Server{Address: "127.0.0.1:5432", Kind: "postgresql", Settings: map[string]string{"max_connections": "20", "superuser_reserved_connections": "3"}}
	other := &audit.Server{Address: "db2:5432", Kind: "postgresql", Settings: map[string]string{"max_connections": "500"}}
	bouncer := &audit.Server{Address: "127.0.0.1:6432", Kind: "pgbouncer", Settings: map[string]string{"default_pool_size": "25"},
		Behind: []audit.PoolerDatabase{
			{Name: "orders", Host: "localhost", Port: 5432},               // default 25 > 17
			{Name: "small", Host: "127.0.0.1", Port: 5432, PoolSize: 10},  // fits
			{Name: "big", Host: "db2", Port: 5432, PoolSize: 100},         // fits 500
			{Name: "elsewhere", Host: "db3", Port: 5432, PoolSize: 10000}, // not read
		}}
	got := poolersOverServers([]*audit.Server{pg, other, bouncer})
	if len(got) != 1 {
		t.Fatalf("%d findings, want 1: %+v", len(got), got)
	}
	f := got[0]
	if f.Rule != audit.PoolerPoolExceedsServer || f.Server != bouncer.Address ||
		!strings.Contains(f.Message, "database orders: pool_size 25 > 17 available on 127.0.0.1:5432 (max_connections 20 − 3 reserved)") {
		t.Fatalf("finding %+v", f)
	}
}
