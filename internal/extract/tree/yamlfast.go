package tree

import (
	"strings"
	"unicode/utf8"
)

// parseYAMLFast reads the block-style YAML that nearly every configuration
// file is written in, without yaml.v3: for a typical 1 KB file yaml.v3
// costs about 70 µs, several times the rest of a scan, and this reader
// about 7 µs (BenchmarkParseYAMLBlock).
// Its trees are identical to the yaml.v3 path's, which the differential
// test and FuzzYAMLFast check.
//
// The rule is: when in doubt, give up. It reports ok=false, and ParseYAML
// falls back to yaml.v3, for any input outside this subset:
//
//   - UTF-8 text of printable characters (a leading byte order mark
//     allowed), lines ended by "\n" or "\r\n"; no tab anywhere;
//   - one document: no line starting with "---", "..." or "%", except a
//     first "---" line that holds nothing else;
//   - block mappings, "key: value" or "key:" with a block on the following
//     lines (more indented, or a sequence at the key's own indentation);
//   - block sequences, "- value", "- key: value" (a mapping in the item)
//     or "-" with a mapping on the following lines;
//   - keys and values each on one line: plain, single-quoted, or
//     double-quoted without a backslash; full-line comments, " #"
//     comments after a value, blank lines.
//
// Everything else goes to yaml.v3: flow collections, anchors, aliases,
// tags, merge keys, block scalars, complex keys, a scalar continued on the
// next line, a sequence directly in a sequence, a plain scalar whose type
// is not obvious (0x1F, 1e3, 2024-01-15, .5e3, +1), a line whose
// indentation fits no open block, and anything unclassified. Duplicate
// keys are kept, in order, as the yaml.v3 path keeps them.
//
// Comments are not kept: yaml.v3 attributes them in ways too intricate to
// reproduce, and suppressions are read from the source lines instead.
//
// A file past MaxNodes is refused here, with err, rather than declined:
// the nodes made so far belong to a prefix of the file that yaml.v3 would
// read into at least as many.
func parseYAMLFast(data []byte, a *arena) (docs []Document, ok bool, err error) {
	p := yamlFast{src: string(stripBOM(data)), a: a, lines: a.yamlLines[:0]}
	defer func() {
		// The line table goes back to the arena for the next file,
		// without the text it points into; a huge one is let go.
		clear(p.lines)
		if cap(p.lines) <= maxKept {
			a.yamlLines = p.lines[:0]
		}
	}()
	if !p.split() {
		return nil, false, nil
	}
	if len(p.lines) == 0 {
		return nil, true, nil
	}
	mark := a.mark()
	root, ok := p.block(0)
	if !ok || p.next < len(p.lines) {
		// A partial tree may sit on the scratch stack; drop it so that
		// the fallback starts clean.
		clear(a.stack[mark:])
		a.stack = a.stack[:mark]
		if p.err != nil {
			return nil, true, p.err
		}
		return nil, false, nil
	}
	return []Document{{Root: root}}, true, nil
}

// full records the node limit's error at line l, when the limit is
// reached, and reports whether it was.
func (p *yamlFast) full(l *yamlLine) bool {
	if !p.a.full() {
		return false
	}
	p.err = limitError(ErrTooManyNodes, l.num, l.col(l.indent))
	return true
}

// maxYAMLFastDepth bounds the recursion; deeper files go to yaml.v3,
// which has its own limit and error.
const maxYAMLFastDepth = 200

// maxYAMLKeyLen is below the 1024 characters past which YAML stops
// looking for the ':' of a key.
const maxYAMLKeyLen = 1000

// yamlLine is one line that holds more than blanks and a comment.
type yamlLine struct {
	text   string // without the line end
	num    int    // 1-based line number
	indent int    // leading spaces
	ascii  bool   // so that a column is a byte offset plus one
}

type yamlFast struct {
	src   string
	lines []yamlLine
	next  int // the first line not yet read
	a     *arena
	// marker records a leading "---" line: a second one would start a
	// second document.
	marker bool
	// err is the node limit's error, once it is reached.
	err *SyntaxError
}

