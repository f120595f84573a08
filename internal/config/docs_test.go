package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/config"
)

// The reference page must not drift from the code: its example must load,
// and every error message it quotes must be one a fixture produces.
func TestDocsReference(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "config.md"))
	if err != nil {
		t.Skipf("docs/config.md not readable: %v", err)
	}
	blocks := fenced(string(doc))
	if len(blocks["yaml"]) == 0 {
		t.Fatal("docs/config.md has no yaml example")
	}
	if _, err := config.Parse("docs/config.md example", []byte(blocks["yaml"][0])); err != nil {
		t.Errorf("the example in docs/config.md does not load:\n%v", err)
	}

	var goldens strings.Builder
	files, _ := filepath.Glob(filepath.Join("testdata", "invalid", "*.err"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		goldens.Write(b)
	}
	for _, block := range blocks[""] {
		for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
			if strings.HasPrefix(line, "dbguard.yaml:") && !strings.Contains(goldens.String(), line+"\n") {
				t.Errorf("docs/config.md quotes an error no fixture produces:\n%s", line)
			}
		}
	}
}

// fenced returns the fenced code blocks of a markdown text by language.
func fenced(md string) map[string][]string {
	out := make(map[string][]string)
	var lang string
	var cur []string
	in := false
	for _, line := range strings.Split(md, "\n") {
		if rest, ok := strings.CutPrefix(line, "```"); ok {
			if in {
				out[lang] = append(out[lang], strings.Join(cur, "\n")+"\n")
				in, cur = false, nil
			} else {
				in, lang = true, strings.TrimSpace(rest)
			}
			continue
		}
		if in {
			cur = append(cur, line)
		}
	}
	return out
}
