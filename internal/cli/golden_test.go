package cli

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
)

// updateGolden rewrites the golden files instead of comparing with them:
// go test ./internal/cli -run Golden -update. Other test files of this
// package use this flag too rather than defining their own.
var updateGolden = func() *bool {
	if f := flag.Lookup("update"); f != nil {
		if b, ok := f.Value.(flag.Getter).Get().(bool); ok {
			return &b
		}
	}
	return flag.Bool("update", false, "rewrite the golden files under testdata/")
}()

// goldenScanDir is the fixture tree: at least one file per extractor.
const goldenScanDir = "testdata/scan"

// runCLI runs dbguard with args and returns its exit code and streams.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestScanGolden compares scan's outputs over the fixture tree with the
// golden files, so that every change to what scan reports is seen in review.
func TestScanGolden(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		golden string
	}{
		{"json", []string{"scan", "--no-config", "--format", "json", goldenScanDir}, "testdata/scan.golden.json"},
		{"table", []string{"scan", "--no-config", goldenScanDir}, "testdata/scan.golden.txt"},
		{"stdin json", []string{"scan", "--no-config", "--format", "json", "-"}, "testdata/scan-stdin.golden.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdin := ""
			if tt.args[len(tt.args)-1] == "-" {
				data, err := os.ReadFile(filepath.Join(goldenScanDir, "k8s", "deployment.yaml"))
				if err != nil {
					t.Fatal(err)
				}
				stdin = string(data)
			}
			code, stdout, stderr := runCLI(t, stdin, tt.args...)
			if code != ExitOK {
				t.Fatalf("exit %d, want 0; stderr:\n%s", code, stderr)
			}
			if stderr != "" {
				t.Errorf("stderr not empty:\n%s", stderr)
			}
			if *updateGolden {
				if err := os.WriteFile(tt.golden, []byte(stdout), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(tt.golden)
			if err != nil {
				t.Fatalf("read golden file (run with -update to create it): %v", err)
			}
			if stdout != string(want) {
				t.Errorf("output differs from %s (run go test ./internal/cli -run Golden -update and review the diff):\n%s",
					tt.golden, testenv.FirstDiff(string(want), stdout))
			}
		})
	}
}

// TestGoldenTreeCoversEveryExtractor keeps the fixture tree honest: every
// registered extractor must have found at least one profile in it.
func TestGoldenTreeCoversEveryExtractor(t *testing.T) {
	code, stdout, stderr := runCLI(t, "", "scan", "--no-config", "--format", "json", goldenScanDir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	doc := decodeScan(t, stdout)
	found := map[string]bool{}
	for _, p := range doc.Profiles {
		found[p.Format] = true
	}
	for _, name := range extractorNames() {
		if !found[name] {
			t.Errorf("no profile of extractor %q in %s: add a fixture for it", name, goldenScanDir)
		}
	}
}

// TestScanJSONMatchesSchema validates scan's JSON against the published
// schema: over the fixture tree, over inputs with problems, and over the
// real-world corpus when ../shared is there.
func TestScanJSONMatchesSchema(t *testing.T) {
	schema := compileSchema(t, "scan.schema.json")
	bad := t.TempDir()
	writeTree(t, bad, goodFiles())
	writeTree(t, bad, map[string][]byte{"bin.yaml": []byte("\x00\x01"), "bad.json": []byte("{\"a\": ,}")})
	tests := []struct {
		name string
		args []string
		dir  func(t *testing.T) string
	}{
		{name: "golden tree", dir: func(*testing.T) string { return goldenScanDir }},
		{name: "with problems", dir: func(*testing.T) string { return bad }},
		{name: "real-world corpus", dir: func(t *testing.T) string {
			return filepath.Join(testenv.SharedDir(t), "corpus", "real-world")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.dir(t)
			code, stdout, stderr := runCLI(t, "", "scan", "--no-config", "--format", "json", dir)
			if code == ExitUsage {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if err := testenv.MatchSchema(t, schema, []byte(stdout)); err != nil {
				t.Errorf("scan's JSON does not match docs/schema/scan.schema.json:\n%v", err)
			}
		})
	}
}

// TestSchemaRejects proves the schema test can fail.
func TestSchemaRejects(t *testing.T) {
	schema := compileSchema(t, "scan.schema.json")
	docs := map[string]string{
		"no schema_version": `{"profiles": [], "problems": [], "summary": {"files": 0, "readable": 0, "bytes": 0, "profiles": 0, "problems": 0}}`,
		"a password field":  `{"schema_version": 1, "profiles": [{"password": "x"}], "problems": [], "summary": {"files": 0, "readable": 0, "bytes": 0, "profiles": 0, "problems": 0}}`,
	}
	for name, doc := range docs {
		if testenv.MatchSchema(t, schema, []byte(doc)) == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
	}
}
