package watch

import (
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/verify"
)

func TestExplains(t *testing.T) {
	t.Parallel()
	tests := []struct {
		class verify.Class
		field string
		want  bool
	}{
		{verify.ClassAuthFailed, "password", true},
		{verify.ClassRoleNotFound, "user", true},
		{verify.ClassAuthFailed, "port", false},
		{verify.ClassTCPRefused, "port", true},
		{verify.ClassDNSNotFound, "host", true},
		{verify.ClassTCPTimeout, "hosts[1].host", true},
		{verify.ClassTCPRefused, "password", false},
		{verify.ClassTLSRequiredByServer, "tls", true},
		{verify.ClassTLSCertInvalid, "tls.ca", true},
		{verify.ClassDatabaseNotFound, "database", true},
		{verify.ClassPoolCapacityExceeded, "pool.max_open", true},
		{verify.ClassTooManyConnections, "replicas", true},
		{verify.ClassServerStartingOrStopping, "port", false},
		{verify.ClassQueryTimeout, "timeouts.statement", false},
	}
	for _, tt := range tests {
		if got := Explains(tt.class, tt.field); got != tt.want {
			t.Errorf("Explains(%s, %s) = %v, want %v", tt.class, tt.field, got, tt.want)
		}
	}
}

// failingState is a target of service orders failing n times with class
// since start.
func failingState(id string, class verify.Class, stage verify.Stage, n int, since time.Time) *tstate {
	p := &profile.Profile{ID: id, Name: "database", Service: "orders", Environment: profile.Production, KeyPath: "database"}
	return &tstate{t: &target{ID: id, Key: id, Prof: p}, probed: true, failures: n, since: since,
		last: &verify.Attempt{Stage: stage, Class: class}}
}

func okState(id string) *tstate {
	p := &profile.Profile{ID: id, Name: "database", Service: "orders", Environment: profile.Production, KeyPath: "database"}
	return &tstate{t: &target{ID: id, Key: id, Prof: p}, probed: true, last: &verify.Attempt{OK: true}}
}

func TestEvaluateTargetDown(t *testing.T) {
	t.Parallel()
	now := time.Now()
	a := config.WatchDefaults().Alerts
	a.TargetDown.For = time.Minute
	none := func(*tstate) bool { return false }
	notFiring := func(string) bool { return false }
	tests := []struct {
		name     string
		failures int
		since    time.Duration
		firing   bool
	}{
		{"too few failures", 2, 2 * time.Minute, false},
		{"enough failures, hold time not passed", 3, 30 * time.Second, false},
		{"enough failures, held", 3, 2 * time.Minute, true},
	}
	for _, tt := range tests {
		states := []*tstate{failingState("a#db", verify.ClassTCPRefused, verify.StageTCP, tt.failures, now.Add(-tt.since)), okState("b#db"), okState("c#db")}
		conds := evaluate(a, "orders", "production", states, now, none, notFiring)
		if len(conds) != 1 || conds[0].rule != alert.RuleTargetDown {
			t.Fatalf("%s: conditions %+v, want one target_down", tt.name, conds)
		}
		c := conds[0]
		if c.firing != tt.firing || c.total != 3 || len(c.targets) != 1 || c.class != verify.ClassTCPRefused {
			t.Errorf("%s: firing %v total %d targets %d class %s; want firing %v, 1 of 3, tcp_refused", tt.name, c.firing, c.total, len(c.targets), c.class, tt.firing)
		}
	}
	// A silenced failure raises nothing.
	states := []*tstate{failingState("legacy/a#db", verify.ClassTCPRefused, verify.StageTCP, 5, now.Add(-time.Hour))}
	if conds := evaluate(a, "orders", "production", states, now, func(*tstate) bool { return true }, notFiring); len(conds) != 0 {
		t.Errorf("silenced: %d conditions, want none", len(conds))
	}
}

