package extract

import (
	"strings"

	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/profile"
)

// djangoKeys are the settings of a Django DATABASES entry dbguard reads,
// and djangoOptions those of its OPTIONS (the driver's own parameters).
var (
	djangoKeys = map[string]field{
		"ENGINE": fDriver, "NAME": fDatabase, "USER": fUser, "PASSWORD": fPassword,
		"HOST": fHost, "PORT": fPort, "CONN_MAX_AGE": fMaxLifetime,
	}
	djangoOptions = map[string]field{
		"sslmode": fTLS, "connect_timeout": fConnectTimeout, "sslrootcert": fTLSCA,
		"sslcert": fTLSCert, "sslkey": fTLSKey,
	}
)

// extractDjango reads the DATABASES dict of a Django settings module: one
// profile per alias, named DATABASES.<alias>. A setting written as a
// literal is read as written; os.environ["X"], os.environ.get("X", "d"),
// os.getenv, env("X", default="d") (django-environ, and decouple's config)
// are the unresolved ${X:-d}; an alias given by dj_database_url.config or
// .parse is the connection string or its reference. Anything else is
// left out.
func extractDjango(fc *fileCtx, root *tree.Node, _ int) ([]*profile.Profile, bool) {
	dbs := root.Get("DATABASES")
	if dbs == nil || dbs.Kind != tree.Map || dbs.Value != "" {
		return nil, true
	}
	var out []*profile.Profile
	for _, alias := range dbs.Children {
		name := "DATABASES." + alias.Key
		var es []entry
		if strings.HasPrefix(alias.Value, "dj_database_url.") {
			es = djangoURL(fc, alias)
		} else if alias.Kind == tree.Map && alias.Value == "" {
			for _, c := range alias.Children {
				if c.Key == "OPTIONS" && c.Kind == tree.Map && c.Value == "" {
					for _, o := range c.Children {
						es = djangoEntry(fc, es, o, djangoOptions[o.Key])
					}
					continue
				}
				es = djangoEntry(fc, es, c, djangoKeys[c.Key])
			}
		}
		if len(es) == 0 {
			continue
		}
		if p := fc.assemble(block{keyPath: name, name: name, entries: es, strong: true, listed: true}); p != nil {
			out = append(out, p)
		}
	}
	return out, true
}

// djangoEntry appends the entry of setting n when it is one dbguard reads
// and its value is readable.
func djangoEntry(fc *fileCtx, es []entry, n *tree.Node, f field) []entry {
	if f == fNone {
		return es
	}
	v, ok := djangoValue(fc, n)
	if !ok {
		return es
	}
	e := entry{key: n.Key, f: f, v: v}
	if n.Kind == tree.Scalar {
		e.node = n
	}
	return append(es, e)
}

// djangoURL reads an alias given by dj_database_url: config() reads the
// variable DATABASE_URL (or env=) with default= as its default; parse()
// reads the string it is given. conn_max_age and ssl_require are settings
// of their own.
func djangoURL(fc *fileCtx, call *tree.Node) []entry {
	var v profile.Value
	switch call.Value {
	case "dj_database_url.config(":
		name := "DATABASE_URL"
		if e := call.Get("env"); e != nil && e.Kind == tree.Scalar && e.Quoted && e.Value != "" {
			name = e.Value
		}
		v = unresolvedValue(fc, call, name, call.Get("default"))
	case "dj_database_url.parse(":
		if len(call.Children) == 0 || call.Children[0].Key != "" {
			return nil
		}
		var ok bool
		if v, ok = djangoValue(fc, call.Children[0]); !ok {
			return nil
		}
	default:
		return nil
	}
	es := []entry{{key: "url", f: fURL, v: v}}
	if n := call.Get("conn_max_age"); n != nil {
		es = djangoEntry(fc, es, n, fMaxLifetime)
	}
	if n := call.Get("ssl_require"); n != nil && n.Type == tree.Bool && n.Value == "true" {
		es = append(es, entry{key: "ssl_require", f: fTLS, v: profile.Value{Text: "require", Set: true, Loc: fc.loc(n)}})
	}
	return es
}

// djangoValue is a setting's value: a literal as written, a read of the
// environment as the unresolved ${X} or ${X:-d}; false for anything else.
func djangoValue(fc *fileCtx, n *tree.Node) (profile.Value, bool) {
	switch {
	case n.Kind == tree.Scalar:
		return fc.value(n), true
	case n.Kind != tree.Map || n.Value == "":
		return profile.Value{}, false
	}
	var args []*tree.Node
	for _, c := range n.Children {
		if c.Key == "" {
			args = append(args, c)
		}
	}
	if len(args) == 0 || args[0].Kind != tree.Scalar || !args[0].Quoted || args[0].Value == "" {
		return profile.Value{}, false
	}
	name := args[0].Value
	switch n.Value {
	case "os.environ[":
		return unresolvedValue(fc, n, name, nil), len(args) == 1
	case "os.environ.get(", "os.getenv(":
		var def *tree.Node
		if len(args) > 1 {
			def = args[1]
		}
		if d := n.Get("default"); d != nil {
			def = d
		}
		return unresolvedValue(fc, n, name, def), true
	}
	if fn, ok := strings.CutSuffix(n.Value, "("); ok && (fn == "env" || fn == "config" || strings.HasPrefix(fn, "env.")) {
		// django-environ's env("X", default=...) and env.str, env.int;
		// python-decouple's config("X", default=...).
		return unresolvedValue(fc, n, name, n.Get("default")), true
	}
	return profile.Value{}, false
}

// unresolvedValue is the value ${name} read from the environment at run
// time, with def's literal as its default when there is one, located at
// the call.
func unresolvedValue(fc *fileCtx, call *tree.Node, name string, def *tree.Node) profile.Value {
	v := profile.Value{Text: "${" + name + "}", Var: name, Set: true, Unresolved: true, Loc: fc.loc(call)}
	if def != nil && def.Kind == tree.Scalar {
		v.Text = "${" + name + ":-" + def.Value + "}"
		v.Default, v.HasDefault = def.Value, true
	}
	return v
}
