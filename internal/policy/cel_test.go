package policy_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/profile"
)

// Rules that are wrong fail when loaded, with the rule file's line.
func TestCustomRuleLoadErrors(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"port-string.yaml":   `testdata/rules/invalid/port-string.yaml:4:`,
		"unknown-field.yaml": `testdata/rules/invalid/unknown-field.yaml:6:`,
		"not-boolean.yaml":   `testdata/rules/invalid/not-boolean.yaml:4:`,
		"bad-severity.yaml":  `testdata/rules/invalid/bad-severity.yaml:1:`,
	}
	words := map[string]string{
		"port-string.yaml": "no matching overload", "unknown-field.yaml": "maximum",
		"not-boolean.yaml": "must be a boolean", "bad-severity.yaml": "Bad_Id",
	}
	for file, prefix := range cases {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			name := filepath.ToSlash(filepath.Join("testdata", "rules", "invalid", file))
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			_, err = policy.CompileRule(name, data)
			if err == nil {
				t.Fatal("rule loaded, want an error")
			}
			var rfe *policy.RuleFileError
			if !errors.As(err, &rfe) {
				t.Fatalf("error %T, want *RuleFileError", err)
			}
			if !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), words[file]) {
				t.Errorf("error %q, want it to start with %q and mention %q", err, prefix, words[file])
			}
		})
	}
}

// The examples load and judge a profile with typed values.
func TestCustomRuleExamples(t *testing.T) {
	t.Parallel()
	rules, err := policy.LoadCustomRules(filepath.Join("..", "..", "examples", "rules"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 3 {
		t.Fatalf("%d rules, want 3", len(rules))
	}
	var rs []*policy.Rule
	for _, r := range rules {
		rs = append(rs, r.Rule)
	}
	bad := with(func(p *profile.Profile) {
		p.Pool.MaxOpen = v("50", 10)
		p.Timeouts.Connect = v("10s", 13)
		p.Hosts[0].Host = v("orders.abc.eu-west-1.rds.amazonaws.com", 3)
		p.TLS = profile.TLS{Mode: v("require", 8), Key: "sslmode"}
		p.Password = literalPassword("canary-in-cel", 7)
	})
	rep := policy.Evaluate(policy.Input{Profiles: bad}, rs, nil)
	got := map[string]string{}
	for _, f := range rep.Findings {
		got[f.Rule] = f.Message
		if strings.Contains(f.Message, "canary-in-cel") {
			t.Errorf("custom rule message prints the password: %s", f.Message)
		}
	}
	want := map[string]string{
		"pool-small-for-postgres":    "pool of 50 connections for database is above the team's limit of 20",
		"connect-timeout-at-most-5s": "connect timeout 10s (10s) is above 5s",
		"rds-must-verify":            "orders.abc.eu-west-1.rds.amazonaws.com is an RDS endpoint but TLS mode is require",
	}
	for id, msg := range want {
		if got[id] != msg {
			t.Errorf("%s: message %q, want %q", id, got[id], msg)
		}
	}
	clean := policy.Evaluate(policy.Input{Profiles: with()}, rs, nil)
	if len(clean.Findings) != 0 {
		t.Errorf("clean profile: %+v", clean.Findings)
	}
	// An environment scope keeps a rule off other environments.
	staging := with(func(p *profile.Profile) { p.Environment = profile.Staging; p.Pool.MaxOpen = v("50", 10) })
	for _, f := range policy.Evaluate(policy.Input{Profiles: staging}, rs, nil).Findings {
		if f.Rule == "pool-small-for-postgres" {
			t.Error("a production-only rule fired on staging")
		}
	}
}
