package tree

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// ParsePython reads the top-level assignments of a Python module whose
// value is a literal: Django's settings modules (settings.py). The root is
// a Map with one child per readable assignment NAME = value written at the
// start of a line, in file order. A value is read into:
//
//   - a Scalar for a string (any prefix but f, any quotes, adjacent strings
//     joined; Quoted, located at the opening quote), a number (Int or
//     Float, a sign included) or True/False (Bool); None is Null;
//   - a Map for a dict with string keys, a Seq for a list or a tuple;
//   - a Map whose Value is the dotted name and "(" for a call of a dotted
//     name (os.getenv("X", "d")), or "[" for a subscript (os.environ["X"]):
//     its children are the arguments, positional ones with an empty Key,
//     keyword ones under their name.
//
// Anything else — a name, an operator, a comprehension, an f-string, a
// call with *args — is not readable: a dict entry or list element holding
// it is left out, and so is an assignment. Indented statements (inside if,
// try, def) are not read. Errors are only for text no Python reads (a
// string or bracket not closed) and for the tree limits; none quotes the
// input.
func ParsePython(data []byte) (Document, error) { return parsePython(data, &arena{}) }

// ParsePython is ParsePython in the Reader's memory.
func (r *Reader) ParsePython(data []byte) (Document, error) { return parsePython(data, r.arena()) }

type pyKind uint8

const (
	pyName pyKind = iota
	pyString
	pyNumber
	pyOp
	pyNewline
	pyEOF
)

type pyTok struct {
	kind      pyKind
	text      string // a name, a number, an operator, a string decoded
	line, col int
	// first is set on the first token of a logical line written at its
	// first column.
	first bool
	// fstr is set on an f-string, whose value is not a literal.
	fstr bool
}

type pyLexer struct {
	textPos
	toks []pyTok
	// strLine, strCol locate the last string read (str).
	strLine, strCol int
}

func isPyIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isPyIdent(c byte) bool { return isPyIdentStart(c) || c >= '0' && c <= '9' }

// lex splits the source into tokens. Newlines inside brackets, comments
// and line continuations are dropped; a logical line ends in pyNewline.
func (l *pyLexer) lex() error {
	type open struct{ line, col int }
	var stack []open
	atStart := true
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		line, col := l.line, l.col
		switch {
		case c == '\n':
			l.advance()
			if len(stack) == 0 && !atStart {
				l.toks = append(l.toks, pyTok{kind: pyNewline, line: line, col: col})
				atStart = true
			}
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			l.advance()
			continue
		case c == '#':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.advance()
			}
			continue
		case c == '\\' && (strings.HasPrefix(l.src[l.pos:], "\\\n") || strings.HasPrefix(l.src[l.pos:], "\\\r\n")):
			for l.src[l.pos] != '\n' {
				l.advance()
			}
			l.advance()
			continue
		}
		t := pyTok{line: line, col: col, first: atStart && col == 1}
		atStart = false
		switch {
		case isPyIdentStart(c):
			start := l.pos
			for l.pos < len(l.src) && isPyIdent(l.src[l.pos]) {
				l.advance()
			}
			word := l.src[start:l.pos]
			if l.pos < len(l.src) && (l.src[l.pos] == '\'' || l.src[l.pos] == '"') && isStringPrefix(word) {
				s, err := l.str(line, col, strings.ContainsAny(word, "rR"))
				if err != nil {
					return err
				}
				t.kind, t.text, t.fstr = pyString, s, strings.ContainsAny(word, "fF")
				t.line, t.col = l.strLine, l.strCol
			} else {
				t.kind, t.text = pyName, word
			}
		case c == '\'' || c == '"':
			s, err := l.str(line, col, false)
			if err != nil {
				return err
			}
			t.kind, t.text = pyString, s
			t.line, t.col = l.strLine, l.strCol
		case c >= '0' && c <= '9' || c == '.' && l.pos+1 < len(l.src) && l.src[l.pos+1] >= '0' && l.src[l.pos+1] <= '9':
			start := l.pos
			for l.pos < len(l.src) {
				d := l.src[l.pos]
				if isPyIdent(d) || d == '.' {
					l.advance()
					continue
				}
				if (d == '+' || d == '-') && l.pos > start && (l.src[l.pos-1] == 'e' || l.src[l.pos-1] == 'E') &&
					!strings.HasPrefix(l.src[start:], "0x") && !strings.HasPrefix(l.src[start:], "0X") {
					l.advance()
					continue
				}
				break
			}
			t.kind, t.text = pyNumber, l.src[start:l.pos]
		default:
			switch c {
			case '(', '[', '{':
				stack = append(stack, open{line, col})
			case ')', ']', '}':
				if len(stack) > 0 {
					stack = stack[:len(stack)-1]
				}
			}
			start := l.pos
			l.advance()
			if l.pos < len(l.src) && (c == '*' && l.src[l.pos] == '*' || c == '=' && l.src[l.pos] == '=') {
				l.advance()
			}
			t.kind, t.text = pyOp, l.src[start:l.pos]
		}
		l.toks = append(l.toks, t)
	}
	if len(stack) > 0 {
		o := stack[len(stack)-1]
		return l.errAt(o.line, o.col, "bracket not closed")
	}
	l.toks = append(l.toks, pyTok{kind: pyNewline, line: l.line, col: l.col}, pyTok{kind: pyEOF, line: l.line, col: l.col})
	return nil
}

