package extract

import (
	"github.com/dbguard/dbguard/internal/dsn"
	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/profile"
)

// Etherpad's settings.json names its database driver at the top level
// (dbType) and the connection in a sibling block (dbSettings), so neither
// block alone says what the other means. Its file-based drivers (dirty,
// sqlite) keep the database in dbSettings.filename.

// extractEtherpad reads an Etherpad settings.json.
func extractEtherpad(fc *fileCtx, root *tree.Node, _ int) ([]*profile.Profile, bool) {
	if root.Kind != tree.Map {
		return nil, false
	}
	dbType, settings := scalar(root.Get("dbType")), root.Get("dbSettings")
	if dbType == nil || settings == nil || settings.Kind != tree.Map {
		return nil, false
	}
	es := []entry{fc.ent(fDriver, dbType)}
	hasDB := settings.Get("database") != nil
	for _, c := range settings.Children {
		if c.Kind != tree.Scalar && c.Kind != tree.Null {
			continue
		}
		switch c.Key {
		case "host", "port", "user", "password", "database":
			es = append(es, fc.ent(classify(c.Key, c, walkCtx{db: true}), c))
		case "filename":
			if hasDB {
				es = append(es, fc.paramEntry(c.Key, c))
			} else {
				es = append(es, fc.ent(fDatabase, c))
			}
		case "url":
			v := fc.value(c)
			if s, ok := v.Effective(); ok && dsn.Looks(s) {
				es = append(es, fc.ent(fURL, c))
				continue
			}
			e := fc.paramEntry(c.Key, c)
			e.v.Text = dsn.Redact(e.v.Text)
			es = append(es, e)
		default:
			if f := classify(c.Key, c, walkCtx{db: true}); f != fNone && f != fURL && f != fDriver {
				es = append(es, fc.ent(f, c))
			} else if !isSecretKey(c.Key) {
				es = append(es, fc.paramEntry(c.Key, c))
			}
		}
	}
	out := []*profile.Profile{}
	if p := fc.assembleListed(block{keyPath: "dbSettings", name: "dbSettings", entries: es, strong: true}); p != nil {
		out = append(out, p)
	}
	drop := map[*tree.Node]bool{dbType: true, settings: true}
	return append(out, fc.genericRest(root, drop)...), true
}
