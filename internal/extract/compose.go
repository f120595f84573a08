package extract

import (
	"path"
	"strings"

	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/profile"
)

// extractCompose reads a docker-compose file: each service's environment
// (as a map or a list of KEY=value), and the database servers the file
// starts, with the settings their images initialise from.
func extractCompose(fc *fileCtx, root *tree.Node, _ int) ([]*profile.Profile, bool) {
	services := root.Get("services")
	if services == nil || services.Kind != tree.Map || !looksCompose(services) {
		return nil, false
	}
	// Which services are database servers, and of which driver, so that a
	// client's host: db says which driver it speaks.
	images := map[string]string{}
	for _, s := range services.Children {
		d := driverFromImage(s.Get("image").Text())
		if d == "" && s.Get("image") == nil {
			// An override file often leaves the image to the base
			// file; the port the container publishes still tells.
			if port := containerPort(s.Get("ports"), ""); port.node != nil {
				d = driverFromPort(port.text)
			}
		}
		images[s.Key] = d
	}
	netns := composeNetns(services, images)
	var out []*profile.Profile
	throwaway := map[string]bool{}
	for _, s := range services.Children {
		if s.Kind != tree.Map {
			continue
		}
		kp := "services." + s.Key
		envNode := s.Get("environment")
		vars := fc.composeEnv(envNode)
		serverDriver := images[s.Key]
		envFiles := composeEnvFiles(s.Get("env_file"), path.Dir(fc.path))
		var ps []*profile.Profile
		if serverDriver != "" {
			throwaway[s.Key] = keepsNoData(s, serverDriver, literalVar(vars, "PGDATA"))
			host := profile.Value{Text: s.Key, Set: true, Loc: fc.keyLoc(s)}
			if nm := s.Get("network_mode"); nm != nil && strings.HasPrefix(nm.Text(), "service:") {
				host = profile.Value{Text: "localhost", Set: true, Loc: fc.loc(nm)}
			}
			if sp := fc.serverProfile(s, vars, serverDriver, kp, s.Key, host, len(envFiles) > 0); sp != nil {
				sp.EnvFiles = envFiles
				ps = append(ps, sp)
			}
		}
		cvars := clientVars(vars, serverDriver)
		var clients []*profile.Profile
		cvars, clients = fc.serviceRefs(cvars, images, kp+".environment")
		clients = append(fc.envProfiles(cvars, kp+".environment", namedServer(cvars, images)), clients...)
		for _, p := range clients {
			if !p.Driver.Set || p.Driver.Text == "" {
				if h, ok := p.FirstHost().Host.Effective(); ok && images[h] != "" {
					p.Driver = profile.Value{Text: images[h], Set: true}
				}
			}
		}
		ps = append(ps, clients...)
		for _, p := range clients {
			if srv := namespaceServer(netns, s.Key, p.Driver.Text); srv != "" {
				p.SetParam(profile.ParamColocatedServer, profile.Value{Text: srv, Set: true})
			}
		}
		deployReplicas := s.Path("deploy", "replicas")
		for _, p := range clients {
			p.EnvFiles = envFiles
			if deployReplicas != nil {
				p.Replicas = profile.Replicas{Count: fc.value(deployReplicas), Source: "compose"}
			}
		}
		name := s.Key
		for _, p := range ps {
			if len(ps) > 1 && !p.ServerSide {
				p.Name = name + "." + strings.TrimSuffix(p.Name, "_*")
			} else {
				p.Name = name
			}
		}
		out = append(out, ps...)
	}
	composeStackEnvironment(services, out, throwaway)
	return out, true
}

