package extract_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/extract"
)

// TestEnvironmentManifests holds docs/scan.md's table of what a
// Kubernetes manifest says about its environment to the code: each row
// becomes a Deployment at the row's path whose container connects to a
// database.
func TestEnvironmentManifests(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "scan.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(doc), "<!-- environment-manifests -->\n")
	if !ok {
		t.Fatal("docs/scan.md has no <!-- environment-manifests --> table")
	}
	table, _, _ = strings.Cut(table, "\n\n")
	rows := strings.Split(table, "\n")[2:]
	if len(rows) < 5 {
		t.Fatalf("only %d rows in docs/scan.md's manifest table", len(rows))
	}
	for _, row := range rows {
		cells := strings.Split(strings.Trim(strings.TrimSpace(row), "|"), "|")
		if len(cells) != 4 {
			t.Fatalf("row %q has %d cells", row, len(cells))
		}
		file := strings.Trim(strings.TrimSpace(cells[0]), "`")
		says := strings.TrimSpace(cells[1])
		env, from := strings.TrimSpace(cells[2]), strings.TrimSpace(cells[3])
		t.Run(file+" "+says, func(t *testing.T) {
			kind := strings.Fields(says)[0]
			parts := strings.Split(says, "`")
			var meta, vars string
			for i := 1; i < len(parts); i += 2 {
				p := parts[i]
				switch {
				case strings.Contains(p, "="):
					k, v, _ := strings.Cut(p, "=")
					vars += "            - name: " + k + "\n              value: " + v + "\n"
				case kind == "namespace":
					meta += "  namespace: " + p + "\n"
				case kind == "label":
					meta += "  labels:\n    " + p + "\n"
				case kind == "annotation":
					meta += "  annotations:\n    " + p + "\n"
				}
			}
			data := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n" + meta +
				"spec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: example/app:1\n          env:\n" +
				vars + "            - name: DATABASE_URL\n              value: postgres://app@db:5432/app\n"
			ps := extract.File(file, []byte(data)).Profiles
			if len(ps) != 1 {
				t.Fatalf("%d profiles, want 1:\n%s", len(ps), data)
			}
			if p := ps[0]; string(p.Environment) != env || p.EnvironmentFrom != from {
				t.Errorf("environment %s from %q, docs/scan.md says %s from %q", p.Environment, p.EnvironmentFrom, env, from)
			}
		})
	}
}