// split checks every character and cuts the text into content lines.
func (p *yamlFast) split() bool {
	s := p.src
	want := 16 + len(s)/32
	if len(s) > 1<<16 {
		// A large file may be all short lines: count them rather than
		// grow the table a few times over megabytes.
		want = 1 + strings.Count(s, "\n")
	}
	if cap(p.lines) < want {
		p.lines = make([]yamlLine, 0, want)
	}
	num, start, ascii := 1, 0, true
	for i := 0; i <= len(s); {
		end := i
		if i < len(s) {
			c := s[i]
			switch {
			case c >= 0x20 && c < 0x7f:
				i++
				continue
			case c == '\n':
				i++
			case c == '\r':
				if i+1 >= len(s) || s[i+1] != '\n' {
					return false
				}
				i += 2
			case c < 0x80:
				return false // a tab, another control character or DEL
			default:
				r, size := utf8.DecodeRuneInString(s[i:])
				if !yamlFastRune(r) || size == 1 {
					return false
				}
				ascii = false
				i += size
				continue
			}
		} else {
			i++ // the last line, without a line end
		}
		if !p.addLine(s[start:end], num, ascii) {
			return false
		}
		num, start, ascii = num+1, i, true
	}
	return true
}

// yamlFastRune reports whether r is a printable character that YAML does
// not count as a line break (NEL, LS, PS) or a byte order mark.
func yamlFastRune(r rune) bool {
	switch {
	case r >= 0xa0 && r <= 0xd7ff:
		return r != 0x2028 && r != 0x2029
	case r >= 0xe000 && r <= 0xfffd:
		return r != 0xfeff
	}
	return r >= 0x10000 && r <= 0x10ffff
}

func (p *yamlFast) addLine(text string, num int, ascii bool) bool {
	if strings.HasPrefix(text, "---") || strings.HasPrefix(text, "...") || strings.HasPrefix(text, "%") {
		// A document marker or a directive: only a first "---" alone on
		// its line is read here.
		if p.marker || len(p.lines) > 0 || text[0] != '-' || strings.TrimRight(text[3:], " ") != "" {
			return false
		}
		p.marker = true
		return true
	}
	indent := 0
	for indent < len(text) && text[indent] == ' ' {
		indent++
	}
	if indent == len(text) || text[indent] == '#' {
		return true
	}
	p.lines = append(p.lines, yamlLine{text: text, num: num, indent: indent, ascii: ascii})
	return true
}

func (l *yamlLine) col(off int) int {
	if l.ascii {
		return off + 1
	}
	return runeCol(l.text, off)
}

// isEntry reports whether a sequence entry "- " (or a lone "-") starts at
// off.
func isEntry(text string, off int) bool {
	return off < len(text) && text[off] == '-' && (off+1 == len(text) || text[off+1] == ' ')
}

// block reads the mapping or sequence that starts on the next line.
func (p *yamlFast) block(depth int) (*Node, bool) {
	if depth > maxYAMLFastDepth || p.next >= len(p.lines) {
		return nil, false
	}
	l := &p.lines[p.next]
	p.next++
	if isEntry(l.text, l.indent) {
		return p.sequence(l, depth)
	}
	return p.mapping(l, l.indent, depth)
}

// sequence reads a block sequence whose first entry is on l. Its entries
// are the following lines with the same indentation that start with "-".
func (p *yamlFast) sequence(l *yamlLine, depth int) (*Node, bool) {
	n := p.a.node()
	n.Kind = Seq
	indent := l.indent
	n.Line, n.Col = l.num, l.col(indent)
	mark := p.a.mark()
	for {
		if p.full(l) {
			return nil, false
		}
		item, ok := p.entry(l, depth)
		if !ok {
			return nil, false
		}
		p.a.push(item)
		if p.next >= len(p.lines) {
			break
		}
		l = &p.lines[p.next]
		if l.indent > indent {
			return nil, false
		}
		if l.indent < indent || !isEntry(l.text, indent) {
			break
		}
		p.next++
	}
	n.Children = p.a.children(mark)
	return n, true
}

// entry reads the value of the sequence entry whose "-" starts line l.
func (p *yamlFast) entry(l *yamlLine, depth int) (*Node, bool) {
	dash := l.indent
	off := dash + 1
	for off < len(l.text) && l.text[off] == ' ' {
		off++
	}
	if off == len(l.text) || (l.text[off] == '#' && off > dash+1) {
		// "-" alone: a mapping on the following lines, or null.
		if p.next < len(p.lines) && p.lines[p.next].indent > dash {
			nl := &p.lines[p.next]
			if isEntry(nl.text, nl.indent) {
				return nil, false // a sequence in a sequence
			}
			return p.block(depth + 1)
		}
		return p.null(l, dash+1), true
	}
	if isEntry(l.text, off) {
		return nil, false
	}
	if _, _, ok := p.key(l, off); ok {
		return p.mapping(l, off, depth+1)
	}
	return p.scalar(l, off)
}

