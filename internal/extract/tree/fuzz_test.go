package tree_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dbguard/dbguard/internal/extract/tree"
)

// seed adds every testdata file (errors included) whose name ends in one
// of exts, so that each fuzz target starts from real configuration.
func seed(f *testing.F, exts ...string) {
	f.Helper()
	for _, dir := range []string{"testdata", "testdata/errors", "testdata/bench"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range entries {
			for _, x := range exts {
				if !e.IsDir() && strings.HasSuffix(e.Name(), x) {
					data, err := os.ReadFile(filepath.Join(dir, e.Name()))
					if err != nil {
						f.Fatal(err)
					}
					f.Add(data)
				}
			}
		}
	}
}

func FuzzParseYAML(f *testing.F) {
	seed(f, ".yaml", ".yml")
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := tree.ParseYAML(data)
		if err != nil {
			return
		}
		for _, d := range docs {
			checkBounds(t, data, d.Root)
		}
	})
}

func FuzzParseJSON(f *testing.F) {
	seed(f, ".json")
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := tree.ParseJSON(data)
		if err == nil && doc.Root != nil {
			checkBounds(t, data, doc.Root)
		}
	})
}

func FuzzParseTOML(f *testing.F) {
	seed(f, ".toml")
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := tree.ParseTOML(data)
		if err == nil {
			checkBounds(t, data, doc.Root)
		}
	})
}

func FuzzParseEnv(f *testing.F) {
	seed(f, ".env")
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, _ := tree.ParseEnv(data)
		checkBounds(t, data, doc.Root)
		checkProblems(t, data, doc.Problems)
	})
}

func FuzzParseProperties(f *testing.F) {
	seed(f, ".properties")
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, _ := tree.ParseProperties(data)
		if !utf8.Valid(data) {
			// Read as Latin-1: one column per byte.
			data = latin1(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
		}
		checkBounds(t, data, doc.Root)
		checkProblems(t, data, doc.Problems)
	})
}

func FuzzParseINI(f *testing.F) {
	seed(f, ".ini", ".cnf")
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, _ := tree.ParseINI(data)
		checkBounds(t, data, doc.Root)
		checkProblems(t, data, doc.Problems)
	})
}

func checkProblems(t *testing.T, data []byte, problems []*tree.SyntaxError) {
	t.Helper()
	n := len(lines(data))
	for _, p := range problems {
		if p.Line < 1 || p.Line > n {
			t.Fatalf("problem %v outside the input (%d lines)", p, n)
		}
	}
}

func latin1(data []byte) []byte {
	out := make([]byte, 0, len(data)*2)
	for _, c := range data {
		out = utf8.AppendRune(out, rune(c))
	}
	return out
}
