package tree

import (
	"bytes"
	"strings"
)

// ParseEnv reads a dotenv file: KEY=value lines, optionally prefixed by
// export, with # comments, 'literal' and "escaped" values (the latter may
// span lines). The root is a Map of the assignments in file order,
// duplicates included, since a later rule reports them.
//
// Interpolation (${VAR:-default}, ${VAR:?msg}, $$) is kept as written: what
// it means depends on the tool that reads the file (docker compose, a
// shell, a dotenv library), and the extractor decides. A line that is not
// an assignment does not stop the parse, because one stray line should not
// hide every connection setting after it: it is skipped and listed in
// Document.Problems. The only error is a file of more than MaxNodes
// assignments.
func ParseEnv(data []byte) (Document, error) {
	return parseEnv(data, &arena{})
}

func parseEnv(data []byte, a *arena) (Document, error) {
	data = stripBOM(data)
	src := string(data)
	a.hint(bytes.Count(data, []byte{'\n'}) + 2)
	root := a.node()
	root.Kind, root.Line, root.Col = Map, 1, 1
	var doc Document
	var head []string
	lineNo := 0
	mark := a.mark()
	for pos := 0; pos < len(src); {
		lineStart := pos
		end := strings.IndexByte(src[pos:], '\n')
		if end < 0 {
			end = len(src)
		} else {
			end += pos
		}
		pos = end + 1
		lineNo++
		l := strings.TrimSuffix(src[lineStart:end], "\r")
		i := skipBlank(l, 0)
		if i == len(l) {
			head = head[:0]
			continue
		}
		if l[i] == '#' {
			head = append(head, strings.TrimSpace(l[i+1:]))
			continue
		}
		if strings.HasPrefix(l[i:], "export") && i+6 < len(l) && (l[i+6] == ' ' || l[i+6] == '\t') {
			i = skipBlank(l, i+6)
		}
		keyStart := i
		for i < len(l) && l[i] != '=' && l[i] != ' ' && l[i] != '\t' {
			i++
		}
		key := l[keyStart:i]
		i = skipBlank(l, i)
		if key == "" || i >= len(l) || l[i] != '=' || !envKeyOK(key) {
			doc.Problems = append(doc.Problems, &SyntaxError{Line: lineNo, Col: runeCol(l, keyStart), Msg: "expected KEY=value, line skipped"})
			head = head[:0]
			continue
		}
		i = skipBlank(l, i+1)
		if a.full() {
			return Document{}, limitError(ErrTooManyNodes, lineNo, runeCol(l, keyStart))
		}
		n := a.node()
		n.Kind, n.Type = Scalar, String
		n.Key, n.KeyLine, n.KeyCol = key, lineNo, runeCol(l, keyStart)
		n.Line, n.Col = lineNo, runeCol(l, i)
		var inline string
		if i < len(l) && (l[i] == '"' || l[i] == '\'') {
			value, closeAt, ok := envQuoted(src, lineStart+i)
			if !ok {
				doc.Problems = append(doc.Problems, &SyntaxError{Line: lineNo, Col: n.Col, Msg: "unterminated quoted value, line skipped"})
				head = head[:0]
				continue
			}
			n.Value, n.Quoted = value, true
			// The value may have run over several lines: go on after the
			// line that holds the closing quote.
			lineNo += strings.Count(src[lineStart+i:closeAt], "\n")
			end = strings.IndexByte(src[closeAt:], '\n')
			if end < 0 {
				end = len(src)
			} else {
				end += closeAt
			}
			pos = end + 1
			rest := strings.TrimSpace(src[closeAt+1 : end])
			switch {
			case rest == "":
			case rest[0] == '#':
				inline = strings.TrimSpace(rest[1:])
			default:
				doc.Problems = append(doc.Problems, &SyntaxError{Line: lineNo, Msg: "text after the closing quote ignored"})
			}
		} else {
			v := l[i:]
			for j := 1; j < len(v); j++ {
				if v[j] == '#' && (v[j-1] == ' ' || v[j-1] == '\t') {
					inline = strings.TrimSpace(v[j+1:])
					v = v[:j]
					break
				}
			}
			n.Value = strings.TrimRight(v, " \t")
		}
		n.Comment = joinComment(head, inline)
		head = head[:0]
		a.push(n)
	}
	root.Children = a.children(mark)
	doc.Root = root
	return doc, nil
}

func skipBlank(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// envKeyOK accepts the names shells and dotenv libraries accept, plus dots
// and dashes that some Java and .NET tools put in env files.
func envKeyOK(k string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c == '_' || c == '.' || c == '-' || isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z')) {
			return false
		}
	}
	return true
}

// envQuoted reads a quoted value whose opening quote is at src[at]. It
// returns the value and the offset of the closing quote. Single quotes are
// literal; double quotes know \n \r \t \" \\ and \$, and keep any other
// backslash as written so that a Windows path survives.
func envQuoted(src string, at int) (string, int, bool) {
	q := src[at]
	start := at + 1
	if q == '\'' {
		end := strings.IndexByte(src[start:], '\'')
		if end < 0 {
			return "", 0, false
		}
		end += start
		return dropCR(src[start:end]), end, true
	}
	i := start
	for i < len(src) && src[i] != '"' && src[i] != '\\' {
		i++
	}
	if i < len(src) && src[i] == '"' {
		return dropCR(src[start:i]), i, true
	}
	var b strings.Builder
	b.WriteString(src[start:i])
	for i < len(src) {
		c := src[i]
		switch {
		case c == '"':
			return dropCR(b.String()), i, true
		case c == '\\' && i+1 < len(src):
			switch e := src[i+1]; e {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case '"', '\\', '$':
				b.WriteByte(e)
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			i += 2
		default:
			b.WriteByte(c)
			i++
		}
	}
	return "", 0, false
}

// dropCR turns CRLF line ends inside a multi-line value into LF, so that a
// file checked out on Windows reads the same.
func dropCR(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\r\n", "\n")
}

func joinComment(head []string, inline string) string {
	if len(head) == 0 {
		return inline
	}
	s := strings.Join(head, "\n")
	if inline != "" {
		s += "\n" + inline
	}
	return s
}
