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
// read differently loses both candidate passwords.
//
// When Parse cannot read s (its own format does not accept it), masking
// is conservative, because where a malformed value ends is a guess: from
// the value of the first password-like key to the end of the string, with
// or without an "=" after the key, and everything between "user:" and the
// last '@'. Nothing of a password is left visible by a stray ';', quote,
// brace or '#', at the cost of hiding the settings that follow it.
func Redact(s string) string {
	var spans []span
	picked, err := detect(s)
	parsed := err == nil // whether the parser Parse picks reads s
	for f := range nFormats {
		if f == fmtSE && f != picked && strings.IndexByte(s, ',') < 0 {
			// Without a ',' a StackExchange.Redis string has no endpoint
			// besides its options, and does not parse: skip the run.
			continue
		}
		c, err := f.parse(s, nil)
		if err != nil {
			if f == picked {
				parsed = false
			}
			continue
		}
		for _, p := range c.secrets {
			if p.Set && p.End > p.Off && !isPlainRef(p.Value) {
				spans = append(spans, span{p.Off, p.End})
			}
		}
	}
	if !parsed {
		spans = append(spans, conservativeSpans(s)...)
	}
	spans = append(spans, keySpans(s)...)
	return applyMask(s, spans)
}

// conservativeSpans is what Redact masks in a string Parse cannot read:
// the userinfo of anything that looks like an authority, and everything
// from the value of the first password-like key to the end. A value that
// is only a variable reference (password=${DB_PASSWORD}) is kept.
func conservativeSpans(s string) []span {
	out := append(userinfoSpans(s), portSpans(s)...)
	for _, w := range secretWords(s) {
		v := afterKey(s, w.end)
		if v < len(s) && !isPlainRef(strings.TrimSpace(s[v:])) {
			return append(out, span{v, len(s)})
		}
	}
	return out
}

// portSpans is the fallback for scheme://app:S3cret/db, whose "@host" is
// missing: from the authority's first ':', when what follows it is not a
// port number, to the end of the string — a password may hold '/', '?' or
// '#', so the authority's end is no bound.
func portSpans(s string) []span {
	k := strings.Index(s, "://")
	if k < 0 || strings.IndexByte(s[k:], '@') >= 0 {
		return nil // userinfoSpans masks an authority with '@'
	}
	a := k + 3
	e := indexOr(s, a, len(s), "/?#")
	c := indexOut(s, a, e, ":")
	if c < 0 || s[a] == '[' || strings.Trim(strings.TrimLeft(s[c+1:e], "+-"), "0123456789") == "" {
		return nil
	}
	return []span{{c + 1, len(s)}}
}

