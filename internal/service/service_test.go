package service_test

import (
	"testing"

	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/service"
)

func TestOf(t *testing.T) {
	mk := func(file, format, name, keyPath string, params map[string]string) *profile.Profile {
		p := &profile.Profile{File: file, Format: format, Name: name, KeyPath: keyPath}
		for k, v := range params {
			p.SetParam(k, profile.Value{Text: v, Set: true})
		}
		return p
	}
	tests := []struct {
		name       string
		p          *profile.Profile
		service    string
		connection string
	}{
		{"file copied across regions", mk("deploy/eu/orders.yaml", "generic", "database", "database", nil), "orders", "database"},
		{"dotenv", mk("svc/.env.production", "dotenv", "DATABASE_URL", "DATABASE_URL", nil), "env", "DATABASE_URL"},
		{"rails", mk("config/database.yml", "generic", "production", "production", nil), "database", "production"},
		{"app label wins", mk("k8s/cm.yaml", "kubernetes", "ConfigMap/orders-db DB_*", "data.DB_*", map[string]string{"app": "orders"}), "orders", "DB_*"},
		{"workload without kind", mk("k8s/deploy.yaml", "kubernetes", "Deployment/orders-api env DATABASE_URL", "spec.template.spec.containers.api.env.DATABASE_URL", map[string]string{"workload": "Deployment/orders-api"}), "orders-api", "env DATABASE_URL"},
		{"kubernetes object", mk("k8s/secret.yaml", "kubernetes", "Secret/reports-db DB_*", "data.DB_*", nil), "reports-db", "DB_*"},
		{"compose service", mk("docker-compose.yml", "compose", "worker.DATABASE_URL", "services.worker.environment.DATABASE_URL", nil), "worker", "services.worker.environment.DATABASE_URL"},
		{"compose service alone", mk("docker-compose.yml", "compose", "api", "services.api.environment.DB_*", nil), "api", "services.api.environment.DB_*"},
		{"CI job", mk(".gitlab-ci.yml", "gitlab-ci", "test.DB", "test.variables.DB_*", nil), "test", "test.variables.DB_*"},
		{"no extension", mk("conf/pgbouncer", "pgbouncer", "databases.x", "databases.x", nil), "pgbouncer", "databases.x"},
		{"only dots", mk("a/...", "generic", "x", "x", nil), "...", "x"},
		{"environment suffix", mk("src/main/resources/application-staging.yml", "spring", "spring.datasource", "spring.datasource", nil), "application", "spring.datasource"},
		{".NET environment", mk("api/appsettings.Production.json", "generic", "ConnectionStrings.Db", "ConnectionStrings.Db", nil), "appsettings", "ConnectionStrings.Db"},
		{"not an environment word", mk("deploy/orders-db.yaml", "generic", "database", "database", nil), "orders-db", "database"},
		{"helm values: the chart", mk("charts/orders/values-staging.yaml", "helm", "postgresql", "postgresql", nil), "orders", "postgresql"},
		{"helm values alone", mk("values.yaml", "helm", "postgresql", "postgresql", nil), "values", "postgresql"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := service.Of(tt.p); got != tt.service {
				t.Errorf("Of = %q, want %q", got, tt.service)
			}
			if got := service.Connection(tt.p); got != tt.connection {
				t.Errorf("Connection = %q, want %q", got, tt.connection)
			}
		})
	}
}

// An override from dbguard.yaml survives a later inference (linking runs
// Assign again when a workload's app label reaches a ConfigMap).
func TestAssignKeepsOverride(t *testing.T) {
	p := &profile.Profile{File: "deploy/eu/orders.yaml", KeyPath: "database"}
	service.Assign(p, "", false)
	if p.Service != "orders" || p.ServiceFrom != "" {
		t.Fatalf("inferred = %q from %q", p.Service, p.ServiceFrom)
	}
	service.Assign(p, "shop", true)
	service.Assign(p, "", false)
	if p.Service != "shop" || p.ServiceFrom != "dbguard.yaml" {
		t.Errorf("after override and inference = %q from %q, want shop from dbguard.yaml", p.Service, p.ServiceFrom)
	}
}
