package cli

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/verify"
	"github.com/dbguard/dbguard/internal/verify/mysql"
	"github.com/dbguard/dbguard/internal/verify/postgres"
)

// verifyDrivers is the registry of prober drivers, by profile driver name.
// PgBouncer speaks the PostgreSQL protocol and is recognised at run time.
func verifyDrivers() map[string]verify.Driver {
	return map[string]verify.Driver{"postgres": postgres.New(), "mysql": mysql.New()}
}

// verifyOptions are verify's flags.
type verifyOptions struct {
	format       string
	env          string
	profiles     []string
	workers      int
	timeout      time.Duration
	stageTimeout time.Duration
	retries      int
	retryBackoff time.Duration
	query        string
	writeCheck   string
	secretsDir   string
	exclude      []string
	configPath   string
	noConfig     bool
}

func newVerifyCommand(e *env) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify PATH...",
		Short: "Connect to each database a configuration names, stage by stage, and say which stage fails",
		Long: `verify finds the connection profiles in PATH (as scan does) and proves each one
against the live server: config, dns, tcp, tls, auth, database, query and
capacity, in that order. A failure names its stage, an error class from a
fixed taxonomy (docs/taxonomy.md), the server's own code and a remediation.

Values the files leave unresolved (${DB_HOST}, a password from DB_PASSWORD)
are taken from this process's environment; password files and mounted
Kubernetes secrets (--secrets-dir) are read. No secret is ever printed.

verify is read-only unless --write-check names a table: then one row is
inserted inside a transaction that is rolled back (sequences still advance,
triggers' outside effects remain: docs/verify.md).

Exit codes: 0 every profile passed, 1 a profile failed (or verify was
interrupted), 2 usage error or no readable input; a --env or --profile that
matches no profile is a usage error that lists what there is.`,
		Example: `  # every production connection of a repository
  dbguard verify --env production deploy/

  # a deploy gate that rides out a rolling restart
  dbguard verify --retries 5 --retry-backoff 3s --format junit k8s/ > verify.xml

  # one profile, with a write check
  dbguard verify --profile 'config/database.yml#production' --write-check app.healthcheck config/`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerify(e, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.format, "format", "o", "text", "output format: text, json or junit")
	f.StringVar(&o.env, "env", "", "verify only profiles of this environment (production, staging, ...)")
	f.StringSliceVar(&o.profiles, "profile", nil, "verify only this profile ID (repeatable)")
	f.IntVar(&o.workers, "workers", 8, "profiles verified in parallel")
	f.DurationVar(&o.timeout, "timeout", 2*time.Minute, "overall deadline for the whole run")
	f.DurationVar(&o.stageTimeout, "stage-timeout", 5*time.Second, "deadline of each stage (and each address's TCP connect)")
	f.IntVar(&o.retries, "retries", 0, "retry a failed profile this many times")
	f.DurationVar(&o.retryBackoff, "retry-backoff", 2*time.Second, "wait between retries")
	f.StringVar(&o.query, "query", "", "query to run instead of SELECT 1 (read-only)")
	f.StringVar(&o.writeCheck, "write-check", "", "insert a row into TABLE inside a rolled-back transaction")
	f.StringVar(&o.secretsDir, "secrets-dir", "", "folder where Kubernetes secrets are mounted (NAME/KEY files)")
	f.StringSliceVar(&o.exclude, "exclude", nil, "skip paths matching this glob (repeatable)")
	addConfigFlags(f, &o.configPath, &o.noConfig)
	return cmd
}

