package review

import (
	"context"
	"fmt"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/diff"
	"github.com/dbguard/dbguard/internal/profile"
)

// Sides is a change between two revisions together with the profiles of
// both revisions, for commands that act on the profiles a change touches
// rather than report on it: verify --diff-base probes the old and the new
// side of each changed profile.
type Sides struct {
	// Base is the base commit; Head the head commit, empty for the
	// working tree.
	Base, Head string
	// Config classifies both sides: the base revision's dbguard.yaml, as
	// for review. ConfigSource says where it came from.
	Config       *config.Config
	ConfigSource string
	// Result is the diff of the two revisions, as review computes it.
	Result *diff.Result
	// Old and New are every profile of the base and of the head under
	// the paths, keyed by id: the ids Result's changes name.
	Old, New map[string]*profile.Profile
}

// LoadSides computes the change from o.Base to o.Head (the working tree
// when empty) under o.Paths and extracts both revisions' profiles. Only
// Dir, Base, Head, Paths, ConfigPath and NoConfig of o are used. Errors
// are those of Run: *MissingRevisionError for a revision this clone lacks
// (with the shallow-clone advice), *ConfigError, ErrNotRepository.
func LoadSides(ctx context.Context, o Options) (*Sides, error) {
	rv, err := openRevisions(ctx, o)
	if err != nil {
		return nil, err
	}
	repo, cfg, paths := rv.repo, rv.cfg, rv.paths
	res, err := diff.Compare(ctx, repo.Tree(rv.base, cfg), rv.headSource(), diff.Options{Config: cfg, Paths: paths})
	if err != nil {
		return nil, err
	}
	s := &Sides{Base: rv.base, Head: rv.head, Config: cfg, ConfigSource: rv.source, Result: res}
	// Fresh sources: a source is listed once before it is read.
	for _, side := range []struct {
		src diff.Source
		out *map[string]*profile.Profile
		nm  string
	}{{repo.Tree(rv.base, cfg), &s.Old, "base"}, {rv.headSource(), &s.New, "head"}} {
		ps, _, err := diff.Profiles(ctx, side.src, cfg, paths)
		if err != nil {
			return nil, fmt.Errorf("read the %s's profiles: %w", side.nm, err)
		}
		m := make(map[string]*profile.Profile, len(ps))
		for _, p := range ps {
			m[p.ID] = p
		}
		*side.out = m
	}
	return s, nil
}
