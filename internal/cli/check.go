package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/output"
	"github.com/dbguard/dbguard/internal/policy"
)

// checkOptions are check's flags.
type checkOptions struct {
	format         string
	failOn         string
	rulesDir       string
	baseline       string
	writeBaseline  string
	exclude        []string
	configPath     string
	noConfig       bool
	showSuppressed bool
}

func newCheckCommand(e *env) *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check [PATH...]",
		Short: "Check database connection settings against best-practice and custom rules",
		Long: `check finds every database connection in PATH (as scan does) and judges it
with dbguard's built-in rules (docs/rules/) and any custom CEL rules in
.dbguard/rules/ (or --rules DIR). Each finding names its rule, severity,
profile and file:line:column, says what is wrong and why it is risky, how to
fix it, and links the rule's page. No secret is ever printed.

A comment "dbguard:ignore RULE-ID reason" on a finding's line or the line
above suppresses it. --write-baseline FILE accepts today's findings;
--baseline FILE then fails only on new ones (entries are keyed by rule, file
and key path, not by line).

Paths in the output are as given on the command line joined with the file's
path below it, so that running from the repository root gives repository
paths (what SARIF and GitHub annotations need).

Exit codes: 0 no finding at or above --fail-on (default error), 1 findings at
or above it (an unreadable input is an error finding), 2 usage error or no
readable input at all.`,
		Example: `  # every rule over a repository, for people
  dbguard check .

  # in GitHub Actions: annotations on the pull request, warnings fail too
  dbguard check --format github --fail-on warning .

  # code scanning
  dbguard check --format sarif . > dbguard.sarif

  # accept today's findings, then fail only on new ones
  dbguard check --write-baseline .dbguard/baseline.json .
  dbguard check --baseline .dbguard/baseline.json .

  # a rendered chart
  helm template ./chart | dbguard check -`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(e, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.format, "format", "o", "text", "output format: "+strings.Join(output.Formats().Names(), ", "))
	f.StringVar(&o.failOn, "fail-on", "error", "exit 1 when a finding is at or above this severity: error, warning, info, or none")
	f.StringVar(&o.rulesDir, "rules", "", "folder of custom CEL rules (default: rules.custom in dbguard.yaml, else "+app.DefaultRulesDir+" when it exists)")
	f.StringVar(&o.baseline, "baseline", "", "accept the findings listed in this baseline file; fail only on new ones")
	f.StringVar(&o.writeBaseline, "write-baseline", "", "write today's findings to this baseline file and exit 0")
	f.BoolVar(&o.showSuppressed, "show-suppressed", false, "also list findings accepted by dbguard:ignore or the baseline (text, markdown)")
	f.StringSliceVar(&o.exclude, "exclude", nil, "skip paths matching this glob (repeatable)")
	addConfigFlags(f, &o.configPath, &o.noConfig)
	return cmd
}

func runCheck(e *env, o *checkOptions, args []string) error {
	format, err := output.Formats().Lookup(o.format)
	if err != nil {
		return usageError("--format: %v", err)
	}
	failOn, err := parseFailOn(o.failOn)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(o.configPath, o.noConfig)
	if err != nil {
		return err
	}
	req := app.CheckRequest{Scan: app.ScanRequest{Paths: args, Exclude: o.exclude, Config: cfg, Stdin: e.stdin},
		RulesDir: o.rulesDir, WriteBaseline: o.writeBaseline != ""}
	if o.baseline != "" {
		f, err := openBaseline(o.baseline)
		if err != nil {
			return err
		}
		defer f.Close()
		req.Baseline, req.BaselineName = f, o.baseline
	}
	res, err := app.Check(e.ctx, req)
	if err != nil {
		return exitError(err)
	}
	if res.Baseline != nil {
		if err := writeBaselineFile(o.writeBaseline, res.Baseline); err != nil {
			return err
		}
	}
	opts := output.Options{Color: o.format == "text" && colorTerminal(e.stdout), Version: buildVersion(), ShowSuppressed: o.showSuppressed}
	if err := format.Render(e.stdout, res.Report, opts); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if res.Readable == 0 {
		if res.Files == 0 {
			return &ExitError{Code: ExitUsage, Err: errors.New("no configuration files found")}
		}
		return &ExitError{Code: ExitUsage, Err: errors.New("no readable input")}
	}
	if failOn != 0 && res.Report.Count(failOn) > 0 {
		return &ExitError{Code: ExitFindings}
	}
	return nil
}

func writeBaselineFile(name string, b *policy.Baseline) error {
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		return fmt.Errorf("write baseline: %w", err)
	}
	if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write baseline: %w", err)
	}
	return nil
}

// colorTerminal reports whether w is a terminal that should get colour:
// a character device, with NO_COLOR unset (no-color.org).
func colorTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
