package cli

import (
	"database/sql"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
)

// TestCanaryAudit: audit over the canary tree, recorded and then rotated
// (so that drift sees every password change), with its servers read live,
// prints no canary in any format, writes none into the report file, and
// stores none in its audit event. When the test PostgreSQL is there, the
// profiles point at it, so that the canary is sent and refused by a real
// server whose answer reaches the report; otherwise at a closed port.
func TestCanaryAudit(t *testing.T) {
	root, repo := canaryRepo(t)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(testenv.ClosedPort(t)))
	if u, err := url.Parse(os.Getenv(testenv.EnvPG)); err == nil && u.Host != "" {
		addr = u.Host
	}
	if err := canaryWriteTree(repo, canaryFiles(addr)); err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	run := func(args ...string) {
		t.Helper()
		code, stdout, stderr := runCLI(t, "", args...)
		if code == ExitUsage {
			t.Fatalf("dbguard %s: exit 2\n%s%s", strings.Join(args, " "), stdout, stderr)
		}
		all.WriteString(stdout + stderr)
	}
	run("record", repo)
	if err := canaryWriteTree(repo, canaryChangedFiles(addr)); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(root, "audit.html")
	for _, format := range []string{"markdown", "json", "html"} {
		run("audit", "--stage-timeout", "2s", "--format", format, repo)
	}
	run("audit", "--stage-timeout", "2s", "--format", "html", "--out", report, repo)
	html, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(all.String(), "config-drift") || !strings.Contains(all.String(), addr) {
		t.Fatalf("the audit saw no drift or no server %s: the canary was not exercised\n%s", addr, all.String())
	}
	db, err := sql.Open("sqlite", filepath.Join(repo, ".dbguard", "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dump := canaryDumpRows(t, db)
	if !strings.Contains(dump, `"still_open"`) {
		t.Fatalf("no audit event in the store")
	}
	for name, data := range map[string]string{"output": all.String(), "the HTML report": string(html), "the store's rows": dump} {
		if leaks := canaryLeaks([]byte(data)); len(leaks) > 0 {
			t.Errorf("%s leaks the canary:\n  %s", name, strings.Join(leaks, "\n  "))
		}
	}
}

// canaryRepo is a git repository in a folder of its own, made the current
// folder, with HOME and the XDG folders isolated beside it.
func canaryRepo(t *testing.T) (root, repo string) {
	t.Helper()
	root = t.TempDir()
	canaryStoreEnv(t, root)
	repo = filepath.Join(root, "repo")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("git", "init", "-q", repo).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	t.Chdir(repo)
	return root, repo
}
