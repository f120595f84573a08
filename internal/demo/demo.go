package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/incident"
	"github.com/dbguard/dbguard/internal/metrics"
	"github.com/dbguard/dbguard/internal/pgserver"
	"github.com/dbguard/dbguard/internal/store"
	"github.com/dbguard/dbguard/internal/verify"
	"github.com/dbguard/dbguard/internal/watch"
)

// DefaultHold is the demo's incident resolve hold: long enough to show
// the incident waiting in "recovering", short enough for a demo (the
// default of dbguard.yaml's incidents section is 5 minutes).
const DefaultHold = 2 * time.Second

// Options are the demo's settings.
type Options struct {
	// Scenario names the fault the routine update brings (Scenarios);
	// "" is "password".
	Scenario string
	// Keep leaves the demo's folder (configuration, store, server data
	// and log) for inspection; the server is stopped all the same.
	Keep bool
	// Out receives the narration; nil discards it.
	Out io.Writer
	// Log receives watch's JSON log; nil discards it.
	Log io.Writer
	// Postmortem writes the drafted postmortem into the narration (the
	// caller's Markdown renderer); nil leaves it out.
	Postmortem func(io.Writer, *app.PostmortemDraft) error
	// Hold is the incident resolve hold (default DefaultHold).
	Hold time.Duration
	// Password is the service role's password, WrongPassword the one the
	// password scenario's update writes (a test plants canaries); "" is
	// a random one.
	Password, WrongPassword string
	// Bin is the folder of PostgreSQL's programs; "" finds it
	// (FindPostgres).
	Bin string
	// TempDir is where the demo's folder is made; "" is the system's.
	TempDir string
}

// Result is what the demo measured and produced.
type Result struct {
	Scenario Scenario
	// Dir is the demo's folder, removed unless Options.Keep.
	Dir  string
	Port int
	// Store is the SQLite file of the event store.
	Store string
	// The moments of the replay, as the demo saw them.
	Changed, Alerted, RolledBack, Recovered, Resolved time.Time
	// Alert is the firing alert as the webhook received it.
	Alert    alert.Alert
	Rollback *app.RollbackResult
	// Incident is projected from the store after its hold, with its
	// durations and drafted postmortem.
	Incident   *incident.Incident
	Durations  incident.Durations
	Postmortem *app.PostmortemDraft
	// Webhook holds the payloads the webhook received, as sent.
	Webhook []string
}

