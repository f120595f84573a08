package incident

import (
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/store"
)

// Status is where an incident is in its life.
type Status string

const (
	// StatusOpen: at least one of its alerts is firing.
	StatusOpen Status = "open"
	// StatusRecovering: every alert resolved, the hold time not yet over;
	// a firing alert of the same service and class joins it again.
	StatusRecovering Status = "recovering"
	// StatusResolved: its alerts stayed resolved for the hold time.
	StatusResolved Status = "resolved"
)

// Incident is one projection of the log: what failed, from when to when,
// what came before it and what was done, with what people added.
type Incident struct {
	ID          string
	Status      Status
	Service     string
	Environment string
	Class       string
	Stage       string
	// Severity is the highest severity of its alerts.
	Severity alert.Severity
	// Opened is the alert event that opened it.
	Opened int64

	// Start is the first failed probe (the alerts' starts_at and their
	// targets' failing_since); Fired the first firing alert; CauseAt when
	// an alert first named the likely cause; Mitigated the first rollback
	// or fix of its files after Start; Recovered when its last alert
	// resolved (every target succeeding again); Resolved when the hold
	// after Recovered ended. Zero when it has not happened.
	Start, Fired, CauseAt, Mitigated, Recovered, Resolved time.Time
	// Mitigation says what mitigated it: WhatRollback or WhatFix (a
	// recorded change of its files).
	Mitigation What

	Alerts  []AlertState
	Share   alert.Share // the worst share of its alerts
	Targets []TargetSpan
	Cause   *alert.Cause
	// NoCause is what the alert said when no recorded change explains the
	// failure.
	NoCause string
	Verify  string
	// Change is the change that preceded it, nil when none is recorded
	// within the lookback.
	Change *ChangeRef

	// What people set (incident set), the latest value of each.
	Human Human
	Notes []Note
	// Actions are its action items, in the order they were added.
	Actions  []ActionItem
	Timeline []Entry
	// Files are the files of its targets, what other events attach by.
	Files []string

	firstFailure string // the timeline's text for Start
}

// AlertState is one alert of an incident, as its last event left it.
type AlertState struct {
	Key      string
	Rule     alert.Rule
	Severity alert.Severity
	State    alert.State
	StartsAt time.Time
	EndsAt   time.Time
	Share    alert.Share
}

// TargetSpan is one target that failed during the incident and for how
// long: Until is zero while it still fails.
type TargetSpan struct {
	Profile      string
	Name         string
	File         string
	Stage        string
	Class        string
	Code         string
	Detail       string
	FailingSince time.Time
	Until        time.Time
	alertKey     string
}

// Failed is how long the target failed, up to now when it still fails.
func (t TargetSpan) Failed(now time.Time) time.Duration {
	end := t.Until
	if end.IsZero() {
		end = now
	}
	if end.Before(t.FailingSince) {
		return 0
	}
	return end.Sub(t.FailingSince)
}

// ChangeRef is the recorded change that preceded an incident, with what
// the log says about how it was made.
type ChangeRef struct {
	Seq         int64
	ID          string
	Time        time.Time
	Actor       store.Actor
	File        string
	Revision    string
	Previous    string
	Fingerprint string
	Risk        string
	Fields      []store.FieldChange
	// CauseField is the field the alert named, when it named this change.
	CauseField *alert.FieldChange
	// Approvals are the approvals of its fingerprint recorded before the
	// first failure.
	Approvals []Approval
	// Verified is the first verification of its file recorded after the
	// change and before the first failure, nil when none ran.
	Verified *Verification
}

// Approval is an approval event of a change's fingerprint.
type Approval struct {
	Seq  int64
	Time time.Time
	By   string
	// Actor is who recorded it: approvals are unverified names.
	Actor store.Actor
}

// Verification is a verification event.
type Verification struct {
	Seq     int64
	Time    time.Time
	Profile string
	OK      bool
	Stage   string
	Class   string
}

// Human is what people set on an incident.
type Human struct {
	Severity, Impact, RootCause, Owner string
}

// Note is a note on an incident.
type Note struct {
	Seq   int64
	At    time.Time
	Actor store.Actor
	Text  string
}

// ActionItem is an action item and its state.
type ActionItem struct {
	ID       string
	Incident string
	Seq      int64
	Added    time.Time
	Actor    store.Actor
	Text     string
	Owner    string
	Due      time.Time // a date: midnight UTC of the due day
	Done     time.Time // zero while open
	DoneBy   store.Actor
}

// Open reports whether the item is not done.
func (a ActionItem) Open() bool { return a.Done.IsZero() }

// Overdue reports whether the item is open and its due day ended before
// now, in zone (a team's day ends at its own midnight).
func (a ActionItem) Overdue(now time.Time, zone *time.Location) bool {
	if !a.Open() || a.Due.IsZero() {
		return false
	}
	if zone == nil {
		zone = time.UTC
	}
	y, m, d := a.Due.Date()
	end := time.Date(y, m, d+1, 0, 0, 0, 0, zone)
	return !now.Before(end)
}

// Entry is one line of an incident's timeline.
type Entry struct {
	At   time.Time
	What What
	Text string
	// Seq is the event it comes from (0 for a moment read from inside an
	// alert, such as the first failed probe).
	Seq   int64
	Actor string
}

// What names a timeline entry.
type What string

// Timeline entries.
const (
	WhatChange       What = "change"
	WhatApproval     What = "approval"
	WhatVerification What = "verification"
	WhatFirstFailure What = "first_failure"
	WhatAlertFired   What = "alert_fired"
	WhatCauseNamed   What = "cause_named"
	WhatNotification What = "notification"
	WhatRollback     What = "rollback"
	WhatFix          What = "fix"
	WhatRecovered    What = "recovered"
	WhatAlertResolve What = "alert_resolved"
	WhatResolved     What = "resolved"
	WhatNote         What = "note"
	WhatSet          What = "set"
	WhatActionItem   What = "action_item"
)
