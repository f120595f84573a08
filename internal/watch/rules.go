package watch

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/alert"
	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/metrics"
	"github.com/dbguard/dbguard/internal/verify"
)

// marks are a target's recent probes for the failure-ratio rule, oldest
// first: each the probe's time after base (monotonic), shifted left once,
// with the low bit set for a failure. 8 bytes a probe where a time.Time
// and a bool took 32, in one array trimmed in place rather than resliced
// and grown: at 10,000 targets the history was 14 MB of watch's heap
// once the 5-minute window filled (bench/README.md, watch).
type marks struct {
	base time.Time
	at   []int64
}

// add records a probe finished at now and forgets those older than window.
func (m *marks) add(now time.Time, failed bool, window time.Duration) {
	if m.base.IsZero() {
		m.base = now
	}
	mark := int64(now.Sub(m.base)) << 1
	if failed {
		mark |= 1
	}
	cut := 0
	for cut < len(m.at) && mark>>1-m.at[cut]>>1 > int64(window) {
		cut++
	}
	if cut > 0 {
		m.at = m.at[:copy(m.at, m.at[cut:])]
	}
	m.at = append(m.at, mark)
}

// count gives the probes within window before now and how many failed.
func (m *marks) count(now time.Time, window time.Duration) (probes, failed int) {
	t := int64(now.Sub(m.base))
	for _, mark := range m.at {
		if t-mark>>1 <= int64(window) {
			probes++
			failed += int(mark & 1)
		}
	}
	return probes, failed
}

// tstate is what watch knows of one target between probes.
type tstate struct {
	t *target
	// next is when the target is due; inFlight while its probe runs.
	next     time.Time
	inFlight bool
	// ps and interval are the target's probe settings as of the
	// configuration numbered settingsGen (Watcher.settingsFor).
	ps          probeSettings
	interval    time.Duration
	settingsGen int
	// series are the target's metric series, bound to its labels.
	series *metrics.Series
	// slot is the target's place in the watcher's dueQueue, -1 when it
	// is not queued (in flight, not probeable, no longer watched).
	slot int
	// failures counts consecutive failed probes; since is the first of
	// them; last is the last probe's deciding attempt.
	failures int
	since    time.Time
	last     *verify.Attempt
	probed   bool
	history  marks
	// changed is set by a recorded change to the target's profile and
	// cleared by the first probe after it; changeFail keeps that that
	// probe failed, until the target recovers.
	changed    bool
	changeFail bool
	// revision is the file's recorded revision; verified the revision
	// last recorded as verified good.
	revision, verified string
}

// failing reports whether the target's last probe failed.
func (s *tstate) failing() bool { return s.probed && s.failures > 0 }

// keepLast keeps what the rules, alerts and verified-good records read of
// a probe's deciding attempt, in the state's own copy: not its stage
// ladder (eight stages, 448 bytes, the metrics' and the report's), nor,
// through a pointer into it, the probe's whole result. At 10,000 targets
// those were 5.5 MB of watch's heap.
func (s *tstate) keepLast(a *verify.Attempt) {
	if a == nil {
		s.last = nil
		return
	}
	if s.last == nil {
		s.last = new(verify.Attempt)
	}
	*s.last = *a
	s.last.Stages = nil
}

// observe updates the state with a finished probe.
func (s *tstate) observe(r verify.Result, now time.Time, window time.Duration) {
	a := r.Final()
	s.probed = true
	s.keepLast(a)
	failed := !r.OK()
	if failed {
		if s.failures == 0 {
			s.since = r.Start
			if s.since.IsZero() {
				s.since = now
			}
		}
		s.failures++
		if s.changed {
			s.changeFail = true
		}
	} else {
		s.failures, s.since, s.changeFail = 0, time.Time{}, false
	}
	s.changed = false
	s.history.add(now, failed, window)
}

// condition is one alert condition holding now, before routing and
// correlation.
type condition struct {
	rule    alert.Rule
	service string
	env     string
	class   verify.Class
	stage   verify.Stage
	// firing is false while the hold time has not passed (pending).
	firing  bool
	targets []*tstate
	// total is the service's target count in env.
	total   int
	summary string
}

func (c *condition) key() string {
	return strings.Join([]string{string(c.rule), c.service, c.env, string(c.class)}, "/")
}

