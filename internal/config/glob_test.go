package config_test

import (
	"testing"

	"github.com/dbguard/dbguard/internal/config"
)

func TestGlobMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"*.yaml", "a.yaml", true},
		{"*.yaml", "dir/a.yaml", false}, // * stays within a segment
		{"**/*.yaml", "a.yaml", true},   // ** matches zero segments
		{"**/*.yaml", "a/b/c/d.yaml", true},
		{"**", "", true},
		{"**", "a/b", true},
		{"a/**", "a", true}, // the directory itself
		{"a/**", "a/b/c", true},
		{"a/**", "ab/c", false},
		{"a/**/b", "a/b", true},
		{"a/**/b", "a/x/y/b", true},
		{"a/**/b", "a/x/y/c", false},
		{"**/**/**/x", "x", true},
		{"**/**/**/x", "p/q/r/s/t/u/v/w/x", true},
		{"**/**/**/x", "p/q/r/s/t/u/v/w/y", false},
		{"a/*/c", "a/b/c", true},
		{"a/*/c", "a/c", false},
		{"a/?/c", "a/bb/c", false},
		{"a/[bc]/d", "a/c/d", true},
		{"vendor/", "vendor", true}, // trailing slash: the directory and below
		{"vendor/", "vendor/x/y.yml", true},
		{"./deploy/*.yaml", "deploy/a.yaml", true},
		{"deploy/*.yaml", "./deploy/a.yaml", true},
		{"Deploy/*.yaml", "deploy/a.yaml", false}, // case-sensitive
		{`a\*b`, "a*b", true},
		{`a\*b`, "axb", false},
		{"config/[prod", "config/[prod", false}, // malformed: matches nothing
		{"", "", true},
		{"", "a", false},
	}
	for _, tc := range tests {
		if got := (config.Glob{Pattern: tc.pattern}).Match(tc.name); got != tc.want {
			t.Errorf("Glob(%q).Match(%q) = %v, want %v", tc.pattern, tc.name, got, tc.want)
		}
	}
}

// A pattern made only of ** segments must not take exponential time.
func TestGlobManyStars(t *testing.T) {
	t.Parallel()
	pattern := ""
	for range 200 {
		pattern += "**/"
	}
	pattern += "x"
	name := ""
	for range 200 {
		name += "d/"
	}
	name += "y"
	if (config.Glob{Pattern: pattern}).Match(name) {
		t.Error("matched a name that does not end in x")
	}
}
