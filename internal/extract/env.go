package extract

import (
	"strings"

	"github.com/dbguard/dbguard/internal/dsn"
	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/profile"
)

// envVar is one environment variable as a platform sets it: a .env line, a
// compose environment entry, a Kubernetes env item, an ECS environment or
// secrets entry.
type envVar struct {
	name      string
	v         profile.Value
	node      *tree.Node
	secretRef string // set when the value comes from an outside secret
}

// envGroup is the variables that share a prefix: DB_HOST, DB_PORT, ...
type envGroup struct {
	prefix  string
	name    string
	entries []entry
	order   int
	hasURL  bool
	merged  bool
	notes   []profile.Note
	size    int // variables in the group, while they are gathered
}

// groupMember is a variable on its way into its group (envProfiles).
type groupMember struct {
	g *envGroup
	e entry
}

// hasCoreField reports whether a group names a server, a database or a
// user of its own, rather than completing a connection string with
// settings or a password (DB_PASSWORD_FILE beside DATABASE_URL).
func hasCoreField(es []entry) bool {
	for _, e := range es {
		switch e.f {
		case fHost, fPort, fDatabase, fUser, fURL, fDriver:
			return true
		}
	}
	return false
}

// samePrefix compares variable prefixes, DB and DATABASE being one.
func samePrefix(a, b string) bool {
	norm := func(s string) string {
		s = strings.ToUpper(s)
		switch s {
		case "DB", "DATABASE":
			return "DATABASE"
		}
		return s
	}
	return norm(a) == norm(b)
}

