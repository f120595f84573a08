package scan

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/extract"
	"github.com/dbguard/dbguard/internal/profile"
)

// Side is the configuration files of one Source read into profiles the way
// Walk and Run read files: the same size limit, the same judgement of
// binary text, the same extraction, dbguard.yaml applied and profiles
// linked across the files read. A comparison (package diff) reads only
// some files of each side — the changed ones and their neighbours — and
// asks for them with Load; LoadSide reads every file. A Side is not safe
// for concurrent use.
type Side struct {
	src   Source
	cfg   *config.Config
	paths []string

	listed   bool
	entries  map[string]Entry
	profiles []*profile.Profile
	scalers  []extract.Scaler
	envFrom  []extract.EnvFrom
	// linkDirs are the folders of the files loaded that point at other
	// files (an autoscaler, an envFrom reference).
	linkDirs map[string]bool
	problems []profile.Problem
	// broken maps a file to its first problem.
	broken map[string]string
}

// NewSide returns the side of src that lies at or below paths
// (slash-separated; empty means every file), classified by cfg (nil: the
// defaults). Nothing is read until List or Load.
func NewSide(src Source, cfg *config.Config, paths []string) *Side {
	if cfg == nil {
		cfg = config.Default()
	}
	return &Side{src: src, cfg: cfg, paths: paths, broken: map[string]string{}}
}

// LoadSide reads every configuration file of src at or below paths: its
// profiles are then exactly what scanning that folder or revision gives,
// which is what a live check must connect with (verify --diff-base).
func LoadSide(ctx context.Context, src Source, cfg *config.Config, paths []string) (*Side, error) {
	s := NewSide(src, cfg, paths)
	if err := s.List(ctx); err != nil {
		return nil, fmt.Errorf("list files: %w", err)
	}
	files := make([]string, 0, len(s.entries))
	for p := range s.entries {
		files = append(files, p)
	}
	sort.Strings(files)
	for i := 0; i < len(files); i += chunk {
		if err := s.Load(ctx, files[i:min(i+chunk, len(files))]); err != nil {
			return nil, fmt.Errorf("read files: %w", err)
		}
	}
	s.Finish()
	return s, nil
}

// chunk bounds how many files are held in memory at once when many are
// read.
const chunk = 256

// List lists the side's files; only the first call asks the source.
func (s *Side) List(ctx context.Context) error {
	if s.listed {
		return nil
	}
	es, err := s.src.Entries(ctx)
	if err != nil {
		return err
	}
	s.entries = make(map[string]Entry, len(es))
	for _, e := range es {
		if inPaths(s.paths, e.Path) {
			s.entries[e.Path] = e
		}
	}
	s.listed = true
	return nil
}

// inPaths reports whether the slash-separated path p lies at or below one
// of paths; every path does when paths is empty.
func inPaths(paths []string, p string) bool {
	if len(paths) == 0 {
		return true
	}
	for _, q := range paths {
		q = strings.TrimSuffix(q, "/")
		if q == "" || q == "." || p == q || strings.HasPrefix(p, q+"/") {
			return true
		}
	}
	return false
}

// Source is what the side reads.
func (s *Side) Source() Source { return s.src }

// Config is the dbguard.yaml that classifies the side.
func (s *Side) Config() *config.Config { return s.cfg }

// SingleFile reports whether the side is one file (Single).
func (s *Side) SingleFile() bool {
	si, ok := s.src.(Single)
	return ok && si.SingleFile()
}

// Entries are the files List found, by path. The map is the side's own:
// it must not be modified.
func (s *Side) Entries() map[string]Entry { return s.entries }

// Profiles are the profiles of the files loaded so far; linked once Finish
// has run.
func (s *Side) Profiles() []*profile.Profile { return s.profiles }

// Problems are the files loaded so far that could not be read or parsed,
// in scan's words, in the order they were loaded.
func (s *Side) Problems() []profile.Problem { return s.problems }

// Broken returns the first problem of a loaded file ("file:line:col:
// message"), which is what a profile lost with the file is blamed on.
func (s *Side) Broken(file string) (string, bool) {
	msg, ok := s.broken[file]
	return msg, ok
}

// Load reads and extracts files of the side, in one batch of the source.
// Its error is the batch's (the source failed, the context ended); a file
// that cannot be read or parsed is a problem of the side.
func (s *Side) Load(ctx context.Context, paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	var readable []string
	for _, p := range paths {
		if e := s.entries[p]; strings.HasPrefix(e.ID, "unreadable:") {
			s.problem(profile.Location{File: p, Line: 1, Column: 1}, "cannot read file: "+strings.TrimPrefix(e.ID, "unreadable:"))
			continue
		}
		readable = append(readable, p)
	}
	data, err := s.src.Read(ctx, readable)
	if err != nil {
		return err
	}
	for _, p := range readable {
		c := data[p]
		if c.Err != nil {
			pr := ReadProblem(p, c.Err)
			s.problem(pr.Loc, pr.Msg)
			continue
		}
		if pr, ok := Unreadable(p, c.Data); ok {
			s.problem(pr.Loc, pr.Msg)
			continue
		}
		r := extract.File(p, c.Data)
		for _, pr := range r.Problems {
			s.problem(pr.Loc, pr.Msg)
		}
		s.profiles = append(s.profiles, r.Profiles...)
		s.scalers = append(s.scalers, r.Scalers...)
		s.envFrom = append(s.envFrom, r.EnvFrom...)
		if len(r.Scalers) > 0 || len(r.EnvFrom) > 0 {
			if s.linkDirs == nil {
				s.linkDirs = map[string]bool{}
			}
			s.linkDirs[path.Dir(p)] = true
		}
	}
	return nil
}

