package metrics

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// TargetSeries holds every watched target's own series: probes_total,
// target_up, target_consecutive_failures and
// target_last_success_timestamp_seconds (their names, labels and help are
// New's, in metrics.go). It is one collector rather than four metric
// vectors because of memory: a vector's child keeps its label values
// twice and three or five protobuf label pairs of its own, about 640
// bytes a series and 2.5 KiB a target, which at 10,000 targets was a
// third of watch's live heap (bench/README.md, watch, "Memory per
// target"). Here a target's values are plain numbers beside one set of
// label pairs shared by its series, and the page is built from them when
// it is scraped.
type TargetSeries struct {
	probes, up, fails, last *prometheus.Desc
	// names are the label names' protobuf strings, shared by every pair;
	// empty is the pair value of a success's stage and class.
	names map[string]*string
	// noClass and noStage are the class and stage pairs of a success.
	noClass, noStage *dto.LabelPair

	mu       sync.Mutex
	byLabels map[TargetLabels]*Series
}

func newTargetSeries(probes, up, fails, last *prometheus.Desc) *TargetSeries {
	ts := &TargetSeries{probes: probes, up: up, fails: fails, last: last, names: map[string]*string{},
		byLabels: map[TargetLabels]*Series{}}
	for _, n := range []string{"class", "environment", "profile", "service", "stage"} {
		ts.names[n] = proto.String(n)
	}
	ts.noClass, ts.noStage = ts.pair("class", proto.String("")), ts.pair("stage", proto.String(""))
	return ts
}

func (ts *TargetSeries) pair(name string, value *string) *dto.LabelPair {
	return &dto.LabelPair{Name: ts.names[name], Value: value}
}

// Describe implements prometheus.Collector.
func (ts *TargetSeries) Describe(ch chan<- *prometheus.Desc) {
	ch <- ts.probes
	ch <- ts.up
	ch <- ts.fails
	ch <- ts.last
}

// Collect implements prometheus.Collector: the targets are listed under
// the lock, their series written without it, so that a scrape never
// holds up watch's loop longer than the listing.
func (ts *TargetSeries) Collect(ch chan<- prometheus.Metric) {
	ts.mu.Lock()
	all := make([]*Series, 0, len(ts.byLabels))
	for _, s := range ts.byLabels {
		all = append(all, s)
	}
	ts.mu.Unlock()
	for _, s := range all {
		ch <- targetGauge{s, ts.up}
		ch <- targetGauge{s, ts.fails}
		ch <- targetGauge{s, ts.last}
		s.mu.Lock()
		counts := s.counts
		s.mu.Unlock()
		for _, c := range counts {
			ch <- probeCounter{c, ts.probes}
		}
	}
}

// targetGauge is one of a target's gauges, as a scrape writes it.
type targetGauge struct {
	s    *Series
	desc *prometheus.Desc
}

func (g targetGauge) Desc() *prometheus.Desc { return g.desc }

func (g targetGauge) Write(m *dto.Metric) error {
	var v float64
	switch g.desc {
	case g.s.ts.up:
		v = float64(g.s.up.Load())
	case g.s.ts.fails:
		v = float64(g.s.fails.Load())
	default:
		v = float64(g.s.lastNanos.Load()) / 1e9
	}
	m.Label = g.s.pairs[:]
	m.Gauge = &dto.Gauge{Value: proto.Float64(v)}
	return nil
}

// probeCount is one probes_total series of a target: one (stage, class)
// pair, counted since created.
type probeCount struct {
	stage, class string
	n            atomic.Uint64
	pairs        []*dto.LabelPair // class, environment, profile, service, stage: sorted
	created      *timestamppb.Timestamp
}

type probeCounter struct {
	c    *probeCount
	desc *prometheus.Desc
}

func (pc probeCounter) Desc() *prometheus.Desc { return pc.desc }

func (pc probeCounter) Write(m *dto.Metric) error {
	m.Label = pc.c.pairs
	m.Counter = &dto.Counter{Value: proto.Float64(float64(pc.c.n.Load())), CreatedTimestamp: pc.c.created}
	return nil
}

