package app

import (
	"context"
	"fmt"

	"github.com/dbguard/dbguard/internal/diff"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/scan/gitsrc"
	"github.com/dbguard/dbguard/internal/verify"
)

// VerifyChangeRequest says which change to verify: the profiles that the
// change from Base to Head (empty: the working tree) touches under Paths,
// in the git repository around Dir, classified by dbguard.yaml as it is in
// the base revision (ConfigPath names it; NoConfig ignores any).
type VerifyChangeRequest struct {
	Dir, Base, Head string
	Paths           []string
	ConfigPath      string
	NoConfig        bool
	Select          Selection
	Probe           ProbeSettings
	Run             verify.RunOptions
}

// VerifyChangeResult is a change verified old against new.
type VerifyChangeResult struct {
	// Base is the base commit; Head the head commit, or "working tree";
	// Config where the base's dbguard.yaml came from.
	Base, Head, Config string
	// Problems are files of either side that could not be read.
	Problems []diff.Problem
	// Pairs are the touched profiles that Select keeps, in the diff's
	// order, each side's result filled in once probed.
	Pairs []*verify.Pair
	// Probes counts the sides probed, NewTargets the new ones among them.
	Probes, NewTargets int
}

// VerifyChange computes the change, pairs each touched profile's old and
// new settings, and probes both sides in one fleet run: the old side only
// beside a new one (a removed profile's old settings say nothing about the
// change). Errors are Verify's, plus those of gitsrc.OpenChange for the
// revisions (gitsrc.IsRevisionError); a
// *verify.RunEndedError comes with the result, whose unanswered sides have
// a note saying so.
func VerifyChange(ctx context.Context, req VerifyChangeRequest) (*VerifyChangeResult, error) {
	sides, err := diff.LoadChange(ctx, gitsrc.ChangeOptions{Dir: req.Dir, Base: req.Base, Head: req.Head, Paths: req.Paths,
		ConfigPath: req.ConfigPath, NoConfig: req.NoConfig})
	if err != nil {
		if gitsrc.IsRevisionError(err) {
			return nil, err
		}
		return nil, fmt.Errorf("read the change: %w", err)
	}
	out := &VerifyChangeResult{Base: sides.Base, Head: sides.Head, Config: sides.ConfigSource, Problems: sides.Result.Problems}
	if out.Head == "" {
		out.Head = "working tree"
	}
	all := pairs(sides.Result.Changes, sides.Old, sides.New)
	if !req.Select.any() {
		// Typos are caught against every profile of both revisions, not
		// only the touched ones: a profile that exists but is unchanged
		// is simply not verified.
		var candidates, matching []*profile.Profile
		for _, m := range []map[string]*profile.Profile{sides.Old, sides.New} {
			for _, p := range m {
				if !verify.Probeable(p) {
					continue
				}
				candidates = append(candidates, p)
				if req.Select.matches(p.Environment, p.ID) {
					matching = append(matching, p)
				}
			}
		}
		if err := checkSelection(req.Select, candidates, matching); err != nil {
			return out, err
		}
	}
	for _, p := range all {
		if selected(req.Select, p) {
			out.Pairs = append(out.Pairs, p)
		}
	}

	// One list of probes for both sides, so that the worker pool and the
	// run's deadline cover them together.
	var targets []*profile.Profile
	type slot struct {
		pair *verify.Pair
		old  bool
	}
	var slots []slot
	for _, p := range out.Pairs {
		if verify.Probeable(p.Old) && verify.Probeable(p.New) {
			targets, slots = append(targets, p.Old), append(slots, slot{p, true})
			p.OldProbe = true
		}
		if verify.Probeable(p.New) {
			targets, slots = append(targets, p.New), append(slots, slot{p, false})
			p.NewProbe = true
			out.NewTargets++
		}
	}
	out.Probes = len(targets)
	results, runErr := req.Probe.prober().Run(ctx, targets, req.Run)
	for i := range results {
		r := results[i]
		if !r.Verified() {
			continue // no answer: the side's note says so below
		}
		if sl := slots[i]; sl.old {
			sl.pair.OldResult = &r
		} else {
			sl.pair.NewResult = &r
		}
	}
	if runErr != nil {
		note := fmt.Sprintf("not verified (interrupted: %v)", context.Cause(ctx))
		for _, p := range out.Pairs {
			if p.OldProbe && p.OldResult == nil && p.OldNote == "" {
				p.OldNote = note
			}
			if p.NewProbe && p.NewResult == nil && p.NewNote == "" {
				p.NewNote = note
			}
		}
	}
	return out, runErr
}

// selected applies a selection to a pair: either side may match, so that
// a profile moved into production is verified with it.
func selected(sel Selection, p *verify.Pair) bool {
	match := func(id string, q *profile.Profile) bool {
		if id == "" {
			return false
		}
		env := p.Environment // the diff's, for a profile the side did not yield
		if q != nil {
			env = q.Environment
		}
		return sel.matches(env, id)
	}
	return match(p.OldID, p.Old) || match(p.NewID, p.New)
}

// sideNote says why one side of a pair is not probed, or "" when it is:
// the profile is not in that revision (id ""), was not found when the
// revision was read whole (q nil), or is switched off there.
func sideNote(id string, q *profile.Profile, absent, unread, off string) string {
	switch {
	case id == "":
		return absent
	case q == nil:
		return unread
	case q.Inactive:
		return off
	}
	return ""
}

// pairs groups a diff's changes by profile, in the diff's order, and finds
// each side's profile; a server's own settings, with nothing to connect
// with, are left out.
func pairs(changes []diff.Change, old, new map[string]*profile.Profile) []*verify.Pair {
	var out []*verify.Pair
	byKey := map[string]*verify.Pair{}
	for _, c := range changes {
		oldID, newID := c.Profile, c.Profile
		if c.OldProfile != "" {
			oldID = c.OldProfile
		}
		kind := diff.Changed
		if c.Field == "profile" {
			kind = c.Kind
		}
		switch kind {
		case diff.Added:
			oldID = ""
		case diff.Removed:
			newID = ""
		}
		key := oldID + "\x00" + newID
		p, ok := byKey[key]
		if !ok {
			p = &verify.Pair{OldID: oldID, NewID: newID, Change: string(diff.Changed), Name: c.Name, Environment: c.Environment, File: c.File}
			byKey[key] = p
			out = append(out, p)
		}
		if c.Field == "profile" {
			p.Change = string(kind)
		} else if !contains(p.Fields, c.Field) {
			p.Fields = append(p.Fields, c.Field)
		}
	}
	kept := out[:0]
	for _, p := range out {
		if p.OldID != "" {
			p.Old = old[p.OldID]
		}
		if p.NewID != "" {
			p.New = new[p.NewID]
			p.NewMissing = p.New == nil
		}
		if (p.Old == nil || p.Old.ServerSide) && (p.New == nil || p.New.ServerSide) && !p.NewMissing {
			continue
		}
		p.OldNote = sideNote(p.OldID, p.Old, "not in the base revision",
			"not found when the base revision is read whole", "switched off in the base revision")
		p.NewNote = sideNote(p.NewID, p.New, "removed",
			"not found when the head is read whole: cannot be verified", "switched off in the head")
		if p.New != nil && p.New.Inactive && p.New.Reason != "" {
			p.NewNote += " (" + p.New.Reason + ")"
		}
		if p.NewNote != "" && p.OldNote == "" {
			p.OldNote = "not probed"
		}
		kept = append(kept, p)
	}
	return kept
}
