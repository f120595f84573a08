package extract

import (
	"path"
	"strings"

	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/profile"
)

// Connection poolers sit between applications and the database: the
// connections worth checking are the pooler's own, to the servers behind
// it. Each pooler writes them in its own way: PgBouncer as libpq strings
// under [databases], pgcat as TOML shards, Odyssey in its own block syntax
// (odyssey.go).

// pgbouncerGlobals are [pgbouncer] settings that shape every connection
// to a server; they are kept in each profile's params as global.NAME.
var pgbouncerGlobals = []string{
	"pool_mode", "default_pool_size", "min_pool_size", "reserve_pool_size", "max_client_conn",
	"max_db_connections", "max_user_connections", "server_lifetime", "server_idle_timeout",
	"server_connect_timeout", "query_timeout", "idle_transaction_timeout", "listen_port", "listen_addr",
	"auth_type", "client_tls_sslmode",
}

// extractPgBouncer reads pgbouncer.ini: each [databases] line is one
// profile named databases.NAME. A file whose every line is commented out
// yields nothing, however much [pgbouncer] it sets.
func extractPgBouncer(fc *fileCtx, root *tree.Node, _ int) ([]*profile.Profile, bool) {
	if root.Kind != tree.Map {
		return nil, false
	}
	var dbs, global []*tree.Node
	for _, c := range root.Children {
		if c.Kind != tree.Map {
			continue
		}
		switch strings.ToLower(c.Key) {
		case "databases":
			dbs = append(dbs, c)
		case "pgbouncer":
			global = append(global, c)
		}
	}
	if len(dbs) == 0 || len(global) == 0 && !strings.Contains(strings.ToLower(path.Base(fc.path)), "pgbouncer") {
		return nil, false
	}
	get := func(k string) *tree.Node {
		for _, g := range global {
			if n := scalar(g.Get(k)); n != nil {
				return n
			}
		}
		return nil
	}
	var out []*profile.Profile
	for _, sect := range dbs {
		for _, c := range sect.Children {
			if c.Kind != tree.Scalar {
				continue
			}
			kp := "databases." + c.Key
			es := []entry{{key: c.Key, f: fURL, v: fc.value(c), node: c}}
			p := fc.assembleListed(block{keyPath: kp, name: kp, entries: es, driver: "postgres", strong: true})
			if p == nil {
				continue
			}
			p.Driver = profile.Value{Text: "postgres", Set: true}
			if !p.Database.Set && c.Key != "*" {
				// dbname defaults to the entry's own name.
				p.Database = profile.Value{Text: c.Key, Set: true, Loc: fc.keyLoc(c)}
			}
			if !p.Pool.MaxOpen.Set {
				if n := get("default_pool_size"); n != nil {
					p.Pool.MaxOpen = fc.value(n)
				}
			}
			if !p.Timeouts.Connect.Set {
				// PgBouncer connects to the server, with its own
				// timeout (15 s when unset, which the rules know).
				if n := get("server_connect_timeout"); n != nil {
					p.Timeouts.Connect = fc.value(n)
					p.Keys = append(p.Keys, profile.FieldKey{Field: "timeouts.connect", Key: "server_connect_timeout"})
				}
			}
			if !p.TLS.Mode.Set {
				if n := get("server_tls_sslmode"); n != nil {
					p.TLS.Mode, p.TLS.Key = fc.value(n), "server_tls_sslmode"
				}
			}
			if !p.TLS.CA.Set {
				if n := get("server_tls_ca_file"); n != nil {
					p.TLS.CA = fc.value(n)
				}
			}
			for _, k := range pgbouncerGlobals {
				if n := get(k); n != nil {
					p.SetParam("global."+k, fc.value(n))
				}
			}
			out = append(out, p)
		}
	}
	return out, true
}

