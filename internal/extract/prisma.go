package extract

import (
	"strings"

	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/profile"
)

// prismaURLKeys are the settings of a Prisma datasource that hold a
// connection string: the one the client uses, the one Migrate uses past a
// pooler (directUrl), and Migrate's scratch database (shadowDatabaseUrl).
var prismaURLKeys = []string{"url", "directUrl", "shadowDatabaseUrl"}

// extractPrisma reads the datasource blocks of a Prisma schema: one
// profile per connection string, named after the datasource (db) for url
// and db.directUrl, db.shadowDatabaseUrl for the others. The driver is the
// block's provider unless the string names one; env("NAME") is the
// unresolved ${NAME}, as the Prisma CLI reads it from the environment or
// a .env file at run time.
func extractPrisma(fc *fileCtx, root *tree.Node, _ int) ([]*profile.Profile, bool) {
	var out []*profile.Profile
	for _, b := range root.Children {
		if b.Value != "datasource" {
			continue
		}
		provider := b.Get("provider")
		for _, key := range prismaURLKeys {
			n := b.Get(key)
			if n == nil {
				continue
			}
			v, ok := prismaValue(fc, n)
			if !ok {
				continue
			}
			name := b.Key
			if key != "url" {
				name += "." + key
			}
			var es []entry
			if provider != nil && provider.Quoted {
				// First, so that a driver the string names wins.
				es = append(es, entry{key: "provider", f: fDriver, node: provider, v: fc.value(provider)})
			}
			e := entry{key: key, f: fURL, v: v}
			if n.Quoted {
				e.node = n
			}
			es = append(es, e)
			if p := fc.assemble(block{keyPath: name, name: name, entries: es, strong: true, listed: true}); p != nil {
				out = append(out, p)
			}
		}
	}
	return out, true
}

// prismaValue is a datasource setting's value: a string literal as
// written, env("NAME") as ${NAME}; false for anything else.
func prismaValue(fc *fileCtx, n *tree.Node) (profile.Value, bool) {
	if n.Quoted {
		return fc.value(n), n.Value != ""
	}
	name, ok := strings.CutPrefix(n.Value, "env(")
	if !ok {
		return profile.Value{}, false
	}
	name, ok = strings.CutSuffix(strings.TrimSpace(name), ")")
	name = strings.TrimSpace(name)
	if !ok || len(name) < 3 || name[0] != '"' || name[len(name)-1] != '"' {
		return profile.Value{}, false
	}
	name = name[1 : len(name)-1]
	if name == "" || strings.ContainsAny(name, "\"\\") {
		return profile.Value{}, false
	}
	return profile.Value{Text: "${" + name + "}", Var: name, Set: true, Unresolved: true, Loc: fc.loc(n)}, true
}