// composeNetns groups the services of a file that share a network
// namespace, joined by network_mode: service:X (directly, or both to a
// third): for each service in such a group, the group's services that run
// a database server (images), by driver, the first two in file order (one
// of them is not the client's own). Their localhost is one. nil when no
// service joins another, as in most files.
func composeNetns(services *tree.Node, images map[string]string) map[string]map[string][]string {
	join := map[string]string{}
	for _, s := range services.Children {
		if x, ok := strings.CutPrefix(s.Get("network_mode").Text(), "service:"); ok && x != "" && x != s.Key {
			join[s.Key] = x
		}
	}
	if len(join) == 0 {
		return nil
	}
	root := func(name string) string {
		// Compose refuses a cycle; a hostile file may still write one.
		for range 8 {
			x, ok := join[name]
			if !ok {
				break
			}
			name = x
		}
		return name
	}
	servers := map[string]map[string][]string{}
	for _, s := range services.Children {
		d := images[s.Key]
		if d == "" {
			continue
		}
		r := root(s.Key)
		if servers[r] == nil {
			servers[r] = map[string][]string{}
		}
		if len(servers[r][d]) < 2 {
			servers[r][d] = append(servers[r][d], s.Key)
		}
	}
	out := map[string]map[string][]string{}
	for _, s := range services.Children {
		if ss := servers[root(s.Key)]; ss != nil {
			out[s.Key] = ss
		}
	}
	return out
}

// namespaceServer is the service other than service, in its network
// namespace (netns, from composeNetns), that runs a database server of
// driver, or "".
func namespaceServer(netns map[string]map[string][]string, service, driver string) string {
	for _, t := range netns[service][driver] {
		if t != service {
			return t
		}
	}
	return ""
}

// literalVar returns the literal value of the variable name, or "".
func literalVar(vars []envVar, name string) string {
	for _, v := range vars {
		if v.name == name && !v.v.Unresolved {
			return v.v.Text
		}
	}
	return ""
}

func looksCompose(services *tree.Node) bool {
	for _, s := range services.Children {
		if s.Kind != tree.Map {
			continue
		}
		for _, k := range []string{"image", "build", "environment", "command", "ports", "depends_on", "volumes", "env_file"} {
			if s.Get(k) != nil {
				return true
			}
		}
	}
	return len(services.Children) == 0
}

// composeEnv reads environment: as a map or as a list of KEY=value.
func (fc *fileCtx) composeEnv(n *tree.Node) []envVar {
	if n == nil {
		return nil
	}
	var vars []envVar
	switch n.Kind {
	case tree.Map:
		for _, c := range n.Children {
			if c.Kind == tree.Map {
				// A merge that the parser could not flatten; read its keys.
				vars = append(vars, fc.composeEnv(c)...)
				continue
			}
			vars = append(vars, envVar{name: c.Key, v: fc.value(c), node: c})
		}
	case tree.Seq:
		for _, c := range n.Children {
			if c.Kind != tree.Scalar {
				continue
			}
			k, val, ok := strings.Cut(c.Value, "=")
			if !ok {
				continue
			}
			v := textValue(val, fc.subLoc(c, c.Value, len(k)+1))
			vars = append(vars, envVar{name: strings.TrimSpace(k), v: v, node: c})
		}
	}
	return vars
}

// driverFromImage maps a container image to the database it runs.
func driverFromImage(image string) string {
	if image == "" {
		return ""
	}
	name := strings.ToLower(image)
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.IndexAny(name, ":@"); i >= 0 {
		name = name[:i]
	}
	switch {
	case strings.Contains(name, "pgbouncer"), strings.Contains(name, "pgpool"), strings.Contains(name, "proxy"):
		return ""
	case strings.Contains(name, "exporter"), strings.Contains(name, "metrics"):
		// A Prometheus exporter (postgres-exporter, mysqld-exporter,
		// redis_exporter; a chart's x.metrics.image) is named after
		// the database it reads: its client, not a server.
		return ""
	case strings.Contains(name, "postgres"), strings.Contains(name, "postgis"), strings.Contains(name, "timescale"):
		return "postgres"
	case strings.Contains(name, "mysql"), strings.Contains(name, "mariadb"), strings.Contains(name, "percona"):
		return "mysql"
	case strings.Contains(name, "mongo"):
		return "mongodb"
	case strings.Contains(name, "mssql"), strings.Contains(name, "sql-server"), strings.Contains(name, "azure-sql-edge"):
		return "sqlserver"
	case name == "redis" || name == "valkey" || strings.HasPrefix(name, "redis-") || name == "redis-stack":
		return "redis"
	case strings.Contains(name, "cockroach"):
		return "cockroachdb"
	case strings.Contains(name, "clickhouse"):
		return "clickhouse"
	}
	return ""
}