func runVerify(e *env, o *verifyOptions, args []string) error {
	switch o.format {
	case "text", "json", "junit":
	default:
		return usageError("unknown --format %q: use text, json or junit", o.format)
	}
	if o.workers < 1 || o.retries < 0 || o.stageTimeout <= 0 || o.timeout <= 0 {
		return usageError("--workers must be at least 1, --retries not negative, timeouts positive")
	}
	if len(args) == 0 {
		return usageError("verify needs at least one PATH")
	}
	var want profile.Environment
	if o.env != "" {
		want = profile.CanonicalEnvironment(o.env)
		if want == profile.Unknown && !strings.EqualFold(strings.TrimSpace(o.env), string(profile.Unknown)) {
			return usageError("unknown --env %q: use production, staging, development, test or unknown (or an alias such as prod, stg, dev)", o.env)
		}
	}
	res, err := scanPaths(e, args, o.exclude, o.configPath, o.noConfig)
	if err != nil {
		return err
	}
	for _, p := range res.Problems {
		fmt.Fprintf(e.stderr, "%s: input-unreadable: %s\n", p.Loc, p.Msg)
	}
	if res.Readable == 0 {
		return &ExitError{Code: ExitUsage, Err: errors.New("no readable input")}
	}
	var candidates, targets []*profile.Profile
	for _, p := range res.Profiles {
		if p.ServerSide || p.Inactive {
			continue
		}
		candidates = append(candidates, p)
		if o.env != "" && p.Environment != want {
			continue
		}
		if len(o.profiles) > 0 && !hasID(o.profiles, p.ID) {
			continue
		}
		targets = append(targets, p)
	}
	if err := checkSelection(o, want, candidates, targets); err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(e.ctx, o.timeout)
	defer cancel()
	prober := verify.NewProber(verify.Options{
		Drivers:      verifyDrivers(),
		Resolver:     net.DefaultResolver,
		StageTimeout: o.stageTimeout,
		Query:        o.query,
		WriteCheck:   o.writeCheck,
	})
	wd, _ := os.Getwd()
	results := runProbes(ctx, prober, targets, o, verify.ResolveOptions{Env: os.LookupEnv, SecretsDir: o.secretsDir, BaseDir: wd},
		newProgress(e.stderr, len(targets)))
	interrupted := e.ctx.Err() != nil

	switch o.format {
	case "json":
		err = writeVerifyJSON(e.stdout, results, len(targets), interrupted)
	case "junit":
		err = writeVerifyJUnit(e.stdout, results)
	default:
		err = writeVerifyText(e.stdout, results, len(targets), interrupted)
	}
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if interrupted {
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("interrupted: %d of %d profiles verified", len(results), len(targets))}
	}
	if len(targets) == 0 {
		fmt.Fprintln(e.stderr, "dbguard: no profile matches")
	}
	for _, r := range results {
		if !r.OK() {
			return &ExitError{Code: ExitFindings}
		}
	}
	if len(res.Problems) > 0 {
		return &ExitError{Code: ExitFindings}
	}
	return nil
}

// checkSelection makes a selection that matches nothing a usage error
// naming what there is instead: a deploy gate whose --env or --profile has
// a typo must not pass by verifying nothing. Each --profile must match.
func checkSelection(o *verifyOptions, want profile.Environment, candidates, targets []*profile.Profile) error {
	if o.env == "" && len(o.profiles) == 0 {
		return nil
	}
	var missing []string
	for _, id := range o.profiles {
		found := false
		for _, p := range targets {
			if p.ID == id {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, id)
		}
	}
	if len(targets) > 0 && len(missing) == 0 {
		return nil
	}
	var sel []string
	if o.env != "" {
		sel = append(sel, "--env "+o.env)
	}
	for _, id := range missing {
		sel = append(sel, "--profile "+id)
	}
	what := strings.Join(sel, " ")
	if len(candidates) == 0 {
		return usageError("no profile matches %s: the paths hold no profile to verify", what)
	}
	inEnv := candidates
	if o.env != "" {
		inEnv = nil
		for _, p := range candidates {
			if p.Environment == want {
				inEnv = append(inEnv, p)
			}
		}
	}
	if len(inEnv) == 0 {
		seen := map[profile.Environment]bool{}
		var envs []string
		for _, p := range candidates {
			if !seen[p.Environment] {
				seen[p.Environment] = true
				envs = append(envs, string(p.Environment))
			}
		}
		sort.Strings(envs)
		return usageError("no profile matches %s: found environments %s", what, strings.Join(envs, ", "))
	}
	ids := make([]string, 0, len(inEnv))
	for _, p := range inEnv {
		ids = append(ids, p.ID)
	}
	sort.Strings(ids)
	const show = 10
	list := strings.Join(ids[:min(len(ids), show)], ", ")
	if len(ids) > show {
		list += fmt.Sprintf(" and %d more (dbguard scan lists them)", len(ids)-show)
	}
	where := "found profiles"
	if o.env != "" {
		where = "profiles of " + string(want) + " are"
	}
	return usageError("no profile matches %s: %s %s", what, where, list)
}

