package gitsrc

import (
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/scan"
)

// ChangeOptions name a change between two revisions.
type ChangeOptions struct {
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
}

// Change is what every comparison of two revisions starts from (review,
// verify --diff-base): the repository, the commits, the base revision's
// dbguard.yaml and the paths as repository paths.
type Change struct {
	Repo *Repo
	// Base is the base commit; Head the head commit, empty for the
	// working tree.
	Base, Head string
	// Config classifies both sides: the base revision's dbguard.yaml, so
	// that a change cannot reclassify itself. ConfigSource says where it
	// came from, for reports.
	Config       *config.Config
	ConfigSource string
	// Paths are o.Paths as slash-separated repository paths.
	Paths []string
}

// ConfigError is a base revision's dbguard.yaml that does not load.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// OpenChange finds the repository, resolves o.Base and o.Head, reads the
// policy from the base and turns o.Paths into repository paths. Its errors
// are ErrNotRepository, *MissingRevisionError (with the shallow-clone
// advice) and *ConfigError, which are the user's to fix, or git's own.
func OpenChange(ctx context.Context, o ChangeOptions) (*Change, error) {
	repo, err := OpenRepo(ctx, o.Dir)
	if err != nil {
		return nil, err
	}
	c := &Change{Repo: repo}
	if c.Base, err = repo.Resolve(ctx, o.Base); err != nil {
		return nil, err
	}
	if o.Head != "" {
		if c.Head, err = repo.Resolve(ctx, o.Head); err != nil {
			return nil, err
		}
	}
	if c.Config, c.ConfigSource, err = baseConfig(ctx, repo, c.Base, o); err != nil {
		return nil, err
	}
	for _, p := range o.Paths {
		rel, err := repo.RelPath(joinDir(o.Dir, p))
		if err != nil {
			return nil, err
		}
		c.Paths = append(c.Paths, rel)
	}
	return c, nil
}

// OldSource is the base revision as a source. Each call returns a fresh
// one: a source is listed once before it is read.
func (c *Change) OldSource() scan.Source { return c.Repo.Tree(c.Base, c.Config) }

// NewSource is the head revision as a source: a commit, or the working
// tree compared against the base. Each call returns a fresh one.
func (c *Change) NewSource() scan.Source {
	if c.Head != "" {
		return c.Repo.Tree(c.Head, c.Config)
	}
	return c.Repo.Worktree(c.Base, c.Config)
}

// OldSide and NewSide are the two revisions as sides of package scan,
// classified by the base's dbguard.yaml and limited to the paths; each
// call returns a fresh side.
func (c *Change) OldSide() *scan.Side { return scan.NewSide(c.OldSource(), c.Config, c.Paths) }

// NewSide: see OldSide.
func (c *Change) NewSide() *scan.Side { return scan.NewSide(c.NewSource(), c.Config, c.Paths) }

// joinDir resolves p against dir, the folder the command runs in.
func joinDir(dir, p string) string {
	if dir == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// baseConfig reads dbguard.yaml from the base revision: the file named by
// --config, else the first dbguard.yaml or .dbguard.yaml found from the
// current folder up to the repository root, as it is in the base. The
// working tree's copy, which the change may edit, is never read.
func baseConfig(ctx context.Context, repo *Repo, base string, o ChangeOptions) (*config.Config, string, error) {
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

// short is a commit id shortened for reports, as git shows it.
func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

// IsRevisionError reports an error of OpenChange that is the caller's to
// fix, not a failure of git or of the disk: not in a repository, a
// revision this clone lacks (with the shallow-clone advice), or a base
// revision's dbguard.yaml that does not load. Front ends report it as a
// usage error.
func IsRevisionError(err error) bool {
	var me *MissingRevisionError
	var ce *ConfigError
	return errors.As(err, &me) || errors.As(err, &ce) || errors.Is(err, ErrNotRepository)
}
