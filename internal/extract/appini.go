package extract

import (
	"strings"

	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/profile"
)

// Gogs and Gitea keep their database in the [database] section of
// app.ini with keys of their own: DB_TYPE (or TYPE), HOST holding
// host:port together, NAME, USER, PASSWD, SSL_MODE, and PATH, which is the
// database only for sqlite3. RUN_MODE at the top names the environment.

var appIniKeys = map[string]field{
	"DB_TYPE": fDriver, "TYPE": fDriver, "HOST": fHost, "NAME": fDatabase, "USER": fUser,
	"PASSWD": fPassword, "PASSWORD": fPassword, "SSL_MODE": fTLS, "MAX_OPEN_CONNS": fMaxOpen,
	"MAX_IDLE_CONNS": fMaxIdle, "CONN_MAX_LIFETIME": fMaxLifetime, "SCHEMA": fParam, "CHARSET": fParam,
	"PATH": fParam,
}

// extractAppIni reads a Gogs or Gitea app.ini.
func extractAppIni(fc *fileCtx, root *tree.Node, _ int) ([]*profile.Profile, bool) {
	if root.Kind != tree.Map {
		return nil, false
	}
	var sect *tree.Node
	for _, c := range root.Children {
		if c.Kind == tree.Map && strings.EqualFold(c.Key, "database") {
			sect = c
		}
	}
	if sect == nil {
		return nil, false
	}
	typ := scalar(sect.Get("DB_TYPE"))
	if typ == nil {
		typ = scalar(sect.Get("TYPE"))
	}
	if typ == nil || sect.Get("HOST") == nil && sect.Get("PATH") == nil {
		return nil, false
	}
	sqlite := strings.HasPrefix(strings.ToLower(typ.Value), "sqlite")
	var es []entry
	for _, c := range sect.Children {
		if c.Kind != tree.Scalar {
			continue
		}
		f, ok := appIniKeys[strings.ToUpper(c.Key)]
		switch {
		case !ok:
		case strings.EqualFold(c.Key, "PATH") && sqlite:
			es = append(es, fc.ent(fDatabase, c))
		case sqlite && (f == fHost || f == fDatabase || f == fUser || f == fPassword):
			// server settings a sqlite3 database ignores
		case f == fParam:
			es = append(es, fc.paramEntry(c.Key, c))
		case f == fTLS:
			e := fc.ent(f, c)
			e.key = c.Key
			es = append(es, e)
		default:
			es = append(es, fc.ent(f, c))
		}
	}
	var out []*profile.Profile
	if p := fc.assembleListed(block{keyPath: sect.Key, name: sect.Key, entries: es, strong: true}); p != nil {
		if mode := scalar(root.Get("RUN_MODE")); mode != nil && profile.CanonicalEnvironment(mode.Value) != profile.Unknown {
			p.EnvironmentRaw, p.EnvironmentFrom = mode.Value, "key"
		}
		out = append(out, p)
	}
	return append(out, fc.genericRest(root, map[*tree.Node]bool{sect: true})...), true
}
