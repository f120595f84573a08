package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/testenv"
	"github.com/dbguard/dbguard/internal/verify"
)

// deadlineFleet writes 30 PostgreSQL profiles, p00 to p29: all against the
// real test server but p03, whose server accepts and never answers. With
// one worker and a stage timeout longer than the run, the run's end
// surely comes while p03 is probed (or before): p00-p02 are verified
// before it, p03 is cut short, p04-p29 never begin.
func deadlineFleet(t *testing.T) string {
	pg := testPG(t)
	silent := *pg
	silent.Host = testenv.SilentListener(t).String()
	files := map[string][]byte{}
	for i := 0; i < 30; i++ {
		u := pg
		if i == 3 {
			u = &silent
		}
		files[fmt.Sprintf("p%02d/.env", i)] = []byte("DATABASE_URL=" + u.String() + "\n")
	}
	dir := t.TempDir()
	writeTree(t, dir, files)
	return dir
}

// fleetIndex is the number of profile id "pNN/...".
func fleetIndex(t *testing.T, id string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscanf(id, "p%02d/", &n); err != nil {
		t.Fatalf("profile id %q is not one of the fleet's", id)
	}
	return n
}

// TestVerifyRunEndReportsEveryProfile is the acceptance test of honest
// deadlines: verify's --timeout, and a signal, over 30 working
// profiles end with exit 1, every profile not verified listed as such in
// every format, counted in the summary, interrupted set. One run, whichever
// way it ended, is reported one way.
func TestVerifyRunEndReportsEveryProfile(t *testing.T) {
	dir := deadlineFleet(t)
	// go test runs two subtests at a time on two cores: six runs of 700ms
	// take about 2s.
	const runFor = 700 * time.Millisecond
	type end struct {
		name  string
		args  []string
		ctx   func() (context.Context, context.CancelFunc)
		cause string
		code  string
	}
	ends := []end{
		{"timeout", []string{"--timeout", runFor.String()}, func() (context.Context, context.CancelFunc) {
			return context.WithCancel(context.Background())
		}, "the run's deadline passed (--timeout 700ms)", "deadline"},
		{"signal", []string{"--timeout", "10m"}, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancelCause(context.Background())
			time.AfterFunc(runFor, func() { cancel(errors.New("interrupt signal received")) })
			return ctx, func() { cancel(nil) }
		}, "interrupt signal received", "canceled"},
	}
	for _, e := range ends {
		for _, format := range []string{"text", "json", "junit"} {
			t.Run(e.name+"/"+format, func(t *testing.T) {
				t.Parallel()
				ctx, cancel := e.ctx()
				defer cancel()
				var stdout, stderr bytes.Buffer
				args := append([]string{"verify", "--no-config", "--workers", "1", "--stage-timeout", "1m", "--format", format}, e.args...)
				start := time.Now()
				code := Run(ctx, append(args, dir), strings.NewReader(""), &stdout, &stderr)
				took := time.Since(start)
				if code != ExitFindings {
					t.Fatalf("exit %d, want %d\n%s\n%s", code, ExitFindings, stdout.String(), stderr.String())
				}
				if took > runFor+5*time.Second {
					t.Errorf("the run took %v, past its end at %v", took, runFor)
				}
				if !strings.Contains(stderr.String(), "profiles not verified: "+e.cause) {
					t.Errorf("stderr does not say how many profiles were not verified and why:\n%s", stderr.String())
				}
				var unverified []int
				switch format {
				case "json":
					unverified = unverifiedJSON(t, stdout.Bytes(), e.code, e.cause)
				case "junit":
					unverified = unverifiedJUnit(t, stdout.Bytes())
				default:
					unverified = unverifiedText(t, stdout.String())
				}
				// p03 is cut short and p04-p29 never begin, whatever the
				// machine's speed; p00-p02 may or may not finish.
				got := map[int]bool{}
				for _, i := range unverified {
					got[i] = true
				}
				for i := 3; i < 30; i++ {
					if !got[i] {
						t.Errorf("p%02d is not reported as not verified:\n%s", i, stdout.String())
					}
				}
			})
		}
	}
}

// unverifiedJSON checks the JSON document and returns the fleet numbers
// of its not-verified results.
func unverifiedJSON(t *testing.T, out []byte, code, cause string) []int {
	t.Helper()
	var doc struct {
		Results []struct {
			Profile, Stage, Class, Code, Detail string
			OK                                  bool
			Tries                               int
		}
		Summary verify.Summary
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("decode: %v\n%s", err, out)
	}
	if err := testenv.MatchSchema(t, compileSchema(t, "verify.schema.json"), out); err != nil {
		t.Errorf("the document does not match docs/schema/verify.schema.json: %v", err)
	}
	if len(doc.Results) != 30 {
		t.Fatalf("%d results, want one per profile (30)\n%s", len(doc.Results), out)
	}
	var unverified []int
	ok := 0
	for _, r := range doc.Results {
		i := fleetIndex(t, r.Profile)
		switch {
		case r.OK:
			ok++
		case r.Class == "not_verified":
			unverified = append(unverified, i)
			if r.Code != code || !strings.Contains(r.Detail, cause) {
				t.Errorf("%s: code %q detail %q, want code %q and the cause %q", r.Profile, r.Code, r.Detail, code, cause)
			}
			// Never begun: config. p03 is cut short while the silent
			// server is asked to log in, unless a machine too busy to
			// reach it before the end never began it either
			// (TestRunEndEndsAStageAtOnce in internal/verify pins the
			// cut).
			if i > 3 && r.Stage != "config" || i == 3 && r.Stage != "auth" && r.Stage != "config" {
				t.Errorf("%s: not verified at %q", r.Profile, r.Stage)
			}
		default:
			t.Errorf("%s: %s at %s: a working profile reported as failing", r.Profile, r.Class, r.Stage)
		}
	}
	s := doc.Summary
	if s.Profiles != 30 || s.Verified != ok || s.OK != ok || s.Failed != 0 || !s.Interrupted || ok+len(unverified) != 30 {
		t.Errorf("summary %+v, want 30 profiles, %d verified and ok, none failed, interrupted", s, ok)
	}
	return unverified
}

