package tree

import (
	"strings"
)

// ParsePrisma reads a Prisma schema (schema.prisma): blocks written
// `keyword name { ... }`. The root is a Map with one child per block, in
// file order: a Map whose Key is the block's name (db) and whose Value is
// its keyword (datasource, generator, model, enum, view, type). Only the
// assignments of datasource and generator blocks (key = value) are read
// into children; the fields of the other blocks are skipped, their
// strings and braces honoured.
//
// A value is a Scalar: a string literal decoded (Quoted, located at its
// opening quote), anything else as written — a function call such as
// env("DATABASE_URL"), an array, a number or a word — with Quoted false.
// Comments (// and ///) run to the end of the line.
func ParsePrisma(data []byte) (Document, error) { return parsePrisma(data, &arena{}) }

// ParsePrisma is ParsePrisma in the Reader's memory.
func (r *Reader) ParsePrisma(data []byte) (Document, error) { return parsePrisma(data, r.arena()) }

type prismaScanner struct {
	textPos
	a *arena
}

// skipSpace skips blanks, and newlines when nl is set, and comments.
func (s *prismaScanner) skipSpace(nl bool) {
	for s.pos < len(s.src) {
		switch c := s.src[s.pos]; {
		case c == ' ' || c == '\t' || c == '\r':
			s.advance()
		case c == '\n' && nl:
			s.advance()
		case c == '/' && strings.HasPrefix(s.src[s.pos:], "//"):
			for s.pos < len(s.src) && s.src[s.pos] != '\n' {
				s.advance()
			}
		default:
			return
		}
	}
}

func isPrismaIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func (s *prismaScanner) ident() string {
	start := s.pos
	for s.pos < len(s.src) && isPrismaIdent(s.src[s.pos]) {
		s.pos++
		s.col++
	}
	return s.src[start:s.pos]
}

func parsePrisma(data []byte, a *arena) (Document, error) {
	data = stripBOM(data)
	s := &prismaScanner{textPos: newTextPos(data), a: a}
	root := a.node()
	root.Kind, root.Line, root.Col = Map, 1, 1
	mark := a.mark()
	for {
		s.skipSpace(true)
		if s.pos >= len(s.src) {
			break
		}
		line, col := s.line, s.col
		kw := s.ident()
		if kw == "" {
			return Document{}, s.errAt(line, col, "expected a block keyword (datasource, generator, model, enum, ...)")
		}
		s.skipSpace(false)
		nline, ncol := s.line, s.col
		name := s.ident()
		if name == "" {
			return Document{}, s.errAt(nline, ncol, "expected the block's name")
		}
		s.skipSpace(false)
		if s.pos >= len(s.src) || s.src[s.pos] != '{' {
			return Document{}, s.errAt(s.line, s.col, `expected "{" after the block's name`)
		}
		if a.full() {
			return Document{}, limitError(ErrTooManyNodes, line, col)
		}
		b := a.node()
		b.Kind, b.Key, b.Value = Map, name, kw
		b.KeyLine, b.KeyCol, b.Line, b.Col = nline, ncol, line, col
		s.advance()
		var err error
		if kw == "datasource" || kw == "generator" {
			b.Children, err = s.assignments(line, col)
		} else {
			err = s.skipBlock(line, col)
		}
		if err != nil {
			return Document{}, err
		}
		a.push(b)
	}
	root.Children = a.children(mark)
	return Document{Root: root}, nil
}

