package tree

import (
	"bytes"
	"strings"
)

// ParseINI reads an INI file as PgBouncer, MySQL/MariaDB (my.cnf), PHP
// and Python's configparser write them. Each [section] is a Map child of
// the root, in file order; a section that appears twice is two children
// with the same key, since merging would hide which one a setting came
// from. Keys before the first header sit directly under the root.
//
// A value is everything after the first '=' or ':' (so PgBouncer's
// "db = host=localhost port=5432" keeps its whole connection string),
// trimmed, with a ; or # comment cut off when blanks precede it, and
// unquoted when it is wholly quoted. A key without a separator (my.cnf's
// skip-name-resolve) is a Scalar with an empty value. !include,
// !includedir and %include lines are skipped: following them is the
// caller's job. A malformed line is skipped and listed in
// Document.Problems; the only error is a file of more than MaxNodes
// sections and keys.
func ParseINI(data []byte) (Document, error) {
	return parseINI(data, &arena{})
}

func parseINI(data []byte, a *arena) (Document, error) {
	data = stripBOM(data)
	src := string(data)
	a.hint(bytes.Count(data, []byte{'\n'}) + 2)
	root := a.node()
	root.Kind, root.Line, root.Col = Map, 1, 1
	cur := root
	var doc Document
	var head []string
	lineNo := 0
	for pos := 0; pos < len(src); {
		l, next := propLine(src, pos)
		pos = next
		lineNo++
		i := skipBlank(l, 0)
		if i == len(l) {
			head = head[:0]
			continue
		}
		switch l[i] {
		case ';', '#':
			head = append(head, strings.TrimSpace(l[i+1:]))
			continue
		case '!', '%':
			head = head[:0]
			continue
		case '[':
			end := strings.IndexByte(l[i:], ']')
			if end < 0 {
				doc.Problems = append(doc.Problems, &SyntaxError{Line: lineNo, Col: runeCol(l, i), Msg: "section header without ']', line skipped"})
				head = head[:0]
				continue
			}
			end += i
			nameAt := skipBlank(l, i+1)
			if a.full() {
				return Document{}, limitError(ErrTooManyNodes, lineNo, runeCol(l, i))
			}
			s := a.node()
			s.Kind = Map
			s.Children = a.room(8)
			s.Key = strings.TrimSpace(l[i+1 : end])
			s.KeyLine, s.KeyCol = lineNo, runeCol(l, nameAt)
			s.Line, s.Col = lineNo, runeCol(l, i)
			s.Comment = joinComment(head, iniTrailingComment(l[end+1:]))
			head = head[:0]
			root.Children = append(root.Children, s)
			cur = s
			continue
		}
		sep := strings.IndexAny(l[i:], "=:")
		if a.full() {
			return Document{}, limitError(ErrTooManyNodes, lineNo, runeCol(l, i))
		}
		n := a.node()
		n.Kind, n.Type = Scalar, String
		n.KeyLine, n.KeyCol = lineNo, runeCol(l, i)
		var inline string
		if sep < 0 {
			// A bare key: cut a trailing comment, keep the name.
			k, c := iniCutComment(l[i:])
			n.Key, inline = k, c
			n.Line, n.Col = lineNo, runeCol(l, i+len(k))
		} else {
			sep += i
			n.Key = strings.TrimRight(l[i:sep], " \t")
			if n.Key == "" {
				doc.Problems = append(doc.Problems, &SyntaxError{Line: lineNo, Col: runeCol(l, i), Msg: "empty key, line skipped"})
				head = head[:0]
				continue
			}
			v := skipBlank(l, sep+1)
			n.Line, n.Col = lineNo, runeCol(l, v)
			if v > sep+1 && v < len(l) && (l[v] == ';' || l[v] == '#') {
				inline = strings.TrimSpace(l[v+1:])
			} else {
				n.Value, n.Quoted, inline = iniValue(l[v:])
			}
		}
		n.Comment = joinComment(head, inline)
		head = head[:0]
		cur.Children = append(cur.Children, n)
	}
	doc.Root = root
	return doc, nil
}

// iniValue unquotes a wholly quoted value and otherwise cuts an inline
// comment; it returns the value, whether it was quoted, and the comment.
func iniValue(s string) (string, bool, string) {
	if len(s) > 0 && (s[0] == '"' || s[0] == '\'') {
		if end := strings.IndexByte(s[1:], s[0]); end >= 0 {
			rest := strings.TrimSpace(s[end+2:])
			if rest == "" {
				return s[1 : end+1], true, ""
			}
			if rest[0] == ';' || rest[0] == '#' {
				return s[1 : end+1], true, strings.TrimSpace(rest[1:])
			}
		}
	}
	v, c := iniCutComment(s)
	return v, false, c
}

// iniCutComment splits an unquoted value at a ; or # that follows a blank,
// and trims it.
func iniCutComment(s string) (string, string) {
	for j := 1; j < len(s); j++ {
		if (s[j] == ';' || s[j] == '#') && (s[j-1] == ' ' || s[j-1] == '\t') {
			return strings.TrimRight(s[:j], " \t"), strings.TrimSpace(s[j+1:])
		}
	}
	return strings.TrimRight(s, " \t"), ""
}

func iniTrailingComment(s string) string {
	s = strings.TrimSpace(s)
	if s != "" && (s[0] == ';' || s[0] == '#') {
		return strings.TrimSpace(s[1:])
	}
	return ""
}
