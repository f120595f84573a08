package cli

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
)

// TestDocsVerifiedGood: with a store, a connection's page names the
// revision a successful verify --record against the test PostgreSQL was
// recorded for, and when; a later revision whose verification failed does
// not replace it; the password of the URL is nowhere in the reference.
func TestDocsVerifiedGood(t *testing.T) {
	good := testenv.PG(t)
	u, err := url.Parse(good)
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	bad := *u
	bad.User = url.UserPassword(u.User.Username(), "not-the-password")
	repo, _ := storeRepo(t)
	env := filepath.Join(repo, "deploy", ".env")
	if err := os.WriteFile(env, []byte("DATABASE_URL="+good+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A second connection that never passes: a loopback port where
	// nothing listens (no name to resolve, nothing leaves this machine).
	closed := "database:\n  driver: postgres\n  host: 127.0.0.1\n  port: " + closedPort(t) + "\n  user: app\n  sslmode: disable\n"
	if err := os.WriteFile(filepath.Join(repo, "deploy", "app.yaml"), []byte(closed), 0o644); err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Files []struct{ File, Revision string } `json:"files"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, 0, "record", "--format", "json", ".")), &rec); err != nil {
		t.Fatal(err)
	}
	first := ""
	for _, f := range rec.Files {
		if f.File == "deploy/.env" {
			first = f.Revision
		}
	}
	if first == "" {
		t.Fatalf("record did not record deploy/.env: %+v", rec)
	}
	mustRun(t, 1, "verify", "--record", "deploy") // app.yaml fails, .env passes
	if err := os.WriteFile(env, []byte("DATABASE_URL="+bad.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, 0, "record", ".")
	mustRun(t, 1, "verify", "--record", "deploy")

	ref := filepath.Join(t.TempDir(), "ref")
	out := mustRun(t, 0, "docs", "--store", filepath.Join(repo, ".dbguard", "state.db"), "--out", ref, "deploy")
	pages := treeOf(t, ref)
	var page string
	for name, text := range pages {
		if strings.HasPrefix(name, "services/") && strings.Contains(text, "deploy/.env#") {
			page = text
		}
	}
	if page == "" {
		t.Fatalf("no service page describes deploy/.env: %v", sortedNames(pages))
	}
	if !strings.Contains(page, "**Last verified good:** revision `"+first+"`, verified 20") {
		t.Errorf("the page does not name revision %s as verified good:\n%s", first, page)
	}
	var appPage string
	for name, text := range pages {
		if strings.HasPrefix(name, "services/") && strings.Contains(text, "deploy/app.yaml#") {
			appPage = text
		}
	}
	if !strings.Contains(appPage, "**Last verified good:** none recorded") {
		t.Errorf("deploy/app.yaml, whose verification failed, is not said to have no verified-good revision:\n%s", appPage)
	}
	for name, text := range pages {
		if strings.Contains(text, pw) || strings.Contains(text, url.QueryEscape(pw)) {
			t.Errorf("%s holds the database password", name)
		}
	}
	if strings.Contains(out, pw) {
		t.Errorf("docs printed the database password:\n%s", out)
	}
}
