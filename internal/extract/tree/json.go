package tree

import (
	"bytes"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// ParseJSON reads a JSON document with the position of every value.
//
// It is written by hand because encoding/json keeps no positions. It
// accepts what editors call JSONC, since VS Code settings, appsettings.json
// and Etherpad's settings.json are written that way: a byte order mark,
// // and /* */ comments (kept in Comment) and trailing commas. Duplicate
// keys are all kept, in file order, so that a rule can report them. A file
// holding only whitespace and comments gives a Document with a nil Root.
func ParseJSON(data []byte) (Document, error) {
	return parseJSON(data, &arena{})
}

func parseJSON(data []byte, a *arena) (Document, error) {
	data = stripBOM(data)
	p := jsonParser{src: string(data), line: 1, colVal: 1, a: a}
	p.a.hint(bytes.Count(data, []byte{','}) + bytes.Count(data, []byte{'{'}) + bytes.Count(data, []byte{'['}) + 2)
	p.skip()
	if p.pos >= len(p.src) {
		return Document{}, nil
	}
	root, err := p.value(0)
	if err != nil {
		return Document{}, err
	}
	p.comments = p.comments[:0]
	p.skip()
	if p.pos < len(p.src) {
		return Document{}, p.unexpected(" after the top-level value")
	}
	return Document{Root: root}, nil
}

type jsonComment struct {
	line int
	text string
}

type jsonParser struct {
	src       string
	pos       int
	line      int
	lineStart int
	// colOff/colVal cache the column of a recent offset on the current
	// line so that columns on a long minified line cost linear time.
	colOff, colVal int
	a              *arena
	comments       []jsonComment
	buf            []byte
}

func (p *jsonParser) col(off int) int {
	if p.colOff < p.lineStart || p.colOff > off {
		p.colOff, p.colVal = p.lineStart, 1
	}
	p.colVal += utf8.RuneCountInString(p.src[p.colOff:off])
	p.colOff = off
	return p.colVal
}

func (p *jsonParser) fail(msg string) *SyntaxError {
	return &SyntaxError{Line: p.line, Col: p.col(p.pos), Msg: msg}
}

// limit is the error of a limit reached at the current position.
func (p *jsonParser) limit(err error) *SyntaxError {
	return limitError(err, p.line, p.col(p.pos))
}

// unexpected is the error for what stands at the current position,
// followed by rest (what was expected there). The character itself goes
// to Found, never to the message: it may be the first of a password.
func (p *jsonParser) unexpected(rest string) *SyntaxError {
	if p.pos >= len(p.src) {
		return p.fail("unexpected end of input" + rest)
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	if r < 0x20 || r == utf8.RuneError {
		return p.fail("unexpected control or invalid character" + rest)
	}
	e := p.fail("unexpected character" + rest)
	e.Found = string(r)
	return e
}

// skip passes whitespace and comments, collecting the comments.
func (p *jsonParser) skip() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\r':
			p.pos++
		case '\n':
			p.pos++
			p.line++
			p.lineStart = p.pos
		case '/':
			if !p.comment() {
				return
			}
		default:
			return
		}
	}
}

func (p *jsonParser) comment() bool {
	if p.pos+1 >= len(p.src) {
		return false
	}
	start := p.pos
	switch p.src[p.pos+1] {
	case '/':
		end := strings.IndexByte(p.src[start:], '\n')
		if end < 0 {
			end = len(p.src)
		} else {
			end += start
		}
		p.comments = append(p.comments, jsonComment{line: p.line, text: strings.TrimSpace(p.src[start+2 : end])})
		p.pos = end
		return true
	case '*':
		end := strings.Index(p.src[start+2:], "*/")
		if end < 0 {
			return false
		}
		end += start + 2
		line := p.line
		body := p.src[start+2 : end]
		for i := 0; i < len(body); i++ {
			if body[i] == '\n' {
				p.line++
				p.lineStart = start + 2 + i + 1
			}
		}
		p.comments = append(p.comments, jsonComment{line: line, text: strings.TrimSpace(body)})
		p.pos = end + 2
		return true
	}
	return false
}

