package extract

import (
	"fmt"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/profile"
)

// Helm values files configure a database in three ways that the generic
// walk cannot tell apart: a client block for a database outside the
// release (externalDatabase, externalRedis), a switch between a database
// the chart runs and an outside one (database.type: internal|external with
// an internal: and an external: block), and the values of a database
// subchart (postgresql:, mysql:, redis: with auth.* and enabled:). A block
// that is present but not selected is still listed, marked inactive with
// the reason, since switching it on is exactly the change a reviewer must
// see coming.

// chartKeys are top-level keys that most charts' values.yaml share.
var chartKeys = map[string]bool{
	"replicaCount": true, "image": true, "imagePullSecrets": true, "nameOverride": true,
	"fullnameOverride": true, "serviceAccount": true, "podAnnotations": true, "podSecurityContext": true,
	"securityContext": true, "service": true, "ingress": true, "resources": true, "autoscaling": true,
	"nodeSelector": true, "tolerations": true, "affinity": true, "persistence": true, "global": true,
	"externalDatabase": true, "podLabels": true, "extraEnvVars": true,
}

// looksHelmValues decides from the file name (values.yaml, values-prod.yaml,
// harbor-values.yaml) or, failing that, from the chart conventions of the
// top-level keys.
func looksHelmValues(rel string, root *tree.Node) bool {
	if root == nil || root.Kind != tree.Map {
		return false
	}
	if hasWord(path.Base(rel), "values") {
		return true
	}
	n := 0
	for _, c := range root.Children {
		if chartKeys[c.Key] {
			n++
		}
	}
	return n >= 4
}

// extractHelm reads a Helm values file.
func extractHelm(fc *fileCtx, root *tree.Node, _ int) ([]*profile.Profile, bool) {
	if !looksHelmValues(fc.path, root) {
		return nil, false
	}
	drop := map[*tree.Node]bool{}
	var out []*profile.Profile
	for _, c := range root.Children {
		if c.Kind != tree.Map {
			continue
		}
		switch {
		case c.Key == "global":
			for _, g := range c.Children {
				if g.Kind == tree.Map && placeholderBlock(g) {
					drop[g] = true
				}
			}
		case c.Key == "persistence":
			// Volume claims and object-storage backends (s3, swift,
			// gcs credentials): a chart's persistence is never a
			// database connection, though its words look like one.
			drop[c] = true
		case externalKind(c.Key) != "":
			if p := fc.helmExternal(root, c); p != nil {
				out = append(out, p)
			}
			drop[c] = true
		case typeSwitch(c) != "":
			out = append(out, fc.helmSwitched(c)...)
			drop[c] = true
		case subchartDriver(c.Key) != "":
			if p := fc.helmSubchart(c); p != nil {
				out = append(out, p)
				drop[c] = true
			}
		}
	}
	out = append(out, fc.sqlPluginBlocks(root, "", drop)...)
	out = append(out, fc.genericRest(root, drop)...)
	linkSubcharts(fc.path, out)
	return out, true
}

// extractTemporal reads a Temporal server configuration outside a chart
// (persistence.datastores.*.sql), whose pluginName and connectAddr the
// generic walk does not know.
func extractTemporal(fc *fileCtx, root *tree.Node, _ int) ([]*profile.Profile, bool) {
	if root.Path("persistence", "datastores") == nil {
		return nil, false
	}
	drop := map[*tree.Node]bool{}
	out := fc.sqlPluginBlocks(root, "", drop)
	if len(out) == 0 {
		return nil, false
	}
	return append(out, fc.genericRest(root, drop)...), true
}

// externalKind returns what an externalXxx key names (database, redis,
// postgresql, db), or "".
func externalKind(key string) string {
	if !strings.HasPrefix(key, "external") || len(key) <= len("external") {
		return ""
	}
	rest := key[len("external"):]
	if isDBWord(rest) || driverFromWords(rest) != "" {
		return strings.ToLower(rest)
	}
	return ""
}

