package extract

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dbguard/dbguard/internal/extract/tree"
)

// Template tags (ERB's <%= ... %>, Jinja's and Helm's {{ ... }}) are
// rendered before the YAML they sit in is parsed, so their text need not be
// valid YAML: `pool: <%= a ? b : c %>` is not. dbguard does not render them.
// It replaces each tag by a placeholder of the same length in characters,
// so every position in the file stays where it was, parses, and puts the
// tags' text back into the values.

type templateMask struct {
	orig map[string]string // placeholder -> tag text
}

// maskTemplates returns data with template tags replaced, and the way back.
// It returns data unchanged (and a nil mask) when there are no tags.
func maskTemplates(data []byte) ([]byte, *templateMask) {
	if !bytes.Contains(data, []byte("<%")) && !bytes.Contains(data, []byte("{{")) && !bytes.Contains(data, []byte("{%")) {
		// Most files have no tags: look before copying the text.
		return data, nil
	}
	s := string(data)
	m := &templateMask{orig: map[string]string{}}
	var b strings.Builder
	b.Grow(len(s))
	n := 0
	for i := 0; i < len(s); {
		open, closer := "", ""
		switch {
		case strings.HasPrefix(s[i:], "<%"):
			open, closer = "<%", "%>"
		case strings.HasPrefix(s[i:], "{{"):
			open, closer = "{{", "}}"
		case strings.HasPrefix(s[i:], "{%"):
			open, closer = "{%", "%}"
		}
		if open == "" {
			b.WriteByte(s[i])
			i++
			continue
		}
		end := strings.Index(s[i+2:], closer)
		nl := strings.IndexByte(s[i+2:], '\n')
		if end < 0 || nl >= 0 && nl < end {
			b.WriteString(open)
			i += 2
			continue
		}
		tag := s[i : i+2+end+2]
		runes := utf8.RuneCountInString(tag)
		ph := "TPL" + strconv.Itoa(n) + "Z"
		if len(ph) > runes {
			b.WriteString(tag)
			i += len(tag)
			continue
		}
		ph += strings.Repeat("x", runes-len(ph))
		m.orig[ph] = tag
		n++
		b.WriteString(ph)
		i += len(tag)
	}
	if n == 0 {
		return data, nil
	}
	return []byte(b.String()), m
}

// restore puts the tags back into every scalar and key of the documents.
func (m *templateMask) restore(docs []tree.Document) {
	if m == nil {
		return
	}
	for _, d := range docs {
		m.restoreNode(d.Root)
	}
}

func (m *templateMask) restoreNode(n *tree.Node) {
	if n == nil {
		return
	}
	if strings.Contains(n.Value, "TPL") {
		n.Value = m.replace(n.Value)
		n.Type = tree.String
	}
	if strings.Contains(n.Key, "TPL") {
		n.Key = m.replace(n.Key)
	}
	for _, c := range n.Children {
		m.restoreNode(c)
	}
}

func (m *templateMask) replace(s string) string {
	for ph, tag := range m.orig {
		if strings.Contains(s, ph) {
			s = strings.ReplaceAll(s, ph, tag)
		}
	}
	return s
}
