package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/output"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/scan"
	"github.com/dbguard/dbguard/internal/scan/gitsrc"
	"github.com/dbguard/dbguard/internal/verify"
)

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
	// rec is --record and the store it records into (store.go).
	rec verifyRecordFlags
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
	f.StringVarP(&o.format, "format", "o", "text", "output format: "+strings.Join(output.VerifyFormats().Names(), ", "))
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
	o.rec.add(f)
	return cmd
}

func runVerify(e *env, o *verifyOptions, args []string) error {
	format, err := output.VerifyFormats().Lookup(o.format)
	if err != nil {
		return usageError("unknown --format %q: use text, json or junit", o.format)
	}
	if err := o.validate(); err != nil {
		return err
	}
	if o.head != "" && o.diffBase == "" {
		return usageError("--head needs --diff-base: --head names the new side of a change (e.g. --diff-base origin/main --head HEAD)")
	}
	sel, err := o.selection()
	if err != nil {
		return err
	}
	if o.diffBase != "" {
		if o.rec.record {
			return usageError("--record cannot be combined with --diff-base: it records what is on disk")
		}
		return runVerifyChange(e, o, format, sel, args)
	}
	if len(args) == 0 {
		return usageError("verify needs at least one PATH")
	}
	cfg, err := loadConfig(o.configPath, o.noConfig)
	if err != nil {
		return err
	}
	ctx, cancel := runContext(e.ctx, o)
	defer cancel()
	prog := newProgress(e.stderr)
	res, err := app.Verify(ctx, app.VerifyRequest{
		Scan:   app.ScanRequest{Paths: args, Exclude: o.exclude, Config: cfg, Stdin: e.stdin},
		Select: sel, Probe: o.probeSettings(), Run: o.runOptions(prog),
	})
	if res != nil && res.Scan != nil {
		for _, p := range res.Scan.Problems {
			fmt.Fprintf(e.stderr, "%s: input-unreadable: %s\n", p.Loc, p.Msg)
		}
	}
	var ended *verify.RunEndedError
	switch {
	case errors.As(err, &ended):
	case errors.Is(err, app.ErrNoReadableInput):
		return &ExitError{Code: ExitUsage, Err: err}
	case err != nil:
		return exitError(err)
	}
	prog.finish()
	if err := format.Render(e.stdout, &output.VerifyReport{Results: res.Results}, output.Options{}); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if o.rec.record {
		if err := recordVerification(e, &o.rec, args, cfg, res); err != nil {
			return err
		}
	}
	if ended != nil {
		return &ExitError{Code: ExitFindings, Err: ended}
	}
	if len(res.Targets) == 0 {
		fmt.Fprintln(e.stderr, "dbguard: no profile matches")
	}
	for _, r := range res.Results {
		if !r.OK() {
			return &ExitError{Code: ExitFindings}
		}
	}
	if len(res.Scan.Problems) > 0 {
		return &ExitError{Code: ExitFindings}
	}
	return nil
}