// envProfiles groups variables into connections: every variable holding a
// connection string is one profile, and the variables sharing a prefix
// (DB_HOST, DB_PORT, DB_USER) are another. kp is the key path of the
// variables' container; driver is a hint from the context (the image).
func (fc *fileCtx) envProfiles(vars []envVar, kp string, driver string) []*profile.Profile {
	// A file has few groups: a slice searched in order is cheaper than
	// a map, and keeps the order of first appearance.
	var order []*envGroup
	envRaw := ""
	for _, ev := range vars {
		if keyOf(ev.name).is(inEnvKeys) {
			if s, ok := ev.v.Effective(); ok && profile.CanonicalEnvironment(s) != profile.Unknown {
				envRaw = s
			}
		}
	}
	// The groups live in a buffer kept from file to file, with room for
	// one per variable, so that no pointer into it goes stale.
	groups := fc.groups[:0]
	if cap(groups) < len(vars) {
		groups = make([]envGroup, 0, len(vars))
	}
	defer func() {
		clear(groups)
		fc.groups = groups[:0]
	}()
	lookup := func(prefix string) *envGroup {
		for _, g := range order {
			if strings.EqualFold(g.prefix, prefix) {
				return g
			}
		}
		return nil
	}
	getGroup := func(prefix string) *envGroup {
		if g := lookup(prefix); g != nil {
			return g
		}
		name := prefix + "_*"
		if strings.EqualFold(prefix, "PG") {
			name = "PG*"
		}
		groups = append(groups, envGroup{prefix: prefix, name: name, order: len(order)})
		g := &groups[len(groups)-1]
		order = append(order, g)
		return g
	}
	type urlVar struct {
		e      entry
		prefix string
	}
	var urls []urlVar
	// The variables of each group are gathered first and the groups
	// then carved from one buffer kept from file to file: DB_HOST,
	// REDIS_HOST and DB_PORT interleave, and growing a slice per group
	// cost more than the rest of the grouping.
	members := fc.members[:0]
	for _, ev := range vars {
		prefix, f, ok := splitEnvKey(ev.name)
		isConnString := ev.secretRef == "" && ev.v.Text != "" && looksConnString(ev.v)
		e := entry{key: ev.name, f: f, v: ev.v, node: ev.node, secretRef: ev.secretRef}
		if isConnString || f == fURL && ok {
			if !isConnString {
				// SENTRY_URL, APP_URL: not a database unless the name
				// says so and the value is not a literal of another kind.
				if !isDBEnvName(ev.name) || ev.secretRef == "" && !ev.v.Unresolved {
					continue
				}
			}
			e.f = fURL
			if !ok {
				prefix = ev.name
			}
			urls = append(urls, urlVar{e, prefix})
			continue
		}
		if !ok {
			continue
		}
		if f == fPassword && ev.secretRef != "" {
			e.v.Set = true
		}
		g := getGroup(prefix)
		for _, m := range members {
			if m.g == g && m.e.f == f && f != fParam {
				g.notes = append(g.notes, profile.Note{Kind: profile.NoteDuplicateKey, Key: ev.name, Field: fieldName(f),
					Loc: e.v.Loc, Other: m.e.v.Loc})
			}
		}
		members = append(members, groupMember{g: g, e: e})
		g.size++
	}
	fc.members = members
	buf := fc.grouped[:0]
	if cap(buf) < len(members) {
		buf = make([]entry, 0, len(members))
	}
	buf = buf[:len(members)]
	fc.grouped = buf
	off := 0
	for _, g := range order {
		g.entries = buf[off : off : off+g.size]
		off += g.size
	}
	for _, m := range members {
		m.g.entries = append(m.g.entries, m.e)
	}
	// A connection string joins the variables that share its prefix
	// (SPRING_DATASOURCE_URL with SPRING_DATASOURCE_USERNAME); alone, it is
	// a profile named after its variable.
	var standalone []urlVar
	perGroup := map[string]int{}
	for _, u := range urls {
		perGroup[strings.ToUpper(u.prefix)]++
	}
	for _, u := range urls {
		k := strings.ToUpper(u.prefix)
		if g := lookup(u.prefix); g != nil && perGroup[k] == 1 {
			g.entries = append([]entry{u.e}, g.entries...)
			g.hasURL = true
			continue
		}
		standalone = append(standalone, u)
	}
	// Settings-only groups (DB_MAX_OPEN_CONNS, DB_CONNECT_TIMEOUT) tune
	// the connection string of the same prefix (DATABASE_URL).
	extra := map[int][]entry{}
	for _, g := range order {
		if g.hasURL || hasCoreField(g.entries) {
			continue
		}
		for i, u := range standalone {
			if samePrefix(g.prefix, u.prefix) {
				extra[i] = append(extra[i], g.entries...)
				g.merged = true
				break
			}
		}
	}
	mergeCredentials(order)
	mergeTLS(order)
	var out []*profile.Profile
	for _, g := range order {
		if g.merged {
			continue
		}
		d := driverFromWords(g.prefix)
		strong := isDBEnvName(g.prefix) || d != ""
		if !strong && !hasExplicitDriver(g.entries) && !g.hasURL {
			continue
		}
		if d == "" {
			d = driver
		}
		b := block{keyPath: joinKey(kp, g.name), name: g.name, entries: g.entries, driver: d, strong: strong, env: true}
		if p := fc.assemble(b); p != nil {
			p.EnvironmentRaw = envRaw
			p.Notes = append(p.Notes, g.notes...)
			out = append(out, p)
		}
	}
	for i, u := range standalone {
		b := block{keyPath: joinKey(kp, u.e.key), name: u.e.key, entries: append([]entry{u.e}, extra[i]...),
			driver: driverFromWords(u.e.key), strong: true, env: true}
		if p := fc.assemble(b); p != nil {
			p.EnvironmentRaw = envRaw
			out = append(out, p)
		}
	}
	return out
}

