package watch_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/audit"
	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/store"
	"github.com/dbguard/dbguard/internal/testenv"
	"github.com/dbguard/dbguard/internal/watch"
)

// metric is the value of a gauge or counter series of name whose labels
// include want ("" with ok false when there is none).
func (h *harness) metric(t *testing.T, name string, want map[string]string) (float64, bool) {
	t.Helper()
	mfs, err := h.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, m := range mf.GetMetric() {
			for k, v := range want {
				found := false
				for _, l := range m.GetLabel() {
					found = found || l.GetName() == k && l.GetValue() == v
				}
				if !found {
					continue series
				}
			}
			if c := m.GetCounter(); c != nil {
				return c.GetValue(), true
			}
			return m.GetGauge().GetValue(), true
		}
	}
	return 0, false
}

// waitMetric waits until the series satisfies ok.
func (h *harness) waitMetric(t *testing.T, name string, labels map[string]string, d time.Duration, ok func(float64) bool) float64 {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		v, found := h.metric(t, name, labels)
		if found && ok(v) {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s%v = %v (present %v) after %s; log:\n%s", name, labels, v, found, d, h.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// storeRequest names the harness's store, with its key.
func (h *harness) storeRequest() app.StoreRequest {
	getenv := func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return filepath.Join(h.dir, ".config")
		}
		return h.env[k]
	}
	return app.StoreRequest{Location: filepath.Join(h.dir, "state.db"), Dir: h.dir, Getenv: getenv}
}

