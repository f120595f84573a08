package extract

import (
	"bytes"
	"slices"
	"strconv"
	"strings"

	"github.com/dbguard/dbguard/internal/dsn"
	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/profile"
)

// poolBlocks are sub-blocks whose settings belong to the enclosing
// connection (spring.datasource.hikari, database.pool).
var poolBlocks = map[string]bool{
	"hikari": true, "pool": true, "pooling": true, "tomcat": true, "dbcp2": true, "connectionpool": true, "druid": true,
	"ssl": true, "tls": true, "options": true, "extra": true, "standalone": true, "connection": true,
	"credentials": true, "auth": true,
}

// javaPoolBlocks are the connection-pool libraries Spring binds under a
// datasource.
var javaPoolBlocks = map[string]bool{"hikari": true, "dbcp2": true, "tomcat": true, "druid": true}

// tlsBlocks are sub-blocks about TLS, whose enabled/mode switch is the
// connection's TLS setting.
var tlsBlocks = map[string]bool{"ssl": true, "tls": true}

// envKeys are keys whose value names the environment of the block they sit in.
var envKeys = map[string]bool{
	"environment": true, "env": true, "appenv": true, "railsenv": true, "nodeenv": true, "rackenv": true,
	"aspnetcoreenvironment": true, "springprofilesactive": true, "flaskenv": true, "goenv": true,
}

// walkCtx is what the generic walk carries down the tree.
type walkCtx struct {
	db     bool   // an enclosing key is about a database
	envRaw string // an environment named by a sibling key above
	driver string // a driver named by an enclosing key
}

// extractGeneric reads any tree by the conventions common to all formats.
func extractGeneric(fc *fileCtx, root *tree.Node, _ int) ([]*profile.Profile, bool) {
	var out []*profile.Profile
	if root.Kind == tree.Map && looksFlatDotted(root) {
		root = fc.unflatten(root)
	}
	fc.walk(root, nil, walkCtx{}, &out)
	nameORMConfig(fc, root, out)
	return out, true
}

// keyPath is where the generic walk is: a chain of steps up to the root,
// so that going down a level costs one step on the stack. Its text
// (spring.datasource.url, as joinKey spells it) is spelled only for the
// blocks that become profiles: spelling it at every level cost time and
// memory quadratic in the depth of a file (a 20 KB file nested 10,000
// deep took 160 MB).
type keyPath struct {
	up  *keyPath
	key string // a map entry's key, or the whole prefix at the root
	idx int    // a sequence item's index
	seq bool
	// empty is set when the text is "" (keys "" all the way up), which
	// the walk asks at every map.
	empty bool
}

// pathOf starts a walk's path at kp.
func pathOf(kp string) *keyPath {
	if kp == "" {
		return nil
	}
	return &keyPath{key: kp}
}

func (p *keyPath) isEmpty() bool { return p == nil || p.empty }

// String spells the path as joinKey would have built it.
func (p *keyPath) String() string {
	if p.isEmpty() {
		return ""
	}
	if p.up == nil && !p.seq {
		return p.key
	}
	var steps []*keyPath
	for q := p; q != nil; q = q.up {
		steps = append(steps, q)
	}
	var b strings.Builder
	for i := len(steps) - 1; i >= 0; i-- {
		s := steps[i]
		switch {
		case s.seq:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.idx))
			b.WriteByte(']')
		case b.Len() > 0 && !strings.HasPrefix(s.key, "["):
			b.WriteByte('.')
			b.WriteString(s.key)
		default:
			b.WriteString(s.key)
		}
	}
	return b.String()
}

// last is lastKey of the path's text, spelled out only when a key holds
// a '[' that lastKey could read as an index.
func (p *keyPath) last() string {
	q := p
	for q != nil && q.seq {
		q = q.up
	}
	if q == nil {
		return ""
	}
	if strings.IndexByte(q.key, '[') >= 0 {
		return lastKey(p.String())
	}
	return lastKey(q.key)
}