// typeSwitch returns the selected side of a block with type: internal or
// external and at least one of the two sub-blocks, or "".
func typeSwitch(n *tree.Node) string {
	t := strings.ToLower(n.Get("type").Text())
	if t != "internal" && t != "external" {
		return ""
	}
	if n.Get("internal") == nil && n.Get("external") == nil {
		return ""
	}
	return t
}

// subchartDriver returns the driver of a database subchart key
// (postgresql, mysql, redis, postgresql-ha), or "".
func subchartDriver(key string) string {
	ws := words(key)
	if len(ws) == 0 || len(ws) > 2 {
		return ""
	}
	d := driverFromWords(ws[0])
	switch {
	case d == "" || ws[0] == "pgbouncer":
		return ""
	case len(ws) == 2 && ws[1] != "ha" && ws[1] != "cluster":
		return ""
	}
	return d
}

// helmExternal reads externalDatabase and its kin. It is inactive when it
// says enabled: false, or when the matching subchart says enabled: true.
func (fc *fileCtx) helmExternal(root, n *tree.Node) *profile.Profile {
	kind := externalKind(n.Key)
	es, _ := fc.helmEntries(n, "")
	b := block{keyPath: n.Key, name: n.Key, entries: es, driver: driverFromWords(kind), strong: true}
	p := fc.assembleListed(b)
	if p == nil {
		return nil
	}
	if en := n.Get("enabled"); en != nil && isFalse(en.Text()) {
		p.Inactive, p.Reason = true, n.Key+".enabled is false"
	}
	for _, c := range root.Children {
		if c == n || c.Kind != tree.Map {
			continue
		}
		d := subchartDriver(c.Key)
		if d == "" {
			continue
		}
		if want := driverFromWords(kind); want != "" && d != want || want == "" && !sqlDriver(d) {
			continue
		}
		if isTrue(c.Get("enabled").Text()) && !p.Inactive {
			p.Inactive = true
			p.Reason = fmt.Sprintf("%s.enabled is true, so the chart's own %s is used", c.Key, c.Key)
		}
	}
	return p
}

// helmSwitched reads a block with type: internal|external. The internal
// side is the database the chart runs (server side); it is listed only
// when it sets something a connection needs.
func (fc *fileCtx) helmSwitched(n *tree.Node) []*profile.Profile {
	sel := typeSwitch(n)
	var shared []entry
	for _, c := range n.Children {
		if c.Kind != tree.Scalar || strings.EqualFold(c.Key, "type") {
			continue
		}
		if f := classify(c.Key, c, walkCtx{db: true}); f != fNone && f != fURL && f != fDriver {
			shared = append(shared, fc.ent(f, c))
		}
	}
	var out []*profile.Profile
	for _, side := range []string{"internal", "external"} {
		sub := n.Get(side)
		if sub == nil || sub.Kind != tree.Map {
			continue
		}
		es, conn := fc.helmEntries(sub, "")
		if side == "internal" && !conn {
			continue
		}
		kp := n.Key + "." + side
		b := block{keyPath: kp, name: kp, entries: append(es, shared...), driver: driverFromWords(n.Key),
			strong: true, serverSide: side == "internal"}
		p := fc.assembleListed(b)
		if p == nil {
			continue
		}
		if side != sel {
			p.Inactive, p.Reason = true, fmt.Sprintf("%s.type is %s", n.Key, sel)
		}
		out = append(out, p)
	}
	// The two sides are one database: a driver one of them tells applies
	// to the other.
	for _, p := range out {
		if p.Driver.Text != "" {
			continue
		}
		for _, q := range out {
			if q.Driver.Text != "" {
				p.Driver = profile.Value{Text: q.Driver.Text, Set: true}
				break
			}
		}
	}
	return out
}

