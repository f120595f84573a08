package output

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/verify"
)

// VerifyReport is what verify prints: the results of a fleet run, or, with
// Change set, the pairs of a change verified old against new.
type VerifyReport struct {
	Results []verify.Result
	Change  *VerifyChange
}

// VerifyChange is verify --diff-base's part of a report.
type VerifyChange struct {
	// Base is the base commit; Head the head commit or "working tree";
	// Config where the base's dbguard.yaml came from.
	Base, Head, Config string
	Pairs              []*verify.Pair
	// NewTargets counts the new sides to probe; Interrupted says the run
	// ended before every probe had an answer.
	NewTargets  int
	Interrupted bool
}

// VerifyFormat is one output format of verify.
type VerifyFormat = FormatOf[*VerifyReport]

// VerifyFormats lists verify's output formats, in help order.
func VerifyFormats() Registry[*VerifyReport] {
	return Registry[*VerifyReport]{
		{"text", "a stage ladder per profile, for people", renderVerifyText},
		{"json", "one JSON document with schema_version, for tools", renderVerifyJSON},
		{"junit", "JUnit XML, one test case per profile, for CI test reports", renderVerifyJUnit},
	}
}

// verifyDoc is verify's JSON document (docs/formats.md).
type verifyDoc struct {
	SchemaVersion int            `json:"schema_version"`
	Results       []verify.View  `json:"results"`
	Summary       verify.Summary `json:"summary"`
}

// verifyChangeDoc is verify --diff-base's JSON document: verify's, with
// results holding the new side only (what the exit code is decided from),
// plus the diff and one pair per touched profile.
type verifyChangeDoc struct {
	SchemaVersion int               `json:"schema_version"`
	Results       []verify.View     `json:"results"`
	Diff          verifyChangeInfo  `json:"diff"`
	Pairs         []verify.PairView `json:"pairs"`
	Summary       verify.Summary    `json:"summary"`
}

type verifyChangeInfo struct {
	Base    string                 `json:"base"`
	Head    string                 `json:"head"`
	Config  string                 `json:"config"`
	Pairs   int                    `json:"pairs"`
	Verdict map[verify.Verdict]int `json:"verdicts"`
}

