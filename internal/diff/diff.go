package diff

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/dbguard/dbguard/internal/capacity"
	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/scan"
)

// Options tune a comparison.
type Options struct {
	// Rules and Settings compute the check findings of both sides; nil
	// means the built-in rules and default settings.
	Rules    []*policy.Rule
	Settings *policy.Settings
}

// Kind is what happened to a profile or a field.
type Kind string

const (
	Added   Kind = "added"
	Removed Kind = "removed"
	Changed Kind = "changed"
	// Moved: the same setting sits elsewhere — a profile in another file
	// or under another key, or a key moved out of the block that reads it.
	Moved Kind = "moved"
)

// Change is one field of one profile that differs between the sides, or a
// whole profile added, removed or moved (Field "profile").
type Change struct {
	// Profile is the profile's id on the new side (the old side's when
	// the profile was removed); OldProfile the old id when it differs.
	Profile     string
	OldProfile  string
	Name        string
	Environment profile.Environment
	File        string
	// KeyPath and Service are the profile's, for the event store, which
	// keys a profile by file and key path and files it under its service.
	KeyPath, Service string
	Field            string
	Kind             Kind
	// Old and New are the values as written; nil when absent. A password
	// is never here as a value: New says "changed", "added", "removed" or
	// "now unresolved (from VAR)".
	Old, New *string
	OldLoc   profile.Location
	NewLoc   profile.Location
	Risk     Risk
	Reason   string

	// identity is the profile's environment, name and key path on both
	// sides, for the fingerprint.
	identity string
}

// Problem is a file of one side that could not be read.
type Problem struct {
	Side string // "old" or "new"
	profile.Problem
}

// Stats counts what a comparison looked at.
type Stats struct {
	OldFiles, NewFiles int
	// ChangedFiles differ between the sides (added, removed or edited);
	// Extracted is how many file versions were read and extracted,
	// neighbours included. The rest were skipped by content.
	ChangedFiles int
	Extracted    int
	OldProfiles  int
	NewProfiles  int
}

// Result is the semantic change between two sides.
type Result struct {
	Changes []Change
	// Risk is the highest risk of any change; Reason says which change
	// set it and why.
	Risk   Risk
	Reason string
	// Fingerprint is a stable hash of the changes' meaning (fingerprint.go).
	Fingerprint string
	// FindingsIntroduced are check findings of the new side that the old
	// side did not have; FindingsFixed the reverse.
	FindingsIntroduced []policy.Finding
	FindingsFixed      []policy.Finding
	Problems           []Problem
	Stats              Stats
}

