package policy_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/profile"
)

func finding(rule, file string, line int, key string) policy.Finding {
	return policy.Finding{Rule: rule, Severity: policy.Error, Loc: profile.Location{File: file, Line: line, Column: 3}, Key: key}
}

func TestSuppressions(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"a.yaml":       "database:\n  # dbguard:ignore password-literal throwaway test container\n  password: x\n  port: 0 # dbguard:ignore port-invalid,host-empty meant as a sentinel\n",
		"b.env":        "# dbguard:ignore password-literal\nDB_PASSWORD=x\n",
		"c.properties": "! dbguard:ignore password-literal legacy, rotated weekly\nspring.datasource.password=x\n",
		"d.json":       "{\n  // dbguard:ignore tls-disabled-production local proxy terminates TLS\n  \"sslmode\": \"disable\"\n}\n",
		"e.yaml":       "name: \"dbguard:ignore password-literal not a comment\"\npassword: x\n",
	}
	src := func(f string) ([]byte, bool) { s, ok := files[f]; return []byte(s), ok }
	cases := []struct {
		name       string
		f          policy.Finding
		suppressed bool
	}{
		{"line above", finding("password-literal", "a.yaml", 3, "database:password"), true},
		{"same line, second id", finding("host-empty", "a.yaml", 4, "database:host"), true},
		{"same line", finding("port-invalid", "a.yaml", 4, "database:port"), true},
		{"other rule", finding("pool-too-large", "a.yaml", 3, "database:pool"), false},
		{"two lines above", finding("password-literal", "a.yaml", 4, "database:x"), false},
		{"no reason", finding("password-literal", "b.env", 2, "DB:password"), false},
		{"properties", finding("password-literal", "c.properties", 2, "spring:password"), true},
		{"jsonc", finding("tls-disabled-production", "d.json", 3, "x:tls"), true},
		{"not in a comment", finding("password-literal", "e.yaml", 2, "x:password"), false},
		{"unknown file", finding("password-literal", "z.yaml", 2, "x:password"), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep := &policy.Report{Findings: []policy.Finding{tc.f}}
			policy.ApplySuppressions(rep, src, policy.Warning)
			if got := len(rep.Suppressed) == 1; got != tc.suppressed {
				t.Errorf("suppressed = %v, want %v", got, tc.suppressed)
			}
		})
	}
	rep := &policy.Report{Findings: []policy.Finding{finding("password-literal", "b.env", 2, "k")}}
	policy.ApplySuppressions(rep, src, policy.Warning)
	if len(rep.Findings) != 2 || rep.Findings[0].Rule != policy.SuppressionWithoutReason || rep.Findings[0].Loc.Line != 1 {
		t.Errorf("a directive without a reason: findings %+v", rep.Findings)
	}
}

// A baseline accepts findings by rule, file and key: moving the finding to
// another line keeps it accepted; a new finding, or a second copy, is not.
func TestBaseline(t *testing.T) {
	t.Parallel()
	old := &policy.Report{Findings: []policy.Finding{
		finding("password-literal", "a.yaml", 3, "database:password"),
		finding("pool-too-large", "a.yaml", 9, "database:pool.max_open"),
	}}
	var buf bytes.Buffer
	if err := policy.NewBaseline(old).Write(&buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), `"line"`) {
		t.Errorf("baseline keyed by line: %s", buf.String())
	}
	b, err := policy.ReadBaseline(&buf)
	if err != nil {
		t.Fatal(err)
	}
	now := &policy.Report{Findings: []policy.Finding{
		finding("password-literal", "a.yaml", 13, "database:password"),    // moved down ten lines
		finding("pool-too-large", "a.yaml", 19, "database:pool.max_open"), // moved
		finding("pool-too-large", "a.yaml", 29, "database:pool.max_open"), // a second copy: new
		finding("tls-disabled-production", "a.yaml", 4, "database:tls"),   // new
	}}
	b.Apply(now)
	if len(now.Baselined) != 2 || len(now.Findings) != 2 {
		t.Fatalf("baselined %d, left %d: %+v", len(now.Baselined), len(now.Findings), now.Findings)
	}
	if _, err := policy.ReadBaseline(strings.NewReader(`{"schema_version": 9, "findings": []}`)); err == nil {
		t.Error("a baseline of another schema version was accepted")
	}
}
