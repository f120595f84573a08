// Package alert is the model of what watch tells people: an alert, its
// state, its evidence (the failing targets, the service's share, the
// recent changes and the likely cause) and the Notifier contract that every
// notifier (webhook, Slack, Alertmanager, PagerDuty, email) implements.
//
// Every value in an Alert is safe to send: changed fields carry old and new
// values as review prints them, secrets masked, and failure details are
// verify's scrubbed details. Notifiers format an Alert; they never read
// profiles or files.
package alert

import (
	"context"
	"fmt"
	"time"
)

// SchemaVersion is the version of the JSON form of Alert, the generic
// webhook's payload (docs/formats.md). It changes only when a member is
// removed or changes meaning.
const SchemaVersion = 1

// State is where an alert is in its life.
type State string

const (
	StatePending  State = "pending"  // the condition holds, its hold time has not passed
	StateFiring   State = "firing"   // notified
	StateResolved State = "resolved" // the condition no longer holds
)

// Rule names the condition that raised an alert.
type Rule string

const (
	RuleTargetDown    Rule = "target_down"    // N consecutive failed probes of a target
	RuleFailureRatio  Rule = "failure_ratio"  // a share of probes over a window failed
	RuleChangeInduced Rule = "change_induced" // a probe right after a change failed; fires at once
	RuleCapacity      Rule = "capacity"       // connections above a share of max_connections
	RuleCertExpiring  Rule = "cert_expiring"  // the server certificate expires soon
	RuleAuditWorsened Rule = "audit_worsened" // a scheduled audit found new errors, or more than the one before
)

// Severity orders alerts for routing and paging.
type Severity string

const (
	SeverityCritical Severity = "critical"
	SeverityWarning  Severity = "warning"
	SeverityInfo     Severity = "info"
)

// Alert is one alert at one moment: what fails, at which stage and class,
// since when, what share of the service's targets, which change came just
// before it and which field of that change explains it, and the commands
// that roll it back and prove the result.
type Alert struct {
	SchemaVersion int `json:"schema_version"`
	// Key identifies the alert across its notifications (pending, firing,
	// repeats, resolved): the rule, service, environment and class group.
	// It is PagerDuty's dedup key and the base of Alertmanager's labels.
	Key         string    `json:"key"`
	Rule        Rule      `json:"rule"`
	State       State     `json:"state"`
	Severity    Severity  `json:"severity"`
	Summary     string    `json:"summary"`
	Service     string    `json:"service"`
	Environment string    `json:"environment"`
	Stage       string    `json:"stage,omitempty"`
	Class       string    `json:"class,omitempty"`
	StartsAt    time.Time `json:"starts_at"`        // the first failed probe
	EndsAt      time.Time `json:"ends_at,omitzero"` // set when resolved
	UpdatedAt   time.Time `json:"updated_at"`       // this notification
	Share       Share     `json:"share"`
	Targets     []Target  `json:"targets"`           // the failing targets
	Changes     []Change  `json:"changes,omitempty"` // recent changes to them, newest first
	Cause       *Cause    `json:"likely_cause,omitempty"`
	// NoCause says, when no recorded change explains the failure, that
	// none does and which stage failed, so a network fault is not blamed
	// on configuration and the reverse.
	NoCause string `json:"no_change_explains,omitempty"`
	// Verify is the command that proves the targets' settings.
	Verify string `json:"verify,omitempty"`
}

// Share is how many of a service's targets fail: the postmortem's "30% of
// users".
type Share struct {
	Failing int `json:"failing"`
	Total   int `json:"total"`
}

// Percent is the failing share rounded to a whole percent.
func (s Share) Percent() int {
	if s.Total == 0 {
		return 0
	}
	return (s.Failing*100 + s.Total/2) / s.Total
}

// Describe says the share in words: "1 of 3 targets of orders failing, 33%".
func (s Share) Describe(service string) string {
	noun := "targets"
	if s.Total == 1 {
		noun = "target"
	}
	return fmt.Sprintf("%d of %d %s of %s failing, %d%%", s.Failing, s.Total, noun, service, s.Percent())
}

// Target is one failing profile.
type Target struct {
	Profile      string    `json:"profile"` // the stable key: file path from the repository root and key path
	Name         string    `json:"name,omitempty"`
	File         string    `json:"file"`
	Host         string    `json:"host,omitempty"`
	Port         int       `json:"port,omitempty"`
	Stage        string    `json:"stage"`
	Class        string    `json:"class"`
	Code         string    `json:"code,omitempty"`
	Detail       string    `json:"detail,omitempty"` // scrubbed by verify
	FailingSince time.Time `json:"failing_since"`
	Failures     int       `json:"consecutive_failures"`
}

// Change is a recorded change to a failing target's file.
type Change struct {
	Event       string        `json:"event"` // the store event id
	Time        time.Time     `json:"time"`
	Actor       string        `json:"actor,omitempty"`
	File        string        `json:"file"`
	Profile     string        `json:"profile,omitempty"`
	Revision    string        `json:"revision,omitempty"`
	Fingerprint string        `json:"fingerprint,omitempty"`
	Fields      []FieldChange `json:"fields"`
}

// FieldChange is one field of a change, as review prints it: a secret's
// old and new values are masked before they reach this struct.
type FieldChange struct {
	Field  string `json:"field"`
	Old    string `json:"old"`
	New    string `json:"new"`
	Secret bool   `json:"secret,omitempty"`
}

// Cause is the change whose field explains the failing class (auth_failed
// and a changed password, tcp_refused and a changed port, ...), with how
// to undo it.
type Cause struct {
	Change Change      `json:"change"`
	Field  FieldChange `json:"field"`
	// Rollback is the dbguard rollback command that restores the last
	// verified-good revision. When watch may not write the file (a mounted
	// ConfigMap), Rollback is empty and Git lists the commands that restore
	// the revision in the repository instead.
	Rollback string   `json:"rollback,omitempty"`
	Git      []string `json:"git,omitempty"`
}

// Notifier delivers alerts somewhere. Notify must honour ctx (watch bounds
// every delivery with a timeout) and return an error that says what failed
// without quoting a secret (a webhook URL with a token is a secret).
// Notify may be called concurrently for different alerts.
type Notifier interface {
	// Name is the notifier's name from the watch: section, for logs and
	// the notifier metrics.
	Name() string
	Notify(ctx context.Context, a Alert) error
}
