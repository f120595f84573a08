package tree_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/testenv"
)

// The fast YAML reader must give exactly the yaml.v3 path's tree wherever
// it accepts a file; these tests hold the two paths against each other.

// diffYAML returns "" when the fast path refuses data or builds the tree
// the yaml.v3 path builds, and otherwise the first difference.
func diffYAML(data []byte) (accepted bool, diff string) {
	fast, ok := tree.ParseYAMLFast(data)
	if !ok {
		return false, ""
	}
	lib, err := tree.ParseYAMLLib(data)
	if err != nil {
		return true, "fast path accepted a file yaml.v3 refuses: " + err.Error()
	}
	if len(fast) != len(lib) {
		return true, "documents: fast " + strconv.Itoa(len(fast)) + ", yaml.v3 " + strconv.Itoa(len(lib))
	}
	for i := range fast {
		if fast[i].Index != lib[i].Index || len(fast[i].Problems) != len(lib[i].Problems) {
			return true, "document " + strconv.Itoa(i) + ": index or problems differ"
		}
		if d := diffNode("$", fast[i].Root, lib[i].Root); d != "" {
			return true, d
		}
	}
	return true, ""
}

func diffNode(path string, a, b *tree.Node) string {
	if a == nil || b == nil {
		if a != b {
			return path + ": one tree has no node"
		}
		return ""
	}
	type view struct {
		Kind            tree.Kind
		Type            tree.Type
		Key, Value      string
		Quoted          bool
		Line, Col       int
		KeyLine, KeyCol int
		Comment         string
		Children        int
	}
	va := view{a.Kind, a.Type, a.Key, a.Value, a.Quoted, a.Line, a.Col, a.KeyLine, a.KeyCol, a.Comment, len(a.Children)}
	vb := view{b.Kind, b.Type, b.Key, b.Value, b.Quoted, b.Line, b.Col, b.KeyLine, b.KeyCol, b.Comment, len(b.Children)}
	if va != vb {
		return fmt.Sprintf("%s: fast %+v, yaml.v3 %+v", path, va, vb)
	}
	for i := range a.Children {
		p := path + "[" + strconv.Itoa(i) + "]"
		if a.Kind == tree.Map {
			p = path + "." + a.Children[i].Key
		}
		if d := diffNode(p, a.Children[i], b.Children[i]); d != "" {
			return d
		}
	}
	return ""
}