// evaluate computes the conditions of one service in one environment
// from its targets' states. silenced reports a target's failure muted;
// firing reports whether an alert key is firing now, for the failure
// ratio's hysteresis: min_probes is what it takes to start firing, not to
// go on (a failing service probed less often while probe slots are
// scarce would otherwise resolve and fire again at every probe).
func evaluate(a config.WatchAlerts, service, env string, states []*tstate, now time.Time, silenced func(*tstate) bool, firing func(key string) bool) []*condition {
	byKey := map[string]*condition{}
	var out []*condition
	add := func(rule alert.Rule, class verify.Class, stage verify.Stage, firing bool, s *tstate) {
		c := &condition{rule: rule, service: service, env: env, class: class, stage: stage, total: len(states)}
		k := c.key()
		if prev, ok := byKey[k]; ok {
			c = prev
		} else {
			byKey[k] = c
			out = append(out, c)
		}
		c.firing = c.firing || firing
		if s != nil {
			c.targets = append(c.targets, s)
		}
	}
	probes, failed := 0, 0
	classes := map[verify.Class]int{}
	for _, s := range states {
		p, f := s.history.count(now, a.FailureRatio.Window)
		probes, failed = probes+p, failed+f
		if !s.failing() || s.last == nil || silenced(s) {
			continue
		}
		class, stage := s.last.Class, s.last.Stage
		classes[class]++
		if s.changeFail && a.ChangeInduced.Enabled {
			add(alert.RuleChangeInduced, class, stage, true, s)
		}
		down := s.failures >= a.TargetDown.Failures && now.Sub(s.since) >= a.TargetDown.For
		add(alert.RuleTargetDown, class, stage, down, s)
	}
	class := topClass(classes)
	ratioKey := (&condition{rule: alert.RuleFailureRatio, service: service, env: env, class: class}).key()
	enough := probes >= a.FailureRatio.MinProbes || firing(ratioKey)
	if enough && probes > 0 && float64(failed)/float64(probes) >= a.FailureRatio.Ratio {
		c := &condition{rule: alert.RuleFailureRatio, service: service, env: env, class: class, firing: true, total: len(states),
			summary: fmt.Sprintf("%d of %d probes of %s failed in the last %s", failed, probes, service, a.FailureRatio.Window)}
		for _, s := range states {
			if s.failing() && !silenced(s) {
				c.targets = append(c.targets, s)
				c.stage = s.last.Stage
			}
		}
		if len(c.targets) > 0 {
			out = append(out, c)
		}
	}
	for _, s := range states {
		if s.last == nil || !s.probed {
			continue
		}
		if cp := s.last.Capacity; cp != nil && cp.Max > 0 && float64(cp.Current) >= a.Capacity.Share*float64(cp.Max) {
			add(alert.RuleCapacity, "", verify.StageCapacity, true, s)
		}
		if na := s.last.CertNotAfter; !na.IsZero() && na.Sub(now) < a.CertExpiring.Within {
			add(alert.RuleCertExpiring, "", verify.StageTLS, true, s)
		}
	}
	return out
}

// topClass is the most frequent failing class, the first by name on a tie.
func topClass(counts map[verify.Class]int) verify.Class {
	var best verify.Class
	n := -1
	keys := make([]string, 0, len(counts))
	for c := range counts {
		keys = append(keys, string(c))
	}
	sort.Strings(keys)
	for _, k := range keys {
		if counts[verify.Class(k)] > n {
			best, n = verify.Class(k), counts[verify.Class(k)]
		}
	}
	return best
}

// severity is how urgent a rule is.
func severity(r alert.Rule) alert.Severity {
	switch r {
	case alert.RuleCertExpiring:
		return alert.SeverityWarning
	case alert.RuleCapacity:
		return alert.SeverityWarning
	}
	return alert.SeverityCritical
}

// route returns the notifiers an alert goes to and the repeat interval
// of the first matching route (4h when it sets none): routes are tried in
// order, the first match wins unless it says continue. ids are the
// failing targets' profile ids, which profile globs match besides the
// stable keys. Without routes, every notifier gets every alert.
func route(w *config.WatchConfig, a alert.Alert, ids []string) ([]string, time.Duration) {
	var out []string
	repeat := time.Duration(0)
	if len(w.Routes) == 0 {
		for _, n := range w.Notifiers {
			out = append(out, n.Name)
		}
	}
	for _, r := range w.Routes {
		if r.HasMatch && !routeMatches(r.Match, a, ids) {
			continue
		}
		for _, n := range r.Notifiers {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
		if repeat == 0 {
			repeat = r.RepeatInterval
		}
		if !r.Continue {
			break
		}
	}
	if repeat == 0 {
		repeat = 4 * time.Hour
	}
	return out, repeat
}

func routeMatches(m config.RouteMatch, a alert.Alert, ids []string) bool {
	in := func(list []string, v string) bool { return len(list) == 0 || slices.Contains(list, v) }
	if !in(m.Class, a.Class) || !in(m.Stage, a.Stage) || !in(m.Environment, a.Environment) || !in(m.Service, a.Service) {
		return false
	}
	if len(m.Profile) == 0 {
		return true
	}
	for _, g := range m.Profile {
		for _, t := range a.Targets {
			if g.Match(t.Profile) {
				return true
			}
		}
		for _, id := range ids {
			if g.Match(id) {
				return true
			}
		}
	}
	return false
}