func (fc *fileCtx) walk(n *tree.Node, kp *keyPath, ctx walkCtx, out *[]*profile.Profile) {
	switch n.Kind {
	case tree.Seq:
		for i, c := range n.Children {
			ckp := &keyPath{up: kp, idx: i, seq: true}
			if c.Kind == tree.Scalar && c.Type == tree.String && dsn.Looks(c.Value) {
				// A list of connection strings (sources:, replicas:).
				text := ckp.String()
				b := block{keyPath: text, name: text, driver: ctx.driver, strong: true,
					entries: []entry{{key: kp.last(), f: fURL, v: fc.value(c), node: c}}}
				if p := fc.assemble(b); p != nil {
					p.EnvironmentRaw = ctx.envRaw
					*out = append(*out, p)
				}
				continue
			}
			fc.walk(c, ckp, ctx, out)
		}
	case tree.Map:
		db, d := wordsOf(kp.last(), false)
		if db {
			ctx.db = true
		}
		if d != "" {
			ctx.driver = d
		}
		infos := fc.keyInfos(n)
		if env := envSiblingKeys(n, infos); env != "" {
			ctx.envRaw = env
		}
		mark := len(fc.consumed)
		// ctx.db already holds what isDBWord says of the block's key.
		// The block's profiles go straight to out.
		made := fc.mapBlockKeys(n, kp, ctx, infos, ctx.db, out)
		consumed := fc.consumed[mark:]
		before := len(*out)
		templates := kp.isEmpty() && hasEnvironmentBlocks(n)
		for _, c := range n.Children {
			if c.Kind == tree.Scalar || slices.Contains(consumed, c) {
				continue
			}
			if templates && isTemplateBlock(c.Key) || fc.isMergeSource(c) && profile.CanonicalEnvironment(c.Key) == profile.Unknown {
				// default: &default in a database.yml is merged into the
				// environments; it is not a connection of its own.
				continue
			}
			fc.walk(c, &keyPath{up: kp, key: c.Key, empty: kp.isEmpty() && c.Key == ""}, ctx, out)
		}
		fc.popConsumed(mark)
		if made == 0 && len(*out) > before {
			fc.strays(n, ctx, (*out)[before:])
		}
	}
}

// popConsumed drops the nodes mapBlock consumed since mark.
func (fc *fileCtx) popConsumed(mark int) {
	clear(fc.consumed[mark:])
	fc.consumed = fc.consumed[:mark]
}

func lastKey(kp string) string {
	// The last element of a.b[0].c without splitting the whole path.
	end := len(kp)
	for end > 0 && kp[end-1] == ']' {
		i := strings.LastIndexByte(kp[:end], '[')
		if i < 0 {
			break
		}
		end = i
	}
	kp = kp[:end]
	if i := strings.LastIndexByte(kp, '.'); i >= 0 {
		return kp[i+1:]
	}
	return kp
}

// keyInfos looks up every key of a map, into a buffer kept from map to
// map: the walk asks about each key several times.
func (fc *fileCtx) keyInfos(n *tree.Node) []keyInfo {
	infos := fc.infos[:0]
	for _, c := range n.Children {
		infos = append(infos, keyOf(c.Key))
	}
	fc.infos = infos
	return infos
}

// envSiblingKeys returns the value of an environment-naming key of a map,
// or of its app:/application: block (where mode: also names it). infos
// are the map's keys looked up (keyInfos).
func envSiblingKeys(n *tree.Node, infos []keyInfo) string {
	for i, c := range n.Children {
		if c.Kind == tree.Scalar && infos[i].is(inEnvKeys) {
			if s := envText(c); s != "" {
				return s
			}
		}
	}
	for _, c := range n.Children {
		if c.Kind != tree.Map {
			continue
		}
		switch normKey(c.Key) {
		case "profiles":
			// spring: profiles: active: prod
			if a := c.Get("active"); a != nil && a.Kind == tree.Scalar {
				if s := envText(a); s != "" {
					return s
				}
			}
		case "app", "application":
			for _, cc := range c.Children {
				if cc.Kind == tree.Scalar && (keyOf(cc.Key).is(inEnvKeys) || normKey(cc.Key) == "mode") {
					if s := envText(cc); s != "" {
						return s
					}
				}
			}
		}
	}
	return ""
}

