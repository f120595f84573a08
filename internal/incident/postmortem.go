package incident

import (
	"fmt"
	"strings"
	"time"
)

// Postmortem is the draft of an incident's postmortem: the seed's
// structure (summary, timeline, root cause and resolution, measures,
// tasks), every fact from the events, and what needs people marked as
// such. Renderers write its times in one zone.
type Postmortem struct {
	Incident  *Incident
	Durations Durations
	// Measures are the corrective and preventive measures the events
	// support; none is proposed without evidence.
	Measures []Measure
	// Judgement lists the sections only people can write, by name, with
	// what to write there; a renderer marks them.
	Judgement []Judgement
	// Unexamined says what the draft could not look at and why (the
	// store key missing for an encrypted revision, say), so that an
	// absent measure is not read as an absent gap.
	Unexamined []string
	// Now is when the draft was made: open action items are judged
	// overdue against it.
	Now time.Time
}

// Measure is a corrective or preventive measure and the events that
// support it.
type Measure struct {
	ID       string
	Finding  string // what the incident shows
	Proposal string // what to do about it
	Events   []int64
}

// Judgement is a section that needs human judgement.
type Judgement struct {
	Section string
	Ask     string
}

// Judgement sections.
const (
	SectionImpact    = "impact"
	SectionSeverity  = "severity"
	SectionRootCause = "root_cause"
	SectionOwner     = "owner"
	SectionLessons   = "lessons"
)

// Draft drafts the postmortem of inc at now.
func Draft(inc *Incident, now time.Time) *Postmortem {
	pm := &Postmortem{Incident: inc, Durations: Measured(inc, now), Now: now}
	pm.Measures = measures(inc)
	h := inc.Human
	if h.Impact == "" {
		pm.Judgement = append(pm.Judgement, Judgement{SectionImpact, "who could not do what, and the cost: the store knows only the share of targets that failed"})
	}
	if h.Severity == "" {
		pm.Judgement = append(pm.Judgement, Judgement{SectionSeverity, "the severity (dbguard incident set ID --severity SEV1)"})
	}
	if h.RootCause == "" {
		pm.Judgement = append(pm.Judgement, Judgement{SectionRootCause, "why the change was made and why it was wrong: the store knows what changed, not why"})
	}
	if h.Owner == "" {
		pm.Judgement = append(pm.Judgement, Judgement{SectionOwner, "who owns this postmortem (dbguard incident set ID --owner NAME)"})
	}
	pm.Judgement = append(pm.Judgement, Judgement{SectionLessons, "what went well, what went wrong, where the team was lucky"})
	return pm
}

// NeedsJudgement reports whether a section is still for people to write.
func (pm *Postmortem) NeedsJudgement(section string) bool {
	for _, j := range pm.Judgement {
		if j.Section == section {
			return true
		}
	}
	return false
}

// measures proposes what the incident's events show, and nothing else.
func measures(inc *Incident) []Measure {
	var out []Measure
	c := inc.Change
	if c != nil && c.Verified == nil {
		out = append(out, Measure{ID: "verify-in-pipeline",
			Finding:  fmt.Sprintf("the change to %s was merged without verify in its pipeline: no verification of the file was recorded between the change and the first failed probe", c.File),
			Proposal: "run `dbguard verify --record` on the changed files in the deploy pipeline, before the change serves traffic",
			Events:   []int64{c.Seq}})
	}
	if c != nil && c.Verified != nil && !c.Verified.OK {
		out = append(out, Measure{ID: "failed-verification-shipped",
			Finding:  fmt.Sprintf("a verification of %s failed after the change (at stage %s, %s) and the change still went live", c.Verified.Profile, c.Verified.Stage, c.Verified.Class),
			Proposal: "make a failed `dbguard verify` stop the deploy pipeline (exit code 1)",
			Events:   []int64{c.Seq, c.Verified.Seq}})
	}
	if c != nil && c.Fingerprint != "" && len(c.Approvals) == 0 {
		out = append(out, Measure{ID: "approval-required",
			Finding:  fmt.Sprintf("the change (fingerprint %s, risk %s) had no approval recorded before the first failed probe", c.Fingerprint, orUnknown(c.Risk)),
			Proposal: "require approvals for this risk and environment in dbguard.yaml's review section, and run `dbguard review` on pull requests",
			Events:   []int64{c.Seq}})
	}
	if c != nil && inc.Cause == nil {
		out = append(out, Measure{ID: "alert-named-no-cause",
			Finding:  fmt.Sprintf("the alerts named no likely cause although a change of %s preceded the failure (%s)", c.File, fieldsText(c.Fields)),
			Proposal: fmt.Sprintf("teach watch's correlation that class %s can follow a change of these fields", orUnknown(inc.Class)),
			Events:   []int64{c.Seq, inc.Opened}})
	}
	if inc.Cause != nil && (inc.Cause.Rollback != "" || len(inc.Cause.Git) > 0) && inc.Mitigation == WhatFix {
		out = append(out, Measure{ID: "rollback-offered-not-used",
			Finding:  "the alert named the cause and a rollback, and the incident was mitigated by another change",
			Proposal: "use the rollback the alert names first, and fix forward once the service is back",
			Events:   []int64{inc.Opened}})
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// CheckVerdict is what dbguard check said, in the revision the incident's
// change produced, about one field that change touched: the rules that
// raised a finding on it (none: no rule covers it).
type CheckVerdict struct {
	KeyPath string
	Field   string
	Rules   []string
	// Severity is the highest severity of those findings.
	Severity string
}

// AddCheckVerdicts proposes the measures check's verdicts on the changed
// fields support: a field no rule covers, or a field check flagged and
// that still shipped. Secrets are left out: no rule can know a password
// is wrong; verify does.
func (pm *Postmortem) AddCheckVerdicts(verdicts []CheckVerdict) {
	c := pm.Incident.Change
	if c == nil {
		return
	}
	for _, v := range verdicts {
		where := fmt.Sprintf("%s of %s#%s", v.Field, c.File, v.KeyPath)
		if len(v.Rules) == 0 {
			pm.Measures = append(pm.Measures, Measure{ID: "no-check-rule",
				Finding:  fmt.Sprintf("no check rule covers %s: dbguard check raises nothing about it in the revision that failed (%s)", where, short(c.Revision)),
				Proposal: fmt.Sprintf("add a custom rule (dbguard.yaml rules.custom, CEL) that pins %s for %s, or describe the server in the inventory section so that check compares the client with it", v.Field, orUnknown(pm.Incident.Environment)),
				Events:   []int64{c.Seq}})
			continue
		}
		pm.Measures = append(pm.Measures, Measure{ID: "check-not-gating",
			Finding:  fmt.Sprintf("%s %s in the revision that failed (%s, at %s), and the change still shipped", rulesFlag(v.Rules), where, short(c.Revision), v.Severity),
			Proposal: fmt.Sprintf("run dbguard check on pull requests with --fail-on %s (or stricter) as a required status", v.Severity),
			Events:   []int64{c.Seq}})
	}
}

func rulesFlag(rules []string) string {
	if len(rules) == 1 {
		return "the check rule " + rules[0] + " flags"
	}
	return "the check rules " + strings.Join(rules, ", ") + " flag"
}
