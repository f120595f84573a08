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

// TestVerifyCanaryRealFailures plants the canary as the password of
// profiles that fail where driver error text is built from connection
// settings: a real PostgreSQL and MariaDB rejecting it, a listener that
// answers garbage, a silent one. No output format may carry it.
func TestVerifyCanaryRealFailures(t *testing.T) {
	pg, err := url.Parse(testenv.PG(t))
	if err != nil {
		t.Fatal(err)
	}
	my := testenv.MySQL(t)
	myAddr := my[strings.Index(my, "tcp(")+4 : strings.Index(my, ")")]
	garbage, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer garbage.Close()
	go func() {
		for {
			c, err := garbage.Accept()
			if err != nil {
				return
			}
			_, _ = c.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
			c.Close()
		}
	}()
	dir := t.TempDir()
	pw := url.QueryEscape(canary)
	files := map[string]string{
		"pg/.env":      fmt.Sprintf("DATABASE_URL=postgres://dbguard:%s@%s/dbguard?sslmode=disable\n", pw, pg.Host),
		"pgtls/.env":   fmt.Sprintf("DATABASE_URL=postgres://dbguard:%s@%s/dbguard?sslmode=require\n", pw, pg.Host),
		"mysql/.env":   fmt.Sprintf("DATABASE_URL=mysql://dbguard:%s@%s/dbguard\n", pw, myAddr),
		"garbage/.env": fmt.Sprintf("DATABASE_URL=postgres://dbguard:%s@%s/dbguard?sslmode=disable\n", pw, garbage.Addr()),
	}
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
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
