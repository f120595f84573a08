package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
	"github.com/dbguard/dbguard/internal/testenv/gencorpus"
)

// checkDoc is the part of check's json output the tests read.
type checkDoc struct {
	SchemaVersion int        `json:"schema_version"`
	Findings      []issueDoc `json:"findings"`
	Summary       struct {
		ByRule     map[string]int `json:"by_rule"`
		Suppressed int            `json:"suppressed"`
		Baselined  int            `json:"baselined"`
	} `json:"summary"`
}

func decodeCheck(t *testing.T, out string) checkDoc { return decodeDoc[checkDoc](t, "check", out) }

func TestCheckExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clean := "environment: production\ndatabase:\n  url: postgres://app@orders-db.prod.internal:5432/orders?sslmode=verify-full&sslrootcert=/ca.pem&connect_timeout=5\n  password: ${DB_PASSWORD}\n  statement_timeout: 30s\n"
	warnOnly := "environment: production\ndatabase:\n  url: postgres://app@orders-db.prod.internal:5432/orders?sslmode=verify-full&sslrootcert=/ca.pem&connect_timeout=5\n  password: ${DB_PASSWORD}\n"
	bad := "environment: production\ndatabase:\n  url: postgres://app@orders-db.prod.internal:5432/orders?sslmode=disable&connect_timeout=5\n  password: ${DB_PASSWORD}\n  statement_timeout: 30s\n"
	writeTree(t, dir, map[string][]byte{"clean/app.yaml": []byte(clean), "warn/app.yaml": []byte(warnOnly), "bad/app.yaml": []byte(bad)})
	cases := []struct {
		name string
		args []string
		want int
	}{
		{"clean", []string{"check", filepath.Join(dir, "clean")}, ExitOK},
		{"error finding", []string{"check", filepath.Join(dir, "bad")}, ExitFindings},
		{"fail-on none", []string{"check", "--fail-on", "none", filepath.Join(dir, "bad")}, ExitOK},
		{"warning below threshold", []string{"check", filepath.Join(dir, "warn")}, ExitOK},
		{"warning at threshold", []string{"check", "--fail-on", "warning", filepath.Join(dir, "warn")}, ExitFindings},
		{"unknown format", []string{"check", "--format", "yaml", dir}, ExitUsage},
		{"unknown fail-on", []string{"check", "--fail-on", "fatal", dir}, ExitUsage},
		{"missing path", []string{"check", filepath.Join(dir, "nothing-here")}, ExitUsage},
		{"no configuration", []string{"check", t.TempDir()}, ExitUsage},
		{"missing rules dir", []string{"check", "--rules", filepath.Join(dir, "none"), dir}, ExitUsage},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, format := range []string{"text", "json", "sarif", "junit", "markdown", "github"} {
				code, _, stderr := runCLI(t, "", append(tc.args, "--no-config", "--format", format)...)
				if tc.name == "unknown format" {
					code, _, stderr = runCLI(t, "", append(tc.args, "--no-config")...)
				}
				if code != tc.want {
					t.Fatalf("%s: exit %d, want %d\n%s", format, code, tc.want, stderr)
				}
			}
		})
	}
}

// Suppression comments and baselines, end to end.
func TestCheckSuppressionAndBaseline(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	app := "environment: production\ndatabase:\n  # dbguard:ignore tls-disabled-production the sidecar terminates TLS\n  url: postgres://app@orders-db.prod.internal:5432/orders?sslmode=disable&connect_timeout=5\n  statement_timeout: 30s\n"
	writeTree(t, dir, map[string][]byte{"app.yaml": []byte(app)})
	code, out, stderr := runCLI(t, "", "check", "--no-config", "-o", "json", dir)
	if code != ExitOK {
		t.Fatalf("suppressed: exit %d\n%s\n%s", code, out, stderr)
	}
	if d := decodeCheck(t, out); d.Summary.Suppressed != 1 {
		t.Errorf("suppressed %d, want 1", d.Summary.Suppressed)
	}

	// A literal password: accept it in a baseline, then move it down.
	pw := "environment: development\ndatabase:\n  url: postgres://app@db:5432/orders?connect_timeout=5\n  password: baseline-canary-pw\n"
	writeTree(t, dir, map[string][]byte{"app.yaml": []byte(pw)})
	base := filepath.Join(t.TempDir(), "baseline.json")
	if code, _, stderr := runCLI(t, "", "check", "--no-config", "--write-baseline", base, dir); code != ExitOK {
		t.Fatalf("write-baseline: exit %d\n%s", code, stderr)
	}
	if data, _ := os.ReadFile(base); strings.Contains(string(data), "baseline-canary-pw") {
		t.Fatal("the baseline holds the password")
	}
	writeTree(t, dir, map[string][]byte{"app.yaml": []byte("# moved\n\n\n" + pw)})
	if code, out, _ := runCLI(t, "", "check", "--no-config", "--baseline", base, dir); code != ExitOK {
		t.Fatalf("baselined finding came back after moving lines: exit %d\n%s", code, out)
	}
	writeTree(t, dir, map[string][]byte{"app.yaml": []byte(pw + "other:\n  url: postgres://app@db2:5432/x?connect_timeout=5\n  password: another-pw\n")})
	if code, _, _ := runCLI(t, "", "check", "--no-config", "--baseline", base, dir); code != ExitFindings {
		t.Fatalf("a new finding passed the baseline: exit %d", code)
	}
}

