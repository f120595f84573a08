package cli

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/output"
	"github.com/dbguard/dbguard/internal/profile"
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
	f.StringVarP(&o.format, "format", "o", "table", "output format: table or json")
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
	if o.format != "table" && o.format != "json" {
		return usageError("unknown --format %q: use table or json", o.format)
	}
	res, err := scanPaths(e, args, o.exclude, o.configPath, o.noConfig)
	if err != nil {
		return err
	}
	if res.Files == 0 {
		// Nothing was read: say so, and print no empty table.
		return scanExit(e, res)
	}
	switch o.format {
	case "json":
		err = writeScanJSON(e.stdout, res)
	default:
		err = writeScanTable(e.stdout, res)
	}
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return scanExit(e, res)
}

// scanPaths runs the input stage that every command shares.
func scanPaths(e *env, args, exclude []string, configPath string, noConfig bool) (*scan.Result, error) {
	if len(args) == 0 {
		args = []string{"."}
	}
	cfg, err := loadConfig(configPath, noConfig)
	if err != nil {
		return nil, err
	}
	res, err := scan.Run(e.ctx, scan.Options{Paths: args, Exclude: exclude, Config: cfg, Stdin: e.stdin})
	if err != nil {
		var ue *scan.UsageError
		if errors.As(err, &ue) {
			return nil, &ExitError{Code: ExitUsage, Err: err}
		}
		return nil, err
	}
	return res, nil
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

// scanJSON is scan's JSON document (docs/formats.md).
type scanJSON struct {
	SchemaVersion int            `json:"schema_version"`
	Profiles      []profile.View `json:"profiles"`
	Problems      []problemJSON  `json:"problems"`
	Summary       scanSummary    `json:"summary"`
}

type problemJSON struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Message  string `json:"message"`
}

type scanSummary struct {
	Files    int   `json:"files"`
	Readable int   `json:"readable"`
	Bytes    int64 `json:"bytes"`
	Profiles int   `json:"profiles"`
	Problems int   `json:"problems"`
}

func writeScanJSON(w io.Writer, res *scan.Result) error {
	// Streamed profile by profile: the document for a large repository
	// is tens of megabytes, and building it whole doubles the run's peak
	// memory. The bytes are those json.Encoder writes for scanJSON.
	s := output.NewJSONStream(w)
	s.Field("schema_version", profile.SchemaVersion)
	s.Array("profiles", len(res.Profiles), func(i int) any { return res.Profiles[i].View() })
	s.Array("problems", len(res.Problems), func(i int) any {
		p := res.Problems[i]
		return problemJSON{Rule: "input-unreadable", Severity: "error",
			File: p.Loc.File, Line: p.Loc.Line, Column: p.Loc.Column, Message: p.Msg}
	})
	s.Field("summary", scanSummary{Files: res.Files, Readable: res.Readable, Bytes: res.Bytes,
		Profiles: len(res.Profiles), Problems: len(res.Problems)})
	return s.Close()
}

func writeScanTable(w io.Writer, res *scan.Result) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LOCATION\tNAME\tENV\tDRIVER\tHOST:PORT\tDATABASE\tUSER\tPASSWORD\tTLS")
	for _, p := range res.Profiles {
		v := p.View()
		loc := p.File
		if l, ok := firstLocation(p); ok {
			loc = l.String()
		}
		name := v.Name
		if p.ServerSide {
			name += " (server)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", loc, name, v.Environment, deref(v.Driver),
			hostPort(v), deref(v.Database), deref(v.User), passwordText(v), deref(v.TLS))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s in %s (%d unreadable)\n", plural(len(res.Profiles), "profile"), plural(res.Files, "file"), len(res.Problems))
	return err
}

// firstLocation is where a profile starts: its earliest located field.
func firstLocation(p *profile.Profile) (profile.Location, bool) {
	var best profile.Location
	p.EachField(func(_ string, v profile.Value) {
		if v.Loc.Line > 0 && (best.Line == 0 || v.Loc.Line < best.Line || v.Loc.Line == best.Line && v.Loc.Column < best.Column) {
			best = v.Loc
		}
	})
	return best, best.Line > 0
}

func deref(s *string) string {
	if s == nil {
		return "-"
	}
	if *s == "" {
		return `""`
	}
	return *s
}

func hostPort(v profile.View) string {
	h := deref(v.Host)
	if net.ParseIP(h) != nil && strings.Contains(h, ":") && v.Port != nil {
		h = "[" + h + "]"
	}
	if v.Port == nil {
		return h
	}
	return fmt.Sprintf("%s:%v", h, v.Port)
}

func passwordText(v profile.View) string {
	switch {
	case v.PasswordSet == nil:
		return "unknown"
	case !*v.PasswordSet:
		return "none"
	}
	return v.PasswordSource
}

// plural writes a count with its noun: 1 profile, 2 profiles.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