// envText is a scalar's environment name, through an interpolation's
// default (env: ${APP_ENV:-production}).
func envText(n *tree.Node) string {
	s := n.Value
	if in := ParseInterp(s); in.Any {
		if !in.Whole || !in.HasDefault {
			return ""
		}
		s = in.Default
	}
	if strings.ContainsAny(s, " ,/") || len(s) > 32 {
		return ""
	}
	return s
}

// classify decides what a key of a map means, given the context.
func classify(key string, n *tree.Node, ctx walkCtx) field {
	return classifyKey(keyOf(key), key, n, ctx)
}

// classifyKey is classify for a key already looked up.
func classifyKey(ki keyInfo, key string, n *tree.Node, ctx walkCtx) field {
	f, weak := ki.strong, ki.weak
	if f == fNone && ctx.db {
		f = weak
	}
	if f == fNone && weak == fDriver && n.Kind == tree.Scalar && profile.CanonicalDriver(n.Value) != "" {
		// client: pg, type: postgres: the value itself says database.
		f = fDriver
	}
	if (f == fNone || f == fDatabase || f == fHost) && n.Kind == tree.Scalar && n.Type == tree.String && dsn.Looks(n.Value) {
		// A connection string is one whatever its key: path:, source:,
		// a ConnectionStrings entry.
		f = fURL
	}
	if f == fURL && n.Kind == tree.Scalar {
		v := n.Value
		in := ParseInterp(v)
		switch {
		case in.Whole && !in.HasDefault:
			if !ctx.db && !isDBWord(key) {
				return fNone
			}
		case in.Whole:
			if !dsn.Looks(in.Default) {
				if ctx.db && looksHostList(v, in) {
					return fHost
				}
				return fNone
			}
		case !dsn.Looks(v) && !(in.Any && dsn.Looks(in.Expanded)):
			if ctx.db && looksHostList(v, in) {
				// url: "${CASSANDRA_URL:127.0.0.1:9042}" is a node list.
				return fHost
			}
			return fNone
		}
		if in.Whole && in.HasDefault && !dsn.Looks(in.Default) && ctx.db && looksHostList(v, in) {
			return fHost
		}
	}
	return f
}

// mapBlock reads the scalars of a map (and of its pool sub-blocks) as one
// block. A map that holds several connection strings and nothing else
// (ConnectionStrings) yields one profile per string. The sub-blocks it
// read as part of the block are pushed on fc.consumed, for the walk to
// skip; the caller pops them (popConsumed).
func (fc *fileCtx) mapBlock(n *tree.Node, kp string, ctx walkCtx) []*profile.Profile {
	var out []*profile.Profile
	fc.mapBlockKeys(n, pathOf(kp), ctx, fc.keyInfos(n), ctx.db || isDBWord(lastKey(kp)), &out)
	return out
}

