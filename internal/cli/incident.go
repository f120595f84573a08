package cli

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/output"
)

// renderFromStore runs a command over the store its flags name and writes the
// result in the chosen format.
func renderFromStore[R any](e *env, reg output.Registry[R], o *storeFlags, run func(app.StoreRequest) (R, error)) error {
	format, err := reg.Lookup(o.format)
	if err != nil {
		return usageError("%v", err)
	}
	sreq, err := o.request()
	if err != nil {
		return err
	}
	res, err := run(sreq)
	if err != nil {
		return storeExit(err)
	}
	if err := format.Render(e.stdout, res, output.Options{}); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

func actorFlag(f *pflag.FlagSet, actor *string) {
	f.StringVar(actor, "actor", "", "who records (default: $DBGUARD_ACTOR, the CI job, git's user, the OS user)")
}

func newIncidentCommand(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "incident",
		Short: "Incidents projected from the alerts in the store: list, show, note, set, stats",
		Long: `An incident is a projection of the event log (docs/incidents.md): a firing
alert opens one, or joins the open incident of the same service and class;
the change that preceded it, the alerts, verifications, rollbacks and the
recovery attach to it; it resolves once its alerts have stayed resolved for
the incidents section's resolve_hold (default 5m). People add what only
they know as events: notes, severity, impact, root cause, owner.`,
	}
	cmd.AddCommand(newIncidentListCommand(e), newIncidentShowCommand(e), newIncidentNoteCommand(e),
		newIncidentSetCommand(e), newIncidentStatsCommand(e))
	return cmd
}

type incidentListOptions struct {
	storeFlags
	open        bool
	since, zone string
}

func newIncidentListCommand(e *env) *cobra.Command {
	o := &incidentListOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List incidents, newest first",
		Long: `incident list prints the incidents the store's alerts make, newest first:
id, status (open, recovering, resolved), first failed probe, service,
environment and class, the share of targets failing, and the outage so far.
Every time is in one zone named in the header: --tz, else the incidents
section's timezone, else UTC. It needs no store key.

Exit codes: 0; 2 a bad --since or --tz, or a store that cannot be opened.`,
		Example: `  dbguard incident list --open
  dbguard incident list --since 30d --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return renderFromStore(e, output.IncidentListFormats(), &o.storeFlags, func(sreq app.StoreRequest) (*app.IncidentList, error) {
				return app.ListIncidents(e.ctx, app.IncidentListRequest{Store: sreq, Open: o.open, Since: o.since, Zone: o.zone})
			})
		},
	}
	f := cmd.Flags()
	o.add(f, output.IncidentListFormats().Names())
	f.BoolVar(&o.open, "open", false, "only incidents not resolved yet")
	f.StringVar(&o.since, "since", "", "incidents whose first failure is after a duration ago (30d, 12h) or a date (2026-01-31)")
	f.StringVar(&o.zone, "tz", "", "the time zone of every time shown (default: the incidents section's timezone, else UTC)")
	return cmd
}

type incidentShowOptions struct {
	storeFlags
	zone string
}

func newIncidentShowCommand(e *env) *cobra.Command {
	o := &incidentShowOptions{}
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show an incident: its durations, targets and timeline",
		Long: `incident show prints one incident (its id, or a unique prefix of it): the
first failed probe, the alert, the likely cause, the rollback or fix, the
recovery and resolution, the durations measured between them, the targets
that failed and for how long, the timeline, and what people set.

Exit codes: 0; 2 no such incident, a bad --tz, or a store that cannot be
opened.`,
		Example: `  dbguard incident show inc-3f2a9c1d
  dbguard incident show 3f2a --tz Africa/Lagos --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return renderFromStore(e, output.IncidentShowFormats(), &o.storeFlags, func(sreq app.StoreRequest) (*app.IncidentShown, error) {
				return app.ShowIncident(e.ctx, app.IncidentRequest{Store: sreq, ID: args[0], Zone: o.zone})
			})
		},
	}
	f := cmd.Flags()
	o.add(f, output.IncidentShowFormats().Names())
	f.StringVar(&o.zone, "tz", "", "the time zone of every time shown (default: the incidents section's timezone, else UTC)")
	return cmd
}

type incidentNoteOptions struct {
	storeFlags
	at, actor string
}