func TestEvaluateFailureRatio(t *testing.T) {
	t.Parallel()
	now := time.Now()
	a := config.WatchDefaults().Alerts
	a.TargetDown.Failures = 100 // only the ratio rule is judged here
	s := failingState("a#db", verify.ClassAuthFailed, verify.StageAuth, 1, now)
	ok := okState("b#db")
	for i := 5; i >= 0; i-- {
		s.history.add(now.Add(-time.Duration(i)*time.Second), true, a.FailureRatio.Window)
		ok.history.add(now.Add(-time.Duration(i)*time.Second), false, a.FailureRatio.Window)
	}
	never := func(string) bool { return false }
	conds := evaluate(a, "orders", "production", []*tstate{s, ok}, now, func(*tstate) bool { return false }, never)
	var ratio *condition
	for _, c := range conds {
		if c.rule == alert.RuleFailureRatio {
			ratio = c
		}
	}
	if ratio == nil || !ratio.firing || ratio.class != verify.ClassAuthFailed {
		t.Fatalf("6 of 12 probes failed (ratio 0.5, min 10): conditions %+v, want a firing failure_ratio", conds)
	}
	// Below min_probes: nothing, unless it fires already (hysteresis).
	s.history.at, ok.history.at = s.history.at[4:], ok.history.at[4:]
	for _, c := range evaluate(a, "orders", "production", []*tstate{s, ok}, now, func(*tstate) bool { return false }, never) {
		if c.rule == alert.RuleFailureRatio {
			t.Errorf("4 probes, min_probes 10: failure_ratio raised")
		}
	}
	held := false
	for _, c := range evaluate(a, "orders", "production", []*tstate{s, ok}, now, func(*tstate) bool { return false }, func(k string) bool { return k == ratio.key() }) {
		held = held || c.rule == alert.RuleFailureRatio
	}
	if !held {
		t.Errorf("4 probes of a firing failure_ratio still at 0.5: resolved, want it held until the ratio drops")
	}
}

func TestRoute(t *testing.T) {
	t.Parallel()
	cfg, err := config.Parse("dbguard.yaml", []byte(`version: 1
watch:
  routes:
    - match: {class: [auth_failed], environment: [production]}
      notifiers: [oncall]
      repeat_interval: 1h
      continue: true
    - match: {class: [pool_capacity_exceeded, too_many_connections]}
      notifiers: [dba]
    - match: {profile: ["deploy/legacy/**"]}
      notifiers: [legacy]
    - notifiers: [default]
  notifiers:
    - {name: oncall, type: webhook, url: "http://127.0.0.1:1/"}
    - {name: dba, type: webhook, url: "http://127.0.0.1:2/"}
    - {name: legacy, type: webhook, url: "http://127.0.0.1:3/"}
    - {name: default, type: webhook, url: "http://127.0.0.1:4/"}
`))
	if err != nil {
		t.Fatal(err)
	}
	w := cfg.WatchSettings()
	tests := []struct {
		class, env string
		ids        []string
		want       []string
		repeat     time.Duration
	}{
		{"auth_failed", "production", nil, []string{"oncall", "default"}, time.Hour},
		{"auth_failed", "staging", nil, []string{"default"}, 4 * time.Hour},
		{"pool_capacity_exceeded", "production", nil, []string{"dba"}, 4 * time.Hour},
		{"tcp_refused", "production", []string{"deploy/legacy/a.yaml#db"}, []string{"legacy"}, 4 * time.Hour},
		{"tcp_refused", "production", []string{"deploy/new/a.yaml#db"}, []string{"default"}, 4 * time.Hour},
	}
	for _, tt := range tests {
		got, repeat := route(w, alert.Alert{Class: tt.class, Environment: tt.env}, tt.ids)
		if len(got) != len(tt.want) || repeat != tt.repeat {
			t.Errorf("%s in %s (%v): notifiers %v every %s, want %v every %s", tt.class, tt.env, tt.ids, got, repeat, tt.want, tt.repeat)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s in %s: notifiers %v, want %v", tt.class, tt.env, got, tt.want)
			}
		}
	}
}

// A target's marks keep the probes of the window and no older, count
// failures, and reuse their array as the window slides.
func TestMarksSlideOverTheWindow(t *testing.T) {
	t.Parallel()
	var m marks
	t0 := time.Now()
	const window = 30 * time.Second
	for i := range 100 {
		m.add(t0.Add(time.Duration(i)*time.Second), i%4 == 0, window)
	}
	now := t0.Add(99 * time.Second)
	probes, failed := m.count(now, window)
	if probes != 31 || failed != 7 { // 69..99; 72, 76, ..., 96 failed
		t.Fatalf("count = %d probes, %d failed; want 31, 7", probes, failed)
	}
	if len(m.at) != 31 || cap(m.at) > 64 {
		t.Fatalf("kept %d marks in an array of %d, want the window's 31 in a small array", len(m.at), cap(m.at))
	}
	if probes, _ := m.count(now.Add(time.Minute), window); probes != 0 {
		t.Fatalf("a minute later %d probes still in a 30 s window", probes)
	}
}
