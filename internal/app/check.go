package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/extract"
	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/scan"
)

// DefaultRulesDir is where custom rules live when neither the request nor
// dbguard.yaml says otherwise.
const DefaultRulesDir = ".dbguard/rules"

// RequestError is a request that cannot be carried out as asked: a rules
// folder that cannot be read, a custom rule that does not compile, an
// override of a rule that does not exist, a baseline that cannot be read.
// It is the caller's to fix; the command line exits 2.
type RequestError struct{ Err error }

func (e *RequestError) Error() string { return e.Err.Error() }
func (e *RequestError) Unwrap() error { return e.Err }

func requestError(format string, args ...any) error {
	return &RequestError{Err: fmt.Errorf(format, args...)}
}

// Rules returns the rules check runs, built-in and custom (rulesDir, else
// rules.custom of dbguard.yaml, else DefaultRulesDir when it exists), and
// the settings of dbguard.yaml. check, diff and review judge with the same
// pair, so that an override of a custom rule means the same to all three.
func Rules(cfg *config.Config, rulesDir string) ([]*policy.Rule, *policy.Settings, error) {
	cfg = configOrDefault(cfg)
	rules, err := loadRules(rulesDir, cfg)
	if err != nil {
		return nil, nil, err
	}
	settings, err := checkSettings(cfg, rules)
	if err != nil {
		return nil, nil, err
	}
	return rules, settings, nil
}

// CheckRequest says what to check: the files of Scan, with the rules of
// RulesDir (see Rules). Baseline, when set, accepts the findings it lists
// (BaselineName names it in errors); WriteBaseline accepts every finding
// of today and returns the baseline that says so.
type CheckRequest struct {
	Scan          ScanRequest
	RulesDir      string
	Baseline      io.Reader
	BaselineName  string
	WriteBaseline bool
}

// CheckResult is a finished check: the findings, with their files named
// as given on the command line joined with the file's path below it, and
// what was read.
type CheckResult struct {
	Report   *policy.Report
	Files    int // files read or tried
	Readable int // files read
	// Baseline is set when the request asked to write one.
	Baseline *policy.Baseline
}

// Check scans and judges every file as it is read: the scan hands each
// file to the rules from its worker goroutines, and only findings, the
// records of the rules over several files and each file's suppression
// comments outlive it, so that memory stays flat over any number of files.
// Errors: *RequestError, *scan.UsageError.
func Check(ctx context.Context, req CheckRequest) (*CheckResult, error) {
	cfg := configOrDefault(req.Scan.Config)
	rules, settings, err := Rules(cfg, req.RulesDir)
	if err != nil {
		return nil, err
	}
	args := req.Scan.Paths
	if len(args) == 0 {
		args = []string{"."}
	}
	// Standard input is read here, once, so that its name can be resolved
	// like any file's.
	var stdinData []byte
	for _, a := range args {
		if a == "-" {
			if stdinData, err = scan.ReadStdin(ctx, req.Scan.Stdin); err != nil {
				return nil, err
			}
			break
		}
	}
	paths := newPathResolver(args, stdinData)
	scanOpts := scan.Options{Paths: args, Exclude: req.Scan.Exclude, Config: cfg, Stdin: bytes.NewReader(stdinData)}
	stream := policy.NewStream(rules, settings, policy.StreamOptions{UniqueNames: len(args) == 1, LinkKeys: extract.LinkKeys,
		Reread: func(arg int, rel string) ([]*profile.Profile, bool) {
			return scan.Reread(scanOpts, arg, rel, stdinData)
		}})
	var (
		mu    sync.Mutex
		links scan.Linker
	)
	sum, err := scan.Walk(ctx, scanOpts, func(fr scan.FileResult) {
		in := policy.FileInput{Index: fr.Index, Profiles: fr.Profiles, Problems: slices.Clone(fr.Problems), Arg: fr.Arg, Rel: fr.Rel}
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
			// Judged and let go: the next files reuse their memory. No
			// caller of Check ever holds these profiles, so none can
			// see them change.
			extract.Release(fr.Profiles)
		}
	})
	if err != nil {
		return nil, err
	}
	// The files another file changes are linked across the scan as
	// scan.Run links.
	rep := stream.Finish(sum.Files, policy.Links{Targeted: links.Targeted, Link: links.Link})
	rep.Findings = paths.display(rep.Findings)
	policy.ApplySuppressionIndex(rep, paths.suppressions, suppressionSeverity(settings))
	if req.Baseline != nil {
		b, err := policy.ReadBaseline(req.Baseline)
		if err != nil {
			return nil, requestError("--baseline %s: %v", req.BaselineName, err)
		}
		b.Apply(rep)
	}
	out := &CheckResult{Report: rep, Files: sum.Files, Readable: sum.Readable}
	if req.WriteBaseline {
		all := &policy.Report{Findings: append(append([]policy.Finding(nil), rep.Findings...), rep.Baselined...)}
		out.Baseline = policy.NewBaseline(all)
		rep.Baselined = append(rep.Baselined, rep.Findings...)
		rep.Findings = nil
	}
	return out, nil
}

// loadRules returns the built-in rules and the custom rules of the rules
// folder (rulesDir, else rules.custom of dbguard.yaml, else
// DefaultRulesDir when it exists). A custom rule that does not compile is
// a *RequestError naming the rule file's line.
func loadRules(rulesDir string, cfg *config.Config) ([]*policy.Rule, error) {
	rules := policy.Builtins()
	dir, explicit := rulesDir, rulesDir != ""
	if rc := cfg.RuleSettings(); !explicit && rc != nil && rc.Custom != "" {
		dir, explicit = rc.Custom, true
	}
	if dir == "" {
		dir = DefaultRulesDir
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		if explicit {
			return nil, requestError("rules folder %s: not a readable directory", dir)
		}
		return rules, nil
	}
	custom, err := policy.LoadCustomRules(dir)
	if err != nil {
		return nil, &RequestError{Err: err}
	}
	seen := map[string]bool{}
	for _, r := range rules {
		seen[r.ID] = true
	}
	for _, r := range custom {
		if seen[r.Rule.ID] {
			return nil, requestError("custom rule %s: id %q is already a built-in rule", r.Source, r.Rule.ID)
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
				return nil, requestError("%s: rules.overrides names rule %q, which does not exist (see docs/rules/README.md)", ov.IDPos, ov.ID)
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
