package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/demo"
	"github.com/dbguard/dbguard/internal/output"
)

type demoOptions struct {
	scenario string
	keep     bool
	quiet    bool
}

func newDemoCommand(e *env) *cobra.Command {
	o := &demoOptions{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Replay a configuration outage end to end in under a minute",
		Long: `demo replays the outage dbguard was born from, on this machine, in under a
minute: it starts a throwaway PostgreSQL on a free loopback port in a
temporary folder, writes a service's configuration for three replicas, runs
watch in process with an embedded SQLite store and a local webhook, and
lets a "routine update" break one replica. The alert arrives naming the
changed field and the rollback command; the demo applies that rollback,
connections recover, the incident resolves (after a 2s hold) and its
drafted postmortem is printed, followed by the measured times against the
seed postmortem's (30 minutes to the cause, 2.5 hours to restore).

It needs PostgreSQL's server programs (initdb, pg_ctl) on PATH or under
/usr/lib/postgresql/*/bin. Run as root, PostgreSQL runs as user postgres
(through runuser). Everything it starts is stopped and its folder removed
at the end, also on Ctrl-C; --keep leaves the folder.

Scenarios (--scenario): ` + strings.Join(demo.ScenarioNames(), ", ") + `.

Exit codes: 0 the outage was replayed; 1 a step failed (the narration says
which); 2 a bad flag, PostgreSQL's programs missing, or interrupted.`,
		Example: `  go run ./cmd/dbguard demo
  dbguard demo --scenario port
  dbguard demo --scenario capacity --keep`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDemo(e, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.scenario, "scenario", "password", "the fault the routine update brings: "+strings.Join(demo.ScenarioNames(), ", "))
	f.BoolVar(&o.keep, "keep", false, "leave the demo's folder (configuration, store, server data and log) and print where")
	f.BoolVar(&o.quiet, "quiet", false, "print only the closing line (for tests)")
	return cmd
}

func runDemo(e *env, o *demoOptions) error {
	start := time.Now()
	out := e.stdout
	if o.quiet {
		out = io.Discard
	}
	md, _ := output.PostmortemFormats().Lookup("markdown")
	res, err := demo.Run(e.ctx, demo.Options{Scenario: o.scenario, Keep: o.keep, Out: out,
		Postmortem: func(w io.Writer, d *app.PostmortemDraft) error { return md.Render(w, d, output.Options{}) }})
	var unknown *demo.UnknownScenarioError
	switch {
	case errors.As(err, &unknown):
		return &ExitError{Code: ExitUsage, Err: err}
	case errors.Is(err, demo.ErrNoPostgres):
		return &ExitError{Code: ExitUsage, Err: err}
	case err != nil && e.ctx.Err() != nil:
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("demo interrupted; everything it started is stopped and removed: %w", err)}
	case err != nil:
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("demo: %w", err)}
	}
	where := "removed"
	if o.keep {
		where = "kept"
	}
	fmt.Fprintf(e.stdout, "demo finished in %.1fs (wall time; under 60s expected): PostgreSQL on 127.0.0.1:%d stopped, folder %s %s\n",
		time.Since(start).Seconds(), res.Port, res.Dir, where)
	return nil
}
