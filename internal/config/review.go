package config

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// ReviewConfig is the review section: who must approve a change of
// connection settings, by the change's risk and environment. dbguard review
// reads it from the base revision, never from the change under review, so
// that a pull request cannot relax its own policy.
type ReviewConfig struct {
	// Groups are named lists of reviewers (forge user names), like
	// CODEOWNERS teams.
	Groups []ReviewGroup
	// Require lists the approvals needed; every rule that applies to a
	// change must be satisfied.
	Require []ReviewRule
	// AcceptStoreApprovals counts the approvals recorded in the event
	// store (dbguard approve) for the change's fingerprint besides the
	// forge's. Off by default: anyone with access to the store could
	// type any name, so such an approval is unverified.
	AcceptStoreApprovals    bool
	AcceptStoreApprovalsPos Position
	Pos                     Position
}

// ReviewGroup is a named set of reviewers.
type ReviewGroup struct {
	Name    string
	Members []string
	Pos     Position
}

// ReviewRule requires Approvals distinct approvals from members of Groups
// (from anyone when Groups is empty) for any change at or above Risk in one
// of Environments (any environment when empty).
type ReviewRule struct {
	Risk            string // low, medium, high, critical
	RiskPos         Position
	Environments    []string
	EnvironmentsPos Position
	Approvals       int
	ApprovalsPos    Position
	Groups          []string
	GroupsPos       Position
	Pos             Position
}

// ReviewSettings returns the review section, or nil when the file has none.
func (c *Config) ReviewSettings() *ReviewConfig {
	if c == nil {
		return nil
	}
	return c.Review
}

// StoreApprovals reports whether review counts the approvals recorded in
// the event store.
func (r *ReviewConfig) StoreApprovals() bool { return r != nil && r.AcceptStoreApprovals }

// GroupMembers returns the members of a group.
func (r *ReviewConfig) GroupMembers(name string) ([]string, bool) {
	if r == nil {
		return nil, false
	}
	for _, g := range r.Groups {
		if g.Name == name {
			return g.Members, true
		}
	}
	return nil, false
}

func riskNames() []string { return []string{"low", "medium", "high", "critical"} }

func decodeReview(d *decoder, n *yaml.Node, c *Config) {
	r := &ReviewConfig{Pos: d.pos(resolve(n))}
	if isNull(resolve(n)) {
		c.Review = r
		return
	}
	ok := d.mapping(n, "review", []field{
		{name: "groups", decode: func(v *yaml.Node) { r.Groups = decodeReviewGroups(d, v) }},
		{name: "accept_store_approvals", decode: func(v *yaml.Node) {
			r.AcceptStoreApprovals, _ = d.boolean(v, "review.accept_store_approvals")
			r.AcceptStoreApprovalsPos = d.pos(resolve(v))
		}},
		{name: "require", decode: func(v *yaml.Node) {
			d.list(v, "review.require", func(i int, item *yaml.Node) {
				name := at("review.require", i)
				rule := ReviewRule{Pos: d.pos(item)}
				if d.mapping(item, name, []field{
					{name: "risk", required: true, decode: func(v *yaml.Node) {
						rule.Risk, _ = d.str(v, name+".risk")
						rule.RiskPos = d.pos(resolve(v))
					}},
					{name: "environments", decode: func(v *yaml.Node) {
						rule.Environments = d.strs(v, name+".environments")
						rule.EnvironmentsPos = d.pos(resolve(v))
					}},
					{name: "approvals", required: true, decode: func(v *yaml.Node) {
						rule.Approvals, _ = d.integer(v, name+".approvals")
						rule.ApprovalsPos = d.pos(resolve(v))
					}},
					{name: "groups", decode: func(v *yaml.Node) {
						rule.Groups = d.strs(v, name+".groups")
						rule.GroupsPos = d.pos(resolve(v))
					}},
				}) {
					r.Require = append(r.Require, rule)
				}
			})
		}},
	})
	if ok {
		c.Review = r
	}
}

// decodeReviewGroups reads a mapping of group name to member list. Its keys
// are the user's own names, so it is walked here rather than by mapping,
// which knows only fixed keys.
func decodeReviewGroups(d *decoder, v *yaml.Node) []ReviewGroup {
	v = resolve(v)
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		d.errorf(v, "review.groups must be a mapping of group name to members, got %s", describe(v))
		return nil
	}
	var out []ReviewGroup
	seen := map[string]int{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		key, ok := d.key(k)
		if !ok {
			continue
		}
		if line, dup := seen[key]; dup {
			d.errorf(k, "duplicate key %q in review.groups (first at line %d)", key, line)
			continue
		}
		seen[key] = k.Line
		out = append(out, ReviewGroup{Name: key, Members: d.strs(val, "review.groups."+key), Pos: d.pos(k)})
	}
	return out
}

func validateReview(c *Config, p *problems) {
	r := c.Review
	if r == nil {
		return
	}
	for _, g := range r.Groups {
		if len(g.Members) == 0 {
			p.add(g.Pos, "review.groups.%s must list at least one member", g.Name)
		}
		seen := map[string]bool{}
		for _, m := range g.Members {
			if strings.TrimSpace(m) == "" || strings.ContainsAny(m, " \t,") {
				p.add(g.Pos, "review.groups.%s member %q is not a user name", g.Name, m)
			}
			if seen[strings.ToLower(m)] {
				p.add(g.Pos, "review.groups.%s lists %q twice", g.Name, m)
			}
			seen[strings.ToLower(m)] = true
		}
	}
	for i, rule := range r.Require {
		name := at("review.require", i)
		if rule.RiskPos.Line > 0 && !slices.Contains(riskNames(), rule.Risk) {
			p.add(rule.RiskPos, "unknown risk %q in %s (known: %s)", rule.Risk, name, strings.Join(riskNames(), ", "))
		}
		for _, e := range rule.Environments {
			if !slices.Contains(environmentNames(), e) && e != "unknown" {
				p.add(rule.EnvironmentsPos, "unknown environment %q in %s.environments (known: %s, unknown)", e, name, strings.Join(environmentNames(), ", "))
			}
		}
		if rule.ApprovalsPos.Line > 0 && rule.Approvals < 1 {
			p.add(rule.ApprovalsPos, "%s.approvals must be at least 1, got %d", name, rule.Approvals)
		}
		members := 0
		for _, g := range rule.Groups {
			ms, ok := r.GroupMembers(g)
			if !ok {
				var known []string
				for _, kg := range r.Groups {
					known = append(known, kg.Name)
				}
				p.add(rule.GroupsPos, "%s.groups names %q, which review.groups does not define (defined: %s)", name, g, strings.Join(known, ", "))
				continue
			}
			members += len(ms)
		}
		if len(rule.Groups) > 0 && members > 0 && rule.Approvals > members {
			p.add(rule.ApprovalsPos, "%s.approvals %d can never be met: its groups have %d member(s)", name, rule.Approvals, members)
		}
	}
}
