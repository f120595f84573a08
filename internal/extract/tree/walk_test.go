package tree_test

import (
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/extract/tree"
)

func TestWalkFlatten(t *testing.T) {
	t.Parallel()
	doc, err := tree.ParseJSON([]byte(`{"a": {"b": [{"c": 1}, 2, [3]]}, "d": null, "e": "x"}`))
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, l := range tree.Flatten(doc.Root) {
		paths = append(paths, l.Path+"="+l.Node.Value)
	}
	want := "a.b[0].c=1 a.b[1]=2 a.b[2][0]=3 d=null e=x"
	if got := strings.Join(paths, " "); got != want {
		t.Errorf("Flatten\n got %s\nwant %s", got, want)
	}
	// Returning false skips a subtree.
	var visited []string
	tree.Walk(doc.Root, func(p []string, n *tree.Node) bool {
		visited = append(visited, tree.JoinPath(p))
		return tree.JoinPath(p) != "a"
	})
	if got := strings.Join(visited, ","); got != ",a,d,e" {
		t.Errorf("visited %s", got)
	}
	if got := tree.JoinPath([]string{"x", "[12]", "y"}); got != "x[12].y" {
		t.Errorf("JoinPath %s", got)
	}
	tree.Walk(nil, func([]string, *tree.Node) bool { t.Error("called on nil"); return true })
}

func TestClone(t *testing.T) {
	t.Parallel()
	doc, _ := tree.ParseJSON([]byte(`{"a": {"b": "c"}}`))
	c := doc.Root.Clone()
	c.Get("a").Get("b").Value = "changed"
	c.Get("a").Children = append(c.Get("a").Children, &tree.Node{Key: "new"})
	if doc.Root.Path("a", "b").Value != "c" || len(doc.Root.Get("a").Children) != 1 {
		t.Error("Clone shares nodes with the original")
	}
	if c.Path("a", "b").Line != 1 || c.Path("a", "b").KeyCol != doc.Root.Path("a", "b").KeyCol {
		t.Error("Clone lost positions")
	}
	if (*tree.Node)(nil).Clone() != nil {
		t.Error("nil clone")
	}
}

func TestChildrenAppendDoesNotAlias(t *testing.T) {
	t.Parallel()
	// Children slices come from a shared block: appending to one must not
	// overwrite a sibling's.
	doc, _ := tree.ParseJSON([]byte(`[[1], [2]]`))
	first := doc.Root.Children[0]
	first.Children = append(first.Children, &tree.Node{Value: "x"})
	if doc.Root.Children[1].Children[0].Value != "2" {
		t.Error("append to one Children slice changed another")
	}
}