// Compare computes the change from old to new. Both sides are new sides
// of package scan (scan.NewSide), classified by the same dbguard.yaml — a
// review passes the base revision's, so that a change cannot reclassify
// itself — and limited to the same paths. Compare lists them, has them
// read only the files that changed and their neighbours, and finishes
// them; a side is compared once.
func Compare(ctx context.Context, o, n *scan.Side, opts Options) (*Result, error) {
	for _, s := range []struct {
		sd   *scan.Side
		name string
	}{{o, "old"}, {n, "new"}} {
		if err := s.sd.List(ctx); err != nil {
			return nil, fmt.Errorf("list %s files: %w", s.name, err)
		}
	}
	oe, ne := o.Entries(), n.Entries()
	res := &Result{Stats: Stats{OldFiles: len(oe), NewFiles: len(ne)}}

	// A pair of single files is one source under two names.
	pairs := map[string]string{}
	if o.SingleFile() && n.SingleFile() && len(oe) == 1 && len(ne) == 1 {
		for op := range oe {
			for np := range ne {
				pairs[op] = np
			}
		}
	}
	changedOld, changedNew, unchanged, err := scan.ChangedFiles(ctx, o, n, pairs)
	if err != nil {
		return nil, err
	}
	res.Stats.ChangedFiles = len(union(changedOld, changedNew))
	if err := load(ctx, o, "old", changedOld); err != nil {
		return nil, err
	}
	if err := load(ctx, n, "new", changedNew); err != nil {
		return nil, err
	}
	res.Stats.Extracted += len(changedOld) + len(changedNew)

	// Neighbours: unchanged files whose profiles can take part in a rule
	// together with a changed one. Their content is the same on both
	// sides; each side extracts its own copy, since linking edits
	// profiles in place.
	near := neighbours(unchanged, append(append([]string(nil), changedOld...), changedNew...), append(append([]*profile.Profile(nil), o.Profiles()...), n.Profiles()...), o.LinkDirs(), n.LinkDirs())
	if len(near) > 0 {
		if err := load(ctx, o, "old", near); err != nil {
			return nil, err
		}
		if err := load(ctx, n, "new", near); err != nil {
			return nil, err
		}
		res.Stats.Extracted += 2 * len(near)
	}
	o.Finish()
	n.Finish()
	res.Stats.OldProfiles, res.Stats.NewProfiles = len(o.Profiles()), len(n.Profiles())
	res.Problems = sideProblems(sideProblems(nil, o, "old"), n, "new")

	pairsAll := filePairs(o, n, pairs)
	matches, removed, added := match(o.Profiles(), n.Profiles(), pairsAll)
	var changes []Change
	for _, m := range matches {
		// A list entry that only changed its index was reordered:
		// the application reads every entry wherever it stands.
		moved := pairsAll[m.old.File] != m.new.File || indexRE(m.old.KeyPath) != indexRE(m.new.KeyPath)
		changes = append(changes, compareProfiles(m.old, m.new, moved)...)
	}
	for _, p := range removed {
		changes = append(changes, profileChange(p, nil, Removed))
	}
	for _, p := range added {
		changes = append(changes, profileChange(nil, p, Added))
	}

	// Findings of check on both sides, to list what the change introduces
	// or fixes and to sharpen risks (pool × replicas over a server limit,
	// a fleet made inconsistent).
	rules := opts.Rules
	if rules == nil {
		rules = policy.Builtins()
	}
	oldRep := evaluate(o, rules, opts.Settings)
	newRep := evaluate(n, rules, opts.Settings)
	res.FindingsIntroduced, res.FindingsFixed = findingDelta(oldRep.Findings, newRep.Findings, matches)

	// Second round for passwords: a literal password changed in one
	// profile while another that logs in as the same user on the same host
	// keeps the old one. That other profile may live in an unchanged file
	// that no neighbour rule picked.
	ctxProfiles := n.Profiles()
	if hosts := rotatedHosts(changes, matches); len(hosts) > 0 {
		extra, err := n.Mentioning(ctx, unchanged, near, hosts)
		if err != nil {
			return nil, fmt.Errorf("read new files: %w", err)
		}
		ctxProfiles = append(append([]*profile.Profile(nil), n.Profiles()...), extra...)
	}
	budget := func(p *profile.Profile) (capacity.Budget, int, bool) {
		return policy.CapacityBudget(p, n.Profiles(), opts.Settings)
	}
	assess(changes, matches, removed, ctxProfiles, n, res.FindingsIntroduced, budget)

	sortChanges(changes)
	res.Changes = changes
	res.Risk, res.Reason = overall(changes)
	res.Fingerprint = Fingerprint(changes)
	return res, nil
}

func union(a, b []string) map[string]bool {
	m := make(map[string]bool, len(a)+len(b))
	for _, x := range a {
		m[x] = true
	}
	for _, x := range b {
		m[x] = true
	}
	return m
}

// load has a side read and extract files, its error named after the side.
func load(ctx context.Context, s *scan.Side, name string, paths []string) error {
	if err := s.Load(ctx, paths); err != nil {
		return fmt.Errorf("read %s files: %w", name, err)
	}
	return nil
}

// sideProblems appends a side's problems to out, marked with its name.
func sideProblems(out []Problem, s *scan.Side, name string) []Problem {
	for _, pr := range s.Problems() {
		out = append(out, Problem{Side: name, Problem: pr})
	}
	return out
}

// stem is a file's base name without its last extension, lower-cased: the
// name policy's fleet rule groups copies by.
func stem(file string) string {
	b := strings.ToLower(path.Base(file))
	if i := strings.LastIndexByte(b, '.'); i > 0 {
		return b[:i]
	}
	return b
}

