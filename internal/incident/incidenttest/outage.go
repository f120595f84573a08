// Package incidenttest holds a fixed event history of one outage, the
// seed postmortem's story told in dbguard's events, for the golden tests
// of incidents and postmortems in several packages. The events are
// appended to a real store by the test (store.Append), never handed to
// the code under test by another road.
package incidenttest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/incident"
	"github.com/dbguard/dbguard/internal/store"
)

// The outage: a routine update changes the EU replica's port at 20:55
// UTC; its first probe fails at 21:00; the change-induced alert fires at
// 21:00:30 naming the port and the rollback; a target_down alert of the
// same service and class joins; the rollback at 21:20 brings it back at
// 21:21; the incident resolves after the 5-minute hold.
var (
	Change      = time.Date(2024, 3, 9, 20, 55, 0, 0, time.UTC)
	FirstFail   = time.Date(2024, 3, 9, 21, 0, 0, 0, time.UTC)
	Fired       = time.Date(2024, 3, 9, 21, 0, 30, 0, time.UTC)
	RolledBack  = time.Date(2024, 3, 9, 21, 20, 0, 0, time.UTC)
	Recovered   = time.Date(2024, 3, 9, 21, 21, 0, 0, time.UTC)
	Resolved    = Recovered.Add(5 * time.Minute)
	OverdueItem = "act-7a000001"
	DoneItem    = "act-7a000002"
	// Now is the fixed clock of the golden tests: after the first item's
	// due day, before the second's.
	Now = time.Date(2024, 3, 16, 12, 0, 0, 0, time.UTC)
)

// IncidentID is the id of the incident the history opens.
const IncidentID = "inc-0a1b2c3d"

// Files of the service's three replicas.
const (
	FileEU = "deploy/orders/eu/app.yaml"
	FileUS = "deploy/orders/us/app.yaml"
	FileAP = "deploy/orders/ap/app.yaml"
)

// Fingerprint is the review fingerprint of the update.
const Fingerprint = "v1:0123456789abcdef0123456789abcdef"

func ptr(s string) *string { return &s }

func body(v any) json.RawMessage {
	// The bodies are fixed structs of strings, times and numbers, which
	// json.Marshal cannot fail on.
	b, _ := json.Marshal(v)
	return b
}

// AlertBody is an alert event's body as watch writes it: the alert and
// the notifiers it was handed to.
func AlertBody(a alert.Alert, notifiers ...string) json.RawMessage {
	return body(incident.AlertBody{SchemaVersion: 1, Alert: a, Notifiers: notifiers})
}

func profiles(files ...string) []store.EventProfile {
	var out []store.EventProfile
	for _, f := range files {
		out = append(out, store.EventProfile{ProfileKey: store.ProfileKey{File: f, KeyPath: "database"}, Service: "orders", Env: "production"})
	}
	return out
}

// Alert is the change-induced alert in a given state, as watch writes it.
func Alert(state alert.State, rule alert.Rule, updated time.Time) alert.Alert {
	a := alert.Alert{
		SchemaVersion: alert.SchemaVersion,
		Key:           fmt.Sprintf("%s/orders/production/tcp_refused", rule),
		Rule:          rule, State: state, Severity: alert.SeverityCritical,
		Summary: "orders: connections to the EU replica refused (tcp_refused)",
		Service: "orders", Environment: "production", Stage: "tcp", Class: "tcp_refused",
		StartsAt: FirstFail, UpdatedAt: updated,
		Share:  alert.Share{Failing: 1, Total: 3},
		Verify: "dbguard verify --record deploy/orders/eu/app.yaml",
	}
	if state == alert.StateResolved {
		a.EndsAt = Recovered
		a.Share = alert.Share{Failing: 0, Total: 3}
		return a
	}
	a.Targets = []alert.Target{{Profile: FileEU + "#database", Name: "orders-eu", File: FileEU, Host: "127.0.0.1", Port: 6432,
		Stage: "tcp", Class: "tcp_refused", Code: "ECONNREFUSED", Detail: "dial tcp 127.0.0.1:6432: connect: connection refused",
		FailingSince: FirstFail, Failures: 3}}
	ch := alert.Change{Event: "0c000003000000000000000000000003", Time: Change, Actor: "deploy-bot in acme/orders run 42", File: FileEU,
		Profile: FileEU + "#database", Revision: "r2000000000000000000000000000002", Fingerprint: Fingerprint,
		Fields: []alert.FieldChange{{Field: "port", Old: "5432", New: "6432"}, {Field: "password", Old: "********", New: "********", Secret: true}}}
	a.Changes = []alert.Change{ch}
	if rule == alert.RuleChangeInduced {
		a.Cause = &alert.Cause{Change: ch, Field: ch.Fields[0], Rollback: "dbguard rollback deploy/orders/eu/app.yaml#database"}
	}
	return a
}

// Revision ids of the EU replica's file before and after the update, as
// placeholders (Store replaces them by the ids the store gives).
const (
	RevisionBefore = "r1000000000000000000000000000001"
	RevisionAfter  = "r2000000000000000000000000000002"
)

// Password is the EU replica's password in the recorded revisions: no
// output may show it.
const Password = "Tr0ub4dor&3-orders"

// Revisions are the EU replica's file before and after the update, by
// placeholder id: the update moved the port to PgBouncer's 6432, where
// nothing listens on that host.
func Revisions() map[string]string {
	file := func(port string) string {
		return "environment: production\ndatabase:\n  driver: postgres\n  host: orders-eu.db.internal\n  port: " + port +
			"\n  name: orders\n  user: orders\n  password: '" + Password + "'\n  sslmode: verify-full\n  connect_timeout: 5\n"
	}
	return map[string]string{RevisionBefore: file("5432"), RevisionAfter: file("6432")}
}

