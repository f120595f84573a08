package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/dbguard/dbguard/internal/profile"
)

// Directive is the word that starts an inline suppression.
const Directive = "dbguard:ignore"

// suppression is one dbguard:ignore comment.
type suppression struct {
	rules  []string
	reason string
	loc    profile.Location
}

// commentMarks open a comment in the formats dbguard reads: YAML, TOML,
// .env, .properties and INI (#, ;, !), JSONC (//, /*), XML (<!--), SQL (--).
func commentMarks() []string { return []string{"#", "//", ";", "!", "/*", "<!--", "--"} }

// parseSuppression reads a dbguard:ignore directive from one line: it must
// sit in a comment, name one or more rule ids (comma-separated) and give a
// reason.
func parseSuppression(line string) (s suppression, ok bool) {
	i := strings.Index(line, Directive)
	if i < 0 {
		return s, false
	}
	before := line[:i]
	inComment := false
	for _, m := range commentMarks() {
		if strings.Contains(before, m) {
			inComment = true
			break
		}
	}
	if !inComment {
		return s, false
	}
	rest := strings.TrimSpace(line[i+len(Directive):])
	rest = strings.TrimSuffix(strings.TrimSuffix(rest, "-->"), "*/")
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return s, false
	}
	for _, id := range strings.Split(fields[0], ",") {
		if id = strings.TrimSpace(id); id != "" {
			s.rules = append(s.rules, id)
		}
	}
	s.reason = strings.TrimSpace(strings.Join(fields[1:], " "))
	s.loc = profile.Location{Line: 0, Column: utf8.RuneCountInString(line[:i]) + 1}
	return s, len(s.rules) > 0
}

// Sources returns a file's text by the name findings use, or false when
// the text is not at hand.
type Sources func(file string) ([]byte, bool)

// SuppressionIndex holds the dbguard:ignore comments of one file, in line
// order. Check builds it while the scan has the file's bytes in memory, so
// that no file is read twice; most files have none, and their index is nil.
type SuppressionIndex struct {
	sups []suppression
}

// IndexSuppressions finds the dbguard:ignore comments in a file's text. It
// returns nil when there are none, at the cost of one bytes.Contains.
func IndexSuppressions(data []byte) *SuppressionIndex {
	if !bytes.Contains(data, []byte(Directive)) {
		return nil
	}
	idx := &SuppressionIndex{}
	for n := 1; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if !bytes.Contains(line, []byte(Directive)) {
			continue
		}
		if s, ok := parseSuppression(string(line)); ok {
			s.loc.Line = n
			idx.sups = append(idx.sups, s)
		}
	}
	return idx
}

// ApplySuppressions moves the findings that a dbguard:ignore comment on
// their line, or on the line above, accepts into rep.Suppressed. A
// directive without a reason suppresses nothing and becomes a
// suppression-without-reason finding, unless that rule is disabled (sev 0).
func ApplySuppressions(rep *Report, src Sources, withoutReason Severity) {
	ApplySuppressionIndex(rep, func(file string) *SuppressionIndex {
		data, ok := src(file)
		if !ok {
			return nil
		}
		return IndexSuppressions(data)
	}, withoutReason)
}