func hasID(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// runProbes verifies targets with a bounded pool of workers and returns
// the results that finished, in input order. A canceled ctx stops new
// probes; probes in flight stop at once and are left out.
func runProbes(ctx context.Context, p *verify.Prober, targets []*profile.Profile, o *verifyOptions, ro verify.ResolveOptions, prog *progress) []verify.Result {
	type done struct {
		i int
		r verify.Result
	}
	jobs := make(chan int)
	out := make(chan done)
	var wg sync.WaitGroup
	for w := 0; w < min(o.workers, max(len(targets), 1)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				r := probeWithRetries(ctx, p, targets[i], o, ro)
				if ctx.Err() != nil && !r.OK() && r.Final() != nil && r.Final().Code == "canceled" {
					continue // not finished: left out of the report
				}
				out <- done{i, r}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range targets {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(out) }()
	var got []done
	for d := range out {
		got = append(got, d)
		prog.step()
	}
	prog.finish()
	sort.Slice(got, func(a, b int) bool { return got[a].i < got[b].i })
	res := make([]verify.Result, len(got))
	for i, d := range got {
		res[i] = d.r
	}
	return res
}

func probeWithRetries(ctx context.Context, p *verify.Prober, prof *profile.Profile, o *verifyOptions, ro verify.ResolveOptions) verify.Result {
	var r verify.Result
	for try := 0; try <= o.retries; try++ {
		if try > 0 {
			select {
			case <-ctx.Done():
				return r
			case <-time.After(o.retryBackoff):
			}
		}
		r = p.Probe(ctx, prof, ro)
		r.Tries = try + 1
		if r.OK() || (r.Final() != nil && r.Final().Class == verify.ClassConfigInvalid) {
			break
		}
	}
	return r
}

// progress draws a one-line counter on a terminal when there are more than
// a few targets; elsewhere (CI logs, pipes) it is silent.
type progress struct {
	w     io.Writer
	total int
	n     int
	on    bool
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total}
	if f, ok := w.(*os.File); ok && total > 5 {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.on = true
		}
	}
	return p
}

func (p *progress) step() {
	p.n++
	if p.on {
		width := 30
		fill := width * p.n / max(p.total, 1)
		fmt.Fprintf(p.w, "\r[%s%s] %d/%d verified", strings.Repeat("#", fill), strings.Repeat(" ", width-fill), p.n, p.total)
	}
}