// helmSubchart reads a database subchart's values: auth.*, the older
// postgresqlUsername/mysqlUser style, existingSecret, the service port.
// A subchart that configures nothing of a connection is left to the
// generic walk.
func (fc *fileCtx) helmSubchart(n *tree.Node) *profile.Profile {
	es, conn := fc.helmEntries(n, "")
	if auth := n.Get("auth"); auth != nil && auth.Kind == tree.Map {
		more, ok := fc.helmEntries(auth, "auth")
		es = append(es, more...)
		conn = conn || ok
	}
	for _, sub := range []string{"primary", "master"} {
		if c := n.Get(sub); c != nil && c.Kind == tree.Map {
			if port := fc.servicePort(c.Get("service")); port.node != nil {
				es = append(es, port)
			}
		}
	}
	if !conn {
		return nil
	}
	b := block{keyPath: n.Key, name: n.Key, entries: es, driver: subchartDriver(n.Key), strong: true, serverSide: true}
	p := fc.assembleListed(b)
	if p == nil {
		return nil
	}
	if en := n.Get("enabled"); en != nil && isFalse(en.Text()) {
		p.Inactive, p.Reason = true, n.Key+".enabled is false"
	}
	if !p.FirstHost().Host.Set {
		// The Service the subchart creates is how its siblings reach
		// it, not a host the values file writes: a parameter that
		// linking reads, the host left unset.
		p.SetParam(subchartServiceParam, fc.subchartService(n))
	}
	if src := p.Password.Source; strings.HasPrefix(src, "secret:") && !strings.Contains(src, "/") {
		p.Password.Source += "/" + subchartSecretKey(n)
	}
	for _, sub := range []string{"primary", "master", "postgresql", ""} {
		c := n
		if sub != "" {
			c = n.Get(sub)
		}
		for _, k := range []string{"extendedConfiguration", "configuration", "extendedConf"} {
			if conf := scalar(c.Get(k)); conf != nil {
				fc.serverSettings(p, conf)
			}
		}
	}
	return p
}

// subchartServiceParam is the parameter that holds the Service name a
// database subchart creates, which its sibling clients link by.
const subchartServiceParam = "service_name"

// subchartService names the Service a database subchart creates, as the
// common charts (Bitnami's postgresql, postgresql-ha, mysql, mariadb,
// redis) name it: fullnameOverride as written, or the release name, a
// dash and nameOverride or the chart's name; postgresql-ha's clients
// reach its pgpool, redis's its master. Without fullnameOverride the name
// is an unresolved template of .Release.Name.
func (fc *fileCtx) subchartService(n *tree.Node) profile.Value {
	suffix := ""
	switch strings.ToLower(n.Key) {
	case "postgresql-ha", "postgresqlha":
		suffix = "-pgpool"
	case "redis":
		if arch := n.Get("architecture").Text(); arch != "standalone" {
			suffix = "-master"
		}
	}
	// A name written nowhere as such has no location of its own.
	if full := scalar(n.Get("fullnameOverride")); full != nil && full.Value != "" {
		v := fc.value(full)
		if suffix != "" {
			v.Text += suffix
			v.Loc = profile.Location{File: fc.path}
		}
		return v
	}
	name := n.Key
	if o := scalar(n.Get("nameOverride")); o != nil && o.Value != "" {
		name = o.Value
	}
	return profile.Value{Text: "{{ .Release.Name }}-" + name + suffix, Var: ".Release.Name", Set: true, Unresolved: true,
		Loc: profile.Location{File: fc.path}}
}

// subchartSecretKey is the key of an existingSecret the subchart reads the
// application user's password from: auth.secretKeys.userPasswordKey
// when set, else the chart's default.
func subchartSecretKey(n *tree.Node) string {
	if k := n.Path("auth", "secretKeys", "userPasswordKey").Text(); k != "" {
		return k
	}
	switch subchartDriver(n.Key) {
	case "mysql":
		if strings.Contains(strings.ToLower(n.Key), "mariadb") {
			return "mariadb-password"
		}
		return "mysql-password"
	case "redis":
		return "redis-password"
	}
	return "password"
}