// takeComments joins the collected comments: those on line (or all when
// line is 0) are returned and removed; the rest stay pending.
func (p *jsonParser) takeComments(line int) string {
	if len(p.comments) == 0 {
		return ""
	}
	var b strings.Builder
	kept := p.comments[:0]
	for _, c := range p.comments {
		if line != 0 && c.line != line {
			kept = append(kept, c)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(c.text)
	}
	p.comments = kept
	return b.String()
}

func addComment(n *Node, c string) {
	if c == "" {
		return
	}
	if n.Comment == "" {
		n.Comment = c
		return
	}
	n.Comment += "\n" + c
}

func (p *jsonParser) value(depth int) (*Node, error) {
	if p.a.full() {
		return nil, p.limit(ErrTooManyNodes)
	}
	if p.pos >= len(p.src) {
		return nil, p.fail("unexpected end of input, expected a value")
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		n := p.a.node()
		n.Kind, n.Type, n.Quoted = Scalar, String, true
		n.Line, n.Col = p.line, p.col(p.pos)
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		n.Value = s
		return n, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return p.literal("true", Scalar, Bool)
	case c == 'f':
		return p.literal("false", Scalar, Bool)
	case c == 'n':
		return p.literal("null", Null, NullType)
	}
	return nil, p.unexpected(", expected a value")
}

func (p *jsonParser) literal(word string, k Kind, t Type) (*Node, error) {
	if !strings.HasPrefix(p.src[p.pos:], word) {
		return nil, p.fail("invalid literal, expected " + word)
	}
	n := p.a.node()
	n.Kind, n.Type = k, t
	n.Value = p.src[p.pos : p.pos+len(word)]
	n.Line, n.Col = p.line, p.col(p.pos)
	p.pos += len(word)
	return n, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *jsonParser) number() (*Node, error) {
	s := p.src
	start := p.pos
	i := start
	typ := Int
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && isDigit(s[i]):
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		p.pos = i
		return nil, p.fail("invalid number: expected a digit")
	}
	if i < len(s) && s[i] == '.' {
		typ = Float
		i++
		if i >= len(s) || !isDigit(s[i]) {
			p.pos = i
			return nil, p.fail("invalid number: expected a digit after the decimal point")
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		typ = Float
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			p.pos = i
			return nil, p.fail("invalid number: expected a digit in the exponent")
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	n := p.a.node()
	n.Kind, n.Type = Scalar, typ
	n.Value = s[start:i]
	n.Line, n.Col = p.line, p.col(start)
	p.pos = i
	return n, nil
}

// str reads a string starting at its opening quote and returns its
// decoded text. A string without escapes is a substring of the input and
// costs no allocation.
func (p *jsonParser) str() (string, error) {
	s := p.src
	start := p.pos + 1
	i := start
	for i < len(s) {
		c := s[i]
		if c == '"' {
			p.pos = i + 1
			return s[start:i], nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			p.pos = i
			return "", p.fail("control character in string")
		}
		i++
	}
	if i >= len(s) {
		p.pos = start - 1
		return "", p.fail("unterminated string")
	}
	b := append(p.buf[:0], s[start:i]...)
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			p.pos = i + 1
			p.buf = b
			return string(b), nil
		case c < 0x20:
			p.pos = i
			return "", p.fail("control character in string")
		case c != '\\':
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= len(s) {
			break
		}
		e := s[i+1]
		i += 2
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(s, i)
			if !ok {
				p.pos = i - 2
				return "", p.fail("invalid \\u escape")
			}
			i += 4
			switch {
			case utf16.IsSurrogate(r) && r < 0xdc00:
				if i+6 > len(s) || s[i] != '\\' || s[i+1] != 'u' {
					p.pos = i - 6
					return "", p.fail("unpaired surrogate in \\u escape")
				}
				r2, ok := hex4(s, i+2)
				if !ok || r2 < 0xdc00 || r2 > 0xdfff {
					p.pos = i - 6
					return "", p.fail("unpaired surrogate in \\u escape")
				}
				i += 6
				r = utf16.DecodeRune(r, r2)
			case utf16.IsSurrogate(r):
				p.pos = i - 6
				return "", p.fail("unpaired surrogate in \\u escape")
			}
			b = utf8.AppendRune(b, r)
		default:
			p.pos = i - 2
			return "", p.fail("invalid escape in string")
		}
	}
	p.pos = start - 1
	return "", p.fail("unterminated string")
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// open starts an object or array at the opening bracket: the depth bound,
// the node at the bracket's position, the comments above it.
func (p *jsonParser) open(kind Kind, depth int) (*Node, error) {
	if depth > MaxDepth {
		return nil, p.limit(ErrTooDeep)
	}
	n := p.a.node()
	n.Kind = kind
	n.Line, n.Col = p.line, p.col(p.pos)
	addComment(n, p.takeComments(0))
	p.pos++
	return n, nil
}

func (p *jsonParser) object(depth int) (*Node, error) {
	n, err := p.open(Map, depth)
	if err != nil {
		return nil, err
	}
	mark := p.a.mark()
	for {
		p.skip()
		if p.pos >= len(p.src) {
			return nil, p.fail("unexpected end of input, expected '}'")
		}
		if p.src[p.pos] == '}' {
			p.pos++
			p.comments = p.comments[:0]
			break
		}
		if p.src[p.pos] != '"' {
			return nil, p.unexpected(", expected a string key or '}'")
		}
		keyLine, keyCol := p.line, p.col(p.pos)
		head := p.takeComments(0)
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skip()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return nil, p.unexpected(", expected ':' after key")
		}
		p.pos++
		p.skip()
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		v.Key, v.KeyLine, v.KeyCol = key, keyLine, keyCol
		addComment(v, head)
		p.a.push(v)
		if err := p.afterItem(v, '}'); err != nil {
			return nil, err
		}
	}
	n.Children = p.a.children(mark)
	return n, nil
}

// afterItem consumes the comma after a member or element, or stops at the
// closing bracket, and gives the item the comments on its own last line.
func (p *jsonParser) afterItem(v *Node, closer byte) error {
	endLine := p.line
	p.skip()
	if p.pos < len(p.src) && p.src[p.pos] == ',' {
		p.pos++
		p.skip()
	} else if p.pos >= len(p.src) || p.src[p.pos] != closer {
		p.attachLine(v, endLine)
		return p.unexpected(", expected ',' or '" + string(closer) + "'")
	}
	p.attachLine(v, endLine)
	return nil
}

func (p *jsonParser) attachLine(v *Node, line int) {
	if len(p.comments) > 0 {
		addComment(v, p.takeComments(line))
	}
}

func (p *jsonParser) array(depth int) (*Node, error) {
	n, err := p.open(Seq, depth)
	if err != nil {
		return nil, err
	}
	mark := p.a.mark()
	for {
		p.skip()
		if p.pos >= len(p.src) {
			return nil, p.fail("unexpected end of input, expected ']'")
		}
		if p.src[p.pos] == ']' {
			p.pos++
			p.comments = p.comments[:0]
			break
		}
		head := p.takeComments(0)
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		addComment(v, head)
		p.a.push(v)
		if err := p.afterItem(v, ']'); err != nil {
			return nil, err
		}
	}
	n.Children = p.a.children(mark)
	return n, nil
}
