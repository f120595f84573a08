package dsn

import (
	"slices"
	"strings"
)

// Mask replaces every secret in Redact's output.
const Mask = "xxxxx"

// Redact returns s with every password replaced by Mask: URL userinfo
// passwords, password=/PWD=/Password= values, mysql DSN user:pass@, and the
// values of password-, secret- and token-like parameters. A value that is
// only a variable reference (${DB_PASSWORD}) is kept: it is not a secret
// and it tells the reader where the secret comes from.
//
// s is read by every parser, not only the one Parse would pick, and the
// secrets any of them finds are masked: a string that two drivers would
// read differently loses both candidate passwords. When no parser can read
// s, masking is conservative: everything between "user:" and the last '@',
// and the values of password-like keys.
func Redact(s string) string {
	var spans []span
	parsed := false
	for _, parse := range [...]func(string) (*Conn, error){ParseURL, ParseKeywordValue, ParseMySQL, ParseJDBC, ParseADO} {
		c, err := parse(s)
		if err != nil {
			continue
		}
		parsed = true
		for _, p := range c.secrets {
			if p.Set && p.End > p.Off && !isPlainRef(p.Value) {
				spans = append(spans, span{p.Off, p.End})
			}
		}
	}
	if !parsed {
		spans = userinfoSpans(s)
	}
	spans = append(spans, keySpans(s)...)
	return applyMask(s, spans)
}

// RedactParsed is Redact for a string already parsed as c: it masks the
// secrets c found, password-like key=value pairs in any syntax, and the
// userinfo of anything that looks like an authority, without parsing the
// string again with every parser. Callers that parsed a connection string
// to read it use it to print the raw text.
func (c *Conn) RedactParsed(s string) string {
	if c == nil {
		return Redact(s)
	}
	var spans []span
	for _, p := range c.secrets {
		if p.Set && p.End > p.Off && p.End <= len(s) && !isPlainRef(p.Value) {
			spans = append(spans, span{p.Off, p.End})
		}
	}
	if c.Format != "ado" && c.Format != "libpq-kv" {
		// An authority's userinfo, whatever the parser made of it.
		for _, sp := range userinfoSpans(s) {
			if !isPlainRef(s[sp.off:sp.end]) {
				spans = append(spans, sp)
			}
		}
	}
	spans = append(spans, keySpans(s)...)
	return applyMask(s, spans)
}

// userinfoSpans is the fallback for unparsable strings: from the first ':'
// after the scheme (or the start) to the last '@'.
func userinfoSpans(s string) []span {
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return nil
	}
	a := 0
	if k := strings.Index(s, "://"); k >= 0 && k < at {
		a = k + 3
	}
	colon := strings.IndexByte(s[a:at], ':')
	if colon < 0 || a+colon+1 >= at {
		return nil
	}
	return []span{{a + colon + 1, at}}
}

// keySpans finds key=value pairs whose key is password-like, in any
// syntax: the value runs to a matching quote, or to ; & or a space.
func keySpans(s string) []span {
	var out []span
	for e := 0; e < len(s); e++ {
		if s[e] != '=' {
			continue
		}
		key, _ := keyBefore(s, e)
		if key == "" || !isSecretKey(normKey(key)) {
			continue
		}
		v0 := skipSpace(s, e+1, len(s))
		ve := valueEnd(s, v0)
		if ve > v0 && !isPlainRef(strings.Trim(s[v0:ve], `'"`)) {
			out = append(out, span{v0, ve})
		}
		if ve > e {
			e = ve - 1
		}
	}
	return out
}

// valueEnd finds where a value starting at s[v0] ends. Quoted values honour
// both backslash escapes (libpq) and doubled quotes (ADO); an unterminated
// quote runs to the end.
func valueEnd(s string, v0 int) int {
	if v0 >= len(s) {
		return v0
	}
	if e := interpEnd(s, v0, len(s)); e > 0 {
		return indexOr(s, e, len(s), ";& \t\r\n")
	}
	q := s[v0]
	closer := q
	switch q {
	case '\'', '"':
	case '{':
		closer = '}'
	default:
		return indexOr(s, v0, len(s), ";& \t\r\n")
	}
	for j := v0 + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if q != '{' {
				j++
			}
		case closer:
			if j+1 < len(s) && s[j+1] == closer {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s)
}

func applyMask(s string, spans []span) string {
	if len(spans) == 0 {
		return s
	}
	slices.SortFunc(spans, func(a, b span) int { return a.off - b.off })
	merged := spans[:1]
	for _, sp := range spans[1:] {
		last := &merged[len(merged)-1]
		if sp.off <= last.end {
			last.end = max(last.end, sp.end)
			continue
		}
		merged = append(merged, sp)
	}
	var b strings.Builder
	b.Grow(len(s))
	pos := 0
	for _, sp := range merged {
		b.WriteString(s[pos:sp.off])
		b.WriteString(Mask)
		pos = sp.end
	}
	b.WriteString(s[pos:])
	return b.String()
}
