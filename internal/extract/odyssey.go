package extract

import (
	"strings"
	"unicode/utf8"

	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/profile"
)

// Odyssey (Yandex's PostgreSQL pooler) has a configuration syntax of its
// own: `key value` lines, and blocks `key ["name"] { ... }`. Servers are
// storage "name" { type "remote" host "..." port N } blocks; routes are
// database "db" { user "u" { storage "name" ... } } and say which storage
// a client's connection goes to, as whom.

// odysseyMaxDepth bounds block nesting; real files nest three deep.
const odysseyMaxDepth = 32

// parseOdyssey reads Odyssey's syntax into a tree. A `key value` line is a
// Scalar child (Value the first argument, located at it; Quoted for a
// "string"); a block is a Map child whose Value is its name, if it has
// one, located at the name.
func parseOdyssey(data []byte) (*tree.Node, error) {
	p := &odyParser{src: string(data), line: 1, col: 1}
	if strings.HasPrefix(p.src, "\ufeff") {
		p.pos = 3
	}
	root := &tree.Node{Kind: tree.Map, Line: 1, Col: 1}
	if err := p.block(root, 0); err != nil {
		return nil, err
	}
	return root, nil
}

type odyParser struct {
	src       string
	pos       int
	line, col int
	back      *odyToken // a token read ahead and put back
}

type odyToken struct {
	kind      byte // 'w' word, 's' string, '{', '}', '\n', 0 end
	text      string
	line, col int
}

func (p *odyParser) advance(n int) {
	for i := 0; i < n && p.pos < len(p.src); {
		r, size := utf8.DecodeRuneInString(p.src[p.pos:])
		p.pos += size
		i += size
		if r == '\n' {
			p.line++
			p.col = 1
		} else {
			p.col++
		}
	}
}

func (p *odyParser) next() (odyToken, error) {
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			p.advance(1)
		case c == '#':
			for p.pos < len(p.src) && p.src[p.pos] != '\n' {
				p.advance(1)
			}
		default:
			goto tok
		}
	}
	return odyToken{line: p.line, col: p.col}, nil
tok:
	t := odyToken{line: p.line, col: p.col}
	c := p.src[p.pos]
	switch c {
	case '\n', '{', '}':
		t.kind, t.text = c, string(c)
		p.advance(1)
		return t, nil
	case '"':
		var b strings.Builder
		p.advance(1)
		for {
			if p.pos >= len(p.src) || p.src[p.pos] == '\n' {
				return t, &tree.SyntaxError{Line: t.line, Col: t.col, Msg: "string without closing quote"}
			}
			ch := p.src[p.pos]
			if ch == '"' {
				p.advance(1)
				break
			}
			if ch == '\\' && p.pos+1 < len(p.src) && p.src[p.pos+1] != '\n' {
				p.advance(1)
			}
			_, size := utf8.DecodeRuneInString(p.src[p.pos:])
			b.WriteString(p.src[p.pos : p.pos+size])
			p.advance(size)
		}
		t.kind, t.text = 's', b.String()
		return t, nil
	}
	start := p.pos
	for p.pos < len(p.src) {
		ch := p.src[p.pos]
		if ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '{' || ch == '}' || ch == '"' || ch == '#' {
			break
		}
		p.advance(1)
	}
	t.kind, t.text = 'w', p.src[start:p.pos]
	return t, nil
}

// block reads statements into parent until a closing brace (depth > 0) or
// the end of the input (depth 0). Odyssey's grammar is token-based, not
// line-based: a setting takes one value, a block an optional name, and
// several settings may share a line (user default { storage "pg" pool
// "session" }).
func (p *odyParser) block(parent *tree.Node, depth int) error {
	if depth > odysseyMaxDepth {
		return &tree.SyntaxError{Line: p.line, Col: p.col, Msg: "blocks nested too deep"}
	}
	for {
		t, err := p.take()
		if err != nil {
			return err
		}
		switch t.kind {
		case 0:
			if depth > 0 {
				return &tree.SyntaxError{Line: t.line, Col: t.col, Msg: "block without closing '}'"}
			}
			return nil
		case '\n':
			continue
		case '}':
			if depth == 0 {
				return &tree.SyntaxError{Line: t.line, Col: t.col, Msg: "'}' without a block to close"}
			}
			return nil
		case '{':
			return &tree.SyntaxError{Line: t.line, Col: t.col, Msg: "'{' without a key"}
		}
		n := &tree.Node{Key: t.text, KeyLine: t.line, KeyCol: t.col, Kind: tree.Scalar, Line: t.line, Col: t.col}
		parent.Children = append(parent.Children, n)
		a, err := p.take()
		if err != nil {
			return err
		}
		switch a.kind {
		case 0, '\n', '}':
			p.unread(a)
			continue
		case '{':
			n.Kind = tree.Map
			if err := p.block(n, depth+1); err != nil {
				return err
			}
			continue
		}
		n.Value, n.Line, n.Col, n.Quoted = a.text, a.line, a.col, a.kind == 's'
		if isDigits(n.Value) {
			n.Type = tree.Int
		}
		b, err := p.take()
		if err != nil {
			return err
		}
		if b.kind == '{' {
			n.Kind = tree.Map
			if err := p.block(n, depth+1); err != nil {
				return err
			}
			continue
		}
		p.unread(b)
	}
}

