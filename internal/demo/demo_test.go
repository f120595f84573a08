package demo_test

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/demo"
	"github.com/dbguard/dbguard/internal/incident"
	"github.com/dbguard/dbguard/internal/output"
	"github.com/dbguard/dbguard/internal/testenv"
)

// TestDemoEndToEnd runs the default scenario in process with canary
// passwords (the role's and the one the update plants) and checks the
// incident the store holds afterwards: opened by the alert, the change and
// field the update made as its cause, durations equal to the differences
// of its event times and bracketed by what the demo saw, resolved after
// the rollback and the hold, a postmortem in one zone with every section;
// and neither password in the narration, watch's log, the webhook's
// payloads, the postmortem, the store's raw file or any file of the
// demo's folder.
func TestDemoEndToEnd(t *testing.T) {
	bin := testenv.PGBin(t)
	stamp := strconv.FormatInt(time.Now().UnixNano(), 36)
	password, wrong := "canary-role-"+stamp, "canary-update-"+stamp
	var narration, logs bytes.Buffer
	md, err := output.PostmortemFormats().Lookup("markdown")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	res, err := demo.Run(ctx, demo.Options{Bin: bin, Keep: true, Out: &narration, Log: &logs, Password: password, WrongPassword: wrong,
		Postmortem: func(w io.Writer, d *app.PostmortemDraft) error { return md.Render(w, d, output.Options{}) }})
	if res != nil && res.Dir != "" {
		t.Cleanup(func() { os.RemoveAll(res.Dir) })
	}
	if err != nil {
		t.Fatalf("demo: %v\nnarration:\n%s\nlog:\n%s", err, narration.String(), logs.String())
	}

	inc := res.Incident
	if inc == nil || inc.Opened == 0 || len(inc.Alerts) == 0 || inc.Alerts[0].Rule != alert.RuleChangeInduced {
		t.Fatalf("incident %+v: want one opened by the change_induced alert", inc)
	}
	if inc.Service != "orders" || inc.Class != "auth_failed" {
		t.Errorf("incident of %s/%s, want orders/auth_failed", inc.Service, inc.Class)
	}
	if inc.Cause == nil || inc.Cause.Field.Field != "password" || inc.Change == nil || inc.Change.File != "deploy/orders/eu/app.yaml" {
		t.Fatalf("cause %+v, change %+v: want the password of deploy/orders/eu/app.yaml", inc.Cause, inc.Change)
	}
	var changed bool
	for _, f := range inc.Change.Fields {
		changed = changed || f.Field == "password"
	}
	if !changed {
		t.Errorf("the change's fields %+v do not include the password", inc.Change.Fields)
	}

	// Durations are the differences of the event times, and the events
	// happened between the moments the demo saw.
	du := res.Durations
	eq := func(name string, d *time.Duration, want time.Duration) {
		t.Helper()
		if d == nil || *d != want {
			t.Errorf("%s = %v, want %v", name, d, want)
		}
	}
	eq("change to alert", du.ChangeToAlert, inc.Fired.Sub(inc.Change.Time))
	eq("detect", du.Detect, inc.Fired.Sub(inc.Start))
	eq("cause", du.Cause, 0)
	eq("mitigate", du.Mitigate, inc.Mitigated.Sub(inc.Fired))
	eq("recover", du.Recover, inc.Recovered.Sub(inc.Fired))
	inOrder := []struct {
		name string
		at   time.Time
	}{
		{"the update", res.Changed}, {"the change event", inc.Change.Time}, {"the first failure", inc.Start},
		{"the alert fired", inc.Fired}, {"the webhook received it", res.Alerted}, {"the rollback event", inc.Mitigated},
		{"the rollback returned", res.RolledBack}, {"recovery", inc.Recovered}, {"resolution", inc.Resolved},
	}
	for i := 1; i < len(inOrder); i++ {
		if inOrder[i].at.Before(inOrder[i-1].at.Truncate(time.Millisecond)) {
			t.Errorf("%s (%s) is before %s (%s)", inOrder[i].name, inOrder[i].at.Format(time.StampMicro), inOrder[i-1].name, inOrder[i-1].at.Format(time.StampMicro))
		}
	}
	if inc.Status != incident.StatusResolved || inc.Mitigation != incident.WhatRollback || !inc.Resolved.Equal(inc.Recovered.Add(demo.DefaultHold)) {
		t.Errorf("status %s, mitigation %s, resolved %s after recovery: want resolved by the rollback, %s after recovery",
			inc.Status, inc.Mitigation, inc.Resolved.Sub(inc.Recovered), demo.DefaultHold)
	}
	if res.Rollback == nil || res.Rollback.File != "deploy/orders/eu/app.yaml" || res.Rollback.To == "" {
		t.Errorf("rollback %+v, want deploy/orders/eu/app.yaml restored", res.Rollback)
	}

	// The postmortem: one zone, named once, every section.
	var pm bytes.Buffer
	if err := md.Render(&pm, res.Postmortem, output.Options{}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(pm.String(), "Every time in this document is in UTC"); n != 1 {
		t.Errorf("the zone is named %d times, want once:\n%s", n, pm.String())
	}
	for _, other := range []string{"WAT", "+01:00", "Local"} {
		if strings.Contains(pm.String(), other) {
			t.Errorf("the postmortem mentions %q: one zone only", other)
		}
	}
	for _, section := range []string{"## Issue Summary", "## Timeline", "## Root Cause and Resolution", "## Corrective and Preventive Measures", "## Tasks"} {
		if !strings.Contains(pm.String(), section) || !strings.Contains(narration.String(), section) {
			t.Errorf("postmortem (or the narration) without %q", section)
		}
	}
	for _, want := range []string{"MEASURE", "time to cause", "30 min", "2 h 30 min"} {
		if !strings.Contains(narration.String(), want) {
			t.Errorf("the closing table lacks %q:\n%s", want, narration.String())
		}
	}

	// No secret anywhere: outputs, the store's raw file, the folder.
	outputs := map[string]string{"narration": narration.String(), "watch's log": logs.String(), "postmortem": pm.String(),
		"webhook payloads": strings.Join(res.Webhook, "\n")}
	if len(res.Webhook) < 2 {
		t.Errorf("%d webhook payloads, want the firing and the resolved alert", len(res.Webhook))
	}
	err = filepath.WalkDir(res.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		outputs[p] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := outputs[res.Store]; !ok {
		t.Errorf("the store's file %s was not read", res.Store)
	}
	for where, text := range outputs {
		for _, secret := range []string{password, wrong} {
			if strings.Contains(text, secret) {
				t.Errorf("a canary password appears in %s", where)
			}
		}
	}

	// Kept, the folder remains; the server is gone all the same.
	if _, err := os.Stat(filepath.Join(res.Dir, "postgres", "data", "postmaster.pid")); err == nil {
		t.Errorf("postmaster.pid remains: the server was not stopped")
	}
	if c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(res.Port)), time.Second); err == nil {
		c.Close()
		t.Errorf("port %d still accepts connections after the demo", res.Port)
	}
}

