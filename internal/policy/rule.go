package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/profile"
)

// Rule is one check. A rule looks at one profile at a time (Profile), at
// all profiles of the run together (Set), or both; the engine calls each
// with a Context bound to the rule, so a check only says what is wrong and
// where.
type Rule struct {
	ID string
	// Family is the numbered family of docs/rules/README.md the rule
	// belongs to (0 for rules about inputs and suppressions, -1 for custom
	// rules).
	Family   int
	Severity Severity
	// Title is one line; Why the paragraph docs/rules/ID.md opens with.
	Title       string
	Why         string
	Remediation string
	// Bad and Good are examples for the rule's page: a configuration file
	// that fails the rule and one that passes. BadName and GoodName name
	// them (their extension sets the format).
	BadName, Bad   string
	GoodName, Good string

	Profile func(c *Context, p *profile.Profile)
	Set     func(c *Context, ps []*profile.Profile)

	// help is HelpPath(ID), made once per run rather than per finding.
	help string
}

// helpPath is the rule's page (HelpPath).
func (r *Rule) helpPath() string {
	if r.help != "" {
		return r.help
	}
	return HelpPath(r.ID)
}

// RuleInfo describes a rule for renderers.
type RuleInfo struct {
	ID          string
	Severity    Severity
	Title       string
	Remediation string
	Help        string
	Custom      bool
}

func (r *Rule) info() RuleInfo {
	return RuleInfo{ID: r.ID, Severity: r.Severity, Title: r.Title, Remediation: r.Remediation,
		Help: HelpPath(r.ID), Custom: r.Family < 0}
}

// Context is what a rule gets: the settings of the run and a way to report.
type Context struct {
	Settings *Settings
	// Servers are the database servers known to this run: the inventory
	// section of dbguard.yaml and the server-side profiles of the scan.
	Servers []Server
	Notes   []KeyNote

	rule   *Rule
	out    *[]Finding
	envs   map[string]profile.Environment
	server serverMemo
	// peers are the active profiles judged together, whose clients the
	// capacity rules add up per server (budgets, built on first use).
	peers   []*profile.Profile
	budgets map[budgetKey][]*profile.Profile
}

// Report records a finding of the current rule about field of p, at loc
// (the field's own location when loc is zero).
func (c *Context) Report(p *profile.Profile, field string, loc profile.Location, format string, args ...any) {
	c.ReportRelated(p, field, loc, nil, format, args...)
}

// ReportRelated is Report with further locations.
func (c *Context) ReportRelated(p *profile.Profile, field string, loc profile.Location, rel []Related, format string, args ...any) {
	f := Finding{
		Rule:        c.rule.ID,
		Severity:    c.rule.Severity,
		Message:     fmt.Sprintf(format, args...),
		Field:       field,
		Loc:         loc,
		Related:     rel,
		Remediation: c.rule.Remediation,
		Help:        c.rule.helpPath(),
	}
	if p != nil {
		f.Profile = p.ID
		f.Environment = p.Environment
		f.Severity = c.severityFor(p.Environment, p.File)
		c.capColocated(p, &f)
		f.Key = p.KeyPath
		if f.Loc.Line == 0 {
			if l, ok := fieldLoc(p, field); ok {
				f.Loc = l
			} else if l, ok := firstLoc(p); ok {
				f.Loc = l
			}
		}
		if f.Loc.File == "" {
			f.Loc.File = p.File
		}
	}
	if field != "" {
		f.Key += ":" + field
	}
	*c.out = append(*c.out, f)
}

// Settings are the tunable parts of the built-in rules (dbguard.yaml's
// rules section).
type Settings struct {
	// PoolCeiling is the largest max-open pool a profile may set (default
	// 100).
	PoolCeiling int
	// MaxConnectTimeout is the longest acceptable connect timeout
	// (default 30s).
	MaxConnectTimeout time.Duration
	// Rules changes rules by id.
	Rules map[string]RuleSetting
	// Inventory lists servers known from dbguard.yaml.
	Inventory []Server
	// EnvironmentCaps is the highest severity an availability or
	// capacity rule reports in each context (an environment, or Sample);
	// nil means DefaultEnvironmentCaps. See severity.go.
	EnvironmentCaps map[string]Severity
}

