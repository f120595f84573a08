package dsn

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Part is one component as written, with its byte span in the input string
// (Off inclusive, End exclusive) so that callers can compute file locations.
type Part struct {
	Value string // decoded value (percent-decoding / unquoting applied)
	Raw   string // exactly as written in the input
	Set   bool   // present in the string (even if empty)
	Off   int
	End   int
}

// Host is one server address. A connection string may list several
// (libpq and MongoDB multi-host, JDBC failover lists).
type Host struct {
	Host Part // host name, IP (IPv6 without brackets in Value), or unix socket directory/path
	Port Part
	// Instance is a SQL Server named instance (host\instance), which makes
	// the client ask the SQL Browser service for the port.
	Instance Part
	Socket   bool // a unix-socket host
}

// Param is a setting that has no field of its own in Conn. Duplicates are
// kept in order because drivers disagree on which one wins.
type Param struct {
	Key    string
	Value  Part
	KeyOff int
}

// Issue is something suspicious that the parser kept rather than rejected
// (a port out of range, a password that needs percent-encoding): the caller
// decides whether it is a finding.
type Issue struct {
	Off, End int
	Msg      string
}

// Conn is one parsed connection string. Every Part points back into the
// input so that a finding can name the exact place.
type Conn struct {
	Format   string // "url", "libpq-kv", "mysql-dsn", "jdbc", "ado", "stackexchange-redis"
	Scheme   string // URL scheme or JDBC subprotocol as written, lowercased; "" for kv/ado/mysql-dsn
	Driver   string // canonical driver name, "" if unknown
	Network  Part   // mysql DSN net (tcp, unix, ...) or SQL Server protocol prefix (tcp:, np:)
	Hosts    []Host
	Database Part
	User     Part
	Password Part // in memory only; callers wrap it in a secret type
	Params   []Param
	TLS      Part   // the value of the TLS-controlling setting, Set=false if none
	TLSKey   string // which key gave TLS, as written ("sslmode", "Encrypt", "scheme" for rediss://)
	Issues   []Issue

	// secrets are the spans of every password-like value seen, including
	// ones overridden by a later duplicate, so that Redact masks them all.
	secrets []Part
	// userinfoPw is the password as written in a URL's userinfo.
	userinfoPw Part
}

// PasswordNeedsEncoding reports whether the password written in a URL's
// userinfo contains characters that must be percent-encoded (@ / # ? or a %
// not starting an escape). Such a URL parses here and in libpq, but other
// drivers (Go's net/url, JDBC, many ORMs) split it elsewhere.
func (c *Conn) PasswordNeedsEncoding() bool {
	return c.userinfoPw.Set && needsEncoding(c.userinfoPw.Raw)
}

// Param returns the last parameter whose key matches name case-insensitively.
func (c *Conn) Param(name string) (Part, bool) {
	for i := len(c.Params) - 1; i >= 0; i-- {
		if strings.EqualFold(c.Params[i].Key, name) {
			return c.Params[i].Value, true
		}
	}
	return Part{}, false
}

// SyntaxError is a connection string that cannot be read at all. Off is a
// byte offset into the input.
type SyntaxError struct {
	Format string
	Off    int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("parse %s: offset %d: %s", e.Format, e.Off, e.Msg)
}

func synErr(format string, off int, msg string, args ...any) error {
	if len(args) > 0 {
		msg = fmt.Sprintf(msg, args...)
	}
	return &SyntaxError{Format: format, Off: off, Msg: msg}
}

// synErrQuoting is synErr for a message that quotes input text ending at
// s[end]: when that text reaches the first position of s that may belong
// to a secret (secretFrom), the message is plain instead, and only the
// offset says where. A malformed string is where a password is most
// likely cut in the wrong place; its pieces must not reach a message.
func synErrQuoting(s string, end int, format string, off int, plain, msg string, args ...any) error {
	if end > secretFrom(s) {
		return synErr(format, off, plain)
	}
	return synErr(format, off, msg, args...)
}

func mkPart(s string, off, end int, value string) Part {
	return Part{Value: value, Raw: s[off:end], Set: true, Off: off, End: end}
}

func rawPart(s string, off, end int) Part {
	return mkPart(s, off, end, s[off:end])
}

