package deploy_test

import (
	"fmt"
	"os"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestPrometheusRules runs promtool's own checks: the rule file is valid
// (check rules) and its unit tests pass (test rules).
func TestPrometheusRules(t *testing.T) {
	runPromtool(t, "prometheus", "check", "rules", "dbguard-rules.yml")
	runPromtool(t, "prometheus", "test", "rules", "dbguard-rules.test.yml")
}

// ruleFile is the part of a Prometheus rule file these tests read.
type ruleFile struct {
	Groups []struct {
		Name  string
		Rules []struct {
			Alert  string
			Expr   string
			Labels map[string]string
		}
	}
}

// TestPrometheusRulesNameDefinedMetrics checks what promtool cannot: that
// every metric a rule names is one dbguard exports (a misspelt name is
// valid PromQL and never fires), and that each built-in rule of watch that
// metrics can express has its rule here.
func TestPrometheusRulesNameDefinedMetrics(t *testing.T) {
	data, err := os.ReadFile("prometheus/dbguard-rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rf ruleFile
	if err := yaml.Unmarshal(data, &rf); err != nil {
		t.Fatalf("prometheus/dbguard-rules.yml: %v", err)
	}
	queries := map[string]string{}
	rules := map[string]bool{}
	for _, g := range rf.Groups {
		for i, r := range g.Rules {
			queries[fmt.Sprintf("group %s, rule %d (%s)", g.Name, i+1, r.Alert)] = r.Expr
			rules[r.Labels["rule"]] = true
		}
	}
	checkQueries(t, queries)
	// change_induced cannot be told from metrics: the rule file says why.
	for _, want := range []string{"target_down", "failure_ratio", "capacity", "cert_expiring"} {
		if !rules[want] {
			t.Errorf("no rule labelled rule=%s", want)
		}
	}
}
