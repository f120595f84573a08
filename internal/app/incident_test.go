package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/incident"
	"github.com/dbguard/dbguard/internal/incident/incidenttest"
	"github.com/dbguard/dbguard/internal/store"
)

// TestPostmortemCheckCoverage records a real change (record, twice) that
// moves a production profile's port and turns TLS off, fires an alert
// about it, and drafts the postmortem: with the key, check runs over the
// changed revision and says which changed field a rule flags and which
// none covers; without the key, the draft says what it could not examine.
func TestPostmortemCheckCoverage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	keyText, err := store.NewKeyText()
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{app.EnvStoreKey: string(keyText), "XDG_CONFIG_HOME": filepath.Join(dir, "config"), "HOME": dir, app.EnvActor: "carol"}
	req := app.StoreRequest{Location: filepath.Join(dir, "state.db"), Dir: dir, Config: config.Default(), Getenv: func(k string) string { return env[k] }}
	file := filepath.Join(dir, "app.yaml")
	for _, v := range []struct{ port, sslmode string }{{"5432", "verify-full"}, {"6432", "disable"}} {
		content := "environment: production\ndatabase:\n  driver: postgres\n  host: orders.db.internal\n  port: " + v.port +
			"\n  name: orders\n  user: orders\n  password: 'n0t-in-any-output'\n  sslmode: " + v.sslmode + "\n"
		if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := app.Record(ctx, app.RecordRequest{Paths: []string{file}, Store: req, Config: req.Config}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := app.OpenStore(ctx, req, true)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := st.Events(ctx, store.Query{Kinds: []store.Kind{store.KindChange}})
	if err != nil || len(changes) != 2 {
		t.Fatalf("%d change events (%v), want 2", len(changes), err)
	}
	ch := changes[1]
	var body store.ChangeBody
	if err := json.Unmarshal(ch.Body, &body); err != nil {
		t.Fatal(err)
	}
	start := ch.Time.Add(time.Minute)
	a := alert.Alert{SchemaVersion: 1, Key: "target_down/orders/production/tcp_refused", Rule: alert.RuleTargetDown, State: alert.StateFiring,
		Severity: alert.SeverityCritical, Service: "orders", Environment: "production", Stage: "tcp", Class: "tcp_refused",
		StartsAt: start, UpdatedAt: start.Add(10 * time.Second), Share: alert.Share{Failing: 1, Total: 1},
		Targets: []alert.Target{{Profile: body.File + "#database", File: body.File, Stage: "tcp", Class: "tcp_refused", FailingSince: start}}}
	evs, err := st.Append(ctx, store.Event{Kind: incident.KindAlert, Time: a.UpdatedAt, Actor: store.Actor{Name: "watch", Origin: "os"}, Body: incidenttest.AlertBody(a)})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	id := incident.IncidentID(evs[0])

	d, err := app.DraftPostmortem(ctx, app.IncidentRequest{Store: req, ID: id, Now: start.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]incident.Measure{}
	for _, m := range d.Measures {
		byID[m.ID] = m
	}
	if m, ok := byID["no-check-rule"]; !ok || !strings.Contains(m.Finding, "port of") {
		t.Errorf("no measure says no rule covers the port: %+v", d.Measures)
	}
	if m, ok := byID["check-not-gating"]; !ok || strings.Contains(m.Finding, "port of") {
		t.Errorf("no measure says check flags the TLS change (and only that): %+v", d.Measures)
	}
	if _, ok := byID["alert-named-no-cause"]; !ok || d.Incident.Change == nil || d.Incident.Change.Seq != ch.Seq {
		t.Errorf("the change that preceded the failure (event %d) was not found, or the alert naming no cause was not noted: %+v", ch.Seq, d.Measures)
	}
	if len(d.Unexamined) != 0 {
		t.Errorf("with the key, nothing should be left unexamined: %v", d.Unexamined)
	}

	// Without the key: events are readable, the revision is not.
	delete(env, app.EnvStoreKey)
	env["XDG_CONFIG_HOME"] = filepath.Join(dir, "elsewhere")
	d, err = app.DraftPostmortem(ctx, app.IncidentRequest{Store: req, ID: id, Now: start.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Unexamined) != 1 || !strings.Contains(d.Unexamined[0], "store key") || slices.ContainsFunc(d.Measures, func(m incident.Measure) bool { return m.ID == "no-check-rule" }) {
		t.Errorf("without the key: unexamined %v, measures %+v", d.Unexamined, d.Measures)
	}
}

// TestIncidentZone: --tz, else the incidents section's timezone, else
// UTC; Local is refused, as a drafted document must not depend on the
// machine.
func TestIncidentZone(t *testing.T) {
	cfg, err := config.Parse("dbguard.yaml", []byte("version: 1\nincidents:\n  timezone: Africa/Lagos\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cfg  *config.Config
		tz   string
		want string
	}{
		{config.Default(), "", "UTC"},
		{cfg, "", "Africa/Lagos"},
		{cfg, "Asia/Tokyo", "Asia/Tokyo"},
		{cfg, "Local", ""},
		{cfg, "Mars/Olympus", ""},
	} {
		dir := t.TempDir()
		req := app.StoreRequest{Location: filepath.Join(dir, "state.db"), Config: c.cfg, Getenv: func(k string) string {
			if k == "HOME" {
				return dir
			}
			return ""
		}}
		l, err := app.ListIncidents(context.Background(), app.IncidentListRequest{Store: req, Zone: c.tz})
		var re *app.RequestError
		switch {
		case c.want == "" && !errors.As(err, &re):
			t.Errorf("--tz %q: error %v, want a *RequestError", c.tz, err)
		case c.want != "" && (err != nil || l.Zone.String() != c.want):
			t.Errorf("--tz %q with %v: zone %v (%v), want %s", c.tz, c.cfg.IncidentTimezone(), l, err, c.want)
		}
	}
}
