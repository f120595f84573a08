package policy_test

import (
	"strings"
	"testing"
)

// statefulSet is a minimal pod: a database server container (image) and a
// metrics exporter whose DATA_SOURCE_NAME goes to host, both of one pod.
func podWith(serverImage, host string) string {
	s := "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n"
	if serverImage != "" {
		s += "        - name: postgres\n          image: " + serverImage + "\n          env:\n            - name: POSTGRES_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: db\n                  key: password\n"
	}
	return s + "        - name: metrics\n          image: quay.io/prometheuscommunity/postgres-exporter:v0.15.0\n          env:\n" +
		"            - name: DATA_SOURCE_NAME\n              value: postgresql://postgres@" + host + ":5432/postgres?sslmode=disable\n"
}

// TestColocatedServer holds the rule that a client reaching, over
// loopback, a database server in its own pod or compose network namespace
// shares fate with it: no network between them, so the connect-timeout
// rules say at most warning, and why. Every other case keeps its severity.
func TestColocatedServer(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  string // connect-timeout-missing's severity, "" for none
	}{
		{"an exporter sidecar to localhost in the database's pod",
			[]string{"statefulset.yaml", podWith("postgres:16", "localhost")}, "warning"},
		{"127.0.0.1 is loopback too",
			[]string{"statefulset.yaml", podWith("postgres:16", "127.0.0.1")}, "warning"},
		{"a loopback client in a pod without a database server",
			[]string{"statefulset.yaml", podWith("", "localhost")}, "error"},
		{"a loopback client in a pod whose server speaks another protocol",
			[]string{"statefulset.yaml", podWith("redis:7", "localhost")}, "error"},
		{"a client in the database's pod going over the network",
			[]string{"statefulset.yaml", podWith("postgres:16", "db.internal")}, "error"},
		{"compose: a service in the database's network namespace",
			[]string{"docker-compose.yml", "services:\n  db:\n    image: postgres:16\n    volumes:\n      - pgdata:/var/lib/postgresql/data\n" +
				"  app:\n    image: myapp\n    network_mode: service:db\n    environment:\n      DATABASE_URL: postgres://app@localhost:5432/app\nvolumes:\n  pgdata: {}\n"},
			"warning"},
		{"compose: the database in the client's network namespace",
			[]string{"docker-compose.yml", "services:\n  app:\n    image: myapp\n    environment:\n      DATABASE_URL: postgres://app@localhost:5432/app\n" +
				"  db:\n    image: postgres:16\n    network_mode: service:app\n    volumes:\n      - pgdata:/var/lib/postgresql/data\nvolumes:\n  pgdata: {}\n"},
			"warning"},
		{"compose: localhost without a shared namespace is the client's own container",
			[]string{"docker-compose.yml", "services:\n  db:\n    image: postgres:16\n    volumes:\n      - pgdata:/var/lib/postgresql/data\n" +
				"  app:\n    image: myapp\n    environment:\n      DATABASE_URL: postgres://app@localhost:5432/app\nvolumes:\n  pgdata: {}\n"},
			"error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := judge(t, nil, tt.files...)
			got := ""
			for _, f := range rep.Findings {
				if f.Rule != "connect-timeout-missing" {
					continue
				}
				if got != "" {
					t.Fatalf("two connect-timeout-missing findings: %v", findings(rep))
				}
				got = f.Severity.String()
				shared := strings.Contains(f.Message, "shares fate")
				if shared != (got == "warning") {
					t.Errorf("message %q: the reason must be given exactly when the severity is lowered", f.Message)
				}
			}
			if got != tt.want {
				t.Errorf("connect-timeout-missing %q, want %q (findings %v)", got, tt.want, findings(rep))
			}
		})
	}
}
