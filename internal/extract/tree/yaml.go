package tree

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// ParseYAML reads every document of a YAML stream. Empty documents are
// skipped; Index keeps each document's place in the stream so that a
// message can say "document 3".
//
// Aliases and merge keys (<<: *base, <<: [*a, *b]) are resolved here, so
// that an extractor sees the values the application sees: an alias becomes
// a copy of the anchored subtree with the anchored text's positions, and
// merged keys never override the mapping's own keys. Scalar types come from
// the tag yaml.v3 resolves (a quoted "5432" is a String).
//
// Most configuration files are plain block YAML, which parseYAMLFast reads
// many times faster than yaml.v3 into the same tree; anything else goes
// through yaml.v3. Comments are not kept (see Node.Comment).
func ParseYAML(data []byte) ([]Document, error) {
	return parseYAML(data, &arena{})
}

func parseYAML(data []byte, a *arena) ([]Document, error) {
	a.hint(a.guess(data))
	if docs, ok, err := fastOrNothing(data, a); ok {
		if err != nil {
			return nil, err
		}
		return docs, nil
	}
	return parseYAMLLib(data, a)
}

// fastOrNothing runs the fast path so that a bug in it can only cost
// speed: a panic falls back to yaml.v3 like any input it declines. The
// arena is left to the fallback as the fast path leaves it on a decline.
func fastOrNothing(data []byte, a *arena) (docs []Document, ok bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			a.restart(estimate(data))
			docs, ok, err = nil, false, nil
		}
	}()
	return parseYAMLFast(data, a)
}

// parseYAMLLib is ParseYAML through yaml.v3, for any input the fast path
// does not take.
func parseYAMLLib(data []byte, a *arena) (docs []Document, err error) {
	defer func() {
		// yaml.v3 has panicked on hostile input in the past; a scan over a
		// whole repository must survive one bad file.
		if r := recover(); r != nil {
			docs, err = nil, &SyntaxError{Line: 1, Msg: panicMsg("yaml", r)}
		}
	}()
	// The fast path may have built part of a tree before it declined:
	// that part is abandoned, and the count starts over.
	a.count = 0
	c := yamlConv{a: a}
	body := stripBOM(data)
	c.lines = 1 + bytes.Count(body, []byte{'\n'})
	c.lastCol = 1 + utf8.RuneCount(body[bytes.LastIndexByte(body, '\n')+1:])
	var remap *yamlRemap
	if yamlOddBreaks(body) {
		remap = newYAMLRemap(data)
		last := remap.starts[len(remap.starts)-1]
		c.lines, c.lastCol = len(remap.starts), 1+utf8.RuneCount(body[last:])
	}
	// A stream without document markers holds one document, and
	// yaml.Unmarshal reads it without the Decoder's buffering, which costs
	// a third of the parse of a small file.
	single := !yamlMayHaveMarkers(body)
	hasAliases := bytes.IndexByte(body, '*') >= 0
	var dec *yaml.Decoder
	if !single {
		dec = yaml.NewDecoder(bytes.NewReader(data))
	}
	for i := 0; ; i++ {
		var doc yaml.Node
		if single {
			if i > 0 {
				return docs, nil
			}
			if err := yaml.Unmarshal(data, &doc); err != nil {
				return nil, yamlError(err, data)
			}
		} else if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			return nil, yamlError(err, data)
		}
		if yamlEmpty(&doc) {
			continue
		}
		if hasAliases {
			// Refuse before building anything: a billion-laughs file would
			// otherwise allocate up to the limit first. A document too
			// large without its aliases is left to conv, which says so
			// where the limit is reached.
			room := MaxNodes - a.count
			var at *yaml.Node
			if yamlSize(doc.Content[0], map[*yaml.Node]int{}, room, &at) > room && yamlOwnSize(doc.Content[0], room) <= room {
				if at == nil {
					at = doc.Content[0]
				}
				line, col := c.pos(at)
				return nil, limitError(ErrAliasExpansion, line, col)
			}
		}
		root, err := c.conv(doc.Content[0], 1)
		if err != nil {
			return nil, err
		}
		if remap != nil {
			Walk(root, func(_ []string, n *Node) bool {
				n.Line, n.Col = remap.at(n.Line, n.Col)
				if n.KeyLine > 0 {
					n.KeyLine, n.KeyCol = remap.at(n.KeyLine, n.KeyCol)
				}
				return true
			})
		}
		docs = append(docs, Document{Root: root, Index: i})
	}
}

