package gitsrc_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/scan"
	"github.com/dbguard/dbguard/internal/scan/gitsrc"
	"github.com/dbguard/dbguard/internal/scan/gitsrc/gittest"
)

const app = "database:\n  host: orders-db.internal\n  port: 5432\n"

// paths lists a source's entries.
func paths(t *testing.T, src scan.Source) []string {
	t.Helper()
	es, err := src.Entries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Path)
	}
	sort.Strings(out)
	return out
}

// OpenChange reads dbguard.yaml from the base revision, found from the
// folder the command runs in up to the root, never from the change or the
// working tree, and turns paths into repository paths.
func TestOpenChange(t *testing.T) {
	r := gittest.New(t)
	r.Write("dbguard.yaml", "version: 1\nexclude:\n  - \"legacy/**\"\n")
	r.Write("svc/config/app.yaml", app)
	base := r.Commit("base")
	r.Write("dbguard.yaml", "version: 1\nexclude: [\n") // broken by the change
	head := r.Commit("break the policy")
	r.Write("dbguard.yaml", "not: [valid\n") // and in the working tree

	ctx := context.Background()
	ch, err := gitsrc.OpenChange(ctx, gitsrc.ChangeOptions{Dir: filepath.Join(r.Dir, "svc"), Base: "HEAD~1", Head: "HEAD", Paths: []string{"config"}})
	if err != nil {
		t.Fatal(err)
	}
	if ch.Base != base || ch.Head != head {
		t.Errorf("commits = %s..%s, want %s..%s", ch.Base, ch.Head, base, head)
	}
	if want := "dbguard.yaml at " + base[:12]; ch.ConfigSource != want {
		t.Errorf("config source = %q, want %q", ch.ConfigSource, want)
	}
	if !ch.Config.Excluded("legacy/x.yaml") {
		t.Error("the base's exclude is not in the config")
	}
	if !reflect.DeepEqual(ch.Paths, []string{"svc/config"}) {
		t.Errorf("paths = %v, want [svc/config]", ch.Paths)
	}

	wt, err := gitsrc.OpenChange(ctx, gitsrc.ChangeOptions{Dir: r.Dir, Base: base})
	if err != nil {
		t.Fatal(err)
	}
	if wt.Head != "" {
		t.Errorf("head = %q, want the working tree", wt.Head)
	}
	if _, ok := wt.NewSource().(*gitsrc.Worktree); !ok {
		t.Errorf("new source = %T, want the working tree", wt.NewSource())
	}

	none, err := gitsrc.OpenChange(ctx, gitsrc.ChangeOptions{Dir: r.Dir, Base: base, NoConfig: true})
	if err != nil {
		t.Fatal(err)
	}
	if none.ConfigSource != "none (--no-config)" {
		t.Errorf("config source = %q", none.ConfigSource)
	}
}

// The errors of OpenChange are typed: the CLI turns them into usage
// errors, and a revision missing from this clone says how to fetch it.
func TestOpenChangeErrors(t *testing.T) {
	r := gittest.New(t)
	r.Write("config/app.yaml", app)
	base := r.Commit("base")
	r.Write("bad/dbguard.yaml", "version: 1\nexclude: [\n")
	r.Commit("a broken policy in a subfolder")
	ctx := context.Background()

	var me *gitsrc.MissingRevisionError
	_, err := gitsrc.OpenChange(ctx, gitsrc.ChangeOptions{Dir: r.Dir, Base: "no-such-branch"})
	if !errors.As(err, &me) || me.Shallow || me.Rev != "no-such-branch" {
		t.Errorf("unknown base: err = %v, want a MissingRevisionError", err)
	}
	_, err = gitsrc.OpenChange(ctx, gitsrc.ChangeOptions{Dir: r.Dir, Base: base, Head: "no-such-tag"})
	if !errors.As(err, &me) || me.Rev != "no-such-tag" {
		t.Errorf("unknown head: err = %v, want a MissingRevisionError", err)
	}
	_, err = gitsrc.OpenChange(ctx, gitsrc.ChangeOptions{Dir: r.Dir, Base: "--output=x"})
	if err == nil || errors.As(err, &me) || !strings.Contains(err.Error(), "is not a revision") {
		t.Errorf("option as a revision: err = %v", err)
	}
	_, err = gitsrc.OpenChange(ctx, gitsrc.ChangeOptions{Dir: t.TempDir(), Base: "main"})
	if !errors.Is(err, gitsrc.ErrNotRepository) {
		t.Errorf("outside a repository: err = %v, want ErrNotRepository", err)
	}

	var ce *gitsrc.ConfigError
	_, err = gitsrc.OpenChange(ctx, gitsrc.ChangeOptions{Dir: r.Dir, Base: base, ConfigPath: "policy.yaml"})
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "does not exist at the base revision") {
		t.Errorf("--config missing at the base: err = %v, want a ConfigError", err)
	}
	_, err = gitsrc.OpenChange(ctx, gitsrc.ChangeOptions{Dir: filepath.Join(r.Dir, "bad"), Base: "HEAD"})
	if !errors.As(err, &ce) {
		t.Errorf("broken dbguard.yaml at the base: err = %v, want a ConfigError", err)
	}
	_, err = gitsrc.OpenChange(ctx, gitsrc.ChangeOptions{Dir: r.Dir, Base: base, Paths: []string{t.TempDir()}})
	if err == nil || !strings.Contains(err.Error(), "outside the repository") {
		t.Errorf("path outside: err = %v", err)
	}
}

