package verify_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
	"github.com/dbguard/dbguard/internal/verify"
)

var update = flag.Bool("update", false, "rewrite the class table of docs/taxonomy.md from the code")

// taxonomyTable renders the class table of docs/taxonomy.md from
// verify.Classes, the one source of the taxonomy.
func taxonomyTable() string {
	var b strings.Builder
	b.WriteString("| class | stage | remediation | often mistaken for |\n|---|---|---|---|\n")
	for _, ci := range verify.Classes() {
		b.WriteString("| `" + string(ci.Class) + "` | " + string(ci.Stage) + " | " + ci.Remediation + " | " + ci.MistakenFor + " |\n")
	}
	return b.String()
}

// TestTaxonomyDocMatchesCode keeps the class table of docs/taxonomy.md
// equal to the code's (go test ./internal/verify -run TaxonomyDoc -update
// rewrites it).
func TestTaxonomyDocMatchesCode(t *testing.T) {
	path := filepath.Join(testenv.ModuleRoot(t), "docs", "taxonomy.md")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read the taxonomy page: %v", err)
	}
	doc := string(raw)
	start := strings.Index(doc, "| class | stage | remediation | often mistaken for |\n")
	if start < 0 {
		t.Fatalf("%s has no class table", path)
	}
	end := strings.Index(doc[start:], "\n\n")
	if end < 0 {
		end = len(doc) - start
	} else {
		end++
	}
	got, want := doc[start:start+end], taxonomyTable()
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(doc[:start]+want+doc[start+end:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("the class table of docs/taxonomy.md differs from verify.Classes (want: the code's; -update rewrites it) at table %s",
		testenv.FirstDiff(want, got))
}
