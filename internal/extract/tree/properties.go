package tree

import (
	"strings"
	"unicode/utf8"
)

// ParseProperties reads a Java .properties file the way
// java.util.Properties.load does: key=value, key: value or key value,
// # and ! comment lines, backslash continuations, and the escapes \t \n
// \r \f \uXXXX and \<char>. The root is a flat Map keyed by the full key
// (spring.datasource.url stays one key: whether dots mean nesting is the
// reader's business), in file order with duplicates kept.
//
// The specification says ISO-8859-1, but Spring Boot and most tools today
// read UTF-8, so the file is read as UTF-8 when it is valid UTF-8 and as
// Latin-1 otherwise. A malformed \u escape is kept as written and listed in
// Document.Problems rather than failing the file. The only error is a
// file of more than MaxNodes keys.
func ParseProperties(data []byte) (Document, error) {
	return parseProperties(data, &arena{})
}

func parseProperties(data []byte, a *arena) (Document, error) {
	data = stripBOM(data)
	var src string
	if utf8.Valid(data) {
		src = string(data)
	} else {
		src = latin1(data)
	}
	a.hint(strings.Count(src, "\n") + 2)
	root := a.node()
	root.Kind, root.Line, root.Col = Map, 1, 1
	var doc Document
	var head []string
	lineNo := 0
	mark := a.mark()
	var segs []propSeg
	for pos := 0; pos < len(src); {
		l, next := propLine(src, pos)
		pos = next
		lineNo++
		i := skipPropBlank(l, 0)
		if i == len(l) {
			head = head[:0]
			continue
		}
		if l[i] == '#' || l[i] == '!' {
			head = append(head, strings.TrimSpace(l[i+1:]))
			continue
		}
		// Join continuation lines into one logical line, remembering
		// where each piece came from so that positions stay exact.
		logical := l[i:]
		segs = append(segs[:0], propSeg{line: lineNo, text: l, from: i, logOff: 0})
		if continues(logical) {
			var b strings.Builder
			b.WriteString(logical[:len(logical)-1])
			for pos < len(src) {
				nl, nx := propLine(src, pos)
				pos = nx
				lineNo++
				j := skipPropBlank(nl, 0)
				segs = append(segs, propSeg{line: lineNo, text: nl, from: j, logOff: b.Len()})
				piece := nl[j:]
				if !continues(piece) {
					b.WriteString(piece)
					break
				}
				b.WriteString(piece[:len(piece)-1])
			}
			logical = b.String()
		}
		// The key ends at the first unescaped '=', ':' or blank.
		k := 0
		for k < len(logical) {
			c := logical[k]
			if c == '\\' {
				k += 2
				continue
			}
			if c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\f' {
				break
			}
			k++
		}
		if k > len(logical) {
			k = len(logical)
		}
		keyRaw := logical[:k]
		v := skipPropBlank(logical, k)
		if v < len(logical) && (logical[v] == '=' || logical[v] == ':') {
			v = skipPropBlank(logical, v+1)
		}
		if a.full() {
			return Document{}, limitError(ErrTooManyNodes, segs[0].line, runeCol(segs[0].text, segs[0].from))
		}
		n := a.node()
		n.Kind, n.Type = Scalar, String
		n.KeyLine, n.KeyCol = segs[0].line, runeCol(segs[0].text, segs[0].from)
		n.Line, n.Col = segPos(segs, v)
		var keyBad, valBad bool
		n.Key, keyBad = propUnescape(keyRaw)
		n.Value, valBad = propUnescape(logical[v:])
		if keyBad || valBad {
			doc.Problems = append(doc.Problems, &SyntaxError{Line: segs[0].line, Col: n.KeyCol, Msg: "malformed \\uXXXX escape kept as written"})
		}
		n.Comment = joinComment(head, "")
		head = head[:0]
		a.push(n)
	}
	root.Children = a.children(mark)
	doc.Root = root
	return doc, nil
}

// propSeg is one physical line of a logical line: text is the whole
// physical line, from the offset in it where the piece starts, logOff the
// offset of the piece in the logical line.
type propSeg struct {
	line   int
	text   string
	from   int
	logOff int
}

// segPos maps an offset in the logical line back to a line and column.
func segPos(segs []propSeg, off int) (int, int) {
	s := segs[0]
	for _, x := range segs[1:] {
		if x.logOff > off {
			break
		}
		s = x
	}
	// An offset past the end of a continued piece (an empty value after
	// "key=\") belongs at the end of that piece's line.
	return s.line, runeCol(s.text, s.from+off-s.logOff)
}

func propLine(src string, pos int) (string, int) {
	end := strings.IndexByte(src[pos:], '\n')
	if end < 0 {
		end = len(src)
	} else {
		end += pos
	}
	return strings.TrimSuffix(src[pos:end], "\r"), end + 1
}

func skipPropBlank(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\f') {
		i++
	}
	return i
}

// continues reports whether a line ends in an odd number of backslashes,
// which joins it with the next line.
func continues(s string) bool {
	n := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// propUnescape resolves the escapes of a key or value. It reports a
// malformed \u escape, which it keeps as written.
func propUnescape(s string) (string, bool) {
	if strings.IndexByte(s, '\\') < 0 {
		return s, false
	}
	var b strings.Builder
	b.Grow(len(s))
	bad := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := s[i]; e {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			r, ok := hex4(s, i+1)
			if !ok {
				bad = true
				b.WriteString(`\u`)
				continue
			}
			b.WriteRune(r)
			i += 4
		default:
			b.WriteByte(e)
		}
	}
	return b.String(), bad
}

// latin1 decodes ISO-8859-1, where every byte is the code point of the
// same value.
func latin1(data []byte) string {
	b := make([]byte, 0, len(data)+len(data)/4)
	for _, c := range data {
		b = utf8.AppendRune(b, rune(c))
	}
	return string(b)
}
