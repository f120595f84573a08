package policy_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/policy"
)

// TestSeverityTableDocumented holds docs/rules/README.md's "Severity
// follows consequence" section and severity.go together: the list of
// availability and capacity rules, and the row of every context with its
// default cap.
func TestSeverityTableDocumented(t *testing.T) {
	text := policy.RulesReadme(t)
	_, list, ok := strings.Cut(text, "<!-- availability-rules -->\n")
	if !ok {
		t.Fatal("docs/rules/README.md has no <!-- availability-rules --> list")
	}
	list, _, _ = strings.Cut(list, "\n\n")
	var documented []string
	for _, m := range regexp.MustCompile("`([a-z0-9-]+)`").FindAllStringSubmatch(list, -1) {
		documented = append(documented, m[1])
	}
	var coded []string
	for _, r := range policy.Builtins() {
		if policy.AvailabilityRule(r.ID) {
			coded = append(coded, r.ID)
		}
	}
	slices.Sort(documented)
	slices.Sort(coded)
	if !slices.Equal(documented, coded) {
		t.Errorf("documented availability rules %q, code %q", documented, coded)
	}

	caps := policy.DefaultEnvironmentCaps()
	rows := map[string]string{}
	for _, cells := range policy.SeverityTableRows(t, text) {
		if len(cells) >= 2 {
			rows[cells[0]] = cells[1]
		}
	}
	for _, ctx := range policy.Contexts() {
		want := "as listed"
		if sev, ok := caps[ctx]; ok {
			want = sev.String()
			if sev != policy.Info {
				want = "at most " + want
			}
		}
		if rows[ctx] != want {
			t.Errorf("docs row %q says %q, code caps it at %q", ctx, rows[ctx], want)
		}
	}
	if len(rows) != len(policy.Contexts()) {
		t.Errorf("docs table has %d contexts, code %d", len(rows), len(policy.Contexts()))
	}
}

func TestSampleFile(t *testing.T) {
	for file, want := range map[string]bool{
		".env.example": true, ".env.production.example": true, "config/database.yml.sample": true,
		"test/fixtures/pgbouncer.ini": true, "internal/testdata/app.yaml": true, "examples/compose.yml": true,
		"config/database.yml": false, ".env.production": false, "deploy/prod/app.yaml": false,
	} {
		if got := policy.SampleFile(file); got != want {
			t.Errorf("SampleFile(%q) = %v, want %v", file, got, want)
		}
	}
}
