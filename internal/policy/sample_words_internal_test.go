package policy

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestSamplePasswordsDocumented holds docs/rules/README.md and the code
// together: the list of sample words, and the contexts where a sample
// value is info (the table's last column).
func TestSamplePasswordsDocumented(t *testing.T) {
	text := RulesReadme(t)
	_, list, ok := strings.Cut(text, "<!-- sample-password-words -->")
	if !ok {
		t.Fatal("docs/rules/README.md has no <!-- sample-password-words --> list")
	}
	list, _, _ = strings.Cut(list, ". ")
	var documented []string
	for _, m := range regexp.MustCompile("`([a-z]+)`").FindAllStringSubmatch(list, -1) {
		documented = append(documented, m[1])
	}
	if !slices.Equal(documented, sampleWords()) {
		t.Errorf("documented sample words %q, code %q", documented, sampleWords())
	}

	for _, cells := range SeverityTableRows(t, text) {
		if len(cells) != 4 {
			t.Fatalf("severity table row %q has %d cells, want 4", cells, len(cells))
		}
		want := "error"
		if sampleValueContext(cells[0]) {
			want = "info"
		}
		if cells[3] != want {
			t.Errorf("docs say a sample password in %s is %s, code %s", cells[0], cells[3], want)
		}
	}
}

// RulesReadme is docs/rules/README.md, for the tests that hold it to the
// code (here and in policy_test).
func RulesReadme(t testing.TB) string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "rules", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(doc)
}

// SeverityTableRows are the cells of each row of the README's severity
// table (context, availability cap, other rules, sample passwords).
func SeverityTableRows(t testing.TB, text string) [][]string {
	t.Helper()
	_, table, ok := strings.Cut(text, "<!-- severity-table -->\n")
	if !ok {
		t.Fatal("docs/rules/README.md has no <!-- severity-table -->")
	}
	table, _, _ = strings.Cut(table, "\n\n")
	var rows [][]string
	for _, line := range strings.Split(table, "\n")[2:] {
		rows = append(rows, strings.Split(strings.Trim(line, "| "), " | "))
	}
	return rows
}
