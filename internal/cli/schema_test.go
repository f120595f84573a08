package cli

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/dbguard/dbguard/internal/testenv"
)

// The JSON documents of check, verify, diff, review and version are
// validated here against their published schemas (docs/schema/), over real
// runs, so that docs/formats.md and the schemas cannot drift from the code.
// Scan's schema has its own test in golden_test.go.

// compileSchema compiles docs/schema/NAME.
func compileSchema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	return testenv.Schema(t, filepath.Join(testenv.ModuleRoot(t), "docs", "schema", name))
}

// schemaCase is one run whose standard output must match a schema.
type schemaCase struct {
	name string
	args []string
	// dir is where to run ("" for the current directory).
	dir string
	// codes are the acceptable exit codes.
	codes []int
	// want is a text the output must hold, to show the run reached what
	// it is meant to cover.
	want []string
}

// checkSchemaCases runs each case and validates its output.
func checkSchemaCases(t *testing.T, schemaFile string, cases []schemaCase) {
	t.Helper()
	schema := compileSchema(t, schemaFile)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.dir != "" {
				t.Chdir(tc.dir)
			}
			code, stdout, stderr := runCLI(t, "", tc.args...)
			ok := false
			for _, c := range tc.codes {
				ok = ok || c == code
			}
			if !ok {
				t.Fatalf("dbguard %s: exit %d, want one of %v\n%s", strings.Join(tc.args, " "), code, tc.codes, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("dbguard %s: output lacks %q, so the case does not cover what it should:\n%s", strings.Join(tc.args, " "), w, stdout)
				}
			}
			if err := testenv.MatchSchema(t, schema, []byte(stdout)); err != nil {
				t.Errorf("dbguard %s does not match docs/schema/%s:\n%v", strings.Join(tc.args, " "), schemaFile, err)
			}
		})
	}
}

func TestCheckJSONMatchesSchema(t *testing.T) {
	tmp := t.TempDir()
	// A suppressed finding, a related location (a server in the same
	// compose file) and an unreadable file (a finding at line 0).
	writeTree(t, filepath.Join(tmp, "tree"), map[string][]byte{
		"config/app.yaml": []byte("database:\n  driver: postgres\n  host: db.prod.internal\n  user: app\n  # dbguard:ignore password-literal rotated by the vault job\n  password: hunter2-not-a-secret\n"),
		"docker-compose.yml": []byte("services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: owner\n      POSTGRES_DB: app\n" +
			"  api:\n    environment:\n      DATABASE_URL: postgres://someone@db:5432/app\n"),
		"bin.yaml": []byte("\x00\x01\x02"),
	})
	checkSchemaCases(t, "check.schema.json", []schemaCase{
		{name: "fixture tree", args: []string{"check", "--no-config", "--format", "json", goldenScanDir},
			codes: []int{ExitOK, ExitFindings}, want: []string{`"related"`, `"by_rule"`}},
		{name: "suppressed and unreadable", args: []string{"check", "--no-config", "--format", "json", filepath.Join(tmp, "tree")},
			codes: []int{ExitOK, ExitFindings}, want: []string{`"rule": "input-unreadable"`, `"suppressed": [` + "\n"}},
		{name: "baselined", args: []string{"check", "--no-config", "--format", "json", "--write-baseline", filepath.Join(tmp, "baseline.json"), goldenScanDir},
			codes: []int{ExitOK}, want: []string{`"baselined": [` + "\n"}},
	})
}

