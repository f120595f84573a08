package tree

import "strconv"

// Walk visits n and its descendants depth-first, in document order,
// passing the key path from n: a map entry adds its key, a sequence item
// "[i]". When fn returns false the node's children are skipped. The path
// slice is reused between calls; copy it to keep it.
func Walk(n *Node, fn func(path []string, n *Node) bool) {
	if n == nil {
		return
	}
	path := make([]string, 0, 8)
	walk(n, path, fn)
}

func walk(n *Node, path []string, fn func([]string, *Node) bool) {
	if !fn(path, n) {
		return
	}
	for i, c := range n.Children {
		var p []string
		if n.Kind == Seq {
			p = append(path, index(i))
		} else {
			p = append(path, c.Key)
		}
		walk(c, p, fn)
	}
}

// smallIndexes spells the first ten sequence positions, sliced without
// allocating because config sequences are short and Walk runs per file.
const smallIndexes = "[0][1][2][3][4][5][6][7][8][9]"

func index(i int) string {
	if i < 10 {
		return smallIndexes[i*3 : i*3+3]
	}
	return "[" + strconv.Itoa(i) + "]"
}

// JoinPath spells a Walk path as a.b[0].c, the form findings and CEL rules
// use to name a setting.
func JoinPath(path []string) string {
	size := 0
	for _, p := range path {
		size += len(p) + 1
	}
	b := make([]byte, 0, size)
	for i, p := range path {
		if i > 0 && (len(p) == 0 || p[0] != '[') {
			b = append(b, '.')
		}
		b = append(b, p...)
	}
	return string(b)
}

// Leaf is a scalar (or null) with its joined path.
type Leaf struct {
	Path string
	Node *Node
}

// Flatten lists every scalar and null under root with its path, in
// document order: the form a diff between two revisions compares.
func Flatten(root *Node) []Leaf {
	var out []Leaf
	Walk(root, func(path []string, n *Node) bool {
		if n.Kind == Scalar || n.Kind == Null {
			out = append(out, Leaf{Path: JoinPath(path), Node: n})
		}
		return true
	})
	return out
}

// Clone returns a deep copy of n, so that an extractor can rewrite a
// subtree (resolve interpolation, apply defaults) without changing what
// other extractors see.
func (n *Node) Clone() *Node {
	if n == nil {
		return nil
	}
	c := *n
	if n.Children != nil {
		c.Children = make([]*Node, len(n.Children))
		for i, ch := range n.Children {
			c.Children[i] = ch.Clone()
		}
	}
	return &c
}