// LinkDirs reports the folders of the files loaded so far that point at
// other files: an autoscaler or an envFrom changed alone changes the
// profiles of the manifests beside it, which a comparison must then read.
func (s *Side) LinkDirs() map[string]bool { return s.linkDirs }

// Finish applies dbguard.yaml and links the profiles loaded across files
// exactly as Run does, so that a side's profiles are the ones a scan would
// list. It runs once, after the last Load.
func (s *Side) Finish() {
	for _, p := range s.profiles {
		applyConfig(s.cfg, p.File, p)
	}
	extract.Link(s.profiles, s.scalers, s.envFrom)
}

// problem records a file of the side that cannot be read as
// configuration; the first problem of a file is what a profile removed
// with it is blamed on.
func (s *Side) problem(loc profile.Location, msg string) {
	s.problems = append(s.problems, profile.Problem{Loc: loc, Msg: msg})
	if _, ok := s.broken[loc.File]; !ok {
		s.broken[loc.File] = loc.String() + ": " + msg
	}
}

// Mentioning reads the files among paths that skip does not name and
// extracts those whose text contains one of tokens, unlinked and apart
// from the side's own profiles. A comparison uses it to find the few
// unchanged files a change can still concern (the other users of a
// rotated password's host) without extracting every file.
func (s *Side) Mentioning(ctx context.Context, paths, skip, tokens []string) ([]*profile.Profile, error) {
	done := make(map[string]bool, len(skip))
	for _, d := range skip {
		done[d] = true
	}
	var todo []string
	for _, u := range paths {
		if !done[u] {
			todo = append(todo, u)
		}
	}
	var out []*profile.Profile
	for i := 0; i < len(todo); i += chunk {
		part := todo[i:min(i+chunk, len(todo))]
		data, err := s.src.Read(ctx, part)
		if err != nil {
			return nil, err
		}
		for _, p := range part {
			b := data[p].Data
			hit := false
			for _, t := range tokens {
				if bytes.Contains(b, []byte(t)) {
					hit = true
					break
				}
			}
			if _, bad := Unreadable(p, b); !hit || bad {
				continue
			}
			out = append(out, extract.File(p, b).Profiles...)
		}
	}
	return out, nil
}

// ChangedFiles splits the files of two listed sides into changed (per
// side: added, removed or edited) and unchanged, by content: exact ids
// decide alone; otherwise files of equal size are read and compared byte
// for byte, a chunk at a time. pairs names, for an old file, the new file
// it is compared with when that is not the same path (two single files).
// The lists are sorted.
func ChangedFiles(ctx context.Context, o, n *Side, pairs map[string]string) (changedOld, changedNew, unchanged []string, err error) {
	var candidates []string
	for p, oe := range o.entries {
		np := p
		if q, ok := pairs[p]; ok {
			np = q
		}
		ne, ok := n.entries[np]
		switch {
		case !ok:
			changedOld = append(changedOld, p)
		case oe.ID != ne.ID || strings.HasPrefix(oe.ID, "unreadable:"):
			changedOld = append(changedOld, p)
			changedNew = append(changedNew, np)
		case oe.Exact && ne.Exact:
			if np != p {
				changedOld, changedNew = append(changedOld, p), append(changedNew, np)
			} else {
				unchanged = append(unchanged, p)
			}
		default:
			candidates = append(candidates, p)
		}
	}
	for p := range n.entries {
		if _, ok := o.entries[p]; ok {
			continue
		}
		paired := false
		for _, q := range pairs {
			paired = paired || q == p
		}
		if !paired {
			changedNew = append(changedNew, p)
		}
	}
	sort.Strings(candidates)
	for i := 0; i < len(candidates); i += chunk {
		part := candidates[i:min(i+chunk, len(candidates))]
		newNames := make([]string, len(part))
		for j, p := range part {
			newNames[j] = p
			if q, ok := pairs[p]; ok {
				newNames[j] = q
			}
		}
		od, err := o.src.Read(ctx, part)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("read old files: %w", err)
		}
		nd, err := n.src.Read(ctx, newNames)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("read new files: %w", err)
		}
		for j, p := range part {
			// A file that cannot be read is changed: Load reports it.
			oc, nc := od[p], nd[newNames[j]]
			if newNames[j] == p && oc.Err == nil && nc.Err == nil && bytes.Equal(oc.Data, nc.Data) {
				unchanged = append(unchanged, p)
				continue
			}
			changedOld, changedNew = append(changedOld, p), append(changedNew, newNames[j])
		}
	}
	sort.Strings(changedOld)
	sort.Strings(changedNew)
	sort.Strings(unchanged)
	return changedOld, changedNew, unchanged, nil
}