// TestDemoScenarios runs the other faults: each alert names the field its
// update changed and the class the probe saw, and the incident resolves
// after the rollback.
func TestDemoScenarios(t *testing.T) {
	bin := testenv.PGBin(t)
	for _, sc := range demo.Scenarios[1:] {
		t.Run(sc.Name, func(t *testing.T) {
			var logs bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			res, err := demo.Run(ctx, demo.Options{Bin: bin, Scenario: sc.Name, Log: &logs})
			if err != nil {
				t.Fatalf("demo: %v\nlog:\n%s", err, logs.String())
			}
			inc := res.Incident
			if inc.Cause == nil || inc.Cause.Field.Field != sc.Field || inc.Class != sc.Class {
				t.Errorf("cause %+v, class %s: want %s, %s", inc.Cause, inc.Class, sc.Field, sc.Class)
			}
			if inc.Status != incident.StatusResolved || inc.Mitigation != incident.WhatRollback {
				t.Errorf("status %s, mitigation %s: want resolved by the rollback", inc.Status, inc.Mitigation)
			}
			if _, err := os.Stat(res.Dir); err == nil {
				t.Errorf("the folder %s remains", res.Dir)
			}
		})
	}
}

// TestParseRollback reads the commands watch writes, quoted or not, and
// refuses what it would not apply.
func TestParseRollback(t *testing.T) {
	for _, tc := range []struct {
		cmd  string
		want demo.RollbackCommand
		bad  bool
	}{
		{cmd: "dbguard rollback --to abc deploy/eu/app.yaml#database", want: demo.RollbackCommand{To: "abc", Target: "deploy/eu/app.yaml#database"}},
		{cmd: `dbguard rollback --store '/tmp/a b/s.db' --to r1 'deploy/it'\''s.yaml#db'`, want: demo.RollbackCommand{Store: "/tmp/a b/s.db", To: "r1", Target: "deploy/it's.yaml#db"}},
		{cmd: "dbguard rollback --dry-run x", bad: true},
		{cmd: "dbguard rollback --to", bad: true},
		{cmd: "dbguard rollback a b", bad: true},
		{cmd: "rm -rf /", bad: true},
		{cmd: "dbguard rollback 'x", bad: true},
		{cmd: "dbguard rollback x; rm y", bad: true},
	} {
		got, err := demo.ParseRollback(tc.cmd)
		if tc.bad != (err != nil) || (!tc.bad && got != tc.want) {
			t.Errorf("ParseRollback(%q) = %+v, %v", tc.cmd, got, err)
		}
	}
}

// FuzzParseRollback: any line is read or refused, never a panic; a
// command built from words quoted as watch quotes them reads back to the
// same words.
func FuzzParseRollback(f *testing.F) {
	f.Add("/tmp/s.db", "r1", "deploy/eu/app.yaml#database")
	f.Add("", "", "a'b c")
	f.Add("--to", "'", `\`)
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	f.Fuzz(func(t *testing.T, st, to, target string) {
		_, _ = demo.ParseRollback(st + " " + to + " " + target)
		if target == "" || strings.ContainsAny(st+to+target, "\x00") {
			return
		}
		cmd := "dbguard rollback"
		if st != "" {
			cmd += " --store " + quote(st)
		}
		if to != "" {
			cmd += " --to " + quote(to)
		}
		cmd += " " + quote(target)
		got, err := demo.ParseRollback(cmd)
		if strings.HasPrefix(target, "-") {
			return // a target that looks like a flag is refused
		}
		if err != nil || got != (demo.RollbackCommand{Store: st, To: to, Target: target}) {
			t.Errorf("ParseRollback(%q) = %+v, %v", cmd, got, err)
		}
	})
}
