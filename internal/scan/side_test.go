package scan_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/scan"
)

// views renders profiles as their JSON views (secrets masked), in order.
func views(t *testing.T, ps []*profile.Profile) []string {
	t.Helper()
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		b, err := json.Marshal(p.View())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// A side read whole gives the profiles a scan of the same folder gives,
// field for field: dbguard.yaml applied, replicas linked across files
// (an autoscaler in another manifest), in the same order.
func TestLoadSideMatchesRun(t *testing.T) {
	cfg, err := config.Parse("dbguard.yaml", []byte("version: 1\nenvironments:\n  - path: \"config/**\"\n    environment: staging\nreplicas:\n  - profile: \"*\"\n    replicas: 3\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		dir string
		cfg *config.Config
	}{
		{"testdata/envfrom", nil},
		{"../../examples/orders-service", nil},
		{"../../examples/orders-service", cfg},
	} {
		t.Run(c.dir, func(t *testing.T) {
			ctx := context.Background()
			want, err := scan.Run(ctx, scan.Options{Paths: []string{c.dir}, Config: c.cfg})
			if err != nil {
				t.Fatal(err)
			}
			src, err := scan.NewDir(c.dir, c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			side, err := scan.LoadSide(ctx, src, c.cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(want.Profiles) == 0 {
				t.Fatal("the folder has no profiles: the test compares nothing")
			}
			if got, want := views(t, side.Profiles()), views(t, want.Profiles); !reflect.DeepEqual(got, want) {
				t.Errorf("LoadSide's profiles differ from Run's:\n got %s\nwant %s", strings.Join(got, "\n    "), strings.Join(want, "\n    "))
			}
			if len(side.Problems()) != len(want.Problems) {
				t.Errorf("problems = %v, Run's = %v", side.Problems(), want.Problems)
			}
		})
	}
}

// Paths limit a side to the files at or below them.
func TestSidePaths(t *testing.T) {
	dir := "../../examples/orders-service"
	src, err := scan.NewDir(dir, config.Default())
	if err != nil {
		t.Fatal(err)
	}
	side, err := scan.LoadSide(context.Background(), src, nil, []string{"config/"})
	if err != nil {
		t.Fatal(err)
	}
	if len(side.Entries()) == 0 || len(side.Profiles()) == 0 {
		t.Fatalf("entries %v, %d profiles: want the files of config/", side.Entries(), len(side.Profiles()))
	}
	for p := range side.Entries() {
		if !strings.HasPrefix(p, "config/") {
			t.Errorf("entry %s is outside config/", p)
		}
	}
	for _, p := range side.Profiles() {
		if !strings.HasPrefix(p.File, "config/") {
			t.Errorf("profile %s is outside config/", p.ID)
		}
	}
}

// ChangedFiles tells files apart by content even when their sizes (the
// ids of a folder's entries) are equal, and a file that cannot be read is
// changed whatever its bytes; Load reports it in scan's words.
func TestChangedFiles(t *testing.T) {
	root := t.TempDir()
	write := func(side, name, content string) {
		t.Helper()
		p := filepath.Join(root, side, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const app = "database:\n  host: db.internal\n  port: 5432\n"
	for _, s := range []string{"old", "new"} {
		write(s, "same.yaml", app)
		write(s, "binary.yaml", "database:\n  host: db\x00\n")
	}
	write("old", "edited.yaml", app)
	write("new", "edited.yaml", strings.Replace(app, "5432", "6432", 1)) // same size
	write("old", "removed.yaml", app)
	write("new", "added.yaml", app)
	write("new", "README.md", "not a configuration file\n")

	ctx := context.Background()
	side := func(name string) *scan.Side {
		src, err := scan.NewDir(filepath.Join(root, name), config.Default())
		if err != nil {
			t.Fatal(err)
		}
		s := scan.NewSide(src, nil, nil)
		if err := s.List(ctx); err != nil {
			t.Fatal(err)
		}
		return s
	}
	o, n := side("old"), side("new")
	changedOld, changedNew, unchanged, err := scan.ChangedFiles(ctx, o, n, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want []string
	}{
		{"changed old", changedOld, []string{"edited.yaml", "removed.yaml"}},
		{"changed new", changedNew, []string{"added.yaml", "edited.yaml"}},
		{"unchanged", unchanged, []string{"binary.yaml", "same.yaml"}},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if err := n.Load(ctx, []string{"binary.yaml", "edited.yaml"}); err != nil {
		t.Fatal(err)
	}
	n.Finish()
	if msg, ok := n.Broken("binary.yaml"); !ok || !strings.Contains(msg, "binary file") {
		t.Errorf("Broken(binary.yaml) = %q, %v; want the binary-file problem", msg, ok)
	}
	if _, ok := n.Broken("edited.yaml"); ok {
		t.Error("edited.yaml is readable, yet broken")
	}
	if len(n.Profiles()) != 1 || n.Profiles()[0].File != "edited.yaml" {
		t.Errorf("profiles = %v, want edited.yaml's one", views(t, n.Profiles()))
	}
}

// Mentioning extracts only the files whose text holds a token, and skips
// those it is told were read already.
func TestMentioning(t *testing.T) {
	root := t.TempDir()
	for name, content := range map[string]string{
		"a.yaml": "database:\n  host: orders-db.internal\n  port: 5432\n",
		"b.yaml": "database:\n  host: billing-db.internal\n  port: 5432\n",
		"c.yaml": "database:\n  host: orders-db.internal\n  port: 6432\n",
	} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src, err := scan.NewDir(root, config.Default())
	if err != nil {
		t.Fatal(err)
	}
	s := scan.NewSide(src, nil, nil)
	ps, err := s.Mentioning(context.Background(), []string{"a.yaml", "b.yaml", "c.yaml"}, []string{"c.yaml"}, []string{"orders-db.internal"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].File != "a.yaml" {
		t.Errorf("profiles = %v, want a.yaml's only", views(t, ps))
	}
	if len(s.Profiles()) != 0 {
		t.Errorf("Mentioning added %d profiles to the side", len(s.Profiles()))
	}
}