// RuleSetting changes one rule: its severity, whether it runs, and which
// environments it applies to (empty: all).
type RuleSetting struct {
	Severity     Severity
	Disabled     bool
	Environments []profile.Environment
}

// DefaultSettings returns the settings that apply when dbguard.yaml says
// nothing.
func DefaultSettings() *Settings {
	return &Settings{PoolCeiling: 100, MaxConnectTimeout: 30 * time.Second, EnvironmentCaps: DefaultEnvironmentCaps()}
}

// KeyNote is a fact about the keys of a source file that the profile model
// does not carry: a key defined twice in one block (the last one silently
// wins), or a known connection key that sits where no schema reads it,
// next to a profile block (an indentation slip). The scan stage supplies
// them; rules of family 10 report them with both locations.
type KeyNote struct {
	// Kind is "duplicate" or "stray".
	Kind string
	// Key is the key as written; Loc where it is, Other the first
	// definition (duplicate) or the block it was meant for (stray).
	Key   string
	Loc   profile.Location
	Other profile.Location
	// Profile is the id of the profile the key belongs or was meant to
	// belong to, when known.
	Profile string
	// Block names the block (its key path), for messages.
	Block string
}

// Input is what a run judges.
type Input struct {
	Profiles []*profile.Profile
	Problems []profile.Problem
	Notes    []KeyNote
	// Files is how many files the scan read.
	Files int
}

// Evaluate runs rules over the input. Rules is normally Builtins() plus
// any custom rules; settings may be nil.
func Evaluate(in Input, rules []*Rule, s *Settings) *Report {
	if s == nil {
		s = DefaultSettings()
	}
	var out []Finding
	c := &Context{Settings: s, Notes: append(slices.Clone(in.Notes), profileNotes(in.Profiles)...), out: &out}
	active := make([]*profile.Profile, 0, len(in.Profiles))
	for _, p := range in.Profiles {
		if !p.Inactive {
			active = append(active, p)
		}
	}
	c.Servers = append(slices.Clone(s.Inventory), serversFromProfiles(active)...)
	c.peers = active
	c.envs = make(map[string]profile.Environment, len(active))
	for _, p := range active {
		c.envs[p.ID] = p.Environment
	}
	rep := &Report{Files: in.Files, Profiles: len(active)}
	for _, r := range rules {
		rs, configured := s.Rules[r.ID]
		if configured && rs.Disabled {
			continue
		}
		rule := *r
		rule.help = HelpPath(r.ID)
		if configured && rs.Severity != 0 {
			rule.Severity = rs.Severity
		}
		rep.Rules = append(rep.Rules, rule.info())
		c.rule = &rule
		start := len(out)
		if r.ID == InputUnreadable {
			for _, pr := range in.Problems {
				c.Report(nil, "", pr.Loc, "cannot be read: %s", pr.Msg)
				out[len(out)-1].Key = "input"
			}
		}
		if rule.Profile != nil {
			for _, p := range active {
				rule.Profile(c, p)
			}
		}
		if rule.Set != nil {
			rule.Set(c, active)
		}
		if configured && len(rs.Environments) > 0 {
			out = append(out[:start], filterEnv(out[start:], rs.Environments)...)
		}
	}
	sortFindings(out)
	rep.Findings = dedupe(out)
	return rep
}

