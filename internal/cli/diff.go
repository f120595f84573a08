package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/diff"
	"github.com/dbguard/dbguard/internal/output"
	"github.com/dbguard/dbguard/internal/review"
)

// diffOptions are diff's flags; review adds its own to the same set.
type diffOptions struct {
	format     string
	failOn     string
	approvedBy []string
	rulesDir   string
	configPath string
	noConfig   bool
}

func addDiffFlags(cmd *cobra.Command, o *diffOptions) {
	f := cmd.Flags()
	f.StringVarP(&o.format, "format", "o", "text", "output format: "+strings.Join(output.ReviewFormats().Names(), ", "))
	f.StringVar(&o.failOn, "fail-on", "", "also exit 1 when the change's risk is at or above this level: low, medium, high, critical (default: only the review policy decides)")
	f.StringSliceVar(&o.approvedBy, "approved-by", nil, "approvers to count, comma-separated (marked unverified in the output)")
	f.StringVar(&o.rulesDir, "rules", "", "folder of custom CEL rules, as for check (default: rules.custom in dbguard.yaml, else "+app.DefaultRulesDir+" when it exists)")
	addConfigFlags(f, &o.configPath, &o.noConfig)
}

func newDiffCommand(e *env) *cobra.Command {
	o := &diffOptions{}
	cmd := &cobra.Command{
		Use:   "diff OLD NEW",
		Short: "Show what a change of configuration files means for each database connection",
		Long: `diff compares two files or two folders and reports the change as what it means
for each database connection: which profiles were added, removed or moved,
which fields changed from what to what (with both locations), how risky each
change is and why, the check findings the change introduces or fixes (with
check's built-in rules and the custom rules of --rules DIR, rules.custom in
dbguard.yaml or .dbguard/rules/), and a fingerprint of the change's meaning.

Profiles are matched by environment, name and key path, not by file name, so
renamed files, renamed keys and reordered blocks still pair up. Two files of
different names are compared as one source (app.before.yaml app.after.yaml).
A password shows only as changed, added, removed or now unresolved.

The review section of dbguard.yaml (docs/review.md) says which approvals a
change needs; --approved-by supplies them. For git revisions use dbguard
review.

Exit codes: 0 nothing required is missing, 1 approvals the policy requires
are missing, or the risk is at or above --fail-on, or a file of NEW cannot be
read; 2 usage error (including a rules folder that is not readable or a
custom rule that does not compile).`,
		Example: `  # two versions of one file
  dbguard diff app.before.yaml app.after.yaml

  # two rendered charts, as a pull-request comment
  dbguard diff --format markdown rendered-old/ rendered-new/

  # fail a pipeline on anything high or worse
  dbguard diff --fail-on high old/ new/`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDiff(e, o, args[0], args[1])
		},
	}
	addDiffFlags(cmd, o)
	return cmd
}

// parseDiffFlags checks the flags diff and review share.
func parseDiffFlags(o *diffOptions) (output.ReviewFormat, diff.Risk, error) {
	format, err := output.ReviewFormats().Lookup(o.format)
	if err != nil {
		return output.ReviewFormat{}, 0, usageError("--format: %v", err)
	}
	var failOn diff.Risk
	if o.failOn != "" && o.failOn != "none" {
		if failOn, err = diff.ParseRisk(o.failOn); err != nil {
			return output.ReviewFormat{}, 0, usageError("--fail-on: %v", err)
		}
	}
	return format, failOn, nil
}

func runDiff(e *env, o *diffOptions, oldPath, newPath string) error {
	format, failOn, err := parseDiffFlags(o)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(o.configPath, o.noConfig)
	if err != nil {
		return err
	}
	ch, err := app.Diff(e.ctx, app.DiffRequest{Old: oldPath, New: newPath, Config: cfg, RulesDir: o.rulesDir,
		Approvals: review.ParseApprovedBy(o.approvedBy)})
	if err != nil {
		return exitError(err)
	}
	return finishReview(e, o, format, failOn, ch)
}

// finishReview renders the report and decides the exit code.
func finishReview(e *env, o *diffOptions, format output.ReviewFormat, failOn diff.Risk, ch *app.Change) error {
	rep := output.NewReviewReport(ch.Result, ch.Requirements, ch.Approvals, ch.Policy)
	rep.Base, rep.Head = ch.Base, ch.Head
	reqs := ch.Requirements
	opts := output.Options{Color: o.format == "text" && colorTerminal(e.stdout), Version: buildVersion()}
	if err := format.Render(e.stdout, rep, opts); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	newProblems := 0
	for _, p := range rep.Problems {
		if p.Side == "new" {
			newProblems++
		}
	}
	switch {
	case review.Missing(reqs):
		return &ExitError{Code: ExitFindings}
	case failOn != diff.None && rep.Risk >= failOn:
		return &ExitError{Code: ExitFindings}
	case newProblems > 0:
		return &ExitError{Code: ExitFindings}
	}
	return nil
}
