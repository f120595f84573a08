package cli

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/incident"
	"github.com/dbguard/dbguard/internal/incident/incidenttest"
	"github.com/dbguard/dbguard/internal/store"
	"github.com/dbguard/dbguard/internal/testenv"
)

// canaryIncident records the canary tree, rotates every password and
// records again (so that the store holds real change events of secrets),
// then appends, through the store's API, the alert events watch would
// write about the rotated file, naming its password change as the likely
// cause. It returns the incident's id.
func canaryIncident(t *testing.T) string {
	t.Helper()
	_, repo := canaryRepo(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	for _, files := range []map[string]string{canaryFiles(addr), canaryChangedFiles(addr)} {
		if err := canaryWriteTree(repo, files); err != nil {
			t.Fatal(err)
		}
		if code, out, errOut := runCLI(t, "", "record", repo); code != 0 {
			t.Fatalf("record: exit %d\n%s%s", code, out, errOut)
		}
	}
	ctx := context.Background()
	st, err := app.OpenStore(ctx, app.StoreRequest{Dir: repo, Getenv: os.Getenv}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	changes, err := st.Events(ctx, store.Query{Kinds: []store.Kind{store.KindChange}})
	if err != nil {
		t.Fatal(err)
	}
	// The first change of a password: the alert names it.
	var ch store.Event
	var body store.ChangeBody
	var field store.FieldChange
	for _, e := range changes {
		var b store.ChangeBody
		if json.Unmarshal(e.Body, &b) != nil {
			t.Fatal("a change body does not decode")
		}
		for _, f := range b.Changes {
			if f.Field == "password" && ch.ID == "" {
				ch, body, field = e, b, f
			}
		}
	}
	if ch.ID == "" {
		t.Fatal("record wrote no password change: the test would prove nothing")
	}
	start := ch.Time.Add(time.Minute)
	a := alert.Alert{SchemaVersion: alert.SchemaVersion, Key: "change_induced/canary/production/auth_failed", Rule: alert.RuleChangeInduced,
		State: alert.StateFiring, Severity: alert.SeverityCritical, Summary: "canary: authentication failed", Service: "canary",
		Environment: "production", Stage: "auth", Class: "auth_failed", StartsAt: start, UpdatedAt: start.Add(20 * time.Second),
		Share: alert.Share{Failing: 1, Total: 2},
		Targets: []alert.Target{{Profile: body.File + "#" + field.KeyPath, File: body.File, Stage: "auth", Class: "auth_failed",
			Code: "28P01", Detail: "password authentication failed for user", FailingSince: start, Failures: 2}},
	}
	fc := alert.FieldChange{Field: field.Field, Old: "changed", New: "changed", Secret: true}
	ac := alert.Change{Event: ch.ID, Time: ch.Time, Actor: ch.Actor.Name, File: body.File, Revision: body.Revision, Fingerprint: body.Fingerprint, Fields: []alert.FieldChange{fc}}
	a.Changes, a.Cause = []alert.Change{ac}, &alert.Cause{Change: ac, Field: fc, Rollback: "dbguard rollback " + body.File}
	firing := incidenttest.AlertBody(a, "oncall")
	r := a
	r.State, r.EndsAt, r.UpdatedAt, r.Targets = alert.StateResolved, start.Add(5*time.Minute), start.Add(5*time.Minute), nil
	resolved := incidenttest.AlertBody(r, "oncall")
	watch := store.Actor{Name: "watch", Origin: "os"}
	evs, err := st.Append(ctx,
		store.Event{Kind: incident.KindAlert, Time: a.UpdatedAt, Actor: watch, Body: firing},
		store.Event{Kind: incident.KindAlert, Time: r.UpdatedAt, Actor: watch, Body: resolved})
	if err != nil {
		t.Fatal(err)
	}
	return incident.IncidentID(evs[0])
}

// TestCanaryIncidentCommands: list, show, note, set, stats, postmortem in
// every format and the action commands print no canary, over incidents
// whose change rotated the canary password.
func TestCanaryIncidentCommands(t *testing.T) {
	id := canaryIncident(t)
	var all strings.Builder
	run := func(args ...string) string {
		t.Helper()
		code, out, errOut := runCLI(t, "", args...)
		if code != 0 {
			t.Fatalf("dbguard %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
		all.WriteString(out + errOut)
		return out
	}
	run("incident", "note", id, "rotated the password back by hand", "--at", "1m")
	run("incident", "set", id, "--severity", "sev2", "--owner", "carol", "--impact", "logins failed")
	var added struct {
		Item string `json:"action_item"`
	}
	if err := json.Unmarshal([]byte(run("action", "add", id, "rotate secrets through the vault", "--owner", "carol", "--due", "2030-01-31", "--format", "json")), &added); err != nil || added.Item == "" {
		t.Fatalf("action add --format json gave no item (%v)", err)
	}
	for _, f := range []string{"text", "json"} {
		run("incident", "list", "--format", f)
		run("incident", "show", id, "--format", f)
		run("incident", "stats", "--format", f)
		run("action", "list", "--format", f)
	}
	for _, f := range []string{"markdown", "json", "html"} {
		for _, tz := range []string{"UTC", "Africa/Lagos"} {
			out := run("postmortem", id, "--format", f, "--tz", tz)
			if !strings.Contains(out, "password") {
				t.Errorf("postmortem --format %s does not mention the password change: the canary was not reached\n%s", f, out)
			}
		}
	}
	run("action", "done", added.Item)
	run("action", "list", "--format", "json")
	if leaks := canaryLeaks([]byte(all.String())); len(leaks) > 0 {
		t.Errorf("the incident commands leak the canary:\n  %s", strings.Join(leaks, "\n  "))
	}
}

// TestIncidentExitCodes runs the exit codes docs/exit-codes.md gives the
// incident commands, and checks that the page still says them.
func TestIncidentExitCodes(t *testing.T) {
	page, err := os.ReadFile(filepath.Join(testenv.ModuleRoot(t), "docs", "exit-codes.md"))
	if err != nil {
		t.Fatal(err)
	}
	id := canaryIncident(t)
	doc := strings.Join(strings.Fields(string(page)), " ")
	checkExitCases(t, doc, []exitCase{
		{"no such incident (`show`)", []string{"incident", "show", "inc-ffffffff"}, ExitUsage},
		{"a bad `--since` or `--tz`", []string{"incident", "list", "--tz", "Mars/Olympus"}, ExitUsage},
		{"a severity other than `SEV1`..`SEV5`", []string{"incident", "set", id, "--severity", "SEV9"}, ExitUsage},
		{"nothing to set", []string{"incident", "set", id}, ExitUsage},
		{"a bad `--at`", []string{"incident", "note", id, "x", "--at", "yesterday-ish"}, ExitUsage},
		{"| `postmortem` | — | 0 drafted", []string{"postmortem", id}, ExitOK},
		{"a bad `--tz` or `--format`", []string{"postmortem", id, "--format", "pdf"}, ExitUsage},
		{"no `--owner`", []string{"action", "add", id, "do it", "--due", "2030-01-01"}, ExitUsage},
		{"a `--due` that is not a date", []string{"action", "add", id, "do it", "--owner", "a", "--due", "soon"}, ExitUsage},
		{"no such incident or item", []string{"action", "done", "act-ffffffff"}, ExitUsage},
		{"0 recorded or listed", []string{"action", "list", "--overdue"}, ExitOK},
	})
	// Done twice: the second is refused.
	code, out, _ := runCLI(t, "", "action", "add", id, "do it", "--owner", "a", "--due", "2030-01-01", "--format", "json")
	var added struct {
		Item string `json:"action_item"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &added) != nil {
		t.Fatalf("action add: exit %d\n%s", code, out)
	}
	for i, want := range []int{ExitOK, ExitUsage} {
		if code, _, stderr := runCLI(t, "", "action", "done", added.Item); code != want {
			t.Errorf("action done, time %d: exit %d, want %d\n%s", i+1, code, want, stderr)
		}
	}
	if !strings.Contains(doc, "an item done already") {
		t.Errorf("docs/exit-codes.md no longer says %q", "an item done already")
	}
}