func newIncidentNoteCommand(e *env) *cobra.Command {
	o := &incidentNoteOptions{}
	cmd := &cobra.Command{
		Use:   "note ID TEXT",
		Short: "Add a note to an incident's timeline",
		Long: `incident note records what only people know ("network logs reviewed, not
the cause") as a note event on the incident's timeline, at --at when it
happened earlier: a duration ago (20m) or a time (RFC 3339, or
"2006-01-02 15:04" in the team's zone).

Exit codes: 0 recorded; 2 no such incident, empty TEXT, a bad --at, or a
store or key that cannot be opened.`,
		Example: `  dbguard incident note inc-3f2a9c1d "suspected the network; logs clean" --at 20m
  dbguard incident note inc-3f2a9c1d "escalated to the DBA team" --at "2026-03-09 22:45"`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return renderFromStore(e, output.RecordedFormats(), &o.storeFlags, func(sreq app.StoreRequest) (*app.Recorded, error) {
				return app.NoteIncident(e.ctx, app.IncidentNoteRequest{IncidentRequest: app.IncidentRequest{Store: sreq, ID: args[0]},
					Text: args[1], At: o.at, Actor: o.actor})
			})
		},
	}
	f := cmd.Flags()
	o.add(f, output.RecordedFormats().Names())
	f.StringVar(&o.at, "at", "", "when what the note tells happened: a duration ago (20m) or a time (default: now)")
	actorFlag(f, &o.actor)
	return cmd
}

type incidentSetOptions struct {
	storeFlags
	severity, impact, rootCause, owner, actor string
}

func newIncidentSetCommand(e *env) *cobra.Command {
	o := &incidentSetOptions{}
	cmd := &cobra.Command{
		Use:   "set ID",
		Short: "Set an incident's severity, impact, root cause or owner",
		Long: `incident set records what people judge of an incident — its severity (SEV1,
the worst, to SEV5), its impact on users, its root cause in words, its
owner — as an event; the latest value of each is what show and postmortem
print. A postmortem marks each one as needing human judgement until set.

Exit codes: 0 recorded; 2 no such incident, nothing to set, a severity
other than SEV1..SEV5, or a store or key that cannot be opened.`,
		Example: `  dbguard incident set inc-3f2a9c1d --severity SEV1 --owner alice
  dbguard incident set inc-3f2a9c1d --impact "30% of checkouts failed" --root-cause "a routine update changed the port"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return renderFromStore(e, output.RecordedFormats(), &o.storeFlags, func(sreq app.StoreRequest) (*app.Recorded, error) {
				return app.SetIncident(e.ctx, app.IncidentSetRequest{IncidentRequest: app.IncidentRequest{Store: sreq, ID: args[0]},
					Severity: o.severity, Impact: o.impact, RootCause: o.rootCause, Owner: o.owner, Actor: o.actor})
			})
		},
	}
	f := cmd.Flags()
	o.add(f, output.RecordedFormats().Names())
	f.StringVar(&o.severity, "severity", "", "SEV1 (the worst) to SEV5")
	f.StringVar(&o.impact, "impact", "", "the impact on users, in words")
	f.StringVar(&o.rootCause, "root-cause", "", "the root cause, in words")
	f.StringVar(&o.owner, "owner", "", "who owns the incident and its postmortem")
	actorFlag(f, &o.actor)
	return cmd
}

type incidentStatsOptions struct {
	storeFlags
	since string
}

func newIncidentStatsCommand(e *env) *cobra.Command {
	o := &incidentStatsOptions{}
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "MTTD, time to cause and MTTR by environment and class",
		Long: `incident stats averages, over the incidents whose first failure is within
--since (default 90d), the time to detect (first failed probe → alert), the
time to cause (alert → likely cause named) and the time to recover (alert →
every target succeeding again), by environment and class, with a last row
for all of them. An incident where a moment was not recorded is left out of
that mean only; the counts say how many each mean is over.

Exit codes: 0; 2 a bad --since, or a store that cannot be opened.`,
		Example: `  dbguard incident stats
  dbguard incident stats --since 365d --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return renderFromStore(e, output.IncidentStatsFormats(), &o.storeFlags, func(sreq app.StoreRequest) (*app.IncidentStats, error) {
				return app.StatsIncidents(e.ctx, app.IncidentStatsRequest{Store: sreq, Since: o.since})
			})
		},
	}
	f := cmd.Flags()
	o.add(f, output.IncidentStatsFormats().Names())
	f.StringVar(&o.since, "since", "90d", "incidents whose first failure is after a duration ago (90d) or a date (2026-01-31)")
	return cmd
}