// A commit lists its configuration files with exact ids (blob ids): not
// other files, not symbolic links, nothing below vendor/. The working tree
// lists tracked files with their edits and untracked ones, and reads
// changed files from disk, unchanged ones as blobs.
func TestTreeAndWorktree(t *testing.T) {
	r := gittest.New(t)
	r.Write("config/app.yaml", app)
	r.Write("config/gone.yaml", app)
	r.Write("config/kept.yaml", app)
	r.Write("vendor/lib/app.yaml", app)
	r.Write("README.md", "orders\n")
	if err := os.Symlink("app.yaml", filepath.Join(r.Dir, "config", "link.yaml")); err != nil {
		t.Fatal(err)
	}
	base := r.Commit("base")
	edited := strings.Replace(app, "5432", "6432", 1)
	r.Write("config/app.yaml", edited)
	r.Write("config/new.yaml", app)
	if err := os.Remove(filepath.Join(r.Dir, "config", "gone.yaml")); err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	ch, err := gitsrc.OpenChange(ctx, gitsrc.ChangeOptions{Dir: r.Dir, Base: base})
	if err != nil {
		t.Fatal(err)
	}
	tree, work := ch.OldSource(), ch.NewSource()
	if got, want := paths(t, tree), []string{"config/app.yaml", "config/gone.yaml", "config/kept.yaml"}; !reflect.DeepEqual(got, want) {
		t.Errorf("commit entries = %v, want %v", got, want)
	}
	if got, want := paths(t, work), []string{"config/app.yaml", "config/kept.yaml", "config/new.yaml"}; !reflect.DeepEqual(got, want) {
		t.Errorf("working tree entries = %v, want %v", got, want)
	}
	ids := func(src scan.Source) map[string]scan.Entry {
		es, _ := src.Entries(ctx)
		m := map[string]scan.Entry{}
		for _, e := range es {
			m[e.Path] = e
		}
		return m
	}
	te, we := ids(tree), ids(work)
	if te["config/kept.yaml"] != we["config/kept.yaml"] || !te["config/kept.yaml"].Exact {
		t.Errorf("an unchanged file has other ids: %+v, %+v", te["config/kept.yaml"], we["config/kept.yaml"])
	}
	if te["config/app.yaml"].ID == we["config/app.yaml"].ID {
		t.Errorf("an edited file keeps the base's id %s", te["config/app.yaml"].ID)
	}

	old, err := tree.Read(ctx, []string{"config/app.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	cur, err := work.Read(ctx, []string{"config/app.yaml", "config/kept.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		got  scan.Content
		want string
	}{
		{"base config/app.yaml", old["config/app.yaml"], app},
		{"working tree config/app.yaml", cur["config/app.yaml"], edited},
		{"working tree config/kept.yaml", cur["config/kept.yaml"], app},
	} {
		if c.got.Err != nil || string(c.got.Data) != c.want {
			t.Errorf("%s = %q, %v; want %q", c.name, c.got.Data, c.got.Err, c.want)
		}
	}
	if _, err := tree.Read(ctx, []string{"config/new.yaml"}); err == nil {
		t.Error("reading a file the commit does not have succeeded")
	}
}

// A blob over scan.MaxFileSize is skipped unread, as scan skips such a
// file: its content is a *scan.TooLargeError, and the other blobs of the
// same batch are still read.
func TestTreeTooLarge(t *testing.T) {
	r := gittest.New(t)
	r.Write("big.yaml", app+"# "+strings.Repeat("x", scan.MaxFileSize)+"\n")
	r.Write("small.yaml", app)
	head := r.Commit("a huge file")
	ch, err := gitsrc.OpenChange(context.Background(), gitsrc.ChangeOptions{Dir: r.Dir, Base: head, Head: head})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ch.NewSource().Read(context.Background(), []string{"big.yaml", "small.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	var tl *scan.TooLargeError
	if !errors.As(got["big.yaml"].Err, &tl) || got["big.yaml"].Data != nil {
		t.Errorf("big.yaml = %d bytes, %v; want a TooLargeError and no bytes", len(got["big.yaml"].Data), got["big.yaml"].Err)
	}
	if string(got["small.yaml"].Data) != app {
		t.Errorf("small.yaml = %q", got["small.yaml"].Data)
	}
}
