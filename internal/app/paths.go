package app

import (
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/scan"
)

// pathResolver maps the file names a scan reports (relative to the
// argument they were found under) to the names check prints, and finds
// the suppression comments of a printed file.
type pathResolver struct {
	args  []string
	stdin []byte
	// first is the first argument that is not standard input: a file
	// found under it is printed without asking the disk where it is.
	first    int
	firstDir bool
	// scanned holds the suppression index of each file read under the
	// first argument (nil: no comments), by its name in reports.
	scanned map[string]*policy.SuppressionIndex
	// stdinIdx is standard input's index, once read.
	stdinIdx  *policy.SuppressionIndex
	stdinRead bool
	// firstPrefix is what a name found under the first argument, a
	// folder, is printed after ("" when printed alone).
	firstPrefix string
	resolved    map[string]resolvedName
	// only: the first argument is the only one, so every name the scan
	// reports (but standard input's) was found under it, and scanned
	// keeps only the files with suppression comments.
	only bool
	// index holds the suppression index of a printed name whose file the
	// scan read, so that it is not read again.
	index map[string]*policy.SuppressionIndex
}

func newPathResolver(args []string, stdin []byte) *pathResolver {
	first := -1
	for i, a := range args {
		if a != "-" {
			first = i
			break
		}
	}
	firstDir := false
	if first >= 0 {
		st, err := os.Stat(args[first])
		firstDir = err == nil && st.IsDir()
	}
	r := &pathResolver{args: args, stdin: stdin, first: first, firstDir: firstDir, scanned: map[string]*policy.SuppressionIndex{},
		resolved: map[string]resolvedName{}, index: map[string]*policy.SuppressionIndex{}, only: first == 0 && len(args) == 1}
	if firstDir {
		if a := args[first]; !filepath.IsAbs(a) && filepath.Clean(a) != "." {
			r.firstPrefix = filepath.ToSlash(filepath.Clean(a))
			if !strings.HasSuffix(r.firstPrefix, "/") {
				r.firstPrefix += "/"
			}
		}
	}
	return r
}

// read records a file the scan read (ok) or failed to read under argument
// arg, with its suppression comments.
func (r *pathResolver) read(rel string, arg int, ok bool, idx *policy.SuppressionIndex) {
	switch {
	case rel == scan.StdinName && r.args[arg] == "-":
		r.stdinIdx, r.stdinRead = idx, ok
	case ok && arg == r.first && (idx != nil || !r.only):
		r.scanned[rel] = idx
	}
}

// resolve finds the file behind a reported name: the first argument under
// which it exists.
func (r *pathResolver) resolve(rel string) (disk, shown string, ok bool) {
	if rn, ok := r.resolved[rel]; ok {
		if rn.ok && rn.disk == "" {
			rn.disk, _ = r.place(r.args[r.first], rel, r.firstDir)
		}
		return rn.disk, rn.shown, rn.ok
	}
	if idx, ok := r.scanned[rel]; ok || r.only {
		// Read under the first argument, so it exists there and no
		// earlier argument can claim it. A name the walk gave (clean,
		// relative) is printed after the argument as given: place's
		// answer without joining and cleaning paths for every file.
		var shown string
		if r.firstDir && path.Clean(rel) == rel && !strings.HasPrefix(rel, "../") && rel != ".." && !path.IsAbs(rel) {
			shown = r.firstPrefix + rel
		} else {
			_, shown = r.place(r.args[r.first], rel, r.firstDir)
		}
		r.resolved[rel] = resolvedName{shown: shown, ok: true}
		r.index[shown] = idx
		return "", shown, true
	}
	for _, a := range r.args {
		if a == "-" {
			continue
		}
		st, err := os.Stat(a)
		if err != nil {
			continue
		}
		if !st.IsDir() && scan.ArgName(a) != rel {
			continue
		}
		cand, shown := r.place(a, rel, st.IsDir())
		if _, err := os.Stat(cand); err != nil {
			continue
		}
		r.resolved[rel] = resolvedName{disk: cand, shown: shown, ok: true}
		return cand, shown, true
	}
	r.resolved[rel] = resolvedName{shown: rel}
	return "", rel, false
}

// resolvedName is resolve's answer for a name; disk is found when asked
// for a file the scan read.
type resolvedName struct {
	disk, shown string
	ok          bool
}

// place is where rel, found under argument a, is on disk and the name
// check prints for it: as given on the command line joined with rel.
func (r *pathResolver) place(a, rel string, dir bool) (disk, shown string) {
	disk = a
	if dir {
		disk = filepath.Join(a, filepath.FromSlash(rel))
	}
	shown = rel
	if !filepath.IsAbs(a) && filepath.Clean(a) != "." {
		shown = filepath.ToSlash(filepath.Clean(disk))
	}
	return disk, shown
}

// display rewrites the files of findings to the names check prints.
func (r *pathResolver) display(fs []policy.Finding) []policy.Finding {
	// Findings come sorted by file: most ask for the name just asked.
	var last, lastShown string
	for i := range fs {
		if rel := fs[i].Loc.File; rel != last || i == 0 {
			last, lastShown = rel, r.name(rel)
		}
		fs[i].Profile = r.profileID(fs[i].Profile, last, lastShown)
		fs[i].Loc.File = lastShown
		for j := range fs[i].Related {
			fs[i].Related[j].Loc.File = r.name(fs[i].Related[j].Loc.File)
		}
	}
	return fs
}

// profileID is a finding's profile id with its file renamed: most often
// the file the finding is in (rel, shown), else the id's own.
func (r *pathResolver) profileID(id, rel, shown string) string {
	if rest, ok := strings.CutPrefix(id, rel); ok && strings.HasPrefix(rest, "#") {
		return shown + rest
	}
	if file, _, ok := strings.Cut(id, "#"); ok {
		return displayID(id, file, r.name(file))
	}
	return id
}

func (r *pathResolver) name(rel string) string {
	if rel == "" || rel == scan.StdinName {
		return rel
	}
	_, shown, _ := r.resolve(rel)
	return shown
}

// suppressions returns the suppression comments of a file by its printed
// name: from the scan's index when the scan read that very file, else from
// the disk.
func (r *pathResolver) suppressions(shown string) *policy.SuppressionIndex {
	if shown == scan.StdinName {
		if r.stdinRead {
			return r.stdinIdx
		}
		if r.stdin == nil {
			return nil
		}
		return policy.IndexSuppressions(r.stdin)
	}
	if idx, ok := r.index[shown]; ok {
		return idx
	}
	if data, ok := r.source(shown); ok {
		return policy.IndexSuppressions(data)
	}
	return nil
}

// source returns the text of a file by its printed name.
func (r *pathResolver) source(shown string) ([]byte, bool) {
	for rel, rn := range r.resolved {
		if rn.shown == shown && rn.ok {
			disk, _, _ := r.resolve(rel)
			data, err := os.ReadFile(disk)
			return data, err == nil
		}
	}
	return nil, false
}