// serverSettings reads the server settings a subchart passes to the
// server in a block scalar (primary.extendedConfiguration's
// postgresql.conf lines, primary.configuration's my.cnf): max_connections
// and the like as params, ssl as TLS, each located on its own line.
func (fc *fileCtx) serverSettings(p *profile.Profile, conf *tree.Node) {
	first := conf.Line
	if raw := strings.TrimSpace(fc.line(first)); raw != "" {
		if i := strings.LastIndexAny(raw, "|>"); i >= 0 && strings.Trim(raw[i+1:], "+-0123456789") == "" {
			first++ // a block scalar starts on the line after its indicator
		}
	}
	for i, line := range strings.Split(conf.Value, "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(strings.ReplaceAll(k, "-", "_"))
		if hash := strings.IndexByte(v, '#'); hash >= 0 {
			v = v[:hash]
		}
		v = strings.Trim(strings.TrimSpace(v), `'"`)
		// The value's own column: where the line sits in the file, plus
		// where the value sits in the line.
		loc := fc.loc(conf)
		if at := strings.Index(fc.line(first+i), line); at >= 0 && v != "" {
			eq := strings.IndexByte(line, '=')
			if in := strings.Index(line[eq+1:], v); in >= 0 {
				off := at + eq + 1 + in
				loc = profile.Location{File: fc.path, Line: first + i, Column: utf8.RuneCountInString(fc.line(first + i)[:off]) + 1}
			}
		}
		switch strings.ToLower(k) {
		case "max_connections", "superuser_reserved_connections", "reserved_connections", "idle_session_timeout", "wait_timeout":
			p.SetParam(strings.ToLower(k), profile.Value{Text: v, Set: true, Loc: loc})
		case "ssl", "require_secure_transport":
			if !p.TLS.Mode.Set {
				p.TLS.Mode, p.TLS.Key = profile.Value{Text: v, Set: true, Loc: loc}, k
			}
		}
	}
}