func TestVerifyJSONMatchesSchema(t *testing.T) {
	// A loopback port where nothing listens: every probe fails at tcp, on
	// this machine only. 127.0.0.2 is loopback too on Linux.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on loopback: %v", err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"app.yaml": []byte("database:\n  driver: postgres\n  host: 127.0.0.1\n  port: " + port + "\n  user: app\n  dbname: app\n" +
			"replica:\n  driver: mysql\n  host: 127.0.0.1\n  port: " + port + "\n  user: app\n"),
		"multi.yaml":      []byte("db:\n  url: postgres://app@127.0.0.1:" + port + ",127.0.0.2:" + port + "/app\n"),
		"unresolved.yaml": []byte("db:\n  driver: postgres\n  host: ${DBGUARD_SCHEMA_TEST_UNSET_HOST}\n  port: " + port + "\n"),
	})
	checkSchemaCases(t, "verify.schema.json", []schemaCase{
		{name: "closed loopback port", args: []string{"verify", "--no-config", "--stage-timeout", "2s", "--format", "json", dir},
			codes: []int{ExitFindings}, want: []string{`"class": "tcp_refused"`, `"attempts"`, `"class": "config_invalid"`}},
	})
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	// --diff-base adds diff and pairs: a profile changed (both sides
	// probed, both refused), one added, one removed.
	repo := filepath.Join(t.TempDir(), "repo")
	writeTree(t, repo, map[string][]byte{
		"app.yaml":  []byte("database:\n  driver: postgres\n  host: 127.0.0.1\n  port: " + port + "\n  user: app\n  dbname: app\n"),
		"gone.yaml": []byte("gone:\n  driver: mysql\n  host: 127.0.0.1\n  port: " + port + "\n"),
	})
	git := func(args ...string) { gitIn(t, repo, args...) }
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "base")
	if err := os.Remove(filepath.Join(repo, "gone.yaml")); err != nil {
		t.Fatal(err)
	}
	writeTree(t, repo, map[string][]byte{
		"app.yaml":   []byte("database:\n  driver: postgres\n  host: 127.0.0.1\n  port: " + port + "\n  user: app\n  dbname: app2\n"),
		"added.yaml": []byte("added:\n  driver: postgres\n  host: 127.0.0.1\n  port: " + port + "\n"),
	})
	checkSchemaCases(t, "verify.schema.json", []schemaCase{
		{name: "diff-base", dir: repo, args: []string{"verify", "--stage-timeout", "2s", "--format", "json", "--diff-base", "HEAD"},
			codes: []int{ExitFindings}, want: []string{`"verdict": "still_failing"`, `"verdict": "new_failing"`, `"verdict": "removed"`, `"head": "working tree"`}},
		{name: "diff-base no change", dir: repo, args: []string{"verify", "--format", "json", "--diff-base", "HEAD", "--head", "HEAD"},
			codes: []int{ExitOK}, want: []string{`"pairs": []`}},
	})
}

// schemaDiffTrees are two sides of a change: a port and a password
// changed, a profile added, one removed, one moved to another file, and an
// unreadable file on the new side.
func schemaDiffTrees() (old, new map[string][]byte) {
	return map[string][]byte{
			"config/app.yaml":  []byte("environment: production\ndatabase:\n  driver: postgres\n  host: db.prod.internal\n  port: 5432\n  user: app\n  password: old-not-a-secret\n  sslmode: verify-full\n"),
			"config/gone.yaml": []byte("environment: staging\nreports:\n  driver: mysql\n  host: reports.staging.internal\n  user: reports\n"),
			"old/cache.yaml":   []byte("sessions:\n  driver: postgres\n  host: sessions.internal\n  port: 5432\n"),
		}, map[string][]byte{
			"config/app.yaml":   []byte("environment: production\ndatabase:\n  driver: postgres\n  host: db.prod.internal\n  port: 6432\n  user: app\n  password: new-not-a-secret\n  sslmode: disable\n"),
			"config/added.yaml": []byte("environment: production\norders:\n  driver: postgres\n  host: orders.prod.internal\n  user: orders\n  password: literal-not-a-secret\n"),
			"new/cache.yaml":    []byte("sessions:\n  driver: postgres\n  host: sessions.internal\n  port: 5432\n"),
			"config/bad.yaml":   []byte("database:\n  host: [\n"),
			"config/blob.yaml":  []byte("database:\n  host: db\x00\x01\n"),
		}
}