// Run replays the outage: a throwaway PostgreSQL, a service of three
// replicas watched by watch with a SQLite store and a webhook, a routine
// update that breaks one replica, the alert naming the changed field and
// the rollback, the rollback applied, recovery, the incident resolved and
// its postmortem drafted. Everything it starts is stopped and its folder
// removed (unless Keep) before it returns, also when ctx is cancelled.
func Run(ctx context.Context, o Options) (res *Result, err error) {
	sc, err := scenario(o.Scenario)
	if err != nil {
		return nil, err
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Hold <= 0 {
		o.Hold = DefaultHold
	}
	bin := o.Bin
	if bin == "" {
		if bin, err = FindPostgres(); err != nil {
			return nil, err
		}
	}
	n := &narrator{w: o.Out, start: time.Now()}
	n.say("dbguard demo, scenario %q: %s", sc.Name, sc.Story)
	dir, err := os.MkdirTemp(o.TempDir, "dbguard-demo-")
	if err != nil {
		return nil, fmt.Errorf("make the demo folder: %w", err)
	}
	res = &Result{Scenario: sc, Dir: dir, Store: filepath.Join(dir, "dbguard-store.db")}
	// Interrupted, cmd/dbguard ends the process within a second of the
	// signal, whatever the steps are doing (a store opening behind a lock
	// does not watch ctx): the server is stopped and the folder removed
	// from a goroutine of their own as soon as ctx ends. On the way out
	// the same clean-up runs once more, after everything else stopped.
	srv, err := newServer(bin, dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return res, err
	}
	var once sync.Once
	var cleanErr error
	cleanUp := func(now bool) error {
		once.Do(func() {
			if now {
				// Interrupted, the process has under a second left
				// (cmd/dbguard's stop grace): no clean shutdown is
				// waited for.
				cleanErr = srv.StopNow()
			} else {
				cleanErr = srv.Stop()
			}
			if o.Keep {
				return
			}
			if err := removeAll(dir); err != nil {
				cleanErr = errors.Join(cleanErr, fmt.Errorf("remove the demo folder: %w", err))
			}
		})
		return cleanErr
	}
	stopWatchdog := context.AfterFunc(ctx, func() { _ = cleanUp(true) })
	var undo []func() error
	defer func() {
		stopWatchdog()
		for i := len(undo) - 1; i >= 0; i-- {
			err = errors.Join(err, undo[i]())
		}
		err = errors.Join(err, cleanUp(ctx.Err() != nil))
		if ctx.Err() != nil && !o.Keep {
			// A step may have written into the folder after the
			// interrupt's clean-up removed it.
			_ = removeAll(dir)
		}
		if o.Keep {
			n.say("kept %s for inspection (configuration, store, server data and log); the server is stopped", dir)
		}
	}()

	// 1. The database.
	if err := srv.start(ctx); err != nil {
		return res, fmt.Errorf("start PostgreSQL: %w", err)
	}
	res.Port = srv.Port()
	password := o.Password
	if password == "" {
		password = randomHex(16)
	}
	if err := srv.createRole(ctx, "orders", password); err != nil {
		return res, err
	}
	n.say("started a throwaway PostgreSQL on 127.0.0.1:%d (data in %s, no TLS, max_connections %d)", srv.Port(), rel(dir, srv.Data()), maxConnections)

	// 2. The service and the webhook.
	hook, err := listenWebhook()
	if err != nil {
		return res, err
	}
	undo = append(undo, hook.close)
	good := settings{Port: srv.Port(), Password: "${ORDERS_DB_PASSWORD}", SSLMode: "disable", Pool: 5}
	for _, region := range regions {
		if err := writeFile(filepath.Join(dir, replicaFile(region)), good.yaml()); err != nil {
			return res, err
		}
	}
	repo := initRepository(ctx, dir)
	cfgPath := filepath.Join(dir, "dbguard.yaml")
	if err := writeFile(cfgPath, configYAML(hook.url, o.Hold)); err != nil {
		return res, err
	}
	n.say("wrote the orders service's configuration for three replicas%s: %s (the password comes from ORDERS_DB_PASSWORD, held in memory)", repo, strings.Join(replicaFiles(), ", "))

	// 3. watch, with its store and the webhook.
	keyText, err := store.NewKeyText()
	if err != nil {
		return res, err
	}
	env := map[string]string{
		"ORDERS_DB_PASSWORD": password,
		app.EnvStoreKey:      string(keyText),
		"HOME":               dir,
		"XDG_CONFIG_HOME":    filepath.Join(dir, ".config"),
	}
	getenv := func(k string) string { return env[k] }
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return res, err
	}
	sreq := app.StoreRequest{Location: res.Store, Dir: dir, Config: cfg, Getenv: getenv}
	stopWatch, err := startWatch(ctx, cfgPath, cfg, sreq, env, o.Log)
	if stopWatch != nil {
		undo = append(undo, stopWatch)
	}
	if err != nil {
		return res, err
	}
	st, err := app.OpenStore(ctx, sreq, false)
	if err != nil {
		return res, err
	}
	undo = append(undo, st.Close)
	if err := waitVerified(ctx, st.Store, len(regions)); err != nil {
		return res, err
	}
	n.say("watch probes the 3 replicas every 10s: all connect; each file is recorded in the store (%s, encrypted, key in memory) and marked verified good", rel(dir, res.Store))

	// 4. The routine update.
	f := faults{wrongPassword: o.WrongPassword}
	if f.wrongPassword == "" {
		f.wrongPassword = randomHex(12)
	}
	// Found free, and left so: nothing listens there.
	if f.closedPort, err = pgserver.FreePort(); err != nil {
		return res, err
	}
	bad := sc.breaks(good, f)
	target := replicaFile("eu")
	res.Changed = time.Now()
	if err := writeFile(filepath.Join(dir, target), bad.yaml()); err != nil {
		return res, err
	}
	n.say("routine update: %s in %s", sc.Update, target)

	// 5. The alert.
	a, err := hook.wait(ctx, 30*time.Second, func(a alert.Alert) bool { return a.State == alert.StateFiring && a.Cause != nil })
	if err != nil {
		return res, fmt.Errorf("wait for the alert: %w", err)
	}
	res.Alerted, res.Alert = time.Now(), a
	n.say("alert received by the webhook %s after the update: %s", since(res.Changed, res.Alerted), a.Summary)
	n.say("  the alert names the changed field %q (%s → %s) in %s and the rollback: %s", a.Cause.Field.Field, a.Cause.Field.Old, a.Cause.Field.New, rel(dir, a.Cause.Change.File), rel(dir, a.Cause.Rollback))
	if a.Cause.Field.Field != sc.Field {
		return res, fmt.Errorf("the alert names field %q, but the update changed %q", a.Cause.Field.Field, sc.Field)
	}
	if a.Cause.Rollback == "" {
		return res, fmt.Errorf("the alert names no rollback command: %s", a.Summary)
	}

	// 6. The rollback, as the alert says.
	rb, err := ParseRollback(a.Cause.Rollback)
	if err != nil {
		return res, err
	}
	rreq := app.RollbackRequest{Store: sreq, Target: rb.Target, To: rb.To, Actor: "dbguard demo (on call)"}
	if rb.Store != "" {
		rreq.Store.Location = rb.Store
	}
	rr, err := app.Rollback(ctx, rreq)
	if err != nil {
		return res, fmt.Errorf("apply the alert's rollback: %w", err)
	}
	res.RolledBack, res.Rollback = time.Now(), rr
	n.say("applied the alert's rollback (app.Rollback, as `%s` does): %s restored to revision %s", rel(dir, a.Cause.Rollback), rel(dir, rr.File), short(rr.To))

	// 7. Recovery.
	r, err := hook.wait(ctx, 30*time.Second, func(r alert.Alert) bool { return r.State == alert.StateResolved && r.Key == a.Key })
	if err != nil {
		return res, fmt.Errorf("wait for recovery: %w", err)
	}
	res.Recovered = r.EndsAt
	if res.Recovered.IsZero() {
		res.Recovered = time.Now()
	}
	n.say("connections recovered: the alert resolved %s after the rollback", since(res.RolledBack, time.Now()))
	n.say("waiting out the incident's resolve hold (%s for the demo; dbguard.yaml's incidents.resolve_hold, default 5m)", o.Hold)

	// 8. The incident and its postmortem.
	inc, err := waitResolved(ctx, sreq, res.Recovered.Add(o.Hold))
	if err != nil {
		return res, err
	}
	res.Resolved = inc.Incident.Resolved
	res.Incident, res.Durations = inc.Incident, inc.Durations
	n.say("incident %s resolved; its postmortem, drafted from the store:", inc.Incident.ID)
	pm, err := app.DraftPostmortem(ctx, app.IncidentRequest{Store: sreq, ID: inc.Incident.ID, Now: time.Now()})
	if err != nil {
		return res, fmt.Errorf("draft the postmortem: %w", err)
	}
	res.Postmortem = pm
	if o.Postmortem != nil {
		fmt.Fprintln(o.Out)
		if err := o.Postmortem(o.Out, pm); err != nil {
			return res, err
		}
		fmt.Fprintln(o.Out)
	}
	res.Webhook = hook.payloads()
	writeComparison(o.Out, res)
	return res, nil
}

