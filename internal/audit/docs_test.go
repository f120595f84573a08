package audit_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/audit"
	"github.com/dbguard/dbguard/internal/policy"
)

var update = flag.Bool("update", false, "rewrite docs/rules/ pages of the audit rules")

// rulePage renders docs/rules/ID.md from an audit rule's definition, in
// the shape of check's rule pages, so the page cannot drift from the code.
func rulePage(r audit.Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", r.ID)
	fmt.Fprintf(&b, "**%s** · default severity **%s** · audit rule (dbguard audit)\n\n", r.Title, r.Severity)
	fmt.Fprintf(&b, "## Why it matters\n\n%s\n\n", r.Why)
	fmt.Fprintf(&b, "## How to fix it\n\n%s\n\n", r.Remediation)
	fmt.Fprintf(&b, "## Where it comes from\n\n`dbguard audit` reports it; see [docs/audit.md](../audit.md) for what each section reads and how.\n\n")
	b.WriteString("*This page is generated from the rule's definition in internal/audit (go test ./internal/audit -update).*\n")
	return b.String()
}

// TestRulePages holds every audit rule to a page in docs/rules/ and a row
// in its index, and keeps audit ids apart from check's.
func TestRulePages(t *testing.T) {
	dir := filepath.Join("..", "..", "docs", "rules")
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range audit.Rules() {
		if _, clash := policy.Lookup(r.ID); clash {
			t.Errorf("audit rule %s has the id of a check rule", r.ID)
		}
		path := filepath.Join(dir, r.ID+".md")
		want := []byte(rulePage(r))
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("audit rule %s has no page: %v (go test ./internal/audit -update)", r.ID, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is not the rule's definition (go test ./internal/audit -update)", path)
		}
		row := fmt.Sprintf("| [`%s`](%s.md) | %s | %s |", r.ID, r.ID, r.Severity, r.Title)
		if !bytes.Contains(readme, []byte(row)) {
			t.Errorf("docs/rules/README.md lacks the row\n%s", row)
		}
	}
}

// TestFindingsHaveRules: every id the audit's code may report is a rule
// with a page.
func TestLookupRule(t *testing.T) {
	for _, id := range []string{audit.ServerSSLOff, audit.ServerHBATrustRemote, audit.ConfigDrift, audit.CapacityExceeded, audit.PoolerPoolExceedsServer} {
		if _, ok := audit.LookupRule(id); !ok {
			t.Errorf("no rule %s", id)
		}
	}
	if _, ok := audit.LookupRule("no-such-rule"); ok {
		t.Error("LookupRule found a rule that does not exist")
	}
}
