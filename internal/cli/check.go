package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/extract"
	"github.com/dbguard/dbguard/internal/output"
	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/scan"
)

// defaultRulesDir is where custom rules live when neither --rules nor
// dbguard.yaml says otherwise.
const defaultRulesDir = ".dbguard/rules"

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
	f.StringVarP(&o.format, "format", "o", "text", "output format: "+strings.Join(output.Names(), ", "))
	f.StringVar(&o.failOn, "fail-on", "error", "exit 1 when a finding is at or above this severity: error, warning, info, or none")
	f.StringVar(&o.rulesDir, "rules", "", "folder of custom CEL rules (default: rules.custom in dbguard.yaml, else "+defaultRulesDir+" when it exists)")
	f.StringVar(&o.baseline, "baseline", "", "accept the findings listed in this baseline file; fail only on new ones")
	f.StringVar(&o.writeBaseline, "write-baseline", "", "write today's findings to this baseline file and exit 0")
	f.BoolVar(&o.showSuppressed, "show-suppressed", false, "also list findings accepted by dbguard:ignore or the baseline (text, markdown)")
	f.StringSliceVar(&o.exclude, "exclude", nil, "skip paths matching this glob (repeatable)")
	addConfigFlags(f, &o.configPath, &o.noConfig)
	return cmd
}

func runCheck(e *env, o *checkOptions, args []string) error {
	format, err := output.Lookup(o.format)
	if err != nil {
		return usageError("--format: %v", err)
	}
	var failOn policy.Severity
	if o.failOn != "none" {
		if failOn, err = policy.ParseSeverity(o.failOn); err != nil {
			return usageError("--fail-on: %v (or none)", err)
		}
	}
	if len(args) == 0 {
		args = []string{"."}
	}
	cfg, err := loadConfig(o.configPath, o.noConfig)
	if err != nil {
		return err
	}
	rules, err := loadRules(o, cfg)
	if err != nil {
		return err
	}
	settings, err := checkSettings(cfg, rules)
	if err != nil {
		return err
	}

	// Standard input is read here, once, so that its name can be resolved
	// like any file's.
	var stdinData []byte
	for _, a := range args {
		if a == "-" {
			if stdinData, err = io.ReadAll(io.LimitReader(e.stdin, scan.MaxFileSize+1)); err != nil {
				return fmt.Errorf("read standard input: %w", err)
			}
			break
		}
	}
	// The scan hands each file to the rules as soon as it is read, from
	// its worker goroutines; only findings, the records of the rules over
	// several files and each file's suppression comments outlive it.
	paths := newPathResolver(args, stdinData)
	scanOpts := scan.Options{Paths: args, Exclude: o.exclude, Config: cfg, Stdin: bytes.NewReader(stdinData)}
	stream := policy.NewStream(rules, settings, policy.StreamOptions{UniqueNames: len(args) == 1, LinkKeys: extract.LinkKeys,
		Reread: func(arg int, rel string) ([]*profile.Profile, bool) {
			return scan.Reread(scanOpts, arg, rel, stdinData)
		}})
	var (
		mu    sync.Mutex
		links scan.Linker
	)
	sum, err := scan.Walk(e.ctx, scanOpts, func(fr scan.FileResult) {
		in := policy.FileInput{Index: fr.Index, Profiles: fr.Profiles, Arg: fr.Arg, Rel: fr.Rel}
		for _, p := range fr.Problems {
			in.Problems = append(in.Problems, policy.Problem{Loc: p.Loc, Msg: p.Msg})
		}
		kept := stream.File(in)
		var idx *policy.SuppressionIndex
		if fr.Data != nil {
			idx = policy.IndexSuppressions(fr.Data)
		}
		mu.Lock()
		paths.read(fr.Rel, fr.Arg, fr.Data != nil, idx)
		links.Add(fr)
		mu.Unlock()
		if !kept {
			// Judged and let go: the next files reuse their memory.
			extract.Release(fr.Profiles)
		}
	})
	if err != nil {
		var ue *scan.UsageError
		if errors.As(err, &ue) {
			return &ExitError{Code: ExitUsage, Err: err}
		}
		return err
	}
	// The files another file changes are linked across the scan as
	// scan.Run links.
	rep := stream.Finish(sum.Files, policy.Links{Targeted: links.Targeted, Link: links.Link})

	rep.Findings = paths.display(rep.Findings)
	policy.ApplySuppressionIndex(rep, paths.suppressions, suppressionSeverity(settings))
	if o.baseline != "" {
		f, err := os.Open(o.baseline)
		if err != nil {
			return usageError("--baseline: %v", err)
		}
		b, err := policy.ReadBaseline(f)
		f.Close()
		if err != nil {
			return usageError("--baseline %s: %v", o.baseline, err)
		}
		b.Apply(rep)
	}
	if o.writeBaseline != "" {
		all := &policy.Report{Findings: append(append([]policy.Finding(nil), rep.Findings...), rep.Baselined...)}
		if err := writeBaselineFile(o.writeBaseline, policy.NewBaseline(all)); err != nil {
			return err
		}
		rep.Baselined = append(rep.Baselined, rep.Findings...)
		rep.Findings = nil
	}

	opts := output.Options{Color: o.format == "text" && colorTerminal(e.stdout), Version: buildVersion(), ShowSuppressed: o.showSuppressed}
	if err := format.Render(e.stdout, rep, opts); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if sum.Readable == 0 {
		if sum.Files == 0 {
			return &ExitError{Code: ExitUsage, Err: errors.New("no configuration files found")}
		}
		return &ExitError{Code: ExitUsage, Err: errors.New("no readable input")}
	}
	if failOn != 0 && rep.Count(failOn) > 0 {
		return &ExitError{Code: ExitFindings}
	}
	return nil
}

