package cli

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
)

// TestAuditHTMLOpensInChromium renders audit's HTML report of a tree with
// findings in every group (a server that cannot be read, check findings,
// a capacity budget over its limit) and opens it in headless Chromium: the
// summary element is there, the page logs nothing to the console (no
// script error, no resource it failed to load), and a screenshot is saved
// in the test's folder.
func TestAuditHTMLOpensInChromium(t *testing.T) {
	testenv.Chromium(t)
	root := t.TempDir()
	canaryStoreEnv(t, root)
	t.Chdir(root)
	port := testenv.ClosedPort(t)
	writeTree(t, root, map[string][]byte{
		"dbguard.yaml": []byte("version: 1\ninventory:\n  servers:\n    - name: orders-db\n      hosts: [127.0.0.1]\n      kind: postgres\n" +
			"      port: " + strconv.Itoa(port) + "\n      max_connections: 100\n      reserved_connections: 3\n"),
		"docker-compose.yml": []byte("services:\n  api:\n    image: example/api:1\n    deploy:\n      replicas: 4\n    environment:\n" +
			"      DATABASE_URL: postgres://app@127.0.0.1:" + strconv.Itoa(port) + "/app?sslmode=disable\n      DB_MAX_OPEN_CONNS: 40\n"),
		"config/production.yaml": []byte("environment: production\ndatabase:\n  driver: postgres\n  host: 127.0.0.1\n  port: " + strconv.Itoa(port) +
			"\n  user: app\n  sslmode: disable\n"),
	})
	page := filepath.Join(t.TempDir(), "audit.html")
	code, stdout, stderr := runCLI(t, "", "audit", "--config", filepath.Join(root, "dbguard.yaml"), "--stage-timeout", "1s", "--format", "html", "--out", page, root)
	if code != ExitFindings {
		t.Fatalf("audit: exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, external := range []string{"<link", "<script", "src=", "@import", "url("} {
		if strings.Contains(string(html), external) {
			t.Errorf("the report is not self-contained: it holds %q", external)
		}
	}
	got := testenv.OpenHeadless(t, page)
	if len(got.Console) > 0 {
		t.Errorf("the page logged to the console:\n%s", strings.Join(got.Console, "\n"))
	}
	for _, want := range []string{`id="summary"`, `class="fail"`, "server-capacity-exceeded", "server-unreachable", "tls-disabled-production", "160 &gt; 97 available on orders-db"} {
		if !strings.Contains(got.DOM, want) {
			t.Errorf("the rendered page lacks %q", want)
		}
	}
	t.Logf("screenshot: %s", got.Screenshot)

	// The console check itself: a page that logs an error is caught.
	bad := filepath.Join(t.TempDir(), "bad.html")
	if err := os.WriteFile(bad, []byte(`<!DOCTYPE html><p id="summary">x</p><script>console.error("audit-console-check")</script>`), 0o644); err != nil {
		t.Fatal(err)
	}
	if c := testenv.OpenHeadless(t, bad).Console; len(c) == 0 || !strings.Contains(strings.Join(c, "\n"), "audit-console-check") {
		t.Fatalf("a console error went unseen: %q", c)
	}
}