// runVerifyChange is verify --diff-base: the profiles the change touches,
// old and new settings probed side by side.
func runVerifyChange(e *env, o *verifyOptions, format output.VerifyFormat, sel app.Selection, args []string) error {
	if len(o.exclude) > 0 {
		return usageError("--exclude cannot be combined with --diff-base: the files compared are chosen as review chooses them (dbguard.yaml's exclude, read from the base revision)")
	}
	for _, a := range args {
		if a == "-" {
			return usageError("--diff-base reads both sides from git: standard input (-) cannot be one of them")
		}
	}
	ctx, cancel := runContext(e.ctx, o)
	defer cancel()
	prog := newProgress(e.stderr)
	res, err := app.VerifyChange(ctx, app.VerifyChangeRequest{
		Dir: ".", Base: o.diffBase, Head: o.head, Paths: args, ConfigPath: o.configPath, NoConfig: o.noConfig,
		Select: sel, Probe: o.probeSettings(), Run: o.runOptions(prog),
	})
	if res != nil {
		for _, p := range res.Problems {
			side := "head"
			if p.Side == "old" {
				side = "base"
			}
			fmt.Fprintf(e.stderr, "%s: input-unreadable (%s): %s\n", p.Loc, side, p.Msg)
		}
	}
	var ended *verify.RunEndedError
	if err != nil && !errors.As(err, &ended) {
		return exitError(err)
	}
	prog.finish()
	rep := &output.VerifyReport{Change: &output.VerifyChange{Base: res.Base, Head: res.Head, Config: res.Config,
		Pairs: res.Pairs, NewTargets: res.NewTargets, Interrupted: ended != nil}}
	if err := format.Render(e.stdout, rep, output.Options{}); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if ended != nil {
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("%d of %d probes not verified: %w", ended.NotVerified, ended.Total, ended.Cause)}
	}
	if len(res.Pairs) == 0 {
		fmt.Fprintf(e.stderr, "dbguard: no profile to verify changed between %s and %s\n", short(res.Base), res.Head)
	}
	for _, p := range res.Pairs {
		if p.Verdict().Fails() {
			return &ExitError{Code: ExitFindings}
		}
	}
	for _, p := range res.Problems {
		if p.Side == "new" {
			return &ExitError{Code: ExitFindings}
		}
	}
	return nil
}

// selection is --env and --profile as an app.Selection; an unknown
// environment is a usage error.
func (o *verifyOptions) selection() (app.Selection, error) {
	sel := app.Selection{Profiles: o.profiles}
	if o.env != "" {
		env, err := wantEnvironment(o)
		if err != nil {
			return sel, err
		}
		sel.HasEnv, sel.Env, sel.EnvName = true, env, o.env
	}
	return sel, nil
}

// probeSettings are the flags that say how each profile is probed.
func (o *verifyOptions) probeSettings() app.ProbeSettings {
	return app.ProbeSettings{StageTimeout: o.stageTimeout, Query: o.query, WriteCheck: o.writeCheck}
}

// runOptions are the flags that shape the fleet run, with the progress
// counter called for each result.
func (o *verifyOptions) runOptions(prog *progress) verify.RunOptions {
	wd, _ := os.Getwd()
	return verify.RunOptions{Workers: o.workers, Retries: o.retries, Backoff: o.retryBackoff,
		Resolve:  verify.ResolveOptions{Env: os.LookupEnv, SecretsDir: o.secretsDir, BaseDir: wd},
		OnStart:  prog.start,
		OnResult: func(int, verify.Result) { prog.step() }}
}

// exitError maps the application layer's errors to exit codes: the
// caller's mistakes are usage errors (2).
func exitError(err error) error {
	var (
		ue *scan.UsageError
		se *app.SelectionError
		re *app.RequestError
		ee *ExitError
	)
	switch {
	case errors.As(err, &ee):
		return err
	case errors.As(err, &ue), errors.As(err, &se), errors.As(err, &re), gitsrc.IsRevisionError(err):
		return &ExitError{Code: ExitUsage, Err: err}
	}
	return err
}

// wantEnvironment is --env as an environment; an unknown name is a usage
// error.
func wantEnvironment(o *verifyOptions) (profile.Environment, error) {
	if o.env == "" {
		return "", nil
	}
	want := profile.CanonicalEnvironment(o.env)
	if want == profile.Unknown && !strings.EqualFold(strings.TrimSpace(o.env), string(profile.Unknown)) {
		return "", usageError("unknown --env %q: use production, staging, development, test, ci or unknown (or an alias such as prod, stg, dev)", o.env)
	}
	return want, nil
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

// progress draws a one-line counter on a terminal when there are more than
// a few targets; elsewhere (CI logs, pipes) it is silent.
type progress struct {
	w     io.Writer
	total int
	n     int
	on    bool
}

func newProgress(w io.Writer) *progress {
	return &progress{w: w}
}

// start learns the number of targets: the counter shows only for more
// than a few, on a terminal.
func (p *progress) start(total int) {
	p.total = total
	if f, ok := p.w.(*os.File); ok && total > 5 {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.on = true
		}
	}
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

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}