// helmEntries classifies the settings of one values block. conn reports
// whether the block sets anything a connection needs (a host, port, user,
// database or password, a secret included), as opposed to only images and
// resources.
func (fc *fileCtx) helmEntries(n *tree.Node, prefix string) (es []entry, conn bool) {
	ctx := walkCtx{db: true}
	var userPW, rootPW *entry
	secretKey := ""
	for _, c := range n.Children {
		if c.Kind == tree.Scalar {
			nk := normKey(c.Key)
			if strings.HasSuffix(nk, "secretkey") || strings.HasSuffix(nk, "secretpasswordkey") || nk == "secretpasswordkey" {
				if strings.Contains(nk, "password") || nk == "existingsecretkey" {
					secretKey = c.Value
				}
			}
		}
	}
	for _, c := range n.Children {
		key := c.Key
		if prefix != "" {
			key = prefix + "." + c.Key
		}
		switch c.Kind {
		case tree.Map:
			nk := normKey(c.Key)
			switch {
			case nk == "tlsoptions" || nk == "tls" || nk == "ssl":
				for _, cc := range c.Children {
					if cc.Kind == tree.Scalar && (normKey(cc.Key) == "enable" || normKey(cc.Key) == "enabled") {
						e := fc.ent(fTLS, cc)
						e.key = c.Key + "." + cc.Key
						es = append(es, e)
					}
				}
			case nk == "ports" || nk == "service":
				if port := fc.servicePort(c); port.node != nil {
					es = append(es, port)
					conn = true
				}
			}
			continue
		case tree.Scalar, tree.Null:
		default:
			continue
		}
		nk := normKey(c.Key)
		if auxiliaryRole(nk) {
			// repmgrUsername, pgpoolAdminUsername, metrics' user:
			// another role's credentials, not the database's own.
			continue
		}
		switch {
		case strings.Contains(nk, "secret") && (strings.HasSuffix(nk, "key") || strings.HasSuffix(nk, "keys")):
			// the key inside a secret: read with the secret's name
		case nk == "existingsecret" || nk == "passwordsecret" || nk == "existingsecretname" || nk == "passwordsecretname":
			if c.Value != "" {
				ref := c.Value
				if secretKey != "" {
					ref += "/" + secretKey
				}
				es = append(es, entry{key: key, f: fPassword, v: fc.secretRefValue(c, ref), node: c, secretRef: ref})
				conn = true
			}
		case nk == "usersecret" || nk == "usernamesecret":
			if c.Value != "" {
				es = append(es, entry{key: key, f: fUser, v: fc.secretRefValue(c, c.Value), node: c})
				conn = true
			}
		case strings.Contains(nk, "password") && !strings.Contains(nk, "secret") && !strings.Contains(nk, "file"):
			e := entry{key: key, f: fPassword, v: fc.value(c), node: c}
			if strings.Contains(nk, "root") || strings.Contains(nk, "admin") || nk == "postgrespassword" ||
				strings.Contains(nk, "replication") || strings.Contains(nk, "superuser") {
				if strings.Contains(nk, "root") || nk == "postgrespassword" || strings.Contains(nk, "superuser") {
					rootPW = &e
				}
				continue
			}
			userPW = &e
			conn = true
		case strings.HasSuffix(nk, "user") || strings.HasSuffix(nk, "username"):
			if strings.Contains(nk, "replication") || strings.Contains(nk, "admin") {
				continue
			}
			es = append(es, fc.ent(fUser, c))
			conn = true
		case strings.HasSuffix(nk, "drivertype") || strings.HasSuffix(nk, "dbtype"):
			es = append(es, fc.ent(fDriver, c))
		case strings.HasSuffix(nk, "connectionstring") || strings.HasSuffix(nk, "url") || strings.HasSuffix(nk, "dsn"):
			if c.Value != "" {
				es = append(es, fc.ent(fURL, c))
				conn = true
			}
		default:
			f := classify(c.Key, c, ctx)
			switch {
			case f == fHost && !hasPortSibling(n) && strings.Contains(c.Value, ":"):
				es = append(es, fc.hostPortEntries(key, c)...)
				conn = true
			case f == fNone && strings.HasSuffix(nk, "database") && c.Kind == tree.Scalar && c.Value != "":
				es = append(es, fc.ent(fDatabase, c))
				conn = true
			case f == fDatabase && (nk == "path" || nk == "file" || nk == "filename" || nk == "index" || nk == "storage"):
				// weak keys that in a values block are volumes and indexes
			case f == fNone, f == fURL && c.Value == "":
			default:
				e := fc.ent(f, c)
				e.key = key
				es = append(es, e)
				switch f {
				case fHost, fUser, fDatabase, fPort, fURL:
					conn = true
				}
			}
		}
	}
	switch {
	case userPW != nil:
		es = append(es, *userPW)
	case rootPW != nil:
		es = append(es, *rootPW)
		conn = true
	}
	return es, conn
}

// auxiliaryRole reports a values key (normalised) that configures a
// role other than the application's: replication managers, health
// checks, exporters. Its user and database are not the connection's.
func auxiliaryRole(nk string) bool {
	for _, w := range []string{"repmgr", "pgpool", "srcheck", "healthcheck", "exporter", "metrics", "replication", "sentinel"} {
		if strings.HasPrefix(nk, w) {
			return true
		}
	}
	return false
}

// placeholderBlock reports a values block whose every setting is empty: a
// chart's global.postgresql with "" for each key, there for a parent
// chart to fill in, says nothing about a connection.
func placeholderBlock(n *tree.Node) bool {
	switch n.Kind {
	case tree.Null:
		return true
	case tree.Scalar:
		return strings.TrimSpace(n.Value) == ""
	}
	for _, c := range n.Children {
		if !placeholderBlock(c) {
			return false
		}
	}
	return true
}

// servicePort reads a chart's service port: service.port, or the entry of
// service.ports (or ports) named for the database (ports.postgresql: 5432).
func (fc *fileCtx) servicePort(n *tree.Node) entry {
	if n == nil {
		return entry{}
	}
	if normKey(n.Key) == "service" {
		if p := scalar(n.Get("port")); p != nil {
			return fc.ent(fPort, p)
		}
		n = n.Get("ports")
	}
	if n == nil || n.Kind != tree.Map {
		return entry{}
	}
	for _, c := range n.Children {
		if c.Kind == tree.Scalar && driverFromWords(c.Key) != "" {
			return fc.ent(fPort, c)
		}
	}
	return entry{}
}