// loadRules returns the built-in rules and the custom rules of the rules
// folder. A custom rule that does not compile is a usage error naming the
// rule file's line.
func loadRules(o *checkOptions, cfg *config.Config) ([]*policy.Rule, error) {
	rules := policy.Builtins()
	dir, explicit := o.rulesDir, o.rulesDir != ""
	if rc := cfg.RuleSettings(); !explicit && rc != nil && rc.Custom != "" {
		dir, explicit = rc.Custom, true
	}
	if dir == "" {
		dir = defaultRulesDir
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		if explicit {
			return nil, usageError("rules folder %s: not a readable directory", dir)
		}
		return rules, nil
	}
	custom, err := policy.LoadCustomRules(dir)
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: err}
	}
	seen := map[string]bool{}
	for _, r := range rules {
		seen[r.ID] = true
	}
	for _, r := range custom {
		if seen[r.Rule.ID] {
			return nil, usageError("custom rule %s: id %q is already a built-in rule", r.Source, r.Rule.ID)
		}
		seen[r.Rule.ID] = true
		rules = append(rules, r.Rule)
	}
	return rules, nil
}

// checkSettings turns dbguard.yaml's rules and inventory sections into the
// policy's settings, refusing overrides of rules that do not exist.
func checkSettings(cfg *config.Config, rules []*policy.Rule) (*policy.Settings, error) {
	s := policy.DefaultSettings()
	if rc := cfg.RuleSettings(); rc != nil {
		if rc.PoolCeiling > 0 {
			s.PoolCeiling = rc.PoolCeiling
		}
		if rc.MaxConnectTimeout > 0 {
			s.MaxConnectTimeout = rc.MaxConnectTimeout
		}
		for _, sc := range rc.EnvironmentSeverity {
			s.EnvironmentCaps[sc.Context], _ = policy.ParseSeverity(sc.Severity)
		}
		known := map[string]bool{}
		for _, r := range rules {
			known[r.ID] = true
		}
		s.Rules = map[string]policy.RuleSetting{}
		for _, ov := range rc.Overrides {
			if !known[ov.ID] {
				return nil, usageError("%s: rules.overrides names rule %q, which does not exist (see docs/rules/README.md)", ov.IDPos, ov.ID)
			}
			var rs policy.RuleSetting
			if ov.Severity != "" {
				rs.Severity, _ = policy.ParseSeverity(ov.Severity)
			}
			rs.Disabled = ov.Enabled != nil && !*ov.Enabled
			for _, env := range ov.Environments {
				rs.Environments = append(rs.Environments, profile.Environment(env))
			}
			s.Rules[ov.ID] = rs
		}
	}
	for _, sv := range cfg.InventoryServers() {
		s.Inventory = append(s.Inventory, policy.Server{
			Name: sv.Name, Hosts: sv.Hosts, Port: sv.Port, Kind: sv.Kind, MaxConnections: sv.MaxConnections,
			Reserved: sv.Reserved, MaxClientConn: sv.MaxClientConn, PoolSize: sv.PoolSize, IdleTimeout: sv.IdleTimeout,
			TLS: sv.TLS, Databases: sv.Databases, Users: sv.Users, From: "inventory",
			Loc: profile.Location{File: sv.Pos.File, Line: sv.Pos.Line, Column: sv.Pos.Column},
		})
	}
	return s, nil
}

