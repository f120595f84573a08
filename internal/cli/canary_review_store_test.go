package cli

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
)

// TestCanaryReviewStore: review --record, approve, and the history of
// what they wrote, over a change that rotates every canary password,
// print no canary; nor does the SQLite file or any row of it afterwards
// (the files are recorded too, so that the dump holds revisions).
func TestCanaryReviewStore(t *testing.T) {
	noForge(t)
	root := t.TempDir()
	canaryStoreEnv(t, root)
	repo := filepath.Join(root, "repo")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", testenv.ClosedPort(t))
	if err := canaryWriteTree(repo, canaryFiles(addr)); err != nil {
		t.Fatal(err)
	}
	policy := "version: 1\nreview:\n  accept_store_approvals: true\n  require:\n    - risk: low\n      approvals: 1\n"
	if err := os.WriteFile(filepath.Join(repo, "dbguard.yaml"), []byte(policy), 0o644); err != nil {
		t.Fatal(err)
	}
	gitIn(t, repo, "init", "-q")
	gitIn(t, repo, "add", "-A")
	gitIn(t, repo, "commit", "-q", "-m", "base")
	if err := canaryWriteTree(repo, canaryChangedFiles(addr)); err != nil {
		t.Fatal(err)
	}
	t.Chdir(repo)

	var all strings.Builder
	run := func(want int, args ...string) string {
		t.Helper()
		code, stdout, stderr := runCLI(t, "", args...)
		if code != want {
			t.Fatalf("dbguard %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, stdout, stderr)
		}
		all.WriteString(stdout + stderr)
		return stdout
	}
	run(0, "record", ".")
	var doc struct {
		Fingerprint string `json:"fingerprint"`
	}
	if err := json.Unmarshal([]byte(run(1, "review", "--base", "HEAD", "--format", "json", "--record")), &doc); err != nil || doc.Fingerprint == "" {
		t.Fatalf("review json: %+v, %v", doc, err)
	}
	run(0, "approve", doc.Fingerprint, "--by", "alice", "--format", "json")
	for _, format := range []string{"text", "markdown", "json"} {
		run(0, "review", "--base", "HEAD", "--format", format, "--record")
	}
	for _, format := range []string{"text", "json"} {
		out := run(0, "history", "--format", format, "--kind", "review", "--kind", "approval")
		if !strings.Contains(out, doc.Fingerprint) {
			t.Fatalf("history --format %s lacks the review:\n%s", format, out)
		}
	}
	run(0, "store", "check")

	dbFile := filepath.Join(repo, ".dbguard", "state.db")
	var raw []byte
	for _, f := range []string{dbFile, dbFile + "-wal"} {
		if data, err := os.ReadFile(f); err == nil {
			raw = append(raw, data...)
		}
	}
	db, err := sql.Open("sqlite", dbFile)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows := canaryDumpRows(t, db)
	if !strings.Contains(rows, `"fingerprint":"`+doc.Fingerprint) {
		t.Fatal("no review event was stored: the dump proves nothing")
	}
	for name, data := range map[string]string{"output": all.String(), "the SQLite file": string(raw), "the rows": rows} {
		if leaks := canaryLeaks([]byte(data)); len(leaks) > 0 {
			t.Errorf("%s leaks the canary:\n  %s", name, strings.Join(leaks, "\n  "))
		}
	}
}