// assignments reads key = value lines up to the block's closing brace.
func (s *prismaScanner) assignments(bline, bcol int) ([]*Node, error) {
	mark := s.a.mark()
	for {
		s.skipSpace(true)
		if s.pos >= len(s.src) {
			return nil, s.errAt(bline, bcol, `block not closed: "}" missing`)
		}
		if s.src[s.pos] == '}' {
			s.advance()
			return s.a.children(mark), nil
		}
		kline, kcol := s.line, s.col
		key := s.ident()
		if key == "" {
			return nil, s.errAt(kline, kcol, "expected a setting's name")
		}
		s.skipSpace(false)
		if s.pos >= len(s.src) || s.src[s.pos] != '=' {
			return nil, s.errAt(s.line, s.col, `expected "=" after the setting's name`)
		}
		s.advance()
		s.skipSpace(false)
		if s.pos >= len(s.src) || s.src[s.pos] == '\n' || s.src[s.pos] == '}' {
			return nil, s.errAt(s.line, s.col, "expected a value")
		}
		if s.a.full() {
			return nil, limitError(ErrTooManyNodes, kline, kcol)
		}
		n := s.a.node()
		n.Kind, n.Type, n.Key = Scalar, String, key
		n.KeyLine, n.KeyCol, n.Line, n.Col = kline, kcol, s.line, s.col
		if s.src[s.pos] == '"' {
			v, err := s.str()
			if err != nil {
				return nil, err
			}
			n.Value, n.Quoted = v, true
		} else {
			start := s.pos
			if err := s.expr(); err != nil {
				return nil, err
			}
			n.Value = strings.TrimRight(s.src[start:s.pos], " \t\r")
		}
		s.a.push(n)
		s.skipSpace(false)
		if s.pos < len(s.src) && s.src[s.pos] != '\n' && s.src[s.pos] != '}' {
			return nil, s.errAt(s.line, s.col, "expected the end of the line after a value")
		}
	}
}

// str reads a string literal at s.pos (a '"') and returns it decoded.
// A string does not span lines.
func (s *prismaScanner) str() (string, error) {
	line, col := s.line, s.col
	s.advance()
	start := s.pos
	var b strings.Builder
	escaped := false
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch c {
		case '\n':
			return "", s.errAt(line, col, "string not closed on its line")
		case '"':
			s.advance()
			if !escaped {
				return s.src[start : s.pos-1], nil
			}
			return b.String(), nil
		case '\\':
			if !escaped {
				escaped = true
				b.WriteString(s.src[start:s.pos])
			}
			s.advance()
			if s.pos >= len(s.src) || s.src[s.pos] == '\n' {
				return "", s.errAt(line, col, "string not closed on its line")
			}
			switch e := s.src[s.pos]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '"', '\\', '/':
				b.WriteByte(e)
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			s.advance()
			continue
		}
		at := s.pos
		s.advance()
		if escaped {
			b.WriteString(s.src[at:s.pos])
		}
	}
	return "", s.errAt(line, col, "string not closed on its line")
}

// expr skips a value that is not a string literal: words, numbers, calls
// and arrays, with their strings, up to the end of the line or a comment.
// Brackets and parentheses must balance on the line.
func (s *prismaScanner) expr() error {
	line, col := s.line, s.col
	depth := 0
	for s.pos < len(s.src) {
		switch c := s.src[s.pos]; c {
		case '\n', '}':
			if depth > 0 {
				return s.errAt(line, col, "brackets or parentheses not closed on the value's line")
			}
			return nil
		case '/':
			if depth == 0 && strings.HasPrefix(s.src[s.pos:], "//") {
				return nil
			}
			s.advance()
		case '"':
			if _, err := s.str(); err != nil {
				return err
			}
		case '(', '[':
			depth++
			s.advance()
		case ')', ']':
			if depth == 0 {
				return s.errAt(s.line, s.col, "closing bracket or parenthesis without its opening one")
			}
			depth--
			s.advance()
		default:
			s.advance()
		}
	}
	if depth > 0 {
		return s.errAt(line, col, "brackets or parentheses not closed on the value's line")
	}
	return nil
}

// skipBlock skips the fields of a model, enum or other block up to its
// closing brace, honouring strings and comments.
func (s *prismaScanner) skipBlock(bline, bcol int) error {
	depth := 1
	for s.pos < len(s.src) {
		switch c := s.src[s.pos]; c {
		case '"':
			if _, err := s.str(); err != nil {
				return err
			}
			continue
		case '/':
			if strings.HasPrefix(s.src[s.pos:], "//") {
				s.skipSpace(false)
				continue
			}
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				s.advance()
				return nil
			}
		}
		s.advance()
	}
	return s.errAt(bline, bcol, `block not closed: "}" missing`)
}
