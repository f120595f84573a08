package policy

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/dbguard/dbguard/internal/profile"
)

// Severity ranks findings. The zero value is not a severity, so that an
// unset override is told apart from "info".
type Severity int

const (
	Info Severity = iota + 1
	Warning
	Error
)

// Severities lists the severities from the least to the most severe.
func Severities() []Severity { return []Severity{Info, Warning, Error} }

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return "none"
}

// ParseSeverity reads error, warning or info.
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "error":
		return Error, nil
	case "warning", "warn":
		return Warning, nil
	case "info", "note":
		return Info, nil
	}
	return 0, fmt.Errorf("unknown severity %q (use error, warning or info)", s)
}

func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Related is a second location a finding is about: the other definition of
// a duplicated key, the majority's value in a fleet, the server a client
// disagrees with.
type Related struct {
	Loc     profile.Location
	Message string
}

// Finding is one rule's verdict on one profile, group of profiles or input.
type Finding struct {
	Rule     string
	Severity Severity
	// Message says what is wrong and why it is risky; it names values
	// but never a secret.
	Message string
	// Profile is the profile id (file#keypath), empty for findings about
	// a whole input.
	Profile     string
	Environment profile.Environment
	// Field is the canonical field the finding is about (port, tls,
	// pool.max_open), empty when it is about the whole profile.
	Field       string
	Loc         profile.Location
	Related     []Related
	Remediation string
	// Help is the rule's page, relative to the repository root.
	Help string
	// Key identifies the finding without line numbers, so that a baseline
	// survives edits above it: the profile's key path and the field.
	Key string
}

// File is the file the finding is in.
func (f Finding) File() string { return f.Loc.File }

// Fingerprint identifies a finding across runs: rule, file and key, never a
// line number. Baselines and SARIF partialFingerprints use it.
func (f Finding) Fingerprint() string {
	return f.Rule + "|" + f.Loc.File + "|" + f.Key
}

// HelpPath is where a rule's page lives, relative to the repository root.
func HelpPath(id string) string { return "docs/rules/" + id + ".md" }

// sortFindings orders findings the way a reader scans a report: by file,
// line, column, then rule.
func sortFindings(fs []Finding) { slices.SortStableFunc(fs, compareFindings) }

// compareFindings is the order of sortFindings.
func compareFindings(a, b Finding) int {
	return compareFindingPtrs(&a, &b)
}

// compareFindingPtrs is compareFindings without copying the findings.
func compareFindingPtrs(a, b *Finding) int {
	if c := strings.Compare(a.Loc.File, b.Loc.File); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Loc.Line, b.Loc.Line); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Loc.Column, b.Loc.Column); c != 0 {
		return c
	}
	if c := strings.Compare(a.Rule, b.Rule); c != 0 {
		return c
	}
	return strings.Compare(a.Message, b.Message)
}

// Report is the outcome of one evaluation.
type Report struct {
	Findings []Finding
	// Suppressed are findings an inline dbguard:ignore comment accepted;
	// Baselined those a baseline file accepted. Neither counts towards the
	// exit code; renderers may show them.
	Suppressed []Finding
	Baselined  []Finding
	// Rules are the rules that ran, built-in and custom, for renderers
	// that describe them (SARIF).
	Rules    []RuleInfo
	Files    int
	Profiles int
}

// Count returns how many findings are at or above sev.
func (r *Report) Count(sev Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity >= sev {
			n++
		}
	}
	return n
}

// CountBySeverity returns the number of findings of each severity.
func (r *Report) CountBySeverity() map[Severity]int {
	m := map[Severity]int{}
	for _, f := range r.Findings {
		m[f.Severity]++
	}
	return m
}

// CountByRule returns the number of findings per rule id.
func (r *Report) CountByRule() map[string]int {
	m := map[string]int{}
	for _, f := range r.Findings {
		m[f.Rule]++
	}
	return m
}