// yamlMayHaveMarkers reports whether a line may start with a document
// marker (--- or ...), which is what can make a stream hold several
// documents. A false positive only costs speed.
func yamlMayHaveMarkers(body []byte) bool {
	if bytes.HasPrefix(body, []byte("---")) || bytes.HasPrefix(body, []byte("...")) || bytes.HasPrefix(body, []byte("%")) {
		return true
	}
	for _, m := range [...]string{"\n---", "\n...", "\r---", "\r...", "\n%", "\r%"} {
		if bytes.Contains(body, []byte(m)) {
			return true
		}
	}
	return false
}

// yamlOddBreaks reports whether data has line breaks that YAML counts and
// the other parsers do not: a lone CR, NEL, LS or PS. Positions from such
// a file are translated so that every parser numbers lines alike, by "\n".
func yamlOddBreaks(data []byte) bool {
	for i := bytes.IndexByte(data, '\r'); i >= 0; {
		if i+1 >= len(data) || data[i+1] != '\n' {
			return true
		}
		j := bytes.IndexByte(data[i+1:], '\r')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return bytes.Contains(data, []byte("\u0085")) || bytes.Contains(data, []byte("\u2028")) || bytes.Contains(data, []byte("\u2029"))
}

// yamlRemap translates yaml.v3's line:column into the "\n"-only numbering.
type yamlRemap struct {
	data   []byte
	starts []int
	cur    cursor
}

func newYAMLRemap(data []byte) *yamlRemap {
	body := stripBOM(data)
	m := &yamlRemap{data: body, starts: []int{0}, cur: newCursor(body)}
	for i := 0; i < len(body); {
		switch {
		case body[i] == '\r' && i+1 < len(body) && body[i+1] == '\n':
			i += 2
		case body[i] == '\r' || body[i] == '\n':
			i++
		case bytes.HasPrefix(body[i:], []byte("\u0085")):
			i += 2
		case bytes.HasPrefix(body[i:], []byte("\u2028")), bytes.HasPrefix(body[i:], []byte("\u2029")):
			i += 3
		default:
			i++
			continue
		}
		m.starts = append(m.starts, i)
	}
	return m
}

func (m *yamlRemap) at(line, col int) (int, int) {
	if line < 1 || line > len(m.starts) {
		return m.cur.at(len(m.data))
	}
	off := m.starts[line-1]
	for c := 1; c < col && off < len(m.data); c++ {
		_, size := utf8.DecodeRune(m.data[off:])
		off += size
	}
	return m.cur.at(off)
}

func yamlEmpty(d *yaml.Node) bool {
	if len(d.Content) == 0 {
		return true
	}
	r := d.Content[0]
	return r.Kind == yaml.ScalarNode && r.Tag == "!!null" && r.Value == "" && r.Style == 0
}

type yamlConv struct {
	a         *arena
	expanding []*yaml.Node
	// copies counts the nodes made while expanding an alias, so that
	// the node limit can say when aliases made most of them.
	copies int
	// lines and lastCol bound positions: yaml.v3 places a node that ends
	// the stream (a lone "?") on a line after the last one.
	lines, lastCol int
}

func (c *yamlConv) pos(y *yaml.Node) (int, int) {
	if y.Line > c.lines || (y.Line == c.lines && y.Column > c.lastCol) {
		return c.lines, c.lastCol
	}
	return y.Line, y.Column
}

// conv converts y, which is at the given depth if it is a mapping or a
// sequence: the document's root is at depth 1.
func (c *yamlConv) conv(y *yaml.Node, depth int) (*Node, error) {
	if c.a.full() {
		line, col := c.pos(y)
		if 2*c.copies > c.a.count {
			return nil, limitError(ErrAliasExpansion, line, col)
		}
		return nil, limitError(ErrTooManyNodes, line, col)
	}
	if depth > MaxDepth && (y.Kind == yaml.MappingNode || y.Kind == yaml.SequenceNode) {
		line, col := c.pos(y)
		return nil, limitError(ErrTooDeep, line, col)
	}
	if len(c.expanding) > 0 && y.Kind != yaml.AliasNode {
		c.copies++
	}
	switch y.Kind {
	case yaml.AliasNode:
		target := y.Alias
		if target == nil {
			return nil, &SyntaxError{Line: y.Line, Col: y.Column, Msg: "alias to an unknown anchor", Found: y.Value}
		}
		for _, e := range c.expanding {
			if e == target {
				return nil, &SyntaxError{Line: y.Line, Col: y.Column, Msg: "alias refers to its own anchor", Found: y.Value}
			}
		}
		c.expanding = append(c.expanding, target)
		n, err := c.conv(target, depth)
		c.expanding = c.expanding[:len(c.expanding)-1]
		return n, err
	case yaml.ScalarNode:
		n := c.a.node()
		n.Kind, n.Value = Scalar, y.Value
		n.Line, n.Col = c.pos(y)
		switch y.ShortTag() {
		case "!!int":
			n.Type = Int
		case "!!float":
			n.Type = Float
		case "!!bool":
			n.Type = Bool
		case "!!null":
			n.Kind, n.Type = Null, NullType
		}
		n.Quoted = y.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0
		return n, nil
	case yaml.SequenceNode:
		n := c.a.node()
		n.Kind = Seq
		n.Line, n.Col = c.pos(y)
		mark := c.a.mark()
		for _, item := range y.Content {
			v, err := c.conv(item, depth+1)
			if err != nil {
				c.a.children(mark)
				return nil, err
			}
			c.a.push(v)
		}
		n.Children = c.a.children(mark)
		return n, nil
	case yaml.MappingNode:
		return c.mapping(y, depth)
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return &Node{Kind: Null, Type: NullType, Line: y.Line, Col: y.Column}, nil
		}
		return c.conv(y.Content[0], depth)
	}
	return nil, &SyntaxError{Line: y.Line, Col: y.Column, Msg: "unknown yaml node kind"}
}