// neighbours picks the unchanged files whose profiles can take part in a
// rule with a changed profile, by name alone so that the rest need not be
// read: copies of the same file in other folders (the fleet rule groups by
// file name), and for a Kubernetes workload or compose service the other
// manifests of its folder (servers, autoscalers and env files are matched
// there). Spring Boot's environment overrides are found by content
// (scan.Side.Mentioning) only when a changed profile is a Spring datasource.
//
// A changed file that points at others (an autoscaler, an envFrom) makes
// the manifests of its folder neighbours too (linkDirs).
func neighbours(unchanged, changed []string, ps []*profile.Profile, linkDirs ...map[string]bool) []string {
	if len(unchanged) == 0 {
		return nil
	}
	stems := map[string]bool{}
	for _, c := range changed {
		stems[stem(c)] = true
	}
	manifests := map[string]bool{} // folders whose manifests matter
	composes := map[string]bool{}  // folders whose compose files matter
	for _, ld := range linkDirs {
		for d := range ld {
			manifests[d] = true
		}
	}
	for _, p := range ps {
		_, workload := p.Params["workload"]
		switch {
		case p.Format == "kubernetes" && (workload || p.ServerSide), p.Format == "compose":
			manifests[path.Dir(p.File)] = true
		case p.Format == "dotenv":
			// An env file is read by the compose services beside it.
			composes[path.Dir(p.File)] = true
		}
	}
	var out []string
	for _, u := range unchanged {
		dir, base := path.Dir(u), strings.ToLower(path.Base(u))
		ext := path.Ext(base)
		manifest := ext == ".yaml" || ext == ".yml" || ext == ".json" || strings.HasPrefix(base, ".env")
		compose := strings.Contains(base, "compose") && (ext == ".yaml" || ext == ".yml")
		if stems[stem(u)] || manifests[dir] && manifest || composes[dir] && compose {
			out = append(out, u)
		}
	}
	return out
}

// filePairs maps each old file to the new file it became: the same path,
// or for a pair of single files the other name.
func filePairs(o, n *scan.Side, explicit map[string]string) map[string]string {
	out := map[string]string{}
	ne := n.Entries()
	for p := range o.Entries() {
		if q, ok := explicit[p]; ok {
			out[p] = q
		} else if _, ok := ne[p]; ok {
			out[p] = p
		}
	}
	return out
}

// evaluate runs check's rules over a side's extracted profiles.
func evaluate(s *scan.Side, rules []*policy.Rule, settings *policy.Settings) *policy.Report {
	in := policy.Input{Profiles: s.Profiles(), Problems: s.Problems(), Files: len(s.Entries())}
	return policy.Evaluate(in, rules, settings)
}

// findingDelta lists the findings only one side has. A finding is the
// same on both sides when its rule, its profile (matched across the
// sides) and its field are; a finding about no profile by its file and
// message.
func findingDelta(oldFs, newFs []policy.Finding, matches []matched) (introduced, fixed []policy.Finding) {
	oldToNew := map[string]string{}
	for _, m := range matches {
		oldToNew[m.old.ID] = m.new.ID
	}
	key := func(f policy.Finding, mapID bool) string {
		if f.Profile == "" {
			return f.Rule + "|" + f.Loc.File + "|" + f.Message
		}
		id := f.Profile
		if mapID {
			if q, ok := oldToNew[id]; ok {
				id = q
			}
		}
		return f.Rule + "|" + id + "|" + f.Field
	}
	// only lists the findings of fs (keyed with mapID) that other (keyed
	// with !mapID) does not have as many times.
	only := func(fs, other []policy.Finding, mapID bool) []policy.Finding {
		seen := map[string]int{}
		for _, f := range other {
			seen[key(f, !mapID)]++
		}
		var out []policy.Finding
		for _, f := range fs {
			if k := key(f, mapID); seen[k] > 0 {
				seen[k]--
			} else {
				out = append(out, f)
			}
		}
		return out
	}
	return only(newFs, oldFs, false), only(oldFs, newFs, true)
}

// sortChanges orders changes by profile, then field order of the model.
func sortChanges(cs []Change) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Profile != b.Profile {
			return a.Profile < b.Profile
		}
		if fa, fb := fieldOrder(a.Field), fieldOrder(b.Field); fa != fb {
			return fa < fb
		}
		return a.Field < b.Field
	})
}

// overall is the highest risk and the reason of the first change at it,
// after its profile (the reason names the field).
func overall(cs []Change) (Risk, string) {
	var top Risk
	reason := "no change to any connection"
	for _, c := range cs {
		if c.Risk > top {
			top = c.Risk
			reason = c.Profile + ": " + c.Reason
		}
	}
	return top, reason
}
