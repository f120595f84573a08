package policy

import (
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dbguard/dbguard/internal/profile"
)

// eff is the value the application would use, or false.
func eff(v profile.Value) (string, bool) {
	s, ok := v.Effective()
	return strings.TrimSpace(s), ok
}

func isProd(p *profile.Profile) bool { return p.Environment == profile.Production }

// isNonProd reports an environment that is known and not production.
func isNonProd(p *profile.Profile) bool { return nonProdEnv(p.Environment) }

func nonProdEnv(e profile.Environment) bool {
	switch e {
	case profile.Staging, profile.Development, profile.Test, profile.CI:
		return true
	}
	return false
}

// driver is the profile's canonical driver, or "". Aliases a file may
// still carry (mysql2, org.postgresql.Driver, pgx) map to their family.
func driver(p *profile.Profile) string {
	s, _ := eff(p.Driver)
	return canonicalDriver(s)
}

// canonicalDriver is profile.CanonicalDriver, keeping a name it does not
// know (lowercased) so that a rule can still tell two unknown drivers apart.
func canonicalDriver(s string) string {
	if d := profile.CanonicalDriver(s); d != "" {
		return d
	}
	return strings.ToLower(strings.TrimSpace(s))
}

// templateMarks are the parts of a file name that make it a template.
func templateMarks() []string {
	return []string{".example", ".sample", ".template", ".dist", ".tpl", ".tmpl"}
}

