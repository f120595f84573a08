package extract

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/profile"
)

// problemOf is the input-unreadable problem of a file a parser refused:
// the one place where a parser's error becomes text a user reads, for
// every command (scan, check, diff, review, verify all read files through
// File).
//
// A parser fails where the file stops making sense, and a password is
// where it most often does: password: *S3cret is an alias to an unknown
// anchor in YAML, "password": S3cret an unexpected character in JSON. The
// parsers of package tree keep the text they found out of the message
// (SyntaxError.Found); this shows it only when neither the position of
// the error nor the text itself touches a part of the file that may hold
// a secret (secretParts). When the error is of an unknown kind, nothing
// of it is shown but its position.
func problemOf(rel string, data []byte, err error) profile.Problem {
	se, ok := err.(*tree.SyntaxError)
	if !ok {
		return profile.Problem{Loc: profile.Location{File: rel, Line: 1, Column: 1}, Msg: "cannot be parsed"}
	}
	return profile.Problem{Loc: profile.Location{File: rel, Line: se.Line, Column: se.Col}, Msg: scrub(data, se)}
}

// msgWithheld replaces a parser's message that holds text of a secret
// part of the file, which a parser of package tree should never write but
// a library update might.
const msgWithheld = "cannot be parsed (the parser's message is withheld: it quotes a part of the file that may hold a secret)"

// scrub returns e's message, with what the parser found when that is
// safe to show.
func scrub(data []byte, e *tree.SyntaxError) string {
	sp := secretParts(data)
	msg := e.Msg
	if sp.quotes(msg) {
		return msgWithheld
	}
	if e.Found == "" || sp.at(e.Line, e.Col) || sp.quotes(e.Found) || strings.Contains(sp.text, e.Found) {
		return msg
	}
	found := e.Found
	if utf8.RuneCountInString(found) > 40 {
		found = string([]rune(found)[:40]) + "..."
	}
	return msg + " (found " + quoteFound(found) + ")"
}