func renderVerifyJSON(w io.Writer, r *VerifyReport, _ Options) error {
	var doc any
	if c := r.Change; c != nil {
		d := verifyChangeDoc{SchemaVersion: profile.SchemaVersion, Results: []verify.View{}, Pairs: []verify.PairView{},
			Diff: verifyChangeInfo{Base: c.Base, Head: c.Head, Config: c.Config, Pairs: len(c.Pairs), Verdict: map[verify.Verdict]int{}}}
		for _, p := range c.Pairs {
			v := p.View()
			d.Pairs = append(d.Pairs, v)
			d.Diff.Verdict[v.Verdict]++
			if v.New != nil {
				d.Results = append(d.Results, *v.New)
				if v.New.OK {
					d.Summary.OK++
				} else {
					d.Summary.Failed++
				}
			}
		}
		d.Summary.Profiles, d.Summary.Verified, d.Summary.Interrupted = c.NewTargets, len(d.Results), c.Interrupted
		doc = d
	} else {
		d := verifyDoc{SchemaVersion: profile.SchemaVersion, Results: []verify.View{}, Summary: verify.Summarize(r.Results)}
		for _, res := range r.Results {
			d.Results = append(d.Results, res.View())
		}
		doc = d
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func renderVerifyText(w io.Writer, r *VerifyReport, _ Options) error {
	if r.Change != nil {
		return renderVerifyChangeText(w, r.Change)
	}
	for _, res := range r.Results {
		v := res.View()
		verdict := "FAIL"
		switch {
		case v.OK:
			verdict = "ok"
		case !res.Verified():
			verdict = "NOT VERIFIED"
		}
		fmt.Fprintf(w, "%s  %s (%s, %s) %s:%d  [%s]\n", verdict, v.Profile, v.Driver, v.Environment, v.Host, v.Port, v.File)
		writeFailedHosts(w, "    ", v.Attempts)
		// A profile the run ended before has eight stages of skip: they
		// say nothing the class does not.
		if begun(v.Stages) {
			for _, s := range v.Stages {
				line := fmt.Sprintf("    %-9s %-7s %9.3f ms", s.Name, s.Status, s.DurationMS)
				if s.Note != "" {
					line += "  " + s.Note
				}
				fmt.Fprintln(w, strings.TrimRight(line, " "))
			}
		}
		if !v.OK {
			writeFailure(w, "    ", v, true)
		}
		for _, warn := range v.Warnings {
			fmt.Fprintf(w, "    warning: %s\n", warn)
		}
	}
	sum := verify.Summarize(r.Results)
	suffix := ""
	if sum.Interrupted {
		suffix = fmt.Sprintf(", %d not verified (interrupted)", sum.Profiles-sum.Verified)
	}
	_, err := fmt.Fprintf(w, "\n%d profiles: %d ok, %d failed%s\n", sum.Profiles, sum.OK, sum.Failed, suffix)
	return err
}

// writeFailedHosts lists the hosts of a profile that failed before the
// deciding one.
func writeFailedHosts(w io.Writer, indent string, attempts []verify.AttemptView) {
	for _, at := range attempts {
		if !at.OK {
			fmt.Fprintf(w, "%shost %s:%d failed at %s: %s %s\n", indent, at.Host, at.Port, at.Stage, at.Class, at.Code)
		}
	}
}

// writeFailure prints a failure's class, code and detail, then what it is
// often mistaken for, with the remediation before it when fix is set (a
// pair's one-line summary already carries the remediation).
func writeFailure(w io.Writer, indent string, v verify.View, fix bool) {
	fmt.Fprintf(w, "%s=> %s at %s (code %s)\n", indent, v.Class, v.Stage, v.Code)
	if v.Detail != "" {
		fmt.Fprintf(w, "%s   detail: %s\n", indent, v.Detail)
	}
	switch {
	case fix && v.Remediation != "":
		fmt.Fprintf(w, "%s   fix: %s\n", indent, v.Remediation)
		fmt.Fprintf(w, "%s   not: %s\n", indent, v.MistakenFor)
	case !fix && v.MistakenFor != "":
		fmt.Fprintf(w, "%s   not: %s\n", indent, v.MistakenFor)
	}
}

// begun reports whether any stage of a ladder ran.
func begun(stages []verify.StageView) bool {
	for _, s := range stages {
		if s.Status != verify.StatusSkip {
			return true
		}
	}
	return false
}

// renderVerifyChangeText prints a before/after pair per touched profile:
// the verdict and the one-line summary, then each probed side's host, its
// stage ladder in one line and, for a failure, the code, detail and fix.
func renderVerifyChangeText(w io.Writer, c *VerifyChange) error {
	fmt.Fprintf(w, "change %s -> %s: %d profiles touched\n", shortRev(c.Base), shortRev(c.Head), len(c.Pairs))
	counts := map[verify.Verdict]int{}
	for _, p := range c.Pairs {
		v := p.Verdict()
		counts[v]++
		driver := ""
		for _, q := range []*profile.Profile{p.New, p.Old} {
			if q != nil {
				if t, ok := q.Driver.Effective(); ok && t != "" {
					driver = t + ", "
					break
				}
			}
		}
		fmt.Fprintf(w, "\n%-13s %s (%s%s)  [%s]\n", strings.ToUpper(string(v)), p.ID(), driver, p.Environment, p.File)
		what := p.Change
		if len(p.Fields) > 0 {
			what += ": " + strings.Join(p.Fields, ", ")
		}
		if p.OldID != "" && p.NewID != "" && p.OldID != p.NewID {
			what += " (was " + p.OldID + ")"
		}
		fmt.Fprintf(w, "    %s\n", what)
		fmt.Fprintf(w, "    %s\n", p.Summary())
		for _, side := range []struct {
			name string
			r    *verify.Result
		}{{"old", p.OldResult}, {"new", p.NewResult}} {
			if side.r != nil {
				writeSideDetail(w, side.name, *side.r)
			}
		}
	}
	var parts []string
	for _, v := range verify.Verdicts() {
		if counts[v] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[v], v))
		}
	}
	if len(parts) == 0 {
		parts = []string{"nothing to verify"}
	}
	suffix := ""
	if c.Interrupted {
		suffix = " (interrupted)"
	}
	_, err := fmt.Fprintf(w, "\n%d profiles touched: %s%s\n", len(c.Pairs), strings.Join(parts, ", "), suffix)
	return err
}

