package output

import (
	"strconv"
	"unicode/utf8"
)

// The json format writes its findings by hand, byte for byte as
// json.Encoder with SetIndent would (TestJSONStreamMatchesEncoder,
// FuzzAppendJSONString): on a report of thousands of findings, encoding
// them by reflection was the largest part of the time check spends after
// the last file is read, and that part runs on one core.

// appendJSONString appends s as encoding/json writes a string with HTML
// escaping on: quoted, <, > and & as \u003c, \u003e, \u0026, U+2028 and
// U+2029 escaped, control characters as \b \f \n \r \t or \u00XX, and
// invalid UTF-8 as \ufffd.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// indentWriter appends the fields of indented JSON objects.
type indentWriter struct {
	buf    []byte
	prefix string // before every line of the value, as json.Indent's prefix
	depth  int
	first  bool
}

func (w *indentWriter) newline() {
	w.buf = append(w.buf, '\n')
	w.buf = append(w.buf, w.prefix...)
	for range w.depth {
		w.buf = append(w.buf, "  "...)
	}
}

func (w *indentWriter) open(c byte) {
	w.buf = append(w.buf, c)
	w.depth++
	w.first = true
}

func (w *indentWriter) close(c byte) {
	w.depth--
	w.newline()
	w.buf = append(w.buf, c)
	w.first = false
}

// next starts an element of the object or array open.
func (w *indentWriter) next() {
	if !w.first {
		w.buf = append(w.buf, ',')
	}
	w.first = false
	w.newline()
}

func (w *indentWriter) key(k string) {
	w.next()
	w.buf = appendJSONString(w.buf, k)
	w.buf = append(w.buf, ':', ' ')
}

func (w *indentWriter) str(k, v string) {
	w.key(k)
	w.buf = appendJSONString(w.buf, v)
}

func (w *indentWriter) strOmitEmpty(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}

func (w *indentWriter) int(k string, v int) {
	w.key(k)
	w.buf = strconv.AppendInt(w.buf, int64(v), 10)
}

// appendFinding appends f as json.MarshalIndent(f, prefix, "  ") would.
func appendFinding(dst []byte, f jsonFinding, prefix string) []byte {
	w := indentWriter{buf: dst, prefix: prefix}
	w.open('{')
	w.str("rule", f.Rule)
	w.str("severity", f.Severity)
	w.str("message", f.Message)
	w.strOmitEmpty("profile", f.Profile)
	w.strOmitEmpty("environment", f.Environment)
	w.strOmitEmpty("field", f.Field)
	w.str("file", f.File)
	w.int("line", f.Line)
	w.int("column", f.Column)
	if len(f.Related) > 0 {
		w.key("related")
		w.open('[')
		for _, r := range f.Related {
			w.next()
			w.open('{')
			w.str("file", r.File)
			w.int("line", r.Line)
			w.int("column", r.Column)
			w.str("message", r.Message)
			w.close('}')
		}
		w.close(']')
	}
	w.str("remediation", f.Remediation)
	w.str("help", f.Help)
	w.str("fingerprint", f.Fingerprint)
	w.close('}')
	return w.buf
}
