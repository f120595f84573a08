package deploy_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/dbguard/dbguard/internal/metrics/metricstest"
	"github.com/dbguard/dbguard/internal/testenv"
)

// runPromtool runs promtool with args in dir and fails the test with its
// output when it exits non-zero.
func runPromtool(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), testenv.Promtool(t), args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// grafanaRanges are the range variables Grafana substitutes before a query
// reaches Prometheus; any other $variable must sit inside a label matcher's
// string, where PromQL accepts it as it is.
var grafanaRanges = strings.NewReplacer("$__rate_interval", "5m", "$__interval", "1m", "$__range", "6h")

// metricNames parses expr with Prometheus's PromQL parser and returns the
// metric names its selectors name.
func metricNames(expr string) ([]string, error) {
	ast, err := parser.NewParser(parser.Options{}).ParseExpr(grafanaRanges.Replace(expr))
	if err != nil {
		return nil, err
	}
	var names []string
	parser.Inspect(ast, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			name := vs.Name
			for _, m := range vs.LabelMatchers {
				if m.Name == "__name__" {
					name = m.Value
				}
			}
			names = append(names, name)
		}
		return nil
	})
	return names, nil
}

// checkQueries parses every query and fails for a query that does not
// parse or names a metric internal/metrics does not define. It returns
// the metric families used.
func checkQueries(t *testing.T, queries map[string]string) map[string]bool {
	t.Helper()
	families := metricstest.Registry(t)
	used := map[string]bool{}
	for where, q := range queries {
		names, err := metricNames(q)
		if err != nil {
			t.Errorf("%s: %q: %v", where, q, err)
			continue
		}
		if len(names) == 0 {
			t.Errorf("%s: %q names no metric", where, q)
		}
		for _, n := range names {
			f := metricstest.Family(families, n)
			if f == "" {
				t.Errorf("%s: %q names %s, which internal/metrics does not define", where, q, n)
				continue
			}
			used[f] = true
		}
	}
	return used
}

func TestMetricNamesFindsEverySelector(t *testing.T) {
	names, err := metricNames(`sum by (le) (rate(a_bucket{x=~"$env"}[$__rate_interval])) / on() group_left {__name__="b"} and c offset 5m`)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names, " "); got != "a_bucket b c" {
		t.Fatalf("names %q, want a_bucket b c", got)
	}
	if _, err := metricNames(`sum(rate(a[$window]))`); err == nil {
		t.Fatal("a $variable outside a string parsed")
	}
}
