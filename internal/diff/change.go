package diff

import (
	"context"
	"fmt"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/scan"
	"github.com/dbguard/dbguard/internal/scan/gitsrc"
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
	// Result is the diff of the two revisions, as review computes it
	// with the built-in rules.
	Result *Result
	// Old and New are every profile of the base and of the head under
	// the paths, keyed by id: the ids Result's changes name.
	Old, New map[string]*profile.Profile
}

// LoadChange computes the change from o.Base to o.Head (the working tree
// when empty) under o.Paths and reads both revisions whole. Compare reads
// only the changed files and their neighbours; a profile of a side read
// whole is exactly what scanning that revision gives, which is what a live
// check must connect with. Errors are those of gitsrc.OpenChange:
// *gitsrc.MissingRevisionError for a revision this clone lacks (with the
// shallow-clone advice), *gitsrc.ConfigError, gitsrc.ErrNotRepository.
func LoadChange(ctx context.Context, o gitsrc.ChangeOptions) (*Sides, error) {
	ch, err := gitsrc.OpenChange(ctx, o)
	if err != nil {
		return nil, err
	}
	res, err := Compare(ctx, ch.OldSide(), ch.NewSide(), Options{})
	if err != nil {
		return nil, err
	}
	s := &Sides{Base: ch.Base, Head: ch.Head, Config: ch.Config, ConfigSource: ch.ConfigSource, Result: res}
	for _, side := range []struct {
		src scan.Source
		out *map[string]*profile.Profile
		nm  string
	}{{ch.OldSource(), &s.Old, "base"}, {ch.NewSource(), &s.New, "head"}} {
		sd, err := scan.LoadSide(ctx, side.src, ch.Config, ch.Paths)
		if err != nil {
			return nil, fmt.Errorf("read the %s's profiles: %w", side.nm, err)
		}
		m := make(map[string]*profile.Profile, len(sd.Profiles()))
		for _, p := range sd.Profiles() {
			m[p.ID] = p
		}
		*side.out = m
	}
	return s, nil
}