// startWatch runs watch in process; the returned function stops it and
// waits for it.
func startWatch(ctx context.Context, cfgPath string, cfg *config.Config, sreq app.StoreRequest, env map[string]string, logw io.Writer) (func() error, error) {
	logger := slog.New(slog.NewJSONHandler(logw, nil))
	m := metrics.New(prometheus.NewRegistry())
	dir := filepath.Dir(cfgPath)
	w, err := watch.New(watch.Options{ConfigPath: cfgPath, Config: cfg, Store: sreq, Logger: logger, Metrics: m, ShutdownGrace: 2 * time.Second,
		NewSender: watch.NotifySender(dir, sreq.Getenv, m, logger),
		Resolve: verify.ResolveOptions{BaseDir: dir, Env: func(k string) (string, bool) {
			v, ok := env[k]
			return v, ok
		}}})
	if err != nil {
		return nil, fmt.Errorf("start watch: %w", err)
	}
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(wctx) }()
	stop := func() error {
		cancel()
		// Interrupted, the process ends within a second: watch holds no
		// process or file that outlives it, so it is not waited for long.
		limit := 20 * time.Second
		if ctx.Err() != nil {
			limit = 200 * time.Millisecond
		}
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) {
				return fmt.Errorf("watch: %w", err)
			}
			return nil
		case <-time.After(limit):
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("stop watch: it did not return within %s", limit)
		}
	}
	for deadline := time.Now().Add(20 * time.Second); !w.Ready(); {
		select {
		case err := <-done:
			cancel()
			return nil, fmt.Errorf("watch: %w", err)
		case <-ctx.Done():
			return stop, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return stop, errors.New("watch was not ready within 20s")
		}
	}
	return stop, nil
}

