package gencorpus_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/testenv/gencorpus"
)

// The same options give the same files and manifest; another seed gives
// other files.
func TestWriteDeterministic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, seed uint64) []byte {
		out := filepath.Join(dir, name)
		if _, err := gencorpus.Write(out, gencorpus.Options{Files: 300, Seed: seed}); err != nil {
			t.Fatal(err)
		}
		var all bytes.Buffer
		err := filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			all.WriteString(p[len(out):] + "\n")
			all.Write(b)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		m, err := os.ReadFile(gencorpus.ManifestPath(out))
		if err != nil {
			t.Fatal(err)
		}
		all.Write(m)
		return all.Bytes()
	}
	a, b, c := write("a", 7), write("b", 7), write("c", 8)
	if !bytes.Equal(a, b) {
		t.Error("two corpora of one seed differ")
	}
	if bytes.Equal(a, c) {
		t.Error("corpora of seeds 7 and 8 are the same")
	}
}

// Every format and every violation kind is present, the manifest lists
// every file written and nothing else, and the share of violators is the
// rate asked for.
func TestWriteVariety(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "corpus")
	sum, err := gencorpus.Write(out, gencorpus.Options{Files: 2000, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{"yaml", "json", "toml", "env", "properties"} {
		if sum.ByFormat[ext] < 100 {
			t.Errorf("%d .%s files of 2,000, want at least 100", sum.ByFormat[ext], ext)
		}
	}
	if sum.Violators != 100 {
		t.Errorf("%d files with violations, want 100 (5%% of 2,000)", sum.Violators)
	}
	entries, err := gencorpus.ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2000 {
		t.Fatalf("manifest has %d lines, want 2,000", len(entries))
	}
	kinds := map[string]int{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(e.File)))
		if err != nil {
			t.Fatalf("manifest names %s: %v", e.File, err)
		}
		for _, k := range e.Violations {
			kinds[k]++
		}
		// A compliant file holds no literal password: only references.
		if len(e.Violations) == 0 && strings.Contains(string(b), "password: ") &&
			!strings.Contains(string(b), "password: ${DB_PASSWORD}") && !strings.Contains(string(b), "password: \"${DB_PASSWORD}\"") {
			t.Errorf("%s is compliant but has a password value:\n%s", e.File, b)
		}
	}
	for _, k := range gencorpus.Violations {
		if kinds[k] < 10 {
			t.Errorf("violation %s planted %d times, want at least 10", k, kinds[k])
		}
	}
	n := 0
	err = filepath.WalkDir(out, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil || n != 2000 {
		t.Errorf("walk found %d files (%v), want 2,000", n, err)
	}
}

func TestWriteRejectsBadOptions(t *testing.T) {
	t.Parallel()
	if _, err := gencorpus.Write(filepath.Join(t.TempDir(), "x"), gencorpus.Options{Files: 10, ViolationRate: 2}); err == nil {
		t.Error("a violation rate of 2 was accepted")
	}
}
