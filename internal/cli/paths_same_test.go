package cli

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
)

// TestSamePathEveryCommand: one file, reached through "." and through its
// folder, is printed under one name by every command and format (the
// argument as given joined with the path below it, docs/scan.md "Names in
// reports"). check used to print conf/app.yaml where scan and verify
// printed app.yaml for `conf`.
func TestSamePathEveryCommand(t *testing.T) {
	dir := t.TempDir()
	port := testenv.ClosedPort(t)
	writeTree(t, dir, map[string][]byte{
		"conf/app.yaml": fmt.Appendf(nil, "database:\n  adapter: postgresql\n  host: 127.0.0.1\n  port: %d\n  database: app\n  username: app\n  password: Zq8-not-a-sample\n", port),
	})
	t.Chdir(dir)
	const want = "conf/app.yaml"
	for _, arg := range []string{".", "conf", "./conf/", "conf/app.yaml"} {
		t.Run(arg, func(t *testing.T) {
			runs := []struct {
				args []string
				// files extracts every file name the output prints.
				files func(t *testing.T, out string) []string
			}{
				{[]string{"scan", "--format", "json"}, jsonFiles("file", "id")},
				{[]string{"scan"}, regexFiles(`(?m)^(\S+):\d+:\d+ `)},
				{[]string{"check", "--format", "json"}, jsonFiles("file", "profile")},
				{[]string{"check", "--format", "sarif"}, jsonFiles("uri")},
				{[]string{"check", "--format", "github"}, regexFiles(`file=([^,]+),`)},
				{[]string{"check", "--format", "junit"}, regexFiles(`(?:classname|file)="([^"]+)"`)},
				{[]string{"check"}, regexFiles(`(?m)^(\S+)$|profile ([^#\s]+)#`)},
				{[]string{"verify", "--format", "json", "--stage-timeout", "2s"}, jsonFiles("file", "profile")},
				{[]string{"verify", "--format", "json", "--stage-timeout", "2s", "--profile", want + "#database"}, jsonFiles("file", "profile")},
			}
			for _, r := range runs {
				args := append(append(slices.Clone(r.args), "--no-config"), arg)
				_, stdout, stderr := runCLI(t, "", args...)
				files := r.files(t, stdout)
				if len(files) == 0 {
					t.Errorf("%s: no file printed\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), stdout, stderr)
				}
				for _, f := range files {
					if f != want {
						t.Errorf("%s: printed file %q, want %q", strings.Join(args, " "), f, want)
					}
				}
			}
		})
	}
}

// jsonFiles collects the string members of those names anywhere in a JSON
// document; a profile id (file#key) counts for its file.
func jsonFiles(names ...string) func(*testing.T, string) []string {
	return func(t *testing.T, out string) []string {
		t.Helper()
		var doc any
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, out)
		}
		var files []string
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				for k, x := range v {
					if s, ok := x.(string); ok && slices.Contains(names, k) {
						file, _, _ := strings.Cut(s, "#")
						files = append(files, file)
					}
					walk(x)
				}
			case []any:
				for _, x := range v {
					walk(x)
				}
			}
		}
		walk(doc)
		return files
	}
}

func regexFiles(expr string) func(*testing.T, string) []string {
	re := regexp.MustCompile(expr)
	return func(_ *testing.T, out string) []string {
		var files []string
		for _, m := range re.FindAllStringSubmatch(out, -1) {
			for _, g := range m[1:] {
				if g != "" {
					files = append(files, g)
				}
			}
		}
		return files
	}
}
