package docsgen

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/profile"
)

// Entry is one profile with what the application layer knows of it
// beyond the profile itself.
type Entry struct {
	Profile *profile.Profile
	// File is the file's stable name: its path relative to the
	// repository root (the store's key).
	File string
	// Verified is nil when no verified-good revision is known.
	Verified *Verified
	// VerifyCommand and RollbackCommand are ready to type.
	VerifyCommand, RollbackCommand string
}

// Input is everything Build turns into a Reference.
type Input struct {
	Entries []Entry
	// Findings are check's findings; Accepted those its baseline or
	// inline comments accepted. Both name profiles by Profile.ID.
	Findings []policy.Finding
	Accepted []Accepted
	// AcceptedProfile names the profile of each Accepted, by index.
	AcceptedProfile []string
	Rules           []*policy.Rule
	Settings        *policy.Settings
	Review          *config.ReviewConfig
	Store           string
	Generated       time.Time
	Unreadable      []string
	// DefaultPort is a driver's port when a profile names none (false
	// when the driver has no known default).
	DefaultPort func(driver string) (int, bool)
}

// Build assembles the reference. It is deterministic: equal inputs give
// an equal Reference, whatever the order of Entries and Findings.
func Build(in Input) *Reference {
	ref := &Reference{Generated: in.Generated, Store: in.Store, Review: approvals(in.Review, ""),
		Services: []Service{}, Unreadable: append([]string{}, in.Unreadable...)}
	slices.Sort(ref.Unreadable)
	findings := map[string][]Finding{}
	ruleFindings := map[string]int{}
	for _, f := range in.Findings {
		findings[f.Profile] = append(findings[f.Profile], findingOf(f))
		ruleFindings[f.Rule]++
	}
	accepted := map[string][]Accepted{}
	ruleAccepted := map[string]int{}
	for i, a := range in.Accepted {
		id := ""
		if i < len(in.AcceptedProfile) {
			id = in.AcceptedProfile[i]
		}
		accepted[id] = append(accepted[id], a)
		ruleAccepted[a.Rule]++
	}
	settings := in.Settings
	if settings == nil {
		settings = policy.DefaultSettings()
	}

	byService := map[string]map[string][]Connection{}
	for _, e := range in.Entries {
		p := e.Profile
		c := connectionOf(e)
		c.Findings = sortFindings(findings[p.ID])
		c.Accepted = accepted[p.ID]
		slices.SortFunc(c.Accepted, func(a, b Accepted) int { return compareFinding(a.Finding, b.Finding) })
		if c.Accepted == nil {
			c.Accepted = []Accepted{}
		}
		c.RulesRun = rulesRun(in.Rules, settings, p.Environment)
		svc := p.Service
		if svc == "" {
			svc = "(no service)"
		}
		if byService[svc] == nil {
			byService[svc] = map[string][]Connection{}
		}
		env := string(p.Environment)
		if env == "" {
			env = string(profile.Unknown)
		}
		byService[svc][env] = append(byService[svc][env], c)
	}
	slugs := map[string]bool{}
	for _, name := range sortedKeys(byService) {
		s := Service{Name: name, Slug: uniqueSlug(name, slugs)}
		envs := byService[name]
		for _, env := range sortedEnvironments(envs) {
			conns := envs[env]
			slices.SortFunc(conns, func(a, b Connection) int {
				return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.KeyPath, b.KeyPath), cmp.Compare(a.ID, b.ID))
			})
			s.Environments = append(s.Environments, Environment{Name: env, Approvals: approvals(in.Review, env), Connections: conns})
		}
		ref.Services = append(ref.Services, s)
	}

	ref.Rules = []RuleStatus{}
	for _, r := range in.Rules {
		rs := settings.Rules[r.ID]
		st := RuleStatus{ID: r.ID, Severity: r.Severity.String(), Title: r.Title, Help: policy.HelpPath(r.ID),
			Disabled: rs.Disabled, Environments: []string{}, Findings: ruleFindings[r.ID], Accepted: ruleAccepted[r.ID]}
		if rs.Severity != 0 {
			st.Severity = rs.Severity.String()
		}
		for _, e := range rs.Environments {
			st.Environments = append(st.Environments, string(e))
		}
		ref.Rules = append(ref.Rules, st)
	}
	slices.SortFunc(ref.Rules, func(a, b RuleStatus) int { return cmp.Compare(a.ID, b.ID) })

	ref.Topology = topology(in.Entries, in.DefaultPort)
	ref.Runbook = Runbooks()
	return ref
}

// connectionOf copies what the reference shows of a profile: values as
// written, and of the password only its source.
func connectionOf(e Entry) Connection {
	p := e.Profile
	c := Connection{
		ID: p.ID, File: e.File, KeyPath: p.KeyPath, Name: p.Name, Format: p.Format, Role: roleOf(p),
		Location: locationOf(e), Driver: text(p.Driver), Database: text(p.Database), User: text(p.User),
		Secret: secretSource(p.Password), Hosts: []string{},
		TLS:  TLS{Mode: text(p.TLS.Mode), Key: p.TLS.Key, CA: text(p.TLS.CA)},
		Pool: Pool{MaxOpen: text(p.Pool.MaxOpen), MaxIdle: text(p.Pool.MaxIdle), MaxLifetime: text(p.Pool.MaxLifetime), MaxIdleTime: text(p.Pool.MaxIdleTime)},
		Timeouts: Timeouts{Connect: text(p.Timeouts.Connect), Statement: text(p.Timeouts.Statement),
			IdleInTransaction: text(p.Timeouts.IdleInTransaction)},
		Replicas: text(p.Replicas.Count), Verified: e.Verified,
		VerifyCommand: e.VerifyCommand, RollbackCommand: e.RollbackCommand,
	}
	if c.Replicas != "" && p.Replicas.Source != "" {
		c.Replicas += " (" + p.Replicas.Source + ")"
	}
	if p.Inactive {
		c.Inactive = cmp.Or(p.Reason, "switched off")
	}
	if v, ok := p.Param("sidecars"); ok {
		c.Sidecars = v.Text
	}
	for _, h := range p.Hosts {
		c.Hosts = append(c.Hosts, hostText(h))
	}
	return c
}

