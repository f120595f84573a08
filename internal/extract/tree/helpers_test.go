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

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// lines splits a file as the parsers count lines: a leading byte order
// mark is not text, "\n" ends a line and a "\r" before it is dropped.
func lines(data []byte) []string {
	s := strings.TrimPrefix(string(data), "\xef\xbb\xbf")
	ls := strings.Split(s, "\n")
	for i, l := range ls {
		ls[i] = strings.TrimSuffix(l, "\r")
	}
	return ls
}

// textAt returns the text of data from 1-based line and rune column on.
func textAt(data []byte, line, col int) (string, bool) {
	ls := lines(data)
	if line < 1 || line > len(ls) {
		return "", false
	}
	r := []rune(ls[line-1])
	if col < 1 || col > len(r)+1 {
		return "", false
	}
	return string(r[col-1:]), true
}

// find returns the first node at a joined path, as Walk and JoinPath
// spell it.
func find(root *tree.Node, path string) *tree.Node {
	var found *tree.Node
	tree.Walk(root, func(p []string, n *tree.Node) bool {
		if found == nil && tree.JoinPath(p) == path {
			found = n
		}
		return found == nil
	})
	return found
}

// posCase says what a node at a path holds and what text starts where its
// value and its key are said to start.
type posCase struct {
	path   string
	value  string
	typ    tree.Type
	quoted bool
	at     string // text expected at Line/Col
	keyAt  string // text expected at KeyLine/KeyCol; "" to skip
}

func checkPositions(t *testing.T, data []byte, root *tree.Node, cases []posCase) {
	t.Helper()
	for _, c := range cases {
		n := find(root, c.path)
		if n == nil {
			t.Errorf("%s: not found", c.path)
			continue
		}
		if n.Kind == tree.Scalar || n.Kind == tree.Null {
			if n.Value != c.value {
				t.Errorf("%s: value %q, want %q", c.path, n.Value, c.value)
			}
			if n.Type != c.typ {
				t.Errorf("%s: type %d, want %d", c.path, n.Type, c.typ)
			}
			if n.Quoted != c.quoted {
				t.Errorf("%s: quoted %v, want %v", c.path, n.Quoted, c.quoted)
			}
		}
		got, ok := textAt(data, n.Line, n.Col)
		if !ok || !strings.HasPrefix(got, c.at) {
			t.Errorf("%s: at %d:%d is %q, want it to start with %q", c.path, n.Line, n.Col, got, c.at)
		}
		if c.keyAt != "" {
			got, ok := textAt(data, n.KeyLine, n.KeyCol)
			if !ok || !strings.HasPrefix(got, c.keyAt) {
				t.Errorf("%s: key at %d:%d is %q, want it to start with %q", c.path, n.KeyLine, n.KeyCol, got, c.keyAt)
			}
		}
	}
}

// checkBounds is the property every parser keeps on every input: each
// position lies inside the input (a column may point just past the end of
// its line, where an empty value would start).
func checkBounds(t testing.TB, data []byte, root *tree.Node) {
	t.Helper()
	ls := lines(data)
	ok := func(line, col int) bool {
		if line < 1 || line > len(ls) {
			return false
		}
		return col >= 1 && col <= utf8.RuneCountInString(ls[line-1])+1
	}
	tree.Walk(root, func(p []string, n *tree.Node) bool {
		if !ok(n.Line, n.Col) {
			t.Fatalf("%s: position %d:%d outside the input (%d lines)", tree.JoinPath(p), n.Line, n.Col, len(ls))
		}
		if n.KeyLine != 0 && !ok(n.KeyLine, n.KeyCol) {
			t.Fatalf("%s: key position %d:%d outside the input", tree.JoinPath(p), n.KeyLine, n.KeyCol)
		}
		return true
	})
}

// crlf rewrites a file with Windows line ends.
func crlf(data []byte) []byte {
	return bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
}
