package output

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"

	"github.com/dbguard/dbguard/internal/policy"
)

// The JUnit model every command writes (check, verify): one set of types,
// attributes a command does not use left out. Counts that some commands
// always write and others only when non-zero are strings, set by the
// renderer that writes them.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr,omitempty"`
	Tests    string       `xml:"tests,attr,omitempty"`
	Failures string       `xml:"failures,attr,omitempty"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   string      `xml:"errors,attr,omitempty"`
	Skipped  string      `xml:"skipped,attr,omitempty"`
	Time     string      `xml:"time,attr,omitempty"`
	Cases    []junitCase `xml:"testcase"`
	// errors and skipped are counted here and written by the renderer.
	errors, skipped int
}

// verify writes the suite's error and skip counts where they are not zero.
func (s junitSuite) verify() junitSuite {
	if s.errors > 0 {
		s.Errors = strconv.Itoa(s.errors)
	}
	if s.skipped > 0 {
		s.Skipped = strconv.Itoa(s.skipped)
	}
	return s
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Time      string        `xml:"time,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Error     *junitFailure `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

// junitFailure is a failure or, in an error element, a test that could not
// run to its verdict.
type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// junitSkipped marks a case that was not run.
type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// writeJUnit writes the XML header, the document indented, and a newline.
func writeJUnit(w io.Writer, doc junitSuites) error {
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
			accepted.skipped++
		}
	}
	if len(accepted.Cases) > 0 {
		accepted.Tests = len(accepted.Cases)
		doc.Suites = append(doc.Suites, accepted)
	}
	if len(doc.Suites) == 0 {
		doc.Suites = []junitSuite{{Name: "dbguard check", Tests: 1, Cases: []junitCase{{Name: summaryLine(rep), Classname: "dbguard"}}}}
	}
	tests, failures := 0, 0
	for i := range doc.Suites {
		s := &doc.Suites[i]
		tests += s.Tests
		failures += s.Failures
		s.Skipped = strconv.Itoa(s.skipped)
	}
	doc.Tests, doc.Failures = strconv.Itoa(tests), strconv.Itoa(failures)
	return writeJUnit(w, doc)
}