// driverForScheme maps a URL scheme to a canonical driver. SQLAlchemy style
// "dialect+driver" schemes (postgresql+psycopg2) use the dialect.
func driverForScheme(scheme string) string {
	s := lowerASCII(scheme)
	switch s {
	case "mongodb+srv":
		return "mongodb"
	case "redis+socket", "redis+sentinel":
		return "redis"
	}
	if i := strings.IndexByte(s, '+'); i > 0 {
		s = s[:i]
	}
	switch s {
	case "postgres", "postgresql", "pgsql", "postgis", "pg", "timescaledb":
		return "postgres"
	case "mysql", "mysql2", "mariadb", "mysqlx":
		return "mysql"
	case "sqlserver", "mssql":
		return "sqlserver"
	case "mongodb", "mongo":
		return "mongodb"
	case "redis", "rediss", "valkey", "valkeys", "unix":
		return "redis"
	case "cockroachdb", "cockroach", "crdb":
		return "cockroachdb"
	case "clickhouse":
		return "clickhouse"
	case "sqlite", "sqlite3", "file":
		return "sqlite"
	case "cassandra", "cql":
		return "cassandra"
	case "oracle":
		return "oracle"
	}
	return ""
}

// driverForJDBC maps a JDBC subprotocol to a canonical driver.
func driverForJDBC(sub string) string {
	s := lowerASCII(sub)
	if i := strings.IndexAny(s, ":+"); i > 0 {
		s = s[:i]
	}
	switch s {
	case "postgresql", "pgsql", "postgres":
		return "postgres"
	case "mysql", "mariadb":
		return "mysql"
	case "sqlserver", "jtds":
		return "sqlserver"
	case "oracle":
		return "oracle"
	case "h2", "hsqldb", "derby", "db2", "redshift", "snowflake", "clickhouse", "sqlite", "cassandra":
		return s
	case "ch":
		return "clickhouse"
	}
	return ""
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// normKey folds a key for comparison: lowercase, without spaces, '_', '-'
// and '.', so that "SSL Mode", "ssl-mode", "sslMode" and "ssl_mode" match.
func normKey(k string) string {
	if isNormal(k) {
		// Most keys are written normalized already (sslmode, host):
		// no copy.
		return k
	}
	var b strings.Builder
	b.Grow(len(k))
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c == ' ' || c == '_' || c == '-' || c == '.' || c == '\t':
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// isNormal reports whether normKey would return k unchanged.
func isNormal(k string) bool {
	for i := 0; i < len(k); i++ {
		switch c := k[i]; {
		case c == ' ' || c == '_' || c == '-' || c == '.' || c == '\t', c >= 'A' && c <= 'Z':
			return false
		}
	}
	return true
}

// IsSecretKey reports whether a connection-string parameter named key
// holds a secret that must never be printed (password, PWD, psw, pw,
// sslpassword, token, AccountKey, ...), as Redact and Conn's printing
// decide: a caller that copies Params out skips these.
func IsSecretKey(key string) bool { return isSecretKey(normKey(key)) }

// isSecretKey reports whether a parameter with this (normalized) key holds
// a secret that must never be printed.
func isSecretKey(nk string) bool {
	switch nk {
	case "pass", "pwd", "psw", "pw", "apikey", "accesskey", "accountkey", "sharedaccesskey", "authkey":
		return true
	}
	return strings.Contains(nk, "password") || strings.Contains(nk, "passwd") ||
		strings.Contains(nk, "secret") || strings.Contains(nk, "token")
}

type field int

const (
	fNone field = iota
	fHost
	fPort
	fUser
	fPassword
	fDatabase
	fInstance
)

// fieldFor says which Conn field a parameter key fills. Keys are compared
// normalized; the set depends on the format because the same word means
// different things to different drivers (host= is a socket dir for libpq but
// an ordinary option for MongoDB).
func fieldFor(format, driver, nk string) field {
	switch format {
	case "libpq-kv":
		switch nk {
		case "host":
			return fHost
		case "port":
			return fPort
		case "user":
			return fUser
		case "password":
			return fPassword
		case "dbname":
			return fDatabase
		}
		return fNone
	case "ado":
		switch nk {
		case "server", "datasource", "address", "addr", "networkaddress", "host":
			return fHost
		case "port":
			return fPort
		case "userid", "uid", "user", "username":
			return fUser
		case "password", "pwd", "psw":
			return fPassword
		case "database", "initialcatalog":
			return fDatabase
		}
		return fNone
	case "mysql-dsn":
		return fNone
	}
	// url and jdbc
	switch nk {
	case "user", "username", "userid":
		return fUser
	case "password", "pwd", "passwd":
		return fPassword
	case "dbname", "database", "databasename":
		return fDatabase
	}
	if driver == "postgres" || driver == "cockroachdb" {
		switch nk {
		case "host":
			return fHost
		case "port":
			return fPort
		}
	}
	if driver == "sqlserver" && format == "jdbc" {
		switch nk {
		case "servername":
			return fHost
		case "portnumber", "port":
			return fPort
		case "instancename", "instance":
			return fInstance
		}
	}
	return fNone
}

// tlsPriority ranks keys that control TLS: the most specific one wins when
// several are present (pgjdbc's ssl=true is overridden by sslmode=...).
func tlsPriority(format, nk string) int {
	if format == "libpq-kv" {
		switch nk {
		case "sslmode":
			return 3
		case "requiressl":
			return 1
		}
		return 0
	}
	switch nk {
	case "sslmode":
		return 3
	case "tls", "encrypt":
		return 2
	case "ssl", "usessl", "requiressl", "secure", "useencryption":
		return 1
	}
	return 0
}

// finish applies the rules shared by all formats once the fields are filled:
// no field but a secret holds a password setting, the TLS winner leaves
// Params, secret-like params are remembered for Redact, and ports are
// checked.
func (c *Conn) finish() error {
	if err := c.checkEmbedded(); err != nil {
		return err
	}
	// A scheme-given TLS (rediss://) loses to any explicit setting.
	best, bi := 0, -1
	for i, p := range c.Params {
		nk := normKey(p.Key)
		if isSecretKey(nk) {
			c.secrets = append(c.secrets, p.Value)
		}
		if pr := tlsPriority(c.Format, nk); pr > 0 && pr >= best {
			best, bi = pr, i
		}
	}
	if bi >= 0 {
		c.TLS = c.Params[bi].Value
		c.TLSKey = c.Params[bi].Key
		// In place: the Conn owns its Params, and a Parser keeps the
		// room for the next string.
		c.Params = slices.Delete(c.Params, bi, bi+1)
	}
	for i, h := range c.Hosts {
		if h.Port.Set && !portBefore(c.Hosts[:i], h.Port.Off) {
			c.checkPort(h.Port)
		}
	}
	if c.PasswordNeedsEncoding() {
		c.Issues = append(c.Issues, Issue{Off: c.userinfoPw.Off, End: c.userinfoPw.End,
			Msg: "password contains characters that must be percent-encoded (@ / # ? or a bare %)"})
	}
	return nil
}

// checkEmbedded refuses a string in which a field other than a secret
// holds a password setting (app;password=x as the database name, sslmode=
// require;password=x as a parameter's value): the driver would take the
// password for that field, and dbguard would show it as one. The message
// quotes nothing, since what follows the key is the password.
func (c *Conn) checkEmbedded() error {
	named := []struct {
		what string
		p    Part
	}{{"the database name", c.Database}, {"the user name", c.User}, {"the network", c.Network}, {"the TLS setting", c.TLS}}
	for _, n := range named {
		if off := embeddedSecret(n.p); off >= 0 {
			return embeddedErr(c.Format, off, n.what)
		}
	}
	for _, h := range c.Hosts {
		for _, p := range [...]Part{h.Host, h.Port, h.Instance} {
			if off := embeddedSecret(p); off >= 0 {
				return embeddedErr(c.Format, off, "the host list")
			}
		}
		// "password:S3cret" read as a host and its port.
		if h.Host.Set && h.Port.Set && h.Port.Raw != "" && endsWithPasswordKey(h.Host.Raw) {
			return embeddedErr(c.Format, h.Host.Off, "the host list")
		}
	}
	for _, p := range c.Params {
		secret := isSecretKey(normKey(p.Key))
		if secretSetting(p.Key) >= 0 || !secret && holdsPasswordKey(p.Key) {
			// "password S3cret" or "!PWD " as a key: something is
			// missing or stray, and the value may be the password.
			return embeddedErr(c.Format, p.KeyOff, "the name of a parameter")
		}
		if secret {
			continue
		}
		if off := embeddedSecret(p.Value); off >= 0 {
			return embeddedErr(c.Format, off, "the value of another parameter")
		}
	}
	return nil
}

func embeddedErr(format string, off int, what string) error {
	return synErr(format, off, "%s holds a password setting, which the driver would read as part of it", what)
}

// portBefore reports whether one of hosts has a port written at off: a
// port= parameter applies to several hosts, and is checked once.
func portBefore(hosts []Host, off int) bool {
	for _, h := range hosts {
		if h.Port.Set && h.Port.Off == off {
			return true
		}
	}
	return false
}

func (c *Conn) checkPort(p Part) {
	v := p.Value
	if v == "" || hasInterp(v) {
		return
	}
	n, err := strconv.Atoi(v)
	if err != nil || strings.HasPrefix(v, "+") || strings.HasPrefix(v, "-") {
		c.Issues = append(c.Issues, Issue{Off: p.Off, End: p.End, Msg: fmt.Sprintf("port %q is not a number", v)})
		return
	}
	if n < 1 || n > 65535 {
		c.Issues = append(c.Issues, Issue{Off: p.Off, End: p.End, Msg: fmt.Sprintf("port %d is out of range 1-65535", n)})
	}
}

func (c *Conn) addSecret(p Part) {
	c.secrets = append(c.secrets, p)
}

func isSocketPath(v string) bool {
	return strings.HasPrefix(v, "/") || strings.HasPrefix(v, "@")
}
