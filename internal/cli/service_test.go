package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dbguard.yaml's services section makes two files of different names one
// service: scan shows it, and check's fleet rule compares the copies.
func TestServicesOverrideJoinsFleet(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, text string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("deploy/eu/orders.yaml", "environment: production\ndatabase:\n  adapter: postgresql\n  host: db.internal\n  port: 5432\n  connect_timeout: 5\n")
	write("deploy/us/orders-db.yaml", "environment: production\ndatabase:\n  adapter: postgresql\n  host: db.internal\n  port: 5433\n  connect_timeout: 5\n")
	cfg := filepath.Join(dir, "dbguard.yaml")
	write("dbguard.yaml", "version: 1\nservices:\n  - name: orders\n    paths: [\"deploy/*/orders*.yaml\"]\n")

	_, out, _ := runCLI(t, "", "check", "--no-config", dir)
	if strings.Contains(out, "fleet-inconsistent") {
		t.Fatalf("without the services section the two files are two services, yet:\n%s", out)
	}
	_, out, _ = runCLI(t, "", "check", "--config", cfg, dir)
	if strings.Count(out, "fleet-inconsistent port") != 2 {
		t.Errorf("with the services section both copies should be flagged:\n%s", out)
	}
	_, out, _ = runCLI(t, "", "scan", "--config", cfg, "--format", "json", dir)
	if strings.Count(out, `"service": "orders"`) != 2 || strings.Count(out, `"service_from": "dbguard.yaml"`) != 2 {
		t.Errorf("scan JSON should name the service from dbguard.yaml twice:\n%s", out)
	}
}
