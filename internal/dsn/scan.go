package dsn

import "strings"

// interpEnd returns the index just past the interpolation token that starts
// at s[i] (${...} with nesting, $(...), {{...}}, <%...%>), or -1 when none
// starts there or it is not closed before lim. Such a token is opaque: the
// delimiters inside it (: / @ , ; spaces) do not split components.
//
// A token longer than maxInterp is not one: real ones are short, and the
// bound keeps scanning linear on hostile input such as "${${${...".
func interpEnd(s string, i, lim int) int {
	if i+1 >= lim {
		return -1
	}
	lim = min(lim, i+maxInterp)
	c, d := s[i], s[i+1]
	switch {
	case c == '$' && (d == '{' || d == '('):
		closer := byte('}')
		if d == '(' {
			closer = ')'
		}
		depth := 0
		for j := i + 1; j < lim; j++ {
			switch s[j] {
			case d:
				depth++
			case closer:
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
	case c == '{' && d == '{':
		if k := strings.Index(s[i+2:lim], "}}"); k >= 0 {
			return i + 2 + k + 2
		}
	case c == '<' && d == '%':
		if k := strings.Index(s[i+2:lim], "%>"); k >= 0 {
			return i + 2 + k + 2
		}
	}
	return -1
}

// maxInterp bounds the length of an interpolation token.
const maxInterp = 512

func maybeInterp(c byte) bool { return c == '$' || c == '{' || c == '<' }

// hasInterp reports whether s contains an interpolation token.
func hasInterp(s string) bool {
	for i := 0; i < len(s); i++ {
		if maybeInterp(s[i]) && interpEnd(s, i, len(s)) > 0 {
			return true
		}
	}
	return false
}

// IsInterpolation reports whether s is exactly one interpolation token
// (${DB_HOST:-localhost}, $(POSTGRES_PASSWORD), {{ .Values.db.host }},
// <%= ENV['DB_HOST'] %>): the value is decided at deploy time, not here.
func IsInterpolation(s string) bool {
	return len(s) > 2 && maybeInterp(s[0]) && interpEnd(s, 0, len(s)) == len(s)
}

// HasInterpolation reports whether s contains an interpolation token.
func HasInterpolation(s string) bool { return hasInterp(s) }

// isPlainRef reports whether s is only a reference to a variable, with no
// literal text that could be a secret (no default value): ${NAME},
// $(NAME), {{ name.path }}, <%= ENV['NAME'] %>. Redact keeps such
// references because they tell the reader where the secret comes from.
func isPlainRef(s string) bool {
	if !IsInterpolation(s) {
		return false
	}
	var inner string
	switch {
	case strings.HasPrefix(s, "${"), strings.HasPrefix(s, "$("):
		inner = s[2 : len(s)-1]
		return isIdent(inner, false)
	case strings.HasPrefix(s, "{{"):
		inner = strings.TrimSpace(s[2 : len(s)-2])
		inner = strings.TrimPrefix(inner, "$")
		inner = strings.TrimPrefix(inner, ".")
		return isIdent(inner, true)
	case strings.HasPrefix(s, "<%"):
		inner = strings.TrimSpace(strings.TrimPrefix(s[2:len(s)-2], "="))
		for _, pre := range []string{"ENV['", `ENV["`, "ENV.fetch('", `ENV.fetch("`} {
			if rest, ok := strings.CutPrefix(inner, pre); ok {
				q := pre[len(pre)-1]
				name, tail, ok := strings.Cut(rest, string(q))
				if !ok || !isIdent(name, false) {
					return false
				}
				return tail == "]" || tail == ")"
			}
		}
	}
	return false
}

func isIdent(s string, dots bool) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		case c == '.' && dots && i > 0:
		default:
			return false
		}
	}
	return true
}