// isStringPrefix reports a string prefix: r, u, b, f and the pairs of r
// with b or f, in any case and order.
func isStringPrefix(w string) bool {
	switch strings.ToLower(w) {
	case "r", "u", "b", "f", "br", "rb", "fr", "rf":
		return true
	}
	return false
}

// str reads a string literal whose quote is at l.pos and returns it
// decoded; line:col is where the literal (its prefix) starts.
func (l *pyLexer) str(line, col int, raw bool) (string, error) {
	q := l.src[l.pos]
	triple := strings.HasPrefix(l.src[l.pos:], string([]byte{q, q, q}))
	n := 1
	if triple {
		n = 3
	}
	for i := 0; i < n; i++ {
		l.advance()
	}
	// A string is located at the character before its text, as a quote
	// is in the other formats, whatever its prefix and quotes.
	l.strLine, l.strCol = l.line, l.col-1
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == q && (!triple || strings.HasPrefix(l.src[l.pos:], string([]byte{q, q, q}))):
			for i := 0; i < n; i++ {
				l.advance()
			}
			return b.String(), nil
		case c == '\n' && !triple:
			return "", l.errAt(line, col, "string not closed on its line")
		case c == '\\':
			l.advance()
			if l.pos >= len(l.src) {
				return "", l.errAt(line, col, "string not closed")
			}
			e := l.src[l.pos]
			if raw {
				b.WriteByte('\\')
				if e != '\n' && e != '\r' {
					b.WriteByte(e)
					l.advance()
				}
				continue
			}
			switch e {
			case '\n':
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			case '\\', '\'', '"':
				b.WriteByte(e)
			case 'x', 'u', 'U':
				width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
				if l.pos+1+width <= len(l.src) {
					if r, err := strconv.ParseUint(l.src[l.pos+1:l.pos+1+width], 16, 32); err == nil && r <= utf8.MaxRune {
						b.WriteRune(rune(r))
						for i := 0; i <= width; i++ {
							l.advance()
						}
						continue
					}
				}
				b.WriteByte('\\')
				b.WriteByte(e)
			default:
				if e == '\r' {
					// A continuation written with CRLF.
					l.advance()
					if l.pos < len(l.src) && l.src[l.pos] == '\n' {
						l.advance()
					}
					continue
				}
				b.WriteByte('\\')
				if e < utf8.RuneSelf {
					b.WriteByte(e)
				} else {
					continue // the rune is written by the next turn
				}
			}
			l.advance()
		default:
			start := l.pos
			l.advance()
			b.WriteString(l.src[start:l.pos])
		}
	}
	return "", l.errAt(line, col, "string not closed")
}

type pyParser struct {
	toks []pyTok
	i    int
	a    *arena
}

func (p *pyParser) peek() pyTok { return p.toks[p.i] }

func (p *pyParser) isOp(s string) bool {
	t := p.toks[p.i]
	return t.kind == pyOp && t.text == s
}