// ApplySuppressionIndex is ApplySuppressions with each file's comments
// already indexed: index returns them by the name findings use (nil when
// the file has none or its text is not at hand). It is called once for
// each file that has findings.
func ApplySuppressionIndex(rep *Report, index func(file string) *SuppressionIndex, withoutReason Severity) {
	// Only files with comments get a map: on a large tree most findings'
	// files have none.
	cache := map[string]map[int]suppression{}
	var noReason []Finding
	load := func(file string) {
		idx := index(file)
		if idx == nil || len(idx.sups) == 0 {
			return
		}
		byLine := map[int]suppression{}
		cache[file] = byLine
		for _, s := range idx.sups {
			s.loc.File = file
			byLine[s.loc.Line] = s
			if s.reason == "" && withoutReason != 0 {
				noReason = append(noReason, Finding{
					Rule: SuppressionWithoutReason, Severity: withoutReason, Loc: s.loc,
					Message:     fmt.Sprintf("dbguard:ignore %s gives no reason, so it suppresses nothing", strings.Join(s.rules, ",")),
					Remediation: "Write the reason after the rule id: # dbguard:ignore RULE-ID the reason.",
					Help:        HelpPath(SuppressionWithoutReason), Key: fmt.Sprintf("suppression:%s", strings.Join(s.rules, ",")),
				})
			}
		}
	}
	files := map[string]bool{}
	for _, f := range rep.Findings {
		files[f.Loc.File] = true
	}
	names := make([]string, 0, len(files))
	for f := range files {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		load(f)
	}
	// Findings are kept in place, in their order.
	keep := rep.Findings[:0]
	for _, f := range rep.Findings {
		byLine := cache[f.Loc.File]
		suppressed := false
		if byLine != nil && f.Loc.Line > 0 {
			for _, line := range []int{f.Loc.Line, f.Loc.Line - 1} {
				s, ok := byLine[line]
				if ok && s.reason != "" && contains(s.rules, f.Rule) {
					suppressed = true
					break
				}
			}
		}
		if suppressed {
			rep.Suppressed = append(rep.Suppressed, f)
		} else {
			keep = append(keep, f)
		}
	}
	clear(rep.Findings[len(keep):])
	keep = append(keep, noReason...)
	if !slices.IsSortedFunc(keep, compareFindings) {
		sortFindings(keep)
	}
	if len(keep) == 0 {
		keep = nil
	}
	rep.Findings = keep
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// BaselineVersion is the schema version of baseline files.
const BaselineVersion = 1

// Baseline is the set of findings accepted on the day it was written. An
// entry is keyed by rule id, file and key path, never by line number, so
// that editing lines above a finding does not bring it back.
type Baseline struct {
	SchemaVersion int             `json:"schema_version"`
	Findings      []BaselineEntry `json:"findings"`
}

// BaselineEntry is one accepted finding (Count of them when several share
// the key).
type BaselineEntry struct {
	Rule  string `json:"rule"`
	File  string `json:"file"`
	Key   string `json:"key"`
	Count int    `json:"count"`
	// Reason and Owner are written by people into the file: why the
	// finding is accepted and who answers for it. dbguard audit lists
	// them; they do not take part in matching.
	Reason string `json:"reason,omitempty"`
	Owner  string `json:"owner,omitempty"`
}

// baselineKey is what an entry matches a finding by.
type baselineKey struct{ rule, file, key string }

// NewBaseline accepts every finding of rep.
func NewBaseline(rep *Report) *Baseline {
	counts := map[BaselineEntry]int{}
	for _, f := range rep.Findings {
		counts[BaselineEntry{Rule: f.Rule, File: f.Loc.File, Key: f.Key}]++
	}
	b := &Baseline{SchemaVersion: BaselineVersion, Findings: []BaselineEntry{}}
	for e, n := range counts {
		e.Count = n
		b.Findings = append(b.Findings, e)
	}
	sort.Slice(b.Findings, func(i, j int) bool {
		x, y := b.Findings[i], b.Findings[j]
		if x.File != y.File {
			return x.File < y.File
		}
		if x.Rule != y.Rule {
			return x.Rule < y.Rule
		}
		return x.Key < y.Key
	})
	return b
}

// Write writes the baseline as indented JSON.
func (b *Baseline) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(b)
}

// ReadBaseline reads a baseline file.
func ReadBaseline(r io.Reader) (*Baseline, error) {
	var b Baseline
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("decode baseline: %w", err)
	}
	if b.SchemaVersion != BaselineVersion {
		return nil, fmt.Errorf("unsupported baseline schema_version %d (this dbguard reads %d)", b.SchemaVersion, BaselineVersion)
	}
	return &b, nil
}

// Entry is the entry that accepts f, if any.
func (b *Baseline) Entry(f Finding) (BaselineEntry, bool) {
	for _, e := range b.Findings {
		if e.Rule == f.Rule && e.File == f.Loc.File && e.Key == f.Key {
			return e, true
		}
	}
	return BaselineEntry{}, false
}

// Apply moves the findings the baseline accepts into rep.Baselined; each
// entry accepts at most Count findings, so a second copy of an accepted
// problem is still new.
func (b *Baseline) Apply(rep *Report) {
	left := map[baselineKey]int{}
	for _, e := range b.Findings {
		n := e.Count
		if n <= 0 {
			n = 1
		}
		left[baselineKey{e.Rule, e.File, e.Key}] += n
	}
	var keep []Finding
	for _, f := range rep.Findings {
		k := baselineKey{f.Rule, f.Loc.File, f.Key}
		if left[k] > 0 {
			left[k]--
			rep.Baselined = append(rep.Baselined, f)
			continue
		}
		keep = append(keep, f)
	}
	rep.Findings = keep
}
