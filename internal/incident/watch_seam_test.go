package incident_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/incident"
	"github.com/dbguard/dbguard/internal/metrics"
	"github.com/dbguard/dbguard/internal/store"
	"github.com/dbguard/dbguard/internal/testenv"
	"github.com/dbguard/dbguard/internal/verify"
	"github.com/dbguard/dbguard/internal/watch"
)

// TestWatchAlertsProjectAnIncident is the seam between watch and
// incident: the real watch engine, probing a real PostgreSQL, writes its
// alert events into a real store when a port change breaks a replica and
// its rewrite back mends it; Project, reading those events as they are
// stored, opens one incident naming the change, its field and the
// notifier watch handed the alert to, and sees it recover.
func TestWatchAlertsProjectAnIncident(t *testing.T) {
	u, err := url.Parse(testenv.PG(t))
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	dir := t.TempDir()
	file := filepath.Join(dir, "deploy", "orders.yaml")
	profile := func(port string) string {
		return fmt.Sprintf("env: production\ndatabase:\n  driver: postgres\n  host: %s\n  port: %s\n  name: %s\n  user: %s\n  password: ${DB_PASSWORD}\n  sslmode: disable\n",
			u.Hostname(), port, strings.TrimPrefix(u.Path, "/"), u.User.Username())
	}
	write := func(content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file+".tmp", []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(file+".tmp", file); err != nil {
			t.Fatal(err)
		}
	}
	write(profile(u.Port()))
	got := make(chan alert.State, 16)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch {
		case strings.Contains(string(body), `"state":"resolved"`):
			got <- alert.StateResolved
		case strings.Contains(string(body), `"state":"firing"`):
			got <- alert.StateFiring
		}
	}))
	t.Cleanup(hook.Close)
	cfgPath := filepath.Join(dir, "dbguard.yaml")
	yaml := "version: 1\nwatch:\n  interval: 30s\n  timeout: 2s\n  sources:\n    - paths: [deploy/]\n" +
		"  notifiers:\n    - {name: oncall, type: webhook, url_env: HOOK_URL, timeout: 2s}\n"
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	keyText, err := store.NewKeyText()
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DB_PASSWORD": pw, "HOOK_URL": hook.URL, app.EnvStoreKey: string(keyText), "XDG_CONFIG_HOME": filepath.Join(dir, ".config")}
	getenv := func(k string) string { return env[k] }
	logs := &testenv.Buffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	m := metrics.New(prometheus.NewRegistry())
	sreq := app.StoreRequest{Location: filepath.Join(dir, "state.db"), Dir: dir, Config: cfg, Getenv: getenv}
	w, err := watch.New(watch.Options{ConfigPath: cfgPath, Config: cfg, Store: sreq, Logger: logger, Metrics: m,
		NewSender: watch.NotifySender(dir, getenv, m, logger),
		Resolve: verify.ResolveOptions{BaseDir: dir, Env: func(k string) (string, bool) {
			v, ok := env[k]
			return v, ok
		}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("watch: %v", err)
		}
	}
	t.Cleanup(stop)
	for deadline := time.Now().Add(20 * time.Second); !w.Ready(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("watch not ready; log:\n%s", logs.String())
		}
	}
	await := func(want alert.State) {
		t.Helper()
		for {
			select {
			case s := <-got:
				if s == want {
					return
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("no %s alert within 10s; log:\n%s", want, logs.String())
			}
		}
	}
	write(profile(fmt.Sprint(testenv.ClosedPort(t))))
	await(alert.StateFiring)
	write(profile(u.Port()))
	await(alert.StateResolved)

	// watch hands the alert to the notifiers before it appends the event:
	// read the store until the resolved alert is in it.
	st, err := app.OpenStore(context.Background(), sreq, false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var p *incident.Projection
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		evs, err := st.Events(context.Background(), store.Query{Kinds: incident.Kinds()})
		if err != nil {
			t.Fatal(err)
		}
		p = incident.Project(evs, incident.Options{Now: time.Now().Add(time.Hour)})
		if len(p.Incidents) != 1 || p.Incidents[0].Status == incident.StatusResolved || time.Now().After(deadline) {
			break
		}
	}
	stop()
	if p.Unread != 0 || len(p.Incidents) != 1 {
		t.Fatalf("%d incidents, %d events unread; want 1, 0", len(p.Incidents), p.Unread)
	}
	inc := p.Incidents[0]
	if inc.Status != incident.StatusResolved || inc.Class != "tcp_refused" || inc.Service != "orders" {
		t.Errorf("incident %s %s/%s, want resolved orders/tcp_refused", inc.Status, inc.Service, inc.Class)
	}
	if inc.Cause == nil || inc.Cause.Field.Field != "port" || inc.Change == nil || !strings.HasSuffix(inc.Change.File, "deploy/orders.yaml") {
		t.Errorf("cause %+v, change %+v; want the port change of deploy/orders.yaml", inc.Cause, inc.Change)
	}
	var sent bool
	for _, e := range inc.Timeline {
		sent = sent || (e.What == incident.WhatNotification && strings.HasSuffix(e.Text, "sent to oncall"))
	}
	if !sent {
		t.Errorf("no notification to oncall in the timeline: %+v", inc.Timeline)
	}
	if du := incident.Measured(inc, inc.Resolved); du.Recover == nil || du.Detect == nil {
		t.Errorf("durations %+v, want detect and recover measured", du)
	}
}