// mapBlockKeys is mapBlock for a map whose keys are looked up (infos) and
// whose context is known to be about a database or not (strong). It
// appends the block's profiles to out and returns how many it made.
func (fc *fileCtx) mapBlockKeys(n *tree.Node, path *keyPath, ctx walkCtx, infos []keyInfo, strong bool, out *[]*profile.Profile) int {
	// A block that names its driver (adapter: postgresql) is about a
	// database, whatever its key: its weak keys (name:, source:) count.
	for i, c := range n.Children {
		if c.Kind == tree.Scalar && infos[i].strong == fDriver && profile.CanonicalDriver(c.Value) != "" {
			ctx.db = true
		}
	}
	// First the keys are only classified, in a buffer kept from block
	// to block: most blocks of a file are not connections, and their
	// values are never read.
	cands := fc.cands[:0]
	var secrets []entry
	for i, c := range n.Children {
		ki := infos[i]
		switch c.Kind {
		case tree.Scalar, tree.Null:
			if name := c.Value; c.Kind == tree.Scalar && name != "" && ki.strong == fURL && normKey(c.Key) == "useenvvariable" {
				// Sequelize's use_env_variable: the whole connection
				// string is that variable's value.
				cands = append(cands, entry{key: c.Key, f: fURL, node: c, v: profile.Value{Text: "${" + name + "}", Var: name,
					Set: true, Unresolved: true, Loc: fc.value(c).Loc}})
				continue
			}
			if f := classifyKey(ki, c.Key, c, ctx); f != fNone {
				cands = append(cands, entry{key: c.Key, f: f, node: c, lazy: true})
			}
		case tree.Seq:
			if ki.is(inHostLists) && isHostList(c) {
				// nodes: [{host, port}, ...] are the members of a
				// cluster or sentinel set, not connections of their own.
				fc.consumed = append(fc.consumed, c)
			}
		case tree.Map:
			if ki.is(inSecretRefKeys) {
				if ref := secretRefOf(c); ref != "" {
					f := fPassword
					if strings.Contains(normKey(c.Key), "user") {
						f = fUser
					}
					secrets = append(secrets, entry{key: c.Key, f: f, secretRef: ref, node: c,
						v: profile.Value{Set: true, Unresolved: true, Var: "secret:" + ref, Loc: fc.keyLoc(c)}})
					fc.consumed = append(fc.consumed, c)
					continue
				}
			}
			if ki.is(inPoolBlocks) || externalBlock(n, c, infos) {
				cands = fc.subBlock(c, ctx, cands)
				fc.consumed = append(fc.consumed, c)
				if ki.is(inJavaPoolBlocks) {
					// The pool library decides the defaults (HikariCP's
					// 30 s connect wait is not Druid's).
					cands = append(cands, entry{key: "pool", f: fParam, node: c, v: profile.Value{Text: strings.ToLower(c.Key), Set: true}})
				}
			}
		}
	}
	cands = append(cands, secrets...)
	fc.cands = cands[:0] // the grown buffer, for the next block
	if !viable(block{entries: cands, driver: ctx.driver, strong: strong}) {
		return 0
	}
	// Order the block: connection strings first, so that the fields
	// written beside them win; named connection strings apart.
	all := fc.ordered[:0]
	inPlace := true
	for i := range cands {
		if cands[i].f == fURL {
			inPlace = false
			break
		}
	}
	if inPlace {
		// No connection string to move first: the block is the
		// candidates in their order, without a copy.
		all = cands
	}
	var namedURLs []entry
	var dups []profile.Note
	hasFields := false
	nURLs := 0
	for i := range cands {
		e := &cands[i]
		c := e.node
		if e.f == fURL && c.Kind == tree.Scalar && keyOf(c.Key).strong != fURL && keyOf(c.Key).weak != fURL {
			// A connection string under a name of its own
			// (ConnectionStrings: {Orders: ...}).
			namedURLs = append(namedURLs, *e)
			continue
		}
		if e.secretRef == "" && c.KeyLine > 0 {
			// The same key twice (synonyms such as type: and provider:
			// are not duplicates).
			earlier := all
			if inPlace {
				earlier = cands[:i]
			}
			if prev := previous(earlier, nil, c.Key); prev != nil && prev.KeyLine > 0 && prev != c {
				dups = append(dups, profile.Note{Kind: profile.NoteDuplicateKey, Key: c.Key, Field: fieldName(e.f),
					Loc: fc.keyLoc(c), Other: fc.keyLoc(prev)})
			}
		}
		switch {
		case e.f == fURL:
			all = append(all, entry{})
			copy(all[nURLs+1:], all[nURLs:])
			all[nURLs] = *e
			nURLs++
			continue
		case e.f != fParam && e.f != fDriver:
			hasFields = true
		}
		if !inPlace {
			all = append(all, *e)
		}
	}
	if !inPlace {
		fc.ordered = all[:0]
	}
	fc.fill(all)
	fc.fill(namedURLs)
	urls, entries := all[:nURLs], all[nURLs:]
	made := 0
	kp := path.String()
	mk := func(es []entry, kp string) {
		b := block{keyPath: kp, name: kp, entries: es, driver: ctx.driver, strong: strong}
		if p := fc.assemble(b); p != nil {
			p.EnvironmentRaw = ctx.envRaw
			p.Notes = append(p.Notes, dups...)
			*out = append(*out, p)
			made++
		}
	}
	for _, u := range namedURLs {
		mk([]entry{u}, joinKey(kp, u.key))
	}
	switch {
	case len(urls) == 0 && len(namedURLs) > 0 && !hasFields:
	case len(urls) > 1 && !hasFields:
		for _, u := range urls {
			mk(append([]entry{u}, entries...), joinKey(kp, u.key))
		}
	default:
		mk(all, kp)
	}
	return made
}

