package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dbguard/dbguard/internal/config"
)

// tree creates files (content "version: 1") and directories (names ending
// in /) under a fresh temporary directory and returns it.
func tree(t *testing.T, paths ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, p := range paths {
		full := filepath.Join(root, filepath.FromSlash(p))
		if p[len(p)-1] == '/' {
			if err := os.MkdirAll(full, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("version: 1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestDiscover(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files []string
		start string // relative to the tree root
		want  string // relative to the tree root; "" for not found
	}{
		{"in the start directory", []string{"repo/.git/", "repo/svc/dbguard.yaml"}, "repo/svc", "repo/svc/dbguard.yaml"},
		{"hidden name", []string{"repo/.git/", "repo/svc/.dbguard.yaml"}, "repo/svc", "repo/svc/.dbguard.yaml"},
		{"visible name preferred", []string{"repo/.git/", "repo/dbguard.yaml", "repo/.dbguard.yaml"}, "repo", "repo/dbguard.yaml"},
		{"nearest parent wins", []string{"repo/.git/", "repo/dbguard.yaml", "repo/a/.dbguard.yaml", "repo/a/b/c/"}, "repo/a/b/c", "repo/a/.dbguard.yaml"},
		{"at the repository root", []string{"repo/.git/", "repo/dbguard.yaml", "repo/a/b/"}, "repo/a/b", "repo/dbguard.yaml"},
		{"not above the repository root", []string{"dbguard.yaml", "repo/.git/", "repo/a/"}, "repo/a", ""},
		{"git file of a worktree", []string{"dbguard.yaml", "repo/.git", "repo/a/"}, "repo/a", ""},
		{"a directory is not a config", []string{"repo/.git/", "repo/dbguard.yaml/", "repo/a/"}, "repo/a", ""},
		{"none at all", []string{"repo/.git/", "repo/a/"}, "repo/a", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := tree(t, tc.files...)
			start := filepath.Join(root, filepath.FromSlash(tc.start))
			got, ok := config.Discover(start)
			if tc.want == "" {
				if ok {
					t.Fatalf("Discover found %s, want nothing", got)
				}
				return
			}
			want := filepath.Join(root, filepath.FromSlash(tc.want))
			if !ok || got != want {
				t.Fatalf("Discover = %q, %v; want %q", got, ok, want)
			}
			if _, err := config.Load(got); err != nil {
				t.Fatalf("Load of the discovered file: %v", err)
			}
		})
	}
}

// A file in the start directory keeps the caller's spelling of the path.
func TestDiscoverRelative(t *testing.T) {
	t.Parallel()
	got, ok := config.Discover(filepath.Join("testdata", "discover"))
	if want := filepath.Join("testdata", "discover", "dbguard.yaml"); !ok || got != want {
		t.Fatalf("Discover = %q, %v; want %q", got, ok, want)
	}
}