// mergeCredentials joins groups that hold only credentials or a database
// name (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB) to the one group of
// the same variables that names a server (DB_HOST, DB_PORT): a service
// given both reads them as one connection. With no such group, or several,
// nothing is joined, since which server the credentials go with is then a
// guess.
func mergeCredentials(order []*envGroup) {
	var host *envGroup
	for _, g := range order {
		if g.merged || g.hasURL || !hasField(g.entries, fHost) {
			continue
		}
		if host != nil {
			return
		}
		host = g
	}
	if host == nil {
		return
	}
	want := driverFromWords(host.prefix)
	for _, g := range order {
		if g == host || g.merged || g.hasURL || !hasCoreField(g.entries) || hasField(g.entries, fHost) || hasField(g.entries, fPort) {
			continue
		}
		// REDIS_PASSWORD beside DB_HOST is another store's.
		if d := driverFromWords(g.prefix); d != want && !(want == "" && (d == "" || sqlDriver(d))) {
			continue
		}
		joinGroup(host, g)
	}
}

// joinGroup moves g's settings that host lacks, and g's notes, into host.
func joinGroup(host, g *envGroup) {
	for _, e := range g.entries {
		if !hasField(host.entries, e.f) {
			host.entries = append(host.entries, e)
		}
	}
	host.notes = append(host.notes, g.notes...)
	g.merged = true
}

// mergeTLS joins a group of TLS settings only that names its driver
// (MYSQL_ATTR_SSL_CA: the PDO option Laravel's mysql connection reads) to
// the one group of that driver that names a server (DB_HOST with
// DB_CONNECTION=mysql, or with MySQL's port). With none, or several,
// nothing is joined.
func mergeTLS(order []*envGroup) {
	for _, g := range order {
		d := driverFromWords(g.prefix)
		if g.merged || g.hasURL || d == "" || !tlsOnly(g.entries) {
			continue
		}
		var host *envGroup
		for _, h := range order {
			if h == g || h.merged || h.hasURL || !hasField(h.entries, fHost) || groupDriver(h) != d {
				continue
			}
			if host != nil {
				host = nil
				break
			}
			host = h
		}
		if host == nil || hasField(host.entries, fTLSCA) && hasField(g.entries, fTLSCA) {
			continue
		}
		joinGroup(host, g)
	}
}

// groupDriver is the driver a group's variables name: its prefix's
// (MYSQL_HOST), its driver variable's (DB_CONNECTION=mysql), or its
// port's (3306), as assembly decides it.
func groupDriver(g *envGroup) string {
	if d := driverFromWords(g.prefix); d != "" {
		return d
	}
	for _, e := range g.entries {
		if e.f == fDriver {
			if d := driverOfValue(e.v); d != "" {
				return d
			}
		}
	}
	for _, e := range g.entries {
		if e.f == fPort {
			return driverFromPort(e.v.Text)
		}
	}
	return ""
}

// tlsOnly reports a group of TLS settings and nothing else.
func tlsOnly(es []entry) bool {
	for _, e := range es {
		switch e.f {
		case fTLS, fTLSCA, fTLSCert, fTLSKey:
		default:
			return false
		}
	}
	return len(es) > 0
}

func hasField(es []entry, f field) bool {
	for _, e := range es {
		if e.f == f {
			return true
		}
	}
	return false
}

// envDBWords make a variable prefix about a database. They are narrower
// than dbWords: STORAGE_S3_ENDPOINT and CACHE_HOST are not databases.
var envDBWords = map[string]bool{
	"db": true, "database": true, "datasource": true, "postgres": true, "postgresql": true, "pg": true,
	"psql": true, "pgsql": true, "mysql": true, "mariadb": true, "redis": true, "mongo": true, "mongodb": true,
	"sql": true, "mssql": true, "sqlserver": true, "clickhouse": true, "cassandra": true, "cockroach": true,
	"cockroachdb": true, "crdb": true, "valkey": true, "sqlite": true, "jdbc": true, "snowflake": true,
	"presto": true, "trino": true, "databricks": true, "redshift": true, "oracle": true, "pgbouncer": true,
	"elasticsearch": true, "sentinel": true, "rds": true, "aurora": true,
}

