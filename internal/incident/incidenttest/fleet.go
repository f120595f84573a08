package incidenttest

import (
	"fmt"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/incident"
	"github.com/dbguard/dbguard/internal/store"
)

// Fleet makes n incidents of n services an hour apart from start, each a
// port change, a firing alert naming it, a rollback, a verification and
// the resolved alert, among other verification events of unrelated files
// (other per incident): the load of the benchmarks, something like a year
// of a busy fleet's store.
func Fleet(n, other int, start time.Time) []store.Event {
	var evs []store.Event
	actor := store.Actor{Name: "watch", Origin: "os"}
	verified := body(store.VerificationBody{SchemaVersion: 1, OK: true})
	for i := range n {
		svc := fmt.Sprintf("svc%04d", i)
		file := "deploy/" + svc + ".yaml"
		ps := []store.EventProfile{{ProfileKey: store.ProfileKey{File: file, KeyPath: "db"}, Service: svc, Env: "production"}}
		at := start.Add(time.Duration(i) * time.Hour)
		chID := fmt.Sprintf("c%07d%024d", i, 0)
		a := alert.Alert{SchemaVersion: 1, Key: "change_induced/" + svc + "/production/tcp_refused", Rule: alert.RuleChangeInduced,
			State: alert.StateFiring, Severity: alert.SeverityCritical, Service: svc, Environment: "production", Stage: "tcp",
			Class: "tcp_refused", StartsAt: at, UpdatedAt: at.Add(20 * time.Second), Share: alert.Share{Failing: 1, Total: 3},
			Targets: []alert.Target{{Profile: file + "#db", File: file, Stage: "tcp", Class: "tcp_refused", FailingSince: at}},
			Cause:   &alert.Cause{Change: alert.Change{Event: chID, File: file}, Field: alert.FieldChange{Field: "port", Old: "5432", New: "6432"}}}
		r := a
		r.State, r.EndsAt, r.UpdatedAt, r.Targets = alert.StateResolved, at.Add(6*time.Minute), at.Add(6*time.Minute), nil
		evs = append(evs,
			store.Event{ID: chID, Time: at.Add(-time.Minute), Kind: store.KindChange, Actor: actor, Profiles: ps,
				Body: body(store.ChangeBody{SchemaVersion: 1, File: file, Revision: "r2", Previous: "r1", Fingerprint: Fingerprint,
					Changes: []store.FieldChange{{KeyPath: "db", Field: "port", Kind: "changed", Old: ptr("5432"), New: ptr("6432")}}})},
			store.Event{ID: fmt.Sprintf("a%07d%024d", i, 0), Time: a.UpdatedAt, Kind: incident.KindAlert, Actor: actor, Profiles: ps, Body: AlertBody(a)},
			store.Event{ID: fmt.Sprintf("r%07d%024d", i, 0), Time: at.Add(5 * time.Minute), Kind: store.KindRollback, Actor: actor, Profiles: ps,
				Body: body(store.RollbackBody{SchemaVersion: 1, File: file, To: "r1"})},
			store.Event{ID: fmt.Sprintf("v%07d%024d", i, 0), Time: at.Add(6 * time.Minute), Kind: store.KindVerification, Actor: actor, Profiles: ps, Body: verified},
			store.Event{ID: fmt.Sprintf("b%07d%024d", i, 0), Time: r.UpdatedAt, Kind: incident.KindAlert, Actor: actor, Profiles: ps, Body: AlertBody(r)},
		)
		for j := range other {
			f := fmt.Sprintf("deploy/other%04d-%d.yaml", i, j)
			evs = append(evs, store.Event{ID: fmt.Sprintf("o%07d%024d", i, j), Time: at.Add(time.Duration(j) * time.Minute), Kind: store.KindVerification,
				Actor: actor, Profiles: []store.EventProfile{{ProfileKey: store.ProfileKey{File: f, KeyPath: "db"}}}, Body: verified})
		}
	}
	return evs
}
