package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/output"
)

// storeFlags are the flags of every command that opens the event store.
type storeFlags struct {
	location   string
	keyFile    string
	configPath string
	noConfig   bool
	format     string
}

func (s *storeFlags) add(f *pflag.FlagSet, formats []string) {
	f.StringVar(&s.location, "store", "", "the event store: a SQLite file or a postgres:// URL (default: dbguard.yaml's store section, else .dbguard/state.db at the repository root)")
	f.StringVar(&s.keyFile, "store-key", "", "the store key file (default: $"+app.EnvStoreKey+", else $XDG_CONFIG_HOME/dbguard/store.key, created on first use)")
	f.StringVarP(&s.format, "format", "o", "text", "output format: "+strings.Join(formats, " or "))
	addConfigFlags(f, &s.configPath, &s.noConfig)
}

// request binds the flags into the application layer's store request.
func (s *storeFlags) request() (app.StoreRequest, error) {
	cfg, err := loadConfig(s.configPath, s.noConfig)
	if err != nil {
		return app.StoreRequest{}, err
	}
	return app.StoreRequest{Location: s.location, KeyFile: s.keyFile, Config: cfg, Dir: ".", Getenv: os.Getenv}, nil
}

// storeExit maps the store's errors: a store that cannot be opened as
// asked (no key, another key, a schema newer than this dbguard) is 2.
func storeExit(err error) error {
	var se *app.StoreError
	if errors.As(err, &se) {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	return exitError(err)
}

type recordOptions struct {
	storeFlags
	actor string
}

func newRecordCommand(e *env) *cobra.Command {
	o := &recordOptions{}
	cmd := &cobra.Command{
		Use:   "record [PATH...]",
		Short: "Record the files that hold connection settings in the event store",
		Long: `record stores, for every file under PATH that holds a database connection,
its content when it differs from the last recorded content, as a new
revision with a change event against the previous one (the first is the
baseline). The content is encrypted with the store key; only redacted
profiles are stored in clear. Files are keyed by their path relative to the
repository root, so 'record .' and 'record deploy/' meet.

The actor is --actor, else $DBGUARD_ACTOR, else the CI job, else git's
user, else the OS user; each event says which.

Exit codes: 0 recorded, 1 a file could not be read, 2 usage error or a
store that cannot be opened (no key, another key).`,
		Example: `  # record every connection file of the repository
  dbguard record .

  # in CI, into the team's PostgreSQL store
  DBGUARD_STORE_KEY=... dbguard record --store "$STORE_URL" deploy/`,
		RunE: func(cmd *cobra.Command, args []string) error { return runRecord(e, o, args) },
	}
	o.add(cmd.Flags(), output.RecordFormats().Names())
	cmd.Flags().StringVar(&o.actor, "actor", "", "who records (default: $DBGUARD_ACTOR, the CI job, git's user, the OS user)")
	return cmd
}

func runRecord(e *env, o *recordOptions, args []string) error {
	format, err := output.RecordFormats().Lookup(o.format)
	if err != nil {
		return usageError("%v", err)
	}
	sreq, err := o.request()
	if err != nil {
		return err
	}
	res, err := app.Record(e.ctx, app.RecordRequest{Paths: args, Config: sreq.Config, Store: sreq, Actor: o.actor})
	if err != nil {
		return storeExit(err)
	}
	if err := format.Render(e.stdout, res, output.Options{}); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	for _, p := range res.Problems {
		fmt.Fprintf(e.stderr, "%s: input-unreadable: %s\n", p.Loc, p.Msg)
	}
	if len(res.Problems) > 0 {
		return &ExitError{Code: ExitFindings}
	}
	return nil
}

func newStoreCommand(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "store",
		Short: "Look after the event store",
	}
	cmd.AddCommand(newStoreCheckCommand(e))
	cmd.AddCommand(newStoreCompactCommand(e))
	return cmd
}