// serverInit are the variables database images initialise themselves from.
var serverInit = map[string]struct {
	f    field
	user string // the user a password variable belongs to
}{
	"POSTGRES_USER": {fUser, ""}, "POSTGRES_PASSWORD": {fPassword, ""}, "POSTGRES_DB": {fDatabase, ""},
	"POSTGRES_PASSWORD_FILE": {fPasswordFile, ""}, "POSTGRES_PORT": {fPort, ""}, "PGPORT": {fPort, ""},
	"POSTGRES_HOSTNAME": {fHost, ""}, "POSTGRES_HOST_AUTH_METHOD": {fParam, ""}, "POSTGRES_INITDB_ARGS": {fParam, ""},
	"MYSQL_ROOT_PASSWORD": {fPassword, "root"}, "MYSQL_PASSWORD": {fPassword, ""}, "MYSQL_USER": {fUser, ""},
	"MYSQL_DATABASE": {fDatabase, ""}, "MYSQL_TCP_PORT": {fPort, ""}, "MYSQL_ALLOW_EMPTY_PASSWORD": {fParam, ""},
	"MYSQL_ROOT_PASSWORD_FILE": {fPasswordFile, "root"}, "MYSQL_RANDOM_ROOT_PASSWORD": {fParam, ""},
	"MARIADB_ROOT_PASSWORD": {fPassword, "root"}, "MARIADB_PASSWORD": {fPassword, ""}, "MARIADB_USER": {fUser, ""},
	"MARIADB_DATABASE":           {fDatabase, ""},
	"MONGO_INITDB_ROOT_USERNAME": {fUser, ""}, "MONGO_INITDB_ROOT_PASSWORD": {fPassword, ""},
	"MONGO_INITDB_DATABASE": {fDatabase, ""},
	"SA_PASSWORD":           {fPassword, "sa"}, "MSSQL_SA_PASSWORD": {fPassword, "sa"},
}

// clientVars drops a server container's own initialisation variables, so
// they are not read again as a client connection.
func clientVars(vars []envVar, serverDriver string) []envVar {
	if serverDriver == "" {
		return vars
	}
	out := vars[:0:0]
	for _, v := range vars {
		if _, ok := serverInit[strings.ToUpper(v.name)]; ok {
			continue
		}
		out = append(out, v)
	}
	return out
}

// serverProfile builds the server-side profile of a database container from
// the variables its image reads at first start, its command line and its
// ports. It returns nil for a server the file does not configure (a bare
// redis): there is nothing of it to check. A server whose variables are in
// an env_file (envFile) is configured elsewhere: its profile is made, and
// Link completes it from that file.
func (fc *fileCtx) serverProfile(s *tree.Node, vars []envVar, driver, kp, name string, host profile.Value, envFile bool) *profile.Profile {
	var es []entry
	userFromPassword := ""
	for _, ev := range vars {
		si, ok := serverInit[strings.ToUpper(ev.name)]
		if !ok {
			continue
		}
		if si.user != "" {
			userFromPassword = si.user
		}
		es = append(es, entry{key: ev.name, f: si.f, v: ev.v, node: ev.node, secretRef: ev.secretRef})
	}
	cmdSettings := fc.serverCommand(s)
	if len(es) == 0 && len(cmdSettings) == 0 && !envFile {
		return nil
	}
	has := func(f field) bool {
		for _, e := range es {
			if e.f == f {
				return true
			}
		}
		return false
	}
	// The host clients use is the service name, unless the container
	// says otherwise.
	if !has(fHost) && host.Set {
		es = append([]entry{{key: "service", f: fHost, v: host}}, es...)
	}
	es = append(es, cmdSettings...)
	if !has(fPort) {
		if port := containerPort(s.Get("ports"), driver); port.node != nil {
			es = append(es, entry{key: "ports", f: fPort, v: textValue(port.text, fc.subLoc(port.node, port.node.Value, port.off)), node: port.node})
		}
	}
	if !has(fUser) && userFromPassword != "" {
		// MYSQL_ROOT_PASSWORD and SA_PASSWORD name their user.
		es = append(es, entry{key: "image default", f: fUser, v: profile.Value{Text: userFromPassword, Set: true}})
	}
	b := block{keyPath: kp, name: name, entries: es, driver: driver, strong: true, serverSide: true}
	p := fc.assemble(b)
	if p == nil {
		return nil
	}
	return p
}