// subBlock classifies the scalars of a pool or TLS sub-block
// (spring.datasource.hikari, database.ssl) as the enclosing block's.
func (fc *fileCtx) subBlock(c *tree.Node, ctx walkCtx, cands []entry) []entry {
	sub := ctx
	sub.db = true
	tls := keyOf(c.Key).is(inTLSBlocks)
	// A Java pool's block may hold the datasource's URL itself
	// (spring.datasource.druid.url, hikari.jdbc-url).
	urls := keyOf(c.Key).is(inJavaPoolBlocks)
	// Knex's connection: {connectionString: ...} (node-postgres's
	// option) is the block's connection string, whatever its value.
	knex := normKey(c.Key) == "connection"
	for _, cc := range c.Children {
		if cc.Kind != tree.Scalar {
			continue
		}
		f := classify(cc.Key, cc, sub)
		if tls {
			switch normKey(cc.Key) {
			case "enabled", "enable", "mode", "use":
				f = fTLS
			}
		}
		if f == fURL && !(urls && looksConnString(textValue(cc.Value, profile.Location{}))) &&
			!(knex && normKey(cc.Key) == "connectionstring") {
			continue
		}
		if f != fNone {
			cands = append(cands, entry{key: cc.Key, f: f, node: cc, lazy: true})
		}
	}
	return cands
}

// externalBlock reports a chart's externalConnection: {host, port,
// user...} under a block with no host of its own (Ghost's config.database:
// {client: mysql, externalConnection: {...}, pool: {...}}): the settings
// of the block's one connection, as knex's connection: is.
func externalBlock(n, c *tree.Node, infos []keyInfo) bool {
	if normKey(c.Key) != "externalconnection" {
		return false
	}
	for i, s := range n.Children {
		if s.Kind == tree.Scalar && infos[i].strong == fHost {
			return false
		}
	}
	return true
}

// looksFlatDotted reports whether a map is a flat list of dotted keys, as a
// .properties file is.
func looksFlatDotted(n *tree.Node) bool {
	dotted := 0
	for _, c := range n.Children {
		if c.Kind != tree.Scalar {
			return false
		}
		if strings.Contains(c.Key, ".") {
			dotted++
		}
	}
	return dotted > 0 && dotted*2 >= len(n.Children)
}

