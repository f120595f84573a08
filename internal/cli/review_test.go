package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/output"
)

func runReviewCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func writeReviewFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if err := canaryWriteTree(dir, files); err != nil {
		t.Fatal(err)
	}
}

const reviewPolicy = `version: 1
review:
  groups:
    dba: [alice, bob]
  require:
    - risk: critical
      environments: [production]
      approvals: 1
      groups: [dba]
`

func TestDiffExitCodes(t *testing.T) {
	dir := t.TempDir()
	prod := "environment: production\ndatabase:\n  host: orders-db.prod.internal\n  port: 5432\n  name: orders\n  user: orders\n  password: ${DB_PASSWORD}\n  connect_timeout: 5\n"
	writeReviewFiles(t, dir, map[string]string{
		"old/app.yaml":      prod,
		"new/app.yaml":      strings.Replace(prod, "5432", "5433", 1),
		"same/app.yaml":     "# reformatted\n" + prod,
		"dbguard.yaml":      reviewPolicy,
		"empty/dbguard.yml": "",
		"binary/app.yaml":   prod,
		"binary/other.yaml": "database:\n  host: db\x00\n",
	})
	old, nw, same, cfg := filepath.Join(dir, "old"), filepath.Join(dir, "new"), filepath.Join(dir, "same"), filepath.Join(dir, "dbguard.yaml")
	binary := filepath.Join(dir, "binary")
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no policy, critical change", []string{"diff", "--no-config", old, nw}, 0, "critical changed port"},
		{"fail-on high", []string{"diff", "--no-config", "--fail-on", "high", old, nw}, 1, "risk: critical"},
		{"no change, fail-on low", []string{"diff", "--no-config", "--fail-on", "low", old, same}, 0, "No change to any database connection"},
		{"policy requires dba", []string{"diff", "--config", cfg, old, nw}, 1, "approval missing: 1 more approval(s) from group dba (alice, bob)"},
		{"approved by bob", []string{"diff", "--config", cfg, "--approved-by", "bob", old, nw}, 0, "approved by bob — unverified (command line)"},
		{"approved by a stranger", []string{"diff", "--config", cfg, "--approved-by", "mallory", old, nw}, 1, "approval missing"},
		{"binary file in NEW", []string{"diff", "--no-config", old, binary}, 1, "cannot read (new side) other.yaml:2:11: binary file"},
		{"binary file in OLD only", []string{"diff", "--no-config", binary, old}, 0, "cannot read (old side) other.yaml"},
		{"single files of different names", []string{"diff", "--no-config", filepath.Join(old, "app.yaml"), filepath.Join(nw, "app.yaml")}, 0, "\"5432\" → \"5433\""},
		{"bad format", []string{"diff", "--format", "xml", old, nw}, 2, ""},
		{"bad fail-on", []string{"diff", "--fail-on", "severe", old, nw}, 2, ""},
		{"missing path", []string{"diff", old, filepath.Join(dir, "nope")}, 2, ""},
		{"file against folder", []string{"diff", "--no-config", filepath.Join(old, "app.yaml"), nw}, 2, ""},
		{"one argument", []string{"diff", old}, 2, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runReviewCLI(t, c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, out, errOut)
			}
			if !strings.Contains(out, c.want) {
				t.Errorf("output does not say %q:\n%s", c.want, out)
			}
		})
	}
}

func TestDiffJSONShape(t *testing.T) {
	dir := filepath.Join("..", "diff", "testdata", "pairs", "prod-staging-db")
	code, out, errOut := runReviewCLI(t, "diff", "--no-config", "--format", "json", filepath.Join(dir, "old"), filepath.Join(dir, "new"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"schema_version", "risk", "fingerprint", "approvals_required", "approvals_missing", "findings_introduced", "findings_fixed", "changes"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("missing top-level key %q", k)
		}
	}
	changes := doc["changes"].([]any)
	if len(changes) != 1 {
		t.Fatalf("changes = %v", changes)
	}
	c := changes[0].(map[string]any)
	for _, k := range []string{"profile", "name", "environment", "file", "field", "kind", "old", "new", "risk", "reason"} {
		if _, ok := c[k]; !ok {
			t.Errorf("change lacks %q", k)
		}
	}
	if c["field"] != "database" || c["old"] != "orders" || c["new"] != "orders_staging" || c["risk"] != "critical" || doc["risk"] != "critical" {
		t.Errorf("change = %v", c)
	}
	if doc["schema_version"] != float64(output.ReviewSchemaVersion) {
		t.Errorf("schema_version = %v", doc["schema_version"])
	}
}