func parsePython(data []byte, a *arena) (Document, error) {
	data = stripBOM(data)
	l := &pyLexer{textPos: newTextPos(data)}
	if err := l.lex(); err != nil {
		return Document{}, err
	}
	p := &pyParser{toks: l.toks, a: a}
	root := a.node()
	root.Kind, root.Line, root.Col = Map, 1, 1
	mark := a.mark()
	for p.peek().kind != pyEOF {
		t := p.peek()
		if t.kind == pyName && t.first && p.toks[p.i+1].kind == pyOp && p.toks[p.i+1].text == "=" {
			p.i += 2
			n, ok, err := p.value(1)
			if err != nil {
				return Document{}, err
			}
			if ok && p.peek().kind == pyNewline {
				n.Key, n.KeyLine, n.KeyCol = t.text, t.line, t.col
				a.push(n)
			}
		}
		for p.peek().kind != pyNewline {
			p.i++
		}
		p.i++
	}
	root.Children = a.children(mark)
	return Document{Root: root}, nil
}

// skipElem moves past an element of a bracketed list that could not be
// read, from its first token to the comma or closing bracket after it.
func (p *pyParser) skipElem() {
	depth := 0
	for {
		t := p.peek()
		switch {
		case t.kind == pyNewline || t.kind == pyEOF:
			return
		case t.kind == pyOp && (t.text == "(" || t.text == "[" || t.text == "{"):
			depth++
		case t.kind == pyOp && (t.text == ")" || t.text == "]" || t.text == "}"):
			if depth == 0 {
				return
			}
			depth--
		case t.kind == pyOp && t.text == "," && depth == 0:
			return
		}
		p.i++
	}
}

func (p *pyParser) node(kind Kind, t pyTok) (*Node, error) {
	if p.a.full() {
		return nil, limitError(ErrTooManyNodes, t.line, t.col)
	}
	n := p.a.node()
	n.Kind, n.Line, n.Col = kind, t.line, t.col
	return n, nil
}

// value is expr, dropping whatever an unreadable value left on the
// arena's stack of children.
func (p *pyParser) value(depth int) (*Node, bool, error) {
	m := p.a.mark()
	n, ok, err := p.expr(depth)
	if !ok {
		p.a.stack = p.a.stack[:m]
	}
	return n, ok, err
}

// expr reads one value; ok is false when it is not readable, with p.i
// anywhere inside it.
func (p *pyParser) expr(depth int) (n *Node, ok bool, err error) {
	t := p.peek()
	if depth > MaxDepth {
		return nil, false, limitError(ErrTooDeep, t.line, t.col)
	}
	switch t.kind {
	case pyString:
		var b strings.Builder
		for p.peek().kind == pyString {
			if p.peek().fstr {
				return nil, false, nil
			}
			b.WriteString(p.peek().text)
			p.i++
		}
		if n, err = p.node(Scalar, t); err != nil {
			return nil, false, err
		}
		n.Type, n.Value, n.Quoted = String, b.String(), true
		return n, true, nil
	case pyNumber:
		p.i++
		return p.number(t, t.text)
	case pyOp:
		switch t.text {
		case "-", "+":
			if nt := p.toks[p.i+1]; nt.kind == pyNumber {
				p.i += 2
				return p.number(t, t.text+nt.text)
			}
		case "{":
			return p.dict(depth)
		case "[", "(":
			return p.seq(depth)
		}
		return nil, false, nil
	case pyName:
		switch t.text {
		case "True", "False":
			p.i++
			if n, err = p.node(Scalar, t); err != nil {
				return nil, false, err
			}
			n.Type, n.Value = Bool, strings.ToLower(t.text)
			return n, true, nil
		case "None":
			p.i++
			n, err = p.node(Null, t)
			if n != nil {
				n.Type = NullType
			}
			return n, err == nil, err
		}
		return p.call(depth)
	}
	return nil, false, nil
}

func (p *pyParser) number(t pyTok, text string) (*Node, bool, error) {
	clean := strings.ReplaceAll(text, "_", "")
	typ := Int
	if _, err := strconv.ParseInt(clean, 0, 64); err != nil {
		if _, err := strconv.ParseFloat(clean, 64); err != nil || strings.ContainsAny(clean, "xXoObB") {
			return nil, false, nil
		}
		typ = Float
	}
	n, err := p.node(Scalar, t)
	if err != nil {
		return nil, false, err
	}
	n.Type, n.Value = typ, text
	return n, true, nil
}