// extractPgCat reads pgcat.toml: one profile per shard of each pool (and
// per user, when a pool has several), with the shard's servers as hosts.
// [general] describes pgcat's own listener and admin console, not a
// connection to a database.
func extractPgCat(fc *fileCtx, root *tree.Node, _ int) ([]*profile.Profile, bool) {
	pools := root.Get("pools")
	if pools == nil || pools.Kind != tree.Map {
		return nil, false
	}
	isPgCat := false
	for _, pool := range pools.Children {
		if pool.Get("shards") != nil {
			isPgCat = true
		}
	}
	if !isPgCat {
		return nil, false
	}
	general := root.Get("general")
	var out []*profile.Profile
	for _, pool := range pools.Children {
		shards := pool.Get("shards")
		if pool.Kind != tree.Map || shards == nil || shards.Kind != tree.Map {
			continue
		}
		var users []*tree.Node
		if us := pool.Get("users"); us != nil {
			for _, u := range us.Children {
				if u.Kind == tree.Map {
					users = append(users, u)
				}
			}
		}
		if len(users) == 0 {
			users = []*tree.Node{nil}
		}
		for _, shard := range shards.Children {
			if shard.Kind != tree.Map {
				continue
			}
			for _, u := range users {
				kp := "pools." + pool.Key + ".shards." + shard.Key
				if len(users) > 1 {
					kp += ".users." + u.Key
				}
				if p := fc.pgcatShard(kp, general, pool, shard, u); p != nil {
					out = append(out, p)
				}
			}
		}
	}
	return out, true
}

func (fc *fileCtx) pgcatShard(kp string, general, pool, shard, user *tree.Node) *profile.Profile {
	var es []entry
	var more []profile.Host
	if servers := shard.Get("servers"); servers != nil && servers.Kind == tree.Seq {
		for i, s := range servers.Children {
			if s.Kind != tree.Seq || len(s.Children) < 2 {
				continue
			}
			h, port := scalar(s.Children[0]), scalar(s.Children[1])
			if h == nil || port == nil {
				continue
			}
			if i == 0 {
				es = append(es, entry{key: "servers", f: fHost, v: fc.value(h), node: h},
					entry{key: "servers", f: fPort, v: fc.value(port), node: port})
				continue
			}
			more = append(more, profile.Host{Host: fc.value(h), Port: fc.value(port)})
		}
	}
	if n := scalar(shard.Get("database")); n != nil {
		es = append(es, fc.ent(fDatabase, n))
	}
	if user != nil {
		u := scalar(user.Get("server_username"))
		if u == nil {
			u = scalar(user.Get("username"))
		}
		if u != nil {
			es = append(es, fc.ent(fUser, u))
		}
		pw := scalar(user.Get("server_password"))
		if pw == nil {
			pw = scalar(user.Get("password"))
		}
		if pw != nil {
			es = append(es, fc.ent(fPassword, pw))
		}
		if n := scalar(user.Get("pool_size")); n != nil {
			es = append(es, fc.ent(fMaxOpen, n))
		}
		if n := scalar(user.Get("statement_timeout")); n != nil {
			es = append(es, fc.ent(fStatementTimeout, n))
		}
		if n := scalar(user.Get("pool_mode")); n != nil {
			es = append(es, fc.paramEntry("pool_mode", n))
		}
	}
	for _, k := range []string{"pool_mode", "default_role"} {
		if n := scalar(pool.Get(k)); n != nil && !hasParam(es, k) {
			es = append(es, fc.paramEntry(k, n))
		}
	}
	if n := scalar(general.Get("connect_timeout")); n != nil {
		es = append(es, fc.ent(fConnectTimeout, n))
	}
	if n := scalar(general.Get("server_tls")); n != nil {
		e := fc.ent(fTLS, n)
		es = append(es, e)
	}
	if n := scalar(general.Get("verify_server_certificate")); n != nil {
		es = append(es, fc.ent(fTLSVerify, n))
	}
	p := fc.assembleListed(block{keyPath: kp, name: kp, entries: es, driver: "postgres", strong: true})
	if p == nil {
		return nil
	}
	p.Hosts = append(p.Hosts, more...)
	return p
}

func hasParam(es []entry, k string) bool {
	for _, e := range es {
		if e.f == fParam && e.key == k {
			return true
		}
	}
	return false
}
