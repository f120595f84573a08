// Package output renders a policy.Report for people and machines: text for
// a terminal, json for other tools, sarif for code scanning, junit for CI
// test reports, markdown for a pull-request comment, and github for
// workflow annotations.
//
// Renderers print what a Finding holds and nothing else; findings never
// carry a secret (package policy's contract), so no renderer can leak one.
package output

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/dbguard/dbguard/internal/policy"
)

// SchemaVersion is the version of the json format; it changes only when a
// field is removed or changes meaning.
const SchemaVersion = 1

// HelpBase is where rule pages are published; a finding's help path is
// appended to it where a format needs an absolute URI (SARIF).
const HelpBase = "https://github.com/dbguard/dbguard/blob/main/"

// Options tune rendering.
type Options struct {
	// Color enables ANSI colours in text output; the CLI sets it only
	// when standard output is a terminal and NO_COLOR is unset.
	Color bool
	// Version is dbguard's version, for formats that name the tool.
	Version string
	// ShowSuppressed lists suppressed and baselined findings in text and
	// markdown.
	ShowSuppressed bool
}

// FormatOf is one output format of a command whose report is R.
type FormatOf[R any] struct {
	Name    string
	Summary string
	Render  func(w io.Writer, r R, o Options) error
}

// Registry is a command's output formats, in help order: the one list
// that its --format flag's help, validation and rendering are read from.
type Registry[R any] []FormatOf[R]

// Lookup finds a format by name; the error lists the names there are.
func (reg Registry[R]) Lookup(name string) (FormatOf[R], error) {
	for _, f := range reg {
		if f.Name == name {
			return f, nil
		}
	}
	return FormatOf[R]{}, fmt.Errorf("unknown format %q (use %s)", name, strings.Join(reg.Names(), ", "))
}

// Names lists the format names, in help order.
func (reg Registry[R]) Names() []string {
	names := make([]string, 0, len(reg))
	for _, f := range reg {
		names = append(names, f.Name)
	}
	return names
}

// Format is one output format of check.
type Format = FormatOf[*policy.Report]

// Formats lists the output formats of check, in help order.
func Formats() Registry[*policy.Report] {
	return Registry[*policy.Report]{
		{"text", "grouped by file, for people (colour on a terminal)", renderText},
		{"json", "one JSON document with schema_version, for tools", renderJSON},
		{"sarif", "SARIF 2.1.0, for GitHub code scanning and other SARIF viewers", renderSARIF},
		{"junit", "JUnit XML, for CI test reports", renderJUnit},
		{"markdown", "a Markdown summary, for a pull-request comment", renderMarkdown},
		{"github", "GitHub Actions workflow annotations (::error file=...)", renderGitHub},
	}
}

// summaryLine is the one-line summary text and markdown end with.
func summaryLine(rep *policy.Report) string {
	c := rep.CountBySeverity()
	n := len(rep.Findings)
	s := fmt.Sprintf("%d %s (%d %s, %d %s, %d info) in %d %s, %d %s",
		n, plural(n, "finding", "findings"), c[policy.Error], plural(c[policy.Error], "error", "errors"),
		c[policy.Warning], plural(c[policy.Warning], "warning", "warnings"), c[policy.Info],
		rep.Files, plural(rep.Files, "file", "files"), rep.Profiles, plural(rep.Profiles, "profile", "profiles"))
	if len(rep.Suppressed) > 0 || len(rep.Baselined) > 0 {
		s += fmt.Sprintf("; %d suppressed, %d in the baseline", len(rep.Suppressed), len(rep.Baselined))
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// byFile groups findings by file, files in order.
func byFile(fs []policy.Finding) ([]string, map[string][]policy.Finding) {
	m := map[string][]policy.Finding{}
	for _, f := range fs {
		m[f.Loc.File] = append(m[f.Loc.File], f)
	}
	files := make([]string, 0, len(m))
	for f := range m {
		files = append(files, f)
	}
	sort.Strings(files)
	return files, m
}

// ruleCounts lists rule ids with their finding counts, most first.
func ruleCounts(rep *policy.Report) []struct {
	ID string
	N  int
} {
	var out []struct {
		ID string
		N  int
	}
	for id, n := range rep.CountByRule() {
		out = append(out, struct {
			ID string
			N  int
		}{id, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		return out[i].ID < out[j].ID
	})
	return out
}