// yamlSize counts the nodes that converting y would create, aliases
// expanded, stopping as soon as the count passes limit; at is then the
// node whose count passed it. Anchored subtrees are counted once and
// remembered, so the count itself stays cheap.
func yamlSize(y *yaml.Node, memo map[*yaml.Node]int, limit int, at **yaml.Node) int {
	if y.Kind == yaml.AliasNode {
		if y.Alias == nil {
			return 1
		}
		if v, ok := memo[y.Alias]; ok {
			if v < 0 {
				return 1 // a cycle: conv reports it
			}
			return v
		}
		memo[y.Alias] = -1
		v := yamlSize(y.Alias, memo, limit, at)
		memo[y.Alias] = v
		return v
	}
	n := 1
	for _, c := range y.Content {
		n += yamlSize(c, memo, limit, at)
		if n > limit {
			if *at == nil {
				*at = c
			}
			return limit + 1
		}
	}
	return n
}

// yamlOwnSize counts the nodes of y as written, aliases not expanded,
// stopping as soon as the count passes limit.
func yamlOwnSize(y *yaml.Node, limit int) int {
	n := 1
	for _, c := range y.Content {
		n += yamlOwnSize(c, limit-n)
		if n > limit {
			return limit + 1
		}
	}
	return n
}

func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Tag == "!!merge"
}

func (c *yamlConv) mapping(y *yaml.Node, depth int) (*Node, error) {
	n := c.a.node()
	n.Kind = Map
	n.Line, n.Col = c.pos(y)
	pairs := y.Content
	var explicit map[string]bool
	for i := 0; i+1 < len(pairs); i += 2 {
		if isMergeKey(pairs[i]) {
			explicit = make(map[string]bool, len(pairs)/2)
			for j := 0; j+1 < len(pairs); j += 2 {
				if !isMergeKey(pairs[j]) {
					explicit[yamlKey(pairs[j])] = true
				}
			}
			break
		}
	}
	mark := c.a.mark()
	fail := func(err error) (*Node, error) {
		c.a.children(mark)
		return nil, err
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		k, v := pairs[i], pairs[i+1]
		if explicit != nil && isMergeKey(k) {
			if err := c.merge(k, v, explicit, depth); err != nil {
				return fail(err)
			}
			continue
		}
		child, err := c.conv(v, depth+1)
		if err != nil {
			return fail(err)
		}
		child.Key = yamlKey(k)
		child.KeyLine, child.KeyCol = c.pos(k)
		c.a.push(child)
	}
	n.Children = c.a.children(mark)
	return n, nil
}

