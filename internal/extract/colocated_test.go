package extract_test

import (
	"strings"
	"testing"
)

// TestColocatedServer holds what scan records for a client that shares a
// network namespace with a database server: the server's container (or
// compose service) as the colocated_server parameter, which the
// connect-timeout rules read (internal/policy, TestColocatedServer). A
// metrics exporter named after its database is that database's client,
// never a second server.
func TestColocatedServer(t *testing.T) {
	exporter := "        - name: metrics\n          image: quay.io/prometheuscommunity/postgres-exporter:v0.15.0\n          env:\n" +
		"            - name: POSTGRES_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: db\n                  key: password\n" +
		"            - name: DATA_SOURCE_NAME\n              value: postgresql://postgres:$(POSTGRES_PASSWORD)@localhost:5432/postgres?sslmode=disable\n"
	pod := "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  template:\n    spec:\n      containers:\n"
	server := "        - name: postgres\n          image: postgres:16\n          env:\n" +
		"            - name: POSTGRES_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: db\n                  key: password\n"
	tests := []struct {
		name, rel, data string
		wants           []want
	}{
		{"kubernetes: an exporter sidecar in the database's pod", "statefulset.yaml", pod + server + exporter,
			[]want{{name: "StatefulSet/db", driver: "postgres", host: "db", serverSide: true},
				{name: "StatefulSet/db env DATA_SOURCE_NAME", driver: "postgres", host: "localhost", password: "secret:db/password",
					params: map[string]string{"colocated_server": "postgres=postgres:16"}}}},
		{"kubernetes: an init container runs before the server starts", "statefulset.yaml",
			pod + server + strings.Replace(exporter, "        - name: metrics", "      initContainers:\n        - name: metrics", 1),
			[]want{{name: "StatefulSet/db", driver: "postgres", host: "db", serverSide: true},
				{name: "StatefulSet/db env DATA_SOURCE_NAME", driver: "postgres", host: "localhost", password: "secret:db/password",
					params: map[string]string{"colocated_server": "-"}}}},
		{"kubernetes: an exporter alone is a client", "deployment.yaml", pod + exporter,
			[]want{{name: "StatefulSet/db env DATA_SOURCE_NAME", driver: "postgres", host: "localhost", password: "secret:db/password",
				params: map[string]string{"colocated_server": "-"}}}},
		{"compose: a service in the database's network namespace", "docker-compose.yml",
			"services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_DB: app\n  app:\n    image: myapp\n    network_mode: service:db\n    environment:\n      DATABASE_URL: postgres://app@localhost:5432/app\n",
			[]want{{name: "db", driver: "postgres", host: "db", serverSide: true},
				{name: "app", driver: "postgres", host: "localhost", params: map[string]string{"colocated_server": "db"}}}},
		{"compose: the database in the client's network namespace", "docker-compose.yml",
			"services:\n  app:\n    image: myapp\n    environment:\n      DATABASE_URL: postgres://app@localhost:5432/app\n  db:\n    image: postgres:16\n    network_mode: service:app\n    environment:\n      POSTGRES_DB: app\n",
			[]want{{name: "db", driver: "postgres", host: "localhost", serverSide: true},
				{name: "app", driver: "postgres", host: "localhost", params: map[string]string{"colocated_server": "db"}}}},
		{"compose: no shared namespace", "docker-compose.yml",
			"services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_DB: app\n  app:\n    image: myapp\n    environment:\n      DATABASE_URL: postgres://app@localhost:5432/app\n",
			[]want{{name: "db", driver: "postgres", host: "db", serverSide: true},
				{name: "app", driver: "postgres", host: "localhost", params: map[string]string{"colocated_server": "-"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkFile(t, tt.rel, tt.data, tt.wants) })
	}
}
