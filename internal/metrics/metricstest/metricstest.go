// Package metricstest gives tests a registry on which every metric of
// internal/metrics has a series, so that a gathered registry shows each
// metric's name, type and label names: what docs/metrics.md, the shipped
// Prometheus rules and the Grafana dashboard are checked against. A metric
// vector without a series is invisible to Gather, so Registry fails the
// test when a field of metrics.Metrics got none: a metric added to
// metrics.go must be given one here.
package metricstest

import (
	"reflect"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/dbguard/dbguard/internal/metrics"
)

// Registry returns the families of a registry built with metrics.New, the
// Go and process collectors included, after giving every metric one series.
func Registry(t testing.TB) []*dto.MetricFamily {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	m := metrics.New(reg)
	target := metrics.TargetLabels{Profile: "deploy/orders/app.yaml#database", Service: "orders", Environment: "production"}
	m.ObserveProbe(target, "auth", "auth_failed", map[string]time.Duration{"dns": time.Millisecond, "tcp": time.Millisecond}, time.Now())
	m.Targets.WithLabelValues("production", "true").Set(1)
	m.ConfigChanges.WithLabelValues("orders", "production").Inc()
	m.ConfigReloads.WithLabelValues("ok").Inc()
	m.Alerts.WithLabelValues("target_down", "firing").Set(1)
	m.ServerConnections.WithLabelValues(target.Profile, target.Service, target.Environment).Set(10)
	m.ServerMaxConnections.WithLabelValues(target.Profile, target.Service, target.Environment).Set(100)
	m.CertNotAfter.WithLabelValues(target.Profile, target.Service, target.Environment).Set(2e9)
	m.Notifications.WithLabelValues("default", "ok").Inc()
	m.NotifierFailures.WithLabelValues("default").Inc()
	m.AuditFindings.WithLabelValues("error").Set(2)
	m.AuditRuns.WithLabelValues("ok").Inc()

	v := reflect.ValueOf(m).Elem()
	for i := range v.NumField() {
		c, ok := v.Field(i).Interface().(prometheus.Collector)
		if !ok {
			continue
		}
		ch := make(chan prometheus.Metric, 16)
		go func() { c.Collect(ch); close(ch) }()
		n := 0
		for range ch {
			n++
		}
		if n == 0 {
			t.Errorf("metrics.Metrics.%s has no series: give it one in metricstest.Registry", v.Type().Field(i).Name)
		}
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	return families
}

// Family returns the name of the family that a PromQL selector's metric
// name belongs to: the family of that name, or for a histogram's _bucket,
// _sum and _count series the histogram; "" when none does.
func Family(families []*dto.MetricFamily, name string) string {
	for _, f := range families {
		if f.GetName() == name {
			return name
		}
		if f.GetType() == dto.MetricType_HISTOGRAM {
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				if f.GetName()+suffix == name {
					return f.GetName()
				}
			}
		}
	}
	return ""
}