// unflatten turns spring.datasource.url=... into nested maps, keeping each
// scalar's own location. Spring's relaxed binding makes
// spring.datasource.hikari.maximum-pool-size one key path.
func (fc *fileCtx) unflatten(n *tree.Node) *tree.Node {
	// The new nodes come from one block kept from file to file (fc.flat):
	// one leaf per key and at most one map per dot. It is sized before
	// the first node is handed out, so no pointer into it goes stale.
	dots := 0
	for _, c := range n.Children {
		dots += strings.Count(c.Key, ".")
	}
	need := 1 + len(n.Children) + dots
	if cap(fc.flat) < need {
		fc.flat = make([]tree.Node, 0, need)
	}
	fc.flat = fc.flat[:need]
	root, leaves, maps := &fc.flat[0], fc.flat[1:1+len(n.Children)], fc.flat[1+len(n.Children):1+len(n.Children)]
	*root = tree.Node{Kind: tree.Map} // a file's earlier document may have used it
	for i, c := range n.Children {
		cur := root
		for rest := c.Key; ; {
			part, more, found := strings.Cut(rest, ".")
			if !found {
				// a.b=1 beside a.b.c=2 keeps both: the scalar and the
				// map are siblings of one key, as Spring reads them.
				leaf := &leaves[i]
				*leaf = *c
				leaf.Key = part
				cur.Children = append(cur.Children, leaf)
				break
			}
			next := cur.Get(part)
			if next == nil || next.Kind != tree.Map {
				maps = append(maps, tree.Node{Kind: tree.Map, Key: part, Line: c.KeyLine, Col: c.KeyCol, KeyLine: c.KeyLine, KeyCol: c.KeyCol})
				next = &maps[len(maps)-1]
				cur.Children = append(cur.Children, next)
			}
			cur = next
			rest = more
		}
	}
	return root
}

// hasEnvironmentBlocks reports a top level keyed by environments
// (development:, test:, production:), as Rails' database.yml is.
func hasEnvironmentBlocks(n *tree.Node) bool {
	envs := 0
	for _, c := range n.Children {
		if c.Kind == tree.Map && profile.CanonicalEnvironment(c.Key) != profile.Unknown {
			envs++
		}
	}
	return envs >= 2
}

// isTemplateBlock names the blocks that files keyed by environment use as
// merge sources: default, base, common, or a driver's name (sqlite3: &sqlite3).
func isTemplateBlock(k string) bool {
	switch strings.ToLower(k) {
	case "default", "defaults", "base", "common", "shared", "template", "defaults_db":
		return true
	}
	return profile.CanonicalEnvironment(k) == profile.Unknown && profile.CanonicalDriver(k) != "" || strings.HasPrefix(k, "x-") || strings.HasPrefix(k, ".")
}

// looksHostList reports host[:port] lists such as 127.0.0.1:9042 or
// h1:9042,h2:9042, as written or as an interpolation's default.
func looksHostList(v string, in Interp) bool {
	if in.Whole {
		v = in.Default
	}
	if v == "" {
		return false
	}
	for _, part := range strings.Split(v, ",") {
		host, port, hasPort := strings.Cut(strings.TrimSpace(part), ":")
		if host == "" || hasPort && !isDigits(port) {
			return false
		}
		for i := 0; i < len(host); i++ {
			c := host[i]
			if !(c == '.' || c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				return false
			}
		}
	}
	return true
}

// hostLists are keys under which a list of {host, port} maps names the
// members of a cluster.
var hostLists = map[string]bool{"nodes": true, "hosts": true, "servers": true, "sentinels": true,
	"members": true, "addresses": true, "seeds": true}

func isHostList(n *tree.Node) bool {
	for _, c := range n.Children {
		if c.Kind != tree.Map || c.GetFold("host") == nil && c.GetFold("hostname") == nil && c.GetFold("address") == nil {
			return false
		}
	}
	return len(n.Children) > 0
}

// secretRefKeys are keys whose map value points at a Kubernetes secret
// holding a credential (argo's passwordSecret: {name, key}).
var secretRefKeys = map[string]bool{"passwordsecret": true, "passwordsecretref": true, "existingsecret": true,
	"usernamesecret": true, "usersecret": true, "credentialssecret": true, "secretref": true}

func secretRefOf(n *tree.Node) string {
	name := n.Get("name").Text()
	if name == "" {
		return ""
	}
	if k := n.Get("key").Text(); k != "" {
		return name + "/" + k
	}
	return name
}