func TestYAMLFastCases(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		in     string
		accept bool
	}{
		{"empty", "", true},
		{"comments only", "# a\n\n  # b\n", true},
		{"flat", "host: db\nport: 5432\n", true},
		{"no final newline", "host: db\nport: 5432", true},
		{"crlf", "a:\r\n  b: 1\r\n  c: x # note\r\n", true},
		{"bom", "\xef\xbb\xbfhost: db\n", true},
		{"leading document marker", "# head\n---\na: 1\n", true},
		{"marker with spaces", "---   \na: 1\n", true},
		{"nested", "a:\n  b:\n    c: 1\n  d: 2\ne: 3\n", true},
		{"indented root", "  a: 1\n  b: 2\n", true},
		{"empty values", "a:\nb:   # c\nc:\n", true},
		{"empty at end", "a:\n  b:", true},
		{"duplicate keys", "a: 1\na: 2\n", true},
		{"sequence", "- a\n- 1\n-\n- \"q\"\n", true},
		{"indentless sequence", "a:\n- x\n- y\nb: 1\n", true},
		{"indented sequence", "a:\n  - x\n  - y\nb: 1\n", true},
		{"compact mappings", "- name: a\n  port: 1\n-   name: b\n    port: 2\n", true},
		{"compact nested", "- a:\n  - x\n  b:\n    c: 1\n- d:\n", true},
		{"dash then mapping", "-\n  a: 1\n  b: 2\n- x\n", true},
		{"quoted keys", "\"a b\": 1\n'c''d': 2\n\"\": 3\n", true},
		{"single quote escape", "a: 'it''s'\nb: ''\nc: '#x'\n", true},
		{"double quoted", "a: \"x # y\"\nb: \"\"\nc: \"5432\" # port\n", true},
		{"plain with colons and hashes", "url: postgres://u@h:5432/d?x=1#frag\nb: a#b\nc: a  b   # c\n", true},
		{"unicode", "stadt: Zürich – ß\n\"ü\": 'ö'\nk: 日本 # 語\nl:\n  - \"é\"\n", true},
		{"types", "a: ~\nb: null\nc: Null\nd: NULL\ne: true\nf: False\ng: TRUE\nh: yes\ni: no\nj: on\nk: off\nl: 0\nm: -7\nn: 1.5\no: -0.25\np: 10.0.0.1\nq: 8080:80\nr: 30s\ns: nil\nt: tru\nu: .env\nv: -verbose\nw: 5m\nx: 1.2.3\ny: 123456789012345678\n", true},
		{"comments everywhere", "# head\na: # after key\n# col 0\n  b: 1 # after value\n      # deep\n  c:\n  # before entry\n  - x # entry\n# between\n  - y\n\n# foot\nd: 2\n# end", true},
		{"trailing spaces", "a: b   \nc:    \n", true},
		{"key spaces", "my key  : v\n", true},
		{"long key", strings.Repeat("k", 1100) + ": v\n", false},
		{"tab", "a:\tb\n", false},
		{"lone cr", "a: 1\rb: 2\n", false},
		{"two documents", "a: 1\n---\nb: 2\n", false},
		{"two markers", "---\n---\na: 1\n", false},
		{"marker with content", "--- a: 1\n", false},
		{"document end", "a: 1\n...\n", false},
		{"directive", "%YAML 1.2\n---\na: 1\n", false},
		{"flow", "a: [1, 2]\n", false},
		{"flow map", "a: {b: 1}\n", false},
		{"anchor", "a: &x 1\nb: *x\n", false},
		{"tag", "a: !!str 1\n", false},
		{"merge", "a:\n  b: 1\nc:\n  <<: 1\n", false},
		{"block scalar", "a: |\n  x\n", false},
		{"folded", "a: >\n  x\n", false},
		{"continuation", "a: b\n  c\n", false},
		{"quoted continuation", "a: \"b\n  c\"\n", false},
		{"complex key", "? a\n: b\n", false},
		{"escape", "a: \"x\\ty\"\n", false},
		{"mapping in value", "a: b: c\n", false},
		{"dash in value", "a: - x\n", false},
		{"sequence of sequences", "- - x\n", false},
		{"dash then sequence", "-\n  - x\n", false},
		{"bad indent", "a:\n  b: 1\n c: 2\n", false},
		{"deeper sibling", "a: 1\n  b: 2\n", false},
		{"scalar root", "hello\n", false},
		{"entry after value", "a: 1\n- b\n", false},
		{"at sign", "a: @x\n", false},
		{"backquote", "a: `x`\n", false},
		{"hex", "a: 0x1F\n", false},
		{"octal", "a: 0755\n", false},
		{"exponent", "a: 1e3\n", false},
		{"underscore", "a: 1_000\n", false},
		{"plus", "a: +1\n", false},
		{"inf", "a: .inf\n", false},
		{"date", "a: 2024-01-15\n", false},
		{"after quote", "a: \"x\" y\n", false},
		{"nul", "a: \x00\n", false},
		{"nel", "a: x\u0085y\n", false},
		{"unterminated", "a: \"x\n", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			accepted, d := diffYAML([]byte(c.in))
			if d != "" {
				t.Fatalf("%q: %s", c.in, d)
			}
			if accepted != c.accept {
				t.Errorf("%q: fast path accepted = %v, want %v", c.in, accepted, c.accept)
			}
		})
	}
}

// yamlFiles returns the .yaml and .yml files under dir.
func yamlFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			out = append(out, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// syntheticYAML writes the synthetic corpus's 2,000 files (seed 7) and
// returns the YAML ones.
func syntheticYAML(t testing.TB) []string {
	t.Helper()
	return yamlFiles(t, testenv.SyntheticCorpus(t, 2000, 7))
}

// yamlSources lists the folders of YAML files the differential tests read,
// relative to this package.
var yamlSources = []string{
	"testdata",
	filepath.Join("..", "testdata"),
	filepath.Join("..", "..", "cli", "testdata"),
	filepath.Join("..", "..", "..", "examples"),
}

func TestYAMLFastCorpus(t *testing.T) {
	t.Parallel()
	check := func(t *testing.T, files []string, minShare float64) {
		t.Helper()
		accepted := 0
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			ok, d := diffYAML(data)
			if d != "" {
				t.Errorf("%s: %s", f, d)
			}
			if ok {
				accepted++
			}
			if _, d := diffYAML(crlf(data)); d != "" {
				t.Errorf("%s with CRLF line ends: %s", f, d)
			}
		}
		t.Logf("fast path accepted %d of %d files", accepted, len(files))
		if len(files) > 0 && float64(accepted) < minShare*float64(len(files)) {
			t.Errorf("fast path accepted %d of %d files, want at least %.0f%%", accepted, len(files), 100*minShare)
		}
	}
	for _, dir := range yamlSources {
		t.Run(filepath.ToSlash(dir), func(t *testing.T) {
			t.Parallel()
			check(t, yamlFiles(t, dir), 0)
		})
	}
	t.Run("real-world", func(t *testing.T) {
		t.Parallel()
		check(t, yamlFiles(t, filepath.Join(testenv.SharedDir(t), "corpus", "real-world")), 0)
	})
	t.Run("synthetic", func(t *testing.T) {
		t.Parallel()
		check(t, syntheticYAML(t), 0.95)
	})
}

