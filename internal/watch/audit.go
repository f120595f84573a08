package watch

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/audit"
	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/store"
)

// auditService is the service of an audit_worsened alert: one alert for
// the whole audit, as the audit is one report; a route sends it with
// match: {service: [audit]}.
const auditService = "audit"

// auditActor is the actor of the audit events watch stores; the alert
// compares an audit with the previous one of this actor only.
const auditActor = "dbguard watch"

// auditSched is the scheduled audit's state, owned by Run's goroutine:
// the audit itself runs in its own goroutine and hands its outcome back
// on done, so that the probes never wait for it.
type auditSched struct {
	timer   *time.Timer
	next    time.Time
	running bool
	done    chan auditRun
	// ref is, while the audit_worsened alert fires, the audit before the
	// worsening: the alert resolves when an audit is no longer worse
	// than it.
	ref   *audit.Body
	alert *alertState
}

// auditRun is one finished scheduled audit.
type auditRun struct {
	res *app.AuditResult
	// prev is the audit stored before this one (nil for the first).
	prev *audit.Body
	err  error
	took time.Duration
}

func newAuditSched() auditSched {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return auditSched{timer: t, done: make(chan auditRun, 1)}
}

// scheduleAudit sets the timer to the schedule's next time after now,
// in incidents.timezone (else UTC); it stops it without an audit entry.
func (w *Watcher) scheduleAudit(now time.Time) {
	a := w.w.Audit
	w.aud.timer.Stop()
	w.aud.next = time.Time{}
	if a == nil || a.Cron == nil {
		return
	}
	if w.st == nil {
		w.log.Warn("scheduled audits need the store (its trend and the audit events live there); none run without one")
		return
	}
	w.aud.next = a.Cron.Next(now.In(w.cfg.AuditZone()))
	w.aud.timer.Reset(w.aud.next.Sub(now))
}

// startAudit is the schedule's tick: it runs app.Audit in its own
// goroutine, bounded by watch.audit.timeout and cancelled with ctx (at
// shutdown), unless the previous audit is still running, when this one
// is skipped.
func (w *Watcher) startAudit(ctx context.Context) {
	due := w.aud.next
	w.scheduleAudit(time.Now())
	if w.aud.running {
		w.m.AuditRuns.WithLabelValues("skipped").Inc()
		w.log.Warn("scheduled audit skipped: the previous one is still running", "due", due.UTC().Format(time.RFC3339),
			"next", w.aud.next.UTC().Format(time.RFC3339))
		return
	}
	a := w.w.Audit
	if a == nil {
		return
	}
	paths, err := w.auditPaths()
	if err != nil {
		w.m.AuditRuns.WithLabelValues("failed").Inc()
		w.m.AuditLastRunOK.Set(0)
		w.log.Error("scheduled audit", "error", err.Error())
		return
	}
	req := app.AuditRequest{
		Check:   app.CheckRequest{Scan: app.ScanRequest{Paths: paths, Config: w.cfg}},
		Store:   w.storeRequest(),
		Probe:   w.o.Probe,
		Resolve: w.o.Resolve,
		NoLive:  !a.Live,
		Actor:   auditActor,
	}
	if req.Probe.StageTimeout <= 0 {
		req.Probe.StageTimeout = w.w.Timeout
	}
	w.aud.running = true
	w.inflight.Add(1)
	st := w.st
	go func() {
		defer w.inflight.Done()
		actx, cancel := context.WithTimeout(ctx, a.Timeout)
		defer cancel()
		began := time.Now()
		prev := previousAudit(actx, st.Store)
		res, err := app.Audit(actx, req)
		if err == nil && actx.Err() != nil {
			err = fmt.Errorf("audit cut short: %w", actx.Err())
		}
		w.aud.done <- auditRun{res: res, prev: prev, err: err, took: time.Since(began)}
	}()
}

// auditPaths are watch.audit.paths on disk, else the sources' paths.
func (w *Watcher) auditPaths() ([]string, error) {
	var out []string
	for _, g := range w.w.Audit.Paths {
		args, err := expand(w.base, g)
		if err != nil {
			return nil, err
		}
		out = append(out, args...)
	}
	if len(w.w.Audit.Paths) > 0 {
		return out, nil
	}
	for _, s := range w.srcs {
		if !slices.Contains(out, s.Arg) {
			out = append(out, s.Arg)
		}
	}
	return out, nil
}

// previousAudit is the body of watch's last scheduled audit in the
// store, nil when there is none or it cannot be read. A dbguard audit run
// by hand is passed over: its paths, named as given, key its check
// findings differently, and comparing with it would call them new.
func previousAudit(ctx context.Context, st *store.Store) *audit.Body {
	evs, err := st.Events(ctx, store.Query{Kinds: []store.Kind{app.KindAudit}, Limit: 50, Newest: true})
	if err != nil {
		return nil
	}
	for i := len(evs) - 1; i >= 0; i-- {
		var b audit.Body
		if evs[i].Actor.Name == auditActor && json.Unmarshal(evs[i].Body, &b) == nil {
			return &b
		}
	}
	return nil
}