// quoteFound spells found in single quotes, control characters escaped.
func quoteFound(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch {
		case r == '\'' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			b.WriteByte("0123456789abcdef"[r>>4])
			b.WriteByte("0123456789abcdef"[r&15])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// gram is the length of the runs of a secret part that a message may not
// hold: four characters, the shortest run the canary tests look for.
const gram = 4

// secrets are the parts of a file that may hold a secret, found from its
// text alone since the file did not parse: on each line, everything after
// a key that names a secret (holdsSecret), and the lines its value may
// continue on.
type secrets struct {
	data []byte
	// from maps a line (1-based) that has a secret part to the byte
	// offset within the line where it starts.
	from map[int]int
	// text holds every secret part, one a line, for the searches.
	text string
}

// secretParts reads the secret parts of data. It is a lexical reading
// that errs on the side of secrecy: any word that names a secret (in a
// key, a comment or a value alike) makes the rest of its line secret;
// the lines after it that are more indented, or blank, are secret too (a
// YAML block scalar or nested block); a key with nothing after it makes
// the next line secret (a value on the following line); a quote left
// open makes every line up to the one that closes it secret.
func secretParts(data []byte) secrets {
	s := secrets{data: data, from: map[int]int{}}
	var text bytes.Buffer
	cont := -1 // the indentation below which a continuation ends
	next := false
	var open []byte // an open quote
	for num, rest := 1, data; len(rest) > 0 || num == 1; num++ {
		l := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			l, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		l = bytes.TrimSuffix(l, []byte{'\r'})
		from := -1
		blank := len(bytes.TrimSpace(l)) == 0
		switch {
		case open != nil:
			from = 0
			if bytes.Contains(l, open) {
				open = nil
			}
		case next && !blank:
			from = 0
			next = false
			open = unclosedQuote(l)
		case cont >= 0 && (blank || indentOf(l) > cont):
			from = 0
		default:
			cont = -1
			if k := secretKeyEnd(l); k >= 0 {
				from = k
				cont = indentOf(l)
				after := bytes.TrimLeft(l[k:], " \t\"':=")
				next = len(bytes.TrimSpace(after)) == 0 || after[0] == '|' || after[0] == '>'
				open = unclosedQuote(after)
			}
		}
		if from >= 0 {
			s.from[num] = from
			text.Write(bytes.TrimLeft(l[from:], " \t\"':="))
			text.WriteByte('\n')
		}
		if rest == nil {
			break
		}
	}
	s.text = text.String()
	return s
}

// secretKeyEnd is the offset just past the first word of l that names a
// secret, or -1. A word is a run of letters, digits, '_', '-' and '.'.
func secretKeyEnd(l []byte) int {
	for i := 0; i < len(l); {
		if !isKeyByte(l[i]) {
			i++
			continue
		}
		j := i
		for j < len(l) && isKeyByte(l[j]) {
			j++
		}
		if mayNameSecret(l[i:j]) && holdsSecret(string(l[i:j])) {
			return j
		}
		i = j
	}
	return -1
}

func isKeyByte(c byte) bool { return isAlnum(c) || c == '_' || c == '-' || c == '.' }

// secretStems are what every key that holdsSecret accepts contains,
// ignoring case (TestSecretStems), so that a word without one is passed
// over without looking it up.
var secretStems = [...][]byte{[]byte("pass"), []byte("pwd"), []byte("secret"), []byte("token"), []byte("key")}

// mayNameSecret reports whether w holds a secretStem, ignoring case.
func mayNameSecret(w []byte) bool {
	var buf [64]byte
	if len(w) > len(buf) {
		return true
	}
	low := buf[:len(w)]
	for i, c := range w {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		low[i] = c
	}
	for _, stem := range secretStems {
		if bytes.Contains(low, stem) {
			return true
		}
	}
	return false
}

// holdsSecret reports a key whose value scan treats as a secret: a
// password field of any format (keyOf, splitEnvKey) or a parameter never
// copied into params (isSecretKey).
func holdsSecret(k string) bool {
	if isSecretKey(k) {
		return true
	}
	if ki := keyOf(k); ki.strong == fPassword || ki.weak == fPassword || ki.strong == fPasswordFile {
		return true
	}
	_, f, ok := splitEnvKey(k)
	return ok && f == fPassword
}

// unclosedQuote returns the quote (""" or ”' or " or ') that rest opens
// and does not close on its line, or nil.
func unclosedQuote(rest []byte) []byte {
	for _, q := range [...]string{`"""`, `'''`, `"`, `'`} {
		n := bytes.Count(rest, []byte(q)) - bytes.Count(rest, []byte(`\`+q))
		if n%2 == 1 {
			return []byte(q)
		}
		if n > 0 && len(q) == 3 {
			return nil
		}
	}
	return nil
}

func indentOf(l []byte) int {
	n := 0
	for n < len(l) && (l[n] == ' ' || l[n] == '\t') {
		n++
	}
	return n
}

// at reports whether line:col (1-based, col in runes, 0 for the whole
// line) is in a secret part.
func (s *secrets) at(line, col int) bool {
	from, ok := s.from[line]
	if !ok {
		return line < 1 || line > 1+bytes.Count(s.data, []byte{'\n'})
	}
	if col <= 0 {
		return true
	}
	l := s.data
	for n := 1; n < line; n++ {
		l = l[bytes.IndexByte(l, '\n')+1:]
	}
	if i := bytes.IndexByte(l, '\n'); i >= 0 {
		l = l[:i]
	}
	off := 0
	for c := 1; c < col && off < len(l); c++ {
		_, size := utf8.DecodeRune(l[off:])
		off += size
	}
	return off >= from
}

// quotes reports whether msg holds a run of gram characters of a secret
// part. The runs of msg are looked up in one pass over the secret parts,
// so that a file of many passwords costs its length, not its length
// times the message's.
func (s *secrets) quotes(msg string) bool {
	if len(msg) < gram || len(s.text) < gram {
		return false
	}
	runs := make(map[string]bool, len(msg))
	for i := 0; i+gram <= len(msg); i++ {
		runs[msg[i:i+gram]] = true
	}
	for i := 0; i+gram <= len(s.text); i++ {
		if runs[s.text[i:i+gram]] {
			return true
		}
	}
	return false
}