func newStoreCompactCommand(e *env) *cobra.Command {
	o := &storeFlags{}
	cmd := &cobra.Command{
		Use:   "compact",
		Short: "Remove events older than dbguard.yaml's store retention, behind a checkpoint",
		Long: `store compact applies the store section's retention (default: probe_summary
events kept 30 days; every other kind for good): for each kind, the events
older than its retention are removed after a checkpoint event — MAC'd like
every event — lists them and keeps the MACs the survivors chain from, so
that store check still verifies the whole chain. Changes, reviews,
approvals, rollbacks and checkpoints are never removed, nor the newest
event.

Exit codes: 0; 2 the store or its key cannot be opened.`,
		Example: `  dbguard store compact`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := output.StoreCompactFormats().Lookup(o.format)
			if err != nil {
				return usageError("%v", err)
			}
			sreq, err := o.request()
			if err != nil {
				return err
			}
			c, err := app.StoreCompact(e.ctx, sreq, time.Now())
			if err != nil {
				return storeExit(err)
			}
			return format.Render(e.stdout, c, output.Options{})
		},
	}
	o.add(cmd.Flags(), output.StoreCompactFormats().Names())
	return cmd
}

func newStoreCheckCommand(e *env) *cobra.Command {
	o := &storeFlags{}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Recompute the store's MAC chain and name every event altered, inserted or removed",
		Long: `store check recomputes every event's MAC with the store key, follows the
chain, compares its head with the witness kept beside the key, and
authenticates every revision. It names each event altered, inserted,
removed or forged, and each revision that fails.

Exit codes: 0 the store is intact, 1 something was found, 2 the store or its
key cannot be opened.`,
		Example: `  dbguard store check
  dbguard store check --store "$STORE_URL" --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runStoreCheck(e, o) },
	}
	o.add(cmd.Flags(), output.StoreCheckFormats().Names())
	return cmd
}

func runStoreCheck(e *env, o *storeFlags) error {
	format, err := output.StoreCheckFormats().Lookup(o.format)
	if err != nil {
		return usageError("%v", err)
	}
	sreq, err := o.request()
	if err != nil {
		return err
	}
	res, err := app.StoreCheck(e.ctx, sreq)
	if err != nil {
		return storeExit(err)
	}
	if err := format.Render(e.stdout, res, output.Options{}); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if !res.Report.OK() {
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("store check: %d problem(s) found", len(res.Report.Findings))}
	}
	return nil
}

type historyOptions struct {
	storeFlags
	profile, service, env, since, zone string
	kinds                              []string
}

func newHistoryCommand(e *env) *cobra.Command {
	o := &historyOptions{}
	cmd := &cobra.Command{
		Use:   "history",
		Short: "The timeline of changes, approvals, verifications and rollbacks",
		Long: `history prints the store's events oldest first — changes with their field
diffs (old → new, secrets masked), reviews and approvals, verifications with
their stage and class, rollbacks — every time in one zone named in the
header (UTC unless --tz), with the time since the related event before
(changed → failed verification → rollback → verified again).

It needs no store key: events are in clear; only file contents are
encrypted.

--profile takes a profile's id, a file, or a profile's name as scan shows
it; a name several recorded profiles bear is refused with their ids.

Exit codes: 0; 2 usage error (a bad --since, --tz or --kind, a --profile
name several profiles bear) or a store that cannot be opened.`,
		Example: `  dbguard history --since 24h
  dbguard history --profile deploy/app.yaml#database --tz Africa/Lagos
  dbguard history --profile orders-db --kind verification
  dbguard history --kind change --kind rollback --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runHistory(e, o) },
	}
	f := cmd.Flags()
	o.add(f, output.HistoryFormats().Names())
	f.StringVar(&o.profile, "profile", "", "one profile: its id (FILE#KEY.PATH as scan prints it) or its name as scan shows it; or every profile of FILE")
	f.StringVar(&o.service, "service", "", "events of this service's profiles")
	f.StringVar(&o.env, "env", "", "events of profiles in this environment")
	f.StringSliceVar(&o.kinds, "kind", nil, "events of this kind: change, review, approval, verification, rollback (repeatable)")
	f.StringVar(&o.since, "since", "", "events since a duration ago (24h, 7d) or a date (2026-01-31)")
	f.StringVar(&o.zone, "tz", "", "the time zone of every time shown (default UTC), e.g. Africa/Lagos")
	return cmd
}

