package metrics_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dbguard/dbguard/internal/metrics"
)

// TestSeriesWritesWhatLabelLookupsWrite: a target's bound series (and
// ObserveProbe, which goes through them) leave the page exactly as a
// WithLabelValues per series per probe did before them, probe after probe,
// failures and successes mixed, a target that never succeeded included
// (no zero success series for it).
func TestSeriesWritesWhatLabelLookupsWrite(t *testing.T) {
	at := time.Unix(1_700_000_000, 0)
	type probe struct {
		stage, class string
		stages       map[string]time.Duration
	}
	probes := []probe{
		{"tcp", "tcp_refused", map[string]time.Duration{"config": 0, "dns": time.Microsecond, "tcp": time.Millisecond}},
		{"tcp", "tcp_refused", map[string]time.Duration{"dns": time.Microsecond, "tcp": 2 * time.Millisecond}},
		{"", "", map[string]time.Duration{"config": 0, "dns": time.Microsecond, "tcp": 300 * time.Microsecond}},
		{"auth", "auth_failed", map[string]time.Duration{"tcp": time.Millisecond, "auth": 4 * time.Millisecond}},
		{"", "", map[string]time.Duration{"tcp": time.Millisecond}},
	}
	targets := []metrics.TargetLabels{
		{Profile: "a.env#DATABASE_URL", Service: "orders", Environment: "production"},
		{Profile: "b.env#DATABASE_URL", Service: "orders", Environment: "production"},
	}
	created := regexp.MustCompile(`created_timestamp:\{[^}]*\}`) // when a series was made, not what it says
	page := func(observe func(m *metrics.Metrics)) string {
		reg := prometheus.NewRegistry()
		m := metrics.New(reg)
		observe(m)
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, mf := range mfs {
			if strings.HasPrefix(mf.GetName(), metrics.Namespace+"_") {
				b.WriteString(created.ReplaceAllString(mf.String(), "") + "\n")
			}
		}
		return b.String()
	}
	want := page(func(m *metrics.Metrics) { // the lookups ObserveProbe made before Series
		for i, p := range probes {
			for _, tl := range targets[:1+i%2] {
				m.Probes.WithLabelValues(tl.Profile, tl.Service, tl.Environment, p.stage, p.class).Inc()
				for s, d := range p.stages {
					m.StageDuration.WithLabelValues(tl.Environment, s).Observe(d.Seconds())
				}
				up := m.TargetUp.WithLabelValues(tl.Profile, tl.Service, tl.Environment)
				failures := m.ConsecutiveFailures.WithLabelValues(tl.Profile, tl.Service, tl.Environment)
				last := m.LastSuccess.WithLabelValues(tl.Profile, tl.Service, tl.Environment)
				if p.class == "" {
					up.Set(1)
					failures.Set(0)
					last.Set(float64(at.Add(time.Duration(i)*time.Second).UnixNano()) / 1e9)
					continue
				}
				up.Set(0)
				failures.Inc()
				last.Add(0)
			}
		}
	})
	viaObserveProbe := page(func(m *metrics.Metrics) {
		for i, p := range probes {
			for _, tl := range targets[:1+i%2] {
				m.ObserveProbe(tl, p.stage, p.class, p.stages, at.Add(time.Duration(i)*time.Second))
			}
		}
	})
	if viaObserveProbe != want {
		t.Fatalf("ObserveProbe wrote\n%s\nthe lookups wrote\n%s", viaObserveProbe, want)
	}
	got := page(func(m *metrics.Metrics) {
		series := []*metrics.Series{m.Series(targets[0]), nil}
		for i, p := range probes {
			for k, tl := range targets[:1+i%2] {
				if series[k] == nil {
					series[k] = m.Series(tl)
				}
				for st, d := range p.stages {
					series[k].ObserveStage(st, d)
				}
				series[k].ObserveResult(p.stage, p.class, at.Add(time.Duration(i)*time.Second))
			}
		}
	})
	if got != want {
		t.Fatalf("bound series wrote\n%s\nthe lookups wrote\n%s", got, want)
	}
	if !strings.Contains(got, `value:"tcp_refused"`) || !strings.Contains(got, `"dbguard_target_up"`) {
		t.Fatalf("the page lacks the probe series:\n%s", got)
	}
}
