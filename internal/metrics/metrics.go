// Package metrics defines every metric dbguard exports, with its name, help
// and labels, in this one file (docs/metrics.md lists them; a test keeps
// the two in step). Labels are bounded: profile, service and environment
// come from the watched configuration, stage and class from verify's fixed
// taxonomy, rule and state from the alert model, notifier from the watch:
// section. No label ever carries a host, an error message or a secret.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Namespace prefixes every metric name.
const Namespace = "dbguard"

// Metrics is watch's set of metrics, registered on one registry. Its
// methods are safe for concurrent use.
type Metrics struct {
	// PerTarget are each target's own series: probes_total (finished
	// probes by outcome, class "" for a success), target_up,
	// target_consecutive_failures (the target_down rule's "N consecutive
	// failures", which an up gauge sampled by Prometheus cannot count)
	// and target_last_success_timestamp_seconds (seconds since the last
	// success is time() minus it). Series gives a target's.
	PerTarget *TargetSeries
	// StageDuration observes how long each stage of a probe took.
	StageDuration *prometheus.HistogramVec
	// Targets counts watched targets by environment and whether they can
	// be probed.
	Targets *prometheus.GaugeVec
	// ConfigChanges counts changes to watched files that changed a profile.
	ConfigChanges *prometheus.CounterVec
	// ConfigReloads counts reloads of dbguard.yaml by result; the gauge
	// says whether the last one succeeded, as Prometheus's own does.
	ConfigReloads    *prometheus.CounterVec
	ConfigLastReload prometheus.Gauge
	// Alerts is the number of alerts in each state, by rule.
	Alerts *prometheus.GaugeVec
	// ServerConnections and ServerMaxConnections are what the capacity
	// stage read from the server behind a target (connections in use and
	// max_connections, as verify's capacity stage reads them).
	ServerConnections    *prometheus.GaugeVec
	ServerMaxConnections *prometheus.GaugeVec
	// CertNotAfter is the Unix time the target's server certificate
	// expires, when the probe used TLS.
	CertNotAfter *prometheus.GaugeVec
	// Notifications counts deliveries by notifier and result ("ok",
	// "failed"); NotifierFailures counts failed attempts, retries included.
	Notifications    *prometheus.CounterVec
	NotifierFailures *prometheus.CounterVec
	// AuditFindings counts the last scheduled audit's findings by
	// severity (error, warning, info); AuditLastRun is when it finished
	// and AuditLastRunOK whether it did; AuditRuns counts runs by result
	// (ok, failed, skipped: still running when the next was due).
	AuditFindings  *prometheus.GaugeVec
	AuditLastRun   prometheus.Gauge
	AuditLastRunOK prometheus.Gauge
	AuditRuns      *prometheus.CounterVec
}

