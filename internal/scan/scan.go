// Package scan walks files and directories, reads each configuration file
// once and collects the connection profiles found in it. It is the input
// stage that check, review and verify share.
package scan

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/extract"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/service"
)

// MaxFileSize is the largest file scan reads; a larger one is reported as
// unreadable rather than read into memory.
const MaxFileSize = 10 << 20

// StdinName is the file name given to what scan - reads.
const StdinName = "<stdin>"

// skipDirs are never descended into; .dbguard holds dbguard's own event store.
var skipDirs = map[string]bool{".git": true, "vendor": true, "node_modules": true, ".hg": true, ".svn": true, ".dbguard": true}

// Options says what to scan.
type Options struct {
	// Paths are files, directories, or "-" for standard input.
	Paths []string
	// Exclude are globs of paths (relative to each argument) to skip, on
	// top of dbguard.yaml's exclude.
	Exclude []string
	// Config is dbguard.yaml; nil means defaults.
	Config *config.Config
	// Stdin is read for "-".
	Stdin io.Reader
	// Workers bounds parallel reading; 0 means GOMAXPROCS.
	Workers int
}

// Result is everything a scan found.
type Result struct {
	Profiles []*profile.Profile
	Problems []profile.Problem
	// Files is how many files were read; Readable how many of them
	// could be parsed.
	Files    int
	Readable int
	Bytes    int64
}

// UsageError is an argument that names nothing readable: a missing path.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// job is one file to read: its path on disk and its name in reports.
type job struct {
	abs, rel string
	explicit bool // named on the command line: read even without a known format
	data     []byte
	// dir, when the walk opened the file's folder, is where name (the
	// file's own name) is opened from; the reader releases it.
	dir  *dirRef
	name string
	// err is why a folder could not be listed: the job reports it.
	err error
}

// Run scans the paths: Walk, its files put back in order and linked
// across files (Linker).
func Run(ctx context.Context, opts Options) (*Result, error) {
	var mu sync.Mutex
	var files []FileResult
	var links Linker
	sum, err := Walk(ctx, opts, func(fr FileResult) {
		fr.Data = nil // valid during the callback only
		links.Add(fr)
		mu.Lock()
		defer mu.Unlock()
		files = append(files, fr)
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(files, func(a, b FileResult) int { return cmp.Compare(a.Index, b.Index) })
	res := &Result{Files: sum.Files, Readable: sum.Readable, Bytes: sum.Bytes}
	for _, f := range files {
		res.Problems = append(res.Problems, f.Problems...)
		res.Profiles = append(res.Profiles, f.Profiles...)
	}
	links.Link(res.Profiles)
	return res, nil
}

// statArg checks that an argument names something, as a usage error.
func statArg(arg string) (fs.FileInfo, error) {
	st, err := os.Stat(arg)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &UsageError{Err: fmt.Errorf("%s: no such file or directory", arg)}
		}
		return nil, &UsageError{Err: fmt.Errorf("stat %s: %w", arg, err)}
	}
	return st, nil
}

// walkSorted calls emit with each file of one argument as it finds it,
// already in the order of the files' names in reports (slash-separated
// paths, compared byte by byte), so that a caller can start on the first
// files while the rest of the tree is listed. The order comes from visiting
// each folder's entries by name with a folder's name counted with its
// trailing slash: every path beneath folder d starts with "d/", so
// comparing "d/" with a sibling's name orders all of them at once
// (TestWalkSortedOrder). emit returns false to stop.
//
// A file named on the command line is read whatever its name; a folder or
// file that cannot be listed or read is emitted as explicit, to be
// reported; .git, vendor, node_modules, excluded paths and dbguard's own
// configuration are skipped. A symbolic link to a folder given as the
// argument is followed; one inside the tree is not.
//
// With dirs, the jobs of files carry their folder, open (job.dir), which
// whoever takes a job must release once.
func walkSorted(arg string, cfg *config.Config, exclude []string, dirs bool, emit func(job) bool) error {
	st, err := statArg(arg)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		emit(job{abs: arg, rel: ArgName(arg), explicit: true})
		return nil
	}
	// A path beneath the argument is filepath.Join(arg, rel): its name in
	// reports is the part after the argument's prefix, the same string.
	prefix := len(filepath.Join(arg, "x")) - 1
	w := sortedWalk{cfg: cfg, exclude: exclude, emit: emit, prefix: prefix, dirs: dirs, root: rootName(arg)}
	w.dir(arg, ".")
	return nil
}

