package scan

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/extract"
)

// A Source is the other way into scan, beside Walk: a set of
// configuration files listed first and read on demand, in batches, so that
// a comparison of two revisions (diff, review, verify --diff-base) reads
// only the files it needs. Dir is a folder on disk; package gitsrc has a
// git revision and a working tree against one. Side (side.go) reads a
// Source into profiles exactly as Walk reads files.

// Entry is one configuration file of a Source: its slash-separated path
// relative to the source's root and a summary of its content. When Exact is
// set, ID is equal exactly when the bytes are (a git blob id, which git
// itself computed); otherwise an equal ID (the size) only makes equality
// possible and the diff compares the bytes. dbguard never hashes a file
// itself: a configuration file may hold a secret, and no hash of a secret
// is ever computed.
type Entry struct {
	Path  string
	ID    string
	Exact bool
}

// Source is one side of a comparison: a folder, a single file, a git
// revision or a working tree. Entries is called once; Read then fetches the
// contents of the few files a comparison needs, in one batch, so that a git source can use
// a single git cat-file process. Read's error is for the whole batch (git
// failed, the context ended); a single file it cannot read goes in that
// file's Content.
type Source interface {
	Entries(ctx context.Context) ([]Entry, error)
	Read(ctx context.Context, paths []string) (map[string]Content, error)
}

// Content is one file as a Source read it.
type Content struct {
	Data []byte
	// Err says why this one file could not be read: a *TooLargeError
	// for a file over MaxFileSize (which is never read), or the file
	// vanished or is not permitted. Side reports it as Walk would, an
	// input-unreadable problem of the file's side, and goes on.
	Err error
}

// Single is implemented by sources that are one file. Two single-file
// sources are compared as one source whatever their names
// (app.before.yaml against app.after.yaml).
type Single interface {
	SingleFile() bool
}

// Wanted reports whether a file found by walking a tree is a configuration
// file a Source lists: a known format by its name, not dbguard's own
// configuration, not excluded, and not below a skipped folder. Git sources
// use it too, so that both kinds of side see the same files.
func Wanted(cfg *config.Config, rel string) bool {
	for _, part := range strings.Split(path.Dir(rel), "/") {
		if skipDirs[part] {
			return false
		}
	}
	base := path.Base(rel)
	return !isOwnConfig(base) && !cfg.Excluded(rel) && extract.NameFormat(base) != ""
}

// Dir is a folder (or one file) on disk.
type Dir struct {
	Root   string
	Config *config.Config
	single bool
}

// NewDir returns the source for a folder or a file. A missing path is an
// error wrapping fs.ErrNotExist.
func NewDir(root string, cfg *config.Config) (*Dir, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", root, err)
	}
	return &Dir{Root: root, Config: cfg, single: !st.IsDir()}, nil
}

// SingleFile reports whether the source is one file.
func (d *Dir) SingleFile() bool { return d.single }

// Entries walks the folder and hashes every configuration file.
func (d *Dir) Entries(ctx context.Context) ([]Entry, error) {
	if d.single {
		st, err := os.Stat(d.Root)
		if err != nil {
			return nil, fmt.Errorf("stat %s: %w", d.Root, err)
		}
		return []Entry{{Path: filepath.ToSlash(filepath.Base(d.Root)), ID: sizeID(st.Size())}}, nil
	}
	var out []Entry
	err := filepath.WalkDir(d.Root, func(p string, de fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		rel, _ := filepath.Rel(d.Root, p)
		rel = filepath.ToSlash(rel)
		if err != nil {
			if de != nil && de.IsDir() && p != d.Root {
				// An unreadable folder: its files are unknown on this
				// side; the error entry makes the diff report it.
				out = append(out, Entry{Path: rel, ID: "unreadable:" + err.Error()})
				return fs.SkipDir
			}
			return err
		}
		if de.IsDir() {
			if p != d.Root && (skipDirs[de.Name()] || d.Config.Excluded(rel)) {
				return fs.SkipDir
			}
			return nil
		}
		if !de.Type().IsRegular() || !Wanted(d.Config, rel) {
			return nil
		}
		info, err := de.Info()
		if err != nil {
			out = append(out, Entry{Path: rel, ID: "unreadable:" + err.Error()})
			return nil
		}
		out = append(out, Entry{Path: rel, ID: sizeID(info.Size())})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk %s: %w", d.Root, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// Read reads the named files as scan reads them.
func (d *Dir) Read(ctx context.Context, paths []string) (map[string]Content, error) {
	out := make(map[string]Content, len(paths))
	for _, rel := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p := d.Root
		if !d.single {
			p = filepath.Join(d.Root, filepath.FromSlash(rel))
		}
		data, err := ReadFile(p)
		out[rel] = Content{Data: data, Err: err}
	}
	return out, nil
}

// sizeID is a file's size: files of different sizes differ.
func sizeID(n int64) string { return "size:" + strconv.FormatInt(n, 10) }
