package extract

import (
	"sort"
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
}

// envProfiles groups variables into connections: every variable holding a
// connection string is one profile, and the variables sharing a prefix
// (DB_HOST, DB_PORT, DB_USER) are another. kp is the key path of the
// variables' container; driver is a hint from the context (the image).
func (fc *fileCtx) envProfiles(vars []envVar, kp string, driver string) []*profile.Profile {
	groups := map[string]*envGroup{}
	var urlProfiles []*profile.Profile
	envRaw := ""
	for _, ev := range vars {
		if envKeys[normKey(ev.name)] && profile.CanonicalEnvironment(ev.v.Text) != profile.Unknown {
			envRaw = ev.v.Text
		}
	}
	getGroup := func(prefix string) *envGroup {
		k := strings.ToUpper(prefix)
		g := groups[k]
		if g == nil {
			name := prefix + "_*"
			if k == "PG" {
				name = "PG*"
			}
			g = &envGroup{prefix: prefix, name: name, order: len(groups)}
			groups[k] = g
		}
		return g
	}
	for _, ev := range vars {
		prefix, f, ok := splitEnvKey(ev.name)
		isConnString := ev.secretRef == "" && ev.v.Text != "" && looksConnString(ev.v)
		if isConnString || f == fURL && ok {
			if !isConnString && !isDBWord(ev.name) {
				// SENTRY_URL, APP_URL: not a database.
				if ev.secretRef == "" && !ev.v.Unresolved {
					continue
				}
				if !isDBWord(ev.name) && driverFromWords(ev.name) == "" {
					continue
				}
			}
			if !isConnString && ev.secretRef == "" && !ev.v.Unresolved {
				continue
			}
			e := entry{key: ev.name, f: fURL, v: ev.v, node: ev.node, secretRef: ev.secretRef}
			b := block{keyPath: joinKey(kp, ev.name), name: ev.name, entries: []entry{e},
				driver: driverFromWords(ev.name), strong: true}
			if p := fc.assemble(b); p != nil {
				p.EnvironmentRaw = envRaw
				urlProfiles = append(urlProfiles, p)
			}
			continue
		}
		if !ok {
			continue
		}
		g := getGroup(prefix)
		e := entry{key: ev.name, f: f, v: ev.v, node: ev.node, secretRef: ev.secretRef}
		if f == fPassword && ev.secretRef != "" {
			e.v.Set = true
		}
		g.entries = append(g.entries, e)
	}
	var gs []*envGroup
	for _, g := range groups {
		gs = append(gs, g)
	}
	sort.Slice(gs, func(i, j int) bool { return gs[i].order < gs[j].order })
	var out []*profile.Profile
	for _, g := range gs {
		d := driverFromWords(g.prefix)
		strong := isDBWord(g.prefix) || d != ""
		if !strong && !hasExplicitDriver(g.entries) {
			continue
		}
		if d == "" {
			d = driver
		}
		b := block{keyPath: joinKey(kp, g.name), name: g.name, entries: g.entries, driver: d, strong: strong}
		if p := fc.assemble(b); p != nil {
			p.EnvironmentRaw = envRaw
			out = append(out, p)
		}
	}
	return append(out, urlProfiles...)
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
	vars := make([]envVar, 0, len(root.Children))
	for _, c := range root.Children {
		vars = append(vars, envVar{name: c.Key, v: fc.value(c), node: c})
	}
	return fc.envProfiles(vars, "", ""), true
}
