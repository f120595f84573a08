package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
)

// watch's exit codes are the ones docs/exit-codes.md gives it.
func TestWatchExitCodes(t *testing.T) {
	page, err := os.ReadFile(filepath.Join(testenv.ModuleRoot(t), "docs", "exit-codes.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Join(strings.Fields(string(page)), " ")
	dir := t.TempDir()
	down := filepath.Join(dir, "down")
	writeTree(t, down, map[string][]byte{"app.yaml": []byte(pgProfile("production", "database", "127.0.0.1", closedPort(t), "app", "app", "DB_PASSWORD"))})
	empty := filepath.Join(dir, "empty")
	writeTree(t, empty, map[string][]byte{"README.md": []byte("no configuration here\n")})
	valid := filepath.Join(dir, "valid.yaml")
	unresolved := filepath.Join(dir, "unresolved.yaml")
	invalid := filepath.Join(dir, "invalid.yaml")
	for path, text := range map[string]string{
		valid:      "version: 1\nwatch:\n  sources:\n    - paths: [down/]\n",
		unresolved: "version: 1\nwatch:\n  notifiers:\n    - {name: hook, type: webhook, url_env: DBGUARD_TEST_UNSET_WEBHOOK}\n",
		invalid:    "version: 1\nwatch:\n  interval: soon\n",
	} {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("DBGUARD_TEST_UNSET_WEBHOOK", "")
	tests := []struct {
		says string
		args []string
		want int
	}{
		{"`--once` has verify's codes", []string{"watch", "--once", "--no-config", down}, ExitFindings},
		{"(2 also when the watched paths hold no profile)", []string{"watch", "--once", "--no-config", empty}, ExitUsage},
		{"`--check-config`: 0 valid", []string{"watch", "--check-config", "--config", valid}, ExitOK},
		{"2 invalid or a secret reference that does not resolve", []string{"watch", "--check-config", "--config", unresolved}, ExitUsage},
		{"2 invalid or a secret reference that does not resolve", []string{"watch", "--check-config", "--config", invalid}, ExitUsage},
		{"2 when it cannot start (the store, a listen address, a source, the notifiers)", []string{"watch", "--no-config", "--no-store", "--listen", "127.0.0.1:99999", down}, ExitUsage},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			if !strings.Contains(doc, tt.says) {
				t.Fatalf("docs/exit-codes.md no longer says %q", tt.says)
			}
			code, stdout, stderr := runCLI(t, "", tt.args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.want, stdout, stderr)
			}
		})
	}
}

// watch --once against the live PostgreSQL passes with verify's report.
func TestWatchOnceLive(t *testing.T) {
	pg := testPG(t)
	pw, _ := pg.User.Password()
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"app.yaml": []byte(pgProfile("production", "database", pg.Hostname(), pg.Port(), pg.User.Username(), strings.TrimPrefix(pg.Path, "/"), "DBGUARD_TEST_WATCH_PW"))})
	t.Setenv("DBGUARD_TEST_WATCH_PW", pw)
	code, stdout, stderr := runCLI(t, "", "watch", "--once", "--no-config", "--format", "json", dir)
	if code != ExitOK || !strings.Contains(stdout, `"schema_version"`) {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if strings.Contains(stdout+stderr, pw) {
		t.Error("the password appears in watch --once's output")
	}
}
