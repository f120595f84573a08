package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Series are one target's series, bound to its labels once. watch keeps
// one per target and observes every probe through it: WithLabelValues
// hashes and checks every label on every call, five to eight times a
// probe, where a bound child costs an atomic add. The names, labels and
// help are ObserveProbe's, defined in metrics.go; Series is only a cache
// of its children. A Series is not safe for concurrent use (watch's loop
// owns it); the series it writes are.
type Series struct {
	m      *Metrics
	labels TargetLabels
	up     prometheus.Gauge
	fails  prometheus.Gauge
	last   prometheus.Gauge
	// succeeded is probes_total with no stage and class, made on the
	// first success so that a target that never succeeded shows no
	// zero success series (as ObserveProbe); stages are the
	// probe_stage_duration_seconds children seen so far.
	succeeded prometheus.Counter
	stages    []stageObserver
}

type stageObserver struct {
	stage string
	o     prometheus.Observer
}

// Series returns t's series, bound.
func (m *Metrics) Series(t TargetLabels) *Series {
	return &Series{m: m, labels: t,
		up:    m.TargetUp.WithLabelValues(t.Profile, t.Service, t.Environment),
		fails: m.ConsecutiveFailures.WithLabelValues(t.Profile, t.Service, t.Environment),
		last:  m.LastSuccess.WithLabelValues(t.Profile, t.Service, t.Environment),
	}
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
		if stage != "" {
			s.m.Probes.WithLabelValues(s.labels.Profile, s.labels.Service, s.labels.Environment, stage, class).Inc()
		} else {
			if s.succeeded == nil {
				s.succeeded = s.m.Probes.WithLabelValues(s.labels.Profile, s.labels.Service, s.labels.Environment, "", "")
			}
			s.succeeded.Inc()
		}
		s.up.Set(1)
		s.fails.Set(0)
		s.last.Set(float64(at.UnixNano()) / 1e9)
		return
	}
	// Failures are rare and their (stage, class) many: looked up each time.
	s.m.Probes.WithLabelValues(s.labels.Profile, s.labels.Service, s.labels.Environment, stage, class).Inc()
	s.up.Set(0)
	s.fails.Inc()
}
