package output

import (
	"encoding/json"
	"io"
	"strings"

	"github.com/dbguard/dbguard/internal/policy"
)

// SARIF 2.1.0, following GitHub code scanning's documented rules: relative
// artifact URIs with a uriBaseId, partialFingerprints that do not depend on
// line numbers, rule help text, and levels error, warning and note.

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	srcRoot      = "%SRCROOT%"
	// fingerprintKey names dbguard's fingerprint in partialFingerprints.
	fingerprintKey = "dbguardFingerprint/v1"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string          `json:"id"`
	Name                 string          `json:"name"`
	ShortDescription     sarifText       `json:"shortDescription"`
	FullDescription      sarifText       `json:"fullDescription"`
	HelpURI              string          `json:"helpUri"`
	Help                 sarifText       `json:"help"`
	DefaultConfiguration sarifConfig     `json:"defaultConfiguration"`
	Properties           sarifProperties `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifProperties struct {
	Tags []string `json:"tags"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	RelatedLocations    []sarifLocation   `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Suppressions        []sarifSuppress   `json:"suppressions,omitempty"`
}

type sarifSuppress struct {
	Kind string `json:"kind"`
}

type sarifLocation struct {
	ID               *int                  `json:"id,omitempty"`
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	Message          *sarifText            `json:"message,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

func sarifLevel(s policy.Severity) string {
	switch s {
	case policy.Error:
		return "error"
	case policy.Warning:
		return "warning"
	}
	return "note"
}

// sarifURI escapes a slash-separated relative path as a URI reference.
func sarifURI(file string) string {
	parts := strings.Split(strings.TrimPrefix(file, "./"), "/")
	for i, p := range parts {
		parts[i] = uriEscape(p)
	}
	return strings.Join(parts, "/")
}

func uriEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~!$&'()*+,;=:@", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%")
		b.WriteString(strings.ToUpper(string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15])))
	}
	return b.String()
}

func sarifLoc(file string, line, col int) sarifPhysicalLocation {
	pl := sarifPhysicalLocation{ArtifactLocation: sarifArtifact{URI: sarifURI(file), URIBaseID: srcRoot}}
	if line > 0 {
		pl.Region = &sarifRegion{StartLine: line}
		if col > 0 {
			pl.Region.StartColumn = col
		}
	}
	return pl
}

func renderSARIF(w io.Writer, rep *policy.Report, o Options) error {
	drv := sarifDriver{Name: "dbguard", Version: o.Version, InformationURI: "https://github.com/dbguard/dbguard", Rules: []sarifRule{}}
	index := map[string]int{}
	addRule := func(ri policy.RuleInfo) {
		if _, ok := index[ri.ID]; ok {
			return
		}
		index[ri.ID] = len(drv.Rules)
		help := ri.Remediation
		if help == "" {
			help = ri.Title
		}
		tags := []string{"database", "configuration"}
		if ri.Custom {
			tags = append(tags, "custom")
		}
		drv.Rules = append(drv.Rules, sarifRule{
			ID: ri.ID, Name: ruleName(ri.ID),
			ShortDescription:     sarifText{Text: ri.Title},
			FullDescription:      sarifText{Text: ri.Title},
			HelpURI:              HelpBase + ri.Help,
			Help:                 sarifText{Text: help, Markdown: "**" + ri.Title + "**\n\n" + help + "\n\nSee [" + ri.ID + "](" + HelpBase + ri.Help + ")."},
			DefaultConfiguration: sarifConfig{Level: sarifLevel(ri.Severity)},
			Properties:           sarifProperties{Tags: tags},
		})
	}
	for _, ri := range rep.Rules {
		addRule(ri)
	}
	results := []sarifResult{}
	add := func(f policy.Finding, suppression string) {
		if _, ok := index[f.Rule]; !ok {
			addRule(policy.RuleInfo{ID: f.Rule, Severity: f.Severity, Title: f.Rule, Remediation: f.Remediation, Help: f.Help})
		}
		r := sarifResult{
			RuleID: f.Rule, RuleIndex: index[f.Rule], Level: sarifLevel(f.Severity),
			Message:             sarifText{Text: f.Message + " Fix: " + f.Remediation},
			Locations:           []sarifLocation{{PhysicalLocation: sarifLoc(f.Loc.File, f.Loc.Line, f.Loc.Column)}},
			PartialFingerprints: map[string]string{fingerprintKey: f.Fingerprint()},
		}
		for i, rel := range f.Related {
			id := i + 1
			r.RelatedLocations = append(r.RelatedLocations, sarifLocation{ID: &id,
				PhysicalLocation: sarifLoc(rel.Loc.File, rel.Loc.Line, rel.Loc.Column), Message: &sarifText{Text: rel.Message}})
		}
		if suppression != "" {
			r.Suppressions = []sarifSuppress{{Kind: suppression}}
		}
		results = append(results, r)
	}
	for _, f := range rep.Findings {
		add(f, "")
	}
	for _, f := range rep.Suppressed {
		add(f, "inSource")
	}
	for _, f := range rep.Baselined {
		add(f, "external")
	}
	doc := sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{{Tool: sarifTool{Driver: drv}, Results: results}}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// ruleName turns a kebab id into the PascalCase name SARIF viewers show.
func ruleName(id string) string {
	var b strings.Builder
	for _, p := range strings.Split(id, "-") {
		if p == "" {
			continue
		}
		b.WriteString(strings.ToUpper(p[:1]) + p[1:])
	}
	return b.String()
}
