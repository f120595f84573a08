package dsn

import "strings"

// Parse detects the format of s and parses it: jdbc: prefix, then a URL
// scheme, then a StackExchange.Redis list (host:port,password=...,ssl=True),
// then key=value lists (ADO when ';'-separated or with ADO keys,
// libpq otherwise), then a go-sql-driver DSN.
func Parse(s string) (*Conn, error) { return parse(s, nil) }

// A Parser parses connection strings one after another into memory it
// keeps: the Conn, its hosts and its parameters. A program that reads
// thousands of files parses a connection string in most of them, and the
// Conn is read and dropped before the next one. The zero Parser is ready.
type Parser struct {
	c Conn
}

// Parse is Parse into p's memory. The Conn it returns is valid until the
// next call: whatever must outlive it is copied out (strings may be kept;
// they point into s, never into p).
func (p *Parser) Parse(s string) (*Conn, error) { return parse(s, &p.c) }

// newConn returns a Conn holding fields. With a dst it is dst, keeping
// the memory of its slices (emptied, and never nil: callers test
// lengths); without one it is a new Conn, as the exported parsers return.
func newConn(dst *Conn, fields Conn) *Conn {
	if dst == nil {
		c := new(Conn) // fields itself stays on the stack
		*c = fields
		return c
	}
	fields.Hosts, fields.Params, fields.Issues, fields.secrets = dst.Hosts[:0], dst.Params[:0], dst.Issues[:0], dst.secrets[:0]
	*dst = fields
	return dst
}

func parse(s string, dst *Conn) (*Conn, error) {
	f, err := detect(s)
	if err != nil {
		return nil, err
	}
	return f.parse(s, dst)
}

// format names one of the parsers, in the order Redact runs them.
type format int

const (
	fmtURL format = iota
	fmtKV
	fmtMySQL
	fmtJDBC
	fmtADO
	fmtSE
	nFormats
)

func (f format) parse(s string, dst *Conn) (*Conn, error) {
	switch f {
	case fmtURL:
		return parseURL(s, dst)
	case fmtKV:
		return parseKeywordValue(s, dst)
	case fmtMySQL:
		return parseMySQL(s, dst)
	case fmtJDBC:
		return parseJDBC(s, dst)
	case fmtSE:
		return parseStackExchange(s, dst)
	}
	return parseADO(s, dst)
}

// detect returns the parser Parse hands s to: jdbc: prefix, then a URL
// scheme, then a StackExchange.Redis list, then key=value lists, then a
// go-sql-driver DSN.
func detect(s string) (format, error) {
	lim := trimRightLim(s, 0, len(s))
	i := skipSpace(s, 0, lim)
	if i == lim {
		return 0, synErr("dsn", i, "empty connection string")
	}
	if hasPrefixFold(s[i:lim], "jdbc:") {
		return fmtJDBC, nil
	}
	if se := schemeEnd(s, i, lim); se > 0 {
		if strings.HasPrefix(s[se+1:lim], "//") {
			return fmtURL, nil
		}
		switch lowerASCII(s[i:se]) {
		case "sqlite", "sqlite3", "file":
			return fmtURL, nil
		}
	}
	if looksStackExchange(s, i, lim) {
		return fmtSE, nil
	}
	if keyEnd := leadingKey(s, i, lim); keyEnd > 0 {
		if isADO(s, i, keyEnd, lim) {
			return fmtADO, nil
		}
		return fmtKV, nil
	}
	if looksMySQLDSN(s, i, lim) {
		return fmtMySQL, nil
	}
	return 0, synErr("dsn", i, "unrecognized connection string format")
}

func isKeyChar(c byte) bool {
	return isAlpha(c) || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.'
}

// leadingKey returns the index of the '=' when s[i:] starts with a key
// (letters, digits, _ - . and inner spaces) and '=', or -1.
func leadingKey(s string, i, lim int) int {
	if i >= lim || !isAlpha(s[i]) && s[i] != '_' {
		return -1
	}
	for j := i; j < lim; j++ {
		switch c := s[j]; {
		case c == '=':
			return j
		case isKeyChar(c) || c == ' ' || c == '\t':
		default:
			return -1
		}
	}
	return -1
}

// isADO tells an ADO.NET list from a libpq one: a key with an inner space
// or an upper-case letter (libpq keywords are lower case), or a ';'
// followed by another key=. A ';' inside a quoted value
// (connect_query='set a=off; set b=off') separates nothing.
func isADO(s string, i, keyEnd, lim int) bool {
	key := strings.TrimSpace(s[i:keyEnd])
	for j := 0; j < len(key); j++ {
		if c := key[j]; c == ' ' || c == '\t' || c >= 'A' && c <= 'Z' {
			return true
		}
	}
	for j := keyEnd; j < lim; j++ {
		if s[j] == '=' {
			if k := skipSpace(s, j+1, lim); quotedEnd(s, k, lim) > k {
				j = quotedEnd(s, k, lim)
			}
			continue
		}
		if s[j] == ';' {
			k := skipSpace(s, j+1, lim)
			if leadingKey(s, k, lim) > 0 {
				return true
			}
		}
	}
	return false
}

// quotedEnd returns the index of the quote that closes a value opening
// with ' or " at i (a backslash escapes the next byte), or i when no
// quoted value starts there or it is never closed.
func quotedEnd(s string, i, lim int) int {
	if i >= lim || s[i] != '\'' && s[i] != '"' {
		return i
	}
	for j := i + 1; j < lim; j++ {
		switch s[j] {
		case '\\':
			j++
		case s[i]:
			return j
		}
	}
	return i
}