// mapping reads a block mapping whose first key starts at byte off of l.
// Its other keys are on the following lines indented to the same column.
func (p *yamlFast) mapping(l *yamlLine, off, depth int) (*Node, bool) {
	if depth > maxYAMLFastDepth {
		return nil, false
	}
	n := p.a.node()
	n.Kind = Map
	n.Line, n.Col = l.num, l.col(off)
	indent := off // the prefix is spaces, or spaces and "-": ASCII
	mark := p.a.mark()
	for {
		if p.full(l) {
			return nil, false
		}
		key, after, ok := p.key(l, off)
		if !ok {
			return nil, false
		}
		v, ok := p.value(l, after, indent, depth)
		if !ok {
			return nil, false
		}
		v.Key, v.KeyLine, v.KeyCol = key, l.num, l.col(off)
		p.a.push(v)
		if p.next >= len(p.lines) {
			break
		}
		l = &p.lines[p.next]
		if l.indent > indent {
			return nil, false
		}
		if l.indent < indent || isEntry(l.text, indent) {
			break
		}
		p.next++
		off = indent
	}
	n.Children = p.a.children(mark)
	return n, true
}

// value reads what follows the ':' of a key that ends at byte colon+1 of
// l, in a mapping indented to indent.
func (p *yamlFast) value(l *yamlLine, after, indent, depth int) (*Node, bool) {
	off := after
	for off < len(l.text) && l.text[off] == ' ' {
		off++
	}
	if off < len(l.text) && !(l.text[off] == '#' && off > after) {
		if isEntry(l.text, off) {
			return nil, false // "key: - x"
		}
		return p.scalar(l, off)
	}
	// "key:" alone: a block on the following lines, or null.
	if p.next < len(p.lines) {
		nl := &p.lines[p.next]
		if nl.indent > indent || (nl.indent == indent && isEntry(nl.text, indent)) {
			return p.block(depth + 1)
		}
	}
	return p.null(l, after), true
}

// null is an empty value; yaml.v3 places it just after its indicator.
func (p *yamlFast) null(l *yamlLine, off int) *Node {
	n := p.a.node()
	n.Kind, n.Type = Null, NullType
	n.Line, n.Col = l.num, l.col(off)
	return n
}

// key reads a key starting at byte off of l: a plain or quoted scalar
// followed by ':' and a space or the line end. It returns the key and the
// offset just past the ':'.
func (p *yamlFast) key(l *yamlLine, off int) (string, int, bool) {
	text := l.text
	if off >= len(text) {
		return "", 0, false
	}
	var key string
	var colon int
	switch c := text[off]; c {
	case '"', '\'':
		v, end, ok := yamlQuoted(text, off)
		if !ok || end >= len(text) || text[end] != ':' {
			return "", 0, false
		}
		key, colon = v, end
	default:
		if !plainStart(text, off) || c == '-' {
			return "", 0, false
		}
		colon = -1
		for i := off + 1; i < len(text); i++ {
			if text[i] == ':' && (i+1 == len(text) || text[i+1] == ' ') {
				colon = i
				break
			}
			if text[i] == '#' && text[i-1] == ' ' {
				return "", 0, false
			}
		}
		if colon < 0 {
			return "", 0, false
		}
		key = strings.TrimRight(text[off:colon], " ")
		if key == "<<" {
			return "", 0, false // a merge key
		}
	}
	if colon-off > maxYAMLKeyLen || (colon+1 < len(text) && text[colon+1] != ' ') {
		return "", 0, false
	}
	return key, colon + 1, true
}

// plainStart reports whether a plain scalar may start at off: not on an
// indicator character, and "-" only before a non-blank.
func plainStart(text string, off int) bool {
	switch text[off] {
	case '-':
		return off+1 < len(text) && text[off+1] != ' '
	case ' ', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	}
	return true
}

// yamlQuoted reads a quoted scalar that opens at off and closes on the
// same line, returning its value and the offset past the closing quote.
// A double-quoted scalar with a backslash is refused: its escapes are
// left to yaml.v3.
func yamlQuoted(text string, off int) (string, int, bool) {
	q := text[off]
	if q == '"' {
		for i := off + 1; i < len(text); i++ {
			switch text[i] {
			case '\\':
				return "", 0, false
			case '"':
				return text[off+1 : i], i + 1, true
			}
		}
		return "", 0, false
	}
	escaped := false
	for i := off + 1; i < len(text); i++ {
		if text[i] != '\'' {
			continue
		}
		if i+1 < len(text) && text[i+1] == '\'' {
			escaped = true
			i++
			continue
		}
		v := text[off+1 : i]
		if escaped {
			v = strings.ReplaceAll(v, "''", "'")
		}
		return v, i + 1, true
	}
	return "", 0, false
}

