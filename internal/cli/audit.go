package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/output"
	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/scan"
	"github.com/dbguard/dbguard/internal/verify"
)

// auditOptions are audit's flags.
type auditOptions struct {
	storeFlags
	out          string
	failOn       string
	rulesDir     string
	baseline     string
	exclude      []string
	secretsDir   string
	stageTimeout time.Duration
	certWindow   time.Duration
	noLive       bool
	actor        string
}

func newAuditCommand(e *env) *cobra.Command {
	o := &auditOptions{}
	cmd := &cobra.Command{
		Use:   "audit [PATH...]",
		Short: "Audit deployed configuration and live server settings: rules, drift, capacity, trend",
		Long: `audit reports, in one document, on what is deployed rather than on a change:

  - check's rules over every profile under PATH, with the baseline's accepted
    exceptions listed with their reason and owner;
  - drift: each file against its last revision recorded in the store, per
    profile and field, with the revision and time it drifted from; and the
    copies of one service and environment that differ;
  - the live settings of every server the profiles point at, read over
    verify's connection in a read-only session (PostgreSQL, MariaDB/MySQL,
    PgBouncer), each judged by a rule with a page in docs/rules/;
  - capacity per server (pool × replicas against max_connections, the live
    value preferred over the inventory's), with the arithmetic;
  - the trend against the previous audit in the store: new, fixed, still
    open.

The result is stored as an audit event when the store key is at hand. No
secret is ever printed; an account's empty password is decided by the
server, which never sends the hash.

Exit codes: 0 no finding at or above --fail-on (default error), 1 findings
at or above it, 2 usage error or no readable input at all.`,
		Example: `  # the whole repository, for people
  dbguard audit .

  # a page to share, and the JSON for other tools
  dbguard audit --format html --out audit.html deploy/
  dbguard audit --format json deploy/ > audit.json

  # configuration only, no server contacted
  dbguard audit --no-live .`,
		RunE: func(cmd *cobra.Command, args []string) error { return runAudit(e, o, args) },
	}
	f := cmd.Flags()
	o.add(f, output.AuditFormats().Names())
	f.Lookup("format").DefValue, o.format = "markdown", "markdown"
	f.StringVar(&o.out, "out", "", "write the report to this file instead of standard output")
	f.StringVar(&o.failOn, "fail-on", "error", "exit 1 when a finding is at or above this severity: error, warning, info, or none")
	f.StringVar(&o.rulesDir, "rules", "", "folder of custom CEL rules (default: rules.custom in dbguard.yaml, else "+app.DefaultRulesDir+" when it exists)")
	f.StringVar(&o.baseline, "baseline", "", "the baseline of accepted findings (entries may carry reason and owner)")
	f.StringSliceVar(&o.exclude, "exclude", nil, "skip paths matching this glob (repeatable)")
	f.StringVar(&o.secretsDir, "secrets-dir", "", "folder where Kubernetes secrets are mounted (NAME/KEY files)")
	f.DurationVar(&o.stageTimeout, "stage-timeout", 5*time.Second, "deadline of each connection step and settings query")
	f.DurationVar(&o.certWindow, "cert-window", 30*24*time.Hour, "report a server certificate that expires within this long")
	f.BoolVar(&o.noLive, "no-live", false, "read no server: configuration, drift and trend only")
	f.StringVar(&o.actor, "actor", "", "who audits (default: $DBGUARD_ACTOR, the CI job, git's user, the OS user)")
	return cmd
}

func runAudit(e *env, o *auditOptions, args []string) error {
	format, err := output.AuditFormats().Lookup(o.format)
	if err != nil {
		return usageError("--format: %v", err)
	}
	failOn, err := parseFailOn(o.failOn)
	if err != nil {
		return err
	}
	for _, a := range args {
		if a == "-" {
			return usageError("audit reads files, not standard input: give the paths that are deployed")
		}
	}
	if o.stageTimeout <= 0 {
		return usageError("--stage-timeout must be positive, got %s", o.stageTimeout)
	}
	sreq, err := o.request()
	if err != nil {
		return err
	}
	wd, _ := os.Getwd()
	req := app.AuditRequest{
		Check:      app.CheckRequest{Scan: app.ScanRequest{Paths: args, Exclude: o.exclude, Config: sreq.Config}, RulesDir: o.rulesDir},
		Store:      sreq,
		Probe:      app.ProbeSettings{StageTimeout: o.stageTimeout},
		Resolve:    verify.ResolveOptions{Env: os.LookupEnv, SecretsDir: o.secretsDir, BaseDir: wd},
		NoLive:     o.noLive,
		CertWindow: o.certWindow,
		Actor:      o.actor,
	}
	if o.baseline != "" {
		f, err := openBaseline(o.baseline)
		if err != nil {
			return err
		}
		defer f.Close()
		req.Check.Baseline, req.Check.BaselineName = f, o.baseline
	}
	res, err := app.Audit(e.ctx, req)
	if errors.Is(err, app.ErrNoReadableInput) {
		if res != nil && res.Files == 0 {
			return &ExitError{Code: ExitUsage, Err: errors.New("no configuration files found")}
		}
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if err != nil {
		return exitError(err)
	}
	var buf bytes.Buffer
	if err := format.Render(&buf, res.Report, output.Options{Version: buildVersion()}); err != nil {
		return fmt.Errorf("render the report: %w", err)
	}
	if o.out != "" {
		if err := os.WriteFile(o.out, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write the report: %w", err)
		}
	} else if _, err := e.stdout.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if failOn != 0 && res.Report.Count(failOn) > 0 {
		return &ExitError{Code: ExitFindings}
	}
	return nil
}

// parseFailOn reads --fail-on: a severity, or none (0).
func parseFailOn(s string) (policy.Severity, error) {
	if s == "none" {
		return 0, nil
	}
	sev, err := policy.ParseSeverity(s)
	if err != nil {
		return 0, usageError("--fail-on: %v (or none)", err)
	}
	return sev, nil
}

// openBaseline opens --baseline; a file that cannot be opened is a usage
// error.
func openBaseline(name string) (io.ReadCloser, error) {
	f, _, err := scan.OpenFile(name)
	if err != nil {
		return nil, usageError("--baseline: %v", err)
	}
	return f, nil
}
