package watch

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/store"
	"github.com/dbguard/dbguard/internal/verify"
)

// KindAlert is the store event kind of an alert notification.
const KindAlert store.Kind = "alert"

// alertState is one alert's life: pending, firing (notified), then
// resolved and forgotten.
type alertState struct {
	state    alert.State
	startsAt time.Time
	// sent is the last alert notified; sentAt when; failing the target
	// keys it named, to notify again when the set changes.
	sent    alert.Alert
	sentAt  time.Time
	failing string
	repeat  time.Duration
	to      []string
}

// alertBody is the store event of an alert notification.
type alertBody struct {
	SchemaVersion int         `json:"schema_version"`
	Alert         alert.Alert `json:"alert"`
	Notifiers     []string    `json:"notifiers"`
}

// reconcileAll evaluates every service's conditions and moves the
// alerts through their states.
func (w *Watcher) reconcileAll(ctx context.Context) {
	now := time.Now()
	groups := map[[2]string][]*tstate{}
	for _, s := range w.states {
		if s.t.Problem != "" {
			continue
		}
		k := [2]string{s.t.Prof.Service, string(s.t.Prof.Environment)}
		groups[k] = append(groups[k], s)
	}
	live := map[string]*condition{}
	keys := make([][2]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	for _, k := range keys {
		for _, c := range evaluate(w.w.Alerts, k[0], k[1], groups[k], now, w.silenced(now), w.firing) {
			live[c.key()] = c
		}
	}
	for _, k := range slices.Sorted(maps.Keys(live)) {
		w.advance(ctx, live[k], now)
	}
	for k, as := range w.alerts {
		if _, ok := live[k]; ok {
			continue
		}
		if as.state == alert.StateFiring {
			a := as.sent
			a.State, a.EndsAt, a.UpdatedAt = alert.StateResolved, now, now
			a.Summary = "resolved: " + a.Summary
			w.notify(ctx, a, as.to)
		}
		delete(w.alerts, k)
	}
	w.countAlerts()
}

// firing reports whether the alert with this key is firing.
func (w *Watcher) firing(key string) bool {
	as, ok := w.alerts[key]
	return ok && as.state == alert.StateFiring
}

// silenced returns the test of a target's failure against the silences.
func (w *Watcher) silenced(now time.Time) func(*tstate) bool {
	return func(s *tstate) bool {
		for _, sl := range w.w.Silences {
			if s.last != nil && (sl.Matches(s.t.ID, string(s.last.Class), now) || sl.Matches(s.t.Key, string(s.last.Class), now)) {
				return true
			}
		}
		return false
	}
}

// advance moves one live condition's alert forward: a new one starts
// pending (or firing when its rule fires at once), a firing one is
// notified when it starts firing, when its failing targets change and
// after its route's repeat interval.
func (w *Watcher) advance(ctx context.Context, c *condition, now time.Time) {
	k := c.key()
	as, ok := w.alerts[k]
	if !ok {
		as = &alertState{state: alert.StatePending, startsAt: now}
		for _, s := range c.targets {
			if !s.since.IsZero() && s.since.Before(as.startsAt) {
				as.startsAt = s.since
			}
		}
		w.alerts[k] = as
	}
	failing := failingKeys(c)
	switch {
	case !c.firing:
		as.state = alert.StatePending
		return
	case as.state != alert.StateFiring:
	case failing != as.failing:
	case now.Sub(as.sentAt) >= as.repeat:
	default:
		return
	}
	as.state, as.failing = alert.StateFiring, failing
	a := w.build(ctx, c, as, now)
	as.to, as.repeat = route(w.w, a, targetIDs(c))
	as.sent, as.sentAt = a, now
	w.notify(ctx, a, as.to)
}

func failingKeys(c *condition) string {
	keys := make([]string, len(c.targets))
	for i, s := range c.targets {
		keys[i] = s.t.Key
	}
	sort.Strings(keys)
	return strings.Join(keys, "\x00")
}

func targetIDs(c *condition) []string {
	ids := make([]string, len(c.targets))
	for i, s := range c.targets {
		ids[i] = s.t.ID
	}
	return ids
}

// build fills in an alert's evidence: the failing targets, the service's
// share, the recent changes to them and the one whose field explains the
// class, with the commands that roll it back and prove the result.
func (w *Watcher) build(ctx context.Context, c *condition, as *alertState, now time.Time) alert.Alert {
	a := alert.Alert{SchemaVersion: alert.SchemaVersion, Key: c.key(), Rule: c.rule, State: alert.StateFiring,
		Severity: severity(c.rule), Service: c.service, Environment: c.env, Stage: string(c.stage), Class: string(c.class),
		StartsAt: as.startsAt.UTC(), UpdatedAt: now.UTC(), Targets: []alert.Target{}}
	a.Share = alert.Share{Failing: len(c.targets), Total: c.total}
	sort.Slice(c.targets, func(i, j int) bool { return c.targets[i].t.Key < c.targets[j].t.Key })
	var verifyArgs []string
	for _, s := range c.targets {
		t := alert.Target{Profile: s.t.Key, Name: s.t.Prof.Name, File: s.t.FileKey, FailingSince: s.since.UTC(), Failures: s.failures}
		if l := s.last; l != nil {
			t.Host, t.Port = l.Host, l.Port
			t.Stage, t.Class, t.Code, t.Detail = string(l.Stage), string(l.Class), l.Code, l.Detail
		}
		a.Targets = append(a.Targets, t)
		verifyArgs = append(verifyArgs, "--profile "+app.ShellQuote(s.t.Prof.ID), app.ShellQuote(s.t.Src.Arg))
	}
	a.Verify = "dbguard verify " + strings.Join(dedupe(verifyArgs), " ")
	explained := c.rule != alert.RuleCertExpiring
	if w.st != nil && explained {
		for _, s := range c.targets {
			ch, err := recentChanges(ctx, w.st.Store, s.t, now, w.w.Lookback)
			if err != nil {
				w.log.Error("read recent changes", "profile", s.t.ID, "error", err.Error())
				continue
			}
			a.Changes = append(a.Changes, ch...)
		}
		sort.SliceStable(a.Changes, func(i, j int) bool { return a.Changes[i].Time.After(a.Changes[j].Time) })
		class := c.class
		if c.rule == alert.RuleCapacity {
			class = verify.ClassPoolCapacityExceeded
		}
		if ch, f, ok := likelyCause(a.Changes, class); ok {
			a.Cause = &alert.Cause{Change: ch, Field: f}
			w.rollback(ctx, a.Cause, c)
		}
	}
	if a.Cause == nil && explained && c.rule != alert.RuleCapacity {
		a.NoCause = noCause(c.class, c.stage, w.w.Lookback)
	}
	a.Summary = summary(a)
	return a
}

// rollback fills in how to undo the cause: the dbguard rollback command
// to the profile's last verified-good revision when watch could write the
// file, else the revision and the git commands.
func (w *Watcher) rollback(ctx context.Context, cause *alert.Cause, c *condition) {
	var t *target
	for _, s := range c.targets {
		if s.t.Key == cause.Change.Profile {
			t = s.t
		}
	}
	if t == nil {
		return
	}
	rev, _, ok, err := w.st.VerifiedGood(ctx, store.ProfileKey{File: t.FileKey, KeyPath: t.Prof.KeyPath})
	if err != nil || !ok {
		rev = previousRevision(ctx, w.st.Store, cause.Change)
	}
	if rev == "" {
		return
	}
	storeFlag := ""
	if loc := w.o.Store.Location; loc != "" && !strings.Contains(loc, "://") {
		storeFlag = " --store " + app.ShellQuote(loc)
	}
	if writable(t.Disk) {
		cause.Rollback = fmt.Sprintf("dbguard rollback%s --to %s %s", storeFlag, rev, app.ShellQuote(t.Key))
		return
	}
	cause.Git = []string{
		fmt.Sprintf("dbguard rollback%s --dry-run --to %s %s", storeFlag, rev, app.ShellQuote(t.Key)),
		"git log -p -- <the source of " + t.FileKey + " in its repository>",
		"git revert <the commit that changed " + cause.Field.Field + ">",
	}
}

// previousRevision is the revision a change replaced, from its event.
func previousRevision(ctx context.Context, st *store.Store, ch alert.Change) string {
	evs, err := st.Events(ctx, store.Query{Kinds: []store.Kind{store.KindChange}, Since: ch.Time.Add(-time.Second), Until: ch.Time.Add(time.Second)})
	if err != nil {
		return ""
	}
	for _, ev := range evs {
		if ev.ID != ch.Event {
			continue
		}
		var body store.ChangeBody
		if json.Unmarshal(ev.Body, &body) == nil {
			return body.Previous
		}
	}
	return ""
}

// summary is an alert's one line.
func summary(a alert.Alert) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): ", a.Service, a.Environment)
	switch a.Rule {
	case alert.RuleCapacity:
		fmt.Fprintf(&b, "connections near the server's max_connections on %d of %d targets", a.Share.Failing, a.Share.Total)
	case alert.RuleCertExpiring:
		fmt.Fprintf(&b, "server certificate expiring on %d of %d targets", a.Share.Failing, a.Share.Total)
	default:
		fmt.Fprintf(&b, "%s at stage %s; %s", a.Class, a.Stage, a.Share.Describe(a.Service))
	}
	switch {
	case a.Cause != nil:
		fmt.Fprintf(&b, "; likely cause: %s changed (%s -> %s) in %s", a.Cause.Field.Field, a.Cause.Field.Old, a.Cause.Field.New, a.Cause.Change.File)
		if a.Cause.Rollback != "" {
			fmt.Fprintf(&b, "; roll back: %s", a.Cause.Rollback)
		}
	case a.NoCause != "":
		b.WriteString("; " + a.NoCause)
	}
	return b.String()
}