// merge adds the entries of the mappings named by a << key that the
// mapping does not set itself. In <<: [*a, *b] the earlier source wins,
// as the YAML merge-key specification says; taken marks keys already set.
func (c *yamlConv) merge(k, v *yaml.Node, taken map[string]bool, depth int) error {
	var sources []*yaml.Node
	switch deref(v).Kind {
	case yaml.MappingNode:
		sources = []*yaml.Node{v}
	case yaml.SequenceNode:
		sources = deref(v).Content
	default:
		return &SyntaxError{Line: k.Line, Col: k.Column, Msg: "merge key << needs a mapping or a list of mappings"}
	}
	for _, s := range sources {
		if deref(s).Kind != yaml.MappingNode {
			return &SyntaxError{Line: s.Line, Col: s.Column, Msg: "merge key << needs a mapping or a list of mappings"}
		}
		m, err := c.conv(s, depth)
		if err != nil {
			return err
		}
		for _, e := range m.Children {
			if taken[e.Key] {
				continue
			}
			taken[e.Key] = true
			c.a.push(e)
		}
	}
	return nil
}

func deref(y *yaml.Node) *yaml.Node {
	for i := 0; y.Kind == yaml.AliasNode && y.Alias != nil && i < 100; i++ {
		y = y.Alias
	}
	return y
}

func yamlKey(k *yaml.Node) string {
	return deref(k).Value
}

// yamlParserProblems are the messages of yaml.v3's parser stage. For
// those, yaml.v3 prints a 0-based line number (its scanner errors are
// 1-based), so one is added.
var yamlParserProblems = [...]string{
	"did not find expected",
	"found duplicate %",
	"found incompatible YAML document",
	"found undefined tag handle",
}

// yamlError turns a yaml.v3 error ("yaml: line 7: ...") into a
// *SyntaxError with the 1-based line the problem is on.
func yamlError(err error, data []byte) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if j := strings.IndexByte(rest, ':'); j > 0 {
			if v, err := strconv.Atoi(rest[:j]); err == nil {
				line = v
				msg = strings.TrimSpace(rest[j+1:])
			}
		}
	}
	for _, p := range yamlParserProblems {
		if strings.HasPrefix(msg, p) {
			line++
			break
		}
	}
	var found string
	col := 0
	if name, ok := strings.CutPrefix(msg, "unknown anchor '"); ok {
		// The name is the text after the '*', which may be the value
		// of a password (password: *S3cret): it goes to Found.
		found = strings.TrimSuffix(name, "' referenced")
		msg = "alias to an unknown anchor"
		line, col = posOf(data, "*"+found)
	}
	if strings.Contains(msg, "tab character") {
		// yaml.v3 names the line of the scalar before the tab; point at
		// the tab itself.
		if l := lineWithLeadingTab(data, line); l > 0 {
			line = l
		}
	}
	if line < 1 {
		// yaml.v3's reader errors (invalid UTF-8, a control character)
		// name no line: point at the first character it refuses.
		line, col = yamlBadChar(stripBOM(data))
	}
	return &SyntaxError{Line: line, Col: col, Msg: msg, Found: found}
}

// yamlBadChar is the line and column of the first character of data
// that YAML does not allow in a stream (invalid UTF-8, a control
// character), or 1, 0 when there is none.
func yamlBadChar(data []byte) (line, col int) {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 || !yamlAllowed(r) {
			c := newCursor(data)
			return c.at(i)
		}
		i += size
	}
	return 1, 0
}

// yamlAllowed reports a character YAML 1.2 allows in a stream
// (c-printable): tab, the line breaks, and the printable characters.
func yamlAllowed(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r' || r == 0x85:
		return true
	case r < 0x20 || r == 0x7f:
		return false
	case r >= 0x80 && r < 0xa0:
		return false
	case r >= 0xd800 && r <= 0xdfff, r == 0xfffe, r == 0xffff:
		return false
	}
	return true
}

// panicMsg describes a parser's panic. A runtime error's text (an index
// out of range) quotes no input; any other value might, and is left out.
func panicMsg(parser string, r any) string {
	if re, ok := r.(runtime.Error); ok {
		return parser + " parser failed: " + re.Error()
	}
	return parser + " parser failed"
}

// lineWithLeadingTab is the first line at or after from whose indentation
// holds a tab, or 0.
func lineWithLeadingTab(data []byte, from int) int {
	for n, l := range bytes.Split(data, []byte{'\n'}) {
		if n+1 < from {
			continue
		}
		for _, c := range l {
			if c == '\t' {
				return n + 1
			}
			if c != ' ' {
				break
			}
		}
	}
	return 0
}

// posOf is the 1-based line and column of the first occurrence of s, or
// 0, 0.
func posOf(data []byte, s string) (line, col int) {
	i := bytes.Index(data, []byte(s))
	if i < 0 {
		return 0, 0
	}
	c := newCursor(data)
	return c.at(i)
}