// FuzzYAMLFast holds the fast path against yaml.v3: whatever the fast path
// accepts, yaml.v3 accepts too and reads into the same tree.
func FuzzYAMLFast(f *testing.F) {
	seed(f, ".yaml", ".yml")
	for _, dir := range yamlSources[1:] {
		for _, name := range yamlFiles(f, dir) {
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	if shared := sharedDir(); shared != "" {
		for _, name := range yamlFiles(f, filepath.Join(shared, "corpus", "real-world")) {
			if data, err := os.ReadFile(name); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("- a:\n  - x\n  b:\n    c: 1\n- d:\n"))
	f.Add([]byte("a: 'it''s'\nb: \"x # y\"\nc: 10.0.0.1 # ip\nd: -1.5\ne:\n- ~\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, d := diffYAML(data); d != "" {
			t.Fatalf("%q: %s", data, d)
		}
		if bytes.Contains(data, []byte{'\t'}) {
			if _, ok := tree.ParseYAMLFast(data); ok {
				t.Fatal("fast path accepted a tab")
			}
		}
	})
}

// sharedDir is ../shared beside the checkout, or "" when absent; the fuzz
// target seeds from it when it can and runs without it otherwise.
func sharedDir() string {
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "..", "shared"))
	if err != nil {
		return ""
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return ""
	}
	return dir
}

// yamlScalars and yamlLineShapes are the pieces FuzzYAMLFastGrammar builds
// documents from: mostly inside the fast path's subset, some just outside,
// so that random indentation and nesting are tried on accepted files.
var (
	yamlScalars = []string{
		"a", "host", "b c", "\"q\"", "'s''t'", "''", "\"\"", "5432", "-1", "0", "1.5", "-0.5", "~", "null",
		"NULL", "true", "False", "yes", "off", "10.0.0.1", "8080:80", "30s", "0x1F", "08", "1e3", "1_0",
		"2024-01-15", ".5", ".env", "-.inf", "+1", "Zürich", "日本", "a#b", "a # c", "x:y", "a: b", "&x",
		"*x", "!t", "[1]", "{a: 1}", "|", ">", "? k", "\"a\\tb\"", "'open", "@x", "<<", "-", "- x", "%",
		"${DB_PASSWORD}", "postgres://u@h:5432/d?sslmode=require",
	}
	yamlLineShapes = []string{"K: V", "K:", "- V", "- K: V", "- K:", "-", "# c", "", "K: V # c", "V", "---", "K : V"}
)

// FuzzYAMLFastGrammar reads the fuzz input as choices: each three bytes
// make a line of a shape, an indentation and a scalar.
func FuzzYAMLFastGrammar(f *testing.F) {
	f.Add([]byte{0, 0, 1, 2, 1, 2, 3, 2, 5, 5, 2, 9})
	f.Add([]byte{1, 0, 0, 3, 2, 1, 1, 2, 4, 0, 0, 7, 2, 2, 2})
	f.Fuzz(func(t *testing.T, choices []byte) {
		data := grammarYAML(choices)
		if _, d := diffYAML(data); d != "" {
			t.Fatalf("%q: %s", data, d)
		}
	})
}

// grammarYAML builds a document from choices, three bytes a line.
func grammarYAML(choices []byte) []byte {
	var b strings.Builder
	for i := 0; i+2 < len(choices); i += 3 {
		shape := yamlLineShapes[int(choices[i])%len(yamlLineShapes)]
		indent := int(choices[i+1] % 7)
		k := yamlScalars[int(choices[i+1]/7)%len(yamlScalars)]
		v := yamlScalars[int(choices[i+2])%len(yamlScalars)]
		if choices[i+2] >= 128 {
			k = "key" + strconv.Itoa(int(choices[i+2])%5)
		}
		b.WriteString(strings.Repeat(" ", indent))
		b.WriteString(strings.NewReplacer("K", k, "V", v).Replace(shape))
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// The grammar's documents, drawn with a fixed seed: a deterministic share
// of what FuzzYAMLFastGrammar explores.
func TestYAMLFastGrammar(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 7))
	accepted, total := 0, 20000
	for range total {
		choices := make([]byte, 3*(1+rng.IntN(12)))
		for i := range choices {
			choices[i] = byte(rng.IntN(256))
		}
		// Most lines are mapping entries and sequence items, indented
		// by two, with scalars from the start of the list.
		for i := 0; i < len(choices); i += 3 {
			choices[i] %= byte(4 + rng.IntN(len(yamlLineShapes)-3))
			if rng.IntN(4) > 0 {
				choices[i+1] = byte(7*rng.IntN(30) + 2*rng.IntN(3))
				choices[i+2] = byte(rng.IntN(20) + 128*rng.IntN(2))
			}
		}
		data := grammarYAML(choices)
		ok, d := diffYAML(data)
		if d != "" {
			t.Fatalf("%q: %s", data, d)
		}
		if ok {
			accepted++
		}
	}
	t.Logf("fast path accepted %d of %d generated documents", accepted, total)
}