func locationOf(e Entry) string {
	loc := e.Profile.FirstHost().Host.Loc
	if loc.Line == 0 {
		return e.File
	}
	loc.File = e.File
	return loc.String()
}

// roleOf tells a client's connection from a pooler's backend definition
// and a server's own settings.
func roleOf(p *profile.Profile) string {
	switch {
	case Pooler(p):
		return "pooler"
	case p.ServerSide:
		return "server"
	}
	return "client"
}

// Pooler reports a pooler's own backend definition (PgBouncer, pgcat,
// Odyssey).
func Pooler(p *profile.Profile) bool {
	switch p.Format {
	case "pgbouncer", "pgcat", "odyssey":
		return true
	}
	return false
}

// secretSource says where the password comes from, never what it is.
func secretSource(pw profile.Password) string {
	switch {
	case !pw.Known:
		return "unknown"
	case !pw.Set:
		return "none"
	case pw.Source == "":
		return "unknown"
	}
	return pw.Source
}

func text(v profile.Value) string {
	if !v.Set {
		return ""
	}
	return v.Text
}

func hostText(h profile.Host) string {
	host := text(h.Host)
	if port := text(h.Port); port != "" && !h.Socket {
		if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") && !strings.Contains(host, "${") {
			host = "[" + host + "]"
		}
		return host + ":" + port
	}
	return host
}

func findingOf(f policy.Finding) Finding {
	return Finding{Rule: f.Rule, Severity: f.Severity.String(), Field: f.Field, Message: f.Message, Location: f.Loc.String(), Help: f.Help}
}

// AcceptedOf is a finding a baseline entry (nil: an inline comment)
// accepted.
func AcceptedOf(f policy.Finding, e *policy.BaselineEntry) Accepted {
	a := Accepted{Finding: findingOf(f), By: "comment"}
	if e != nil {
		a.By, a.Reason, a.Owner = "baseline", e.Reason, e.Owner
	}
	return a
}

func sortFindings(fs []Finding) []Finding {
	if fs == nil {
		return []Finding{}
	}
	slices.SortFunc(fs, compareFinding)
	return fs
}

func compareFinding(a, b Finding) int {
	return cmp.Or(cmp.Compare(severityRank(a.Severity), severityRank(b.Severity)), cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Field, b.Field), cmp.Compare(a.Location, b.Location), cmp.Compare(a.Message, b.Message))
}

// severityRank puts the most severe first.
func severityRank(s string) int {
	sev, err := policy.ParseSeverity(s)
	if err != nil {
		return 0
	}
	return -int(sev)
}

// rulesRun counts the rules that judge a profile of env: enabled, and
// not limited to other environments.
func rulesRun(rules []*policy.Rule, s *policy.Settings, env profile.Environment) int {
	n := 0
	for _, r := range rules {
		rs := s.Rules[r.ID]
		if rs.Disabled || len(rs.Environments) > 0 && !slices.Contains(rs.Environments, env) {
			continue
		}
		n++
	}
	return n
}

// approvals are the review policy's rules that apply to a change in env
// ("" for all of them).
func approvals(pol *config.ReviewConfig, env string) []Approval {
	out := []Approval{}
	if pol == nil {
		return out
	}
	for _, r := range pol.Require {
		if env != "" && len(r.Environments) > 0 && !slices.Contains(r.Environments, env) {
			continue
		}
		a := Approval{Risk: r.Risk, Approvals: r.Approvals, Environments: append([]string{}, r.Environments...),
			Groups: append([]string{}, r.Groups...), Members: []string{}}
		for _, g := range r.Groups {
			ms, _ := pol.GroupMembers(g)
			for _, m := range ms {
				if !slices.Contains(a.Members, m) {
					a.Members = append(a.Members, m)
				}
			}
		}
		slices.Sort(a.Members)
		out = append(out, a)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// sortedEnvironments orders environments as profile.Environments does
// (production first), then any other name.
func sortedEnvironments[V any](m map[string]V) []string {
	rank := func(e string) int {
		if i := slices.Index(profile.Environments, profile.Environment(e)); i >= 0 {
			return i
		}
		return len(profile.Environments)
	}
	keys := sortedKeys(m)
	slices.SortStableFunc(keys, func(a, b string) int { return cmp.Compare(rank(a), rank(b)) })
	return keys
}

// uniqueSlug is a file name for name: lowercase letters, digits, '.',
// '-' and '_', made unique among taken.
func uniqueSlug(name string, taken map[string]bool) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '.' && b.Len() > 0:
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-.")
	if s == "" {
		s = "service"
	}
	slug := s
	for i := 2; taken[slug]; i++ {
		slug = s + "-" + strconv.Itoa(i)
	}
	taken[slug] = true
	return slug
}
