package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
)

// TestDocsCheck: a reference written by docs is current for --check (with
// or without --timestamp); an edit of a source file makes it stale and
// --check names the page; a source removed leaves a generated page that
// is no longer generated, which --check names and docs removes, while a
// page written by hand beside them is never touched.
func TestDocsCheck(t *testing.T) {
	repo := t.TempDir()
	if err := os.CopyFS(repo, os.DirFS(filepath.Join(testenv.ModuleRoot(t), "examples", "orders-service"))); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("git", "init", "-q", repo).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	t.Chdir(repo)
	ref := filepath.Join(repo, "docs", "database")
	docs := func(args ...string) (int, string) {
		t.Helper()
		code, stdout, stderr := runCLI(t, "", append([]string{"docs", "--no-config", "--out", ref}, append(args, "config", "deploy")...)...)
		return code, stdout + stderr
	}
	if code, out := docs("--timestamp"); code != ExitOK {
		t.Fatalf("docs: exit %d\n%s", code, out)
	}
	index, err := os.ReadFile(filepath.Join(ref, "README.md"))
	if err != nil || !strings.Contains(string(index), "\nGenerated at ") {
		t.Fatalf("--timestamp wrote no generation time (%v)", err)
	}
	hand := filepath.Join(ref, "services", "NOTES.md")
	if err := os.WriteFile(hand, []byte("# written by hand\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out := docs("--check"); code != ExitOK {
		t.Fatalf("docs --check right after docs: exit %d, want 0\n%s", code, out)
	}

	// An edit of a connection setting makes its service's page stale.
	prod := filepath.Join(repo, "config", "production.yaml")
	data, err := os.ReadFile(prod)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "6432", "5432", 1)
	if edited == string(data) {
		t.Fatal("config/production.yaml has no port 6432 to edit: change the test with the example")
	}
	if err := os.WriteFile(prod, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out := docs("--check")
	if code != ExitFindings || !strings.Contains(out, filepath.Join(ref, "services", "production.md")+": differs") {
		t.Fatalf("docs --check after an edit: exit %d, want 1 naming services/production.md\n%s", code, out)
	}

	// A source removed: its service's page is no longer generated.
	if err := os.Remove(filepath.Join(repo, "deploy", "pgbouncer.ini")); err != nil {
		t.Fatal(err)
	}
	code, out = docs("--check")
	if code != ExitFindings || !strings.Contains(out, filepath.Join(ref, "services", "pgbouncer.md")+": extra") {
		t.Fatalf("docs --check after a removal: exit %d, want 1 naming services/pgbouncer.md as extra\n%s", code, out)
	}
	if strings.Contains(out, "NOTES.md") {
		t.Errorf("--check names the page written by hand:\n%s", out)
	}
	if code, out := docs(); code != ExitOK || !strings.Contains(out, "1 removed") {
		t.Fatalf("docs: exit %d, want 0 with 1 page removed\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(ref, "services", "pgbouncer.md")); !os.IsNotExist(err) {
		t.Errorf("the page no longer generated is still there (%v)", err)
	}
	if _, err := os.Stat(hand); err != nil {
		t.Errorf("docs removed the page written by hand: %v", err)
	}
	if code, out := docs("--check"); code != ExitOK {
		t.Fatalf("docs --check after regenerating: exit %d, want 0\n%s", code, out)
	}
}

// TestDocsUsage: the mistakes docs refuses with 2.
func TestDocsUsage(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, goodFiles())
	for name, args := range map[string][]string{
		"no --out":        {"docs", "--no-config", dir},
		"--check, no out": {"docs", "--no-config", "--check", "--format", "json", dir},
		"stdin":           {"docs", "--no-config", "--out", t.TempDir(), "-"},
		"bad format":      {"docs", "--no-config", "--format", "html", "--out", t.TempDir(), dir},
		"nothing to read": {"docs", "--no-config", "--out", t.TempDir(), t.TempDir()},
	} {
		t.Run(name, func(t *testing.T) {
			if code, stdout, stderr := runCLI(t, "", args...); code != ExitUsage {
				t.Errorf("exit %d, want 2\n%s%s", code, stdout, stderr)
			}
		})
	}
}
