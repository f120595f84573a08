package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
)

// testPG is the test PostgreSQL's URL, parsed.
func testPG(t *testing.T) *url.URL {
	t.Helper()
	pg, err := url.Parse(testenv.PG(t))
	if err != nil {
		t.Fatal(err)
	}
	return pg
}

// TestVerifyCanaryRealFailures plants the canary as the password of
// profiles that fail where driver error text is built from connection
// settings: a real PostgreSQL and MariaDB rejecting it, a listener that
// answers garbage, a silent one. No output format may carry it.
func TestVerifyCanaryRealFailures(t *testing.T) {
	pg := testPG(t)
	myAddr := testenv.MySQLConfig(t).Addr
	garbage := testenv.Serve(t, func(c net.Conn) {
		_, _ = c.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
		c.Close()
	})
	dir := t.TempDir()
	pw := url.QueryEscape(canary)
	files := map[string]string{
		"pg/.env":      fmt.Sprintf("DATABASE_URL=postgres://dbguard:%s@%s/dbguard?sslmode=disable\n", pw, pg.Host),
		"pgtls/.env":   fmt.Sprintf("DATABASE_URL=postgres://dbguard:%s@%s/dbguard?sslmode=require\n", pw, pg.Host),
		"mysql/.env":   fmt.Sprintf("DATABASE_URL=mysql://dbguard:%s@%s/dbguard\n", pw, myAddr),
		"garbage/.env": fmt.Sprintf("DATABASE_URL=postgres://dbguard:%s@%s/dbguard?sslmode=disable\n", pw, garbage),
	}
	if err := canaryWriteTree(dir, files); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"text", "json", "junit"} {
		t.Run(format, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), []string{"verify", "--no-config", "--stage-timeout", "2s", "--format", format, dir},
				strings.NewReader(""), &stdout, &stderr)
			if code != ExitFindings {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, ExitFindings, stdout.String(), stderr.String())
			}
			for _, out := range [][]byte{stdout.Bytes(), stderr.Bytes()} {
				if leaks := canaryLeaks(out); len(leaks) > 0 {
					t.Fatalf("the canary leaks (%v):\n%s", leaks, out)
				}
			}
			if format == "json" {
				var doc struct {
					SchemaVersion int `json:"schema_version"`
					Results       []struct {
						Profile, Class, Stage string
						OK                    bool
					} `json:"results"`
				}
				if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil || doc.SchemaVersion == 0 || len(doc.Results) != 4 {
					t.Fatalf("json: %v %+v\n%s", err, doc, stdout.String())
				}
				classes := map[string]bool{}
				for _, r := range doc.Results {
					classes[r.Class] = true
				}
				for _, want := range []string{"auth_failed", "protocol_error"} {
					if !classes[want] {
						t.Errorf("no %s result in %+v", want, doc.Results)
					}
				}
			}
		})
	}
}

// TestVerifySelectionMatchesNothing: a --env or --profile that matches no
// profile is a usage error (exit 2) that names what there is, so that a
// deploy gate with a typo cannot pass by verifying nothing.
func TestVerifySelectionMatchesNothing(t *testing.T) {
	dir := t.TempDir()
	yml := `development:
  adapter: postgresql
  host: 127.0.0.1
  port: 1
  database: app_dev
  username: app
staging:
  adapter: postgresql
  host: 127.0.0.1
  port: 1
  database: app_stg
  username: app
`
	if err := os.MkdirAll(filepath.Join(dir, "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config", "database.yml"), []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "app.yaml"), []byte("name: shop\nlog_level: info\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"env matches nothing", []string{"--env", "production", dir}, ExitUsage,
			"dbguard: no profile matches --env production: found environments development, staging\n"},
		{"env alias matches nothing", []string{"--env", "prod", dir}, ExitUsage,
			"dbguard: no profile matches --env prod: found environments development, staging\n"},
		{"env that is no environment", []string{"--env", "prodution", dir}, ExitUsage,
			`dbguard: unknown --env "prodution": use production, staging, development, test, ci or unknown (or an alias such as prod, stg, dev)` + "\n"},
		{"profile matches nothing", []string{"--profile", "config/database.yml#production", dir}, ExitUsage,
			"dbguard: no profile matches --profile config/database.yml#production: found profiles config/database.yml#development, config/database.yml#staging\n"},
		{"one of two profiles matches nothing", []string{"--profile", "config/database.yml#staging", "--profile", "config/database.yml#prod", dir}, ExitUsage,
			"dbguard: no profile matches --profile config/database.yml#prod: found profiles config/database.yml#development, config/database.yml#staging\n"},
		{"profile in another environment", []string{"--env", "staging", "--profile", "config/database.yml#development", dir}, ExitUsage,
			"dbguard: no profile matches --env staging --profile config/database.yml#development: profiles of staging are config/database.yml#staging\n"},
		{"paths without profiles", []string{"--env", "production", empty}, ExitUsage,
			"dbguard: no profile matches --env production: the paths hold no profile to verify\n"},
		// Controls: a selection that matches is verified (port 1 refuses).
		{"env matches", []string{"--env", "stg", dir}, ExitFindings, ""},
		{"profile matches", []string{"--profile", "config/database.yml#development", dir}, ExitFindings, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, format := range []string{"text", "json"} {
				var stdout, stderr bytes.Buffer
				args := append([]string{"verify", "--no-config", "--stage-timeout", "2s", "--format", format}, tc.args...)
				code := Run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
				if code != tc.code {
					t.Fatalf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", format, code, tc.code, stdout.String(), stderr.String())
				}
				if tc.code == ExitUsage {
					if stderr.String() != tc.stderr {
						t.Errorf("%s: stderr\n%q\nwant\n%q", format, stderr.String(), tc.stderr)
					}
					if stdout.Len() != 0 {
						t.Errorf("%s: a usage error wrote to stdout: %s", format, stdout.String())
					}
				}
			}
		})
	}
}
