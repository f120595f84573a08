package deploy_test

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/metrics"
	"github.com/dbguard/dbguard/internal/metrics/metricstest"
)

// dashboard is the part of a Grafana dashboard these tests read.
type dashboard struct {
	UID        string  `json:"uid"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name  string          `json:"name"`
			Type  string          `json:"type"`
			Query json.RawMessage `json:"query"`
		} `json:"list"`
	} `json:"templating"`
	Annotations struct {
		List []struct {
			Name string `json:"name"`
			Expr string `json:"expr"`
		} `json:"list"`
	} `json:"annotations"`
}

type panel struct {
	Title   string  `json:"title"`
	Type    string  `json:"type"`
	Panels  []panel `json:"panels"` // a collapsed row's panels
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
}

// labelValues is Grafana's variable query label_values(SELECTOR, LABEL):
// the selector is PromQL, the call is Grafana's.
var labelValues = regexp.MustCompile(`^label_values\((.+),\s*[A-Za-z_][A-Za-z0-9_]*\)$`)

// queries returns every PromQL query of the dashboard, keyed by where it is.
func (d dashboard) queries(t *testing.T) map[string]string {
	t.Helper()
	q := map[string]string{}
	var walk func(prefix string, ps []panel)
	walk = func(prefix string, ps []panel) {
		for _, p := range ps {
			if p.Type != "row" && len(p.Targets) == 0 {
				t.Errorf("panel %q has no query", p.Title)
			}
			for i, tg := range p.Targets {
				q[fmt.Sprintf("%spanel %q, query %d", prefix, p.Title, i+1)] = tg.Expr
			}
			walk(prefix+"row "+p.Title+": ", p.Panels)
		}
	}
	walk("", d.Panels)
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		var vq struct {
			Query string `json:"query"`
		}
		if err := json.Unmarshal(v.Query, &vq); err != nil {
			t.Errorf("variable %s: query: %v", v.Name, err)
			continue
		}
		m := labelValues.FindStringSubmatch(vq.Query)
		if m == nil {
			t.Errorf("variable %s: %q is not label_values(SELECTOR, LABEL)", v.Name, vq.Query)
			continue
		}
		q["variable "+v.Name] = m[1]
	}
	for _, a := range d.Annotations.List {
		q["annotation "+a.Name] = a.Expr
	}
	return q
}

// TestGrafanaDashboard parses every query of the dashboard with
// Prometheus's PromQL parser, checks that each metric it names is defined
// in internal/metrics, and that every dbguard metric is shown somewhere.
func TestGrafanaDashboard(t *testing.T) {
	data, err := os.ReadFile("grafana/dbguard.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	var d dashboard
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("grafana/dbguard.json: %v", err)
	}
	if d.UID == "" || len(d.Panels) == 0 {
		t.Fatalf("grafana/dbguard.json: no uid or no panels")
	}
	used := checkQueries(t, d.queries(t))
	for _, f := range metricstest.Registry(t) {
		if strings.HasPrefix(f.GetName(), metrics.Namespace+"_") && !used[f.GetName()] {
			t.Errorf("the dashboard shows nothing of %s", f.GetName())
		}
	}
	for _, want := range []string{"go_goroutines", "process_open_fds", "go_memstats_heap_inuse_bytes"} {
		if !used[want] {
			t.Errorf("the dashboard does not show %s (the soak's curves)", want)
		}
	}
}
