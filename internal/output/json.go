package output

import (
	"io"

	"github.com/dbguard/dbguard/internal/policy"
)

// jsonDoc is the json format (docs/formats.md): stable keys, snake_case.
type jsonDoc struct {
	SchemaVersion int           `json:"schema_version"`
	Tool          jsonTool      `json:"tool"`
	Findings      []jsonFinding `json:"findings"`
	Suppressed    []jsonFinding `json:"suppressed"`
	Baselined     []jsonFinding `json:"baselined"`
	Summary       jsonSummary   `json:"summary"`
}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type jsonFinding struct {
	Rule        string        `json:"rule"`
	Severity    string        `json:"severity"`
	Message     string        `json:"message"`
	Profile     string        `json:"profile,omitempty"`
	Environment string        `json:"environment,omitempty"`
	Field       string        `json:"field,omitempty"`
	File        string        `json:"file"`
	Line        int           `json:"line"`
	Column      int           `json:"column"`
	Related     []jsonRelated `json:"related,omitempty"`
	Remediation string        `json:"remediation"`
	Help        string        `json:"help"`
	Fingerprint string        `json:"fingerprint"`
}

type jsonRelated struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

type jsonSummary struct {
	Files      int            `json:"files"`
	Profiles   int            `json:"profiles"`
	Findings   int            `json:"findings"`
	Errors     int            `json:"errors"`
	Warnings   int            `json:"warnings"`
	Infos      int            `json:"infos"`
	Suppressed int            `json:"suppressed"`
	Baselined  int            `json:"baselined"`
	ByRule     map[string]int `json:"by_rule"`
}

func jsonFindingOf(f policy.Finding) jsonFinding {
	jf := jsonFinding{Rule: f.Rule, Severity: f.Severity.String(), Message: f.Message, Profile: f.Profile,
		Environment: string(f.Environment), Field: f.Field, File: f.Loc.File, Line: f.Loc.Line, Column: f.Loc.Column,
		Remediation: f.Remediation, Help: f.Help, Fingerprint: f.Fingerprint()}
	for _, r := range f.Related {
		jf.Related = append(jf.Related, jsonRelated{File: r.Loc.File, Line: r.Loc.Line, Column: r.Loc.Column, Message: r.Message})
	}
	return jf
}

func renderJSON(w io.Writer, rep *policy.Report, o Options) error {
	c := rep.CountBySeverity()
	s := NewJSONStream(w)
	s.Field("schema_version", SchemaVersion)
	s.Field("tool", jsonTool{Name: "dbguard", Version: o.Version})
	for _, list := range []struct {
		name string
		fs   []policy.Finding
	}{{"findings", rep.Findings}, {"suppressed", rep.Suppressed}, {"baselined", rep.Baselined}} {
		fs := list.fs
		s.ArrayAppend(list.name, len(fs), func(dst []byte, i int) []byte { return appendFinding(dst, jsonFindingOf(fs[i]), "    ") })
	}
	s.Field("summary", jsonSummary{Files: rep.Files, Profiles: rep.Profiles, Findings: len(rep.Findings),
		Errors: c[policy.Error], Warnings: c[policy.Warning], Infos: c[policy.Info],
		Suppressed: len(rep.Suppressed), Baselined: len(rep.Baselined), ByRule: rep.CountByRule()})
	return s.Close()
}