// notify sends an alert to its notifiers, records it in the store as an
// alert event and logs it.
func (w *Watcher) notify(ctx context.Context, a alert.Alert, to []string) {
	w.log.Info("alert", "key", a.Key, "state", string(a.State), "rule", string(a.Rule), "service", a.Service,
		"environment", a.Environment, "stage", a.Stage, "class", a.Class, "failing", a.Share.Failing, "total", a.Share.Total,
		"notifiers", to, "summary", a.Summary)
	if w.sender != nil && len(to) > 0 {
		w.sender.Send(to, a)
	}
	if w.st == nil {
		return
	}
	raw, err := json.Marshal(alertBody{SchemaVersion: store.BodyVersion, Alert: a, Notifiers: to})
	if err != nil {
		w.log.Error("record the alert", "error", err.Error())
		return
	}
	var profiles []store.EventProfile
	for _, t := range a.Targets {
		file, keyPath := profile.SplitID(t.Profile)
		profiles = append(profiles, store.EventProfile{ProfileKey: store.ProfileKey{File: file, KeyPath: keyPath}, Service: a.Service, Env: a.Environment})
	}
	if _, err := w.st.Append(ctx, store.Event{Kind: KindAlert, Time: a.UpdatedAt, Actor: store.Actor{Name: "dbguard watch", Origin: "watch"},
		Profiles: profiles, Body: raw}); err != nil {
		w.log.Error("record the alert", "error", err.Error())
	}
}

// countAlerts sets the alerts gauge.
func (w *Watcher) countAlerts() {
	w.m.Alerts.Reset()
	for _, r := range []alert.Rule{alert.RuleTargetDown, alert.RuleFailureRatio, alert.RuleChangeInduced, alert.RuleCapacity, alert.RuleCertExpiring, alert.RuleAuditWorsened} {
		for _, st := range []alert.State{alert.StatePending, alert.StateFiring} {
			w.m.Alerts.WithLabelValues(string(r), string(st)).Set(0)
		}
	}
	for k, as := range w.alerts {
		rule, _, _ := strings.Cut(k, "/")
		w.m.Alerts.WithLabelValues(rule, string(as.state)).Inc()
	}
	if as := w.aud.alert; as != nil {
		w.m.Alerts.WithLabelValues(string(alert.RuleAuditWorsened), string(as.state)).Inc()
	}
}

func dedupe(ss []string) []string {
	var out []string
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
