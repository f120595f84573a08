package incident

import (
	"sort"
	"time"
)

// Durations are an incident's measures, each read from event times; nil
// when the moment it ends at has not happened (or was not recorded).
type Durations struct {
	// Detect: first failed probe → alert fired.
	Detect *time.Duration
	// ChangeToAlert: the change that preceded it → alert fired.
	ChangeToAlert *time.Duration
	// Cause: alert fired → likely cause named; 0 when the firing alert
	// named it.
	Cause *time.Duration
	// Mitigate: alert fired → first rollback or fix.
	Mitigate *time.Duration
	// Recover: alert fired → every target succeeding again.
	Recover *time.Duration
	// Outage: first failed probe → every target succeeding again (up to
	// now while it lasts).
	Outage *time.Duration
}

// Measured reads an incident's durations at now.
func Measured(inc *Incident, now time.Time) Durations {
	var d Durations
	d.Detect = between(inc.Start, inc.Fired)
	if inc.Change != nil {
		d.ChangeToAlert = between(inc.Change.Time, inc.Fired)
	}
	d.Cause = between(inc.Fired, inc.CauseAt)
	d.Mitigate = between(inc.Fired, inc.Mitigated)
	d.Recover = between(inc.Fired, inc.Recovered)
	end := inc.Recovered
	if end.IsZero() {
		end = now
	}
	d.Outage = between(inc.Start, end)
	return d
}

// between is b - a, clamped at 0 (a cause named by the alert that fired is
// found at once); nil when either is unknown.
func between(a, b time.Time) *time.Duration {
	if a.IsZero() || b.IsZero() {
		return nil
	}
	d := b.Sub(a)
	if d < 0 {
		d = 0
	}
	return &d
}

// Group is the stats of the incidents of one environment and class.
type Group struct {
	Environment string
	Class       string
	Incidents   int
	// Mean durations over the incidents where each was measured, and how
	// many those were: MTTD, mean time to cause, MTTR (alert → recovered).
	MTTD, MeanTimeToCause, MTTR     *time.Duration
	Detected, CauseNamed, Recovered int
}

// Stats groups incidents by environment and class, in name order, with a
// last group for all of them (Environment and Class "*").
func Stats(incs []*Incident, now time.Time) []Group {
	type acc struct {
		g                    Group
		detect, cause, recov time.Duration
	}
	groups := map[[2]string]*acc{}
	all := &acc{g: Group{Environment: "*", Class: "*"}}
	for _, inc := range incs {
		k := [2]string{inc.Environment, inc.Class}
		a := groups[k]
		if a == nil {
			a = &acc{g: Group{Environment: inc.Environment, Class: inc.Class}}
			groups[k] = a
		}
		d := Measured(inc, now)
		for _, a := range []*acc{a, all} {
			a.g.Incidents++
			if d.Detect != nil {
				a.detect += *d.Detect
				a.g.Detected++
			}
			if d.Cause != nil {
				a.cause += *d.Cause
				a.g.CauseNamed++
			}
			if d.Recover != nil {
				a.recov += *d.Recover
				a.g.Recovered++
			}
		}
	}
	var out []Group
	keys := make([][2]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	accs := make([]*acc, 0, len(keys)+1)
	for _, k := range keys {
		accs = append(accs, groups[k])
	}
	if len(incs) > 0 {
		accs = append(accs, all)
	}
	for _, a := range accs {
		a.g.MTTD = mean(a.detect, a.g.Detected)
		a.g.MeanTimeToCause = mean(a.cause, a.g.CauseNamed)
		a.g.MTTR = mean(a.recov, a.g.Recovered)
		out = append(out, a.g)
	}
	return out
}

func mean(sum time.Duration, n int) *time.Duration {
	if n == 0 {
		return nil
	}
	m := (sum / time.Duration(n)).Round(time.Second)
	return &m
}
