package config

import (
	"os"
	"path/filepath"
)

// FileNames are the names Discover looks for, in order of preference: the
// visible name first, the hidden one for repositories that keep tool
// configuration out of sight.
func FileNames() []string {
	return []string{"dbguard.yaml", ".dbguard.yaml"}
}

// Discover finds the dbguard.yaml that applies to dir when no --config is
// given: it looks in dir, then in each parent, and stops after the
// repository root (the first directory holding .git, a directory or, for
// worktrees and submodules, a file) or the file system root. In each
// directory dbguard.yaml is preferred to .dbguard.yaml.
//
// A file found in dir itself is returned as filepath.Join(dir, name); one
// found in a parent is returned as an absolute path, so that messages say
// unambiguously which file was read.
func Discover(dir string) (path string, ok bool) {
	for _, name := range FileNames() {
		if p := filepath.Join(dir, name); isFile(p) {
			return p, true
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for !exists(filepath.Join(abs, ".git")) {
		parent := filepath.Dir(abs)
		if parent == abs {
			return "", false
		}
		abs = parent
		for _, name := range FileNames() {
			if p := filepath.Join(abs, name); isFile(p) {
				return p, true
			}
		}
	}
	return "", false
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}