type portRef struct {
	text string
	node *tree.Node
	off  int
}

// containerPort finds the container side of a ports: entry that maps the
// database's port ("3306:3306", "127.0.0.1:5433:5432", {target: 5432}).
func containerPort(ports *tree.Node, driver string) portRef {
	if ports == nil || ports.Kind != tree.Seq {
		return portRef{}
	}
	for _, c := range ports.Children {
		switch c.Kind {
		case tree.Scalar:
			s := c.Value
			i := strings.LastIndexByte(s, ':')
			text := s[i+1:]
			if j := strings.IndexByte(text, '/'); j >= 0 {
				text = text[:j]
			}
			return portRef{text: text, node: c, off: i + 1}
		case tree.Map:
			for _, k := range []string{"target", "containerPort"} {
				if t := c.Get(k); t != nil && t.Kind == tree.Scalar {
					return portRef{text: t.Value, node: t}
				}
			}
		}
	}
	return portRef{}
}

// serverCommand reads server settings from a container's command: postgres
// -c ssl=off -c max_connections=100 -c port=5414, mysqld
// --max-connections=500 --port=3307 --require-secure-transport=ON.
func (fc *fileCtx) serverCommand(s *tree.Node) []entry {
	cmd := s.Get("command")
	if cmd == nil {
		cmd = s.Get("args")
	}
	if cmd == nil {
		return nil
	}
	type tok struct {
		text string
		node *tree.Node
		off  int
	}
	var toks []tok
	// A list item may be a shell script (sh -c "redis-server
	// --requirepass $$PW"): its words are tokens too.
	fields := func(n *tree.Node) {
		off := 0
		for _, f := range strings.Fields(n.Value) {
			i := strings.Index(n.Value[off:], f) + off
			toks = append(toks, tok{f, n, i})
			off = i + len(f)
		}
	}
	switch cmd.Kind {
	case tree.Scalar:
		fields(cmd)
	case tree.Seq:
		for _, c := range cmd.Children {
			if c.Kind == tree.Scalar {
				fields(c)
			}
		}
	}
	var es []entry
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.text == "--requirepass" && i+1 < len(toks) {
			// redis and valkey: the password clients must give.
			i++
			es = append(es, fc.requirePass(toks[i].text, toks[i].node, toks[i].off))
			continue
		}
		var kv string
		var kvNode *tree.Node
		kvOff := 0
		switch {
		case t.text == "-c" && i+1 < len(toks):
			kv, kvNode, kvOff = toks[i+1].text, toks[i+1].node, toks[i+1].off
			i++
		case strings.HasPrefix(t.text, "-c") && strings.Contains(t.text, "="):
			kv, kvNode, kvOff = t.text[2:], t.node, t.off+2
		case strings.HasPrefix(t.text, "--") && strings.Contains(t.text, "="):
			kv, kvNode, kvOff = t.text[2:], t.node, t.off+2
		default:
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		key := strings.ReplaceAll(strings.ToLower(k), "-", "_")
		raw := ""
		if kvNode != nil {
			raw = kvNode.Value
		}
		val := textValue(v, fc.subLoc(kvNode, raw, kvOff+len(k)+1))
		switch key {
		case "port":
			es = append(es, entry{key: k, f: fPort, v: val, node: kvNode})
		case "ssl", "require_secure_transport":
			es = append(es, entry{key: k, f: fTLS, v: val, node: kvNode})
		case "max_connections", "superuser_reserved_connections", "reserved_connections", "max_user_connections",
			"idle_session_timeout", "wait_timeout", "statement_timeout", "idle_in_transaction_session_timeout":
			es = append(es, entry{key: key, f: fParam, v: val, node: kvNode})
		}
	}
	return es
}