// suppressionSeverity is the severity of suppression-without-reason after
// dbguard.yaml, or zero when the rule is disabled.
func suppressionSeverity(s *policy.Settings) policy.Severity {
	rs := s.Rules[policy.SuppressionWithoutReason]
	if rs.Disabled {
		return 0
	}
	if rs.Severity != 0 {
		return rs.Severity
	}
	r, _ := policy.Lookup(policy.SuppressionWithoutReason)
	return r.Severity
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

// pathResolver maps the file names a scan reports (relative to the
// argument they were found under) to the names check prints, and finds
// the suppression comments of a printed file.
type pathResolver struct {
	args  []string
	stdin []byte
	// first is the first argument that is not standard input: a file
	// found under it is printed without asking the disk where it is.
	first    int
	firstDir bool
	// scanned holds the suppression index of each file read under the
	// first argument (nil: no comments), by its name in reports.
	scanned map[string]*policy.SuppressionIndex
	// stdinIdx is standard input's index, once read.
	stdinIdx  *policy.SuppressionIndex
	stdinRead bool
	// firstPrefix is what a name found under the first argument, a
	// folder, is printed after ("" when printed alone).
	firstPrefix string
	resolved    map[string]resolvedName
	// only: the first argument is the only one, so every name the scan
	// reports (but standard input's) was found under it, and scanned
	// keeps only the files with suppression comments.
	only bool
	// index holds the suppression index of a printed name whose file the
	// scan read, so that it is not read again.
	index map[string]*policy.SuppressionIndex
}

func newPathResolver(args []string, stdin []byte) *pathResolver {
	first := -1
	for i, a := range args {
		if a != "-" {
			first = i
			break
		}
	}
	firstDir := false
	if first >= 0 {
		st, err := os.Stat(args[first])
		firstDir = err == nil && st.IsDir()
	}
	r := &pathResolver{args: args, stdin: stdin, first: first, firstDir: firstDir, scanned: map[string]*policy.SuppressionIndex{},
		resolved: map[string]resolvedName{}, index: map[string]*policy.SuppressionIndex{}, only: first == 0 && len(args) == 1}
	if firstDir {
		if a := args[first]; !filepath.IsAbs(a) && filepath.Clean(a) != "." {
			r.firstPrefix = filepath.ToSlash(filepath.Clean(a))
			if !strings.HasSuffix(r.firstPrefix, "/") {
				r.firstPrefix += "/"
			}
		}
	}
	return r
}

// read records a file the scan read (ok) or failed to read under argument
// arg, with its suppression comments.
func (r *pathResolver) read(rel string, arg int, ok bool, idx *policy.SuppressionIndex) {
	switch {
	case rel == scan.StdinName && r.args[arg] == "-":
		r.stdinIdx, r.stdinRead = idx, ok
	case ok && arg == r.first && (idx != nil || !r.only):
		r.scanned[rel] = idx
	}
}

// resolve finds the file behind a reported name: the first argument under
// which it exists.
func (r *pathResolver) resolve(rel string) (disk, shown string, ok bool) {
	if rn, ok := r.resolved[rel]; ok {
		if rn.ok && rn.disk == "" {
			rn.disk, _ = r.place(r.args[r.first], rel, r.firstDir)
		}
		return rn.disk, rn.shown, rn.ok
	}
	if idx, ok := r.scanned[rel]; ok || r.only {
		// Read under the first argument, so it exists there and no
		// earlier argument can claim it. A name the walk gave (clean,
		// relative) is printed after the argument as given: place's
		// answer without joining and cleaning paths for every file.
		var shown string
		if r.firstDir && path.Clean(rel) == rel && !strings.HasPrefix(rel, "../") && rel != ".." && !path.IsAbs(rel) {
			shown = r.firstPrefix + rel
		} else {
			_, shown = r.place(r.args[r.first], rel, r.firstDir)
		}
		r.resolved[rel] = resolvedName{shown: shown, ok: true}
		r.index[shown] = idx
		return "", shown, true
	}
	for _, a := range r.args {
		if a == "-" {
			continue
		}
		st, err := os.Stat(a)
		if err != nil {
			continue
		}
		if !st.IsDir() && filepath.ToSlash(filepath.Base(a)) != rel {
			continue
		}
		cand, shown := r.place(a, rel, st.IsDir())
		if _, err := os.Stat(cand); err != nil {
			continue
		}
		r.resolved[rel] = resolvedName{disk: cand, shown: shown, ok: true}
		return cand, shown, true
	}
	r.resolved[rel] = resolvedName{shown: rel}
	return "", rel, false
}

// resolvedName is resolve's answer for a name; disk is found when asked
// for a file the scan read.
type resolvedName struct {
	disk, shown string
	ok          bool
}

// place is where rel, found under argument a, is on disk and the name
// check prints for it: as given on the command line joined with rel.
func (r *pathResolver) place(a, rel string, dir bool) (disk, shown string) {
	disk = a
	if dir {
		disk = filepath.Join(a, filepath.FromSlash(rel))
	}
	shown = rel
	if !filepath.IsAbs(a) && filepath.Clean(a) != "." {
		shown = filepath.ToSlash(filepath.Clean(disk))
	}
	return disk, shown
}

// display rewrites the files of findings to the names check prints.
func (r *pathResolver) display(fs []policy.Finding) []policy.Finding {
	// Findings come sorted by file: most ask for the name just asked.
	var last, lastShown string
	for i := range fs {
		if rel := fs[i].Loc.File; rel != last || i == 0 {
			last, lastShown = rel, r.name(rel)
		}
		fs[i].Loc.File = lastShown
		for j := range fs[i].Related {
			fs[i].Related[j].Loc.File = r.name(fs[i].Related[j].Loc.File)
		}
	}
	return fs
}

func (r *pathResolver) name(rel string) string {
	if rel == "" || rel == scan.StdinName {
		return rel
	}
	_, shown, _ := r.resolve(rel)
	return shown
}

// suppressions returns the suppression comments of a file by its printed
// name: from the scan's index when the scan read that very file, else from
// the disk.
func (r *pathResolver) suppressions(shown string) *policy.SuppressionIndex {
	if shown == scan.StdinName {
		if r.stdinRead {
			return r.stdinIdx
		}
		if r.stdin == nil {
			return nil
		}
		return policy.IndexSuppressions(r.stdin)
	}
	if idx, ok := r.index[shown]; ok {
		return idx
	}
	if data, ok := r.source(shown); ok {
		return policy.IndexSuppressions(data)
	}
	return nil
}

// source returns the text of a file by its printed name.
func (r *pathResolver) source(shown string) ([]byte, bool) {
	for rel, rn := range r.resolved {
		if rn.shown == shown && rn.ok {
			disk, _, _ := r.resolve(rel)
			data, err := os.ReadFile(disk)
			return data, err == nil
		}
	}
	return nil, false
}