// Series are one target's series. watch keeps one per target and
// observes every probe through it: a success costs a few atomic writes,
// no label lookup. Series with the same labels are one: Metrics.Series
// returns the existing one. ObserveResult is safe for concurrent use;
// ObserveStage, which caches the stage histograms it has used, is not
// (watch's loop owns a target's Series).
type Series struct {
	ts     *TargetSeries
	m      *Metrics
	labels TargetLabels
	pairs  [3]*dto.LabelPair // environment, profile, service: sorted, as Gather wants them

	up, fails, lastNanos atomic.Uint64
	// succeeded is probes_total with no stage and class, made on the
	// first success so that a target that never succeeded shows no zero
	// success series; counts are every probes_total series of the
	// target, appended under mu.
	succeeded atomic.Pointer[probeCount]
	mu        sync.Mutex
	counts    []*probeCount
	// stages are the probe_stage_duration_seconds children seen so far.
	stages []stageObserver
}

type stageObserver struct {
	stage string
	o     prometheus.Observer
}

// Series returns t's series, made on first use.
func (m *Metrics) Series(t TargetLabels) *Series {
	ts := m.PerTarget
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if s, ok := ts.byLabels[t]; ok {
		return s
	}
	s := &Series{ts: ts, m: m, labels: t}
	s.pairs = [3]*dto.LabelPair{ts.pair("environment", proto.String(t.Environment)),
		ts.pair("profile", proto.String(t.Profile)), ts.pair("service", proto.String(t.Service))}
	ts.byLabels[t] = s
	return s
}

// forget drops t's series from the page.
func (ts *TargetSeries) forget(t TargetLabels) {
	ts.mu.Lock()
	delete(ts.byLabels, t)
	ts.mu.Unlock()
}

// Labels are the labels the series are bound to: when a target's change
// them (its service edited), the caller takes new Series.
func (s *Series) Labels() TargetLabels { return s.labels }

// ObserveStage records how long one stage of a probe took.
func (s *Series) ObserveStage(stage string, d time.Duration) {
	for _, so := range s.stages {
		if so.stage == stage {
			so.o.Observe(d.Seconds())
			return
		}
	}
	o := s.m.StageDuration.WithLabelValues(s.labels.Environment, stage)
	s.stages = append(s.stages, stageObserver{stage, o})
	o.Observe(d.Seconds())
}

// ObserveResult records a finished probe's outcome: the deciding stage
// and class (class "" for a success), and the target's up state and
// consecutive failures.
func (s *Series) ObserveResult(stage, class string, at time.Time) {
	if class == "" {
		c := s.succeeded.Load()
		if stage != "" {
			c = s.count(stage, class)
		} else if c == nil {
			c = s.count("", "")
			s.succeeded.Store(c)
		}
		c.n.Add(1)
		s.up.Store(1)
		s.fails.Store(0)
		s.lastNanos.Store(uint64(at.UnixNano()))
		return
	}
	// Failures are rare and their (stage, class) many: looked up each time.
	s.count(stage, class).n.Add(1)
	s.up.Store(0)
	s.fails.Add(1)
}

// count returns the target's probes_total series for (stage, class),
// made on first use.
func (s *Series) count(stage, class string) *probeCount {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.counts {
		if c.stage == stage && c.class == class {
			return c
		}
	}
	ts := s.ts
	classPair, stagePair := ts.noClass, ts.noStage
	if class != "" {
		classPair = ts.pair("class", proto.String(class))
	}
	if stage != "" {
		stagePair = ts.pair("stage", proto.String(stage))
	}
	c := &probeCount{stage: stage, class: class, created: timestamppb.Now(),
		pairs: []*dto.LabelPair{classPair, s.pairs[0], s.pairs[1], s.pairs[2], stagePair}}
	// A new slice: Collect may be reading the old one.
	s.counts = append(s.counts[:len(s.counts):len(s.counts)], c)
	return c
}