// writeSideDetail prints one side's probe under its pair.
func writeSideDetail(w io.Writer, name string, r verify.Result) {
	v := r.View()
	var ladder []string
	for _, s := range v.Stages {
		if s.Status != verify.StatusSkip {
			ladder = append(ladder, fmt.Sprintf("%s %s", s.Name, s.Status))
		}
	}
	where := v.Host
	if v.Port != 0 {
		where = net.JoinHostPort(v.Host, fmt.Sprint(v.Port))
	}
	fmt.Fprintf(w, "      %s %s, %.3f ms: %s\n", name, where, v.DurationMS, strings.Join(ladder, ", "))
	writeFailedHosts(w, "        ", v.Attempts)
	if !v.OK {
		writeFailure(w, "        ", v, false)
	}
	for _, warn := range v.Warnings {
		fmt.Fprintf(w, "        warning: %s\n", warn)
	}
}

// renderVerifyJUnit writes one test case per profile (per touched profile
// under --diff-base), its stage ladder as system-out.
func renderVerifyJUnit(w io.Writer, r *VerifyReport, _ Options) error {
	if r.Change != nil {
		return renderVerifyChangeJUnit(w, r.Change)
	}
	s := junitSuite{Name: "dbguard verify"}
	var total time.Duration
	for _, res := range r.Results {
		v := res.View()
		total += res.Duration
		var ladder strings.Builder
		for _, st := range v.Stages {
			fmt.Fprintf(&ladder, "%s %s %.3fms %s\n", st.Name, st.Status, st.DurationMS, st.Note)
		}
		c := junitCase{Name: v.Profile, Classname: filepath.ToSlash(v.File), Time: seconds(res.Duration), SystemOut: ladder.String()}
		if !v.OK {
			f := &junitFailure{Message: fmt.Sprintf("%s at %s (code %s): %s", v.Class, v.Stage, v.Code, v.Remediation),
				Type: string(v.Class), Text: v.Detail}
			// A probe the run's end cut short is an error in JUnit's
			// terms (the test could not run to its verdict), never a
			// skip, which CI would count as passing.
			if res.Verified() {
				s.Failures++
				c.Failure = f
			} else {
				s.errors++
				c.Error = f
			}
		}
		s.Cases = append(s.Cases, c)
	}
	s.Tests, s.Time = len(r.Results), seconds(total)
	return writeJUnit(w, junitSuites{Suites: []junitSuite{s.verify()}})
}

// renderVerifyChangeJUnit writes one test case per touched profile: a
// failure when its new side fails, skipped when it was removed, both
// sides' ladders as system-out.
func renderVerifyChangeJUnit(w io.Writer, c *VerifyChange) error {
	s := junitSuite{Name: "dbguard verify --diff-base " + shortRev(c.Base)}
	var total time.Duration
	for _, p := range c.Pairs {
		v := p.View()
		var out strings.Builder
		fmt.Fprintf(&out, "%s\n", v.Summary)
		var dur time.Duration
		for _, side := range []struct {
			name string
			r    *verify.Result
		}{{"old", p.OldResult}, {"new", p.NewResult}} {
			if side.r == nil {
				continue
			}
			dur += side.r.Duration
			for _, st := range side.r.View().Stages {
				fmt.Fprintf(&out, "%s %s %s %.3fms %s\n", side.name, st.Name, st.Status, st.DurationMS, st.Note)
			}
		}
		total += dur
		tc := junitCase{Name: v.Profile, Classname: filepath.ToSlash(v.File), Time: seconds(dur), SystemOut: out.String()}
		switch {
		case v.Verdict.Fails():
			s.Failures++
			f := &junitFailure{Message: string(v.Verdict) + ": " + v.Summary, Type: string(v.Verdict)}
			if v.New != nil {
				f.Type, f.Text = string(v.New.Class), v.New.Detail
			}
			tc.Failure = f
		case v.Verdict == verify.VerdictRemoved:
			tc.Skipped = &junitSkipped{Message: v.Summary}
			s.skipped++
		}
		s.Cases = append(s.Cases, tc)
	}
	s.Tests, s.Time = len(c.Pairs), seconds(total)
	return writeJUnit(w, junitSuites{Suites: []junitSuite{s.verify()}})
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// shortRev is a commit id as people read it: its first 12 characters.
func shortRev(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}