// requirePass is the entry of redis-server's --requirepass argument:
// a variable of the container's environment ($$PW, which compose passes
// to the shell as $PW, or ${PW} that compose substitutes) is where the
// password comes from; anything else is the password itself.
func (fc *fileCtx) requirePass(arg string, n *tree.Node, off int) entry {
	loc := fc.subLoc(n, n.Value, off)
	name := strings.TrimPrefix(strings.TrimPrefix(arg, "$"), "$")
	if name != arg {
		name = strings.TrimPrefix(name, "{")
		if end := strings.IndexFunc(name, func(r rune) bool {
			return !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
		}); end >= 0 {
			name = name[:end]
		}
		if name != "" {
			return entry{key: "--requirepass", f: fPasswordEnv, v: profile.Value{Text: name, Set: true, Loc: loc}, node: n}
		}
	}
	return entry{key: "--requirepass", f: fPassword, v: textValue(arg, loc), node: n}
}

// serviceRefs reads connection settings whose whole value names a database
// service of the same file (ConnectionString=${REDIS_DB:-basketdata}): the
// service is the host, its image the driver. It returns the other variables.
func (fc *fileCtx) serviceRefs(vars []envVar, images map[string]string, kp string) ([]envVar, []*profile.Profile) {
	var rest []envVar
	var out []*profile.Profile
	for _, ev := range vars {
		_, f, _ := splitEnvKey(ev.name)
		if keyOf(ev.name).strong == fURL {
			f = fURL
		}
		val, ok := ev.v.Effective()
		if f != fURL || !ok || images[val] == "" {
			rest = append(rest, ev)
			continue
		}
		host := ev.v
		b := block{keyPath: joinKey(kp, ev.name), name: ev.name, driver: images[val], strong: true, env: true,
			entries: []entry{{key: ev.name, f: fHost, v: host, node: ev.node}}}
		if p := fc.assemble(b); p != nil {
			out = append(out, p)
		}
	}
	return rest, out
}

// namedServer is the driver of the database service that a service's
// host variable names (DB_HOST: db, db running postgres), the hint that
// makes a lone DB_HOST a connection.
func namedServer(vars []envVar, images map[string]string) string {
	for _, ev := range vars {
		if _, f, ok := splitEnvKey(ev.name); ok && f == fHost {
			if h, ok := ev.v.Effective(); ok && images[h] != "" {
				return images[h]
			}
		}
	}
	return ""
}

// composeEnvFiles lists a service's env_file entries (a string, a list of
// strings, or a list of {path: ...}) relative to the scan root.
func composeEnvFiles(n *tree.Node, dir string) []string {
	if n == nil {
		return nil
	}
	var raw []string
	switch n.Kind {
	case tree.Scalar:
		raw = append(raw, n.Value)
	case tree.Seq:
		for _, c := range n.Children {
			if c.Kind == tree.Scalar {
				raw = append(raw, c.Value)
			} else if p := c.Get("path"); p != nil {
				raw = append(raw, p.Text())
			}
		}
	}
	var out []string
	for _, r := range raw {
		if r == "" || path.IsAbs(r) {
			continue
		}
		out = append(out, path.Clean(path.Join(dir, r)))
	}
	return out
}
