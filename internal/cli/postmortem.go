package cli

import (
	"github.com/spf13/cobra"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/output"
)

type postmortemOptions struct {
	storeFlags
	zone string
}

func newPostmortemCommand(e *env) *cobra.Command {
	o := &postmortemOptions{}
	cmd := &cobra.Command{
		Use:   "postmortem ID",
		Short: "Draft an incident's postmortem from the store",
		Long: `postmortem drafts the document people finish: issue summary (duration,
impact, root cause), timeline, root cause and resolution, corrective and
preventive measures, tasks. Every fact comes from the event store: the
change that preceded the incident (file, field, old → new with secrets
masked, who changed it, its review fingerprint, the approvals it had or
lacked, whether a verification ran after it), the alerts, rollbacks and
recovery, the durations between them, the action items with their status.
Measures are proposed only where the events show the gap; with the store
key, check's rules also run over the revision the change produced, to say
whether a rule covers the changed fields. What only people
know (impact on users, why the change was made, lessons) is marked "Needs
human judgement", never invented.

Every time is in one zone, named once at the top: --tz, else the incidents
section's timezone, else UTC.

Exit codes: 0; 2 no such incident, a bad --tz, or a store that cannot be
opened.`,
		Example: `  dbguard postmortem inc-3f2a9c1d > postmortem.md
  dbguard postmortem inc-3f2a9c1d --tz Africa/Lagos --format html > postmortem.html
  dbguard postmortem 3f2a --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return renderFromStore(e, output.PostmortemFormats(), &o.storeFlags, func(sreq app.StoreRequest) (*app.PostmortemDraft, error) {
				return app.DraftPostmortem(e.ctx, app.IncidentRequest{Store: sreq, ID: args[0], Zone: o.zone})
			})
		},
	}
	f := cmd.Flags()
	o.add(f, output.PostmortemFormats().Names())
	// storeFlags defaults --format to text, which a postmortem has not.
	o.format, f.Lookup("format").DefValue = "markdown", "markdown"
	f.StringVar(&o.zone, "tz", "", "the one time zone of the document (default: the incidents section's timezone, else UTC)")
	return cmd
}