// take returns the token put back by unread, or the next one.
func (p *odyParser) take() (odyToken, error) {
	if p.back != nil {
		t := *p.back
		p.back = nil
		return t, nil
	}
	return p.next()
}

func (p *odyParser) unread(t odyToken) { p.back = &t }

// extractOdyssey reads odyssey.conf. It recognises the file by its
// storage and database blocks, parsing the raw bytes again: the INI view
// of a .conf file means nothing here.
func extractOdyssey(fc *fileCtx, _ *tree.Node, docIndex int) ([]*profile.Profile, bool) {
	if docIndex != 0 || !looksOdyssey(fc.data) {
		return nil, false
	}
	root, err := parseOdyssey(fc.data)
	if err != nil {
		return nil, false
	}
	storages := map[string]*tree.Node{}
	for _, c := range root.Children {
		if c.Kind == tree.Map && c.Key == "storage" {
			storages[c.Value] = c
		}
	}
	if len(storages) == 0 {
		return nil, false
	}
	connectTimeout := scalar(root.Get("backend_connect_timeout_ms"))
	var out []*profile.Profile
	for _, c := range root.Children {
		if c.Kind != tree.Map {
			continue
		}
		switch c.Key {
		case "storage":
			if wd := c.Get("watchdog"); wd != nil && wd.Kind == tree.Map && isRemote(c) {
				if p := fc.odysseyRoute("storage "+c.Value+" watchdog", c, wd, nil, nil, nil); p != nil {
					out = append(out, p)
				}
			}
		case "database":
			for _, u := range c.Children {
				if u.Kind != tree.Map || u.Key != "user" {
					continue
				}
				st := storages[u.Get("storage").Text()]
				if st == nil || !isRemote(st) {
					continue
				}
				name := "database " + c.Value + " user " + u.Value
				if p := fc.odysseyRoute(name, st, u, c, u, connectTimeout); p != nil {
					out = append(out, p)
				}
			}
		}
	}
	return out, true
}

func looksOdyssey(data []byte) bool {
	s := string(data)
	return strings.Contains(s, "storage \"") && strings.Contains(s, "{") &&
		(strings.Contains(s, "database ") || strings.Contains(s, "watchdog"))
}

// isRemote tells a storage that is a PostgreSQL server from the "local"
// storage of Odyssey's admin console.
func isRemote(st *tree.Node) bool {
	t := st.Get("type").Text()
	return t == "" || t == "remote"
}

// odysseyRoute builds one connection of Odyssey to a storage: the route's
// (or watchdog's) settings, the storage's hosts. db and user are the route
// blocks whose names stand for the server database and user when the
// route does not set storage_db and storage_user ("default" passes the
// client's own through).
func (fc *fileCtx) odysseyRoute(name string, st, r, db, user, connectTimeout *tree.Node) *profile.Profile {
	var es []entry
	if h := scalar(st.Get("host")); h != nil {
		es = append(es, fc.ent(fHost, h))
	}
	if port := scalar(st.Get("port")); port != nil {
		es = append(es, fc.ent(fPort, port))
	}
	if n := scalar(r.Get("storage_db")); n != nil {
		es = append(es, fc.ent(fDatabase, n))
	} else if db != nil && db.Value != "" && db.Value != "default" {
		es = append(es, entry{key: "database", f: fDatabase, v: fc.value(db), node: db})
	}
	if n := scalar(r.Get("storage_user")); n != nil {
		es = append(es, fc.ent(fUser, n))
	} else if user != nil && user.Value != "" && user.Value != "default" {
		es = append(es, entry{key: "user", f: fUser, v: fc.value(user), node: user})
	}
	if n := scalar(r.Get("storage_password")); n != nil {
		es = append(es, fc.ent(fPassword, n))
	}
	if n := scalar(st.Get("tls")); n != nil {
		es = append(es, fc.ent(fTLS, n))
	}
	for k, f := range map[string]field{"tls_ca_file": fTLSCA, "tls_cert_file": fTLSCert, "tls_key_file": fTLSKey} {
		if n := scalar(st.Get(k)); n != nil {
			es = append(es, fc.ent(f, n))
		}
	}
	if n := scalar(r.Get("pool_size")); n != nil {
		es = append(es, fc.ent(fMaxOpen, n))
	}
	if connectTimeout != nil {
		es = append(es, fc.ent(fConnectTimeout, connectTimeout))
	}
	for _, k := range []string{"authentication", "pool", "pool_ttl", "pool_timeout", "server_lifetime",
		"pool_routing", "watchdog_lag_interval", "pool_idle_in_transaction_timeout"} {
		if n := scalar(r.Get(k)); n != nil {
			es = append(es, fc.paramEntry(k, n))
		}
	}
	p := fc.assembleListed(block{keyPath: name, name: name, entries: es, driver: "postgres", strong: true})
	if p != nil {
		p.Driver = profile.Value{Text: "postgres", Set: true}
	}
	return p
}
