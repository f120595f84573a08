package policy_test

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/policy"
)

// familyNames are the headings of docs/rules/README.md.
var familyNames = map[int]string{
	0: "Inputs and suppressions", 1: "Connection strings and drivers", 2: "Addresses", 3: "TLS",
	4: "Passwords", 5: "Timeouts", 6: "Pool limits", 7: "Capacity against the server", 8: "Environment names",
	9: "Interpolation", 10: "Keys", 11: "Topology", 12: "Fleet consistency", 13: "Client and server",
}

func lang(name string) string {
	f := strings.Fields(name)
	last := f[len(f)-1]
	switch ext := strings.TrimPrefix(path.Ext(last), "."); {
	case strings.HasPrefix(last, ".env") || strings.HasSuffix(last, ".env"):
		return "sh"
	case ext == "yml" || ext == "yaml" || strings.Contains(name, "{"):
		return "yaml"
	default:
		return ext
	}
}

// rulePage renders docs/rules/ID.md from the rule's own metadata, so the
// page cannot drift from the code.
func rulePage(r *policy.Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", r.ID)
	fmt.Fprintf(&b, "**%s** · default severity **%s** · family %d (%s)\n\n", r.Title, r.Severity, r.Family, familyNames[r.Family])
	fmt.Fprintf(&b, "## Why it matters\n\n%s\n\n", r.Why)
	fmt.Fprintf(&b, "## How to fix it\n\n%s\n\n", r.Remediation)
	fmt.Fprintf(&b, "## Fails\n\n`%s`\n\n```%s\n%s```\n\n", r.BadName, lang(r.BadName), r.Bad)
	fmt.Fprintf(&b, "## Passes\n\n`%s`\n\n```%s\n%s```\n\n", r.GoodName, lang(r.GoodName), r.Good)
	fmt.Fprintf(&b, "## Configure\n\nIn dbguard.yaml:\n\n```yaml\nrules:\n  overrides:\n    - id: %s\n      severity: warning        # error, warning or info\n      environments: [production] # only these environments\n      # enabled: false           # switch the rule off\n```\n\n", r.ID)
	fmt.Fprintf(&b, "Suppress one finding with a comment on its line or the line above:\n`# dbguard:ignore %s the reason`.\n\n", r.ID)
	b.WriteString("*This page is generated from the rule's definition in internal/policy (go test ./internal/policy -update).*\n")
	return b.String()
}

func TestRulePages(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "docs", "rules")
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range policy.Builtins() {
		golden(t, filepath.Join(dir, r.ID+".md"), []byte(rulePage(r)))
	}
	// The index lists every rule, by family, with its severity.
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatalf("docs/rules/README.md: %v", err)
	}
	for _, r := range policy.Builtins() {
		row := fmt.Sprintf("| [`%s`](%s.md) | %s | %s |", r.ID, r.ID, r.Severity, r.Title)
		if !strings.Contains(string(readme), row) {
			t.Errorf("docs/rules/README.md lacks the row\n%s", row)
		}
	}
}

// TestPrintIndex prints the rows of docs/rules/README.md's index.
func TestPrintIndex(t *testing.T) {
	if os.Getenv("DBGUARD_PRINT_INDEX") == "" {
		t.Skip("set DBGUARD_PRINT_INDEX=1 to print the index rows")
	}
	fam := -1
	for _, r := range policy.Builtins() {
		if r.Family != fam {
			fam = r.Family
			fmt.Printf("\n### %d. %s\n\n| Rule | Default severity | What it finds |\n| --- | --- | --- |\n", fam, familyNames[fam])
		}
		fmt.Printf("| [`%s`](%s.md) | %s | %s |\n", r.ID, r.ID, r.Severity, r.Title)
	}
}
