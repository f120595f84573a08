package metrics_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dbguard/dbguard/internal/metrics"
)

// TestSeriesWritesWhatLabelLookupsWrite: a target's series (and
// ObserveProbe, which goes through them) leave the page exactly as the
// metric vectors they replaced did with a WithLabelValues per series per
// probe, probe after probe, failures and successes mixed, a target that
// never succeeded included (no zero success series for it). Help strings
// are left out: docs/metrics.md's test checks them.
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
	render := func(g prometheus.Gatherer) string {
		mfs, err := g.Gather()
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, mf := range mfs {
			if strings.HasPrefix(mf.GetName(), metrics.Namespace+"_probe") || strings.HasPrefix(mf.GetName(), metrics.Namespace+"_target_") {
				mf.Help = nil
				b.WriteString(created.ReplaceAllString(mf.String(), "") + "\n")
			}
		}
		return b.String()
	}
	page := func(observe func(m *metrics.Metrics)) string {
		reg := prometheus.NewPedanticRegistry()
		observe(metrics.New(reg))
		return render(reg)
	}
	// The reference: the metric vectors Series replaced, one lookup per
	// series per probe, beside metrics.New's stage histogram.
	reg := prometheus.NewRegistry()
	probesVec := prometheus.NewCounterVec(prometheus.CounterOpts{Name: metrics.Namespace + "_probes_total"},
		[]string{"profile", "service", "environment", "stage", "class"})
	gauge := func(name string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: metrics.Namespace + name}, []string{"profile", "service", "environment"})
	}
	upVec, failuresVec, lastVec := gauge("_target_up"), gauge("_target_consecutive_failures"), gauge("_target_last_success_timestamp_seconds")
	m := metrics.New(prometheus.NewRegistry())
	reg.MustRegister(probesVec, upVec, failuresVec, lastVec, m.StageDuration)
	for i, p := range probes {
		for _, tl := range targets[:1+i%2] {
			probesVec.WithLabelValues(tl.Profile, tl.Service, tl.Environment, p.stage, p.class).Inc()
			for s, d := range p.stages {
				m.StageDuration.WithLabelValues(tl.Environment, s).Observe(d.Seconds())
			}
			up := upVec.WithLabelValues(tl.Profile, tl.Service, tl.Environment)
			failures := failuresVec.WithLabelValues(tl.Profile, tl.Service, tl.Environment)
			last := lastVec.WithLabelValues(tl.Profile, tl.Service, tl.Environment)
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
	want := render(reg)
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

// TestForgetTargetDropsItsSeries: a target no longer watched leaves the
// page, every series of it, and comes back fresh when watched again.
func TestForgetTargetDropsItsSeries(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m := metrics.New(reg)
	gone := metrics.TargetLabels{Profile: "a.env#DATABASE_URL", Service: "orders", Environment: "production"}
	kept := metrics.TargetLabels{Profile: "b.env#DATABASE_URL", Service: "orders", Environment: "production"}
	for _, tl := range []metrics.TargetLabels{gone, kept} {
		m.ObserveProbe(tl, "", "", nil, time.Now())
		m.ObserveProbe(tl, "tcp", "tcp_refused", nil, time.Now())
	}
	m.ForgetTarget(gone)
	count := func(profile string) int {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, mf := range mfs {
			for _, s := range mf.GetMetric() {
				for _, l := range s.GetLabel() {
					if l.GetName() == "profile" && l.GetValue() == profile {
						n++
					}
				}
			}
		}
		return n
	}
	if n := count(gone.Profile); n != 0 {
		t.Fatalf("a forgotten target still has %d series", n)
	}
	if n := count(kept.Profile); n != 5 { // up, failures, last success, two probes_total
		t.Fatalf("the kept target has %d series, want 5", n)
	}
	m.ObserveProbe(gone, "", "", nil, time.Now())
	if n := count(gone.Profile); n != 4 {
		t.Fatalf("a target watched again has %d series, want 4 (no failure count from before)", n)
	}
}

// TestSeriesScrapedWhileObserved: scrapes run beside the loop that
// observes probes (go test -race).
func TestSeriesScrapedWhileObserved(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m := metrics.New(reg)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 2000 {
			tl := metrics.TargetLabels{Profile: fmt.Sprintf("t%d.env#DATABASE_URL", i%50), Service: "orders", Environment: "production"}
			s := m.Series(tl)
			if i%3 == 0 {
				s.ObserveResult("tcp", fmt.Sprintf("class_%d", i%7), time.Now())
			} else {
				s.ObserveResult("", "", time.Now())
			}
			if i%97 == 0 {
				m.ForgetTarget(tl)
			}
		}
	}()
	for {
		if _, err := reg.Gather(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-done:
			return
		default:
		}
	}
}