// strays notes the connection keys of a map that produced no profile of its
// own while its sub-blocks did: `max_open_conns` dedented out of
// `database:`, a `hikari:` block dedented out of `spring.datasource`. The
// application reads neither.
func (fc *fileCtx) strays(n *tree.Node, ctx walkCtx, children []*profile.Profile) {
	for _, c := range n.Children {
		var f field
		switch c.Kind {
		case tree.Scalar:
			f = keyOf(c.Key).strong
			switch f {
			case fMaxOpen, fMaxIdle, fMaxLifetime, fMaxIdleTime, fConnectTimeout, fStatementTimeout,
				fIdleInTxTimeout, fTLS, fTLSCA, fTLSCert, fTLSKey, fPort, fUser, fPassword, fDatabase:
			default:
				continue
			}
		case tree.Map:
			// A Java pool library's block is read only inside the
			// datasource (spring.datasource.hikari); next to it, it is
			// an indentation slip. Other sub-blocks (pool:, ssl:,
			// connectionPool:) are read at either level by some
			// schema, so they are not judged.
			if !keyOf(c.Key).is(inJavaPoolBlocks) || producedProfile(c, children) {
				continue
			}
			f = fParam
		default:
			continue
		}
		for _, p := range children {
			if !isDirectChild(n, p) {
				continue
			}
			name := fieldName(f)
			if f == fParam {
				name = c.Key
			}
			p.Notes = append(p.Notes, profile.Note{Kind: profile.NoteStrayKey, Key: c.Key, Field: name,
				Loc: fc.keyLoc(c), Other: blockLoc(p)})
		}
	}
}

// producedProfile reports whether a map is itself one of the profiles'
// blocks (spring.datasource.druid holding the whole connection).
func producedProfile(n *tree.Node, ps []*profile.Profile) bool {
	for _, p := range ps {
		if lastKey(p.KeyPath) == n.Key {
			return true
		}
	}
	return false
}

// isDirectChild reports whether a profile comes from a map directly under n.
func isDirectChild(n *tree.Node, p *profile.Profile) bool {
	last := lastKey(p.KeyPath)
	for _, c := range n.Children {
		if c.Kind == tree.Map && c.Key == last {
			return true
		}
	}
	return false
}

// blockLoc is where a profile's block starts, as well as the scan knows:
// its first located field.
func blockLoc(p *profile.Profile) profile.Location {
	var best profile.Location
	p.EachField(func(_ string, v profile.Value) {
		if v.Loc.Line > 0 && (best.Line == 0 || v.Loc.Line < best.Line) {
			best = v.Loc
		}
	})
	return best
}

// isMergeSource reports a block written only to be merged into others
// (defaults: &defaults ... <<: *defaults).
func (fc *fileCtx) isMergeSource(n *tree.Node) bool {
	if n.KeyLine == 0 || !fc.hasAnchors() {
		return false
	}
	line := fc.line(n.KeyLine)
	i := strings.IndexByte(line, '&')
	if i < 0 {
		return false
	}
	name := line[i+1:]
	if j := strings.IndexAny(name, " \t#"); j >= 0 {
		name = name[:j]
	}
	return name != "" && bytes.Contains(fc.data, []byte("*"+name))
}

// previous finds an earlier entry of a block read from the same key.
func previous(entries, urls []entry, key string) *tree.Node {
	for _, list := range [][]entry{entries, urls} {
		for i := range list {
			// The first byte tells most keys of a block apart
			// before a full comparison.
			if e := &list[i]; len(e.key) == len(key) && (key == "" || e.key[0] == key[0]) && e.key == key && e.node != nil {
				return e.node
			}
		}
	}
	return nil
}

// fill reads the values of lazy entries.
func (fc *fileCtx) fill(es []entry) {
	for i := range es {
		if es[i].lazy {
			es[i].v = fc.value(es[i].node)
			es[i].lazy = false
		}
	}
}

// hasAnchors reports, once per file, whether it may define YAML anchors
// and refer to them: an anchor no alias names merges into nothing, and
// many files hold a '&' only in a URL's query.
func (fc *fileCtx) hasAnchors() bool {
	if fc.anchors == 0 {
		fc.anchors = 1
		if bytes.IndexByte(fc.data, '&') >= 0 && bytes.IndexByte(fc.data, '*') >= 0 {
			fc.anchors = 2
		}
	}
	return fc.anchors == 2
}