const schemaPolicy = `version: 1
review:
  groups:
    dba: [alice, bob]
  require:
    - risk: high
      approvals: 2
      groups: [dba]
    - risk: low
      approvals: 1
`

func TestDiffJSONMatchesSchema(t *testing.T) {
	tmp := t.TempDir()
	oldDir, newDir := filepath.Join(tmp, "old"), filepath.Join(tmp, "new")
	oldFiles, newFiles := schemaDiffTrees()
	writeTree(t, oldDir, oldFiles)
	writeTree(t, newDir, newFiles)
	policy := filepath.Join(tmp, "dbguard.yaml")
	writeTree(t, tmp, map[string][]byte{"dbguard.yaml": []byte(schemaPolicy)})
	checkSchemaCases(t, "review.schema.json", []schemaCase{
		{name: "trees", args: []string{"diff", "--no-config", "--format", "json", oldDir, newDir},
			codes: []int{ExitFindings}, want: []string{`"kind": "added"`, `"kind": "removed"`, `"kind": "moved"`, `"field": "password"`, `"side": "new"`, `"findings_introduced": [` + "\n",
				`"location": "config/blob.yaml:2:11",` + "\n" + `      "message": "binary file: not a configuration file"`}},
		{name: "reversed", args: []string{"diff", "--no-config", "--format", "json", newDir, oldDir},
			codes: []int{ExitOK, ExitFindings}, want: []string{`"findings_fixed": [` + "\n"}},
		{name: "policy and approvals", args: []string{"diff", "--config", policy, "--approved-by", "alice,carol", "--format", "json", oldDir, newDir},
			codes: []int{ExitFindings}, want: []string{`"approvals_missing": [` + "\n", `"approved_by": [` + "\n", `"source": "command line"`}},
		{name: "one file", args: []string{"diff", "--no-config", "--format", "json", filepath.Join(oldDir, "config", "app.yaml"), filepath.Join(newDir, "config", "app.yaml")},
			codes: []int{ExitOK, ExitFindings}, want: []string{`"old": "5432"`}},
		{name: "no change", args: []string{"diff", "--no-config", "--format", "json", oldDir, oldDir},
			codes: []int{ExitOK}, want: []string{`"risk": "none"`}},
	})
}

func TestReviewJSONMatchesSchema(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	noForge(t)
	tmp := t.TempDir()
	repo := filepath.Join(tmp, "repo")
	oldFiles, newFiles := schemaDiffTrees()
	writeTree(t, repo, oldFiles)
	writeTree(t, repo, map[string][]byte{"dbguard.yaml": []byte(schemaPolicy)})
	git := func(args ...string) { gitIn(t, repo, args...) }
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "base")
	for _, f := range []string{"config/gone.yaml", "old/cache.yaml"} {
		if err := os.Remove(filepath.Join(repo, filepath.FromSlash(f))); err != nil {
			t.Fatal(err)
		}
	}
	writeTree(t, repo, newFiles)
	git("add", "-A")
	git("commit", "-q", "-m", "change")
	// An uncommitted edit, seen only when the head is the working tree.
	writeTree(t, repo, map[string][]byte{"config/wip.yaml": []byte("wip:\n  driver: postgres\n  host: wip.internal\n")})
	checkSchemaCases(t, "review.schema.json", []schemaCase{
		{name: "two commits", dir: repo, args: []string{"review", "--format", "json", "--base", "HEAD~1", "--head", "HEAD"},
			codes: []int{ExitFindings}, want: []string{`"base": "`, `"head": "`, `"approvals_required": [` + "\n", `"message": "binary file: not a configuration file"`}},
		{name: "working tree", dir: repo, args: []string{"review", "--format", "json", "--base", "HEAD~1", "--approved-by", "bob"},
			codes: []int{ExitFindings}, want: []string{`"head": "working tree"`, "wip.yaml", `"user": "bob"`}},
		{name: "path limit", dir: repo, args: []string{"review", "--format", "json", "--base", "HEAD~1", "--head", "HEAD", "config"},
			codes: []int{ExitOK, ExitFindings}, want: []string{`"field": "port"`}},
		{name: "no change", dir: repo, args: []string{"review", "--format", "json", "--base", "HEAD", "--head", "HEAD"},
			codes: []int{ExitOK}, want: []string{`"risk": "none"`}},
	})
}