// ArgName is the name in reports of a file named on the command line: the
// path as given, cleaned and slash-separated (x.yaml, a/x.yaml,
// ../x.yaml, /etc/app/db.yaml), so that files of one name in different
// folders stay apart and each can be found again from the report. Files
// found in a folder are named relative to that folder instead.
func ArgName(arg string) string { return filepath.ToSlash(filepath.Clean(arg)) }

// rootName is the name in reports of a folder named on the command line,
// should it not be listable: as given, or its absolute path when that is
// "." (cd unreadable && dbguard scan .), which would name nothing.
func rootName(arg string) string {
	name := ArgName(arg)
	if name == "." {
		if abs, err := filepath.Abs(arg); err == nil {
			name = filepath.ToSlash(abs)
		}
	}
	return name
}

type sortedWalk struct {
	cfg     *config.Config
	exclude []string
	emit    func(job) bool
	prefix  int
	stopped bool
	// dirs: hand the files their folder, open, to be read relative to it
	// (every emitted job must then be released).
	dirs bool
	// root names the argument itself in reports (rootName).
	root string
}

// dir walks folder abs, named rel in reports ("." for the argument).
func (w *sortedWalk) dir(abs, rel string) {
	entries, err := os.ReadDir(abs)
	if err != nil {
		// An unreadable folder: report it, go on.
		if rel == "." {
			rel = w.root
		}
		w.stopped = !w.emit(job{abs: abs, rel: rel, explicit: true, err: err})
		return
	}
	slices.SortFunc(entries, compareEntries)
	var ref *dirRef
	if w.dirs {
		ref = openDir(abs)
		defer ref.release()
	}
	for _, d := range entries {
		if w.stopped {
			return
		}
		name := d.Name()
		p := filepath.Join(abs, name)
		r := filepath.ToSlash(p[w.prefix:])
		if d.IsDir() {
			if skipDirs[name] || excluded(w.cfg, w.exclude, r) {
				continue
			}
			w.dir(p, r)
			continue
		}
		if !d.Type().IsRegular() || excluded(w.cfg, w.exclude, r) || isOwnConfig(name) {
			continue
		}
		ref.hold()
		w.stopped = !w.emit(job{abs: p, rel: r, dir: ref, name: name})
	}
}

// compareEntries orders folder entries by name, a folder's name with its
// trailing slash, without building that string.
func compareEntries(a, b fs.DirEntry) int {
	an, bn := a.Name(), b.Name()
	n := min(len(an), len(bn))
	if c := strings.Compare(an[:n], bn[:n]); c != 0 {
		return c
	}
	ac, aok := nameByte(an, a.IsDir(), n)
	bc, bok := nameByte(bn, b.IsDir(), n)
	switch {
	case !aok && !bok:
		return 0
	case !aok:
		return -1
	case !bok:
		return 1
	}
	return cmp.Compare(ac, bc)
}

// nameByte is byte i of name, or of name+"/" for a folder.
func nameByte(name string, dir bool, i int) (byte, bool) {
	if i < len(name) {
		return name[i], true
	}
	if i == len(name) && dir {
		return '/', true
	}
	return 0, false
}

func excluded(cfg *config.Config, extra []string, rel string) bool {
	if cfg.Excluded(rel) {
		return true
	}
	for _, g := range extra {
		if ok, _ := path.Match(g, rel); ok {
			return true
		}
		if ok, _ := path.Match(g, path.Base(rel)); ok {
			return true
		}
		if strings.HasSuffix(g, "/**") && strings.HasPrefix(rel, strings.TrimSuffix(g, "**")) {
			return true
		}
	}
	return false
}

type fileResult struct {
	skipped  bool
	readable bool
	size     int64
	profiles []*profile.Profile
	problems []profile.Problem
	scalers  []extract.Scaler
	envFrom  []extract.EnvFrom
}

