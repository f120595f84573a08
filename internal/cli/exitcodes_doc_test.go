package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
)

// TestExitCodesDocumented holds docs/exit-codes.md and the code together:
// each case quotes what the page says, which must still be there, and runs
// a command that the sentence is about, whose exit code must be the one
// the page gives. A change to either side that the other does not follow
// fails here.
func TestExitCodesDocumented(t *testing.T) {
	page, err := os.ReadFile(filepath.Join(testenv.ModuleRoot(t), "docs", "exit-codes.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Join(strings.Fields(string(page)), " ")
	clean := t.TempDir()
	writeTree(t, clean, goodFiles())
	prod := t.TempDir()
	writeTree(t, prod, map[string][]byte{"app.yaml": []byte("environment: production\ndatabase:\n  driver: postgres\n  host: db.internal\n  port: 5432\n  user: app\n  password: hunter2hunter2\n  sslmode: disable\n")})
	mixed := t.TempDir()
	writeTree(t, mixed, map[string][]byte{"a.yaml": []byte("database:\n  driver: postgres\n  host: db.internal\n  port: 5432\n"), "b.json": []byte("{")})
	baseline := filepath.Join(t.TempDir(), "baseline.json")
	checkExitCases(t, doc, []exitCase{
		{"scan judges nothing else: 0 when every input was read", []string{"scan", "--no-config", clean}, ExitOK},
		{"an input that could not be read while others could", []string{"scan", "--no-config", mixed}, ExitFindings},
		{"every file found was unreadable (`no readable input`)", []string{"scan", "--no-config", filepath.Join(mixed, "b.json")}, ExitUsage},
		{"`--fail-on error\\|warning\\|info\\|none` (default `error`)", []string{"check", "--no-config", prod}, ExitFindings},
		{"`none` never exits 1 for findings", []string{"check", "--no-config", "--fail-on", "none", prod}, ExitOK},
		{"`--write-baseline` writes the baseline and exits 0", []string{"check", "--no-config", "--write-baseline", baseline, prod}, ExitOK},
		{"a flag value outside its choices or its range (`--format xml`", []string{"check", "--no-config", "--format", "xml", clean}, ExitUsage},
		{"needs at least one PATH (2 otherwise)", []string{"verify", "--no-config"}, ExitUsage},
		{"a filter (`--env`, `--profile`) that matches no profile is a usage error (2)", []string{"verify", "--no-config", "--env", "staging", prod}, ExitUsage},
		{"`--retry-backoff -1s`, `--retries -1`, `--workers 0`", []string{"verify", "--no-config", "--workers", "0", prod}, ExitUsage},
		{"| `version` | — | always 0 |", []string{"version"}, ExitOK},
	})
}

// exitCase is a sentence of docs/exit-codes.md and a command it is about.
type exitCase struct {
	says string
	args []string
	want int
}

// checkExitCases runs each case's command, which must exit as the page
// says, and checks that the page (doc, white space folded) still says it.
func checkExitCases(t *testing.T, doc string, cases []exitCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.says, func(t *testing.T) {
			if !strings.Contains(doc, tt.says) {
				t.Fatalf("docs/exit-codes.md no longer says %q: change the page and this test together", tt.says)
			}
			code, stdout, stderr := runCLI(t, "", tt.args...)
			if code != tt.want {
				t.Errorf("dbguard %s: exit %d, the page says %d\n%s\n%s", strings.Join(tt.args, " "), code, tt.want, stdout, stderr)
			}
		})
	}
}
