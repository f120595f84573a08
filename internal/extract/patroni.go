package extract

import (
	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/profile"
)

// Patroni manages a PostgreSQL cluster and connects to its own server as
// several roles: postgresql.authentication.superuser, replication and
// rewind each hold a username and password, and postgresql.connect_address
// (or listen) says where the server is. Each role is one profile, so a
// change to the replication password is reviewed as the change it is.

// patroniServerKeys are server settings worth a server-side profile.
var patroniServerKeys = map[string]field{
	"max_connections": fParam, "superuser_reserved_connections": fParam, "ssl": fTLS, "port": fPort,
	"ssl_ca_file": fTLSCA, "ssl_cert_file": fTLSCert, "ssl_key_file": fTLSKey,
	"statement_timeout": fParam, "idle_in_transaction_session_timeout": fParam, "password_encryption": fParam,
}

// extractPatroni reads a Patroni configuration file.
func extractPatroni(fc *fileCtx, root *tree.Node, _ int) ([]*profile.Profile, bool) {
	if root.Kind != tree.Map {
		return nil, false
	}
	pg := root.Get("postgresql")
	if pg == nil || pg.Kind != tree.Map {
		return nil, false
	}
	auth := pg.Get("authentication")
	addr := scalar(pg.Get("connect_address"))
	if addr == nil {
		addr = scalar(pg.Get("listen"))
	}
	if auth == nil || auth.Kind != tree.Map || addr == nil && root.Get("scope") == nil {
		return nil, false
	}
	var common []entry
	if addr != nil {
		common = append(common, fc.hostPortEntries(addr.Key, addr)...)
	}
	for _, k := range []string{"listen", "connect_address", "pgpass", "data_dir"} {
		if n := scalar(pg.Get(k)); n != nil {
			common = append(common, fc.paramEntry(k, n))
		}
	}
	for _, k := range []string{"scope", "name"} {
		if n := scalar(root.Get(k)); n != nil {
			common = append(common, fc.paramEntry(k, n))
		}
	}
	if n := scalar(pg.Path("parameters", "unix_socket_directories")); n != nil {
		common = append(common, fc.paramEntry("unix_socket_directories", n))
	}
	var out []*profile.Profile
	for _, role := range auth.Children {
		if role.Kind != tree.Map {
			continue
		}
		es := append([]entry(nil), common...)
		for _, c := range role.Children {
			if c.Kind != tree.Scalar && c.Kind != tree.Null {
				continue
			}
			if f := classify(c.Key, c, walkCtx{db: true}); f != fNone && f != fURL && f != fDriver {
				es = append(es, fc.ent(f, c))
			}
		}
		kp := "postgresql.authentication." + role.Key
		if p := fc.assembleListed(block{keyPath: kp, name: kp, entries: es, driver: "postgres", strong: true}); p != nil {
			p.Driver = profile.Value{Text: "postgres", Set: true}
			out = append(out, p)
		}
	}
	// Server settings Patroni applies: a server-side profile when any of
	// them is one a rule reads.
	var server []entry
	for _, params := range []*tree.Node{root.Path("bootstrap", "dcs", "postgresql", "parameters"), pg.Get("parameters")} {
		if params == nil {
			continue
		}
		for _, c := range params.Children {
			if f, ok := patroniServerKeys[c.Key]; ok && scalar(c) != nil {
				e := fc.ent(f, c)
				if f == fParam {
					e = fc.paramEntry(c.Key, c)
				}
				server = append(server, e)
			}
		}
	}
	if len(server) > 0 {
		es := append([]entry(nil), common...)
		es = append(es, server...)
		if p := fc.assembleListed(block{keyPath: "postgresql.parameters", name: "postgresql.parameters",
			entries: es, driver: "postgres", strong: true, serverSide: true}); p != nil {
			out = append(out, p)
		}
	}
	return out, true
}
