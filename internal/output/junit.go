package output

import (
	"encoding/xml"
	"fmt"
	"io"

	"github.com/dbguard/dbguard/internal/policy"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// renderJUnit writes one test suite per file, one failing test case per
// finding, and skipped cases for suppressed and baselined findings; a run
// with no finding is one passing case, so CI shows that the check ran.
func renderJUnit(w io.Writer, rep *policy.Report, _ Options) error {
	doc := junitSuites{Name: "dbguard check"}
	files, m := byFile(rep.Findings)
	for _, file := range files {
		s := junitSuite{Name: file}
		for _, f := range m[file] {
			s.Cases = append(s.Cases, junitCase{
				Name: fmt.Sprintf("%s %s:%d", f.Rule, file, f.Loc.Line), Classname: file, File: file, Line: f.Loc.Line,
				Failure: &junitFailure{Message: f.Message, Type: f.Severity.String(),
					Text: fmt.Sprintf("%s: %s %s\nprofile: %s\nfix: %s\nhelp: %s\n", f.Loc, f.Severity, f.Message, f.Profile, f.Remediation, f.Help)},
			})
			s.Failures++
		}
		s.Tests = len(s.Cases)
		doc.Suites = append(doc.Suites, s)
	}
	accepted := junitSuite{Name: "accepted"}
	for _, group := range []struct {
		fs  []policy.Finding
		why string
	}{{rep.Suppressed, "suppressed by dbguard:ignore"}, {rep.Baselined, "in the baseline"}} {
		for _, f := range group.fs {
			accepted.Cases = append(accepted.Cases, junitCase{Name: fmt.Sprintf("%s %s:%d", f.Rule, f.Loc.File, f.Loc.Line),
				Classname: f.Loc.File, File: f.Loc.File, Line: f.Loc.Line, Skipped: &junitSkipped{Message: group.why}})
			accepted.Skipped++
		}
	}
	if len(accepted.Cases) > 0 {
		accepted.Tests = len(accepted.Cases)
		doc.Suites = append(doc.Suites, accepted)
	}
	if len(doc.Suites) == 0 {
		doc.Suites = []junitSuite{{Name: "dbguard check", Tests: 1, Cases: []junitCase{{Name: summaryLine(rep), Classname: "dbguard"}}}}
	}
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