// looksMySQLDSN reports whether s has the go-sql-driver shape: an '@'
// followed by a network name and "(" or "/", or a leading tcp( / unix(.
func looksMySQLDSN(s string, i, lim int) bool {
	r := s[i:lim]
	if strings.HasPrefix(r, "tcp(") || strings.HasPrefix(r, "unix(") {
		return true
	}
	for j := i; j < lim; j++ {
		if s[j] == '@' && mysqlAtOK(s, j, lim) {
			return true
		}
	}
	return false
}

// Looks is a cheap filter run on every scalar of every configuration file:
// could s be a connection string? It accepts URLs with a database scheme
// (not http, amqp, file without a database extension, unix sockets),
// jdbc:, libpq lists with a host or dbname and another keyword, ADO lists
// with a server key and ';', StackExchange.Redis lists (an endpoint first,
// then an option only it has: ssl=, password=, abortConnect=, ...), and
// go-sql-driver DSNs with @tcp( or @unix(.
// A scheme without "//" (postgres:16, redis:7 image tags) is not accepted.
func Looks(s string) bool {
	if len(s) < 7 {
		return false
	}
	if isSpace(s[0]) || isSpace(s[len(s)-1]) {
		s = strings.TrimSpace(s)
		if len(s) < 7 {
			return false
		}
	}
	c := strings.IndexByte(s, ':')
	if c > 0 && c <= 24 && isAlpha(s[0]) {
		if ok, decided := looksURL(s, c); decided {
			return ok
		}
	}
	if strings.IndexByte(s, '=') > 0 {
		if strings.IndexByte(s, ';') > 0 && looksADO(s) {
			return true
		}
		if looksKV(s) {
			return true
		}
		if strings.IndexByte(s, ',') > 0 && looksStackExchange(s, 0, len(s)) {
			return true
		}
	}
	if strings.IndexByte(s, '@') > 0 || s[0] == 't' || s[0] == 'u' {
		return looksMySQL(s)
	}
	return false
}

// looksURL decides for strings that start with scheme ':' (decided=false
// when the prefix is not a scheme at all).
func looksURL(s string, c int) (ok, decided bool) {
	var buf [24]byte
	for j := 0; j < c; j++ {
		b := s[j]
		switch {
		case b >= 'A' && b <= 'Z':
			b += 'a' - 'A'
		case b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '+' || b == '.' || b == '-':
		default:
			return false, false
		}
		buf[j] = b
	}
	scheme := string(buf[:c]) // does not escape; the compiler keeps it on the stack
	rest := s[c+1:]
	if scheme == "jdbc" {
		return len(rest) > 1 && isAlpha(rest[0]), true
	}
	slashes := strings.HasPrefix(rest, "//")
	switch scheme {
	case "sqlite", "sqlite3":
		return slashes || strings.HasPrefix(rest, ":memory:") || len(rest) > 0 && (rest[0] == '/' || rest[0] == '.' || isAlpha(rest[0])), true
	case "file":
		return looksSQLiteFile(cutQuery(rest)) || strings.Contains(rest, "mode=memory"), true
	case "unix":
		return false, true
	}
	if !slashes {
		return false, false // postgres:16 is an image tag; user:pass@tcp( is decided later
	}
	return driverForScheme(scheme) != "", true
}

func cutQuery(s string) string {
	if i := strings.IndexByte(s, '?'); i >= 0 {
		return s[:i]
	}
	return s
}

func looksMySQL(s string) bool {
	for _, n := range [...]string{"@tcp(", "@unix(", "@tcp4(", "@tcp6("} {
		if strings.Contains(s, n) {
			return strings.Contains(s, ")/")
		}
	}
	return (strings.HasPrefix(s, "tcp(") || strings.HasPrefix(s, "unix(")) && strings.Contains(s, ")/")
}

// keyBefore returns the key that ends just before the '=' at s[e] (spaces
// allowed between) and the index where it starts.
func keyBefore(s string, e int) (string, int) {
	j := e
	for j > 0 && (s[j-1] == ' ' || s[j-1] == '\t') {
		j--
	}
	k := j
	for k > 0 && isKeyChar(s[k-1]) {
		k--
	}
	return s[k:j], k
}

// looksKV wants two libpq keywords at word starts, one of them host,
// hostaddr, dbname or service.
func looksKV(s string) bool {
	n, strong := 0, false
	for e := 0; e < len(s); e++ {
		if s[e] != '=' {
			continue
		}
		key, k := keyBefore(s, e)
		if key == "" || k > 0 && !isSpace(s[k-1]) {
			continue
		}
		if !isLibpqKeyword(key) {
			continue
		}
		n++
		switch key {
		case "host", "hostaddr", "dbname", "service":
			strong = true
		}
	}
	return n >= 2 && strong
}

// looksADO wants a ';'-separated list with a server key and another key.
func looksADO(s string) bool {
	n, strong := 0, false
	start := 0
	for start <= len(s) {
		end := strings.IndexByte(s[start:], ';')
		if end < 0 {
			end = len(s)
		} else {
			end += start
		}
		seg := s[start:end]
		if eq := strings.IndexByte(seg, '='); eq > 0 {
			n++
			key := seg[:eq]
			for _, t := range [...]string{"server", "datasource", "host", "address", "addr", "networkaddress"} {
				if foldKeyEq(key, t) {
					strong = true
					break
				}
			}
		}
		start = end + 1
	}
	return n >= 2 && strong
}

// foldKeyEq compares a key with a normalized target without allocating:
// case, spaces and '_' are ignored.
func foldKeyEq(key, target string) bool {
	t := 0
	for j := 0; j < len(key); j++ {
		c := key[j]
		if c == ' ' || c == '_' || c == '\t' {
			continue
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if t >= len(target) || target[t] != c {
			return false
		}
		t++
	}
	return t == len(target)
}