// Events is the history, oldest first.
func Events() []store.Event {
	bot := store.Actor{Name: "deploy-bot in acme/orders run 42", Origin: "ci:github"}
	watch := store.Actor{Name: "watch", Origin: "os"}
	alice := store.Actor{Name: "alice@example.com", Origin: "git"}
	bob := store.Actor{Name: "bob@example.com", Origin: "git"}
	return []store.Event{
		{ID: "0c000001000000000000000000000001", Time: Change.Add(-24 * time.Hour), Kind: store.KindChange, Actor: bot, Profiles: profiles(FileEU, FileUS, FileAP),
			Body: body(store.ChangeBody{SchemaVersion: 1, File: FileEU, Revision: "r1000000000000000000000000000001", Baseline: true})},
		{ID: "0c000002000000000000000000000002", Time: Change.Add(-23 * time.Hour), Kind: store.KindVerification, Actor: bot, Profiles: profiles(FileEU),
			Body: body(store.VerificationBody{SchemaVersion: 1, Revision: "r1000000000000000000000000000001", OK: true})},
		{ID: "0c000003000000000000000000000003", Time: Change, Kind: store.KindChange, Actor: bot, Profiles: profiles(FileEU),
			Body: body(store.ChangeBody{SchemaVersion: 1, File: FileEU, Revision: "r2000000000000000000000000000002", Previous: "r1000000000000000000000000000001",
				Fingerprint: Fingerprint, Risk: "high", Changes: []store.FieldChange{
					{KeyPath: "database", Field: "port", Kind: "changed", Old: ptr("5432"), New: ptr("6432"), Risk: "high"},
					{KeyPath: "database", Field: "password", Kind: "changed", New: ptr("changed"), Risk: "high"},
				}})},
		{ID: "0a1b2c3d000000000000000000000004", Time: Fired, Kind: incident.KindAlert, Actor: watch, Profiles: profiles(FileEU),
			Body: AlertBody(Alert(alert.StateFiring, alert.RuleChangeInduced, Fired), "oncall-webhook")},
		{ID: "0e000005000000000000000000000005", Time: Fired.Add(30 * time.Second), Kind: incident.KindNotification, Actor: watch,
			Body: body(incident.NotificationBody{SchemaVersion: 1, AlertKey: "change_induced/orders/production/tcp_refused", State: "firing", Notifier: "oncall-webhook", To: "#orders-oncall", OK: true})},
		{ID: "0b000006000000000000000000000006", Time: Fired.Add(90 * time.Second), Kind: incident.KindAlert, Actor: watch, Profiles: profiles(FileEU),
			Body: AlertBody(Alert(alert.StateFiring, alert.RuleTargetDown, Fired.Add(90*time.Second)))},
		{ID: "0f000007000000000000000000000007", Time: FirstFail.Add(10 * time.Minute), Kind: incident.KindNote, Actor: alice,
			Body: body(incident.NoteBody{SchemaVersion: 1, Incident: IncidentID, Text: "suspected the network first; the network logs were clean", At: FirstFail.Add(5 * time.Minute)})},
		{ID: "0d000008000000000000000000000008", Time: RolledBack, Kind: store.KindRollback, Actor: alice, Profiles: profiles(FileEU),
			Body: body(store.RollbackBody{SchemaVersion: 1, File: FileEU, From: "r2000000000000000000000000000002", To: "r1000000000000000000000000000001"})},
		{ID: "0c000009000000000000000000000009", Time: Recovered, Kind: store.KindVerification, Actor: alice, Profiles: profiles(FileEU),
			Body: body(store.VerificationBody{SchemaVersion: 1, Revision: "r1000000000000000000000000000001", OK: true})},
		{ID: "0a00000a00000000000000000000000a", Time: Recovered.Add(30 * time.Second), Kind: incident.KindAlert, Actor: watch, Profiles: profiles(FileEU),
			Body: AlertBody(Alert(alert.StateResolved, alert.RuleChangeInduced, Recovered.Add(30*time.Second)), "oncall-webhook")},
		{ID: "0b00000b00000000000000000000000b", Time: Recovered.Add(60 * time.Second), Kind: incident.KindAlert, Actor: watch, Profiles: profiles(FileEU),
			Body: AlertBody(Alert(alert.StateResolved, alert.RuleTargetDown, Recovered.Add(60*time.Second)))},
		{ID: "0f00000c00000000000000000000000c", Time: Resolved.Add(10 * time.Minute), Kind: incident.KindIncident, Actor: alice,
			Body: body(incident.SetBody{SchemaVersion: 1, Incident: IncidentID, Severity: "SEV2", Owner: "alice"})},
		{ID: "7a000001000000000000000000000001", Time: Resolved.Add(20 * time.Minute), Kind: incident.KindActionItem, Actor: alice,
			Body: body(incident.ActionBody{SchemaVersion: 1, Op: incident.ActionAdd, Incident: IncidentID, Text: "run dbguard verify --record in the orders deploy pipeline", Owner: "alice", Due: "2024-03-15"})},
		{ID: "7a000002000000000000000000000002", Time: Resolved.Add(21 * time.Minute), Kind: incident.KindActionItem, Actor: alice,
			Body: body(incident.ActionBody{SchemaVersion: 1, Op: incident.ActionAdd, Incident: IncidentID, Text: "require a DBA approval for high-risk changes in production", Owner: "bob", Due: "2024-03-20"})},
		{ID: "7a000003000000000000000000000003", Time: time.Date(2024, 3, 12, 9, 0, 0, 0, time.UTC), Kind: incident.KindActionItem, Actor: bob,
			Body: body(incident.ActionBody{SchemaVersion: 1, Op: incident.ActionDone, Incident: IncidentID, Item: DoneItem})},
	}
}