// dedupe drops a finding that repeats another's rule, location and
// message: several services that merge one YAML anchor share one written
// value, and one fix mends them all. Of equal findings the most severe is
// kept, with its profile and environment: a database.yml default: block
// merged into development and production is reported as production's.
func dedupe(fs []Finding) []Finding {
	out := fs[:0]
	if slices.IsSortedFunc(fs, compareFindings) {
		// Sorted, equal findings are neighbours: compareFindings orders
		// by location, rule and message, the very key.
		for i := range fs {
			f := &fs[i]
			if len(out) > 0 && f.Loc.Line > 0 {
				last := &out[len(out)-1]
				if last.Rule == f.Rule && last.Message == f.Message && last.Loc == f.Loc {
					if f.Severity > last.Severity {
						*last = *f
					}
					continue
				}
			}
			out = append(out, *f)
		}
		return out
	}
	type key struct {
		rule, msg string
		loc       profile.Location
	}
	seen := make(map[key]int, len(fs))
	for _, f := range fs {
		k := key{f.Rule, f.Message, f.Loc}
		if i, dup := seen[k]; f.Loc.Line > 0 && dup {
			if f.Severity > out[i].Severity {
				out[i] = f
			}
			continue
		}
		seen[k] = len(out)
		out = append(out, f)
	}
	return out
}

// filterEnv keeps the findings whose profile is in one of envs; findings
// about no profile (an unreadable input) are kept.
func filterEnv(fs []Finding, envs []profile.Environment) []Finding {
	var keep []Finding
	for _, f := range fs {
		if f.Profile == "" || slices.Contains(envs, f.Environment) {
			keep = append(keep, f)
		}
	}
	return keep
}

// fieldLoc is where a canonical field was written.
func fieldLoc(p *profile.Profile, field string) (profile.Location, bool) {
	if field == "" {
		return profile.Location{}, false
	}
	if field == "password" {
		return p.Password.Loc, p.Password.Loc.Line > 0
	}
	var loc profile.Location
	find := func(name string, v profile.Value) {
		if name == field && loc.Line == 0 {
			loc = v.Loc
		}
	}
	if strings.HasPrefix(field, "params.") {
		p.EachField(find)
	} else {
		// No parameter has this name: skip them, and the sorting of
		// their names that EachField does.
		q := *p
		q.Params = nil
		q.EachField(find)
	}
	if loc.Line == 0 && strings.HasPrefix(field, "hosts[") {
		return profile.Location{}, false
	}
	return loc, loc.Line > 0
}

// firstLoc is where a profile starts: its earliest located field, the
// first in EachField's order among equals.
func firstLoc(p *profile.Profile) (profile.Location, bool) {
	var best profile.Location
	earlier := func(l profile.Location) bool {
		return l.Line > 0 && (best.Line == 0 || l.Line < best.Line || l.Line == best.Line && l.Column < best.Column)
	}
	// EachField visits the parameters last, in name order; visiting them
	// apart (the least location, the least name among equals) gives the
	// same answer without sorting their names.
	q := *p
	q.Params = nil
	q.EachField(func(_ string, v profile.Value) {
		if earlier(v.Loc) {
			best = v.Loc
		}
	})
	var bestKey string
	var param profile.Location
	for k, v := range p.Params {
		if !v.Set || v.Loc.Line == 0 {
			continue
		}
		l := v.Loc
		if param.Line == 0 || l.Line < param.Line || l.Line == param.Line && (l.Column < param.Column || l.Column == param.Column && k < bestKey) {
			param, bestKey = l, k
		}
	}
	if earlier(param) {
		best = param
	}
	if best.Line == 0 && p.Password.Loc.Line > 0 {
		best = p.Password.Loc
	}
	return best, best.Line > 0
}

// profileNotes turns what the extractor observed about a profile's keys
// (profile.Notes) into key notes for the rules of family 10.
func profileNotes(ps []*profile.Profile) []KeyNote {
	var out []KeyNote
	for _, p := range ps {
		for _, n := range p.Notes {
			kind := ""
			switch n.Kind {
			case profile.NoteDuplicateKey:
				kind = "duplicate"
			case profile.NoteStrayKey:
				kind = "stray"
			default:
				continue
			}
			out = append(out, KeyNote{Kind: kind, Key: n.Key, Loc: n.Loc, Other: n.Other, Profile: p.ID, Block: p.KeyPath})
		}
	}
	return out
}