// gitCmd is git in dir with no user or system configuration and a fixed
// author, so that the machine's git settings play no part in a test.
func gitCmd(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid")
	return cmd
}

// gitIn runs gitCmd, failing the test when git fails.
func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	if out, err := gitCmd(dir, args...).CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v: %s", args, err, out)
	}
}

// reviewRepo makes a repository with a base commit and a change commit
// whose files hold the canary password.
func reviewRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	git := func(args ...string) { gitIn(t, dir, args...) }
	app := "environment: production\ndatabase:\n  host: orders-db.prod.internal\n  port: 5432\n  name: orders\n  user: orders\n  password: '" + strings.ReplaceAll(canary, "'", "''") + "'\n  connect_timeout: 5\n"
	writeReviewFiles(t, dir, map[string]string{
		"dbguard.yaml":    reviewPolicy,
		"config/app.yaml": app,
		"config/billing.yaml": "environment: production\ndatabase:\n  host: orders-db.prod.internal\n  name: billing\n  user: orders\n  password: '" +
			strings.ReplaceAll(canary, "'", "''") + "'\n",
		".env.production": "DATABASE_URL=postgres://orders:" + strings.ReplaceAll(strings.ReplaceAll(canary, "%", "%25"), "@", "%40") + "@db.prod.internal:5432/orders\n",
	})
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "base")
	rotated := strings.Replace(app, "Cn@ry", "Rotated-Cn@ry", 1)
	writeReviewFiles(t, dir, map[string]string{
		"config/app.yaml": strings.Replace(rotated, "5432", "6432", 1),
		".env.production": "DATABASE_URL=postgres://orders:${DB_PASSWORD}@db.prod.internal:5432/orders\n",
	})
	git("add", "-A")
	git("commit", "-q", "-m", "rotate and move")
	return dir
}

// The canary password never appears in diff's or review's output, in any
// format, although the change rotates it, moves it to a variable and
// leaves a copy in another profile.
func TestDiffReviewCanary(t *testing.T) {
	dir := reviewRepo(t)
	t.Chdir(dir)
	base := t.TempDir()
	for _, rev := range []string{"HEAD~1", "HEAD"} {
		out, err := exec.Command("git", "archive", "--format=tar", "-o", filepath.Join(base, rev+".tar"), rev).CombinedOutput()
		if err != nil {
			t.Fatalf("git archive: %v %s", err, out)
		}
		d := filepath.Join(base, strings.ReplaceAll(rev, "~", "_"))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("tar", "-xf", filepath.Join(base, rev+".tar"), "-C", d).CombinedOutput(); err != nil {
			t.Fatalf("tar: %v %s", err, out)
		}
	}
	oldDir, newDir := filepath.Join(base, "HEAD_1"), filepath.Join(base, "HEAD")
	for _, format := range output.ReviewFormats().Names() {
		for _, args := range [][]string{
			{"review", "--format", format, "--base", "HEAD~1", "--head", "HEAD"},
			{"review", "--format", format, "--base", "HEAD~1"},
			{"review", "--format", format, "--base", "HEAD~1", "--approved-by", "alice", "config"},
			{"diff", "--format", format, "--config", filepath.Join(oldDir, "dbguard.yaml"), oldDir, newDir},
			{"diff", "--format", format, "--no-config", filepath.Join(oldDir, "config", "app.yaml"), filepath.Join(newDir, "config", "app.yaml")},
		} {
			code, out, errOut := runReviewCLI(t, args...)
			if code == ExitUsage {
				t.Errorf("%v: usage error: %s", args, errOut)
			}
			if !strings.Contains(out, "password") {
				t.Errorf("%v: the password change is not reported:\n%s", args, out)
			}
			for _, l := range canaryLeaks([]byte(out + errOut)) {
				t.Errorf("LEAK in %v: %s", args, l)
			}
		}
	}
	code, out, _ := runReviewCLI(t, "review", "--base", "HEAD~1", "--head", "HEAD")
	if code != ExitFindings || !strings.Contains(out, "approval missing") || !strings.Contains(out, "password rotated here but not in config/billing.yaml#database") {
		t.Errorf("review: exit %d, want 1 with a missing approval and the shared credential:\n%s", code, out)
	}
}

