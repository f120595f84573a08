package review

import (
	"context"
	"fmt"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/diff"
	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/scan"
	"github.com/dbguard/dbguard/internal/scan/gitsrc"
)

// Options say what to review.
type Options struct {
	// ChangeOptions name the two revisions, the paths and where the
	// base's dbguard.yaml is.
	gitsrc.ChangeOptions
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

// Run reviews the change from Base to Head. Its errors include those of
// gitsrc.OpenChange: gitsrc.ErrNotRepository, *gitsrc.MissingRevisionError
// and *gitsrc.ConfigError.
func Run(ctx context.Context, o Options) (*Outcome, error) {
	ch, err := gitsrc.OpenChange(ctx, o.ChangeOptions)
	if err != nil {
		return nil, err
	}
	repo, base, head, cfg := ch.Repo, ch.Base, ch.Head, ch.Config
	rules, settings := []*policy.Rule(nil), (*policy.Settings)(nil)
	if o.Checks != nil {
		if rules, settings, err = o.Checks(cfg); err != nil {
			return nil, err
		}
	}
	dopts := diff.Options{Rules: rules, Settings: settings}
	res, err := diff.Compare(ctx, ch.OldSide(), ch.NewSide(), dopts)
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
			fa[i].Stale = stale(ctx, ch, headCommit, fa[i].Commit, res.Fingerprint, dopts)
		}
		approvals = append(approvals, fa...)
	}
	reqs := Require(cfg.ReviewSettings(), res, approvals)
	if head == "" {
		head = "working tree"
	}
	return &Outcome{Result: res, Requirements: reqs, Approvals: approvals, Config: cfg, Policy: ch.ConfigSource, Base: base, Head: head}, nil
}

// stale reports an approval given to another commit whose change from the
// base means something else. An approval of a commit this clone does not
// have cannot be checked and keeps counting; the forge's own "dismiss
// stale approvals" setting covers that case.
func stale(ctx context.Context, ch *gitsrc.Change, head, commit, fingerprint string, opts diff.Options) bool {
	if commit == "" || commit == head {
		return false
	}
	c, err := ch.Repo.Resolve(ctx, commit)
	if err != nil {
		return false
	}
	approved := scan.NewSide(ch.Repo.Tree(c, ch.Config), ch.Config, ch.Paths)
	res, err := diff.Compare(ctx, ch.OldSide(), approved, opts)
	if err != nil {
		return false
	}
	return res.Fingerprint != fingerprint
}
