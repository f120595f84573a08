package policy_test

import (
	"strings"
	"testing"
)

// bindingSecret is a Service Binding (servicebinding.io) for PostgreSQL:
// where the database is, and nothing of how a client connects.
const bindingSecret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: orders-db\ntype: servicebinding.io/postgresql\nstringData:\n" +
	"  type: postgresql\n  host: orders-db\n  port: \"5432\"\n  database: orders\n  username: orders\n  password: ${ORDERS_DB_PASSWORD}\n"

// bindingWorkload is a Deployment whose container env is env and which
// mounts the Secret secret (a projected volume) under /bindings.
func bindingWorkload(env, secret string) string {
	return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders\nspec:\n  template:\n    spec:\n      containers:\n" +
		"        - name: app\n          image: registry.internal/orders:1\n          env:\n" + env +
		"          volumeMounts:\n            - mountPath: /bindings/db\n              name: binding\n" +
		"      volumes:\n        - name: binding\n          projected:\n            sources:\n              - secret:\n                  name: " + secret + "\n"
}

// TestBindingConsumer holds that a service binding's connect timeout is
// its consumer's: a Spring Boot workload (SPRING_* variables) that reads
// bindings (SERVICE_BINDING_ROOT) and mounts the Secret takes it into
// spring.datasource, whose drivers have a default (PgJDBC's 10 s). When
// the scan cannot tell the consumer, the rule assumes none, as for any
// connection whose client is not known.
func TestBindingConsumer(t *testing.T) {
	spring := "            - name: SPRING_PROFILES_ACTIVE\n              value: postgres\n"
	root := "            - name: SERVICE_BINDING_ROOT\n              value: /bindings\n"
	tests := []struct {
		name  string
		files []string
		want  string
	}{
		{"a Spring Boot workload reading the binding",
			[]string{"k8s/db.yml", bindingSecret, "k8s/app.yml", bindingWorkload(spring+root, "orders-db")},
			"connect-timeout-driver-default warning unknown"},
		{"a workload of unknown kind reading the binding",
			[]string{"k8s/db.yml", bindingSecret, "k8s/app.yml", bindingWorkload(root, "orders-db")},
			"connect-timeout-missing error unknown"},
		{"a Spring Boot workload that reads no bindings",
			[]string{"k8s/db.yml", bindingSecret, "k8s/app.yml", bindingWorkload(spring, "orders-db")},
			"connect-timeout-missing error unknown"},
		{"a Spring Boot workload mounting another Secret",
			[]string{"k8s/db.yml", bindingSecret, "k8s/app.yml", bindingWorkload(spring+root, "other")},
			"connect-timeout-missing error unknown"},
		{"the binding alone",
			[]string{"k8s/db.yml", bindingSecret},
			"connect-timeout-missing error unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range findings(judge(t, nil, tt.files...)) {
				if strings.HasPrefix(f, "connect-timeout") {
					got = append(got, f)
				}
			}
			if strings.Join(got, ",") != tt.want {
				t.Errorf("connect-timeout findings %q, want %q", got, tt.want)
			}
		})
	}
}
