package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dbguard/dbguard/internal/config"
)

// FuzzParse checks that no input makes Parse panic, and that it returns
// exactly one of a configuration and an error. A configuration it returns
// must validate and answer lookups.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"valid", "invalid"} {
		files, err := filepath.Glob(filepath.Join("testdata", dir, "*.yaml"))
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := config.Parse("dbguard.yaml", data)
		switch {
		case err != nil && cfg != nil:
			t.Fatalf("Parse returned both a config and %v", err)
		case err == nil && cfg == nil:
			t.Fatal("Parse returned neither a config nor an error")
		case err != nil:
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("Parse accepted a config that Validate rejects: %v", err)
		}
		for _, p := range []string{"", "a", "deploy/prod/x.yaml", "a/b/c/d/e/f"} {
			cfg.EnvironmentFor(p)
			cfg.Excluded(p)
			cfg.ReplicasFor(p, p)
		}
	})
}
