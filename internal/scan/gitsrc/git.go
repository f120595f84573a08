package gitsrc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/scan"
)

// Repo is a git repository read through the git command line. Nothing is
// ever checked out: files of a revision are read as blobs.
type Repo struct {
	// Root is the top of the working tree.
	Root string
}

// MissingRevisionError says a revision is not in this clone, and how to
// fetch it.
type MissingRevisionError struct {
	Rev     string
	Shallow bool
}

func (e *MissingRevisionError) Error() string {
	if e.Shallow {
		return fmt.Sprintf("revision %q is not in this shallow clone: fetch more history with "+
			"'git fetch --deepen=100' or 'git fetch --unshallow', or fetch the base itself with "+
			"'git fetch origin %s' (in GitHub Actions, set fetch-depth: 0 on actions/checkout)", e.Rev, e.Rev)
	}
	return fmt.Sprintf("unknown revision %q: fetch it with 'git fetch origin %s', or name a branch, tag or commit that exists here", e.Rev, e.Rev)
}

// ErrNotRepository is returned when the folder is not in a git working tree.
var ErrNotRepository = errors.New("not a git repository (review compares git revisions; use dbguard diff OLD NEW for folders)")

// OpenRepo finds the repository that dir belongs to.
func OpenRepo(ctx context.Context, dir string) (*Repo, error) {
	out, err := git(ctx, dir, nil, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("open repository: %w", ErrNotRepository)
	}
	return &Repo{Root: strings.TrimSpace(string(out))}, nil
}

// git runs a git command in dir and returns its standard output.
func git(ctx context.Context, dir string, stdin io.Reader, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-c", "core.quotepath=off"}, args...)...)
	cmd.Dir = dir
	cmd.Stdin = stdin
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			return nil, fmt.Errorf("git %s: %w", args[0], err)
		}
		return nil, fmt.Errorf("git %s: %s", args[0], firstLine(msg))
	}
	return out, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Resolve returns the commit a revision names, or a MissingRevisionError
// that says how to fetch it.
func (r *Repo) Resolve(ctx context.Context, rev string) (string, error) {
	if strings.HasPrefix(rev, "-") {
		return "", fmt.Errorf("resolve revision: %q is not a revision", rev)
	}
	out, err := git(ctx, r.Root, nil, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err == nil {
		return strings.TrimSpace(string(out)), nil
	}
	sh, _ := git(ctx, r.Root, nil, "rev-parse", "--is-shallow-repository")
	return "", &MissingRevisionError{Rev: rev, Shallow: strings.TrimSpace(string(sh)) == "true"}
}

// RelPath is p's slash-separated path inside the repository, for turning
// command-line paths into repository paths.
func (r *Repo) RelPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("resolve path %s: %w", p, err)
	}
	root, err := filepath.EvalSymlinks(r.Root)
	if err != nil {
		root = r.Root
	}
	if a, err := filepath.EvalSymlinks(abs); err == nil {
		abs = a
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("path %s is outside the repository %s", p, r.Root)
	}
	return filepath.ToSlash(rel), nil
}

// ReadFile reads one file of a revision; ok is false when the revision
// has no such file.
func (r *Repo) ReadFile(ctx context.Context, commit, path string) (data []byte, ok bool, err error) {
	out, err := git(ctx, r.Root, nil, "ls-tree", "-z", "--full-tree", commit, "--", path)
	if err != nil {
		return nil, false, err
	}
	if len(bytes.TrimSpace(out)) == 0 {
		return nil, false, nil
	}
	data, err = git(ctx, r.Root, nil, "cat-file", "blob", commit+":"+path)
	if err != nil {
		return nil, false, err
	}
	return data, true, nil
}

// lsTree lists the regular files of a commit with their blob ids.
func (r *Repo) lsTree(ctx context.Context, commit string) (map[string]string, error) {
	out, err := git(ctx, r.Root, nil, "ls-tree", "-r", "-z", "--full-tree", commit)
	if err != nil {
		return nil, err
	}
	files := map[string]string{}
	for _, rec := range bytes.Split(out, []byte{0}) {
		meta, path, ok := bytes.Cut(rec, []byte{'\t'})
		if !ok {
			continue
		}
		f := strings.Fields(string(meta))
		// Regular files only: symlinks (120000) and submodules (160000)
		// hold no configuration text.
		if len(f) != 3 || f[1] != "blob" || (f[0] != "100644" && f[0] != "100755") {
			continue
		}
		files[string(path)] = f[2]
	}
	return files, nil
}

// catFile reads blobs by id through one git cat-file --batch process. A
// blob over scan.MaxFileSize is skipped unread and comes back as a
// *scan.TooLargeError, as scan treats such a file.
func (r *Repo) catFile(ctx context.Context, ids []string) (map[string]scan.Content, error) {
	out := make(map[string]scan.Content, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	cmd := exec.CommandContext(ctx, "git", "cat-file", "--batch")
	cmd.Dir = r.Root
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	go func() {
		w := bufio.NewWriter(stdin)
		for _, id := range ids {
			w.WriteString(id)
			w.WriteByte('\n')
		}
		w.Flush()
		stdin.Close()
	}()
	br := bufio.NewReaderSize(stdout, 1<<16)
	var readErr error
	for range ids {
		header, err := br.ReadString('\n')
		if err != nil {
			readErr = fmt.Errorf("git cat-file: read header: %w", err)
			break
		}
		f := strings.Fields(header)
		if len(f) == 2 && f[1] == "missing" {
			readErr = fmt.Errorf("git cat-file: object %s is missing from this clone", f[0])
			break
		}
		if len(f) != 3 {
			readErr = fmt.Errorf("git cat-file: unexpected header %q", strings.TrimSpace(header))
			break
		}
		size, err := strconv.Atoi(f[2])
		if err != nil || size < 0 {
			readErr = fmt.Errorf("git cat-file: bad size in %q", strings.TrimSpace(header))
			break
		}
		if size > scan.MaxFileSize {
			if _, err := br.Discard(size + 1); err != nil {
				readErr = fmt.Errorf("git cat-file: %w", err)
				break
			}
			out[f[0]] = scan.Content{Err: &scan.TooLargeError{Size: int64(size)}}
			continue
		}
		buf := make([]byte, size+1)
		if _, err := io.ReadFull(br, buf); err != nil {
			readErr = fmt.Errorf("git cat-file: read object: %w", err)
			break
		}
		out[f[0]] = scan.Content{Data: buf[:size]}
	}
	if readErr != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, readErr
	}
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("git cat-file: %s", firstLine(strings.TrimSpace(stderr.String()+" "+err.Error())))
	}
	return out, nil
}