func TestReviewUsage(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"review"}, "--base is required"},
		{[]string{"review", "--base", "main"}, "not a git repository"},
		{[]string{"review", "--base", "main", "--format", "junit"}, "--format"},
	} {
		code, _, errOut := runReviewCLI(t, c.args...)
		if code != ExitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 saying %q", c.args, code, errOut, c.want)
		}
	}
}

// customRule flags any production profile on port 6432: a rule of the
// team's own, in CEL, as check reads from .dbguard/rules/.
const customRule = `id: no-pooler-port-production
severity: error
title: Production connects directly, not through port 6432
message: "{{profile.host}} is reached on port 6432"
remediation: Connect to the database's own port.
expression: profile.environment == "production" && profile.port == 6432
`

// diff and review load custom rules as check does (--rules DIR, rules.custom
// in dbguard.yaml, .dbguard/rules/): an override naming a custom rule is
// accepted, and the custom rule's findings are introduced or fixed like
// the built-in rules'.
func TestDiffReviewCustomRules(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	noForge(t)
	dir := t.TempDir()
	prod := "environment: production\ndatabase:\n  host: orders-db.prod.internal\n  port: 5432\n  name: orders\n  user: orders\n  password: ${DB_PASSWORD}\n  connect_timeout: 5\n"
	override := "version: 1\nrules:\n  overrides:\n    - id: no-pooler-port-production\n      severity: warning\n"
	writeReviewFiles(t, dir, map[string]string{
		"dbguard.yaml":                        override,
		".dbguard/rules/no-pooler-port.yaml":  customRule,
		"elsewhere/rules/no-pooler-port.yaml": customRule,
		"plain/dbguard.yaml":                  "version: 1\n",
		"custom-dir/dbguard.yaml":             override + "  custom: elsewhere/rules\n",
		"old/app.yaml":                        prod,
		"new/app.yaml":                        strings.Replace(prod, "5432", "6432", 1),
	})
	t.Chdir(dir)
	introduced := func(t *testing.T, out string) []output.ReviewFinding {
		t.Helper()
		var doc output.ReviewReport
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		return doc.FindingsIntroduced
	}
	for _, c := range []struct {
		name     string
		args     []string
		severity string // of the custom rule's finding; "" for none
	}{
		{"default folder with an override", []string{"diff", "old", "new"}, "warning"},
		{"default folder, no override", []string{"diff", "--config", "plain/dbguard.yaml", "old", "new"}, "error"},
		{"--rules", []string{"diff", "--no-config", "--rules", "elsewhere/rules", "old", "new"}, "error"},
		{"rules.custom", []string{"diff", "--config", "custom-dir/dbguard.yaml", "old", "new"}, "warning"},
		{"reversed: the finding is fixed, not introduced", []string{"diff", "new", "old"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runReviewCLI(t, append(c.args, "--format", "json")...)
			if code == ExitUsage {
				t.Fatalf("exit 2: %s", errOut)
			}
			var got string
			for _, f := range introduced(t, out) {
				if f.Rule == "no-pooler-port-production" {
					got = f.Severity
				}
			}
			if got != c.severity {
				t.Errorf("custom rule's introduced finding has severity %q, want %q\n%s", got, c.severity, out)
			}
			if c.severity == "" && !strings.Contains(out, `"rule": "no-pooler-port-production"`) {
				t.Errorf("the fixed custom finding is not listed:\n%s", out)
			}
		})
	}
	code, _, errOut := runReviewCLI(t, "diff", "--no-config", "--rules", "nowhere", "old", "new")
	if code != ExitUsage || !strings.Contains(errOut, "nowhere") {
		t.Errorf("diff --rules nowhere: exit %d, stderr %q; want 2 naming the folder", code, errOut)
	}

	// review: the same tree as a repository whose change moves the port.
	gitIn(t, dir, "init", "-q", "-b", "main")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "base")
	writeReviewFiles(t, dir, map[string]string{"old/app.yaml": strings.Replace(prod, "5432", "6432", 1)})
	for _, args := range [][]string{
		{"review", "--base", "HEAD"},
		{"review", "--base", "HEAD", "--no-config", "--rules", "elsewhere/rules"},
	} {
		code, out, errOut := runReviewCLI(t, append(args, "--format", "json")...)
		if code == ExitUsage {
			t.Fatalf("%v: exit 2: %s", args, errOut)
		}
		found := false
		for _, f := range introduced(t, out) {
			found = found || f.Rule == "no-pooler-port-production"
		}
		if !found {
			t.Errorf("%v: the custom rule's finding is not introduced:\n%s", args, out)
		}
	}
}