// plain reports whether s[i:lim] holds no byte that may open an
// interpolation token, so that the scans below can use the byte searches
// of the strings package: most connection strings hold none.
func plain(s string, i, lim int) bool {
	t := s[i:lim]
	return strings.IndexByte(t, '$') < 0 && strings.IndexByte(t, '{') < 0 && strings.IndexByte(t, '<') < 0
}

// indexOut returns the first index in s[i:lim] of a byte in set that is not
// inside an interpolation token, or -1.
func indexOut(s string, i, lim int, set string) int {
	if i >= lim {
		return -1
	}
	if len(set) == 1 && plain(s, i, lim) {
		if j := strings.IndexByte(s[i:lim], set[0]); j >= 0 {
			return i + j
		}
		return -1
	}
	for j := i; j < lim; j++ {
		c := s[j]
		if maybeInterp(c) {
			if e := interpEnd(s, j, lim); e > 0 {
				j = e - 1
				continue
			}
		}
		if strings.IndexByte(set, c) >= 0 {
			return j
		}
	}
	return -1
}

// indexOr is indexOut returning lim when nothing is found.
func indexOr(s string, i, lim int, set string) int {
	if j := indexOut(s, i, lim, set); j >= 0 {
		return j
	}
	return lim
}

// lastIndexOut returns the last index in s[i:lim] of c outside interpolation
// tokens, or -1.
func lastIndexOut(s string, i, lim int, c byte) int {
	if i >= lim {
		return -1
	}
	if plain(s, i, lim) {
		if j := strings.LastIndexByte(s[i:lim], c); j >= 0 {
			return i + j
		}
		return -1
	}
	last := -1
	for j := i; j < lim; j++ {
		if maybeInterp(s[j]) {
			if e := interpEnd(s, j, lim); e > 0 {
				j = e - 1
				continue
			}
		}
		if s[j] == c {
			last = j
		}
	}
	return last
}

// countOut counts c in s[i:lim] outside interpolation tokens.
func countOut(s string, i, lim int, c byte) int {
	if i >= lim {
		return 0
	}
	if plain(s, i, lim) {
		return strings.Count(s[i:lim], string(c))
	}
	n := 0
	for j := i; j < lim; j++ {
		if maybeInterp(s[j]) {
			if e := interpEnd(s, j, lim); e > 0 {
				j = e - 1
				continue
			}
		}
		if s[j] == c {
			n++
		}
	}
	return n
}

// span is a half-open byte range of the input.
type span struct{ off, end int }

// splitOut splits s[i:lim] at sep, outside interpolation tokens, brackets
// and parentheses (IPv6 literals, MySQL Connector/J address=(...)).
func splitOut(s string, i, lim int, sep byte) []span {
	var out []span
	set := string([]byte{sep})
	for {
		j := indexOutNested(s, i, lim, set)
		if j < 0 {
			return append(out, span{i, lim})
		}
		out = append(out, span{i, j})
		i = j + 1
	}
}

