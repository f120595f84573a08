package diff

import (
	"context"
	"fmt"
	"sort"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/profile"
)

// Profiles extracts every configuration file of one side at or below
// paths (empty: every file) the way Compare extracts a side: dbguard.yaml
// applied, then linked across all the files read. Its profile ids are the
// ids Compare's changes name, so a caller can look up the profile behind a
// change (verify --diff-base probes the old and the new side of each).
//
// Unlike Compare it reads every file, not only the changed ones and their
// neighbours: a profile is then exactly what scanning that revision would
// give, which is what a live check must connect with. Problems lists the
// files that could not be read or parsed, with Side left empty.
func Profiles(ctx context.Context, src Source, cfg *config.Config, paths []string) ([]*profile.Profile, []Problem, error) {
	if cfg == nil {
		cfg = config.Default()
	}
	es, err := src.Entries(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("list files: %w", err)
	}
	s := &side{src: src, entries: map[string]Entry{}, broken: map[string]string{}}
	var files []string
	for _, e := range es {
		if inPaths(paths, e.Path) {
			s.entries[e.Path] = e
			files = append(files, e.Path)
		}
	}
	sort.Strings(files)
	for i := 0; i < len(files); i += compareChunk {
		if err := s.load(ctx, files[i:min(i+compareChunk, len(files))]); err != nil {
			return nil, nil, err
		}
	}
	s.finish(cfg)
	return s.profiles, s.problems, nil
}
