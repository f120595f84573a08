package watch_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/metrics"
	"github.com/dbguard/dbguard/internal/testenv"
	"github.com/dbguard/dbguard/internal/verify"
	"github.com/dbguard/dbguard/internal/watch"
)

// recorder keeps the alerts an httptest receiver got from watch's webhook
// notifier (internal/notify, through its Dispatcher).
type recorder struct {
	mu     sync.Mutex
	alerts []alert.Alert
	raw    []string
	signal chan struct{}
	// logs returns the watch's log, shown when an alert does not come.
	logs func() string
}

func newRecorder() *recorder { return &recorder{signal: make(chan struct{}, 100)} }

// ServeHTTP is the webhook receiver: one alert per POST, as JSON.
func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var a alert.Alert
	body, _ := io.ReadAll(req.Body)
	if err := json.Unmarshal(body, &a); err != nil || a.SchemaVersion != alert.SchemaVersion {
		http.Error(w, "not an alert", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.alerts = append(r.alerts, a)
	r.raw = append(r.raw, string(body))
	r.mu.Unlock()
	select {
	case r.signal <- struct{}{}:
	default:
	}
}

// wait returns the first alert from index from on that ok accepts.
func (r *recorder) wait(t *testing.T, from int, d time.Duration, ok func(alert.Alert) bool) (alert.Alert, int) {
	t.Helper()
	deadline := time.After(d)
	for {
		r.mu.Lock()
		for i := from; i < len(r.alerts); i++ {
			if ok(r.alerts[i]) {
				a := r.alerts[i]
				r.mu.Unlock()
				return a, i + 1
			}
		}
		n := len(r.alerts)
		r.mu.Unlock()
		select {
		case <-r.signal:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			r.mu.Lock()
			got, _ := json.MarshalIndent(r.alerts[from:], "", " ")
			r.mu.Unlock()
			log := ""
			if r.logs != nil {
				log = r.logs()
			}
			t.Fatalf("no matching alert within %s (%d alerts so far):\n%s\nlog:\n%s", d, n, got, log)
		}
	}
}

// pgConn is the test PostgreSQL's address and credentials.
type pgConn struct {
	host, port, db, user, pw string
}

func testPG(t *testing.T) pgConn {
	t.Helper()
	u, err := url.Parse(testenv.PG(t))
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	return pgConn{host: u.Hostname(), port: u.Port(), db: strings.TrimPrefix(u.Path, "/"), user: u.User.Username(), pw: pw}
}

// profileYAML is a service's configuration file; the password comes from
// DB_PASSWORD unless literal is set.
func profileYAML(c pgConn, port, sslmode, literal string, pool int) string {
	pw := "${DB_PASSWORD}"
	if literal != "" {
		pw = literal
	}
	return fmt.Sprintf("env: production\ndatabase:\n  driver: postgres\n  host: %s\n  port: %s\n  name: %s\n  user: %s\n  password: %s\n  sslmode: %s\n  pool:\n    max_open: %d\n",
		c.host, port, c.db, c.user, pw, sslmode, pool)
}

// writeFile writes by rename, as editors and kubectl cp do.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// harness is one running watch over a folder, with its store, metrics,
// log and alerts.
type harness struct {
	dir  string
	rec  *recorder
	reg  *prometheus.Registry
	logs *testenv.Buffer
	w    *watch.Watcher
	done chan error
	stop context.CancelFunc
	env  map[string]string
}

// start runs a watch on dir with dbguard.yaml's text yaml.
func start(t *testing.T, dir, yaml string, env map[string]string) *harness {
	t.Helper()
	cfgPath := filepath.Join(dir, "dbguard.yaml")
	if !strings.Contains(yaml, "notifiers:") {
		yaml += "  notifiers:\n    - {name: test, type: webhook, url_env: TEST_WEBHOOK_URL, timeout: 2s}\n"
	}
	rec := newRecorder()
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	env["TEST_WEBHOOK_URL"] = srv.URL + "/hook"
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{dir: dir, rec: rec, reg: prometheus.NewRegistry(), logs: &testenv.Buffer{}, done: make(chan error, 1), env: env}
	h.rec.logs = h.logs.String
	getenv := func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return filepath.Join(dir, ".config")
		}
		return env[k]
	}
	logger := slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m := metrics.New(h.reg)
	h.w, err = watch.New(watch.Options{ConfigPath: cfgPath, Config: cfg,
		Store:     app.StoreRequest{Location: filepath.Join(dir, "state.db"), Dir: dir, Getenv: getenv},
		NewSender: watch.NotifySender(dir, getenv, m, logger),
		Logger:    logger,
		Metrics:   m,
		Resolve: verify.ResolveOptions{BaseDir: dir, Env: func(k string) (string, bool) {
			v, ok := env[k]
			return v, ok
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.stop = cancel
	go func() { h.done <- h.w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-h.done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("Run did not return within 15s of its context's end")
		}
	})
	// A first round waits for its blackholed probes (the soak's hold their
	// sockets 2 x 5s, 64 at a time).
	deadline := time.Now().Add(90 * time.Second)
	for !h.w.Ready() {
		if time.Now().After(deadline) {
			t.Fatalf("watch not ready after 90s; log:\n%s", h.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return h
}

// noSecret fails when any of the secrets appears in what watch put out.
func (h *harness) noSecret(t *testing.T, secrets ...string) {
	t.Helper()
	h.rec.mu.Lock()
	out := strings.Join(h.rec.raw, "\n")
	h.rec.mu.Unlock()
	mfs, _ := h.reg.Gather()
	m, _ := json.Marshal(mfs)
	all := string(out) + string(m) + h.logs.String()
	for _, s := range secrets {
		if s != "" && strings.Contains(all, s) {
			t.Errorf("a secret (%d bytes) appears in watch's alerts, metrics or log", len(s))
		}
	}
}

const changeConfig = `version: 1
replicas:
  - profile: "**"
    replicas: 2
watch:
  interval: 30s
  timeout: 2s
  sources:
    - paths: [deploy/]
`

// Each broken rewrite of the file alerts within 2s of the write, naming
// the profile, the class, the changed field and the rollback command, with
// no secret; the daemon's interval (30s) is far longer, so this is the
// change path.
func TestChangeInducedAlerts(t *testing.T) {
	t.Parallel()
	pg := testPG(t)
	// Every shared test server offers TLS; this one has none.
	plain := testenv.StartThrowawayPG(t, "ssl = off\n", "host all all 127.0.0.1/32 trust\n")
	bouncer := pgConn{host: "127.0.0.1", port: fmt.Sprint(plain.Port), db: "postgres", user: "postgres"}
	dir := t.TempDir()
	orders := filepath.Join(dir, "deploy", "eu", "orders.yaml")
	payments := filepath.Join(dir, "deploy", "eu", "payments.yaml")
	writeFile(t, orders, profileYAML(pg, pg.port, "disable", "", 10))
	writeFile(t, payments, profileYAML(bouncer, bouncer.port, "disable", "", 10))
	canary := "canary-" + randHex(8)
	h := start(t, dir, changeConfig, map[string]string{"DB_PASSWORD": pg.pw})

	cases := []struct {
		name, file, good, bad, class, field string
	}{
		{"wrong password", orders, profileYAML(pg, pg.port, "disable", "", 10), profileYAML(pg, pg.port, "disable", canary, 10), "auth_failed", "password"},
		{"wrong port", orders, profileYAML(pg, pg.port, "disable", "", 10), profileYAML(pg, fmt.Sprint(testenv.ClosedPort(t)), "disable", "", 10), "tcp_refused", "port"},
		{"TLS required against a server without it", payments, profileYAML(bouncer, bouncer.port, "disable", "", 10), profileYAML(bouncer, bouncer.port, "require", "", 10), "tls_not_supported_by_server", "tls"},
		{"pool over the server's capacity", orders, profileYAML(pg, pg.port, "disable", "", 10), profileYAML(pg, pg.port, "disable", "", 100000), "pool_capacity_exceeded", "pool.max_open"},
	}
	next := 0
	for _, tc := range cases {
		service := strings.TrimSuffix(filepath.Base(tc.file), ".yaml")
		began := time.Now()
		writeFile(t, tc.file, tc.bad)
		a, n := h.rec.wait(t, next, 5*time.Second, func(a alert.Alert) bool {
			return a.Rule == alert.RuleChangeInduced && a.State == alert.StateFiring
		})
		next = n
		took := time.Since(began)
		t.Logf("%s: alerted in %s: %s", tc.name, took.Round(time.Millisecond), a.Summary)
		if took > 2*time.Second {
			t.Errorf("%s: alert %s after the write, want < 2s", tc.name, took)
		}
		if a.Class != tc.class {
			t.Errorf("%s: class %q, want %q", tc.name, a.Class, tc.class)
		}
		if len(a.Targets) != 1 || !strings.HasSuffix(a.Targets[0].Profile, "deploy/eu/"+service+".yaml#database") {
			t.Errorf("%s: targets %+v, want the orders profile", tc.name, a.Targets)
		}
		if a.Cause == nil {
			t.Fatalf("%s: no likely cause; no_change_explains %q", tc.name, a.NoCause)
		}
		if a.Cause.Field.Field != tc.field {
			t.Errorf("%s: cause field %q, want %q", tc.name, a.Cause.Field.Field, tc.field)
		}
		if !strings.HasPrefix(a.Cause.Rollback, "dbguard rollback ") || !strings.Contains(a.Cause.Rollback, service+".yaml#database") {
			t.Errorf("%s: rollback command %q", tc.name, a.Cause.Rollback)
		}
		if !strings.Contains(a.Summary, tc.class) || !strings.Contains(a.Summary, "1 of 1 target of "+service+" failing") {
			t.Errorf("%s: summary %q", tc.name, a.Summary)
		}
		// Back to the good settings: the alert resolves.
		writeFile(t, tc.file, tc.good)
		_, next = h.rec.wait(t, next, 5*time.Second, func(r alert.Alert) bool {
			return r.State == alert.StateResolved && r.Key == a.Key
		})
	}
	h.noSecret(t, canary, pg.pw)
	if !strings.Contains(h.logs.String(), `"msg":"change recorded"`) {
		t.Errorf("no change recorded in the log:\n%s", h.logs.String())
	}
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// A password changed on the server, not in any file, alerts within one
// interval and a second, and says that no change explains it.
func TestServerSideFailureNamesNoChange(t *testing.T) {
	t.Parallel()
	pg := testPG(t)
	role, pw := "dbguard_w_"+randHex(4), "pw-"+randHex(8)
	testenv.PGExec(t, fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD '%s'", role, pw))
	t.Cleanup(func() {
		testenv.PGExec(t, fmt.Sprintf("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '%s'", role), "DROP ROLE IF EXISTS "+role)
	})
	pg.user = role
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "deploy", "billing.yaml"), profileYAML(pg, pg.port, "disable", "", 5))
	const interval = 2 * time.Second
	h := start(t, dir, `version: 1
watch:
  interval: 2s
  timeout: 2s
  sources:
    - paths: [deploy/]
  alerts:
    target_down: {failures: 1}
`, map[string]string{"DB_PASSWORD": pw})
	rotated := "rotated-" + randHex(8)
	began := time.Now()
	testenv.PGExec(t, fmt.Sprintf("ALTER ROLE %s PASSWORD '%s'", role, rotated))
	a, _ := h.rec.wait(t, 0, interval+3*time.Second, func(a alert.Alert) bool {
		return a.Rule == alert.RuleTargetDown && a.State == alert.StateFiring
	})
	took := time.Since(began)
	t.Logf("alerted in %s: %s", took.Round(time.Millisecond), a.Summary)
	if took > interval+time.Second+interval/10 {
		t.Errorf("alert %s after the server-side change, want within one interval (%s, jittered by 10%%) + 1s", took, interval)
	}
	if a.Class != string(verify.ClassAuthFailed) || a.Cause != nil || !strings.Contains(a.NoCause, "no change recorded") || !strings.Contains(a.NoCause, "stage auth") {
		t.Errorf("class %q cause %+v no_change_explains %q; want auth_failed, no cause, and why", a.Class, a.Cause, a.NoCause)
	}
	h.noSecret(t, pw, rotated)
}

// Three region folders of one service, one with a wrong port: the alert
// says 1 of 3.
func TestServiceShare(t *testing.T) {
	t.Parallel()
	pg := testPG(t)
	dir := t.TempDir()
	for _, region := range []string{"eu", "us", "ap"} {
		port := pg.port
		if region == "us" {
			port = fmt.Sprint(testenv.ClosedPort(t))
		}
		writeFile(t, filepath.Join(dir, "deploy", region, "orders.yaml"), profileYAML(pg, port, "disable", "", 5))
	}
	h := start(t, dir, `version: 1
watch:
  interval: 1s
  timeout: 2s
  sources:
    - paths: [deploy/]
  alerts:
    target_down: {failures: 2}
`, map[string]string{"DB_PASSWORD": pg.pw})
	a, _ := h.rec.wait(t, 0, 8*time.Second, func(a alert.Alert) bool {
		return a.Rule == alert.RuleTargetDown && a.State == alert.StateFiring
	})
	if a.Share != (alert.Share{Failing: 1, Total: 3}) || !strings.Contains(a.Summary, "1 of 3 targets of orders failing, 33%") {
		t.Errorf("share %+v summary %q, want 1 of 3", a.Share, a.Summary)
	}
	if a.Class != string(verify.ClassTCPRefused) || len(a.Targets) != 1 || !strings.Contains(a.Targets[0].Profile, "deploy/us/orders.yaml") {
		t.Errorf("class %q targets %+v", a.Class, a.Targets)
	}
}

// swapConfigMap updates a Kubernetes-style projected volume the way the
// kubelet does: a new timestamped folder, a new ..data link renamed over
// the old one, the old folder removed. The key's own link never changes.
func swapConfigMap(t *testing.T, mnt, key, content string) {
	t.Helper()
	stamp := "..2026_" + randHex(4)
	if err := os.Mkdir(filepath.Join(mnt, stamp), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mnt, stamp, key), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	old, _ := os.Readlink(filepath.Join(mnt, "..data"))
	if err := os.Symlink(stamp, filepath.Join(mnt, "..data_tmp")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(mnt, "..data_tmp"), filepath.Join(mnt, "..data")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(mnt, key)); err != nil {
		if err := os.Symlink(filepath.Join("..data", key), filepath.Join(mnt, key)); err != nil {
			t.Fatal(err)
		}
	}
	if old != "" {
		_ = os.RemoveAll(filepath.Join(mnt, old))
	}
}

// A ConfigMap update (the ..data swap) is seen, recorded and alerted like
// any write; since watch may not write a mounted file, the alert gives
// the revision and the git commands instead of a rollback it cannot do.
func TestConfigMapSwap(t *testing.T) {
	t.Parallel()
	pg := testPG(t)
	dir := t.TempDir()
	mnt := filepath.Join(dir, "etc", "orders")
	if err := os.MkdirAll(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	swapConfigMap(t, mnt, "orders.yaml", profileYAML(pg, pg.port, "disable", "", 10))
	h := start(t, dir, `version: 1
watch:
  interval: 30s
  timeout: 2s
  sources:
    - paths: [etc/orders/]
`, map[string]string{"DB_PASSWORD": pg.pw})
	began := time.Now()
	swapConfigMap(t, mnt, "orders.yaml", profileYAML(pg, fmt.Sprint(testenv.ClosedPort(t)), "disable", "", 10))
	a, _ := h.rec.wait(t, 0, 5*time.Second, func(a alert.Alert) bool {
		return a.Rule == alert.RuleChangeInduced && a.State == alert.StateFiring
	})
	if took := time.Since(began); took > 2*time.Second {
		t.Errorf("alert %s after the swap, want < 2s", took)
	}
	if a.Class != string(verify.ClassTCPRefused) || a.Cause == nil || a.Cause.Field.Field != "port" {
		t.Fatalf("class %q cause %+v, want tcp_refused caused by the port", a.Class, a.Cause)
	}
	if !strings.HasSuffix(a.Targets[0].Profile, "etc/orders/orders.yaml#database") {
		t.Errorf("target %q, want the key's own path, not the timestamped folder's", a.Targets[0].Profile)
	}
	if a.Cause.Rollback != "" || len(a.Cause.Git) == 0 || !strings.Contains(strings.Join(a.Cause.Git, "\n"), "--to ") {
		t.Errorf("a mounted file: rollback %q git %q, want no rollback and the revision with git commands", a.Cause.Rollback, a.Cause.Git)
	}
}

// An invalid dbguard.yaml is refused on reload: the running configuration
// stays, the log says why, and config_last_reload_successful says 0; a
// valid one then applies and says 1.
func TestReloadKeepsRunningConfig(t *testing.T) {
	t.Parallel()
	pg := testPG(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "deploy", "orders.yaml"), profileYAML(pg, pg.port, "disable", "", 10))
	base := "version: 1\nwatch:\n  interval: 30s\n  sources:\n    - paths: [deploy/]\n"
	h := start(t, dir, base, map[string]string{"DB_PASSWORD": pg.pw})
	gauge := func() float64 {
		mfs, err := h.reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() == "dbguard_config_last_reload_successful" {
				return mf.GetMetric()[0].GetGauge().GetValue()
			}
		}
		t.Fatal("no dbguard_config_last_reload_successful")
		return 0
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 5s; log:\n%s", what, h.logs.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	writeFile(t, filepath.Join(dir, "dbguard.yaml"), base+"  colour: blue\n")
	waitFor("the invalid file refused", func() bool { return gauge() == 0 })
	if !strings.Contains(h.logs.String(), `unknown key \"colour\"`) || !strings.Contains(h.logs.String(), "keeping the running configuration") {
		t.Errorf("the log does not say why the reload failed:\n%s", h.logs.String())
	}
	writeFile(t, filepath.Join(dir, "dbguard.yaml"), strings.Replace(base, "30s", "20s", 1))
	waitFor("the valid file applied", func() bool { return gauge() == 1 && strings.Contains(h.logs.String(), `"msg":"config reloaded"`) })
}

// A target that accepts and never answers holds one connection until its
// stage timeout and is not probed again while that probe runs: the
// connections open at once never exceed one (the probe, or its quick
// retry), however short the interval; the healthy target beside it keeps
// being probed.
func TestBlackholeHoldsOneSocket(t *testing.T) {
	t.Parallel()
	pg := testPG(t)
	var mu sync.Mutex
	open, peak, total := 0, 0, 0
	silent := testenv.Serve(t, func(c net.Conn) {
		mu.Lock()
		open, total = open+1, total+1
		peak = max(peak, open)
		mu.Unlock()
		_, _ = io.Copy(io.Discard, c) // until the prober closes it
		mu.Lock()
		open--
		mu.Unlock()
	})
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "deploy", "stalled.yaml"), profileYAML(pg, fmt.Sprint(silent.Port), "disable", "", 5))
	writeFile(t, filepath.Join(dir, "deploy", "orders.yaml"), profileYAML(pg, pg.port, "disable", "", 5))
	h := start(t, dir, `version: 1
watch:
  interval: 100ms
  timeout: 500ms
  sources:
    - paths: [deploy/]
`, map[string]string{"DB_PASSWORD": pg.pw})
	time.Sleep(2500 * time.Millisecond)
	mu.Lock()
	gotPeak, gotTotal := peak, total
	mu.Unlock()
	if gotPeak != 1 {
		t.Errorf("%d connections to the silent server at once, want 1", gotPeak)
	}
	// Each probe holds its connection for the stage timeout (500ms) and is
	// retried once: about 2.5 probes in 2.5s, never one per 100ms interval.
	if gotTotal < 2 || gotTotal > 8 {
		t.Errorf("%d connections to the silent server in 2.5s, want 2 to 8", gotTotal)
	}
	healthy := h.probes(t, func(p string) bool { return strings.HasSuffix(p, "orders.yaml#database") })
	if healthy < 10 {
		t.Errorf("the healthy target was probed %v times in 2.5s at a 100ms interval, want 10 or more", healthy)
	}
}

// Through a real Alertmanager: watch's alert is active there with the
// documented labels, and resolving it in watch ends it there.
func TestAlertmanagerEndToEnd(t *testing.T) {
	t.Parallel()
	am := testenv.Alertmanager(t)
	pg := testPG(t)
	dir := t.TempDir()
	service := "am" + randHex(4)
	file := filepath.Join(dir, "deploy", service+".yaml")
	writeFile(t, file, profileYAML(pg, fmt.Sprint(testenv.ClosedPort(t)), "disable", "", 5))
	h := start(t, dir, `version: 1
watch:
  interval: 300ms
  timeout: 1s
  sources:
    - paths: [deploy/]
  alerts:
    target_down: {failures: 1}
  notifiers:
    - {name: am, type: alertmanager, url_env: TEST_AM_URL, timeout: 2s}
`, map[string]string{"DB_PASSWORD": pg.pw, "TEST_AM_URL": am})
	active := func() []map[string]any {
		resp, err := http.Get(am + "/api/v2/alerts?filter=" + url.QueryEscape(`service="`+service+`"`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out []map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	waitFor := func(what string, ok func([]map[string]any) bool) []map[string]any {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			got := active()
			if ok(got) {
				return got
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: Alertmanager holds %v; log:\n%s", what, got, h.logs.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	got := waitFor("the alert in Alertmanager", func(as []map[string]any) bool { return len(as) > 0 })
	labels, _ := got[0]["labels"].(map[string]any)
	for k, want := range map[string]string{"alertname": "dbguard_target_down", "service": service, "environment": "production",
		"stage": "tcp", "class": "tcp_refused", "severity": "critical"} {
		if labels[k] != want {
			t.Errorf("label %s = %v, want %s (labels %v)", k, labels[k], want, labels)
		}
	}
	writeFile(t, file, profileYAML(pg, pg.port, "disable", "", 5))
	waitFor("the alert ended in Alertmanager", func(as []map[string]any) bool { return len(as) == 0 })
}

// A profile that cannot be probed (its host left unresolved) is listed
// once in the log with the reason and never probed; the others are.
func TestUnprobeableListedOnce(t *testing.T) {
	t.Parallel()
	pg := testPG(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "deploy", "orders.yaml"), profileYAML(pg, pg.port, "disable", "", 5))
	writeFile(t, filepath.Join(dir, "deploy", "ledger.yaml"), strings.Replace(profileYAML(pg, pg.port, "disable", "", 5), "host: "+pg.host, "host: ${LEDGER_DB_HOST}", 1))
	h := start(t, dir, "version: 1\nwatch:\n  interval: 200ms\n  sources:\n    - paths: [deploy/]\n", map[string]string{"DB_PASSWORD": pg.pw})
	time.Sleep(time.Second)
	log := h.logs.String()
	if n := strings.Count(log, `"msg":"profile not probed"`); n != 1 || !strings.Contains(log, `"profile":"deploy/ledger.yaml#database"`) {
		t.Errorf("%d \"profile not probed\" lines, want 1 naming deploy/ledger.yaml#database:\n%s", n, log)
	}
	if n := h.probes(t, func(p string) bool { return strings.Contains(p, "ledger") }); n != 0 {
		t.Errorf("the unprobeable profile was probed %v times", n)
	}
}

// probes sums dbguard_probes_total over the targets whose profile label
// match accepts.
func (h *harness) probes(t *testing.T, match func(profile string) bool) float64 {
	t.Helper()
	mfs, err := h.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, mf := range mfs {
		if mf.GetName() != "dbguard_probes_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "profile" && match(l.GetValue()) {
					total += m.GetCounter().GetValue()
				}
			}
		}
	}
	return total
}
