package scan_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dbguard/dbguard/internal/config"
	"github.com/dbguard/dbguard/internal/scan"
)

// TestFileArgNames: a file named on the command line is reported under the
// path as given, cleaned and slash-separated, so that two files of one name
// in different folders stay apart (`scan a/x.yaml b/x.yaml` used to
// report both as x.yaml); files found in a folder keep names
// relative to it.
func TestFileArgNames(t *testing.T) {
	root := t.TempDir()
	conf := []byte("database:\n  host: db\n  user: app\n  password: ${P}\n")
	for _, f := range []string{"a/x.yaml", "b/x.yaml", "x.yaml", "c/d/x.yaml"} {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, conf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(filepath.Join(root, "a"))
	abs := filepath.Join(root, "x.yaml")
	args := []string{"x.yaml", "../b/x.yaml", "./../b//x.yaml", abs, "../c"}
	want := []string{"x.yaml", "../b/x.yaml", "../b/x.yaml", filepath.ToSlash(abs), "d/x.yaml"}
	res, err := scan.Run(context.Background(), scan.Options{Paths: args})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range res.Profiles {
		got = append(got, p.File)
	}
	if !slices.Equal(got, want) {
		t.Errorf("files = %q, want %q", got, want)
	}
	for i, a := range args[:4] {
		if n := scan.ArgName(a); n != want[i] {
			t.Errorf("ArgName(%q) = %q, want %q", a, n, want[i])
		}
	}
}

// TestFileArgConfigPaths: dbguard.yaml's environment globs match a file
// named on the command line by the path as given (deploy/prod/**, as
// scanning the current folder names it) and still by its base name, as
// they did when that was its name.
func TestFileArgConfigPaths(t *testing.T) {
	root := t.TempDir()
	conf := []byte("database:\n  host: db\n  user: app\n  password: ${P}\n")
	for _, f := range []string{"deploy/prod/app.yaml", "deploy/other/values-live.yaml", "deploy/other/plain.yaml"} {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, conf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(root)
	cfg, err := config.Parse("dbguard.yaml", []byte("version: 1\nenvironments:\n"+
		"  - path: deploy/prod/**\n    environment: production\n"+
		"  - path: values-live.yaml\n    environment: staging\n"))
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"deploy/prod/app.yaml", "deploy/other/values-live.yaml", "deploy/other/plain.yaml"}
	res, err := scan.Run(context.Background(), scan.Options{Paths: args, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range res.Profiles {
		got = append(got, p.File+"="+string(p.Environment)+"/"+p.EnvironmentFrom)
	}
	want := []string{"deploy/prod/app.yaml=production/dbguard.yaml", "deploy/other/values-live.yaml=staging/dbguard.yaml", "deploy/other/plain.yaml=unknown/"}
	if !slices.Equal(got, want) {
		t.Errorf("environments = %q, want %q", got, want)
	}
}
