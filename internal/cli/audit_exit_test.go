package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
)

// TestAuditExitCodes holds audit to its row of docs/exit-codes.md: check's
// threshold (1 at or above --fail-on, 0 with none), 2 for a usage error
// or no readable input, and a store that cannot be opened is a note in
// the report, not 2.
func TestAuditExitCodes(t *testing.T) {
	page, err := os.ReadFile(filepath.Join(testenv.ModuleRoot(t), "docs", "exit-codes.md"))
	if err != nil {
		t.Fatal(err)
	}
	const row = "| `audit` | `--fail-on error\\|warning\\|info\\|none` (default `error`), as check |"
	if !strings.Contains(string(page), row) {
		t.Fatalf("docs/exit-codes.md lacks audit's row %q: change the page and this test together", row)
	}
	root := t.TempDir()
	canaryStoreEnv(t, root)
	prod := filepath.Join(root, "prod")
	writeTree(t, prod, map[string][]byte{"app.yaml": []byte("environment: production\ndatabase:\n  driver: postgres\n  host: db.internal\n  port: 5432\n  user: app\n  password: hunter2hunter2\n  sslmode: disable\n")})
	empty := filepath.Join(root, "empty")
	writeTree(t, empty, map[string][]byte{"README.md": []byte("nothing\n")})
	badStore := filepath.Join(root, "no-such-folder", "deeper", "state.db")
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"findings at the default threshold", []string{"audit", "--no-config", "--no-live", prod}, ExitFindings},
		{"none never fails", []string{"audit", "--no-config", "--no-live", "--fail-on", "none", prod}, ExitOK},
		{"bad format", []string{"audit", "--no-config", "--format", "sarif", prod}, ExitUsage},
		{"bad threshold", []string{"audit", "--no-config", "--fail-on", "bogus", prod}, ExitUsage},
		{"standard input", []string{"audit", "--no-config", "-"}, ExitUsage},
		{"no configuration file", []string{"audit", "--no-config", "--no-live", empty}, ExitUsage},
		{"store that cannot be opened", []string{"audit", "--no-config", "--no-live", "--fail-on", "none", "--store", badStore, prod}, ExitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", tt.args...)
			if code != tt.want {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.want, stdout, stderr)
			}
			if strings.Contains(stdout+stderr, "hunter2hunter2") {
				t.Fatal("the password was printed")
			}
		})
	}
	_, out, _ := runCLI(t, "", "audit", "--no-config", "--no-live", "--fail-on", "none", "--store", badStore, prod)
	if !strings.Contains(out, "not stored") {
		t.Errorf("the report does not say it was not stored:\n%s", out)
	}
}