// unverifiedText checks the text report and returns the fleet numbers of
// its NOT VERIFIED profiles.
func unverifiedText(t *testing.T, out string) []int {
	t.Helper()
	var unverified []int
	ok := 0
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "NOT VERIFIED  "):
			unverified = append(unverified, fleetIndex(t, strings.TrimPrefix(line, "NOT VERIFIED  ")))
		case strings.HasPrefix(line, "ok  "):
			ok++
		case strings.HasPrefix(line, "FAIL  "):
			t.Errorf("a working profile reported as failing: %s", line)
		}
	}
	want := fmt.Sprintf("\n30 profiles: %d ok, 0 failed, %d not verified (interrupted)\n", ok, len(unverified))
	if ok+len(unverified) != 30 || !strings.HasSuffix(out, want) {
		t.Errorf("the report does not end with %q:\n%s", want, out)
	}
	return unverified
}

// unverifiedJUnit checks the JUnit report and returns the fleet numbers of
// its test cases in error.
func unverifiedJUnit(t *testing.T, out []byte) []int {
	t.Helper()
	var doc struct {
		Suites []struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Errors   int `xml:"errors,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Type string `xml:"type,attr"`
				} `xml:"failure"`
				Error *struct {
					Type string `xml:"type,attr"`
				} `xml:"error"`
				Skipped *struct{} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(out, &doc); err != nil || len(doc.Suites) != 1 {
		t.Fatalf("decode: %v\n%s", err, out)
	}
	s := doc.Suites[0]
	var unverified []int
	for _, c := range s.Cases {
		switch {
		case c.Error != nil:
			if c.Error.Type != "not_verified" {
				t.Errorf("%s: error of type %q", c.Name, c.Error.Type)
			}
			unverified = append(unverified, fleetIndex(t, c.Name))
		case c.Failure != nil || c.Skipped != nil:
			t.Errorf("%s: a working profile reported as failing or skipped", c.Name)
		}
	}
	if s.Tests != 30 || len(s.Cases) != 30 || s.Errors != len(unverified) || s.Failures != 0 {
		t.Errorf("suite counts tests=%d failures=%d errors=%d, want 30, 0, %d", s.Tests, s.Failures, s.Errors, len(unverified))
	}
	return unverified
}

// TestVerifyRetriesEndWithTheLastAnswer: a retry storm against a refused
// port that the run's deadline ends is reported as the refusal it got,
// tcp_refused, whether the deadline comes during a try (which is then no
// answer) or during the backoff; never as a tcp_timeout the deadline made.
func TestVerifyRetriesEndWithTheLastAnswer(t *testing.T) {
	// Nothing listens: every connect is refused at once.
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{".env": []byte("DATABASE_URL=postgres://app:pw@127.0.0.1:" + closedPort(t) + "/app?sslmode=disable\n")})
	cases := map[string][]string{
		"storm":            {"--retries", "1000000", "--retry-backoff", "0s"},
		"storm, 1ms":       {"--retries", "1000000", "--retry-backoff", "1ms"},
		"long backoff":     {"--retries", "3", "--retry-backoff", "1m"},
		"storm, 4 workers": {"--retries", "1000000", "--retry-backoff", "0s", "--workers", "4"},
	}
	for name, flags := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"verify", "--no-config", "--format", "json", "--timeout", "300ms"}, flags...)
			code, stdout, stderr := runCLI(t, "", append(args, dir)...)
			if code != ExitFindings {
				t.Fatalf("exit %d, want %d\n%s", code, ExitFindings, stderr)
			}
			var doc struct {
				Results []struct {
					Class, Stage, Code string
					Tries              int
				}
				Summary verify.Summary
			}
			if err := json.Unmarshal([]byte(stdout), &doc); err != nil || len(doc.Results) != 1 {
				t.Fatalf("decode: %v\n%s", err, stdout)
			}
			r := doc.Results[0]
			if r.Class != "tcp_refused" || r.Stage != "tcp" || r.Code != "ECONNREFUSED" || r.Tries < 1 {
				t.Fatalf("got %+v, want tcp_refused at tcp", r)
			}
			if s := doc.Summary; s.Interrupted || s.Verified != 1 || s.Failed != 1 {
				t.Errorf("summary %+v: the profile has an answer, its failure", s)
			}
		})
	}
}
