package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHistoryProfileByName: --profile takes a profile's name as scan
// shows it; a name two recorded profiles bear is a usage error listing
// both ids.
func TestHistoryProfileByName(t *testing.T) {
	repo, _ := storeRepo(t)
	app := filepath.Join(repo, "deploy", "app.yaml")
	text, err := os.ReadFile(app)
	if err != nil {
		t.Fatal(err)
	}
	writeTree(t, filepath.Join(repo, "deploy"), map[string][]byte{
		"other.yaml":   text,
		"reports.yaml": []byte(strings.Replace(string(text), "database:", "reporting:", 1)),
	})
	mustRun(t, 0, "record", ".")

	out := mustRun(t, 0, "history", "--profile", "reporting")
	if !strings.Contains(out, "deploy/reports.yaml") || strings.Contains(out, "deploy/app.yaml") {
		t.Fatalf("history --profile reporting:\n%s", out)
	}
	out = mustRun(t, 2, "history", "--profile", "database")
	if !strings.Contains(out, `2 recorded profiles are named "database"`) || !strings.Contains(out, "deploy/app.yaml#database, deploy/other.yaml#database") {
		t.Fatalf("an ambiguous name:\n%s", out)
	}
	// An id and a file still work as before.
	out = mustRun(t, 0, "history", "--profile", "deploy/other.yaml#database")
	if !strings.Contains(out, "deploy/other.yaml") || strings.Contains(out, "deploy/app.yaml") {
		t.Fatalf("history --profile by id:\n%s", out)
	}
}
