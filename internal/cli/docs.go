package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/output"
)

// docsOptions are docs's flags.
type docsOptions struct {
	storeFlags
	out       string
	check     bool
	timestamp bool
	rulesDir  string
	baseline  string
	exclude   []string
}

func newDocsCommand(e *env) *cobra.Command {
	o := &docsOptions{}
	cmd := &cobra.Command{
		Use:   "docs [PATH...]",
		Short: "Generate the database configuration reference and the runbook, in Markdown",
		Long: `docs writes the database configuration reference into --out DIR:

  README.md           every service and its connections, the topology
                      (services → poolers → servers, a Mermaid diagram) and
                      the review policy
  services/NAME.md    per service and environment: who approves a change,
                      each connection's file, driver, hosts, database, user,
                      TLS, pool, timeouts and where its password comes from
                      (never the password), check's verdict with accepted
                      exceptions, the last verified-good revision (with
                      --store), and the verify and rollback commands
  rules.md            every rule check runs and its status
  runbook/CLASS.md    a page per error class of verify's taxonomy

The output is stable (sorted, no time unless --timestamp), so that it can
be committed and reviewed; pages it generated before and no longer does are
removed, pages written by hand beside them are left alone. --check writes
nothing and lists the files that differ, for CI.

Exit codes: 0 written, or current with --check; 1 --check found stale
files, or an input could not be read; 2 usage error or no readable input at
all, or a store that cannot be opened.`,
		Example: `  # the reference of the repository, committed beside the code
  dbguard docs --out docs/database .

  # in CI: fail when someone changed a connection and not its reference
  dbguard docs --check --out docs/database .

  # with the verified-good revisions of the team's store
  dbguard docs --store "$STORE_URL" --out docs/database deploy/

  # the inventory for other tools
  dbguard docs --format json . > inventory.json`,
		RunE: func(cmd *cobra.Command, args []string) error { return runDocs(e, o, args) },
	}
	f := cmd.Flags()
	o.add(f, output.DocsFormats().Names())
	f.Lookup("format").DefValue, o.format = "markdown", "markdown"
	f.StringVar(&o.out, "out", "", "the folder to write the reference into (required but for --format json, which prints to standard output without it)")
	f.BoolVar(&o.check, "check", false, "write nothing: exit 1 and list the files when the reference in --out is stale")
	f.BoolVar(&o.timestamp, "timestamp", false, "print the generation time on the index page (not compared by --check)")
	f.StringVar(&o.rulesDir, "rules", "", "folder of custom CEL rules (default: rules.custom in dbguard.yaml, else "+app.DefaultRulesDir+" when it exists)")
	f.StringVar(&o.baseline, "baseline", "", "the baseline of accepted findings (entries may carry reason and owner)")
	f.StringSliceVar(&o.exclude, "exclude", nil, "skip paths matching this glob (repeatable)")
	return cmd
}

func runDocs(e *env, o *docsOptions, args []string) error {
	if _, err := output.DocsFormats().Lookup(o.format); err != nil {
		return usageError("--format: %v", err)
	}
	for _, a := range args {
		if a == "-" {
			return usageError("docs reads files, not standard input: give the paths that hold the configuration")
		}
	}
	if o.out == "" && (o.format == "markdown" || o.check) {
		return usageError("docs needs --out DIR: the folder the reference is written to (or compared with, with --check)")
	}
	sreq, err := o.request()
	if err != nil {
		return err
	}
	req := app.DocsRequest{
		Check:    app.CheckRequest{Scan: app.ScanRequest{Paths: args, Exclude: o.exclude, Config: sreq.Config}, RulesDir: o.rulesDir},
		Store:    sreq,
		UseStore: o.location != "" || sreq.Config.StoreSettings() != nil,
	}
	if o.timestamp {
		req.Generated = time.Now().UTC().Truncate(time.Second)
	}
	closeBaseline, err := attachBaseline(&req.Check, o.baseline)
	if err != nil {
		return err
	}
	defer closeBaseline()
	res, err := app.Docs(e.ctx, req)
	if errors.Is(err, app.ErrNoReadableInput) {
		return noReadableInput(res != nil && res.Files == 0, err)
	}
	if err != nil {
		return storeExit(err)
	}
	files, err := output.DocsFiles(o.format, res.Reference)
	if err != nil {
		return fmt.Errorf("render the reference: %w", err)
	}
	var unreadable error
	if n := len(res.Reference.Unreadable); n > 0 {
		for _, u := range res.Reference.Unreadable {
			fmt.Fprintln(e.stderr, u)
		}
		unreadable = &ExitError{Code: ExitFindings}
	}
	switch {
	case o.out == "":
		if _, err := e.stdout.Write(files[0].Data); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
	case o.check:
		stale, err := app.CheckDocs(o.out, files)
		if err != nil {
			return err
		}
		if len(stale) > 0 {
			fmt.Fprintf(e.stdout, "the reference in %s is stale: run dbguard docs again and commit the result\n", o.out)
			for _, s := range stale {
				fmt.Fprintf(e.stdout, "  %s: %s\n", filepath.Join(o.out, filepath.FromSlash(s.Name)), s.State)
			}
			return &ExitError{Code: ExitFindings}
		}
		fmt.Fprintf(e.stdout, "the reference in %s is current (%d files)\n", o.out, len(files))
	default:
		changed, removed, err := app.WriteDocs(o.out, files)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "wrote the reference to %s: %d files, %d changed, %d removed\n", o.out, len(files), len(changed), len(removed))
	}
	return unreadable
}

// attachBaseline opens --baseline (when named) into the check request;
// the caller closes it when the command is done.
func attachBaseline(req *app.CheckRequest, name string) (func(), error) {
	if name == "" {
		return func() {}, nil
	}
	f, err := openBaseline(name)
	if err != nil {
		return nil, err
	}
	req.Baseline, req.BaselineName = f, name
	return func() { f.Close() }, nil
}

// noReadableInput is the usage error of a run that read nothing: no
// configuration file found at all, or none readable.
func noReadableInput(noFiles bool, err error) error {
	if noFiles {
		return &ExitError{Code: ExitUsage, Err: errors.New("no configuration files found")}
	}
	return &ExitError{Code: ExitUsage, Err: err}
}
