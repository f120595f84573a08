package config_test

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/config"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixtures returns the YAML files of one testdata directory.
func fixtures(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no fixtures in testdata/%s", dir)
	}
	return files
}

// golden compares got with the golden file, or rewrites it under -update.
func golden(t *testing.T, file, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("read golden (run go test -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("mismatch with %s (run go test -update to accept)\n--- got\n%s--- want\n%s", file, got, want)
	}
}

// Every invalid fixture fails with exactly the text of its .err file, and
// every problem in it is an *Error naming the file.
func TestInvalidFixtures(t *testing.T) {
	t.Parallel()
	for _, file := range fixtures(t, "invalid") {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Parse("dbguard.yaml", data)
			if err == nil {
				t.Fatalf("Parse succeeded, want an error")
			}
			if cfg != nil {
				t.Errorf("Parse returned a config together with an error")
			}
			for _, e := range flatten(err) {
				var ce *config.Error
				if !errors.As(e, &ce) {
					t.Errorf("problem %q is %T, want *config.Error", e, e)
					continue
				}
				if ce.Pos.File != "dbguard.yaml" {
					t.Errorf("problem %q names file %q", e, ce.Pos.File)
				}
			}
			golden(t, strings.TrimSuffix(file, ".yaml")+".err", err.Error()+"\n")
		})
	}
}

// Every valid fixture decodes to the configuration in its .json file.
func TestValidFixtures(t *testing.T) {
	t.Parallel()
	for _, file := range fixtures(t, "valid") {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg, err := config.Load(file)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if err := cfg.Validate(); err != nil {
				t.Errorf("Validate after Load: %v", err)
			}
			got, err := json.MarshalIndent(cfg, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, strings.TrimSuffix(file, ".yaml")+".json", string(got)+"\n")
		})
	}
}

// flatten undoes errors.Join.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestLoadMissingFile(t *testing.T) {
	t.Parallel()
	_, err := config.Load(filepath.Join(t.TempDir(), "dbguard.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Load of a missing file: %v, want an error wrapping os.ErrNotExist", err)
	}
}

func TestLoadNamesThePath(t *testing.T) {
	t.Parallel()
	path := filepath.Join("testdata", "invalid", "unknown-top-key.yaml")
	_, err := config.Load(path)
	want := path + `:2:1: unknown key "exlude" at top level (known: version, environments, exclude, replicas, services, rules, inventory, review, store, watch, incidents)`
	if err == nil || err.Error() != want {
		t.Fatalf("Load error = %v\nwant %s", err, want)
	}
}

func TestDefaultIsValid(t *testing.T) {
	t.Parallel()
	c := config.Default()
	if c.Version != config.CurrentVersion {
		t.Errorf("Default().Version = %d, want %d", c.Version, config.CurrentVersion)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Default().Validate() = %v", err)
	}
}

// A configuration built in code is validated as strictly as one read from
// a file, and all its problems come back at once.
func TestValidateBuiltInCode(t *testing.T) {
	t.Parallel()
	c := &config.Config{
		Version: 1,
		Environments: []config.EnvironmentOverride{
			{Path: config.Glob{Pattern: "a/**"}, Environment: "prod"},
		},
		Exclude:  []config.Glob{{Pattern: "["}},
		Replicas: []config.ReplicaOverride{{Profile: config.Glob{Pattern: "x"}, Replicas: 0}},
	}
	err := c.Validate()
	if got := len(flatten(err)); got != 3 {
		t.Fatalf("Validate found %d problems, want 3: %v", got, err)
	}
}

func TestNilConfig(t *testing.T) {
	t.Parallel()
	var c *config.Config
	if env, ok := c.EnvironmentFor("a.yaml"); ok || env != "" {
		t.Errorf("nil EnvironmentFor = %q, %v", env, ok)
	}
	if c.Excluded("a.yaml") {
		t.Error("nil Excluded = true")
	}
	if n, ok := c.ReplicasFor("a.yaml#x", "x"); ok || n != 0 {
		t.Errorf("nil ReplicasFor = %d, %v", n, ok)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("nil Validate = %v", err)
	}
}

func TestLookups(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(filepath.Join("testdata", "valid", "full.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	envs := []struct {
		path, env string
		ok        bool
	}{
		{"deploy/prod/values.yaml", "production", true},
		{"deploy/prod/eu/west/values.yaml", "production", true},
		{"deploy/staging/app.env", "staging", true},
		{"docker-compose.yml", "development", true},
		{"deploy/prod/docker-compose.yml", "production", true}, // first match wins
		{"services/orders/config/test.yaml", "test", true},
		{"services/orders/deep/config/test.yaml", "", false},
		{"deploy/production/values.yaml", "", false},
		{"Deploy/prod/values.yaml", "", false}, // case-sensitive
	}
	for _, tc := range envs {
		env, ok := cfg.EnvironmentFor(tc.path)
		if env != tc.env || ok != tc.ok {
			t.Errorf("EnvironmentFor(%q) = %q, %v; want %q, %v", tc.path, env, ok, tc.env, tc.ok)
		}
	}
	excluded := map[string]bool{
		"vendor":                           true, // the directory itself, so a walker can skip it
		"vendor/github.com/x/config.yml":   true,
		"web/node_modules/pg/package.json": true,
		"node_modules":                     true,
		"testdata/a/b/c.yaml":              true,
		"testdata/c.yml":                   false,
		"vendored/config.yml":              false,
		"config/database.yml":              false,
	}
	for p, want := range excluded {
		if got := cfg.Excluded(p); got != want {
			t.Errorf("Excluded(%q) = %v, want %v", p, got, want)
		}
	}
	reps := []struct {
		id, name string
		n        int
		ok       bool
	}{
		{"deploy/prod/values.yaml#database", "database", 6, true},
		{"services/orders/.env#DATABASE_URL", "orders-db", 3, true},
		{"services/orders/.env#DATABASE_URL", "", 0, false},
		{"config/database.yml#production", "production", 0, false},
	}
	for _, tc := range reps {
		n, ok := cfg.ReplicasFor(tc.id, tc.name)
		if n != tc.n || ok != tc.ok {
			t.Errorf("ReplicasFor(%q, %q) = %d, %v; want %d, %v", tc.id, tc.name, n, ok, tc.n, tc.ok)
		}
	}
}

func TestSectionsListed(t *testing.T) {
	t.Parallel()
	var names []string
	for _, s := range config.Sections() {
		if s.Summary == "" {
			t.Errorf("section %q has no summary", s.Name)
		}
		names = append(names, s.Name)
	}
	if got, want := strings.Join(names, ","), "environments,exclude,replicas,services,rules,inventory,review,store,watch,incidents"; got != want {
		t.Errorf("Sections() = %s, want %s", got, want)
	}
}

// Aliases are followed only where the schema expects a value, so a
// "billion laughs" document costs nothing to reject.
func TestAliasBomb(t *testing.T) {
	t.Parallel()
	doc := "version: 1\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		doc += name + ": &" + name + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n"
		prev = name
	}
	doc += "exclude: *i\nenvironments: *i\n"
	_, err := config.Parse("dbguard.yaml", []byte(doc))
	if err == nil {
		t.Fatal("Parse accepted an alias bomb")
	}
	if n := len(flatten(err)); n > 100 {
		t.Errorf("Parse reported %d problems; aliases were expanded", n)
	}
}
