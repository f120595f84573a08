package incident_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/incident"
	"github.com/dbguard/dbguard/internal/incident/incidenttest"
	"github.com/dbguard/dbguard/internal/store"
)

// sequenced numbers events as the store would.
func sequenced(evs []store.Event) []store.Event {
	for i := range evs {
		evs[i].Seq = int64(i + 1)
	}
	return evs
}

func alertEvent(id string, a alert.Alert) store.Event {
	return store.Event{ID: id, Time: a.UpdatedAt, Kind: incident.KindAlert, Actor: store.Actor{Name: "watch", Origin: "os"}, Body: incidenttest.AlertBody(a)}
}

var t0 = time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)

// firingAt is a firing alert of service svc and class, failing since
// start, notified at at.
func firingAt(svc, class string, rule alert.Rule, start, at time.Time) alert.Alert {
	return alert.Alert{SchemaVersion: 1, Key: fmt.Sprintf("%s/%s/%s", rule, svc, class), Rule: rule, State: alert.StateFiring,
		Severity: alert.SeverityCritical, Service: svc, Environment: "production", Stage: "tcp", Class: class,
		StartsAt: start, UpdatedAt: at, Share: alert.Share{Failing: 1, Total: 2},
		Targets: []alert.Target{{Profile: "deploy/" + svc + ".yaml#db", File: "deploy/" + svc + ".yaml", Stage: "tcp", Class: class, FailingSince: start}}}
}

func resolvedAt(a alert.Alert, end, at time.Time) alert.Alert {
	a.State, a.EndsAt, a.UpdatedAt, a.Targets = alert.StateResolved, end, at, nil
	return a
}