func hasPortSibling(n *tree.Node) bool {
	for _, c := range n.Children {
		if c.Kind == tree.Scalar && keyOf(c.Key).strong == fPort {
			return true
		}
	}
	return false
}

// sqlDriver reports whether a driver is a relational database, which is
// what a chart's externalDatabase stands in for.
func sqlDriver(d string) bool {
	switch d {
	case "postgres", "mysql", "sqlserver", "cockroachdb", "oracle":
		return true
	}
	return false
}

func isFalse(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "false", "no", "off", "0":
		return true
	}
	return false
}

func isTrue(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "on", "1":
		return true
	}
	return false
}

// sqlPluginBlocks finds Temporal's SQL datastore blocks (a map with
// pluginName and connectAddr or databaseName) anywhere under n and marks
// them read in drop.
func (fc *fileCtx) sqlPluginBlocks(n *tree.Node, kp string, drop map[*tree.Node]bool) []*profile.Profile {
	if n == nil || drop[n] {
		return nil
	}
	var out []*profile.Profile
	switch n.Kind {
	case tree.Map:
		if scalar(n.Get("pluginName")) != nil && (n.Get("connectAddr") != nil || n.Get("databaseName") != nil) {
			if p := fc.sqlPlugin(n, kp); p != nil {
				drop[n] = true
				return []*profile.Profile{p}
			}
		}
		for _, c := range n.Children {
			out = append(out, fc.sqlPluginBlocks(c, joinKey(kp, c.Key), drop)...)
		}
	case tree.Seq:
		for i, c := range n.Children {
			out = append(out, fc.sqlPluginBlocks(c, fmt.Sprintf("%s[%d]", kp, i), drop)...)
		}
	}
	return out
}

// sqlPlugin reads one Temporal SQL datastore: pluginName (mysql8,
// postgres12, postgres12_pgx, sqlite) is the driver and connectAddr holds
// host:port together.
func (fc *fileCtx) sqlPlugin(n *tree.Node, kp string) *profile.Profile {
	var es []entry
	ctx := walkCtx{db: true}
	for _, c := range n.Children {
		switch c.Kind {
		case tree.Scalar, tree.Null:
			switch c.Key {
			case "pluginName":
				es = append(es, fc.ent(fDriver, c))
			case "connectAddr":
				es = append(es, fc.hostPortEntries(c.Key, c)...)
			case "databaseName":
				es = append(es, fc.ent(fDatabase, c))
			case "connectProtocol":
				es = append(es, fc.paramEntry(c.Key, c))
			default:
				if f := classify(c.Key, c, ctx); f != fNone && f != fURL {
					es = append(es, fc.ent(f, c))
				}
			}
		case tree.Map:
			switch c.Key {
			case "connectAttributes":
				for _, cc := range c.Children {
					if cc.Kind == tree.Scalar {
						es = append(es, fc.paramEntry(cc.Key, cc))
					}
				}
			case "tls":
				for _, cc := range c.Children {
					if cc.Kind != tree.Scalar {
						continue
					}
					switch cc.Key {
					case "enabled":
						e := fc.ent(fTLS, cc)
						e.key = "tls.enabled"
						es = append(es, e)
					case "caFile":
						es = append(es, fc.ent(fTLSCA, cc))
					case "certFile":
						es = append(es, fc.ent(fTLSCert, cc))
					case "keyFile":
						es = append(es, fc.ent(fTLSKey, cc))
					case "enableHostVerification":
						es = append(es, fc.ent(fTLSVerify, cc))
					}
				}
			}
		}
	}
	return fc.assembleListed(block{keyPath: kp, name: kp, entries: es, strong: true})
}
