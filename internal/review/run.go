package review

import (
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/diff"
	"github.com/dbguard/dbguard/internal/policy"
)

// Options say what to review.
type Options struct {
	// Dir is where the command runs; the repository is found from it and
	// Paths are relative to it.
	Dir string
	// Base is the revision the change is judged against; Head the
	// revision under review, empty for the working tree.
	Base, Head string
	Paths      []string
	// ConfigPath names dbguard.yaml inside the repository (relative to
	// Dir); empty means discovery in the base revision. NoConfig ignores
	// any.
	ConfigPath string
	NoConfig   bool
	// Checks turns the base's configuration into check's rules and
	// settings, built-in and custom rules as check loads them; nil means
	// the built-in rules with default settings.
	Checks func(cfg *config.Config) ([]*policy.Rule, *policy.Settings, error)
	// Approvals given on the command line; Forge, when set, adds the
	// forge's.
	Approvals []Approval
	Forge     Forge
}

// Outcome is a finished review.
type Outcome struct {
	Result       *diff.Result
	Requirements []Requirement
	Approvals    []Approval
	Config       *config.Config
	// Policy says where the review policy came from (a file at the base
	// revision, or none), for the report.
	Policy string
	// Base is the base commit; Head the head commit, or "working tree".
	Base, Head string
}

// ConfigError is a base revision's dbguard.yaml that does not load.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// revisions is what every comparison of two revisions starts from: the
// repository, the commits, the base's dbguard.yaml and the paths as
// repository paths.
type revisions struct {
	repo *Repo
	// base is the base commit; head the head commit, empty for the
	// working tree.
	base, head string
	cfg        *config.Config
	// source says where cfg came from, for the report.
	source string
	paths  []string
}

// openRevisions finds the repository, resolves o.Base and o.Head, reads
// the policy from the base and turns o.Paths into repository paths. Its
// errors are Run's: ErrNotRepository, *MissingRevisionError, *ConfigError.
func openRevisions(ctx context.Context, o Options) (*revisions, error) {
	repo, err := OpenRepo(ctx, o.Dir)
	if err != nil {
		return nil, err
	}
	rv := &revisions{repo: repo}
	if rv.base, err = repo.Resolve(ctx, o.Base); err != nil {
		return nil, err
	}
	if o.Head != "" {
		if rv.head, err = repo.Resolve(ctx, o.Head); err != nil {
			return nil, err
		}
	}
	if rv.cfg, rv.source, err = baseConfig(ctx, repo, rv.base, o); err != nil {
		return nil, err
	}
	for _, p := range o.Paths {
		rel, err := repo.RelPath(joinDir(o.Dir, p))
		if err != nil {
			return nil, err
		}
		rv.paths = append(rv.paths, rel)
	}
	return rv, nil
}

// headSource is the head revision as a diff source: a commit, or the
// working tree compared against the base.
func (rv *revisions) headSource() diff.Source {
	if rv.head != "" {
		return rv.repo.Tree(rv.head, rv.cfg)
	}
	return rv.repo.Worktree(rv.base, rv.cfg)
}

// Run reviews the change from Base to Head.
func Run(ctx context.Context, o Options) (*Outcome, error) {
	rv, err := openRevisions(ctx, o)
	if err != nil {
		return nil, err
	}
	repo, base, head, cfg, source, paths := rv.repo, rv.base, rv.head, rv.cfg, rv.source, rv.paths
	rules, settings := []*policy.Rule(nil), (*policy.Settings)(nil)
	if o.Checks != nil {
		if rules, settings, err = o.Checks(cfg); err != nil {
			return nil, err
		}
	}
	dopts := diff.Options{Config: cfg, Rules: rules, Settings: settings, Paths: paths}
	res, err := diff.Compare(ctx, repo.Tree(base, cfg), rv.headSource(), dopts)
	if err != nil {
		return nil, err
	}
	approvals := append([]Approval(nil), o.Approvals...)
	if o.Forge != nil {
		fa, err := o.Forge.Approvals(ctx)
		if err != nil {
			return nil, fmt.Errorf("read approvals: %w", err)
		}
		headCommit := head
		if headCommit == "" {
			headCommit, _ = repo.Resolve(ctx, "HEAD")
		}
		for i := range fa {
			fa[i].Stale = stale(ctx, repo, base, headCommit, fa[i].Commit, res.Fingerprint, cfg, dopts)
		}
		approvals = append(approvals, fa...)
	}
	reqs := Require(cfg.ReviewSettings(), res, approvals)
	if head == "" {
		head = "working tree"
	}
	return &Outcome{Result: res, Requirements: reqs, Approvals: approvals, Config: cfg, Policy: source, Base: base, Head: head}, nil
}

func joinDir(dir, p string) string {
	if dir == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// stale reports an approval given to another commit whose change from the
// base means something else. An approval of a commit this clone does not
// have cannot be checked and keeps counting; the forge's own "dismiss
// stale approvals" setting covers that case.
func stale(ctx context.Context, repo *Repo, base, head, commit, fingerprint string, cfg *config.Config, opts diff.Options) bool {
	if commit == "" || commit == head {
		return false
	}
	c, err := repo.Resolve(ctx, commit)
	if err != nil {
		return false
	}
	res, err := diff.Compare(ctx, repo.Tree(base, cfg), repo.Tree(c, cfg), opts)
	if err != nil {
		return false
	}
	return res.Fingerprint != fingerprint
}

// baseConfig reads dbguard.yaml from the base revision: the file named by
// --config, else the first dbguard.yaml or .dbguard.yaml found from the
// current folder up to the repository root, as it is in the base. The
// working tree's copy, which the change may edit, is never read.
func baseConfig(ctx context.Context, repo *Repo, base string, o Options) (*config.Config, string, error) {
	if o.NoConfig {
		return config.Default(), "none (--no-config)", nil
	}
	var candidates []string
	if o.ConfigPath != "" {
		rel, err := repo.RelPath(joinDir(o.Dir, o.ConfigPath))
		if err != nil {
			return nil, "", err
		}
		candidates = []string{rel}
	} else {
		dir, err := repo.RelPath(orDot(o.Dir))
		if err != nil {
			return nil, "", err
		}
		for {
			for _, n := range config.FileNames() {
				candidates = append(candidates, path.Join(dir, n))
			}
			if dir == "." || dir == "" {
				break
			}
			dir = path.Dir(dir)
		}
	}
	for _, c := range candidates {
		data, ok, err := repo.ReadFile(ctx, base, c)
		if err != nil {
			return nil, "", fmt.Errorf("read %s at the base revision: %w", c, err)
		}
		if !ok {
			continue
		}
		name := c + " at " + short(base)
		cfg, err := config.Parse(name, data)
		if err != nil {
			return nil, "", &ConfigError{Err: err}
		}
		return cfg, name, nil
	}
	if o.ConfigPath != "" {
		return nil, "", &ConfigError{Err: errors.New(candidates[0] + " does not exist at the base revision " + short(base) + " (the review policy is read from the base, never from the change)")}
	}
	return config.Default(), "none (no dbguard.yaml at the base revision " + short(base) + ")", nil
}

func orDot(s string) string {
	if s == "" {
		return "."
	}
	return s
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}