// New creates the metrics and registers them, with the Go and process
// collectors, on reg.
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		PerTarget: newTargetSeries(
			prometheus.NewDesc(Namespace+"_probes_total",
				"Finished probes, by profile, environment, the stage that decided them and the failure class (empty for a success).",
				[]string{"profile", "service", "environment", "stage", "class"}, nil),
			prometheus.NewDesc(Namespace+"_target_up",
				"1 when the target's last probe succeeded, else 0.",
				[]string{"profile", "service", "environment"}, nil),
			prometheus.NewDesc(Namespace+"_target_consecutive_failures",
				"Failed probes of the target since its last success (0 after a success).",
				[]string{"profile", "service", "environment"}, nil),
			prometheus.NewDesc(Namespace+"_target_last_success_timestamp_seconds",
				"Unix time of the target's last successful probe (0: none yet).",
				[]string{"profile", "service", "environment"}, nil)),
		StageDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "probe_stage_duration_seconds",
			Help:    "Duration of each stage of a probe.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"environment", "stage"}),
		Targets: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: Namespace, Name: "targets",
			Help: "Watched targets, by environment and whether they can be probed.",
		}, []string{"environment", "probeable"}),
		ConfigChanges: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "config_changes_total",
			Help: "Changes to watched files that changed at least one profile.",
		}, []string{"service", "environment"}),
		ConfigReloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "config_reloads_total",
			Help: "Reloads of dbguard.yaml, by result (ok, invalid).",
		}, []string{"result"}),
		ConfigLastReload: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: Namespace, Name: "config_last_reload_successful",
			Help: "1 when the last reload of dbguard.yaml succeeded, 0 when the running configuration was kept because the new one is invalid.",
		}),
		Alerts: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: Namespace, Name: "alerts",
			Help: "Alerts in each state, by rule.",
		}, []string{"rule", "state"}),
		ServerConnections: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: Namespace, Name: "server_connections",
			Help: "Connections in use on the server behind the target, as the capacity stage read them.",
		}, []string{"profile", "service", "environment"}),
		ServerMaxConnections: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: Namespace, Name: "server_max_connections",
			Help: "The max_connections of the server behind the target, as the capacity stage read it.",
		}, []string{"profile", "service", "environment"}),
		CertNotAfter: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: Namespace, Name: "target_cert_not_after_timestamp_seconds",
			Help: "Unix time the server certificate seen by the target's last TLS probe expires.",
		}, []string{"profile", "service", "environment"}),
		Notifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "notifications_total",
			Help: "Alert deliveries, by notifier and result (ok, failed).",
		}, []string{"notifier", "result"}),
		NotifierFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "notifier_failures_total",
			Help: "Failed delivery attempts, retries included, by notifier.",
		}, []string{"notifier"}),
		AuditFindings: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: Namespace, Name: "audit_findings",
			Help: "Findings of the last scheduled audit, by severity (error, warning, info).",
		}, []string{"severity"}),
		AuditLastRun: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: Namespace, Name: "audit_last_run_timestamp_seconds",
			Help: "Unix time the last scheduled audit finished (0: none yet).",
		}),
		AuditLastRunOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: Namespace, Name: "audit_last_run_successful",
			Help: "1 when the last scheduled audit finished and was stored, 0 when it failed, timed out or could not be stored.",
		}),
		AuditRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "audit_runs_total",
			Help: "Scheduled audits, by result (ok, failed, skipped: the previous one was still running).",
		}, []string{"result"}),
	}
	reg.MustRegister(m.PerTarget, m.StageDuration, m.Targets,
		m.ConfigChanges, m.ConfigReloads, m.ConfigLastReload, m.Alerts,
		m.ServerConnections, m.ServerMaxConnections, m.CertNotAfter, m.Notifications, m.NotifierFailures,
		m.AuditFindings, m.AuditLastRun, m.AuditLastRunOK, m.AuditRuns,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.ConfigLastReload.Set(1)
	return m
}

// TargetLabels are the labels that name one target.
type TargetLabels struct {
	Profile, Service, Environment string
}

// ObserveProbe records one finished probe of a target: the deciding
// stage and class (class "" for a success), each stage's duration, and the
// target's up state and consecutive failures.
func (m *Metrics) ObserveProbe(t TargetLabels, stage, class string, stages map[string]time.Duration, at time.Time) {
	for st, d := range stages {
		m.StageDuration.WithLabelValues(t.Environment, st).Observe(d.Seconds())
	}
	m.Series(t).ObserveResult(stage, class, at)
}

// ForgetTarget removes a target's series when it is no longer watched, so
// that a removed profile does not stay down forever.
func (m *Metrics) ForgetTarget(t TargetLabels) {
	l := prometheus.Labels{"profile": t.Profile, "service": t.Service, "environment": t.Environment}
	for _, g := range []*prometheus.GaugeVec{m.ServerConnections, m.ServerMaxConnections, m.CertNotAfter} {
		g.Delete(l)
	}
	m.PerTarget.forget(t)
}