// template reports a file that is a template to copy and fill in
// (.env.example, database.yml.sample), where an empty value means "fill
// me in" rather than a mistake.
func template(file string) bool {
	l := strings.ToLower(file)
	for _, s := range templateMarks() {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// pooler reports a pooler's own backend definitions (PgBouncer, pgcat,
// Odyssey), which follow the pooler's rules rather than a client driver's.
func pooler(p *profile.Profile) bool {
	switch p.Format {
	case "pgbouncer", "pgcat", "odyssey":
		return true
	}
	return false
}

// emptyPort reports a port that means "the driver's default".
func emptyPort(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "undefined", "null", "~", "none":
		return true
	}
	return false
}

// knownDrivers are the drivers the extractor canonicalises to.
func knownDrivers() []string {
	return []string{"postgres", "mysql", "sqlserver", "sqlite", "mongodb", "redis", "cockroachdb",
		"clickhouse", "oracle", "cassandra", "elasticsearch", "snowflake", "presto", "databricks",
		"redshift", "dirty"}
}

// sqlDriver reports the SQL drivers whose pools and timeouts the rules of
// families 5 and 6 know about.
func sqlDriver(p *profile.Profile) bool {
	switch driver(p) {
	case "postgres", "mysql", "sqlserver", "cockroachdb", "redshift":
		return true
	}
	return false
}

// client reports a profile an application connects with (not a server's
// own settings).
func client(p *profile.Profile) bool { return !p.ServerSide }

// connection reports a client profile that names a server: the rules
// about how a connection is made (its timeouts, its TLS) judge only those.
// A profile without a host (a Secret holding only credentials, the
// variables a server container initialises from) makes no connection of
// its own.
func connection(p *profile.Profile) bool {
	if p.ServerSide {
		return false
	}
	for _, h := range p.Hosts {
		if h.Socket || h.Host.Set && !chartBlank(p, h.Host) {
			return true
		}
	}
	return false
}

// chartBlank reports a value left empty in a Helm chart's own
// values.yaml: the chart's default, a blank for whoever installs it to
// fill (or for its templates to compute: "defaults to the subchart's
// service"), not a setting. An environment's values file
// (values-production.yaml) is a setting.
func chartBlank(p *profile.Profile, v profile.Value) bool {
	if p.Format != "helm" || v.Unresolved || strings.TrimSpace(v.Text) != "" {
		return false
	}
	base := path.Base(p.File)
	return base == "values.yaml" || base == "values.yml"
}

// jdbc reports a profile whose connection string is a JDBC URL, and so is
// read by PgJDBC or Connector/J, which have their own defaults.
func jdbc(p *profile.Profile) bool {
	for _, k := range []string{"url", "raw"} {
		if v, ok := p.Params[k]; ok && strings.HasPrefix(strings.ToLower(strings.TrimSpace(v.Text)), "jdbc:") {
			return true
		}
	}
	return strings.Contains(strings.ToLower(p.KeyPath), "spring.datasource") || strings.Contains(p.Format, "spring") || springBinding(p)
}

// springBinding reports a service binding that a Spring Boot workload
// reads into spring.datasource (profile.ParamConsumer, set by the scan).
func springBinding(p *profile.Profile) bool {
	v, ok := p.Params[profile.ParamConsumer]
	return ok && v.Text == profile.ConsumerSpringBoot
}

// param finds a parameter by name, ignoring case, '-', '_' and '.'.
func param(p *profile.Profile, names ...string) (profile.Value, bool) {
	for k, v := range p.Params {
		for _, n := range names {
			if sameKey(k, n) {
				return v, true
			}
		}
	}
	return profile.Value{}, false
}

func normKey(s string) string {
	s = strings.ToLower(s)
	s = strings.ReplaceAll(s, "_", "")
	s = strings.ReplaceAll(s, "-", "")
	return strings.ReplaceAll(s, ".", "")
}

// sameKey is normKey(a) == normKey(b) without allocating for ASCII names,
// which param calls for every parameter of every profile.
func sameKey(a, b string) bool {
	i, j := 0, 0
	for {
		for i < len(a) && (a[i] == '_' || a[i] == '-' || a[i] == '.') {
			i++
		}
		for j < len(b) && (b[j] == '_' || b[j] == '-' || b[j] == '.') {
			j++
		}
		if i == len(a) || j == len(b) {
			return i == len(a) && j == len(b)
		}
		x, y := a[i], b[j]
		if x >= utf8.RuneSelf || y >= utf8.RuneSelf {
			return normKey(a) == normKey(b)
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
		i, j = i+1, j+1
	}
}

// words splits a name into lower-case alphanumeric words.
// hasWord reports the first word of s (a run of letters and digits) that
// is one of set (lower-case words), ignoring case, and which one it is.
// It allocates nothing: the rules call it on every host and database.
func hasWord(s string, set ...string) (string, bool) {
	for i := 0; i < len(s); {
		r, n := runeAt(s, i)
		if !wordRune(r) {
			i += n
			continue
		}
		j := i + n
		ascii := r < utf8.RuneSelf
		for j < len(s) {
			r, n := runeAt(s, j)
			if !wordRune(r) {
				break
			}
			ascii = ascii && r < utf8.RuneSelf
			j += n
		}
		w := s[i:j]
		if !ascii {
			w = strings.ToLower(w)
		}
		for _, x := range set {
			if ascii && asciiEqualFold(w, x) || !ascii && w == x {
				return x, true
			}
		}
		i = j
	}
	return "", false
}

// runeAt is the rune at s[i] and its length, decoded only when it is not
// ASCII.
func runeAt(s string, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

func wordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// asciiEqualFold compares an ASCII word with a lower-case one.
func asciiEqualFold(w, lower string) bool {
	if len(w) != len(lower) {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// placeholderHost reports hosts that cannot be a production database: the
// machine itself, documentation domains, and fill-me-in words.
func placeholderHost(h string) bool {
	h = strings.ToLower(strings.Trim(strings.TrimSpace(h), "[]"))
	switch h {
	case "localhost", "127.0.0.1", "::1", "0.0.0.0", "changeme", "change-me", "change_me", "host", "hostname",
		"your-host", "yourhost", "your_host", "db-host", "todo", "xxx", "example", "example.com", "example.org",
		"example.net", "host.docker.internal":
		return true
	}
	if strings.HasPrefix(h, "127.") || strings.HasSuffix(h, ".localhost") || strings.HasPrefix(h, "<") ||
		strings.HasSuffix(h, ".example.com") || strings.HasSuffix(h, ".example.org") || strings.HasSuffix(h, ".example.net") ||
		strings.HasSuffix(h, ".example") || strings.HasSuffix(h, ".invalid") || strings.HasSuffix(h, ".test") {
		return true
	}
	return strings.Contains(h, "changeme") || strings.Contains(h, "change-me") || strings.Contains(h, "your-")
}

// localProxy reports a profile whose local host is the design: a unix
// socket, or a proxy sidecar in the same pod. The sidecar's name comes from
// the "sidecars" parameter (comma-separated container names or images).
func localProxy(p *profile.Profile, h profile.Host) bool {
	if h.Socket {
		return true
	}
	if s, ok := eff(h.Host); ok && strings.HasPrefix(s, "/") {
		return true
	}
	v, ok := param(p, "sidecars")
	if !ok {
		return false
	}
	_, yes := hasWord(v.Text, "cloudsql", "pgbouncer", "envoy", "proxy", "odyssey", "pgcat", "proxysql", "haproxy")
	if !yes {
		yes = strings.Contains(strings.ToLower(v.Text), "cloud-sql-proxy")
	}
	return yes
}

// parseDuration reads a timeout or lifetime as written: a Go or ISO-ish
// duration ("5s", "15m", "1h30m", "500ms"), or a bare number. A bare number
// is seconds unless it is at least msFrom, then milliseconds: drivers read
// connect timeouts in seconds (libpq, PgJDBC, ADO.NET) or milliseconds
// (Connector/J, HikariCP), and nobody means a connect timeout of 1000
// seconds or more.
func parseDuration(s string, msFrom int) (time.Duration, bool) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" {
		return 0, false
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		if n >= float64(msFrom) {
			return time.Duration(n * float64(time.Millisecond)), true
		}
		return time.Duration(n * float64(time.Second)), true
	}
	if d, err := time.ParseDuration(s); err == nil {
		return d, true
	}
	// PostgreSQL units: 10min, 5sec, 2h, 1d.
	for _, u := range []struct {
		suffix string
		unit   time.Duration
	}{{"min", time.Minute}, {"sec", time.Second}, {"d", 24 * time.Hour}} {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			if n, err := strconv.ParseFloat(strings.TrimSpace(num), 64); err == nil {
				return time.Duration(n * float64(u.unit)), true
			}
		}
	}
	return 0, false
}

// tlsState is what a profile's TLS setting means.
type tlsState int

const (
	tlsUnset         tlsState = iota
	tlsUnknown                // set, but to something the rules do not know
	tlsOff                    // never encrypts
	tlsOpportunistic          // allow / prefer: may fall back to plaintext
	tlsUnverified             // encrypts, does not verify the server
	tlsOn                     // encrypts; verification depends on the driver's defaults
	tlsVerified               // encrypts and verifies the server certificate
)

// tlsOf reads the TLS setting of p, whatever the driver calls it.
func tlsOf(p *profile.Profile) (tlsState, string) {
	if !p.TLS.Mode.Set {
		return tlsUnset, ""
	}
	mode, ok := eff(p.TLS.Mode)
	if !ok {
		return tlsUnknown, p.TLS.Mode.Text
	}
	key := normKey(p.TLS.Key)
	m := normKey(mode)
	st := tlsUnknown
	// driver is read at most once, and only where it decides.
	d, dRead := "", false
	drv := func() string {
		if !dRead {
			d, dRead = driver(p), true
		}
		return d
	}
	switch m {
	case "disable", "disabled", "false", "0", "no", "off", "none", "optional", "nossl":
		st = tlsOff
	case "allow", "prefer", "preferred", "if_available", "ifavailable":
		st = tlsOpportunistic
	case "skipverify", "insecure":
		st = tlsUnverified
	case "verifyca", "verifyfull", "verifyidentity", "strict":
		st = tlsVerified
	case "require", "required", "true", "1", "yes", "on", "mandatory", "rediss":
		st = tlsOn
		switch {
		case key == "sslmode" && (m == "require" || m == "required") && drv() != "mysql":
			// libpq's require encrypts without checking the certificate,
			// unless a root certificate is given.
			st = tlsUnverified
			if p.TLS.CA.Set {
				st = tlsVerified
			}
		case key == "tls" && drv() == "mysql" && m == "true":
			st = tlsVerified // go-sql-driver verifies with tls=true
		}
	}
	if st == tlsOn || st == tlsVerified {
		if v, ok := eff(p.TLS.Verify); ok {
			b := strings.ToLower(v)
			trust := b == "true" || b == "yes" || b == "1"
			if sqlServer := drv() == "sqlserver"; sqlServer && trust || !sqlServer && (b == "false" || b == "no" || b == "0") {
				st = tlsUnverified
			}
		}
	}
	return st, mode
}
