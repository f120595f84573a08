package cli

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
)

// goldenDocsDir holds the reference of the repository's examples/ service
// as dbguard docs writes it: go test ./internal/cli -run DocsGolden -update
// rewrites it, and the diff is reviewed like any change of output.
const goldenDocsDir = "testdata/docs"

// TestDocsGolden holds docs's Markdown pages and its JSON inventory of
// examples/orders-service against the golden files, and holds docs
// --check to its word on them: current, exit 0.
//
// The examples are copied into a git repository of their own, at the same
// path: connections are named by their path from the repository root, so
// the golden files do not depend on where (or whether in a git checkout)
// the module lies.
func TestDocsGolden(t *testing.T) {
	golden, err := filepath.Abs(goldenDocsDir)
	if err != nil {
		t.Fatal(err)
	}
	goldenJSON, err := filepath.Abs("testdata/docs.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	examples := filepath.Join(repo, "examples", "orders-service")
	if err := os.CopyFS(examples, os.DirFS(filepath.Join(testenv.ModuleRoot(t), "examples", "orders-service"))); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("git", "init", "-q", repo).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	t.Chdir(repo)
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, "", "docs", "--no-config", "--out", out, examples)
	if code != ExitOK {
		t.Fatalf("docs: exit %d\n%s%s", code, stdout, stderr)
	}
	code, jsonOut, stderr := runCLI(t, "", "docs", "--no-config", "--format", "json", examples)
	if code != ExitOK {
		t.Fatalf("docs --format json: exit %d\n%s", code, stderr)
	}
	if *updateGolden {
		if err := os.RemoveAll(golden); err != nil {
			t.Fatal(err)
		}
		if err := os.CopyFS(golden, os.DirFS(out)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenJSON, []byte(jsonOut), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, want := treeOf(t, out), treeOf(t, golden)
	if !slices.Equal(sortedNames(got), sortedNames(want)) {
		t.Errorf("docs wrote %v, the golden tree holds %v (run go test ./internal/cli -run DocsGolden -update and review the diff)", sortedNames(got), sortedNames(want))
	}
	for name, w := range want {
		if g, ok := got[name]; ok && g != w {
			t.Errorf("%s differs from %s (go test ./internal/cli -run DocsGolden -update):\n%s", name, goldenDocsDir, testenv.FirstDiff(w, g))
		}
	}
	wantJSON, err := os.ReadFile(goldenJSON)
	if err != nil {
		t.Fatalf("read the golden JSON (run with -update to create it): %v", err)
	}
	if jsonOut != string(wantJSON) {
		t.Errorf("docs --format json differs from testdata/docs.golden.json:\n%s", testenv.FirstDiff(string(wantJSON), jsonOut))
	}
	// The golden tree is a committed reference: --check must call it current.
	code, stdout, stderr = runCLI(t, "", "docs", "--no-config", "--check", "--out", golden, examples)
	if code != ExitOK {
		t.Errorf("docs --check on the golden tree: exit %d, want 0\n%s%s", code, stdout, stderr)
	}
	// The examples hold a PgBouncer in front of the production database:
	// the topology must route the production service through it.
	readme := got["README.md"]
	for _, s := range []string{"```mermaid", `[["PgBouncer examples/orders-service/deploy/pgbouncer.ini (:6432)"]]`, `[("orders-db-primary.prod.internal:5432")]`} {
		if !strings.Contains(readme, s) {
			t.Errorf("README.md lacks %q", s)
		}
	}
}

// treeOf reads every file under dir, by slash path.
func treeOf(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		out[p] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sortedNames(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