// isDBEnvName reports whether a variable name or prefix is about a database.
func isDBEnvName(s string) bool {
	var buf [64]byte
	for i := 0; ; {
		w, next := nextWord(s, i, &buf)
		if w == nil {
			return false
		}
		if envDBWords[string(w)] {
			return true
		}
		i = next
	}
}

func hasExplicitDriver(es []entry) bool {
	for _, e := range es {
		if e.f == fDriver && driverOfValue(e.v) != "" {
			return true
		}
	}
	return false
}

// looksConnString reports whether a value is a connection string, also when
// it is written with interpolations inside or as a whole interpolation with
// a connection string as its default.
func looksConnString(v profile.Value) bool {
	if dsn.Looks(v.Text) {
		return true
	}
	if v.Unresolved && v.HasDefault && dsn.Looks(v.Default) {
		return true
	}
	return false
}

// extractEnvFile reads a dotenv file.
func extractEnvFile(fc *fileCtx, root *tree.Node, _ int) ([]*profile.Profile, bool) {
	if root.Kind != tree.Map {
		return nil, false
	}
	vars := fc.vars[:0]
	// Most files reference no variable: the values are kept for
	// expansion only in those that do.
	expands := false
	for _, c := range root.Children {
		if strings.Contains(c.Value, "${") {
			expands = true
			break
		}
	}
	var known map[string]string
	for _, c := range root.Children {
		v := fc.value(c)
		if v.Unresolved && known != nil && strings.Contains(c.Value, "${") {
			if text, left := expandDotenv(c.Value, known); text != c.Value {
				v.Text, v.Unresolved = text, left
				if !left {
					v.Var, v.Default, v.HasDefault = "", "", false
				}
			}
		}
		if expands && !v.Unresolved && c.Kind == tree.Scalar {
			if known == nil {
				known = map[string]string{}
			}
			known[c.Key] = v.Text
		}
		// Only variables that can take part in a connection are read
		// (APP_NAME, LOG_LEVEL are not).
		if _, _, ok := splitEnvKey(c.Key); ok || keyOf(c.Key).is(inEnvKeys) || dsn.Looks(c.Value) || strings.Contains(c.Value, "://") {
			vars = append(vars, envVar{name: c.Key, v: v, node: c})
		}
	}
	fc.vars = vars
	ps := fc.envProfiles(vars, "", "")
	for _, p := range ps {
		if imageInitOnly(p) {
			p.ServerSide = true
		}
	}
	return ps, true
}

// expandDotenv expands ${VAR} references to variables an earlier line of
// the same .env file defines literally, as docker compose and Laravel
// (phpdotenv) do. A reference to anything else (the shell's environment,
// which scan never reads, or a later line) stays as written, and left
// reports it; ${VAR:-default} and its kin count only when VAR is defined.
func expandDotenv(s string, known map[string]string) (out string, left bool) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), left
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		ref := s[i+2 : i+j]
		name := ref
		if k := strings.IndexAny(ref, ":-?+"); k >= 0 {
			name = ref[:k]
		}
		b.WriteString(s[:i])
		v, ok := known[name]
		switch {
		case ok && name != "" && v == "" && strings.HasPrefix(ref[len(name):], ":-"):
			b.WriteString(ref[len(name)+2:])
		case ok && name != "" && !strings.Contains(ref, "+"):
			// ${VAR:+alt} is not VAR's value: left as written.
			b.WriteString(v)
		default:
			b.WriteString(s[i : i+j+1])
			left = true
		}
		s = s[i+j+1:]
	}
}

// imageInitOnly reports a profile made of nothing but the variables a
// database image initialises itself from (POSTGRES_USER, POSTGRES_DB,
// MYSQL_ROOT_PASSWORD): the env_file of a database container, the
// server's settings rather than a client's connection.
func imageInitOnly(p *profile.Profile) bool {
	if len(p.Hosts) > 0 || len(p.Keys) == 0 {
		return false
	}
	for _, k := range p.Keys {
		if _, ok := serverInit[strings.ToUpper(k.Key)]; !ok {
			return false
		}
	}
	return true
}