func (p *progress) finish() {
	if p.on {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// verifyJSON is verify's JSON document (docs/verify.md).
type verifyJSON struct {
	SchemaVersion int                `json:"schema_version"`
	Results       []verifyResultJSON `json:"results"`
	Summary       verifySummaryJSON  `json:"summary"`
}

type verifyResultJSON struct {
	Profile     string              `json:"profile"`
	Name        string              `json:"name"`
	Environment profile.Environment `json:"environment"`
	File        string              `json:"file"`
	Driver      string              `json:"driver"`
	Host        string              `json:"host"`
	Port        int                 `json:"port"`
	Address     string              `json:"address,omitempty"`
	OK          bool                `json:"ok"`
	Stage       verify.Stage        `json:"stage,omitempty"`
	Class       verify.Class        `json:"class,omitempty"`
	Code        string              `json:"code,omitempty"`
	Remediation string              `json:"remediation,omitempty"`
	MistakenFor string              `json:"often_mistaken_for,omitempty"`
	Detail      string              `json:"detail,omitempty"`
	Pooler      bool                `json:"pooler,omitempty"`
	Warnings    []string            `json:"warnings,omitempty"`
	Stages      []stageJSON         `json:"stages"`
	Attempts    []attemptJSON       `json:"attempts,omitempty"`
	Tries       int                 `json:"tries"`
	DurationMS  float64             `json:"duration_ms"`
}

type stageJSON struct {
	Name       verify.Stage  `json:"name"`
	Status     verify.Status `json:"status"`
	DurationMS float64       `json:"duration_ms"`
	Note       string        `json:"note,omitempty"`
}

type attemptJSON struct {
	Host  string       `json:"host"`
	Port  int          `json:"port"`
	OK    bool         `json:"ok"`
	Stage verify.Stage `json:"stage,omitempty"`
	Class verify.Class `json:"class,omitempty"`
	Code  string       `json:"code,omitempty"`
}

type verifySummaryJSON struct {
	Profiles    int  `json:"profiles"`
	Verified    int  `json:"verified"`
	OK          int  `json:"ok"`
	Failed      int  `json:"failed"`
	Interrupted bool `json:"interrupted"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func resultJSON(r verify.Result) verifyResultJSON {
	a := r.Final()
	j := verifyResultJSON{Profile: r.Profile, Name: r.Name, Environment: r.Environment, File: r.File, Driver: r.Driver,
		Tries: r.Tries, DurationMS: ms(r.Duration), Stages: []stageJSON{}}
	if a == nil {
		return j
	}
	j.Host, j.Port, j.Address, j.OK, j.Pooler, j.Warnings = a.Host, a.Port, a.Address, a.OK, a.Pooler, a.Warnings
	if !a.OK {
		j.Stage, j.Class, j.Code, j.Detail = a.Stage, a.Class, a.Code, a.Detail
		if ci, ok := verify.Info(a.Class); ok {
			j.Remediation, j.MistakenFor = ci.Remediation, ci.MistakenFor
		}
	}
	for _, s := range a.Stages {
		j.Stages = append(j.Stages, stageJSON{Name: s.Stage, Status: s.Status, DurationMS: ms(s.Duration), Note: s.Note})
	}
	if len(r.Attempts) > 1 {
		for _, at := range r.Attempts {
			j.Attempts = append(j.Attempts, attemptJSON{Host: at.Host, Port: at.Port, OK: at.OK, Stage: at.Stage, Class: at.Class, Code: at.Code})
		}
	}
	return j
}

func writeVerifyJSON(w io.Writer, results []verify.Result, total int, interrupted bool) error {
	doc := verifyJSON{SchemaVersion: profile.SchemaVersion, Results: []verifyResultJSON{}}
	for _, r := range results {
		doc.Results = append(doc.Results, resultJSON(r))
		if r.OK() {
			doc.Summary.OK++
		} else {
			doc.Summary.Failed++
		}
	}
	doc.Summary.Profiles, doc.Summary.Verified, doc.Summary.Interrupted = total, len(results), interrupted
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// writeVerifyText prints a stage ladder per profile.
func writeVerifyText(w io.Writer, results []verify.Result, total int, interrupted bool) error {
	ok := 0
	for _, r := range results {
		j := resultJSON(r)
		verdict := "FAIL"
		if j.OK {
			verdict = "ok"
			ok++
		}
		fmt.Fprintf(w, "%s  %s (%s, %s) %s:%d  [%s]\n", verdict, j.Profile, j.Driver, j.Environment, j.Host, j.Port, j.File)
		for _, at := range j.Attempts {
			if !at.OK {
				fmt.Fprintf(w, "    host %s:%d failed at %s: %s %s\n", at.Host, at.Port, at.Stage, at.Class, at.Code)
			}
		}
		for _, s := range j.Stages {
			line := fmt.Sprintf("    %-9s %-7s %9.3f ms", s.Name, s.Status, s.DurationMS)
			if s.Note != "" {
				line += "  " + s.Note
			}
			fmt.Fprintln(w, strings.TrimRight(line, " "))
		}
		if !j.OK {
			fmt.Fprintf(w, "    => %s at %s (code %s)\n", j.Class, j.Stage, j.Code)
			if j.Detail != "" {
				fmt.Fprintf(w, "       detail: %s\n", j.Detail)
			}
			if j.Remediation != "" {
				fmt.Fprintf(w, "       fix: %s\n", j.Remediation)
				fmt.Fprintf(w, "       not: %s\n", j.MistakenFor)
			}
		}
		for _, warn := range j.Warnings {
			fmt.Fprintf(w, "    warning: %s\n", warn)
		}
	}
	suffix := ""
	if interrupted {
		suffix = fmt.Sprintf(" (interrupted: %d not verified)", total-len(results))
	}
	_, err := fmt.Fprintf(w, "\n%d profiles: %d ok, %d failed%s\n", len(results), ok, len(results)-ok, suffix)
	return err
}

// junit types: one testcase per profile.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func writeVerifyJUnit(w io.Writer, results []verify.Result) error {
	s := junitSuite{Name: "dbguard verify"}
	var total time.Duration
	for _, r := range results {
		j := resultJSON(r)
		total += r.Duration
		var ladder strings.Builder
		for _, st := range j.Stages {
			fmt.Fprintf(&ladder, "%s %s %.3fms %s\n", st.Name, st.Status, st.DurationMS, st.Note)
		}
		c := junitCase{Name: j.Profile, Classname: filepath.ToSlash(j.File), Time: fmt.Sprintf("%.3f", r.Duration.Seconds()), SystemOut: ladder.String()}
		if !j.OK {
			s.Failures++
			c.Failure = &junitFailure{Message: fmt.Sprintf("%s at %s (code %s): %s", j.Class, j.Stage, j.Code, j.Remediation),
				Type: string(j.Class), Text: j.Detail}
		}
		s.Cases = append(s.Cases, c)
	}
	s.Tests, s.Time = len(results), fmt.Sprintf("%.3f", total.Seconds())
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitSuite{s}}); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
