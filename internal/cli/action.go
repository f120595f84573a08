package cli

import (
	"github.com/spf13/cobra"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/output"
)

func newActionCommand(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "action",
		Short: "Action items of incidents: add, done, list",
		Long: `Action items are the tasks an incident leaves, each with an owner and a due
date, stored as events; postmortem lists them with their status (open,
overdue, done). An item is overdue once its due day has ended in the team's
zone (the incidents section's timezone, else UTC).`,
	}
	cmd.AddCommand(newActionAddCommand(e), newActionDoneCommand(e), newActionListCommand(e))
	return cmd
}

type actionAddOptions struct {
	storeFlags
	owner, due, actor string
}

func newActionAddCommand(e *env) *cobra.Command {
	o := &actionAddOptions{}
	cmd := &cobra.Command{
		Use:   "add INCIDENT TEXT --owner NAME --due DATE",
		Short: "Add an action item to an incident",
		Long: `action add records a task of an incident with its owner and due date
(YYYY-MM-DD) and prints its id (act-...), which action done takes.

Exit codes: 0 recorded; 2 no such incident, empty TEXT, no --owner, a --due
that is not a date, or a store or key that cannot be opened.`,
		Example: `  dbguard action add inc-3f2a9c1d "add verify --record to the deploy pipeline" --owner alice --due 2026-04-01`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return renderFromStore(e, output.RecordedFormats(), &o.storeFlags, func(sreq app.StoreRequest) (*app.Recorded, error) {
				return app.AddAction(e.ctx, app.ActionAddRequest{IncidentRequest: app.IncidentRequest{Store: sreq, ID: args[0]},
					Text: args[1], Owner: o.owner, Due: o.due, Actor: o.actor})
			})
		},
	}
	f := cmd.Flags()
	o.add(f, output.RecordedFormats().Names())
	f.StringVar(&o.owner, "owner", "", "who does it (required)")
	f.StringVar(&o.due, "due", "", "the day it is due, YYYY-MM-DD (required)")
	actorFlag(f, &o.actor)
	return cmd
}

type actionDoneOptions struct {
	storeFlags
	actor string
}

func newActionDoneCommand(e *env) *cobra.Command {
	o := &actionDoneOptions{}
	cmd := &cobra.Command{
		Use:   "done ID",
		Short: "Mark an action item done",
		Long: `action done records that an action item (its id, act-..., as action add and
action list print it) is done.

Exit codes: 0 recorded; 2 no such item, an item done already, or a store or
key that cannot be opened.`,
		Example: `  dbguard action done act-5b01c2d3`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return renderFromStore(e, output.RecordedFormats(), &o.storeFlags, func(sreq app.StoreRequest) (*app.Recorded, error) {
				return app.DoneAction(e.ctx, app.ActionDoneRequest{Store: sreq, ID: args[0], Actor: o.actor})
			})
		},
	}
	f := cmd.Flags()
	o.add(f, output.RecordedFormats().Names())
	actorFlag(f, &o.actor)
	return cmd
}

type actionListOptions struct {
	storeFlags
	open, overdue bool
}

func newActionListCommand(e *env) *cobra.Command {
	o := &actionListOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List action items with their status",
		Long: `action list prints every action item in the order they were added, with its
status (open, overdue, done), incident, due day and owner.

Exit codes: 0; 2 a store that cannot be opened.`,
		Example: `  dbguard action list --open
  dbguard action list --overdue --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return renderFromStore(e, output.ActionListFormats(), &o.storeFlags, func(sreq app.StoreRequest) (*app.ActionList, error) {
				return app.ListActions(e.ctx, app.ActionListRequest{Store: sreq, Open: o.open, Overdue: o.overdue})
			})
		},
	}
	f := cmd.Flags()
	o.add(f, output.ActionListFormats().Names())
	f.BoolVar(&o.open, "open", false, "only items not done")
	f.BoolVar(&o.overdue, "overdue", false, "only open items whose due day has ended")
	return cmd
}