func d(s string) time.Duration {
	v, err := time.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestOutageProjection(t *testing.T) {
	p := incident.Project(sequenced(incidenttest.Events()), incident.Options{Now: incidenttest.Now})
	if len(p.Incidents) != 1 || p.Unread != 0 {
		t.Fatalf("%d incidents, %d unread; want 1, 0", len(p.Incidents), p.Unread)
	}
	inc := p.Incidents[0]
	if inc.ID != incidenttest.IncidentID || inc.Status != incident.StatusResolved || len(inc.Alerts) != 2 {
		t.Fatalf("incident %s %s with %d alerts; want %s resolved with the two alerts joined", inc.ID, inc.Status, len(inc.Alerts), incidenttest.IncidentID)
	}
	for name, c := range map[string]struct{ got, want time.Time }{
		"start":     {inc.Start, incidenttest.FirstFail},
		"fired":     {inc.Fired, incidenttest.Fired},
		"cause":     {inc.CauseAt, incidenttest.Fired},
		"mitigated": {inc.Mitigated, incidenttest.RolledBack},
		"recovered": {inc.Recovered, incidenttest.Recovered},
		"resolved":  {inc.Resolved, incidenttest.Resolved},
	} {
		if !c.got.Equal(c.want) {
			t.Errorf("%s = %s, want %s", name, c.got, c.want)
		}
	}
	du := incident.Measured(inc, incidenttest.Now)
	for name, c := range map[string]struct {
		got  *time.Duration
		want time.Duration
	}{
		"detect":          {du.Detect, incidenttest.Fired.Sub(incidenttest.FirstFail)},
		"change to alert": {du.ChangeToAlert, incidenttest.Fired.Sub(incidenttest.Change)},
		"cause":           {du.Cause, 0},
		"mitigate":        {du.Mitigate, incidenttest.RolledBack.Sub(incidenttest.Fired)},
		"recover":         {du.Recover, incidenttest.Recovered.Sub(incidenttest.Fired)},
		"outage":          {du.Outage, incidenttest.Recovered.Sub(incidenttest.FirstFail)},
	} {
		if c.got == nil || *c.got != c.want {
			t.Errorf("%s = %v, want %s", name, c.got, c.want)
		}
	}
	c := inc.Change
	if c == nil || c.Seq != 3 || c.CauseField == nil || c.CauseField.Field != "port" || len(c.Approvals) != 0 || c.Verified != nil {
		t.Fatalf("change = %+v; want event 3, port named, no approval, no verification", c)
	}
	if inc.Mitigation != incident.WhatRollback || inc.Human.Severity != "SEV2" || inc.Human.Owner != "alice" || len(inc.Notes) != 1 {
		t.Errorf("mitigation %s, human %+v, %d notes", inc.Mitigation, inc.Human, len(inc.Notes))
	}
	if len(inc.Actions) != 2 || !inc.Actions[0].Overdue(incidenttest.Now, time.UTC) || inc.Actions[1].Open() {
		t.Errorf("actions = %+v; want the first overdue, the second done", inc.Actions)
	}
	if got := inc.Targets[0].Failed(incidenttest.Now); got != incidenttest.Recovered.Sub(incidenttest.FirstFail) {
		t.Errorf("the target failed for %s", got)
	}
	pm := incident.Draft(inc, incidenttest.Now)
	ids := map[string]bool{}
	for _, m := range pm.Measures {
		ids[m.ID] = true
	}
	if !ids["verify-in-pipeline"] || !ids["approval-required"] || ids["alert-named-no-cause"] || ids["rollback-offered-not-used"] {
		t.Errorf("measures = %v", ids)
	}
	if pm.NeedsJudgement(incident.SectionSeverity) || !pm.NeedsJudgement(incident.SectionImpact) || !pm.NeedsJudgement(incident.SectionRootCause) {
		t.Errorf("judgement = %+v; severity was set, impact and root cause were not", pm.Judgement)
	}
}

// TestHoldJoinsAndResolves: a firing alert within the hold after every
// alert resolved joins the incident; one after the hold opens another,
// and the first is resolved when the hold ended.
func TestHoldJoinsAndResolves(t *testing.T) {
	a := firingAt("orders", "tcp_refused", alert.RuleTargetDown, t0, t0.Add(d("30s")))
	ended := t0.Add(d("10m"))
	evs := sequenced([]store.Event{
		alertEvent("aaaaaaaa01", a),
		alertEvent("aaaaaaaa02", resolvedAt(a, ended, ended.Add(d("10s")))),
		// 2 minutes after the end, within the 5-minute hold: joins.
		alertEvent("aaaaaaaa03", firingAt("orders", "tcp_refused", alert.RuleTargetDown, ended.Add(d("2m")), ended.Add(d("2m30s")))),
		alertEvent("aaaaaaaa04", resolvedAt(a, ended.Add(d("4m")), ended.Add(d("4m10s")))),
		// 6 minutes after that end, past the hold: a new incident.
		alertEvent("bbbbbbbb05", firingAt("orders", "tcp_refused", alert.RuleTargetDown, ended.Add(d("10m")), ended.Add(d("10m30s")))),
	})
	p := incident.Project(evs, incident.Options{Hold: 5 * time.Minute, Now: ended.Add(d("11m"))})
	if len(p.Incidents) != 2 {
		t.Fatalf("%d incidents, want 2", len(p.Incidents))
	}
	first, second := p.Incidents[0], p.Incidents[1]
	if first.ID != "inc-aaaaaaaa" || first.Status != incident.StatusResolved || !first.Recovered.Equal(ended.Add(d("4m"))) || !first.Resolved.Equal(ended.Add(d("9m"))) {
		t.Errorf("first: %s %s recovered %s resolved %s", first.ID, first.Status, first.Recovered, first.Resolved)
	}
	if second.ID != "inc-bbbbbbbb" || second.Status != incident.StatusOpen || !second.Recovered.IsZero() {
		t.Errorf("second: %s %s", second.ID, second.Status)
	}
	// Measured at an instant inside the hold, the first is recovering.
	p = incident.Project(evs[:4], incident.Options{Hold: 5 * time.Minute, Now: ended.Add(d("6m"))})
	if got := p.Incidents[0].Status; got != incident.StatusRecovering {
		t.Errorf("inside the hold: %s, want recovering", got)
	}
	p = incident.Project(evs[:4], incident.Options{Hold: 5 * time.Minute, Now: ended.Add(d("9m"))})
	if got := p.Incidents[0].Status; got != incident.StatusResolved {
		t.Errorf("at the end of the hold: %s, want resolved", got)
	}
}

// TestGroupingByServiceAndClass: alerts of another class or another
// service do not join; another rule of the same service and class does.
func TestGroupingByServiceAndClass(t *testing.T) {
	evs := sequenced([]store.Event{
		alertEvent("c1000000", firingAt("orders", "tcp_refused", alert.RuleTargetDown, t0, t0.Add(d("30s")))),
		alertEvent("c2000000", firingAt("orders", "tcp_refused", alert.RuleFailureRatio, t0, t0.Add(d("40s")))),
		alertEvent("c3000000", firingAt("orders", "auth_failed", alert.RuleTargetDown, t0, t0.Add(d("50s")))),
		alertEvent("c4000000", firingAt("billing", "tcp_refused", alert.RuleTargetDown, t0, t0.Add(d("60s")))),
	})
	p := incident.Project(evs, incident.Options{Now: t0.Add(d("1h"))})
	if len(p.Incidents) != 3 || len(p.Incidents[0].Alerts) != 2 {
		t.Fatalf("%d incidents (first with %d alerts); want 3, the first with 2", len(p.Incidents), len(p.Incidents[0].Alerts))
	}
}

// TestCauseNamedLater: the first firing alert named no cause, a repeat
// named it two minutes later: time to cause is those two minutes.
func TestCauseNamedLater(t *testing.T) {
	a := firingAt("orders", "auth_failed", alert.RuleTargetDown, t0, t0.Add(d("1m")))
	a.NoCause = "no recorded change explains it"
	b := firingAt("orders", "auth_failed", alert.RuleTargetDown, t0, t0.Add(d("3m")))
	b.Cause = &alert.Cause{Change: alert.Change{Event: "nope", File: "deploy/orders.yaml"}, Field: alert.FieldChange{Field: "password", Old: "***", New: "***", Secret: true}}
	p := incident.Project(sequenced([]store.Event{alertEvent("d1000000", a), alertEvent("d2000000", b)}), incident.Options{Now: t0.Add(d("1h"))})
	du := incident.Measured(p.Incidents[0], t0.Add(d("1h")))
	if du.Cause == nil || *du.Cause != 2*time.Minute || du.Detect == nil || *du.Detect != time.Minute || du.Recover != nil {
		t.Errorf("cause %v detect %v recover %v; want 2m, 1m, not yet", du.Cause, du.Detect, du.Recover)
	}
	if du.Outage == nil || *du.Outage != time.Hour {
		t.Errorf("an open incident's outage runs to now: %v", du.Outage)
	}
}

// TestUnreadableAlert: a body of a newer schema (the event's or its
// alert's) is counted, not guessed, and so is an alert written at the top
// level instead of in watch's form.
func TestUnreadableAlert(t *testing.T) {
	for name, body := range map[string]string{
		"newer body":  `{"schema_version": 99, "alert": {"schema_version": 1, "key": "k", "service": "s", "state": "firing"}}`,
		"newer alert": `{"schema_version": 1, "alert": {"schema_version": 99, "key": "k", "service": "s", "state": "firing"}}`,
		"top level":   `{"schema_version": 1, "key": "k", "service": "s", "state": "firing"}`,
	} {
		t.Run(name, func(t *testing.T) {
			e := store.Event{ID: "e1000000", Time: t0, Kind: incident.KindAlert, Body: json.RawMessage(body)}
			p := incident.Project(sequenced([]store.Event{e}), incident.Options{Now: t0})
			if len(p.Incidents) != 0 || p.Unread != 1 {
				t.Errorf("%d incidents, %d unread; want 0, 1", len(p.Incidents), p.Unread)
			}
		})
	}
}

// TestNotifiersInTimeline: the notifiers an alert event names are the
// incident's "notified" entries, at the alert's time.
func TestNotifiersInTimeline(t *testing.T) {
	a := firingAt("orders", "auth_failed", alert.RuleTargetDown, t0, t0.Add(20*time.Second))
	e := alertEvent("n1000000", a)
	e.Body = incidenttest.AlertBody(a, "oncall-webhook", "slack")
	p := incident.Project(sequenced([]store.Event{e}), incident.Options{Now: t0.Add(time.Minute)})
	if len(p.Incidents) != 1 {
		t.Fatalf("%d incidents, want 1", len(p.Incidents))
	}
	var got []string
	for _, en := range p.Incidents[0].Timeline {
		if en.What == incident.WhatNotification {
			got = append(got, en.At.Format(time.TimeOnly)+" "+en.Text)
		}
	}
	want := "10:00:20 alert target_down (firing) sent to oncall-webhook, slack"
	if len(got) != 1 || got[0] != want {
		t.Errorf("notified entries %q, want [%q]", got, want)
	}
}

func TestStats(t *testing.T) {
	mk := func(id string, svc, class string, detect time.Duration, recover time.Duration) []store.Event {
		start := t0
		a := firingAt(svc, class, alert.RuleTargetDown, start, start.Add(detect))
		return []store.Event{alertEvent(id+"1", a), alertEvent(id+"2", resolvedAt(a, start.Add(detect+recover), start.Add(detect+recover)))}
	}
	var evs []store.Event
	evs = append(evs, mk("f1", "orders", "tcp_refused", d("30s"), d("10m"))...)
	evs = append(evs, mk("f2", "billing", "tcp_refused", d("90s"), d("20m"))...)
	evs = append(evs, mk("f3", "orders", "auth_failed", d("10s"), d("1m"))...)
	p := incident.Project(sequenced(evs), incident.Options{Now: t0.Add(d("2h"))})
	groups := incident.Stats(p.Incidents, t0.Add(d("2h")))
	if len(groups) != 3 {
		t.Fatalf("%d groups, want 3 (auth_failed, tcp_refused, all)", len(groups))
	}
	tcp := groups[1]
	if tcp.Class != "tcp_refused" || tcp.Incidents != 2 || *tcp.MTTD != time.Minute || *tcp.MTTR != 15*time.Minute || tcp.MeanTimeToCause != nil {
		t.Errorf("tcp_refused: %+v; want 2 incidents, MTTD 1m, MTTR 15m, no cause named", tcp)
	}
	all := groups[2]
	if all.Environment != "*" || all.Incidents != 3 || *all.MTTD != 43*time.Second { // (30s + 90s + 10s) / 3, to the second
		t.Errorf("all: %+v", all)
	}
}

// TestOverdueInZone: a due day ends at the team's midnight.
func TestOverdueInZone(t *testing.T) {
	lagos, err := time.LoadLocation("Africa/Lagos")
	if err != nil {
		t.Skip(err)
	}
	it := incident.ActionItem{Due: time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)}
	now := time.Date(2024, 3, 15, 23, 30, 0, 0, time.UTC) // 00:30 on the 16th in Lagos
	if !it.Overdue(now, lagos) || it.Overdue(now, time.UTC) {
		t.Errorf("overdue in Lagos %v, in UTC %v; want true, false", it.Overdue(now, lagos), it.Overdue(now, time.UTC))
	}
}

