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

	"github.com/dbguard/dbguard/internal/diff"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/scan/gitsrc"
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
	// diffBase and head select --diff-base mode: only the profiles the
	// change from diffBase to head touches, both sides probed.
	diffBase string
	head     string
}

func newVerifyCommand(e *env) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify PATH... | verify --diff-base REV [--head REV] [PATH...]",
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

--diff-base REV verifies only the profiles that the change from REV to the
head (--head REV, default the working tree) touches, reading both revisions
with git as review does (nothing is checked out), and probes each one twice:
with the old settings and with the new. Each changed profile gets a verdict:
ok, regression (old ok, new fails), fixed, still_failing, new_ok or
new_failing (added), removed (listed, not probed). It is what a deploy
pipeline runs before switching traffic and again after.

Exit codes: 0 every profile passed, 1 a profile failed (or verify was
interrupted), 2 usage error or no readable input; a --env or --profile that
matches no profile is a usage error that lists what there is. With
--diff-base only the new side decides: 1 when a touched profile fails with
its new settings or a changed file no longer parses; an old side that fails
is reported but is not this change's regression; 2 also for an unknown
revision (with how to fetch it in a shallow clone).`,
		Example: `  # every production connection of a repository
  dbguard verify --env production deploy/

  # a deploy gate that rides out a rolling restart
  dbguard verify --retries 5 --retry-backoff 3s --format junit k8s/ > verify.xml

  # one profile, with a write check
  dbguard verify --profile 'config/database.yml#production' --write-check app.healthcheck config/

  # pre-flight of a deploy: the settings this branch changes, old and new
  dbguard verify --diff-base origin/main --env production

  # post-update: what the release changed, against the live databases
  dbguard verify --diff-base v1.4.0 --head v1.5.0 --format junit deploy/ > verify.xml`,
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
	f.StringVar(&o.diffBase, "diff-base", "", "verify only the profiles changed since this git revision, old and new settings side by side")
	f.StringVar(&o.head, "head", "", "with --diff-base: the revision whose settings are new (default: the working tree)")
	addConfigFlags(f, &o.configPath, &o.noConfig)
	return cmd
}

func runVerify(e *env, o *verifyOptions, args []string) error {
	switch o.format {
	case "text", "json", "junit":
	default:
		return usageError("unknown --format %q: use text, json or junit", o.format)
	}
	if err := o.validate(); err != nil {
		return err
	}
	if o.head != "" && o.diffBase == "" {
		return usageError("--head needs --diff-base: --head names the new side of a change (e.g. --diff-base origin/main --head HEAD)")
	}
	if o.diffBase != "" {
		return runVerifyDiff(e, o, args)
	}
	if len(args) == 0 {
		return usageError("verify needs at least one PATH")
	}
	want, err := wantEnvironment(o)
	if err != nil {
		return err
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

	ctx, cancel := runContext(e.ctx, o)
	defer cancel()
	prober, resolve := newProber(o)
	results := runProbes(ctx, prober, targets, o, resolve, newProgress(e.stderr, len(targets)))

	switch o.format {
	case "json":
		err = writeVerifyJSON(e.stdout, results)
	case "junit":
		err = writeVerifyJUnit(e.stdout, results)
	default:
		err = writeVerifyText(e.stdout, results)
	}
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if n := notVerified(results); n > 0 {
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("%d of %d profiles not verified: %w", n, len(targets), context.Cause(ctx))}
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

// wantEnvironment is --env as an environment; an unknown name is a usage
// error.
func wantEnvironment(o *verifyOptions) (profile.Environment, error) {
	if o.env == "" {
		return "", nil
	}
	want := profile.CanonicalEnvironment(o.env)
	if want == profile.Unknown && !strings.EqualFold(strings.TrimSpace(o.env), string(profile.Unknown)) {
		return "", usageError("unknown --env %q: use production, staging, development, test or unknown (or an alias such as prod, stg, dev)", o.env)
	}
	return want, nil
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

// validate rejects flag values that cannot mean anything, each with its
// own message: a deploy gate whose --retry-backoff is -1s must not run with
// a value nobody meant.
func (o *verifyOptions) validate() error {
	var problems []string
	if o.workers < 1 {
		problems = append(problems, fmt.Sprintf("--workers must be at least 1, got %d", o.workers))
	}
	if o.retries < 0 {
		problems = append(problems, fmt.Sprintf("--retries must not be negative, got %d", o.retries))
	}
	if o.timeout <= 0 {
		problems = append(problems, fmt.Sprintf("--timeout must be positive, got %s", o.timeout))
	}
	if o.stageTimeout <= 0 {
		problems = append(problems, fmt.Sprintf("--stage-timeout must be positive, got %s", o.stageTimeout))
	}
	if o.retryBackoff < 0 {
		problems = append(problems, fmt.Sprintf("--retry-backoff must not be negative, got %s", o.retryBackoff))
	}
	if len(problems) > 0 {
		return usageError("%s", strings.Join(problems, "; "))
	}
	return nil
}

// runContext is the run's context: e's, ended by --timeout with a cause
// that says so, which every not-verified result quotes.
func runContext(parent context.Context, o *verifyOptions) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(parent, o.timeout, fmt.Errorf("the run's deadline passed (--timeout %s)", o.timeout))
}

// notVerified counts the results that are no answer: the run ended before
// their probe finished.
func notVerified(results []verify.Result) int {
	n := 0
	for i := range results {
		if !results[i].Verified() {
			n++
		}
	}
	return n
}

// runProbes verifies targets with a bounded pool of workers and returns
// one result per target, in input order. When ctx ends (--timeout, a
// signal) no probe begins and those in flight stop at once; every target
// without an answer is in the results as not verified, never left out.
func runProbes(ctx context.Context, p *verify.Prober, targets []*profile.Profile, o *verifyOptions, ro verify.ResolveOptions, prog *progress) []verify.Result {
	got := runProbesIndexed(ctx, p, targets, o, ro, prog)
	res := make([]verify.Result, len(got))
	for i, d := range got {
		res[i] = d.r
	}
	return res
}

// probed is one finished probe and the index of its target.
type probed struct {
	i int
	r verify.Result
}

// runProbesIndexed is runProbes keeping each result's target index, for
// callers whose targets are not told apart by profile id (the old and the
// new side of one profile under --diff-base).
func runProbesIndexed(ctx context.Context, p *verify.Prober, targets []*profile.Profile, o *verifyOptions, ro verify.ResolveOptions, prog *progress) []probed {
	type done = probed
	jobs := make(chan int)
	out := make(chan done)
	var wg sync.WaitGroup
	for w := 0; w < min(o.workers, max(len(targets), 1)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				out <- done{i, probeWithRetries(ctx, p, targets[i], o, ro)}
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
	got := make([]done, 0, len(targets))
	seen := make([]bool, len(targets))
	for d := range out {
		got = append(got, d)
		seen[d.i] = true
		prog.step()
	}
	prog.finish()
	for i, ok := range seen {
		if !ok { // never begun: the run ended first
			got = append(got, done{i, verify.NotProbed(ctx, targets[i])})
		}
	}
	sort.Slice(got, func(a, b int) bool { return got[a].i < got[b].i })
	return got
}

// probeWithRetries probes prof up to 1+--retries times. A try that the
// run's end cut short is no answer: the try before it, a real failure,
// stands (a retry storm against a refused port ends tcp_refused, not as
// whatever the deadline made of the last dial).
func probeWithRetries(ctx context.Context, p *verify.Prober, prof *profile.Profile, o *verifyOptions, ro verify.ResolveOptions) verify.Result {
	var r verify.Result
	for try := 0; try <= o.retries; try++ {
		if try > 0 && !sleep(ctx, o.retryBackoff) {
			return r
		}
		next := p.Probe(ctx, prof, ro)
		if try > 0 && !next.Verified() {
			return r
		}
		r = next
		r.Tries = try + 1
		if r.OK() || (r.Final() != nil && r.Final().Class == verify.ClassConfigInvalid) {
			break
		}
	}
	return r
}

// sleep waits d, and reports false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
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

// summarize counts results: profiles, verified (ok or failed), and
// interrupted when any is not verified.
func summarize(results []verify.Result) verifySummaryJSON {
	s := verifySummaryJSON{Profiles: len(results)}
	for i := range results {
		switch r := &results[i]; {
		case !r.Verified():
			s.Interrupted = true
		case r.OK():
			s.OK++
		default:
			s.Failed++
		}
	}
	s.Verified = s.OK + s.Failed
	return s
}

func writeVerifyJSON(w io.Writer, results []verify.Result) error {
	doc := verifyJSON{SchemaVersion: profile.SchemaVersion, Results: []verifyResultJSON{}, Summary: summarize(results)}
	for _, r := range results {
		doc.Results = append(doc.Results, resultJSON(r))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// writeVerifyText prints a stage ladder per profile.
func writeVerifyText(w io.Writer, results []verify.Result) error {
	for _, r := range results {
		j := resultJSON(r)
		verdict := "FAIL"
		switch {
		case j.OK:
			verdict = "ok"
		case !r.Verified():
			verdict = "NOT VERIFIED"
		}
		fmt.Fprintf(w, "%s  %s (%s, %s) %s:%d  [%s]\n", verdict, j.Profile, j.Driver, j.Environment, j.Host, j.Port, j.File)
		for _, at := range j.Attempts {
			if !at.OK {
				fmt.Fprintf(w, "    host %s:%d failed at %s: %s %s\n", at.Host, at.Port, at.Stage, at.Class, at.Code)
			}
		}
		// A profile the run ended before has eight stages of skip: they
		// say nothing the class does not.
		if begun(j.Stages) {
			for _, s := range j.Stages {
				line := fmt.Sprintf("    %-9s %-7s %9.3f ms", s.Name, s.Status, s.DurationMS)
				if s.Note != "" {
					line += "  " + s.Note
				}
				fmt.Fprintln(w, strings.TrimRight(line, " "))
			}
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
	sum := summarize(results)
	suffix := ""
	if sum.Interrupted {
		suffix = fmt.Sprintf(", %d not verified (interrupted)", sum.Profiles-sum.Verified)
	}
	_, err := fmt.Fprintf(w, "\n%d profiles: %d ok, %d failed%s\n", sum.Profiles, sum.OK, sum.Failed, suffix)
	return err
}

// begun reports whether any stage of a ladder ran.
func begun(stages []stageJSON) bool {
	for _, s := range stages {
		if s.Status != verify.StatusSkip {
			return true
		}
	}
	return false
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
	Errors   int         `xml:"errors,attr,omitempty"`
	Skipped  int         `xml:"skipped,attr,omitempty"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Error     *junitFailure `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

// junitSkipped marks a case that was not run (a profile removed by the
// change under --diff-base).
type junitSkipped struct {
	Message string `xml:"message,attr"`
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
			f := &junitFailure{Message: fmt.Sprintf("%s at %s (code %s): %s", j.Class, j.Stage, j.Code, j.Remediation),
				Type: string(j.Class), Text: j.Detail}
			// A probe the run's end cut short is an error in JUnit's
			// terms (the test could not run to its verdict), never a
			// skip, which CI would count as passing.
			if r.Verified() {
				s.Failures++
				c.Failure = f
			} else {
				s.Errors++
				c.Error = f
			}
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

// Verdicts of a changed profile under --diff-base: what its old and its new
// settings did against the live server.
const (
	verdictOK           = "ok"            // old ok, new ok
	verdictRegression   = "regression"    // old ok, new fails: the change breaks it
	verdictFixed        = "fixed"         // old fails, new ok
	verdictStillFailing = "still_failing" // both fail
	verdictNewOK        = "new_ok"        // no old side to probe (added, or switched on): new ok
	verdictNewFailing   = "new_failing"   // no old side to probe: new fails
	verdictRemoved      = "removed"       // no new side (removed or switched off): not probed
	verdictNotVerified  = "not_verified"  // the new side's probe did not finish, or its profile was not found
)

// verdictFails reports the verdicts that make --diff-base exit 1: every
// one whose new side fails or could not be proved. An old side's failure
// alone never does: it was broken before the change, and a deploy gate
// that refused a fix for it would keep it broken.
func verdictFails(v string) bool {
	switch v {
	case verdictRegression, verdictStillFailing, verdictNewFailing, verdictNotVerified:
		return true
	}
	return false
}

// changedPair is one profile the change touches, with both sides.
type changedPair struct {
	oldID, newID string
	kind         diff.Kind // changed, moved, added or removed
	fields       []string
	name         string
	environment  profile.Environment
	file         string
	old, new     *profile.Profile
	// oldNote and newNote say why a side is not probed.
	oldNote, newNote string
	// newMissing: the change names a new profile that reading the head
	// whole did not find, so it cannot be proved.
	newMissing         bool
	oldRes, newRes     *verify.Result
	oldProbe, newProbe bool
}

// probeable reports whether verify connects with p at all: server-side
// settings and switched-off blocks are not connections.
func probeable(p *profile.Profile) bool {
	return p != nil && !p.ServerSide && !p.Inactive
}

// changedPairs groups the diff's changes by profile, in the diff's order,
// and finds each side's profile.
func changedPairs(s *diff.Sides) []*changedPair {
	var out []*changedPair
	byKey := map[string]*changedPair{}
	for _, c := range s.Result.Changes {
		oldID, newID := c.Profile, c.Profile
		if c.OldProfile != "" {
			oldID = c.OldProfile
		}
		kind := diff.Changed
		if c.Field == "profile" {
			kind = c.Kind
		}
		switch kind {
		case diff.Added:
			oldID = ""
		case diff.Removed:
			newID = ""
		}
		key := oldID + "\x00" + newID
		p, ok := byKey[key]
		if !ok {
			p = &changedPair{oldID: oldID, newID: newID, kind: diff.Changed, name: c.Name, environment: c.Environment, file: c.File}
			byKey[key] = p
			out = append(out, p)
		}
		if c.Field == "profile" {
			p.kind = kind
		} else if !hasID(p.fields, c.Field) {
			p.fields = append(p.fields, c.Field)
		}
	}
	kept := out[:0]
	for _, p := range out {
		if p.oldID != "" {
			p.old = s.Old[p.oldID]
		}
		if p.newID != "" {
			p.new = s.New[p.newID]
			p.newMissing = p.new == nil
		}
		if (p.old == nil || p.old.ServerSide) && (p.new == nil || p.new.ServerSide) && !p.newMissing {
			continue // a server's own settings: nothing to connect with
		}
		switch {
		case p.oldID == "":
			p.oldNote = "not in the base revision"
		case p.old == nil:
			p.oldNote = "not found when the base revision is read whole"
		case p.old.Inactive:
			p.oldNote = "switched off in the base revision"
		}
		switch {
		case p.newID == "":
			p.newNote = "removed"
		case p.new == nil:
			p.newNote = "not found when the head is read whole: cannot be verified"
		case p.new.Inactive:
			p.newNote = "switched off in the head"
			if p.new.Reason != "" {
				p.newNote += " (" + p.new.Reason + ")"
			}
		}
		if p.newNote != "" && p.oldNote == "" {
			p.oldNote = "not probed"
		}
		kept = append(kept, p)
	}
	return kept
}

// selected applies --env and --profile to a pair: either side may match,
// so that a profile moved into production is verified with it.
func (p *changedPair) selected(o *verifyOptions, want profile.Environment) bool {
	match := func(id string, q *profile.Profile) bool {
		if id == "" {
			return false
		}
		env := p.environment // the diff's, for a profile the side did not yield
		if q != nil {
			env = q.Environment
		}
		return (o.env == "" || env == want) && (len(o.profiles) == 0 || hasID(o.profiles, id))
	}
	return match(p.oldID, p.old) || match(p.newID, p.new)
}

// verdict is the pair's outcome; see the verdict constants.
func (p *changedPair) verdict() string {
	switch {
	case p.newID == "" || (p.new != nil && !probeable(p.new)):
		return verdictRemoved
	case p.newRes == nil:
		return verdictNotVerified
	}
	newOK := p.newRes.OK()
	if p.oldRes == nil {
		if newOK {
			return verdictNewOK
		}
		return verdictNewFailing
	}
	switch oldOK := p.oldRes.OK(); {
	case oldOK && newOK:
		return verdictOK
	case oldOK:
		return verdictRegression
	case newOK:
		return verdictFixed
	}
	return verdictStillFailing
}

// runVerifyDiff is verify --diff-base: the profiles the change touches,
// old and new settings probed side by side.
func runVerifyDiff(e *env, o *verifyOptions, args []string) error {
	if len(o.exclude) > 0 {
		return usageError("--exclude cannot be combined with --diff-base: the files compared are chosen as review chooses them (dbguard.yaml's exclude, read from the base revision)")
	}
	for _, a := range args {
		if a == "-" {
			return usageError("--diff-base reads both sides from git: standard input (-) cannot be one of them")
		}
	}
	want, err := wantEnvironment(o)
	if err != nil {
		return err
	}
	sides, err := diff.LoadChange(e.ctx, gitsrc.ChangeOptions{Dir: ".", Base: o.diffBase, Head: o.head, Paths: args,
		ConfigPath: o.configPath, NoConfig: o.noConfig})
	if err != nil {
		var me *gitsrc.MissingRevisionError
		var ce *gitsrc.ConfigError
		if errors.As(err, &me) || errors.As(err, &ce) || errors.Is(err, gitsrc.ErrNotRepository) {
			return &ExitError{Code: ExitUsage, Err: err}
		}
		return fmt.Errorf("read the change: %w", err)
	}
	newProblems := 0
	for _, p := range sides.Result.Problems {
		side := "head"
		if p.Side == "old" {
			side = "base"
		} else {
			newProblems++
		}
		fmt.Fprintf(e.stderr, "%s: input-unreadable (%s): %s\n", p.Loc, side, p.Msg)
	}

	all := changedPairs(sides)
	if o.env != "" || len(o.profiles) > 0 {
		// Typos are caught against every profile of both revisions, not
		// only the touched ones: a profile that exists but is unchanged
		// is simply not verified.
		var candidates, matching []*profile.Profile
		for _, m := range []map[string]*profile.Profile{sides.Old, sides.New} {
			for _, p := range m {
				if !probeable(p) {
					continue
				}
				candidates = append(candidates, p)
				if (o.env == "" || p.Environment == want) && (len(o.profiles) == 0 || hasID(o.profiles, p.ID)) {
					matching = append(matching, p)
				}
			}
		}
		if err := checkSelection(o, want, candidates, matching); err != nil {
			return err
		}
	}
	var pairs []*changedPair
	for _, p := range all {
		if p.selected(o, want) {
			pairs = append(pairs, p)
		}
	}

	// One list of probes for both sides, so that the worker pool and the
	// overall deadline cover them together.
	var targets []*profile.Profile
	type slot struct {
		pair int
		old  bool
	}
	var slots []slot
	newTargets := 0
	for i, p := range pairs {
		// The old side is probed only beside a new one: a removed
		// profile's old settings say nothing about the change.
		if probeable(p.old) && probeable(p.new) {
			targets, slots = append(targets, p.old), append(slots, slot{i, true})
			p.oldProbe = true
		}
		if probeable(p.new) {
			targets, slots = append(targets, p.new), append(slots, slot{i, false})
			p.newProbe = true
			newTargets++
		}
	}
	ctx, cancel := runContext(e.ctx, o)
	defer cancel()
	prober, resolve := newProber(o)
	got := runProbesIndexed(ctx, prober, targets, o, resolve, newProgress(e.stderr, len(targets)))
	unverified := 0
	for _, d := range got {
		r := d.r
		if !r.Verified() {
			unverified++
			continue // no answer: the side's note says so below
		}
		sl := slots[d.i]
		if sl.old {
			pairs[sl.pair].oldRes = &r
		} else {
			pairs[sl.pair].newRes = &r
		}
	}
	interrupted := unverified > 0
	for _, p := range pairs {
		if p.oldProbe && p.oldRes == nil && p.oldNote == "" {
			p.oldNote = fmt.Sprintf("not verified (interrupted: %v)", context.Cause(ctx))
		}
		if p.newProbe && p.newRes == nil && p.newNote == "" {
			p.newNote = fmt.Sprintf("not verified (interrupted: %v)", context.Cause(ctx))
		}
	}

	head := sides.Head
	if head == "" {
		head = "working tree"
	}
	doc := diffDoc{base: sides.Base, head: head, config: sides.ConfigSource, pairs: pairs, newTargets: newTargets, interrupted: interrupted}
	switch o.format {
	case "json":
		err = writeVerifyDiffJSON(e.stdout, doc)
	case "junit":
		err = writeVerifyDiffJUnit(e.stdout, doc)
	default:
		err = writeVerifyDiffText(e.stdout, doc)
	}
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if interrupted {
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("%d of %d probes not verified: %w", unverified, len(targets), context.Cause(ctx))}
	}
	if len(pairs) == 0 {
		fmt.Fprintf(e.stderr, "dbguard: no profile to verify changed between %s and %s\n", short(sides.Base), head)
	}
	for _, p := range pairs {
		if verdictFails(p.verdict()) {
			return &ExitError{Code: ExitFindings}
		}
	}
	if newProblems > 0 {
		return &ExitError{Code: ExitFindings}
	}
	return nil
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

// diffDoc is what the --diff-base writers render.
type diffDoc struct {
	base, head, config string
	pairs              []*changedPair
	newTargets         int
	interrupted        bool
}

// verifyDiffJSON is verify --diff-base's JSON document: verify's, with
// results holding the new side only (what the exit code is decided from),
// plus the diff and one pair per touched profile (docs/formats.md).
type verifyDiffJSON struct {
	SchemaVersion int                `json:"schema_version"`
	Results       []verifyResultJSON `json:"results"`
	Diff          verifyDiffInfoJSON `json:"diff"`
	Pairs         []verifyPairJSON   `json:"pairs"`
	Summary       verifySummaryJSON  `json:"summary"`
}

type verifyDiffInfoJSON struct {
	Base    string         `json:"base"`
	Head    string         `json:"head"`
	Config  string         `json:"config"`
	Pairs   int            `json:"pairs"`
	Verdict map[string]int `json:"verdicts"`
}

type verifyPairJSON struct {
	Profile     string              `json:"profile"`
	OldProfile  string              `json:"old_profile,omitempty"`
	Name        string              `json:"name"`
	Environment profile.Environment `json:"environment"`
	File        string              `json:"file"`
	Change      diff.Kind           `json:"change"`
	Fields      []string            `json:"fields"`
	Verdict     string              `json:"verdict"`
	Summary     string              `json:"summary"`
	Old         *verifyResultJSON   `json:"old"`
	New         *verifyResultJSON   `json:"new"`
	OldNote     string              `json:"old_note,omitempty"`
	NewNote     string              `json:"new_note,omitempty"`
}

func (p *changedPair) json() verifyPairJSON {
	j := verifyPairJSON{Profile: p.newID, Name: p.name, Environment: p.environment, File: p.file, Change: p.kind,
		Fields: append([]string{}, p.fields...), Verdict: p.verdict(), Summary: p.summary(), OldNote: p.oldNote, NewNote: p.newNote}
	if j.Profile == "" {
		j.Profile = p.oldID
	} else if p.oldID != "" && p.oldID != p.newID {
		j.OldProfile = p.oldID
	}
	if p.oldRes != nil {
		r := resultJSON(*p.oldRes)
		j.Old = &r
	}
	if p.newRes != nil {
		r := resultJSON(*p.newRes)
		j.New = &r
	}
	return j
}

// sideText is one side in a word or a class with its remediation:
// "ok", "auth_failed (credentials were rejected ...)", or why it was not
// probed.
func sideText(r *verify.Result, note string) string {
	if r == nil {
		if note == "" {
			return "not probed"
		}
		return note
	}
	if r.OK() {
		return "ok"
	}
	a := r.Final()
	if a == nil {
		return "failed"
	}
	if rem := verify.Remediation(a.Class); rem != "" {
		return fmt.Sprintf("%s (%s)", a.Class, rem)
	}
	return string(a.Class)
}

// summary is the pair in one line: "old: ok; new: auth_failed (...)".
func (p *changedPair) summary() string {
	return "old: " + sideText(p.oldRes, p.oldNote) + "; new: " + sideText(p.newRes, p.newNote)
}

func writeVerifyDiffJSON(w io.Writer, d diffDoc) error {
	doc := verifyDiffJSON{SchemaVersion: profile.SchemaVersion, Results: []verifyResultJSON{}, Pairs: []verifyPairJSON{},
		Diff: verifyDiffInfoJSON{Base: d.base, Head: d.head, Config: d.config, Pairs: len(d.pairs), Verdict: map[string]int{}}}
	for _, p := range d.pairs {
		j := p.json()
		doc.Pairs = append(doc.Pairs, j)
		doc.Diff.Verdict[j.Verdict]++
		if j.New != nil {
			doc.Results = append(doc.Results, *j.New)
			if j.New.OK {
				doc.Summary.OK++
			} else {
				doc.Summary.Failed++
			}
		}
	}
	doc.Summary.Profiles, doc.Summary.Verified, doc.Summary.Interrupted = d.newTargets, len(doc.Results), d.interrupted
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// writeVerifyDiffText prints a before/after pair per touched profile: the
// verdict and the one-line summary, then each probed side's host, its
// stage ladder in one line and, for a failure, the code, detail and fix.
func writeVerifyDiffText(w io.Writer, d diffDoc) error {
	fmt.Fprintf(w, "change %s -> %s: %d profiles touched\n", short(d.base), short(d.head), len(d.pairs))
	counts := map[string]int{}
	for _, p := range d.pairs {
		v := p.verdict()
		counts[v]++
		driver := ""
		for _, q := range []*profile.Profile{p.new, p.old} {
			if q != nil {
				if t, ok := q.Driver.Effective(); ok && t != "" {
					driver = t + ", "
					break
				}
			}
		}
		id := p.newID
		if id == "" {
			id = p.oldID
		}
		fmt.Fprintf(w, "\n%-13s %s (%s%s)  [%s]\n", strings.ToUpper(v), id, driver, p.environment, p.file)
		what := string(p.kind)
		if len(p.fields) > 0 {
			what += ": " + strings.Join(p.fields, ", ")
		}
		if p.oldID != "" && p.newID != "" && p.oldID != p.newID {
			what += " (was " + p.oldID + ")"
		}
		fmt.Fprintf(w, "    %s\n", what)
		fmt.Fprintf(w, "    %s\n", p.summary())
		for _, side := range []struct {
			name string
			r    *verify.Result
		}{{"old", p.oldRes}, {"new", p.newRes}} {
			if side.r == nil {
				continue
			}
			writeSideDetail(w, side.name, *side.r)
		}
	}
	order := []string{verdictRegression, verdictStillFailing, verdictNewFailing, verdictNotVerified, verdictFixed, verdictOK, verdictNewOK, verdictRemoved}
	var parts []string
	for _, v := range order {
		if counts[v] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[v], v))
		}
	}
	if len(parts) == 0 {
		parts = []string{"nothing to verify"}
	}
	suffix := ""
	if d.interrupted {
		suffix = " (interrupted)"
	}
	_, err := fmt.Fprintf(w, "\n%d profiles touched: %s%s\n", len(d.pairs), strings.Join(parts, ", "), suffix)
	return err
}

// writeSideDetail prints one side's probe under its pair.
func writeSideDetail(w io.Writer, name string, r verify.Result) {
	j := resultJSON(r)
	var ladder []string
	for _, s := range j.Stages {
		if s.Status == verify.StatusSkip {
			continue
		}
		ladder = append(ladder, fmt.Sprintf("%s %s", s.Name, s.Status))
	}
	where := j.Host
	if j.Port != 0 {
		where = net.JoinHostPort(j.Host, fmt.Sprint(j.Port))
	}
	fmt.Fprintf(w, "      %s %s, %.3f ms: %s\n", name, where, j.DurationMS, strings.Join(ladder, ", "))
	for _, at := range j.Attempts {
		if !at.OK {
			fmt.Fprintf(w, "        host %s:%d failed at %s: %s %s\n", at.Host, at.Port, at.Stage, at.Class, at.Code)
		}
	}
	if !j.OK {
		fmt.Fprintf(w, "        => %s at %s (code %s)\n", j.Class, j.Stage, j.Code)
		if j.Detail != "" {
			fmt.Fprintf(w, "           detail: %s\n", j.Detail)
		}
		if j.MistakenFor != "" {
			fmt.Fprintf(w, "           not: %s\n", j.MistakenFor)
		}
	}
	for _, warn := range j.Warnings {
		fmt.Fprintf(w, "        warning: %s\n", warn)
	}
}

// writeVerifyDiffJUnit writes one testcase per touched profile: a failure
// when its new side fails, skipped when it was removed, both sides'
// ladders as system-out.
func writeVerifyDiffJUnit(w io.Writer, d diffDoc) error {
	s := junitSuite{Name: "dbguard verify --diff-base " + short(d.base)}
	var total time.Duration
	for _, p := range d.pairs {
		j := p.json()
		var out strings.Builder
		fmt.Fprintf(&out, "%s\n", j.Summary)
		var dur time.Duration
		for _, side := range []struct {
			name string
			r    *verify.Result
		}{{"old", p.oldRes}, {"new", p.newRes}} {
			if side.r == nil {
				continue
			}
			dur += side.r.Duration
			for _, st := range resultJSON(*side.r).Stages {
				fmt.Fprintf(&out, "%s %s %s %.3fms %s\n", side.name, st.Name, st.Status, st.DurationMS, st.Note)
			}
		}
		total += dur
		c := junitCase{Name: j.Profile, Classname: filepath.ToSlash(j.File), Time: fmt.Sprintf("%.3f", dur.Seconds()), SystemOut: out.String()}
		switch {
		case verdictFails(j.Verdict):
			s.Failures++
			f := &junitFailure{Message: j.Verdict + ": " + j.Summary, Type: j.Verdict}
			if j.New != nil {
				f.Type, f.Text = string(j.New.Class), j.New.Detail
			}
			c.Failure = f
		case j.Verdict == verdictRemoved:
			c.Skipped = &junitSkipped{Message: j.Summary}
			s.Skipped++
		}
		s.Cases = append(s.Cases, c)
	}
	s.Tests, s.Time = len(d.pairs), fmt.Sprintf("%.3f", total.Seconds())
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

// newProber builds the prober a verify run uses, and how it resolves the
// references of a profile (environment, secret files, paths relative to the
// working directory).
func newProber(o *verifyOptions) (*verify.Prober, verify.ResolveOptions) {
	prober := verify.NewProber(verify.Options{
		Drivers:      verifyDrivers(),
		Resolver:     net.DefaultResolver,
		StageTimeout: o.stageTimeout,
		Query:        o.query,
		WriteCheck:   o.writeCheck,
	})
	wd, _ := os.Getwd()
	return prober, verify.ResolveOptions{Env: os.LookupEnv, SecretsDir: o.secretsDir, BaseDir: wd}
}
