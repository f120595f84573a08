package review

import (
	"slices"
	"sort"
	"strings"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/diff"
)

// Approval is one reviewer's approval of the change.
type Approval struct {
	User string
	// Verified is set when the forge reported the approval; approvals
	// given with --approved-by are taken on trust and marked unverified.
	Verified bool
	// Source is "github", "gitlab" or "command line".
	Source string
	// Commit is the commit a GitHub review approved, when the forge says.
	Commit string
	// Stale is set when the approval was given to a commit whose change
	// means something else (another fingerprint); it does not count.
	Stale bool
}

// Requirement is one policy rule that applies to the change and how far it
// is met.
type Requirement struct {
	Risk         diff.Risk
	Environments []string
	Approvals    int
	Groups       []string
	// Members are who may approve for this rule; empty means anyone.
	Members []string
	// Because lists the changes that trigger the rule (profile field).
	Because []string
	// ApprovedBy are the approvers that count for it.
	ApprovedBy []string
	Missing    int
}

// Require evaluates the review policy against a diff and the approvals
// given. A nil policy requires nothing.
func Require(pol *config.ReviewConfig, res *diff.Result, approvals []Approval) []Requirement {
	if pol == nil {
		return nil
	}
	var out []Requirement
	for _, rule := range pol.Require {
		min, err := diff.ParseRisk(rule.Risk)
		if err != nil {
			continue
		}
		var because []string
		for _, c := range res.Changes {
			if c.Risk < min || c.Risk == diff.None {
				continue
			}
			if len(rule.Environments) > 0 && !slices.Contains(rule.Environments, string(c.Environment)) {
				continue
			}
			because = append(because, c.Profile+" "+c.Field)
		}
		if len(because) == 0 {
			continue
		}
		req := Requirement{Risk: min, Environments: rule.Environments, Approvals: rule.Approvals, Groups: rule.Groups, Because: dedupe(because)}
		members := map[string]bool{}
		for _, g := range rule.Groups {
			ms, _ := pol.GroupMembers(g)
			for _, m := range ms {
				members[strings.ToLower(m)] = true
				req.Members = append(req.Members, m)
			}
		}
		req.Members = dedupe(req.Members)
		seen := map[string]bool{}
		for _, a := range approvals {
			u := strings.ToLower(a.User)
			if a.Stale || seen[u] || len(members) > 0 && !members[u] {
				continue
			}
			seen[u] = true
			req.ApprovedBy = append(req.ApprovedBy, a.User)
		}
		req.Missing = max(0, rule.Approvals-len(req.ApprovedBy))
		out = append(out, req)
	}
	return out
}

// Missing reports whether any requirement lacks approvals.
func Missing(reqs []Requirement) bool {
	for _, r := range reqs {
		if r.Missing > 0 {
			return true
		}
	}
	return false
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// ParseApprovedBy reads --approved-by alice,bob.
func ParseApprovedBy(list []string) []Approval {
	var out []Approval
	for _, item := range list {
		for _, u := range strings.Split(item, ",") {
			if u = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(u), "@")); u != "" {
				out = append(out, Approval{User: u, Source: "command line"})
			}
		}
	}
	return out
}