// TestEarlierStartMovesFirstFailure: an alert that joins with an earlier
// first failure moves the incident's start and its one timeline entry.
func TestEarlierStartMovesFirstFailure(t *testing.T) {
	late := firingAt("orders", "tcp_refused", alert.RuleChangeInduced, t0.Add(time.Minute), t0.Add(d("70s")))
	early := firingAt("orders", "tcp_refused", alert.RuleTargetDown, t0, t0.Add(d("90s")))
	early.Targets[0].Profile = "deploy/orders-us.yaml#db"
	p := incident.Project(sequenced([]store.Event{alertEvent("g1000000", late), alertEvent("g2000000", early)}), incident.Options{Now: t0.Add(d("1h"))})
	inc := p.Incidents[0]
	var at []time.Time
	for _, e := range inc.Timeline {
		if e.What == incident.WhatFirstFailure {
			at = append(at, e.At)
		}
	}
	if !inc.Start.Equal(t0) || len(at) != 1 || !at[0].Equal(t0) || len(inc.Targets) != 2 {
		t.Errorf("start %s, first-failure entries at %v, %d targets; want %s once, 2 targets", inc.Start, at, len(inc.Targets), t0)
	}
	if du := incident.Measured(inc, t0.Add(d("1h"))); *du.Detect != d("70s") {
		t.Errorf("detect = %s, want 70s (earliest failure → first alert)", *du.Detect)
	}
}

// TestIDsStayUnique: two opening events whose ids share their first
// eight digits still make two incidents with two ids.
func TestIDsStayUnique(t *testing.T) {
	p := incident.Project(sequenced([]store.Event{
		alertEvent("abcdef0011112222", firingAt("orders", "tcp_refused", alert.RuleTargetDown, t0, t0.Add(d("30s")))),
		alertEvent("abcdef0099998888", firingAt("billing", "tcp_refused", alert.RuleTargetDown, t0, t0.Add(d("30s")))),
	}), incident.Options{Now: t0.Add(d("1h"))})
	if len(p.Incidents) != 2 || p.Incidents[0].ID != "inc-abcdef00" || p.Incidents[1].ID != "inc-abcdef009999" {
		t.Errorf("ids %s, %s", p.Incidents[0].ID, p.Incidents[1].ID)
	}
}
