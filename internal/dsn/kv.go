package dsn

import (
	"fmt"
	"strings"
)

// isLibpqKeyword reports whether k is a keyword libpq knows; an unquoted
// value that starts with one followed by '=' is most likely an empty value
// written without quotes ("host= port=5432" makes host "port=5432").
func isLibpqKeyword(k string) bool {
	switch k {
	case "host", "hostaddr", "port", "dbname", "user", "password", "passfile",
		"require_auth", "channel_binding", "connect_timeout", "client_encoding",
		"options", "application_name", "fallback_application_name", "keepalives",
		"keepalives_idle", "keepalives_interval", "keepalives_count",
		"tcp_user_timeout", "replication", "gssencmode", "sslmode", "requiressl",
		"sslnegotiation", "sslcompression", "sslcert", "sslkey", "sslpassword",
		"sslcertmode", "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer",
		"ssl_min_protocol_version", "ssl_max_protocol_version", "krbsrvname",
		"gsslib", "gssdelegation", "service", "target_session_attrs",
		"load_balance_hosts":
		return true
	}
	return false
}

// ParseKeywordValue parses a libpq keyword/value string:
// host=a port=5432 dbname='x y' password='it\'s'. Spaces may surround '=';
// values may be single-quoted; a backslash escapes the next character in
// quoted and unquoted values, and a doubled quote inside a quoted value is
// one quote, as PgBouncer writes it. host and port may be comma lists. Unknown
// keywords are kept in Params (pgx and PgBouncer add their own).
func ParseKeywordValue(s string) (*Conn, error) { return parseKeywordValue(s, nil) }

// parseKeywordValue is ParseKeywordValue into dst (see newConn).
func parseKeywordValue(s string, dst *Conn) (*Conn, error) {
	const f = "libpq-kv"
	lim := len(s)
	i := skipSpace(s, 0, lim)
	if i == lim {
		return nil, synErr(f, i, "empty connection string")
	}
	c := newConn(dst, Conn{Format: f, Driver: "postgres"})
	var hp hpParams
	// bareKey is set when the last value was an unquoted password key
	// word (x=password): the '=' after it may be missing, and the next
	// "keyword" the password ("x=password S3cret=...").
	bareKey := false
	for i < lim {
		k0 := i
		for i < lim && !isSpace(s[i]) && s[i] != '=' {
			i++
		}
		if i == k0 {
			return nil, synErr(f, i, `missing keyword before "="`)
		}
		key := s[k0:i]
		if bareKey && !isLibpqKeyword(key) {
			// require_auth=password sslmode=require stays valid: libpq
			// knows the keyword after it.
			return nil, embeddedErr(f, k0, "the name of a parameter")
		}
		for j := k0; j < i; j++ {
			if !isKeyChar(s[j]) {
				return nil, synErrQuoting(s, j+1, f, j, "invalid character in a keyword", "invalid character %q in keyword", s[j])
			}
		}
		i = skipSpace(s, i, lim)
		if i >= lim || s[i] != '=' {
			return nil, synErrQuoting(s, k0+len(key), f, i, `missing "=" after a keyword`, `missing "=" after %q`, key)
		}
		i = skipSpace(s, i+1, lim)
		v0 := i
		var val strings.Builder
		quoted := i < lim && s[i] == '\''
		if quoted {
			i++
			closed := false
			for i < lim {
				ch := s[i]
				if maybeInterp(ch) {
					if e := interpEnd(s, i, lim); e > 0 {
						val.WriteString(s[i:e])
						i = e
						continue
					}
				}
				if ch == '\\' && i+1 < lim {
					val.WriteByte(s[i+1])
					i += 2
					continue
				}
				i++
				if ch == '\'' && i < lim && s[i] == '\'' {
					// PgBouncer's [databases] lines double a quote
					// inside a quoted value ('it''s'); libpq has no
					// such form, and reads nothing of the string.
					val.WriteByte(ch)
					i++
					continue
				}
				if ch == '\'' {
					closed = true
					break
				}
				val.WriteByte(ch)
			}
			if !closed {
				return nil, synErrQuoting(s, k0+len(key), f, v0, "unterminated quoted value", "unterminated quoted value of %q", key)
			}
		} else {
			for i < lim && !isSpace(s[i]) {
				ch := s[i]
				if maybeInterp(ch) {
					if e := interpEnd(s, i, lim); e > 0 {
						val.WriteString(s[i:e])
						i = e
						continue
					}
				}
				if ch == '\\' && i+1 < lim {
					val.WriteByte(s[i+1])
					i += 2
					continue
				}
				val.WriteByte(ch)
				i++
			}
		}
		v := mkPart(s, v0, i, val.String())
		bareKey = !quoted && v.Raw != "" && !isSecretKey(normKey(key)) && foldedIs(v.Raw, true)
		if !quoted {
			if k, _, ok := strings.Cut(v.Value, "="); ok && isLibpqKeyword(k) {
				msg := fmt.Sprintf("value of %q is %q: an empty value must be written as ''", key, v.Value)
				if isSecretKey(normKey(key)) {
					// The value is the password as libpq reads it.
					msg = fmt.Sprintf("value of %q starts with another keyword and '=': an empty value must be written as ''", key)
				}
				c.Issues = append(c.Issues, Issue{Off: v.Off, End: v.End, Msg: msg})
			}
		}
		c.setParam(s, key, k0, v, &hp, kvUnescape)
		i = skipSpace(s, i, lim)
	}
	c.applyHostPort(&hp)
	if err := c.finish(); err != nil {
		return nil, err
	}
	return c, nil
}

// kvUnescape removes libpq backslash escapes from an unquoted piece.
func kvUnescape(raw string) string {
	if strings.IndexByte(raw, '\\') < 0 {
		return raw
	}
	var b strings.Builder
	for j := 0; j < len(raw); j++ {
		if raw[j] == '\\' && j+1 < len(raw) {
			j++
		}
		b.WriteByte(raw[j])
	}
	return b.String()
}
