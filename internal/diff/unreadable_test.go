package diff_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/diff"
	"github.com/dbguard/dbguard/internal/scan"
)

const unreadableApp = "environment: production\ndatabase:\n  host: orders-db.prod.internal\n  port: 5432\n  name: orders\n  user: orders\n  password: ${DB_PASSWORD}\n  connect_timeout: 5\n"

// A file of the new side that cannot be read as configuration — binary,
// over the size limit, malformed — is a problem of the new side and an
// input-unreadable finding the change introduces, as scan reports it; it
// is never read as an empty file.
func TestUnreadableNewSide(t *testing.T) {
	oversized := append([]byte(unreadableApp+"# "), bytes.Repeat([]byte("x"), scan.MaxFileSize)...)
	cases := []struct {
		name string
		data []byte
		want string // in the problem's message
	}{
		{"binary", []byte("database:\n  host: db\x00\x01\n"), "binary file"},
		{"oversized", oversized, "over the 10485760-byte limit"},
		{"malformed", []byte("database:\n  host: [db\n  port: 5432\n"), "did not find expected"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			oldDir, newDir := filepath.Join(dir, "old"), filepath.Join(dir, "new")
			for _, d := range []string{oldDir, newDir} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(oldDir, "app.yaml"), []byte(unreadableApp), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(newDir, "app.yaml"), c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			res := compareFolders(t, oldDir, newDir, config.Default(), diff.Options{})
			var problem *diff.Problem
			for i, p := range res.Problems {
				if p.Side == "new" && p.Loc.File == "app.yaml" {
					problem = &res.Problems[i]
				}
			}
			if problem == nil || !strings.Contains(problem.Msg, c.want) {
				t.Fatalf("problems = %+v, want a new-side problem of app.yaml saying %q", res.Problems, c.want)
			}
			introduced := false
			for _, f := range res.FindingsIntroduced {
				introduced = introduced || f.Rule == "input-unreadable" && f.Loc.File == "app.yaml"
			}
			if !introduced {
				t.Errorf("no input-unreadable finding introduced: %+v", res.FindingsIntroduced)
			}
			// The profile is gone because its file cannot be read, and
			// the reason says so rather than calling the file empty.
			if len(res.Changes) != 1 || res.Changes[0].Kind != diff.Removed || !strings.Contains(res.Changes[0].Reason, "app.yaml") {
				t.Errorf("changes = %+v, want the profile removed because app.yaml cannot be read", res.Changes)
			}
		})
	}
}
