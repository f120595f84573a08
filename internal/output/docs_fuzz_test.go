package output_test

import (
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/docsgen"
	"github.com/dbguard/dbguard/internal/output"
	"github.com/dbguard/dbguard/internal/profile"
)

// FuzzDocsMarkdown feeds values as a configuration file may write them
// (any key path, host, user, database, service name) through the
// reference's pages and holds the Markdown's structure: no panic, every
// table row has its header's number of cells, every code fence that
// opens closes, every heading is one line, and no value escapes the
// Mermaid label it is quoted in.
func FuzzDocsMarkdown(f *testing.F) {
	for _, s := range []string{"orders", "a|b", "x\ny", "```", "`", `"quoted"`, "${DB_HOST:-localhost}", "<script>", "\\|", "#", "a\r\n| b |", "x\n```\ny", "x\r```"} {
		f.Add(s, s, s)
	}
	f.Fuzz(func(t *testing.T, svc, keyPath, value string) {
		p := &profile.Profile{ID: "a.yaml#" + keyPath, File: "a.yaml", KeyPath: keyPath, Name: value, Format: "generic",
			Service: svc, Environment: profile.Production,
			Driver: profile.V("postgres", profile.Location{}), Database: profile.V(value, profile.Location{}),
			User: profile.V(value, profile.Location{}), Hosts: []profile.Host{{Host: profile.V(value, profile.Location{}), Port: profile.V(value, profile.Location{})}},
			Password: profile.Password{Set: true, Known: true, Source: "env:" + value}}
		p.SetParam("sidecars", profile.V("pgbouncer="+value, profile.Location{}))
		ref := docsgen.Build(docsgen.Input{Entries: []docsgen.Entry{{Profile: p, File: "a.yaml",
			VerifyCommand: "dbguard verify --profile '" + p.ID + "' a.yaml", RollbackCommand: "dbguard rollback '" + p.ID + "'"}}})
		for _, file := range output.DocsMarkdown(ref) {
			checkMarkdown(t, file.Name, string(file.Data))
		}
	})
}

// checkMarkdown holds the structure of one generated page.
func checkMarkdown(t *testing.T, name, page string) {
	t.Helper()
	lines := strings.Split(page, "\n")
	cells := -1
	fence := ""
	for i, line := range lines {
		if fence != "" {
			if strings.HasPrefix(line, fence) && strings.Trim(line, "`") == "" && len(line) >= len(fence) {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(line, "```") {
			fence = line[:len(line)-len(strings.TrimLeft(line, "`"))]
			if fence == "```" && strings.TrimPrefix(line, "```") == "mermaid" {
				checkMermaid(t, name, lines[i+1:])
			}
			continue
		}
		if strings.HasPrefix(line, "### `") && !strings.HasSuffix(line, "`") {
			t.Fatalf("%s:%d: a heading cut by a line break: %q", name, i+1, line)
		}
		switch {
		case strings.HasPrefix(line, "|"):
			n := tableCells(line)
			if cells < 0 {
				cells = n
			} else if n != cells {
				t.Fatalf("%s:%d: a row of %d cells in a table of %d:\n%s", name, i+1, n, cells, line)
			}
		default:
			cells = -1
		}
	}
	if fence != "" {
		t.Fatalf("%s: a code fence %q is never closed", name, fence)
	}
}

// tableCells counts the cells of a Markdown table row: pipes that no
// backslash escapes, less one.
func tableCells(line string) int {
	n := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case '|':
			n++
		}
	}
	return n - 1
}

// checkMermaid holds every node and edge line of a flowchart to one
// quoted label that holds no quote.
func checkMermaid(t *testing.T, name string, lines []string) {
	t.Helper()
	for _, line := range lines {
		if strings.HasPrefix(line, "```") {
			return
		}
		if line == "flowchart LR" {
			continue
		}
		if strings.Count(line, `"`) != 2 {
			t.Fatalf("%s: a Mermaid line whose label is not one quoted string: %q", name, line)
		}
	}
}
