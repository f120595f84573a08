package tree_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/extract/tree"
)

// TestLimits: every parser stops at MaxDepth and MaxNodes with the
// limit's error at the first value past it, and accepts a file at the
// limit. The YAML cases go through both paths: block YAML through the
// fast reader, flow YAML through yaml.v3.
func TestLimits(t *testing.T) {
	t.Parallel()
	d, n := tree.MaxDepth, tree.MaxNodes
	nest := func(open, close string, k int) string { return strings.Repeat(open, k) + strings.Repeat(close, k) }
	items := func(item string, k int) string { return strings.Repeat(item, k) }
	parsers := map[string]func([]byte) error{
		"yaml":       func(b []byte) error { _, err := tree.ParseYAML(b); return err },
		"json":       func(b []byte) error { _, err := tree.ParseJSON(b); return err },
		"toml":       func(b []byte) error { _, err := tree.ParseTOML(b); return err },
		"env":        func(b []byte) error { _, err := tree.ParseEnv(b); return err },
		"properties": func(b []byte) error { _, err := tree.ParseProperties(b); return err },
		"ini":        func(b []byte) error { _, err := tree.ParseINI(b); return err },
	}
	tests := []struct {
		name, parser, text string
		limit              error // nil: the file is read
		line, col          int
	}{
		{"json at the depth limit", "json", nest("[", "]", d), nil, 0, 0},
		{"json past the depth limit", "json", nest("[", "]", d+1), tree.ErrTooDeep, 1, d + 1},
		{"json past the depth limit, objects", "json", items(`{"a":`, d+1) + "1" + items("}", d+1), tree.ErrTooDeep, 1, 5*d + 1},
		// The array is one node, its items the others.
		{"json at the node limit", "json", "[" + items("0,", n-2) + "0]", nil, 0, 0},
		{"json past the node limit", "json", "[" + items("0,", n-1) + "0]", tree.ErrTooManyNodes, 1, 2 + 2*(n-1)},
		{"yaml flow past the depth limit", "yaml", "a: " + nest("[", "]", d) + "\n", tree.ErrTooDeep, 1, 3 + d},
		{"yaml flow at the depth limit", "yaml", "a: " + nest("[", "]", d-1) + "\n", nil, 0, 0},
		{"yaml block at the node limit", "yaml", items("- 1\n", n-1), nil, 0, 0},
		{"yaml block past the node limit", "yaml", items("- 1\n", n), tree.ErrTooManyNodes, n, 1},
		{"yaml flow past the node limit", "yaml", "[" + items("1, ", n) + "]\n", tree.ErrTooManyNodes, 1, 2 + 3*(n-1)},
		{"yaml aliases past the node limit", "yaml", "a: &a [" + items("1,", 999) + "1]\nb: [" + items("*a, ", 1001) + "]\n",
			tree.ErrAliasExpansion, 2, 4001},
		{"toml array past the depth limit", "toml", "a = " + nest("[", "]", d) + "\n", tree.ErrTooDeep, 1, 5 + d - 1},
		{"toml dotted key past the depth limit", "toml", items("a.", d) + "a = 1\n", tree.ErrTooDeep, 1, 1},
		{"toml table past the depth limit", "toml", "[" + items("a.", d) + "a]\n", tree.ErrTooDeep, 1, 2},
		{"toml past the node limit", "toml", "a = [" + items("1,", n) + "]\n", tree.ErrTooManyNodes, 1, 6 + 2*(n-2)},
		{"env past the node limit", "env", items("A=1\n", n), tree.ErrTooManyNodes, n, 1},
		{"properties past the node limit", "properties", items("a=1\n", n), tree.ErrTooManyNodes, n, 1},
		{"ini past the node limit", "ini", items("a=1\n", n), tree.ErrTooManyNodes, n, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := parsers[tt.parser]([]byte(tt.text))
			if tt.limit == nil {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			var se *tree.SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, tt.limit) {
				t.Fatalf("err = %v, want a *SyntaxError of %v", err, tt.limit)
			}
			if se.Line != tt.line || se.Col != tt.col {
				t.Errorf("at %d:%d, want %d:%d", se.Line, se.Col, tt.line, tt.col)
			}
			if tt.limit != tree.ErrAliasExpansion && errors.Is(err, tree.ErrAliasExpansion) {
				t.Errorf("err = %v: a file without aliases is refused for its aliases", err)
			}
		})
	}
}
