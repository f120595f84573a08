package policy_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/extract"
	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/profile"
)

// judge extracts files (name, content pairs), links them as a scan does
// (envFrom and volume references, autoscalers)
// and evaluates the built-in rules.
func judge(t *testing.T, s *policy.Settings, files ...string) *policy.Report {
	t.Helper()
	var ps []*profile.Profile
	var scalers []extract.Scaler
	var envFrom []extract.EnvFrom
	for i := 0; i < len(files); i += 2 {
		res := extract.File(files[i], []byte(files[i+1]))
		if len(res.Problems) > 0 {
			t.Fatalf("%s: %v", files[i], res.Problems)
		}
		ps = append(ps, res.Profiles...)
		scalers = append(scalers, res.Scalers...)
		envFrom = append(envFrom, res.EnvFrom...)
	}
	extract.Link(ps, scalers, envFrom)
	return policy.Evaluate(policy.Input{Profiles: ps, Files: len(files) / 2}, policy.Builtins(), s)
}

// findings lists a report's findings as "rule severity environment", sorted.
func findings(rep *policy.Report) []string {
	var out []string
	for _, f := range rep.Findings {
		out = append(out, fmt.Sprintf("%s %s %s", f.Rule, f.Severity, f.Environment))
	}
	sort.Strings(out)
	return out
}

// TestPrecisionFindings holds what a trial on real repositories found
// check getting wrong:
// each file is one a reviewer of a real repository would not want an
// error on, or would want exactly this one.
func TestPrecisionFindings(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  []string
	}{
		{"pgbouncer's default server_connect_timeout is 15 s, not none",
			[]string{"pgbouncer.ini", "[databases]\napp = host=db.prod.internal dbname=app\n[pgbouncer]\nlisten_port = 6432\n"},
			[]string{"connect-timeout-driver-default warning unknown"}},
		{"pgbouncer's server_connect_timeout is a connect timeout",
			[]string{"pgbouncer.ini", "[databases]\napp = host=db.prod.internal dbname=app\n[pgbouncer]\nserver_connect_timeout = 2\n"},
			nil},
		{"a Secret with credentials only makes no connection",
			[]string{"secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  DB_USER: app\n  DB_PASSWORD: ${DB_PASSWORD}\n"},
			nil},
		{"a database container's env file is not a client",
			[]string{"docker-compose.yml", "services:\n  db:\n    image: postgres:16\n    env_file: db.env\n",
				"db.env", "POSTGRES_USER=app\nPOSTGRES_DB=app\n"},
			nil},
		{"Druid over MySQL Connector/J has no connect timeout: not HikariCP's",
			[]string{"application.yml", "spring:\n  datasource:\n    url: jdbc:mysql://db.internal:3306/mall\n    druid:\n      max-active: 20\n"},
			[]string{"connect-timeout-missing error unknown"}},
		{"a Spring Boot datasource without a pool of its own is HikariCP",
			[]string{"application.yml", "spring:\n  datasource:\n    url: jdbc:mysql://db.internal:3306/mall\n"},
			[]string{"connect-timeout-driver-default warning unknown"}},
		{"availability rules are info in test",
			[]string{"config/database.yml", "test:\n  adapter: postgresql\n  host: db\n  database: app_test\n"},
			[]string{"connect-timeout-missing info test"}},
		{"availability rules are at most warnings in staging",
			[]string{"config/database.yml", "staging:\n  adapter: postgresql\n  host: db\n  database: app\n"},
			[]string{"connect-timeout-missing warning staging"}},
		{"availability rules are info in a sample file",
			[]string{"config/database.yml.example", "production:\n  adapter: postgresql\n  host: db.prod.internal\n  database: app\n  sslmode: verify-full\n  connect_timeout: 5\n  pool: 500\n"},
			[]string{"pool-lifetime-missing-production info production", "pool-too-large info production", "statement-timeout-missing-production info production"}},
		{"password-literal stays an error in development",
			[]string{".env.development", "DB_HOST=db\nDB_PASSWORD=Tr0ub4dor-x\nDB_CONNECT_TIMEOUT=5\n"},
			[]string{"password-literal error development"}},
		{"a placeholder password is info",
			[]string{".env.development", "DB_HOST=db\nDB_PASSWORD=changeme\nDB_CONNECT_TIMEOUT=5\n"},
			[]string{"password-literal info development"}},
		{"a shared placeholder is no shared production password",
			[]string{".env.sample", "DB_HOST=db\nDB_PASSWORD=pass\nDB_CONNECT_TIMEOUT=5\n",
				".env.production", "DB_HOST=db.prod.internal\nDB_PASSWORD=pass\nDB_CONNECT_TIMEOUT=5\nDB_SSLMODE=verify-full\n",
				".env.test", "DB_HOST=db\nDB_PASSWORD=pass\nDB_CONNECT_TIMEOUT=5\n"},
			[]string{"password-literal info production", "password-literal info test", "password-literal info unknown"}},
		{"an empty host in a chart's values.yaml is a value for the installer to fill",
			[]string{"charts/app/values.yaml", "database:\n  type: postgres\n  host: \"\"\n  port: \"\"\n  name: app\n  username: app\n  existingSecret: \"\"\n"},
			nil},
		{"an empty host in a chart's values-production.yaml is an error",
			[]string{"charts/app/values-production.yaml", "database:\n  type: postgres\n  host: \"\"\n  name: app\n  username: app\n  connectTimeout: 5\n"},
			[]string{"host-empty error production", "statement-timeout-missing-production warning production", "tls-not-configured-production warning production"}},
		{"knex over Node's mysql has a 10 s connect timeout: not none",
			[]string{"config.json", "{\"database\": {\"client\": \"mysql\", \"connection\": {\"host\": \"db.internal\", \"user\": \"ghost\", \"database\": \"ghost\"}}}\n"},
			[]string{"connect-timeout-driver-default warning unknown"}},
		{"knex over node-postgres has none",
			[]string{"config.json", "{\"database\": {\"client\": \"pg\", \"connection\": {\"host\": \"db.internal\", \"user\": \"app\", \"database\": \"app\"}}}\n"},
			[]string{"connect-timeout-missing error unknown"}},
		{"one database.yml location in several environments is reported as production's",
			[]string{"config/database.yml", "default: &default\n  adapter: postgresql\n  host: db\ndevelopment:\n  <<: *default\n  database: app_dev\nproduction:\n  <<: *default\n  database: app\n"},
			[]string{"connect-timeout-missing error production",
				"statement-timeout-missing-production warning production", "tls-not-configured-production warning production"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantFindings(t, tt.files, tt.want) })
	}
}

// wantFindings judges files (name, content pairs) with the built-in rules
// and compares the findings, as "rule severity environment", with want.
func wantFindings(t *testing.T, files, want []string) {
	t.Helper()
	got := findings(judge(t, nil, files...))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestEnvironmentCapsOverride checks that dbguard.yaml's table replaces
// the default one.
func TestEnvironmentCapsOverride(t *testing.T) {
	s := policy.DefaultSettings()
	s.EnvironmentCaps = map[string]policy.Severity{"test": policy.Warning}
	got := findings(judge(t, s, "config/database.yml", "test:\n  adapter: postgresql\n  host: db\n  database: app_test\n"))
	if want := "connect-timeout-missing warning test"; strings.Join(got, ",") != want {
		t.Errorf("findings %q, want %q", got, want)
	}
}
