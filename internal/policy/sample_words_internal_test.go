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
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "rules", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
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

	_, table, ok := strings.Cut(text, "<!-- severity-table -->\n")
	if !ok {
		t.Fatal("docs/rules/README.md has no <!-- severity-table -->")
	}
	table, _, _ = strings.Cut(table, "\n\n")
	for _, line := range strings.Split(table, "\n")[2:] {
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if len(cells) != 4 {
			t.Fatalf("severity table row %q has %d cells, want 4", line, len(cells))
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
