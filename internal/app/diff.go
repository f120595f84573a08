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
	"github.com/dbguard/dbguard/internal/store"
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
	// Recorded is the review event review --record appended, in Store.
	Recorded *store.Event
	Store    string
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
// RulesDir, approvals given by the caller and those a forge holds. Store
// is the event store: approvals recorded there (dbguard approve) count
// when the base's review policy says accept_store_approvals, and Record
// appends a review event there.
type ReviewRequest struct {
	Change    gitsrc.ChangeOptions
	RulesDir  string
	Approvals []review.Approval
	Forge     review.Forge
	Store     StoreRequest
	// StoreConfig, when set, loads the dbguard.yaml whose store section
	// says where the store is; it is called only when the store is
	// needed, so that a review that does not touch the store never reads
	// the working tree's dbguard.yaml.
	StoreConfig func() (*config.Config, error)
	Record      bool
	Actor       string
}

// Review judges the change between two revisions under the review policy
// of the base revision's dbguard.yaml, never the change's own. Errors:
// gitsrc.IsRevisionError, *RequestError, a forge that cannot be read,
// *StoreError.
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
	ch := &Change{Result: out.Result, Requirements: out.Requirements, Approvals: out.Approvals,
		Policy: out.Policy, Base: out.Base, Head: out.Head}
	pol := out.Config.ReviewSettings()
	if !pol.StoreApprovals() && !req.Record {
		return ch, nil
	}
	if req.StoreConfig != nil {
		if req.Store.Config, err = req.StoreConfig(); err != nil {
			return nil, err
		}
	}
	st, err := OpenStore(ctx, req.Store, req.Record)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if pol.StoreApprovals() {
		stored, err := storeApprovals(ctx, st, out.Result.Fingerprint)
		if err != nil {
			return nil, err
		}
		ch.Approvals = append(ch.Approvals, stored...)
		ch.Requirements = review.Require(pol, out.Result, ch.Approvals)
	}
	if req.Record {
		if ch.Recorded, err = recordReview(ctx, st, ch, req); err != nil {
			return ch, err
		}
		ch.Store = st.Where
	}
	return ch, nil
}
