package metrics_test

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/dbguard/dbguard/internal/metrics"
	"github.com/dbguard/dbguard/internal/metrics/metricstest"
)

// docMetric is one row of docs/metrics.md's table.
type docMetric struct {
	typ    string
	labels []string
	help   string
}

// readDoc reads the table of dbguard's metrics from docs/metrics.md: rows
// whose first cell is a backticked dbguard_ name.
func readDoc(t *testing.T) map[string]docMetric {
	t.Helper()
	f, err := os.Open("../../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc := map[string]docMetric{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		row := sc.Text()
		if !strings.HasPrefix(row, "| `"+metrics.Namespace+"_") {
			continue
		}
		cells := strings.Split(strings.Trim(row, "|"), "|")
		if len(cells) != 4 {
			t.Fatalf("docs/metrics.md:%d: want 4 cells (name, type, labels, help), got %d", line, len(cells))
		}
		name := strings.Trim(strings.TrimSpace(cells[0]), "`")
		var labels []string
		if l := strings.TrimSpace(cells[2]); l != "—" {
			for _, x := range strings.Split(l, ",") {
				labels = append(labels, strings.Trim(strings.TrimSpace(x), "`"))
			}
		}
		if _, dup := doc[name]; dup {
			t.Errorf("docs/metrics.md:%d: %s listed twice", line, name)
		}
		doc[name] = docMetric{typ: strings.TrimSpace(cells[1]), labels: labels, help: strings.TrimSpace(cells[3])}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestDocMatchesRegistry(t *testing.T) {
	doc := readDoc(t)
	if len(doc) == 0 {
		t.Fatal("docs/metrics.md: no metric rows found")
	}
	families := metricstest.Registry(t)
	types := map[dto.MetricType]string{
		dto.MetricType_COUNTER: "counter", dto.MetricType_GAUGE: "gauge",
		dto.MetricType_HISTOGRAM: "histogram", dto.MetricType_SUMMARY: "summary",
	}
	seen := map[string]bool{}
	for _, f := range families {
		name := f.GetName()
		if !strings.HasPrefix(name, metrics.Namespace+"_") {
			continue // the Go and process collectors, described in prose
		}
		seen[name] = true
		d, ok := doc[name]
		if !ok {
			t.Errorf("%s is registered but not in docs/metrics.md", name)
			continue
		}
		if got := types[f.GetType()]; got != d.typ {
			t.Errorf("%s: type %s, docs/metrics.md says %s", name, got, d.typ)
		}
		if f.GetHelp() != d.help {
			t.Errorf("%s: help %q, docs/metrics.md says %q", name, f.GetHelp(), d.help)
		}
		var labels []string
		for _, l := range f.GetMetric()[0].GetLabel() {
			labels = append(labels, l.GetName())
		}
		// Gather sorts label names; the doc lists them in definition order.
		want := slices.Sorted(slices.Values(d.labels))
		if !slices.Equal(labels, want) {
			t.Errorf("%s: labels %v, docs/metrics.md says %v", name, labels, d.labels)
		}
	}
	for name := range doc {
		if !seen[name] {
			t.Errorf("docs/metrics.md lists %s, which metrics.New does not register", name)
		}
	}
}

func TestObserveProbeCountsConsecutiveFailures(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	target := metrics.TargetLabels{Profile: "p", Service: "s", Environment: "e"}
	value := func() float64 {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() == metrics.Namespace+"_target_consecutive_failures" && len(mf.GetMetric()) == 1 {
				return mf.GetMetric()[0].GetGauge().GetValue()
			}
		}
		t.Fatal("no target_consecutive_failures series")
		return 0
	}
	for i := 1; i <= 3; i++ {
		m.ObserveProbe(target, "tcp", "tcp_refused", nil, time.Now())
		if got := value(); got != float64(i) {
			t.Fatalf("after %d failures: %v", i, got)
		}
	}
	m.ObserveProbe(target, "query", "", nil, time.Now())
	if got := value(); got != 0 {
		t.Fatalf("after a success: %v, want 0", got)
	}
}
