package output

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/profile"
)

// TestJSONStreamMatchesEncoder checks that the streamed report is byte for
// byte what json.Encoder writes for the whole document (jsonDoc), empty
// lists, related locations and characters it escapes included.
func TestJSONStreamMatchesEncoder(t *testing.T) {
	f := policy.Finding{Rule: "password-literal", Severity: policy.Error, Message: `a "quoted" <tag> & more`,
		Profile: "a.yaml#db", Environment: profile.Production, Field: "password",
		Loc:         profile.Location{File: "a.yaml", Line: 3, Column: 5},
		Related:     []policy.Related{{Loc: profile.Location{File: "b.yaml", Line: 1, Column: 1}, Message: "same"}},
		Remediation: "fix it", Help: "docs/rules/password-literal.md"}
	// Over 128 findings the array is written in chunks by several
	// goroutines; the bytes must not change.
	many := make([]policy.Finding, 1000)
	for i := range many {
		many[i] = f
		many[i].Loc.Line = i + 1
	}
	for _, rep := range []*policy.Report{
		{},
		{Findings: []policy.Finding{f, f}, Baselined: []policy.Finding{f}, Files: 2, Profiles: 3},
		{Findings: many, Suppressed: many[:129], Baselined: many[:128]},
	} {
		var streamed bytes.Buffer
		if err := renderJSON(&streamed, rep, Options{Version: "v1"}); err != nil {
			t.Fatal(err)
		}
		c := rep.CountBySeverity()
		doc := jsonDoc{SchemaVersion: SchemaVersion, Tool: jsonTool{Name: "dbguard", Version: "v1"},
			Findings: list(rep.Findings), Suppressed: list(rep.Suppressed), Baselined: list(rep.Baselined),
			Summary: jsonSummary{Files: rep.Files, Profiles: rep.Profiles, Findings: len(rep.Findings),
				Errors: c[policy.Error], Warnings: c[policy.Warning], Infos: c[policy.Info],
				Suppressed: len(rep.Suppressed), Baselined: len(rep.Baselined), ByRule: rep.CountByRule()}}
		var whole bytes.Buffer
		enc := json.NewEncoder(&whole)
		enc.SetIndent("", "  ")
		if err := enc.Encode(doc); err != nil {
			t.Fatal(err)
		}
		if streamed.String() != whole.String() {
			t.Errorf("streamed JSON differs from the encoder's:\n%s\nwant\n%s", streamed.String(), whole.String())
		}
	}
}

func list(fs []policy.Finding) []jsonFinding {
	out := make([]jsonFinding, 0, len(fs))
	for _, f := range fs {
		out = append(out, jsonFindingOf(f))
	}
	return out
}
