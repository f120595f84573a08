package diff

import (
	"bytes"
	"context"
	"fmt"

	"github.com/dbguard/dbguard/internal/extract"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/scan"
)

// scanFor reads the unchanged files that were not extracted yet and
// extracts those that mention one of the tokens (host names). It is the
// only step that reads unchanged files beyond the neighbours, and runs
// only when a literal password changed.
func scanFor(ctx context.Context, s *side, unchanged, done []string, tokens []string) ([]*profile.Profile, error) {
	skip := make(map[string]bool, len(done))
	for _, d := range done {
		skip[d] = true
	}
	var todo []string
	for _, u := range unchanged {
		if !skip[u] {
			todo = append(todo, u)
		}
	}
	var out []*profile.Profile
	for i := 0; i < len(todo); i += compareChunk {
		chunk := todo[i:min(i+compareChunk, len(todo))]
		data, err := s.src.Read(ctx, chunk)
		if err != nil {
			return nil, fmt.Errorf("read %s files: %w", s.name, err)
		}
		for _, p := range chunk {
			b := data[p].Data
			hit := false
			for _, t := range tokens {
				if bytes.Contains(b, []byte(t)) {
					hit = true
					break
				}
			}
			if _, bad := scan.Unreadable(p, b); !hit || bad {
				continue
			}
			out = append(out, extract.File(p, b).Profiles...)
		}
	}
	return out, nil
}
