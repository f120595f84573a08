package output

import (
	"fmt"
	"io"
	"net"
	"strings"
	"text/tabwriter"

	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/scan"
)

// ScanFormat is one output format of scan.
type ScanFormat = FormatOf[*scan.Result]

// ScanFormats lists scan's output formats, in help order.
func ScanFormats() Registry[*scan.Result] {
	return Registry[*scan.Result]{
		{"table", "one line per profile with where it came from, for people", renderScanTable},
		{"json", "one JSON document with schema_version: every profile's fields and their locations, for tools", renderScanJSON},
	}
}

// scanJSON is scan's JSON document (docs/formats.md).
type scanJSON struct {
	SchemaVersion int            `json:"schema_version"`
	Profiles      []profile.View `json:"profiles"`
	Problems      []problemJSON  `json:"problems"`
	Summary       scanSummary    `json:"summary"`
}

type problemJSON struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Message  string `json:"message"`
}

type scanSummary struct {
	Files    int   `json:"files"`
	Readable int   `json:"readable"`
	Bytes    int64 `json:"bytes"`
	Profiles int   `json:"profiles"`
	Problems int   `json:"problems"`
}

func renderScanJSON(w io.Writer, res *scan.Result, _ Options) error {
	// Streamed profile by profile: the document for a large repository
	// is tens of megabytes, and building it whole doubles the run's peak
	// memory. The bytes are those json.Encoder writes for scanJSON.
	s := NewJSONStream(w)
	s.Field("schema_version", profile.SchemaVersion)
	s.Array("profiles", len(res.Profiles), func(i int) any { return res.Profiles[i].View() })
	s.Array("problems", len(res.Problems), func(i int) any {
		p := res.Problems[i]
		return problemJSON{Rule: "input-unreadable", Severity: "error",
			File: p.Loc.File, Line: p.Loc.Line, Column: p.Loc.Column, Message: p.Msg}
	})
	s.Field("summary", scanSummary{Files: res.Files, Readable: res.Readable, Bytes: res.Bytes,
		Profiles: len(res.Profiles), Problems: len(res.Problems)})
	return s.Close()
}

func renderScanTable(w io.Writer, res *scan.Result, _ Options) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LOCATION\tNAME\tSERVICE\tENV\tDRIVER\tHOST:PORT\tDATABASE\tUSER\tPASSWORD\tTLS")
	for _, p := range res.Profiles {
		v := p.View()
		loc := p.File
		if l, ok := firstLocation(p); ok {
			loc = l.String()
		}
		name := v.Name
		if p.ServerSide {
			name += " (server)"
		}
		svc := v.Service
		if svc == "" {
			svc = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", loc, name, svc, v.Environment, deref(v.Driver),
			hostPort(v), deref(v.Database), deref(v.User), passwordText(v), deref(v.TLS))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s in %s (%d unreadable)\n", count(len(res.Profiles), "profile"), count(res.Files, "file"), len(res.Problems))
	return err
}

// firstLocation is where a profile starts: its earliest located field.
func firstLocation(p *profile.Profile) (profile.Location, bool) {
	var best profile.Location
	p.EachField(func(_ string, v profile.Value) {
		if v.Loc.Line > 0 && (best.Line == 0 || v.Loc.Line < best.Line || v.Loc.Line == best.Line && v.Loc.Column < best.Column) {
			best = v.Loc
		}
	})
	return best, best.Line > 0
}

func deref(s *string) string {
	if s == nil {
		return "-"
	}
	if *s == "" {
		return `""`
	}
	return *s
}

func hostPort(v profile.View) string {
	h := deref(v.Host)
	if net.ParseIP(h) != nil && strings.Contains(h, ":") && v.Port != nil {
		h = "[" + h + "]"
	}
	if v.Port == nil {
		return h
	}
	return fmt.Sprintf("%s:%v", h, v.Port)
}

func passwordText(v profile.View) string {
	switch {
	case v.PasswordSet == nil:
		return "unknown"
	case !*v.PasswordSet:
		return "none"
	}
	return v.PasswordSource
}

// count writes a count with its noun: 1 profile, 2 profiles.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
