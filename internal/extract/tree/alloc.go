package tree

import (
	"bytes"
	"unicode/utf8"
)

// bom is the UTF-8 byte order mark. Editors on Windows write it at the start
// of JSON and .properties files; it is not part of the text, so no column
// counts it.
const bom = "\xef\xbb\xbf"

// stripBOM returns data without a leading byte order mark.
func stripBOM(data []byte) []byte {
	if len(data) >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf {
		return data[3:]
	}
	return data
}

// arena hands out nodes and child slices from shared blocks: a scan reads
// tens of thousands of files, and one allocation per node would dominate
// the cost of parsing a small config file.
//
// An arena owned by a Reader also keeps its first blocks from one file to
// the next (reuse): allocating and collecting a block per file costs more
// than parsing a small file, so reset clears the part that was handed out
// and the next file starts in the same memory.
type arena struct {
	nodes []Node
	ptrs  []*Node
	stack []*Node
	size  int
	// count is the nodes handed out since hint, for the MaxNodes limit.
	count int

	// What reuse keeps: the blocks, how much of each the current file
	// was given, and whether it ran past them (then all of it is used).
	reuse               bool
	busy                bool
	keptNodes           []Node
	keptPtrs            []*Node
	gaveNodes, gavePtrs int
	nodesOut, ptrsOut   bool
	// grow is the size the kept blocks should reach, after a file
	// that ran past them.
	grow int

	// yamlLines is the fast YAML reader's line table, kept with the
	// arena so that a Reader reuses it too.
	yamlLines []yamlLine
}

// maxKept bounds the blocks a reusing arena keeps between files, so that
// one huge file does not pin megabytes for the rest of the scan.
const maxKept = 1 << 12

// minKept is the least a reusing arena keeps: enough for nearly every
// configuration file, so that most need no estimate (guess).
const minKept = 1 << 10

// hint sizes the first blocks for about n nodes, an estimate each parser
// makes from cheap byte counts: growing from a small block would allocate
// and zero twice the memory a small file needs.
func (a *arena) hint(n int) {
	a.count = 0
	n = max(16, min(n, 1<<14))
	a.size = min(n, 1024)
	if a.reuse && !a.busy {
		a.busy = true
		if want := max(n, a.grow, minKept); len(a.keptNodes) < want && want <= maxKept {
			// Larger blocks replace the kept ones: the scan's
			// files soon settle on a size that fits them all.
			a.keptNodes, a.keptPtrs = make([]Node, want), make([]*Node, want)
		}
		if len(a.keptNodes) >= n {
			// All of the kept blocks, since the estimate is not
			// always an upper bound. They are zero: past what
			// earlier files used they never were written, and
			// reset cleared the rest.
			a.nodes, a.ptrs = a.keptNodes, a.keptPtrs
			a.gaveNodes, a.gavePtrs = len(a.nodes), len(a.ptrs)
			a.nodesOut, a.ptrsOut = false, false
			return
		}
	}
	// Fresh blocks; whatever the kept ones gave counts as used.
	a.nodesOut, a.ptrsOut = true, true
	a.nodes = make([]Node, n)
	a.ptrs = make([]*Node, n)
}

// reset clears what the kept blocks handed out since hint, so that the
// next file finds them zero, and drops everything else. No node of the
// trees built since may be used afterwards.
func (a *arena) reset() {
	if a.busy {
		if a.gaveNodes > 0 && (a.nodesOut || a.ptrsOut) {
			a.grow = 2 * len(a.keptNodes)
		}
		used := a.gaveNodes
		if !a.nodesOut {
			used -= len(a.nodes)
		}
		clear(a.keptNodes[:used])
		used = a.gavePtrs
		if !a.ptrsOut {
			used -= len(a.ptrs)
		}
		clear(a.keptPtrs[:used])
	}
	clear(a.stack)
	a.stack = a.stack[:0]
	a.nodes, a.ptrs = nil, nil
	a.busy, a.size = false, 0
	a.gaveNodes, a.gavePtrs = 0, 0
	a.nodesOut, a.ptrsOut = false, false
}

