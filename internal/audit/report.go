package audit

import (
	"cmp"
	"slices"
	"time"

	"github.com/dbguard/dbguard/internal/policy"
)

// SchemaVersion is the version of the audit's JSON report and of the body
// of its audit event.
const SchemaVersion = 1

// Sections of the report a finding belongs to.
const (
	SectionCheck    = "check"
	SectionDrift    = "drift"
	SectionFleet    = "fleet"
	SectionLive     = "live"
	SectionCapacity = "capacity"
)

// Finding is one verdict of the audit. Server and Service group it in the
// report; Key identifies it across audits for the trend.
type Finding struct {
	Section  string          `json:"section"`
	Rule     string          `json:"rule"`
	Severity policy.Severity `json:"severity"`
	Message  string          `json:"message"`
	Server   string          `json:"server,omitempty"`
	Service  string          `json:"service,omitempty"`
	Profile  string          `json:"profile,omitempty"`
	Field    string          `json:"field,omitempty"`
	Location string          `json:"location,omitempty"`
	// Remediation and Help (the rule's page, relative to the repository
	// root) say what to do.
	Remediation string `json:"remediation,omitempty"`
	Help        string `json:"help"`
	Key         string `json:"key"`
}

// newFinding fills a finding's severity, remediation and page from its
// audit rule.
func newFinding(section, rule, server, key, msg string) Finding {
	r, _ := LookupRule(rule)
	return Finding{Section: section, Rule: rule, Severity: r.Severity, Message: msg, Server: server,
		Remediation: r.Remediation, Help: policy.HelpPath(rule), Key: rule + "|" + server + "|" + key}
}

// Accepted is a finding a baseline accepts, with the baseline's reason and
// owner when it states them.
type Accepted struct {
	Finding Finding `json:"finding"`
	Reason  string  `json:"reason,omitempty"`
	Owner   string  `json:"owner,omitempty"`
}

// Report is one audit.
type Report struct {
	SchemaVersion int       `json:"schema_version"`
	Time          time.Time `json:"time"`
	Summary       Summary   `json:"summary"`
	Findings      []Finding `json:"findings"`
	// Accepted are the findings a baseline or a dbguard:ignore comment
	// accepted: listed, not counted.
	Accepted []Accepted  `json:"accepted"`
	Drift    DriftReport `json:"drift"`
	Fleet    []FleetDiff `json:"fleet"`
	Servers  []Server    `json:"servers"`
	Capacity []Capacity  `json:"capacity"`
	Trend    Trend       `json:"trend"`
	// Event is the sequence number of the stored audit event, 0 when it
	// was not stored (StoreNote says why).
	Event     int64  `json:"event,omitempty"`
	StoreNote string `json:"store_note,omitempty"`
}

// Summary counts the findings.
type Summary struct {
	Profiles int `json:"profiles"`
	Files    int `json:"files"`
	Servers  int `json:"servers"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Infos    int `json:"infos"`
	Accepted int `json:"accepted"`
	New      int `json:"new"`
	Fixed    int `json:"fixed"`
	Open     int `json:"still_open"`
}

// Count is the number of findings at or above sev.
func (r *Report) Count(sev policy.Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity >= sev {
			n++
		}
	}
	return n
}

// Finish sorts the findings by server, service, severity (most severe
// first) and rule, and counts them.
func (r *Report) Finish() {
	r.SchemaVersion = SchemaVersion
	slices.SortStableFunc(r.Findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Server, b.Server), cmp.Compare(a.Service, b.Service),
			cmp.Compare(b.Severity, a.Severity), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Key, b.Key))
	})
	s := &r.Summary
	s.Errors, s.Warnings, s.Infos = 0, 0, 0
	for _, f := range r.Findings {
		switch f.Severity {
		case policy.Error:
			s.Errors++
		case policy.Warning:
			s.Warnings++
		default:
			s.Infos++
		}
	}
	s.Servers = len(r.Servers)
	s.Accepted = len(r.Accepted)
	s.New, s.Fixed, s.Open = len(r.Trend.New), len(r.Trend.Fixed), len(r.Trend.Open)
}

// Group is the findings of one server and service, in report order.
type Group struct {
	Server, Service string
	Findings        []Finding
}

// Groups splits the (finished) findings by server and service.
func (r *Report) Groups() []Group {
	var out []Group
	for _, f := range r.Findings {
		if n := len(out); n > 0 && out[n-1].Server == f.Server && out[n-1].Service == f.Service {
			out[n-1].Findings = append(out[n-1].Findings, f)
			continue
		}
		out = append(out, Group{Server: f.Server, Service: f.Service, Findings: []Finding{f}})
	}
	return out
}