// dict reads {key: value, ...}; entries that are not readable are left out.
func (p *pyParser) dict(depth int) (*Node, bool, error) {
	open := p.peek()
	p.i++
	n, err := p.node(Map, open)
	if err != nil {
		return nil, false, err
	}
	mark := p.a.mark()
	for !p.isOp("}") {
		if k := p.peek().kind; k == pyNewline || k == pyEOF {
			return nil, false, nil
		}
		start := p.i
		kt := p.peek()
		key, ok, err := p.value(depth + 1)
		if err != nil {
			return nil, false, err
		}
		if ok && key.Kind == Scalar && key.Quoted && p.isOp(":") {
			p.i++
			v, ok, err := p.value(depth + 1)
			if err != nil {
				return nil, false, err
			}
			if ok && (p.isOp(",") || p.isOp("}")) {
				v.Key, v.KeyLine, v.KeyCol = key.Value, kt.line, kt.col
				p.a.push(v)
			} else {
				p.i = start
				p.skipElem()
			}
		} else {
			p.i = start
			p.skipElem()
		}
		if p.isOp(",") {
			p.i++
		} else if !p.isOp("}") {
			return nil, false, nil
		}
	}
	p.i++
	n.Children = p.a.children(mark)
	return n, true, nil
}

// seq reads a list or a tuple, or the value inside parentheses; elements
// that are not readable are left out.
func (p *pyParser) seq(depth int) (*Node, bool, error) {
	open := p.peek()
	closer := "]"
	if open.text == "(" {
		closer = ")"
	}
	p.i++
	n, err := p.node(Seq, open)
	if err != nil {
		return nil, false, err
	}
	mark := p.a.mark()
	commas := 0
	for !p.isOp(closer) {
		if k := p.peek().kind; k == pyNewline || k == pyEOF {
			return nil, false, nil
		}
		start := p.i
		v, ok, err := p.value(depth + 1)
		if err != nil {
			return nil, false, err
		}
		if ok && (p.isOp(",") || p.isOp(closer)) {
			p.a.push(v)
		} else {
			p.i = start
			p.skipElem()
		}
		if p.isOp(",") {
			commas++
			p.i++
		} else if !p.isOp(closer) {
			return nil, false, nil
		}
	}
	p.i++
	kids := p.a.children(mark)
	if closer == ")" && commas == 0 {
		// (x) is x.
		if len(kids) != 1 {
			return nil, false, nil
		}
		return kids[0], true, nil
	}
	n.Children = kids
	return n, true, nil
}

// call reads a call of a dotted name, or a subscript of one.
func (p *pyParser) call(depth int) (*Node, bool, error) {
	t := p.peek()
	name := t.text
	p.i++
	for p.isOp(".") && p.toks[p.i+1].kind == pyName {
		name += "." + p.toks[p.i+1].text
		p.i += 2
	}
	closer := ")"
	switch {
	case p.isOp("("):
	case p.isOp("["):
		closer = "]"
	default:
		return nil, false, nil
	}
	p.i++
	n, err := p.node(Map, t)
	if err != nil {
		return nil, false, err
	}
	n.Type, n.Value = String, name+p.toks[p.i-1].text
	mark := p.a.mark()
	for !p.isOp(closer) {
		var key pyTok
		if p.peek().kind == pyName && p.toks[p.i+1].kind == pyOp && p.toks[p.i+1].text == "=" && closer == ")" {
			key = p.peek()
			p.i += 2
		}
		v, ok, err := p.value(depth + 1)
		if err != nil || !ok {
			return nil, false, err
		}
		if key.text != "" {
			v.Key, v.KeyLine, v.KeyCol = key.text, key.line, key.col
		}
		p.a.push(v)
		if p.isOp(",") {
			p.i++
		} else if !p.isOp(closer) {
			return nil, false, nil
		}
	}
	p.i++
	n.Children = p.a.children(mark)
	if p.isOp(".") || p.isOp("(") || p.isOp("[") {
		return nil, false, nil // os.getenv("X").split(","): not a literal
	}
	return n, true, nil
}