// restart gives a parser fresh blocks after another one failed half-way:
// whatever that one built is abandoned, and reset clears all it was given.
func (a *arena) restart(n int) {
	clear(a.stack)
	a.stack = a.stack[:0]
	a.hint(n)
}

// estimate counts the lines that may hold a value (not blank, not a
// comment) and the commas: an upper bound on the node count of a typical
// YAML or TOML file. Comment lines are common in configuration files and
// would otherwise size the arena for nodes that never come.
func estimate(data []byte) int {
	n := 2
	start := true
	for _, c := range data {
		switch {
		case c == '\n':
			start = true
		case c == ',':
			n++
		case start && c != ' ' && c != '\t' && c != '\r':
			start = false
			if c != '#' {
				n++
			}
		}
	}
	return n
}

// guess is estimate(data), skipped when the kept blocks of a reusing
// arena have a node for every byte of data: a file cannot need more
// without aliases, and the arena grows for those anyway.
func (a *arena) guess(data []byte) int {
	if a.reuse && !a.busy && len(data) < len(a.keptNodes) {
		return len(data)
	}
	return estimate(data)
}

func (a *arena) node() *Node {
	a.count++
	if len(a.nodes) == 0 {
		switch {
		case a.size == 0:
			a.size = 16
		case a.size < 1024:
			a.size *= 2
		}
		a.nodes = make([]Node, a.size)
		a.nodesOut = true
	}
	n := &a.nodes[0]
	a.nodes = a.nodes[1:]
	return n
}

// push adds a child to the scratch stack; mark/children turn the part of
// the stack above a mark into an exactly sized Children slice.
func (a *arena) push(n *Node) { a.stack = append(a.stack, n) }

func (a *arena) mark() int { return len(a.stack) }

func (a *arena) children(mark int) []*Node {
	k := len(a.stack) - mark
	if k == 0 {
		return nil
	}
	if len(a.ptrs) < k {
		size := 256
		if k > size {
			size = k
		}
		a.ptrs = make([]*Node, size)
		a.ptrsOut = true
	}
	// The three-index slice caps the capacity so that a caller appending
	// to Children never writes into a sibling's slice.
	out := a.ptrs[:k:k]
	a.ptrs = a.ptrs[k:]
	copy(out, a.stack[mark:])
	clear(a.stack[mark:])
	a.stack = a.stack[:mark]
	return out
}

// room returns an empty Children slice with capacity n carved from the
// shared block, for maps that are filled by append because they can be
// reopened later in the file (TOML tables, INI sections).
func (a *arena) room(n int) []*Node {
	if len(a.ptrs) < n {
		a.ptrs = make([]*Node, max(256, n))
		a.ptrsOut = true
	}
	out := a.ptrs[:0:n]
	a.ptrs = a.ptrs[n:]
	return out
}

// cursor turns byte offsets into 1-based lines and rune columns. Queries
// are expected in increasing offset order, which keeps the total work
// linear even for a minified file that is one long line; a query behind
// the last one starts over from the beginning.
type cursor struct {
	data []byte
	off  int
	line int
	col  int
}

func newCursor(data []byte) cursor { return cursor{data: data, line: 1, col: 1} }

func (c *cursor) at(off int) (line, col int) {
	if off > len(c.data) {
		off = len(c.data)
	}
	if off < c.off {
		c.off, c.line, c.col = 0, 1, 1
	}
	seg := c.data[c.off:off]
	if i := bytes.LastIndexByte(seg, '\n'); i >= 0 {
		c.line += bytes.Count(seg[:i+1], []byte{'\n'})
		c.col = 1 + utf8.RuneCount(seg[i+1:])
	} else {
		c.col += utf8.RuneCount(seg)
	}
	c.off = off
	return c.line, c.col
}

// runeCol is the 1-based rune column of byte offset i within line.
func runeCol(line string, i int) int {
	if i > len(line) {
		i = len(line)
	}
	return 1 + utf8.RuneCountInString(line[:i])
}
