package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/output"
	"github.com/dbguard/dbguard/internal/scan"
)

// scanOptions are scan's flags.
type scanOptions struct {
	format     string
	exclude    []string
	configPath string
	noConfig   bool
}

func newScanCommand(e *env) *cobra.Command {
	o := &scanOptions{}
	cmd := &cobra.Command{
		Use:   "scan [PATH...]",
		Short: "List the database connections found in configuration files",
		Long: `scan walks files and directories (skipping .git, vendor and node_modules),
reads every configuration format dbguard knows (YAML, JSON, TOML, INI, .env,
.properties; compose files, Kubernetes manifests, Helm values, Spring, Rails,
.NET, ECS task definitions, poolers) and lists each database connection it
finds, with the file, line and column every value came from.

No secret is ever printed: a password shows only as set or not, and where it
comes from. Scanning never reads the machine's environment, ~/.pgpass or
service files; the output depends only on the input.

PATH "-" reads one document from standard input (the output of helm template
or kustomize build). With no PATH, the current directory is scanned.`,
		Example: `  # every connection in a repository
  dbguard scan .

  # machine-readable, for other tools
  dbguard scan --format json config/ deploy/ > profiles.json

  # what a rendered chart connects to
  helm template ./chart | dbguard scan -`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScan(e, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.format, "format", "o", "table", "output format: "+strings.Join(output.ScanFormats().Names(), " or "))
	f.StringSliceVar(&o.exclude, "exclude", nil, "skip paths matching this glob (repeatable)")
	addConfigFlags(f, &o.configPath, &o.noConfig)
	return cmd
}

type flagSet interface {
	StringVar(p *string, name, value, usage string)
	BoolVar(p *bool, name string, value bool, usage string)
}

func addConfigFlags(f flagSet, path *string, none *bool) {
	f.StringVar(path, "config", "", "dbguard.yaml to use (default: dbguard.yaml or .dbguard.yaml in the current directory or a parent up to the repository root)")
	f.BoolVar(none, "no-config", false, "ignore any dbguard.yaml")
}

// loadConfig reads dbguard.yaml: the one named, or the one discovered.
func loadConfig(path string, none bool) (*config.Config, error) {
	if none {
		return config.Default(), nil
	}
	if path == "" {
		p, ok := config.Discover(".")
		if !ok {
			return config.Default(), nil
		}
		path = p
	}
	// Read as scan reads its inputs, so that a FIFO or a device named
	// --config is refused at once rather than waited on.
	data, err := scan.ReadFile(path)
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("read config: %w", err)}
	}
	cfg, err := config.Parse(path, data)
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: err}
	}
	return cfg, nil
}

func runScan(e *env, o *scanOptions, args []string) error {
	format, err := output.ScanFormats().Lookup(o.format)
	if err != nil {
		return usageError("unknown --format %q: use table or json", o.format)
	}
	cfg, err := loadConfig(o.configPath, o.noConfig)
	if err != nil {
		return err
	}
	res, err := app.Scan(e.ctx, app.ScanRequest{Paths: args, Exclude: o.exclude, Config: cfg, Stdin: e.stdin})
	if err != nil {
		return exitError(err)
	}
	if res.Files == 0 {
		// Nothing was read: say so, and print no empty table.
		return scanExit(e, res)
	}
	if err := format.Render(e.stdout, res, output.Options{}); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return scanExit(e, res)
}

// scanExit applies the shared exit-code contract to a scan: no readable
// input at all is a usage error, an unreadable input is a finding.
func scanExit(e *env, res *scan.Result) error {
	for _, p := range res.Problems {
		fmt.Fprintf(e.stderr, "%s: input-unreadable: %s\n", p.Loc, p.Msg)
	}
	if res.Readable == 0 {
		if res.Files == 0 {
			return &ExitError{Code: ExitUsage, Err: errors.New("no configuration files found")}
		}
		return &ExitError{Code: ExitUsage, Err: errors.New("no readable input")}
	}
	if len(res.Problems) > 0 {
		return &ExitError{Code: ExitFindings}
	}
	return nil
}