// secretWords returns the spans of the words of s that name a secret
// (password, Pwd, DB_PASSWORD, token, ...): maximal runs of key
// characters, wherever they stand, whatever follows them.
func secretWords(s string) []span {
	var out []span
	for i := 0; i < len(s); {
		if !isKeyChar(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isKeyChar(s[j]) {
			j++
		}
		if foldedIs(s[i:j], false) {
			out = append(out, span{i, j})
		}
		i = j
	}
	return out
}

// afterKey returns where the value of a key ending at s[e] starts: past
// spaces, one '=' or ':' and the spaces after it.
func afterKey(s string, e int) int {
	v := skipSpace(s, e, len(s))
	if v < len(s) && (s[v] == '=' || s[v] == ':') {
		v = skipSpace(s, v+1, len(s))
	}
	return v
}

// secretFrom returns the first position of s that may belong to a secret:
// the start of the first password-like word, or of a URL's userinfo
// password; len(s) when there is neither. An error about a malformed
// string quotes no text that reaches it.
func secretFrom(s string) int {
	from := len(s)
	if w := secretWords(s); len(w) > 0 {
		from = w[0].off
	}
	for _, sp := range append(userinfoSpans(s), portSpans(s)...) {
		from = min(from, sp.off-1) // the ':' before the password
	}
	return from
}

// embeddedSecret returns the offset of a password setting written inside
// p (raw or decoded), or -1: a password-like key followed by '=' and a
// value, or a password key followed by anything (its '=' left out or
// mistyped: "password S3cret", "password;S3cret"). A field that is not a secret holds one only when a string is
// malformed: jdbc:postgresql://h/app;password=x makes the password part
// of the database name. A key with nothing after its '=' holds no secret
// (libpq reads "user= password=" as the user "password=").
func embeddedSecret(p Part) int {
	if !p.Set {
		return -1
	}
	if k := secretSetting(p.Raw); k >= 0 {
		return p.Off + k
	}
	if p.Value != p.Raw && secretSetting(p.Value) >= 0 {
		return p.Off
	}
	return -1
}

// mayNamePassword is a cheap filter for secretSetting: whether t holds
// "pw", "pa" (pwd, passwd, password) in any case.
func mayNamePassword(t string) bool {
	for i := 0; i+1 < len(t); i++ {
		if c := t[i] | 0x20; c == 'p' {
			if d := t[i+1] | 0x20; d == 'w' || d == 'a' {
				return true
			}
		}
	}
	return false
}

// secretSetting returns the index in t of the key of a password setting
// (see embeddedSecret), or -1.
func secretSetting(t string) int {
	if strings.IndexByte(t, '=') < 0 && !mayNamePassword(t) {
		return -1 // most fields: no key, and no word a password key ends
	}
	for _, w := range secretWords(t) {
		v := skipSpace(t, w.end, len(t))
		switch {
		case v >= len(t):
		case t[v] == '=':
			if skipSpace(t, v+1, len(t)) < len(t) {
				return w.off
			}
		case foldedIs(t[w.off:w.end], true):
			return w.off
		}
	}
	return -1
}

// holdsPasswordKey reports whether one of the words of k is a password key.
func holdsPasswordKey(k string) bool {
	for _, w := range secretWords(k) {
		if foldedIs(k[w.off:w.end], true) {
			return true
		}
	}
	return false
}

// foldedIs reports whether the word w, normalized as normKey does, is a
// password key (password) or any secret key (!password). A word of up to
// 32 bytes is folded on the stack: every word of every field of every
// connection string passes here, and host names (h1.internal) are not
// normal.
func foldedIs(w string, password bool) bool {
	is := func(nk string) bool {
		if password {
			return isPasswordKey(nk)
		}
		return isSecretKey(nk)
	}
	if len(w) > 32 || isNormal(w) {
		return is(normKey(w))
	}
	var buf [32]byte
	n := 0
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case c == ' ' || c == '_' || c == '-' || c == '.' || c == '\t':
		case c >= 'A' && c <= 'Z':
			buf[n] = c + 'a' - 'A'
			n++
		default:
			buf[n] = c
			n++
		}
	}
	return is(string(buf[:n]))
}

// endsWithPasswordKey reports whether the last word of t, at its very
// end, is a password key: a host read from "password:S3cret".
func endsWithPasswordKey(t string) bool {
	e := trimRightLim(t, 0, len(t))
	k := e
	for k > 0 && isKeyChar(t[k-1]) {
		k--
	}
	return k < e && foldedIs(t[k:e], true)
}

// isPasswordKey reports whether a normalized key names a password itself
// (password, PWD, DB_PASSWORD), not any secret: a password key followed by
// anything but '=' is still taken for one, while "token" or "secret"
// followed by a word may be prose (Application Name=Token Service), and a
// host may be called password-vault.
func isPasswordKey(nk string) bool {
	return strings.HasSuffix(nk, "password") || strings.HasSuffix(nk, "passwd") || strings.HasSuffix(nk, "pwd")
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
	if c.Format != "ado" && c.Format != "libpq-kv" && c.Format != fmtSEName {
		// An authority's userinfo, whatever the parser made of it.
		for _, sp := range userinfoSpans(s) {
			if !isPlainRef(s[sp.off:sp.end]) {
				spans = append(spans, sp)
			}
		}
	}
	if c.Format != fmtSEName {
		// A StackExchange.Redis string that parses has every option
		// read, secret ones among c.secrets with their exact ends;
		// keySpans would run a password's mask over the options after
		// it, since ',' ends no value in the other syntaxes.
		spans = append(spans, keySpans(s)...)
	}
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
			// Text glued to the closing quote ("S3cret"tail) belongs
			// to the value as far as anyone can tell.
			return indexOr(s, j+1, len(s), ";& \t\r\n")
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