// auditEvents are the audit events of the harness's store.
func (h *harness) auditEvents(t *testing.T) []audit.Body {
	t.Helper()
	st, err := app.OpenStore(context.Background(), h.storeRequest(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	evs, err := st.Events(context.Background(), store.Query{Kinds: []store.Kind{app.KindAudit}})
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Body
	for _, ev := range evs {
		var b audit.Body
		if err := json.Unmarshal(ev.Body, &b); err != nil {
			t.Fatalf("audit event %d: %v", ev.Seq, err)
		}
		out = append(out, b)
	}
	return out
}

const auditConfig = `version: 1
watch:
  interval: 30s
  timeout: 2s
  sources:
    - paths: [deploy/]
  routes:
    - match: {service: [audit]}
      notifiers: [test]
  notifiers:
    - {name: test, type: webhook, url_env: TEST_WEBHOOK_URL, timeout: 2s}
  audit:
    schedule: "@every 1s"
    live: false
    timeout: 20s
`

// A scheduled audit runs every second off the probe path, stores its
// event and sets the audit metrics; an edit that writes the password in
// the file (password-literal, an error) makes the next audit notify
// audit_worsened through the route for service "audit", naming the rule
// and not the password; putting the reference back resolves it.
func TestScheduledAuditNotifiesWorsened(t *testing.T) {
	t.Parallel()
	pg := testPG(t)
	dir := t.TempDir()
	orders := filepath.Join(dir, "deploy", "orders.yaml")
	good := profileYAML(pg, pg.port, "disable", "", 10)
	writeFile(t, orders, good)
	h := start(t, dir, auditConfig, map[string]string{"DB_PASSWORD": pg.pw})

	h.waitMetric(t, "dbguard_audit_runs_total", map[string]string{"result": "ok"}, 10*time.Second, func(v float64) bool { return v >= 1 })
	if v, _ := h.metric(t, "dbguard_audit_last_run_successful", nil); v != 1 {
		t.Errorf("audit_last_run_successful %v, want 1", v)
	}
	if v, _ := h.metric(t, "dbguard_audit_last_run_timestamp_seconds", nil); v < float64(time.Now().Add(-time.Minute).Unix()) {
		t.Errorf("audit_last_run_timestamp_seconds %v, not a recent time", v)
	}
	before, _ := h.metric(t, "dbguard_audit_findings", map[string]string{"severity": "error"})
	evs := h.auditEvents(t)
	if len(evs) == 0 {
		t.Fatal("no audit event stored")
	}
	if got := evs[len(evs)-1].Summary.Errors; float64(got) != before {
		t.Errorf("audit_findings{severity=error} %v, the stored audit says %d", before, got)
	}

	// An audit run by hand, its paths named differently (relative), keys
	// its check findings differently: the scheduled audits after it are
	// compared with the previous scheduled one, so nothing is "new".
	wd, _ := os.Getwd()
	rel, err := filepath.Rel(wd, filepath.Join(dir, "deploy"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(dir, "dbguard.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	byHand, err := app.Audit(context.Background(), app.AuditRequest{Check: app.CheckRequest{Scan: app.ScanRequest{Paths: []string{rel}, Config: cfg}},
		Store: h.storeRequest(), NoLive: true, Actor: "someone"})
	if err != nil || byHand.Report.Event == 0 {
		t.Fatalf("audit by hand: %v (%+v)", err, byHand)
	}
	runs, _ := h.metric(t, "dbguard_audit_runs_total", map[string]string{"result": "ok"})
	h.waitMetric(t, "dbguard_audit_runs_total", map[string]string{"result": "ok"}, 5*time.Second, func(v float64) bool { return v >= runs+2 })
	h.rec.mu.Lock()
	if n := len(h.rec.alerts); n > 0 {
		t.Errorf("%d alerts after an audit by hand, want none: %s", n, h.rec.alerts[0].Summary)
	}
	h.rec.mu.Unlock()

	// The same password, literally: the probes still pass, the audit
	// finds password-literal.
	writeFile(t, orders, profileYAML(pg, pg.port, "disable", pg.pw, 10))
	a, next := h.rec.wait(t, 0, 10*time.Second, func(a alert.Alert) bool {
		return a.Rule == alert.RuleAuditWorsened && a.State == alert.StateFiring
	})
	t.Logf("alert: %s", a.Summary)
	if a.Service != "audit" || a.Severity != alert.SeverityWarning {
		t.Errorf("service %q severity %q, want audit and warning", a.Service, a.Severity)
	}
	if !strings.Contains(a.Summary, "password-literal") || !strings.Contains(a.Summary, "new error finding") {
		t.Errorf("summary %q does not say how many new findings of which rules", a.Summary)
	}
	h.waitMetric(t, "dbguard_audit_findings", map[string]string{"severity": "error"}, 5*time.Second, func(v float64) bool { return v > before })
	h.waitMetric(t, "dbguard_alerts", map[string]string{"rule": "audit_worsened", "state": "firing"}, 5*time.Second, func(v float64) bool { return v == 1 })

	// Back to the reference: the next audits are no longer worse.
	writeFile(t, orders, good)
	h.rec.wait(t, next, 10*time.Second, func(r alert.Alert) bool {
		return r.Rule == alert.RuleAuditWorsened && r.State == alert.StateResolved && r.Key == a.Key
	})
	h.noSecret(t, pg.pw)
	schema := testenv.Schema(t, filepath.Join(testenv.ModuleRoot(t), "docs", "schema", "alert.schema.json"))
	h.rec.mu.Lock()
	raw := append([]string(nil), h.rec.raw...)
	h.rec.mu.Unlock()
	for _, body := range raw {
		if err := testenv.MatchSchema(t, schema, []byte(body)); err != nil {
			t.Errorf("payload does not match alert.schema.json: %v\n%s", err, body)
		}
	}
}

// An audit still going when the next is due is skipped and logged, and
// one cut short by watch.audit.timeout counts as failed: here the live
// read of a server that accepts and never answers holds the audit past
// both the next tick (1s) and its timeout (1.5s; each stage may take 3s).
func TestScheduledAuditSkipsAndTimesOut(t *testing.T) {
	t.Parallel()
	silent := testenv.SilentListener(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "deploy", "orders.yaml"), profileYAML(pgConn{host: "127.0.0.1", db: "app", user: "app"}, silent.AddrPort().String()[strings.LastIndex(silent.AddrPort().String(), ":")+1:], "disable", "", 10))
	h := start(t, dir, `version: 1
watch:
  interval: 30s
  timeout: 3s
  retries: 0
  sources:
    - paths: [deploy/]
  audit:
    schedule: "@every 1s"
    timeout: 1500ms
`, map[string]string{"DB_PASSWORD": "x"})
	h.waitMetric(t, "dbguard_audit_runs_total", map[string]string{"result": "skipped"}, 10*time.Second, func(v float64) bool { return v >= 1 })
	h.waitMetric(t, "dbguard_audit_runs_total", map[string]string{"result": "failed"}, 10*time.Second, func(v float64) bool { return v >= 1 })
	if v, _ := h.metric(t, "dbguard_audit_last_run_successful", nil); v != 0 {
		t.Errorf("audit_last_run_successful %v after a timed-out audit, want 0", v)
	}
	if !strings.Contains(h.logs.String(), "scheduled audit skipped") {
		t.Errorf("the skipped audit is not logged:\n%s", h.logs.String())
	}
}

// A watch section's schedule is refused at load with its position.
func TestScheduledAuditInvalidSchedule(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "dbguard.yaml")
	writeFile(t, path, "version: 1\nwatch:\n  audit:\n    schedule: \"0 6 * *\"\n")
	_, err := config.Load(path)
	if err == nil || !strings.Contains(err.Error(), "dbguard.yaml:4:15: watch.audit.schedule") {
		t.Fatalf("load: %v, want an error at 4:15", err)
	}
}

// --check-config shows the schedule with its zone and next run.
func TestViewShowsAuditSchedule(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "dbguard.yaml")
	writeFile(t, path, "version: 1\nincidents:\n  timezone: Africa/Lagos\nwatch:\n  audit:\n    schedule: \"30 6 * * *\"\n    paths: [deploy/]\n")
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := watch.View(cfg, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	a := v.Audit
	if a == nil {
		t.Fatal("no audit in the view")
	}
	next, err := time.Parse(time.RFC3339, a.Next)
	if err != nil {
		t.Fatalf("next %q: %v", a.Next, err)
	}
	if a.Zone != "Africa/Lagos" || next.UTC().Hour() != 5 || next.UTC().Minute() != 30 || !next.After(time.Now()) {
		t.Errorf("view %+v: want zone Africa/Lagos and the next 05:30 UTC", a)
	}
	if a.Live != true || a.NotifyOn != "worsened" || a.Timeout != "10m0s" || len(a.Paths) != 1 {
		t.Errorf("view %+v: defaults not filled in", a)
	}
}
