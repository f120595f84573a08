package cli

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv"
)

// TestCommandsDocCoversTree keeps docs/commands.md true to the command
// tree: every command has its section, and every flag of a command is
// named in that section, so that a new command or flag cannot ship
// undocumented.
func TestCommandsDocCoversTree(t *testing.T) {
	flagName := regexp.MustCompile(`(?m)^\s+(?:-[A-Za-z0-9], )?--([a-z][a-z0-9-]*)`)
	data, err := os.ReadFile(filepath.Join(testenv.ModuleRoot(t), "docs", "commands.md"))
	if err != nil {
		t.Fatalf("read docs/commands.md: %v", err)
	}
	sections := map[string]string{}
	var cur string
	for _, line := range strings.Split(string(data), "\n") {
		if name, ok := strings.CutPrefix(line, "## "); ok {
			cur = strings.TrimSpace(name)
			continue
		}
		if cur != "" {
			sections[cur] += line + "\n"
		}
	}
	tree := NewRootCommand(&env{ctx: context.Background()})
	for _, c := range canaryRunnable(tree) {
		path := strings.TrimSpace(strings.TrimPrefix(c.CommandPath(), tree.Name()))
		if path == "" {
			continue
		}
		body, ok := sections[path]
		if !ok {
			t.Errorf("docs/commands.md has no \"## %s\" section", path)
			continue
		}
		if !strings.Contains(body, "dbguard "+path) {
			t.Errorf("docs/commands.md: section %s has no synopsis naming \"dbguard %s\"", path, path)
		}
		// The flags as --help lists them (hidden ones are not listed).
		for _, m := range flagName.FindAllStringSubmatch(c.Flags().FlagUsages(), -1) {
			if name := m[1]; name != "help" && !strings.Contains(body, "`--"+name) {
				t.Errorf("docs/commands.md: section %s does not document --%s", path, name)
			}
		}
	}
}
