package app

import (
	"context"
	"errors"
	"io/fs"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/diff"
	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/review"
	"github.com/dbguard/dbguard/internal/scan"
	"github.com/dbguard/dbguard/internal/scan/gitsrc"
)

// Change is a change judged: what it means for each connection, the
// approvals the review policy requires of it and those it has, and where
// the policy came from. Base and Head are set for a change between git
// revisions (Head "working tree" for uncommitted edits).
type Change struct {
	Result       *diff.Result
	Requirements []review.Requirement
	Approvals    []review.Approval
	Policy       string
	Base, Head   string
}

// DiffRequest compares two files or two folders, classified by Config
// (nil: defaults), with the rules of RulesDir for the findings the change
// introduces or fixes, and approvals given by the caller.
type DiffRequest struct {
	Old, New  string
	Config    *config.Config
	RulesDir  string
	Approvals []review.Approval
}

// Diff computes the change from Old to New and the approvals the review
// section of Config requires. Errors: *RequestError (a path that does not
// exist, a file compared with a folder, the rules).
func Diff(ctx context.Context, req DiffRequest) (*Change, error) {
	cfg := configOrDefault(req.Config)
	rules, settings, err := Rules(cfg, req.RulesDir)
	if err != nil {
		return nil, err
	}
	var srcs [2]*scan.Dir
	for i, p := range []string{req.Old, req.New} {
		if srcs[i], err = scan.NewDir(p, cfg); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, &RequestError{Err: err}
			}
			return nil, err
		}
	}
	if srcs[0].SingleFile() != srcs[1].SingleFile() {
		return nil, requestError("diff compares two files or two folders, not a file with a folder")
	}
	res, err := diff.Compare(ctx, scan.NewSide(srcs[0], cfg, nil), scan.NewSide(srcs[1], cfg, nil), diff.Options{Rules: rules, Settings: settings})
	if err != nil {
		return nil, err
	}
	source := "none (no dbguard.yaml)"
	if cfg.File != "" {
		source = cfg.File
	}
	return &Change{Result: res, Requirements: review.Require(cfg.ReviewSettings(), res, req.Approvals),
		Approvals: req.Approvals, Policy: source}, nil
}

// ReviewRequest compares two git revisions (Change), with the rules of
// RulesDir, approvals given by the caller and those a forge holds.
type ReviewRequest struct {
	Change    gitsrc.ChangeOptions
	RulesDir  string
	Approvals []review.Approval
	Forge     review.Forge
}

// Review judges the change between two revisions under the review policy
// of the base revision's dbguard.yaml, never the change's own. Errors:
// gitsrc.IsRevisionError, *RequestError, a forge that cannot be read.
func Review(ctx context.Context, req ReviewRequest) (*Change, error) {
	out, err := review.Run(ctx, review.Options{
		ChangeOptions: req.Change,
		Checks: func(cfg *config.Config) ([]*policy.Rule, *policy.Settings, error) {
			return Rules(cfg, req.RulesDir)
		},
		Approvals: req.Approvals,
		Forge:     req.Forge,
	})
	if err != nil {
		return nil, err
	}
	return &Change{Result: out.Result, Requirements: out.Requirements, Approvals: out.Approvals,
		Policy: out.Policy, Base: out.Base, Head: out.Head}, nil
}