// check - reads standard input, and suppressions in it count.
func TestCheckStdin(t *testing.T) {
	t.Parallel()
	in := "database:\n  url: postgres://app:stdin-canary@db:5432/x?connect_timeout=5 # dbguard:ignore password-literal local fixture\n"
	code, out, stderr := runCLI(t, in, "check", "--no-config", "-o", "json", "-")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	if strings.Contains(out, "stdin-canary") {
		t.Fatal("output prints the password")
	}
	if d := decodeCheck(t, out); d.Summary.Suppressed != 1 {
		t.Errorf("suppressed %d, want 1: %s", d.Summary.Suppressed, out)
	}
}

// syntheticKinds maps each violation kind of gencorpus's manifest to the
// rules that find it. no_connect_timeout has two: connect-timeout-missing
// for drivers that wait forever (libpq, pgx, go-sql-driver), and
// connect-timeout-driver-default for JDBC URLs, whose drivers have a
// default (PgJDBC 10 s, Connector/J via HikariCP 30 s).
func syntheticKinds() map[string][]string {
	return map[string][]string{
		"ssl_disabled_in_prod": {"tls-disabled-production"},
		"no_connect_timeout":   {"connect-timeout-missing", "connect-timeout-driver-default"},
		"pool_too_large":       {"pool-too-large"},
		"plaintext_password":   {"password-literal"},
		"port_out_of_range":    {"port-invalid"},
	}
}

// Over 2,000 generated files, every planted violation is found by its
// rule, and none of those rules fires on a file the manifest calls clean.
func TestCheckSyntheticCorpus(t *testing.T) {
	out := testenv.SyntheticCorpus(t, 2000, 42)
	manifest, err := gencorpus.ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "", "check", "--no-config", "--fail-on", "none", "-o", "json", out)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	d := decodeCheck(t, stdout)
	kinds := syntheticKinds()
	mapped := map[string]bool{}
	for _, rules := range kinds {
		for _, r := range rules {
			mapped[r] = true
		}
	}
	found := map[string]map[string]bool{}
	for _, f := range d.Findings {
		if mapped[f.Rule] {
			if found[f.File] == nil {
				found[f.File] = map[string]bool{}
			}
			found[f.File][f.Rule] = true
		}
	}
	planted, files := 0, 0
	for _, e := range manifest {
		file, list := e.File, strings.Join(e.Violations, ",")
		files++
		want := map[string]bool{}
		if len(e.Violations) > 0 {
			for _, kind := range e.Violations {
				planted++
				hit := false
				for _, r := range kinds[kind] {
					want[r] = true
					hit = hit || found[file][r]
				}
				if !hit {
					t.Errorf("%s: planted %s not found by %v", file, kind, kinds[kind])
				}
			}
		}
		for r := range found[file] {
			if !want[r] {
				t.Errorf("%s: %s fired, but the manifest plants nothing it finds (%s)", file, r, list)
			}
		}
	}
	if files != 2000 || planted < 90 {
		t.Errorf("manifest has %d files and %d violations", files, planted)
	}
	t.Logf("%d files, %d planted violations, all found; %d findings in all", files, planted, len(d.Findings))
}

// The real-world corpus: per-rule counts and every finding, in a golden
// file that review reads (go test ./internal/cli -run RealWorld -update).
func TestCheckRealWorldGolden(t *testing.T) {
	corpus := filepath.Join(testenv.SharedDir(t), "corpus", "real-world")
	_, stdout, stderr := runCLI(t, "", "check", "--no-config", "--fail-on", "none", "-o", "json", corpus)
	if strings.Contains(stderr, "panic") {
		t.Fatal(stderr)
	}
	d := decodeCheck(t, stdout)
	var b strings.Builder
	var ids []string
	for id := range d.Summary.ByRule {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	b.WriteString("# per-rule counts\n")
	for _, id := range ids {
		fmt.Fprintf(&b, "%s\t%d\n", id, d.Summary.ByRule[id])
	}
	b.WriteString("\n# findings\n")
	for _, f := range d.Findings {
		fmt.Fprintf(&b, "%s:%d:%d\t%s\t%s\t%s\n", f.File, f.Line, f.Column, f.Severity, f.Rule, f.Message)
	}
	file := filepath.Join("testdata", "check-realworld.golden")
	if *updateGolden {
		if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("read golden (go test -update writes it): %v", err)
	}
	if string(want) != b.String() {
		t.Errorf("check over the real-world corpus differs from %s (go test ./internal/cli -run RealWorld -update, then review the diff)\n%s",
			file, testenv.FirstDiff(string(want), b.String()))
	}
}
