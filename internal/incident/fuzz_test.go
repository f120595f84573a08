package incident_test

import (
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/incident"
	"github.com/dbguard/dbguard/internal/incident/incidenttest"
	"github.com/dbguard/dbguard/internal/store"
)

// FuzzProject feeds arbitrary bodies to the readers of every kind an
// incident is made of (alert, note, incident, action_item, notification,
// change, rollback, verification, approval): Project must never panic,
// and what it returns must hold its invariants whatever the bodies say.
func FuzzProject(f *testing.F) {
	evs := incidenttest.Events()
	for i := range evs {
		f.Add(string(evs[i].Kind), []byte(evs[i].Body), int64(i))
	}
	f.Add("alert", []byte(`{"schema_version":1,"alert":{"schema_version":1,"key":"k","service":"s","state":"resolved","ends_at":"0001-01-01T00:00:00Z"},"notifiers":["x"]}`), int64(0))
	f.Add("action_item", []byte(`{"schema_version":1,"op":"done","item":"act-7a000001"}`), int64(3))
	f.Fuzz(func(t *testing.T, kind string, body []byte, at int64) {
		k := store.Kind(kind)
		var known bool
		for _, want := range incident.Kinds() {
			known = known || k == want
		}
		if !known {
			k = incident.KindAlert
		}
		history := incidenttest.Events()
		pos := int(uint64(at) % uint64(len(history)+1))
		e := store.Event{ID: "ffffffff00", Time: incidenttest.FirstFail.Add(time.Duration(at%7200) * time.Second), Kind: k,
			Actor: store.Actor{Name: "fuzz", Origin: "os"}, Profiles: history[3].Profiles, Body: body}
		history = append(history[:pos], append([]store.Event{e}, history[pos:]...)...)
		p := incident.Project(sequenced(history), incident.Options{Now: incidenttest.Now})
		seen := map[string]bool{}
		for _, inc := range p.Incidents {
			if len(inc.Alerts) == 0 || seen[inc.ID] {
				t.Fatalf("incident %s: %d alerts, seen before %v", inc.ID, len(inc.Alerts), seen[inc.ID])
			}
			seen[inc.ID] = true
			d := incident.Measured(inc, incidenttest.Now)
			for _, v := range []*time.Duration{d.Detect, d.ChangeToAlert, d.Cause, d.Mitigate, d.Recover, d.Outage} {
				if v != nil && *v < 0 {
					t.Fatalf("incident %s: a negative duration %s", inc.ID, *v)
				}
			}
			pm := incident.Draft(inc, incidenttest.Now)
			if len(pm.Judgement) == 0 {
				t.Fatalf("incident %s: no section left to people, not even the lessons", inc.ID)
			}
		}
	})
}