// finishAudit takes a finished audit into the metrics and the log, and
// fires or resolves the audit_worsened alert.
func (w *Watcher) finishAudit(ctx context.Context, r auditRun) {
	w.aud.running = false
	now := time.Now()
	if r.err != nil {
		w.m.AuditRuns.WithLabelValues("failed").Inc()
		w.m.AuditLastRunOK.Set(0)
		w.log.Error("scheduled audit failed", "took", r.took.Round(time.Millisecond).String(), "error", r.err.Error())
		return
	}
	rep := r.res.Report
	s := rep.Summary
	w.m.AuditFindings.WithLabelValues("error").Set(float64(s.Errors))
	w.m.AuditFindings.WithLabelValues("warning").Set(float64(s.Warnings))
	w.m.AuditFindings.WithLabelValues("info").Set(float64(s.Infos))
	w.m.AuditLastRun.Set(float64(now.UnixNano()) / 1e9)
	if rep.Event == 0 {
		w.m.AuditRuns.WithLabelValues("failed").Inc()
		w.m.AuditLastRunOK.Set(0)
		w.log.Error("scheduled audit not stored", "note", rep.StoreNote, "errors", s.Errors)
	} else {
		w.m.AuditRuns.WithLabelValues("ok").Inc()
		w.m.AuditLastRunOK.Set(1)
		w.log.Info("scheduled audit", "event", rep.Event, "errors", s.Errors, "warnings", s.Warnings, "infos", s.Infos,
			"new", s.New, "fixed", s.Fixed, "still_open", s.Open, "took", r.took.Round(time.Millisecond).String())
	}
	if w.w.Audit == nil || w.w.Audit.NotifyOn != "worsened" {
		// notify_on: never since a reload: an open alert is closed, not
		// left firing with nothing to resolve it.
		w.aud.alert, w.aud.ref = nil, nil
		w.countAlerts()
		return
	}
	ref := r.prev
	if w.aud.alert != nil {
		ref = w.aud.ref
	}
	if ref == nil {
		return // the first audit: nothing to be worse than
	}
	newErrs := newErrors(ref, rep)
	worse := len(newErrs) > 0 || s.Errors > ref.Summary.Errors
	as := w.aud.alert
	switch {
	case worse:
		first := as == nil
		if first {
			as = &alertState{state: alert.StateFiring, startsAt: now}
			w.aud.alert, w.aud.ref = as, ref
		}
		a := auditAlert(rep, ref, newErrs, as.startsAt, now)
		failing := strings.Join(findingKeys(newErrs), "\x00")
		if !first && failing == as.failing && now.Sub(as.sentAt) < as.repeat {
			break
		}
		as.failing = failing
		as.to, as.repeat = route(w.w, a, nil)
		as.sent, as.sentAt = a, now
		w.notify(ctx, a, as.to)
	case as != nil:
		a := as.sent
		a.State, a.EndsAt, a.UpdatedAt = alert.StateResolved, now.UTC(), now.UTC()
		a.Summary = fmt.Sprintf("resolved: audit: %d errors, no longer worse than before the alert (%d errors)", s.Errors, ref.Summary.Errors)
		w.notify(ctx, a, as.to)
		w.aud.alert, w.aud.ref = nil, nil
	}
	w.countAlerts()
}

// newErrors are the report's error findings that were not errors in ref.
func newErrors(ref *audit.Body, rep *audit.Report) []audit.Finding {
	was := map[string]bool{}
	for _, f := range ref.Findings {
		if f.Severity >= policy.Error {
			was[f.Key] = true
		}
	}
	var out []audit.Finding
	for _, f := range rep.Findings {
		if f.Severity >= policy.Error && !was[f.Key] {
			out = append(out, f)
			was[f.Key] = true
		}
	}
	return out
}

func findingKeys(fs []audit.Finding) []string {
	keys := make([]string, len(fs))
	for i, f := range fs {
		keys[i] = f.Key
	}
	slices.Sort(keys)
	return keys
}

// auditAlert is the audit_worsened alert: how many new error findings,
// of which rules and services, and the error counts. It names rules and
// services only, never a finding's message, so it carries nothing read
// from a server or a file beyond what its rule id says.
func auditAlert(rep *audit.Report, ref *audit.Body, newErrs []audit.Finding, startsAt, now time.Time) alert.Alert {
	var rules, services []string
	for _, f := range newErrs {
		if !slices.Contains(rules, f.Rule) {
			rules = append(rules, f.Rule)
		}
		if f.Service != "" && !slices.Contains(services, f.Service) {
			services = append(services, f.Service)
		}
	}
	slices.Sort(rules)
	slices.Sort(services)
	var b strings.Builder
	noun := "findings"
	if len(newErrs) == 1 {
		noun = "finding"
	}
	fmt.Fprintf(&b, "audit worsened: %d new error %s", len(newErrs), noun)
	if len(rules) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(rules, ", "))
	}
	if len(services) > 0 {
		fmt.Fprintf(&b, " in %s", strings.Join(services, ", "))
	}
	fmt.Fprintf(&b, "; %d errors, %d before", rep.Summary.Errors, ref.Summary.Errors)
	if rep.Event != 0 {
		fmt.Fprintf(&b, " (audit event %d; dbguard history --kind audit)", rep.Event)
	}
	return alert.Alert{SchemaVersion: alert.SchemaVersion, Key: string(alert.RuleAuditWorsened) + "/" + auditService + "//",
		Rule: alert.RuleAuditWorsened, State: alert.StateFiring, Severity: alert.SeverityWarning, Summary: b.String(),
		Service: auditService, StartsAt: startsAt.UTC(), UpdatedAt: now.UTC(), Targets: []alert.Target{}}
}