// indexOutNested is indexOut that also skips what brackets and
// parentheses enclose: the first byte of set in s[i:lim] at depth 0
// outside interpolation tokens, or -1.
func indexOutNested(s string, i, lim int, set string) int {
	if i < lim && plain(s, i, lim) && strings.IndexByte(s[i:lim], '[') < 0 && strings.IndexByte(s[i:lim], '(') < 0 {
		// Nothing to skip: the first byte of set, by byte searches.
		first := -1
		for k := 0; k < len(set); k++ {
			if j := strings.IndexByte(s[i:lim], set[k]); j >= 0 && (first < 0 || j < first) {
				first = j
			}
		}
		if first >= 0 {
			return i + first
		}
		return -1
	}
	depth := 0
	for j := i; j < lim; j++ {
		c := s[j]
		if maybeInterp(c) {
			if e := interpEnd(s, j, lim); e > 0 {
				j = e - 1
				continue
			}
		}
		switch {
		case c == '[' || c == '(':
			depth++
		case (c == ']' || c == ')') && depth > 0:
			depth--
		case depth == 0 && strings.IndexByte(set, c) >= 0:
			return j
		}
	}
	return -1
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// pctDecode decodes %XX escapes outside interpolation tokens; a % that does
// not start a valid escape is kept as written. With plus, '+' means space
// (form encoding, as go-sql-driver reads its parameters).
func pctDecode(raw string, plus bool) string {
	if strings.IndexByte(raw, '%') < 0 && (!plus || strings.IndexByte(raw, '+') < 0) {
		return raw
	}
	var b strings.Builder
	b.Grow(len(raw))
	for j := 0; j < len(raw); j++ {
		c := raw[j]
		if maybeInterp(c) {
			if e := interpEnd(raw, j, len(raw)); e > 0 {
				b.WriteString(raw[j:e])
				j = e - 1
				continue
			}
		}
		switch {
		case c == '%' && j+2 < len(raw):
			h, ok1 := unhex(raw[j+1])
			l, ok2 := unhex(raw[j+2])
			if ok1 && ok2 {
				b.WriteByte(h<<4 | l)
				j += 2
				continue
			}
			b.WriteByte(c)
		case c == '+' && plus:
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// needsEncoding reports whether a URL userinfo password as written holds
// characters that other URL parsers would treat as delimiters.
func needsEncoding(raw string) bool {
	for j := 0; j < len(raw); j++ {
		c := raw[j]
		if maybeInterp(c) {
			if e := interpEnd(raw, j, len(raw)); e > 0 {
				j = e - 1
				continue
			}
		}
		switch c {
		case '@', '/', '#', '?':
			return true
		case '%':
			if j+2 >= len(raw) {
				return true
			}
			if _, ok := unhex(raw[j+1]); !ok {
				return true
			}
			if _, ok := unhex(raw[j+2]); !ok {
				return true
			}
		}
	}
	return false
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func skipSpace(s string, i, lim int) int {
	for i < lim && isSpace(s[i]) {
		i++
	}
	return i
}

func trimRightLim(s string, i, lim int) int {
	for lim > i && isSpace(s[lim-1]) {
		lim--
	}
	return lim
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// schemeEnd returns the index of the ':' that ends a URL scheme starting at
// s[i], or -1.
func schemeEnd(s string, i, lim int) int {
	if i >= lim || !isAlpha(s[i]) {
		return -1
	}
	for j := i + 1; j < lim; j++ {
		c := s[j]
		switch {
		case c == ':':
			return j
		case isAlpha(c) || c >= '0' && c <= '9' || c == '+' || c == '.' || c == '-':
		default:
			return -1
		}
	}
	return -1
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// hostPort reads one "host", "host:port", "[v6]" or "[v6]:port" element in
// s[off:end]. dec decodes the host text (percent-decoding for URLs).
func hostPort(s string, off, end int, format string, dec func(string) string) (Host, error) {
	var h Host
	if off < end && s[off] == '[' {
		k := strings.IndexByte(s[off:end], ']')
		if k < 0 {
			return h, synErr(format, off, `missing "]" after IPv6 address`)
		}
		k += off
		h.Host = mkPart(s, off+1, k, dec(s[off+1:k]))
		switch {
		case k+1 == end:
		case s[k+1] == ':':
			h.Port = rawPart(s, k+2, end)
		default:
			return h, synErrQuoting(s, k+2, format, k+1, "unexpected character after IPv6 address", `unexpected %q after IPv6 address`, s[k+1])
		}
		return h, nil
	}
	if n := countOut(s, off, end, ':'); n == 1 {
		c := indexOut(s, off, end, ":")
		if c > off {
			h.Host = mkPart(s, off, c, dec(s[off:c]))
		}
		h.Port = rawPart(s, c+1, end)
	} else if end > off {
		h.Host = mkPart(s, off, end, dec(s[off:end]))
	}
	h.Socket = h.Host.Set && isSocketPath(h.Host.Value)
	return h, nil
}

func identity(s string) string { return s }
func urlDec(s string) string   { return pctDecode(s, false) }