func runHistory(e *env, o *historyOptions) error {
	format, err := output.HistoryFormats().Lookup(o.format)
	if err != nil {
		return usageError("%v", err)
	}
	sreq, err := o.request()
	if err != nil {
		return err
	}
	h, err := app.History(e.ctx, app.HistoryRequest{Store: sreq, Profile: o.profile, Service: o.service, Env: o.env,
		Kinds: o.kinds, Since: o.since, Zone: o.zone})
	if err != nil {
		return storeExit(err)
	}
	if err := format.Render(e.stdout, h, output.Options{}); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

type approveOptions struct {
	storeFlags
	by, note, actor string
}

func newApproveCommand(e *env) *cobra.Command {
	o := &approveOptions{}
	cmd := &cobra.Command{
		Use:   "approve FINGERPRINT --by NAME",
		Short: "Record an approval of a change, by its fingerprint",
		Long: `approve records in the event store that NAME approved the change whose
fingerprint review printed. Such an approval is unverified — anyone with
access to the store could type any name. It shows in history; review counts
it only where the base revision's review policy says
accept_store_approvals: true, labelled unverified (store).

Exit codes: 0 recorded; 2 usage error (a malformed fingerprint, no --by) or
a store that cannot be opened.`,
		Example: `  dbguard approve v1:0123456789abcdef0123456789abcdef --by alice --note "checked with the DBA"`,
		Args:    cobra.ExactArgs(1),
		RunE:    func(cmd *cobra.Command, args []string) error { return runApprove(e, o, args[0]) },
	}
	f := cmd.Flags()
	o.add(f, output.ApproveFormats().Names())
	f.StringVar(&o.by, "by", "", "who approves (required)")
	f.StringVar(&o.note, "note", "", "a note kept with the approval")
	f.StringVar(&o.actor, "actor", "", "who records (default: $DBGUARD_ACTOR, the CI job, git's user, the OS user)")
	return cmd
}

func runApprove(e *env, o *approveOptions, fp string) error {
	format, err := output.ApproveFormats().Lookup(o.format)
	if err != nil {
		return usageError("%v", err)
	}
	sreq, err := o.request()
	if err != nil {
		return err
	}
	a, err := app.Approve(e.ctx, app.ApproveRequest{Store: sreq, Fingerprint: fp, By: o.by, Note: o.note, Actor: o.actor})
	if err != nil {
		return storeExit(err)
	}
	if err := format.Render(e.stdout, a, output.Options{}); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// verifyRecordFlags are verify's --record and the store it writes to.
type verifyRecordFlags struct {
	record            bool
	location, keyFile string
	actor             string
}

func (r *verifyRecordFlags) add(f *pflag.FlagSet) {
	f.BoolVar(&r.record, "record", false, "record the verified files and a verification event per profile in the event store (a success makes the revision verified-good)")
	f.StringVar(&r.location, "store", "", "with --record: the event store (default: as for record)")
	f.StringVar(&r.keyFile, "store-key", "", "with --record: the store key file (default: as for record)")
	f.StringVar(&r.actor, "actor", "", "with --record: who records (default: as for record)")
}

// recordVerification writes a verify run to the store; what it recorded
// goes to stderr, so that verify's output stays as it is.
func recordVerification(e *env, r *verifyRecordFlags, args []string, cfg *config.Config, res *app.VerifyResult) error {
	rec, err := app.RecordVerification(e.ctx, app.RecordVerificationRequest{
		Store: app.StoreRequest{Location: r.location, KeyFile: r.keyFile, Config: cfg, Dir: ".", Getenv: os.Getenv},
		Paths: args, Config: cfg, Actor: r.actor, Result: res,
	})
	if err != nil {
		return storeExit(fmt.Errorf("record the verification: %w", err))
	}
	fmt.Fprintf(e.stderr, "dbguard: recorded %d verification(s) in %s\n", len(rec.Events), rec.Store)
	for _, id := range rec.Skipped {
		fmt.Fprintf(e.stderr, "dbguard: not recorded: %s (read from standard input)\n", id)
	}
	return nil
}

type rollbackOptions struct {
	storeFlags
	to                    string
	dryRun, force, commit bool
	actor                 string
}

func newRollbackCommand(e *env) *cobra.Command {
	o := &rollbackOptions{}
	cmd := &cobra.Command{
		Use:   "rollback PROFILE|FILE",
		Short: "Restore a profile's file to its last verified-good revision",
		Long: `rollback restores the file behind PROFILE (as scan prints its id) or FILE to
its last verified-good revision — the newest one a successful verify
--record named — or to --to REV. It prints the field changes it undoes,
refuses when the file on disk differs from every recorded revision (an
edit nobody recorded) unless --force, and writes atomically (a temporary
file in the same folder, synced, renamed over the file, the folder synced;
mode and owner kept), after keeping the replaced content as an encrypted
revision when it was not recorded. It records a rollback event. In a git
work tree it prints the git commands that commit the restored file
(--commit runs them on the current branch; it never pushes). It ends with
the verify command that proves the restored settings. --dry-run changes
nothing.

Exit codes: 0 restored (or already there, or a dry run); 1 refused (the
file holds an unrecorded edit, or no revision was verified good); 2 usage
error, or the store or its key cannot be opened (without the key it cannot
restore).`,
		Example: `  dbguard rollback deploy/app.yaml#database --dry-run
  dbguard rollback deploy/app.yaml --commit
  dbguard rollback deploy/.env --to 3f2a9c`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runRollback(e, o, args[0]) },
	}
	f := cmd.Flags()
	o.add(f, output.RollbackFormats().Names())
	f.StringVar(&o.to, "to", "", "restore this revision (an id or a unique prefix) instead of the last verified-good one")
	f.BoolVar(&o.dryRun, "dry-run", false, "print what would be restored and change nothing")
	f.BoolVar(&o.force, "force", false, "restore over a file that differs from every recorded revision (its content is kept as a revision first)")
	f.BoolVar(&o.commit, "commit", false, "commit the restored file on the current branch (never pushes)")
	f.StringVar(&o.actor, "actor", "", "who rolls back (default: $DBGUARD_ACTOR, the CI job, git's user, the OS user)")
	return cmd
}

func runRollback(e *env, o *rollbackOptions, target string) error {
	format, err := output.RollbackFormats().Lookup(o.format)
	if err != nil {
		return usageError("%v", err)
	}
	if o.dryRun && o.commit {
		return usageError("--dry-run and --commit contradict each other")
	}
	sreq, err := o.request()
	if err != nil {
		return err
	}
	res, err := app.Rollback(e.ctx, app.RollbackRequest{Store: sreq, Target: target, To: o.to, DryRun: o.dryRun, Force: o.force, Commit: o.commit, Actor: o.actor})
	var refused *app.RollbackRefusedError
	switch {
	case errors.As(err, &refused), errors.Is(err, app.ErrNoVerifiedGood):
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("rollback refused: %w", err)}
	case err != nil && res == nil:
		return storeExit(err)
	}
	if rerr := format.Render(e.stdout, res, output.Options{}); rerr != nil {
		return fmt.Errorf("write output: %w", rerr)
	}
	if err != nil {
		// Restored, but what came after (the event, the commit) failed.
		return &ExitError{Code: ExitFindings, Err: err}
	}
	return nil
}
