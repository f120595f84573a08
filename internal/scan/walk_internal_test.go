package scan

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/dbguard/dbguard/internal/config"
)

// TestWalkSortedOrder: walkSorted emits files in the order of their
// slash-separated names, as sorting the whole list would give, on names
// where a folder's contents and its siblings interleave ("a/x" sorts after
// "a-b" and "a.b", before "a0"), and skips what collect skips.
func TestWalkSortedOrder(t *testing.T) {
	root := t.TempDir()
	files := []string{
		"a", "a-b", "a.b", "a b", "a!x", "a0", "A", "é.yaml", "z",
		"d/w", "d/x-y", "d/x/deep", "d/x.y", "d-/q", "d.e/r", "d0/s", "d/.hidden",
		"dd/x", "d e/t", "vendor/skip", "n/node_modules/skip", ".git/skip", "dbguard.yaml",
	}
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x: 1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	if err := walkSorted(root, config.Default(), nil, false, func(j job) bool {
		got = append(got, j.rel)
		if want := filepath.Join(root, filepath.FromSlash(j.rel)); j.abs != want {
			t.Errorf("job %q: abs %q, want %q", j.rel, j.abs, want)
		}
		return true
	}); err != nil {
		t.Fatal(err)
	}
	// The reference: every regular file, minus what scan skips, sorted.
	var want []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if d.IsDir() && p != root && skipDirs[d.Name()] {
			return fs.SkipDir
		}
		if !d.IsDir() && !isOwnConfig(d.Name()) {
			rel, _ := filepath.Rel(root, p)
			want = append(want, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("walkSorted order:\n%q\nwant\n%q", got, want)
	}
	if !slices.IsSorted(got) {
		t.Errorf("not sorted: %q", got)
	}
}

// TestWalkSortedStops: emit returning false ends the walk.
func TestWalkSortedStops(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"a", "b", "c/d", "e"} {
		p := filepath.Join(root, filepath.FromSlash(f))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, nil, 0o644)
	}
	n := 0
	walkSorted(root, config.Default(), nil, false, func(job) bool { n++; return n < 2 })
	if n != 2 {
		t.Errorf("emit called %d times after returning false at 2", n)
	}
}

// TestWalkClosesFolders: Walk opens each folder to read its files
// relative to it and closes every one, whether it runs to the end or is
// cancelled half-way.
func TestWalkClosesFolders(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd to count open files")
	}
	root := t.TempDir()
	for d := range 30 {
		for f := range 20 {
			p := filepath.Join(root, fmt.Sprintf("d%02d", d), fmt.Sprintf("f%02d.env", f))
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, []byte("DB_HOST=db\nDB_PORT=5432\n"), 0o644)
		}
	}
	openFiles := func() int {
		es, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}
	before := openFiles()
	var n atomic.Int32
	if _, err := Walk(context.Background(), Options{Paths: []string{root}, Workers: 3}, func(FileResult) { n.Add(1) }); err != nil {
		t.Fatal(err)
	}
	if n := n.Load(); n != 600 {
		t.Errorf("Walk saw %d files, want 600", n)
	}
	if after := openFiles(); after != before {
		t.Errorf("open files: %d before Walk, %d after", before, after)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	seen := 0
	Walk(ctx, Options{Paths: []string{root}, Workers: 2}, func(FileResult) {
		mu.Lock()
		defer mu.Unlock()
		if seen++; seen == 50 {
			cancel()
		}
	})
	if after := openFiles(); after != before {
		t.Errorf("open files: %d before a cancelled Walk, %d after", before, after)
	}
}