func TestVersionJSONMatchesSchema(t *testing.T) {
	checkSchemaCases(t, "version.schema.json", []schemaCase{
		{name: "version", args: []string{"version", "--json"}, codes: []int{ExitOK}, want: []string{`"schema_version": 1`}},
	})
}

// TestSchemasReject proves that each schema can fail: a document without
// schema_version, or with a key the code does not write (a password), is
// refused.
func TestSchemasReject(t *testing.T) {
	docs := map[string][]string{
		"check.schema.json": {
			`{"tool": {"name": "dbguard", "version": "x"}, "findings": [], "suppressed": [], "baselined": [], "summary": {"files": 0, "profiles": 0, "findings": 0, "errors": 0, "warnings": 0, "infos": 0, "suppressed": 0, "baselined": 0, "by_rule": {}}}`,
			`{"schema_version": 1, "tool": {"name": "dbguard", "version": "x"}, "findings": [{"rule": "password-literal", "severity": "error", "message": "m", "file": "f", "line": 1, "column": 1, "remediation": "", "help": "", "fingerprint": "x", "password": "p"}], "suppressed": [], "baselined": [], "summary": {"files": 0, "profiles": 0, "findings": 0, "errors": 0, "warnings": 0, "infos": 0, "suppressed": 0, "baselined": 0, "by_rule": {}}}`,
		},
		"verify.schema.json": {
			`{"results": [], "summary": {"profiles": 0, "verified": 0, "ok": 0, "failed": 0, "interrupted": false}}`,
			`{"schema_version": 1, "results": [{"profile": "p", "name": "", "environment": "unknown", "file": "f", "driver": "postgres", "host": "h", "port": 1, "ok": true, "stages": [], "tries": 1, "duration_ms": 1, "password": "p"}], "summary": {"profiles": 0, "verified": 0, "ok": 0, "failed": 0, "interrupted": false}}`,
			`{"schema_version": 1, "results": [], "diff": {"base": "b", "head": "h", "config": "c", "pairs": 1, "verdicts": {"removed": 1}}, "pairs": [{"profile": "p", "name": "", "environment": "unknown", "file": "f", "change": "removed", "fields": [], "verdict": "removed", "summary": "s", "old": null, "new": null, "old_password": "p"}], "summary": {"profiles": 0, "verified": 0, "ok": 0, "failed": 0, "interrupted": false}}`,
		},
		"review.schema.json": {
			`{"risk": "none", "reason": "", "fingerprint": "v1:00000000000000000000000000000000", "policy": "none", "approvals_required": [], "approvals_missing": [], "approvals": [], "findings_introduced": [], "findings_fixed": [], "changes": [], "problems": []}`,
			`{"schema_version": 1, "risk": "none", "reason": "", "fingerprint": "v1:00000000000000000000000000000000", "policy": "none", "approvals_required": [], "approvals_missing": [], "approvals": [], "findings_introduced": [], "findings_fixed": [], "changes": [{"profile": "p", "name": "n", "environment": "unknown", "file": "f", "field": "password", "kind": "changed", "old": "set", "new": "changed", "risk": "high", "reason": "r", "old_value": "p"}], "problems": []}`,
		},
		"version.schema.json": {
			`{"version": "devel", "go": "go1.26", "os": "linux", "arch": "amd64"}`,
			`{"schema_version": 1, "version": "devel", "go": "go1.26", "os": "linux", "arch": "amd64", "password": "p"}`,
		},
	}
	for file, list := range docs {
		schema := compileSchema(t, file)
		for i, doc := range list {
			if testenv.MatchSchema(t, schema, []byte(doc)) == nil {
				t.Errorf("%s accepts bad document #%d", file, i)
			}
		}
	}
}