// waitVerified waits until watch has marked n files verified good.
func waitVerified(ctx context.Context, st *store.Store, n int) error {
	return poll(ctx, 30*time.Second, "the replicas to be verified good", func() (bool, error) {
		evs, err := st.Events(ctx, store.Query{Kinds: []store.Kind{store.KindVerification}})
		if err != nil {
			return false, err
		}
		files := map[string]bool{}
		for _, e := range evs {
			var b store.VerificationBody
			if json.Unmarshal(e.Body, &b) != nil || !b.OK {
				continue
			}
			for _, p := range e.Profiles {
				files[p.File] = true
			}
		}
		return len(files) >= n, nil
	})
}

// waitResolved projects the incidents until the one the demo caused has
// resolved (its hold ends at until).
func waitResolved(ctx context.Context, sreq app.StoreRequest, until time.Time) (*app.IncidentView, error) {
	var found *app.IncidentView
	err := poll(ctx, time.Until(until)+30*time.Second, "the incident to resolve", func() (bool, error) {
		l, err := app.ListIncidents(ctx, app.IncidentListRequest{Store: sreq, Now: time.Now()})
		if err != nil {
			return false, err
		}
		if len(l.Incidents) > 1 {
			return false, fmt.Errorf("%d incidents, want the demo's one", len(l.Incidents))
		}
		if len(l.Incidents) == 1 && l.Incidents[0].Incident.Status == incident.StatusResolved {
			found = &l.Incidents[0]
			return true, nil
		}
		return false, nil
	})
	return found, err
}

func poll(ctx context.Context, limit time.Duration, what string, done func() (bool, error)) error {
	deadline := time.Now().Add(limit)
	for {
		ok, err := done()
		if err != nil || ok {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("wait for %s: not within %s", what, limit.Round(time.Second))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

var regions = []string{"eu", "us", "ap"}

func replicaFile(region string) string { return "deploy/orders/" + region + "/app.yaml" }

func replicaFiles() []string {
	var out []string
	for _, r := range regions {
		out = append(out, replicaFile(r))
	}
	return out
}

// settings are one replica's database settings.
type settings struct {
	Port     int
	Password string
	SSLMode  string
	Pool     int
}

func (s settings) yaml() string {
	return fmt.Sprintf("env: production\ndatabase:\n  driver: postgres\n  host: 127.0.0.1\n  port: %d\n  name: orders\n  user: orders\n  password: %s\n  sslmode: %s\n  connect_timeout: 2\n  pool:\n    max_open: %d\n",
		s.Port, s.Password, s.SSLMode, s.Pool)
}

// configYAML is dbguard.yaml: one service of three replicas (two
// instances each, which the capacity stage multiplies the pool by),
// watched, alerts to the demo's webhook, incidents resolved after hold.
// The services section's paths are relative to the watched folder.
func configYAML(hookURL string, hold time.Duration) string {
	return fmt.Sprintf(`version: 1
replicas:
  - profile: "**"
    replicas: 2
services:
  - name: orders
    paths: ["orders/*/app.yaml"]
watch:
  interval: 10s
  timeout: 2s
  lookback: 10m
  sources:
    - paths: [deploy/]
  notifiers:
    - {name: demo-webhook, type: webhook, url: %q, timeout: 2s}
incidents:
  resolve_hold: %s
  timezone: UTC
`, hookURL, hold)
}

// initRepository makes the demo folder a git repository, as a service's
// configuration is, so that the store keys files by their path in it
// (deploy/orders/eu/app.yaml) and dbguard.yaml's service paths match.
// Without git the demo still runs, with absolute paths; it says which.
func initRepository(ctx context.Context, dir string) string {
	if err := exec.CommandContext(ctx, "git", "init", "-q", dir).Run(); err != nil {
		return " (git is not installed: files are named by their absolute paths)"
	}
	return " in a new git repository"
}

// removeAll removes the folder, again when something wrote into it while
// it was being removed (watch, still stopping).
func removeAll(dir string) error {
	var err error
	for range 3 {
		if err = os.RemoveAll(dir); err == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return err
}

// writeFile writes by rename, as editors and deploy tools do, so that
// watch never reads half a file.
func writeFile(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := app.WriteFileAtomic(path, []byte(content)); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// rel shortens the demo folder's paths in the narration.
func rel(dir, s string) string {
	return strings.ReplaceAll(s, dir+string(filepath.Separator), "")
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

func since(from, to time.Time) string {
	return to.Sub(from).Round(time.Millisecond).String()
}

// narrator writes one timestamped line per step.
type narrator struct {
	w     io.Writer
	start time.Time
}

func (n *narrator) say(format string, args ...any) {
	now := time.Now()
	fmt.Fprintf(n.w, "%s  +%5.1fs  %s\n", now.UTC().Format("15:04:05.000"), now.Sub(n.start).Seconds(), fmt.Sprintf(format, args...))
}
