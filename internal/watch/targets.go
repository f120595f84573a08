package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dbguard/dbguard/internal/app"
	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/verify"
)

// source is one watched path as scanned: Arg is what app.Scan is given
// (a file or folder on disk), Envs the environments kept (empty: all).
type source struct {
	Arg  string
	Envs []string
}

// target is one watched profile as the last scan found it.
type target struct {
	// ID is the profile's id relative to the watch's base folder
	// (dbguard.yaml's, or the working folder), what overrides, routes and
	// silences match; Key is the store's stable key (file from the
	// repository root, key path).
	ID, Key string
	Prof    *profile.Profile
	Src     source
	// Disk is the file on disk; FileKey its store key.
	Disk, FileKey string
	// Problem says why the profile cannot be probed ("" when it can).
	Problem string
}

// snapshot is what one scan of every source found.
type snapshot struct {
	Targets []*target
	// Files are the files on disk that hold a watched profile.
	Files map[string]bool
	// Unreadable are files that could not be read, with why.
	Unreadable []string
}

// sources expands the watch section's sources (or the command line's
// paths) into scan arguments under base.
func sources(base string, w *config.WatchConfig, paths []string) ([]source, error) {
	var out []source
	for _, p := range paths {
		out = append(out, source{Arg: p})
	}
	if len(paths) > 0 {
		return out, nil
	}
	for _, s := range w.Sources {
		for _, g := range s.Paths {
			args, err := expand(base, g)
			if err != nil {
				return nil, err
			}
			for _, a := range args {
				out = append(out, source{Arg: a, Envs: s.Environments})
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("nothing to watch: give PATH arguments or watch.sources in dbguard.yaml")
	}
	return out, nil
}

// expand turns one source pattern into paths on disk: a pattern without
// glob characters is the path itself (file or folder), one with them the
// files under base that match it.
func expand(base string, g config.Glob) ([]string, error) {
	pat := strings.TrimSuffix(g.Pattern, "/")
	if !strings.ContainsAny(pat, "*?[\\") {
		p := filepath.Join(base, filepath.FromSlash(pat))
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("watch source %s (%s): %w", g.Pattern, g.Pos, err)
		}
		return []string{p}, nil
	}
	var out []string
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // an unreadable folder holds nothing to watch
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == ".dbguard") {
			return filepath.SkipDir
		}
		rel, rerr := filepath.Rel(base, p)
		if rerr != nil || d.IsDir() {
			return nil
		}
		if g.Match(filepath.ToSlash(rel)) {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// scanSources scans every source with app.Scan and keeps the profiles of
// the wanted environments that verify would connect with.
func scanSources(ctx context.Context, base string, cfg *config.Config, srcs []source, drivers map[string]verify.Driver, ro verify.ResolveOptions) (*snapshot, error) {
	snap := &snapshot{Files: map[string]bool{}}
	seen := map[string]bool{}
	for _, s := range projected(srcs) {
		res, err := app.Scan(ctx, app.ScanRequest{Paths: []string{s.Arg}, Config: cfg})
		if err != nil {
			return nil, err
		}
		for _, p := range res.Problems {
			snap.Unreadable = append(snap.Unreadable, p.Loc.String()+": "+p.Msg)
		}
		st, err := os.Stat(s.Arg)
		if err != nil {
			return nil, err
		}
		for _, p := range res.Profiles {
			if !verify.Probeable(p) || len(s.Envs) > 0 && !slices.Contains(s.Envs, string(p.Environment)) {
				continue
			}
			disk := s.Arg
			if st.IsDir() {
				disk = filepath.Join(s.Arg, filepath.FromSlash(p.File))
			}
			abs, err := filepath.Abs(disk)
			if err != nil {
				return nil, err
			}
			t := &target{Prof: p, Src: s, Disk: abs}
			t.FileKey = app.FileKey(app.RepoRoot(filepath.Dir(abs)), abs)
			t.Key = t.FileKey + "#" + p.KeyPath
			t.ID = relID(base, abs, p.KeyPath)
			if seen[t.Key] {
				continue // two sources name one file
			}
			seen[t.Key] = true
			if _, err := verify.TargetFrom(p, drivers, ro); err != nil {
				t.Problem = err.Error()
			}
			snap.Files[abs] = true
			snap.Targets = append(snap.Targets, t)
		}
	}
	return snap, nil
}

// projected replaces each folder that is a Kubernetes projected volume (a
// ConfigMap or Secret mount: a ..data link to a timestamped folder, and a
// link per key) by the files it shows. The scanner does not follow links
// and would find the timestamped copy, whose name changes at every update;
// the links' names are what the application opens and what must stay the
// same across updates.
func projected(srcs []source) []source {
	var out []source
	for _, s := range srcs {
		if _, err := os.Lstat(filepath.Join(s.Arg, "..data")); err != nil {
			out = append(out, s)
			continue
		}
		entries, err := os.ReadDir(s.Arg)
		if err != nil {
			out = append(out, s)
			continue
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), "..") {
				continue
			}
			p := filepath.Join(s.Arg, e.Name())
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				out = append(out, source{Arg: p, Envs: s.Envs})
			}
		}
	}
	return out
}

// relID is a profile's id relative to base, slash-separated; outside base
// the absolute path.
func relID(base, abs, keyPath string) string {
	rel, err := filepath.Rel(base, abs)
	if err != nil || strings.HasPrefix(rel, "..") {
		rel = abs
	}
	return filepath.ToSlash(rel) + "#" + keyPath
}

// forProbing drops from a watched profile what the daemon never reads but
// would otherwise hold for every target as long as it runs: the
// parameters "url" and "raw", the redacted copy of the whole connection
// string that the scan keeps to show and judge a profile (check's rules,
// scan's report); the prober reads the parsed fields. A profile whose only parameter is the connection string
// keeps no map then, and a Go map's smallest allocation (a group of eight
// slots of name and profile.Value) is about 850 bytes: at 10,000 TCP-only
// targets, 8 of watch's 56 MB of live heap (bench/README.md, watch,
// "Memory per target, after the wmem work"). watch --once keeps the
// profiles whole: they are verify's report.
func forProbing(p *profile.Profile) {
	delete(p.Params, "url")
	delete(p.Params, "raw")
	if len(p.Params) == 0 {
		p.Params = nil
	}
}