// scalar reads a value that starts at byte off of l and must end the
// line, but for blanks and a comment.
func (p *yamlFast) scalar(l *yamlLine, off int) (*Node, bool) {
	text := l.text
	n := p.a.node()
	n.Kind = Scalar
	n.Line, n.Col = l.num, l.col(off)
	if c := text[off]; c == '"' || c == '\'' {
		v, end, ok := yamlQuoted(text, off)
		if !ok {
			return nil, false
		}
		rest := end
		for rest < len(text) && text[rest] == ' ' {
			rest++
		}
		if rest < len(text) && (text[rest] != '#' || rest == end) {
			return nil, false
		}
		n.Value, n.Quoted = v, true
		return n, true
	}
	if !plainStart(text, off) {
		return nil, false
	}
	end := len(text)
	for i := off + 1; i < len(text); i++ {
		if text[i] == ':' && (i+1 == len(text) || text[i+1] == ' ') {
			return nil, false // a mapping where a value was expected
		}
		if text[i] == '#' && text[i-1] == ' ' {
			end = i
			break
		}
	}
	v := strings.TrimRight(text[off:end], " ")
	n.Value = v
	switch yamlPlainType(v) {
	case String:
	case Int:
		n.Type = Int
	case Float:
		n.Type = Float
	case Bool:
		n.Type = Bool
	case NullType:
		n.Kind, n.Type = Null, NullType
	default:
		return nil, false
	}
	return n, true
}

// yamlUnsure is yamlPlainType's answer for a plain scalar whose type it
// does not decide: the caller falls back to yaml.v3.
const yamlUnsure Type = 255

// yamlPlainType is the type yaml.v3 resolves for a plain scalar, for the
// spellings configuration files use; anything rarer is yamlUnsure.
//
// yaml.v3 looks at the first character: ~ and the letters of true, false,
// null (and of yes, no, on, off, which it keeps as strings) are looked up
// in a fixed table; a digit or sign starts a timestamp, an integer in any
// base, or a float; a dot a float. Any other start is a string.
func yamlPlainType(s string) Type {
	switch s[0] {
	case '~', 'n', 'N':
		if s == "~" || s == "null" || s == "Null" || s == "NULL" {
			return NullType
		}
		return String
	case 't', 'T', 'f', 'F':
		switch s {
		case "true", "True", "TRUE", "false", "False", "FALSE":
			return Bool
		}
		return String
	case '.':
		// A float if strconv.ParseFloat takes it, which needs a digit
		// after the dot; .inf and .nan are in the table.
		switch {
		case len(s) > 1 && s[1] >= '0' && s[1] <= '9':
			if digits(s[1:]) == len(s)-1 {
				return Float
			}
			return yamlUnsure
		case len(s) > 1 && strings.ContainsRune("iInN", rune(s[1])):
			return yamlUnsure
		}
		return String
	case '+', '<', '=':
		return yamlUnsure
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return yamlNumberType(s)
	}
	return String
}

// yamlNumberType decides a plain scalar that starts with a digit or '-'.
func yamlNumberType(s string) Type {
	body := s
	if body[0] == '-' {
		body = body[1:]
	}
	if len(body) == 0 || body[0] == '.' || len(body) > 100 {
		return yamlUnsure // -.inf, -.5; a float too long to parse
	}
	d := digits(body)
	switch {
	case d == len(body):
		// An integer unless a leading zero makes it octal (or a float,
		// 08) or it is too long for int64.
		if (body[0] == '0' && d > 1) || d > 18 {
			return yamlUnsure
		}
		return Int
	case d > 0 && body[d] == '.' && d+1 < len(body) && digits(body[d+1:]) == len(body)-d-1:
		return Float
	}
	// Timestamps, integers in another base or with underscores, and
	// floats with an exponent are spelled only with these characters; a
	// scalar with any other is a string.
	colons, dots, letters := 0, 0, false
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case c >= '0' && c <= '9':
		case c == ':':
			colons++
		case c == '.':
			dots++
		case c >= 'a' && c <= 'f', c >= 'A' && c <= 'F', strings.IndexByte("xXoO+-_TtZz ,", c) >= 0:
			letters = true
		default:
			return String
		}
	}
	// Only digits, dots and colons: 10.0.0.1 or 8080:80 is no number,
	// and no timestamp, which needs a '-'.
	if !letters && (colons > 0 || dots > 1) {
		return String
	}
	return yamlUnsure
}

// digits is the length of the run of ASCII digits that starts s.
func digits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