// Tree is the files of one commit.
type Tree struct {
	repo   *Repo
	commit string
	cfg    *config.Config
	files  map[string]string
}

// Tree returns a commit as a source.
func (r *Repo) Tree(commit string, cfg *config.Config) *Tree {
	return &Tree{repo: r, commit: commit, cfg: cfg}
}

// Entries lists the commit's configuration files with their blob ids.
func (t *Tree) Entries(ctx context.Context) ([]scan.Entry, error) {
	files, err := t.repo.lsTree(ctx, t.commit)
	if err != nil {
		return nil, err
	}
	t.files = files
	var out []scan.Entry
	for p, id := range files {
		if scan.Wanted(t.cfg, p) {
			out = append(out, scan.Entry{Path: p, ID: id, Exact: true})
		}
	}
	return out, nil
}

// Read reads files of the commit as blobs.
func (t *Tree) Read(ctx context.Context, paths []string) (map[string]scan.Content, error) {
	if t.files == nil {
		if _, err := t.Entries(ctx); err != nil {
			return nil, err
		}
	}
	ids := make([]string, 0, len(paths))
	for _, p := range paths {
		id, ok := t.files[p]
		if !ok {
			return nil, fmt.Errorf("read %s: not in %s", p, t.commit)
		}
		ids = append(ids, id)
	}
	blobs, err := t.repo.catFile(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]scan.Content, len(paths))
	for _, p := range paths {
		out[p] = blobs[t.files[p]]
	}
	return out, nil
}

// Worktree is the working tree as it is on disk (tracked files with their
// edits, and untracked files that are not ignored), compared against a
// base commit: files git reports unchanged keep the base's blob id and are
// read from the object store; changed files are read from disk.
type Worktree struct {
	repo  *Repo
	base  *Tree
	cfg   *config.Config
	disk  map[string]bool
	blobs map[string]string
}

// Worktree returns the working tree as a source against base.
func (r *Repo) Worktree(base string, cfg *config.Config) *Worktree {
	return &Worktree{repo: r, base: r.Tree(base, cfg), cfg: cfg}
}

// Entries lists the working tree's configuration files.
func (w *Worktree) Entries(ctx context.Context) ([]scan.Entry, error) {
	base, err := w.repo.lsTree(ctx, w.base.commit)
	if err != nil {
		return nil, err
	}
	out, err := git(ctx, w.repo.Root, nil, "diff", "--name-status", "-z", "--no-renames", w.base.commit, "--")
	if err != nil {
		return nil, err
	}
	w.disk, w.blobs = map[string]bool{}, map[string]string{}
	for p, id := range base {
		w.blobs[p] = id
	}
	recs := bytes.Split(out, []byte{0})
	for i := 0; i+1 < len(recs); i += 2 {
		status, p := string(recs[i]), string(recs[i+1])
		delete(w.blobs, p)
		if !strings.HasPrefix(status, "D") {
			w.disk[p] = true
		}
	}
	untracked, err := git(ctx, w.repo.Root, nil, "ls-files", "-z", "--others", "--exclude-standard")
	if err != nil {
		return nil, err
	}
	for _, p := range bytes.Split(untracked, []byte{0}) {
		if len(p) > 0 {
			w.disk[string(p)] = true
			delete(w.blobs, string(p))
		}
	}
	var es []scan.Entry
	for p, id := range w.blobs {
		if scan.Wanted(w.cfg, p) {
			es = append(es, scan.Entry{Path: p, ID: id, Exact: true})
		}
	}
	for p := range w.disk {
		st, err := os.Lstat(filepath.Join(w.repo.Root, filepath.FromSlash(p)))
		if err != nil || !st.Mode().IsRegular() || !scan.Wanted(w.cfg, p) {
			continue
		}
		// An id no blob can have: the file differs from the base.
		es = append(es, scan.Entry{Path: p, ID: "worktree:" + p, Exact: true})
	}
	return es, nil
}

// Read reads changed files from disk, as scan reads them, and unchanged
// ones from git.
func (w *Worktree) Read(ctx context.Context, paths []string) (map[string]scan.Content, error) {
	out := make(map[string]scan.Content, len(paths))
	var ids []string
	for _, p := range paths {
		if w.disk[p] {
			data, err := scan.ReadFile(filepath.Join(w.repo.Root, filepath.FromSlash(p)))
			out[p] = scan.Content{Data: data, Err: err}
			continue
		}
		id, ok := w.blobs[p]
		if !ok {
			return nil, fmt.Errorf("read %s: not in the working tree", p)
		}
		ids = append(ids, id)
	}
	blobs, err := w.repo.catFile(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, p := range paths {
		if !w.disk[p] {
			out[p] = blobs[w.blobs[p]]
		}
	}
	return out, nil
}

var (
	_ scan.Source = (*Tree)(nil)
	_ scan.Source = (*Worktree)(nil)
)