// readJob reads and extracts one file, dbguard.yaml applied to its
// profiles, and returns its bytes too (nil when it could not be read), so
// that a caller can look at the text (suppression comments) without reading
// it again. A file found by walking a directory whose name says no
// configuration format is skipped without a word; one named on the command
// line is always read.
//
// buf, when not nil, is the worker's buffer: the file is read into it
// (grown as needed), and the bytes are valid until the next call. Nothing
// the result holds points into them: every string is a copy
// (TestFileReuse in internal/extract overwrites the bytes to check).
func readJob(j job, cfg *config.Config, buf *[]byte) ([]byte, fileResult) {
	if j.err != nil {
		return nil, fileResult{problems: []profile.Problem{ReadProblem(j.rel, j.err)}}
	}
	data := j.data
	if data == nil {
		if !j.explicit && extract.NameFormat(path.Base(j.rel)) == "" {
			return nil, fileResult{skipped: true}
		}
		var ok bool
		if data, ok = readFast(j, buf); !ok {
			// Through os, which says what went wrong, if anything did.
			var err error
			if data, err = ReadFile(j.abs); err != nil {
				r := fileResult{problems: []profile.Problem{ReadProblem(j.rel, err)}}
				var tl *TooLargeError
				if errors.As(err, &tl) {
					r.size = tl.Size
				}
				return nil, r
			}
		}
	}
	r := extractData(j, data)
	for _, p := range r.profiles {
		applyConfig(cfg, j.rel, p)
		if j.explicit && p.EnvironmentFrom != "dbguard.yaml" {
			// A file named on the command line is matched by its base
			// name too, as it was when that was its name in reports.
			applyConfig(cfg, path.Base(j.rel), p)
		}
	}
	return data, r
}

// extractData judges the bytes of a file read: unreadable, of no format
// (reported only for a file named on the command line), or extracted.
func extractData(j job, data []byte) fileResult {
	r := fileResult{size: int64(len(data))}
	if p, bad := Unreadable(j.rel, data); bad {
		r.problems = append(r.problems, p)
		return r
	}
	res := extract.File(j.rel, data)
	if res.Format == "" {
		if j.explicit {
			// A whole-file problem is reported at the file's start.
			loc := profile.Location{File: j.rel, Line: 1, Column: 1}
			r.problems = append(r.problems, profile.Problem{Loc: loc, Msg: "unrecognised format: not YAML, JSON, TOML, INI, .env or .properties"})
		} else {
			r.skipped = true
		}
		return r
	}
	r.profiles = res.Profiles
	r.scalers = res.Scalers
	r.envFrom = res.EnvFrom
	for _, p := range res.Problems {
		r.problems = append(r.problems, p)
	}
	r.readable = len(res.Problems) == 0 || len(res.Profiles) > 0
	return r
}

// latin1Text accepts ISO-8859-1 text (old .properties files) as readable.
func latin1Text(data []byte) bool {
	for _, c := range data {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' {
			return false
		}
	}
	return true
}

func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// applyConfig applies dbguard.yaml: an environment override by path wins
// over whatever the file says; the services section names the service,
// else package service infers it; replicas fill in where no manifest says.
func applyConfig(cfg *config.Config, rel string, p *profile.Profile) {
	if env, ok := cfg.EnvironmentFor(rel); ok {
		p.Environment = profile.CanonicalEnvironment(env)
		if p.EnvironmentRaw == "" {
			p.EnvironmentRaw = env
		}
		p.EnvironmentFrom = "dbguard.yaml"
	}
	name, ok := cfg.ServiceFor(rel, p.ID, p.Name)
	service.Assign(p, name, ok)
	if !p.Replicas.Count.Set {
		if n, ok := cfg.ReplicasFor(p.ID, p.Name); ok {
			p.Replicas = profile.Replicas{Count: profile.Value{Text: fmt.Sprint(n), Set: true}, Source: "dbguard.yaml"}
		}
	}
}

// isOwnConfig reports dbguard's own configuration file, which is not an
// application's configuration.
func isOwnConfig(name string) bool {
	for _, n := range config.FileNames() {
		if name == n {
			return true
		}
	}
	return false
}

// binaryAt locates the first byte that makes a file binary.
func binaryAt(rel string, data []byte) profile.Location {
	line, col := 1, 1
	for _, c := range data {
		if c == 0 || c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' {
			break
		}
		if c == '\n' {
			line, col = line+1, 1
		} else if c < 0x80 || c >= 0xC0 {
			col++
		}
	}
	return profile.Location{File: rel, Line: line, Column: col}
}

// readSized reads a file whose size is known in one allocation of that
// size (io.ReadAll grows its buffer by doubling), still bounded by
// MaxFileSize should the file grow while it is read.
func readSized(f *os.File, st os.FileInfo) ([]byte, error) {
	if st == nil || st.Size() <= 0 {
		return io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	}
	buf := make([]byte, st.Size()+1)
	n, err := io.ReadFull(f, buf)
	switch err {
	case io.ErrUnexpectedEOF, io.EOF:
		return buf[:n], nil
	case nil:
		// Larger than it said: read the rest, bounded.
		rest, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1-int64(n)))
		return append(buf, rest...), err
	}
	return nil, err
}
