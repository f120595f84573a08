package tree

import (
	"errors"
	"regexp"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// ParseTOML reads a TOML document with the position of every value.
//
// BurntSushi/toml keeps positions only for its own error messages and
// exposes none, so this uses go-toml's unstable parser, which gives the
// byte range of every key and scalar; positions of arrays, which it does
// not record, are found by scanning from the preceding token. Tables and
// dotted keys become nested Maps, [[x]] a Seq of Maps, and datetimes are
// Strings holding their text. The parser checks syntax only: keys that
// TOML forbids redefining are kept, except a key used both as a value and
// as a table, which is an error.
func ParseTOML(data []byte) (doc Document, err error) {
	return parseTOML(data, &arena{}, &unstable.Parser{})
}

// parseTOML is ParseTOML with the memory it may reuse: the arena and
// go-toml's parser, whose Reset keeps its node buffer.
func parseTOML(data []byte, a *arena, p *unstable.Parser) (doc Document, err error) {
	defer func() {
		// A parser bug must not take a whole repository scan down.
		if r := recover(); r != nil {
			doc, err = Document{}, &SyntaxError{Line: 1, Msg: panicMsg("toml", r)}
		}
	}()
	data = stripBOM(data)
	t := tomlConv{data: data, src: string(data), cur: newCursor(data), a: a}
	t.a.hint(t.a.guess(data))
	root := t.a.node()
	root.Kind, root.Line, root.Col = Map, 1, 1
	root.Children = t.a.room(8)
	table := root
	p.KeepComments = true
	p.Reset(data)
	var head []string
	headLine := 0
	depth := 1 // the current table's; the root is at depth 1
	for p.NextExpression() {
		e := p.Expression()
		var n *Node
		var err error
		switch e.Kind {
		case unstable.Comment:
			line, _ := t.cur.at(int(e.Raw.Offset))
			if line != headLine+1 {
				head = head[:0]
			}
			head = append(head, tomlComment(e.Data))
			headLine = line
			continue
		case unstable.KeyValue:
			n, _, err = t.keyValue(table, e, depth)
		case unstable.Table, unstable.ArrayTable:
			n, err = t.table(root, e, e.Kind == unstable.ArrayTable)
			table, depth = n, 1+len(t.parts)
		}
		if err != nil {
			return Document{}, err
		}
		if n == nil {
			continue
		}
		var lineComment string
		if next := e.Next(); next != nil && next.Kind == unstable.Comment {
			lineComment = tomlComment(next.Data)
		}
		if len(head) > 0 && headLine+1 == n.KeyLine {
			n.Comment = joinComment(head, lineComment)
		} else {
			n.Comment = lineComment
		}
		head = head[:0]
		headLine = 0
	}
	if err := p.Error(); err != nil {
		return Document{}, t.syntaxError(err)
	}
	return Document{Root: root}, nil
}

type tomlConv struct {
	data  []byte
	src   string
	cur   cursor
	a     *arena
	parts []*unstable.Node
}

func tomlComment(b []byte) string {
	return strings.TrimSpace(strings.TrimPrefix(string(b), "#"))
}

// text returns b as a string, sharing the input's memory when b is part
// of it, as undecoded strings and keys are.
func (t *tomlConv) text(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	off := cap(t.data) - cap(b)
	if off >= 0 && off+len(b) <= len(t.data) && &t.data[off] == &b[0] {
		return t.src[off : off+len(b)]
	}
	return string(b)
}

func (t *tomlConv) keys(e *unstable.Node) []*unstable.Node {
	t.parts = t.parts[:0]
	it := e.Key()
	for it.Next() {
		t.parts = append(t.parts, it.Node())
	}
	return t.parts
}

// descend returns the Map under parent named by key part k, creating it
// when absent. Under an array of tables it is the array's last table, as
// TOML specifies for [a.b] after [[a]].
func (t *tomlConv) descend(parent *Node, k *unstable.Node) (*Node, error) {
	if t.a.full() {
		return nil, t.limit(ErrTooManyNodes, int(k.Raw.Offset))
	}
	name := t.text(k.Data)
	for i := len(parent.Children) - 1; i >= 0; i-- {
		c := parent.Children[i]
		if c.Key != name {
			continue
		}
		switch {
		case c.Kind == Map:
			return c, nil
		case c.Kind == Seq && len(c.Children) > 0 && c.Children[len(c.Children)-1].Kind == Map:
			return c.Children[len(c.Children)-1], nil
		}
		e := t.errAt(int(k.Raw.Offset), "key is already defined as a value")
		e.Found = name
		return nil, e
	}
	n := t.a.node()
	n.Kind = Map
	n.Children = t.a.room(4)
	n.Key = name
	n.KeyLine, n.KeyCol = t.cur.at(int(k.Raw.Offset))
	n.Line, n.Col = n.KeyLine, n.KeyCol
	parent.Children = append(parent.Children, n)
	return n, nil
}

// keyValue adds a key = value expression under parent, which is depth
// levels deep, and returns the value's node and the offset just past it.
func (t *tomlConv) keyValue(parent *Node, e *unstable.Node, depth int) (*Node, int, error) {
	parts := t.keys(e)
	if len(parts) == 0 {
		return nil, 0, t.errAt(int(e.Raw.Offset), "key expected")
	}
	if depth+len(parts)-1 > MaxDepth {
		// a.b.c = 1 makes a map for each key but the last.
		return nil, 0, t.limit(ErrTooDeep, int(parts[0].Raw.Offset))
	}
	depth += len(parts)
	last := parts[len(parts)-1]
	target := parent
	for _, k := range parts[:len(parts)-1] {
		var err error
		if target, err = t.descend(target, k); err != nil {
			return nil, 0, err
		}
	}
	keyLine, keyCol := t.cur.at(int(last.Raw.Offset))
	off := int(last.Raw.Offset + last.Raw.Length)
	off = t.skipBlank(off)
	if off < len(t.data) && t.data[off] == '=' {
		off = t.skipBlank(off + 1)
	}
	n, _, err := t.value(e.Value(), off, depth)
	if err != nil {
		return nil, 0, err
	}
	n.Key, n.KeyLine, n.KeyCol = t.text(last.Data), keyLine, keyCol
	target.Children = append(target.Children, n)
	return n, int(e.Raw.Offset + e.Raw.Length), nil
}

// table handles a [x.y] or [[x.y]] header and returns the Map that the
// following keys go into.
func (t *tomlConv) table(root *Node, e *unstable.Node, array bool) (*Node, error) {
	parts := t.keys(e)
	if len(parts) == 0 {
		return nil, t.errAt(0, "table name expected")
	}
	if 1+len(parts) > MaxDepth {
		return nil, t.limit(ErrTooDeep, int(parts[0].Raw.Offset))
	}
	if t.a.full() {
		return nil, t.limit(ErrTooManyNodes, int(parts[0].Raw.Offset))
	}
	// The header's '[' comes before its first key; find it first so that
	// positions are asked for in file order.
	open := int(parts[0].Raw.Offset)
	for open > 0 && (t.data[open-1] == ' ' || t.data[open-1] == '\t' || t.data[open-1] == '[') {
		open--
	}
	line, col := t.cur.at(open)
	parent := root
	for _, k := range parts[:len(parts)-1] {
		var err error
		if parent, err = t.descend(parent, k); err != nil {
			return nil, err
		}
	}
	last := parts[len(parts)-1]
	name := t.text(last.Data)
	keyLine, keyCol := t.cur.at(int(last.Raw.Offset))
	tbl := t.a.node()
	tbl.Kind, tbl.Line, tbl.Col = Map, line, col
	tbl.Children = t.a.room(8)
	if !array {
		for i := len(parent.Children) - 1; i >= 0; i-- {
			if c := parent.Children[i]; c.Key == name && c.Kind == Map {
				// [a] after [a.b]: the table exists implicitly; give it
				// the header's position now that it has one.
				c.Line, c.Col, c.KeyLine, c.KeyCol = line, col, keyLine, keyCol
				return c, nil
			}
		}
		tbl.Key, tbl.KeyLine, tbl.KeyCol = name, keyLine, keyCol
		parent.Children = append(parent.Children, tbl)
		return tbl, nil
	}
	var seq *Node
	for i := len(parent.Children) - 1; i >= 0; i-- {
		if c := parent.Children[i]; c.Key == name {
			if c.Kind != Seq {
				e := t.errAt(int(last.Raw.Offset), "key is already defined and is not an array of tables")
				e.Found = name
				return nil, e
			}
			seq = c
			break
		}
	}
	if seq == nil {
		seq = t.a.node()
		seq.Kind, seq.Line, seq.Col = Seq, line, col
		seq.Key, seq.KeyLine, seq.KeyCol = name, keyLine, keyCol
		parent.Children = append(parent.Children, seq)
	}
	seq.Children = append(seq.Children, tbl)
	return tbl, nil
}

// value converts v, which starts at offset start and is at the given
// depth if it is an array or an inline table.
func (t *tomlConv) value(v *unstable.Node, start, depth int) (*Node, int, error) {
	if depth > MaxDepth && (v.Kind == unstable.Array || v.Kind == unstable.InlineTable) {
		return nil, 0, t.limit(ErrTooDeep, start)
	}
	if t.a.full() {
		return nil, 0, t.limit(ErrTooManyNodes, start)
	}
	n := t.a.node()
	switch v.Kind {
	case unstable.Array:
		n.Kind = Seq
		n.Line, n.Col = t.cur.at(start)
		pos := start + 1
		mark := t.a.mark()
		it := v.Children()
		for it.Next() {
			c := it.Node()
			if c.Kind == unstable.Comment {
				continue
			}
			pos = t.skipFill(pos)
			child, end, err := t.value(c, pos, depth+1)
			if err != nil {
				t.a.children(mark)
				return nil, 0, err
			}
			t.a.push(child)
			pos = end
		}
		n.Children = t.a.children(mark)
		pos = t.skipFill(pos)
		return n, pos + 1, nil
	case unstable.InlineTable:
		n.Kind = Map
		n.Children = t.a.room(4)
		start = int(v.Raw.Offset)
		n.Line, n.Col = t.cur.at(start)
		pos := start + 1
		it := v.Children()
		for it.Next() {
			c := it.Node()
			if c.Kind != unstable.KeyValue {
				continue
			}
			_, end, err := t.keyValue(n, c, depth)
			if err != nil {
				return nil, 0, err
			}
			pos = end
		}
		pos = t.skipFill(pos)
		return n, pos + 1, nil
	}
	n.Kind = Scalar
	start = int(v.Raw.Offset)
	n.Line, n.Col = t.cur.at(start)
	switch v.Kind {
	case unstable.String:
		n.Type, n.Quoted = String, true
	case unstable.Integer:
		n.Type = Int
	case unstable.Float:
		n.Type = Float
	case unstable.Bool:
		n.Type = Bool
	default:
		// Dates and times: their text, which an extractor reads as a
		// string when it reads them at all.
		n.Type = String
	}
	n.Value = t.text(v.Data)
	return n, start + int(v.Raw.Length), nil
}

func (t *tomlConv) skipBlank(off int) int {
	for off < len(t.data) && (t.data[off] == ' ' || t.data[off] == '\t') {
		off++
	}
	return off
}

// skipFill passes what may separate array elements and inline-table
// entries: blanks, newlines, commas and comments.
func (t *tomlConv) skipFill(off int) int {
	for off < len(t.data) {
		switch t.data[off] {
		case ' ', '\t', '\r', '\n', ',':
			off++
		case '#':
			for off < len(t.data) && t.data[off] != '\n' {
				off++
			}
		default:
			return off
		}
	}
	return off
}

// limit is the error of a limit reached at offset off.
func (t *tomlConv) limit(err error, off int) *SyntaxError {
	e := t.errAt(off, err.Error())
	e.Err = err
	return e
}

func (t *tomlConv) errAt(off int, msg string) *SyntaxError {
	c := newCursor(t.data)
	line, col := c.at(off)
	return &SyntaxError{Line: line, Col: col, Msg: msg}
}

// tomlRune is how go-toml quotes the character it stopped at (%#U):
// U+0053 'S', or U+0007 for one that does not print.
var tomlRune = regexp.MustCompile(` ?U\+[0-9A-F]{4,6}(?: '.')?`)

// syntaxError turns go-toml's error into a *SyntaxError at the offset
// it highlights. The character its message quotes moves to Found.
func (t *tomlConv) syntaxError(err error) error {
	var perr *unstable.ParserError
	if !errors.As(err, &perr) {
		return &SyntaxError{Line: 1, Msg: "toml parser failed", Err: err}
	}
	off := len(t.data)
	if h := perr.Highlight; cap(h) > 0 {
		if o := cap(t.data) - cap(h); o >= 0 && o <= len(t.data) {
			off = o
		}
	}
	msg := perr.Message
	var found string
	if loc := tomlRune.FindStringIndex(msg); loc != nil {
		if r := tomlRune.FindString(msg); strings.Contains(r, "'") {
			found = r[strings.IndexByte(r, '\'')+1 : len(r)-1]
		}
		msg = strings.TrimSuffix(strings.TrimSuffix(msg[:loc[0]]+msg[loc[1]:], ":"), " but got")
	}
	e := t.errAt(off, msg)
	e.Found = found
	return e
}
