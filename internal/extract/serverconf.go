package extract

import (
	"path"
	"strings"

	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/profile"
)

// The database servers' own files: postgresql.conf (a server-side
// profile: port, listen_addresses, ssl, max_connections), my.cnf ([client]
// is how the mysql tools connect; [mysqld] is the server) and libpq's
// pg_service.conf (each [service] a connection by name). They are INI or
// key = value files; the generic walk would read them as blocks without
// knowing which side of a connection they describe.

// pgServerKeys maps postgresql.conf settings to fields of the server's
// profile.
var pgServerKeys = map[string]field{
	"port": fPort, "listen_addresses": fHost, "ssl": fTLS, "ssl_ca_file": fTLSCA, "ssl_cert_file": fTLSCert,
	"ssl_key_file": fTLSKey, "max_connections": fParam, "superuser_reserved_connections": fParam,
	"reserved_connections": fParam, "statement_timeout": fParam, "idle_in_transaction_session_timeout": fParam,
	"idle_session_timeout": fParam, "password_encryption": fParam, "ssl_min_protocol_version": fParam,
	"unix_socket_directories": fParam,
}

// pgConfMarkers are settings only a postgresql.conf has, for files with
// another name (a conf.d include, postgresql.prod.conf).
var pgConfMarkers = []string{"shared_buffers", "listen_addresses", "wal_level", "max_wal_size", "hba_file",
	"effective_cache_size", "work_mem", "maintenance_work_mem", "checkpoint_timeout", "log_min_duration_statement"}

// extractPostgresConf reads postgresql.conf as one server-side profile.
func extractPostgresConf(fc *fileCtx, root *tree.Node, _ int) ([]*profile.Profile, bool) {
	if root.Kind != tree.Map || !looksPostgresConf(fc.path, root) {
		return nil, false
	}
	var es []entry
	for _, c := range root.Children {
		if c.Kind != tree.Scalar {
			continue
		}
		k := strings.ToLower(c.Key)
		f, ok := pgServerKeys[k]
		switch {
		case !ok:
			continue
		case f == fParam:
			es = append(es, fc.paramEntry(k, c))
		default:
			e := fc.ent(f, c)
			e.key = k
			es = append(es, e)
		}
	}
	name := path.Base(fc.path)
	p := fc.assembleListed(block{keyPath: "server", name: name, entries: es, driver: "postgres", strong: true, serverSide: true})
	if p == nil {
		return nil, true
	}
	p.Driver = profile.Value{Text: "postgres", Set: true}
	p.Password = profile.Password{Known: true, Source: "none"}
	return []*profile.Profile{p}, true
}

func looksPostgresConf(rel string, root *tree.Node) bool {
	base := strings.ToLower(path.Base(rel))
	if base == "postgresql.conf" || base == "postgresql.auto.conf" {
		return true
	}
	if !strings.HasSuffix(base, ".conf") {
		return false
	}
	n := 0
	for _, c := range root.Children {
		if c.Kind == tree.Map {
			return false
		}
		for _, m := range pgConfMarkers {
			if strings.EqualFold(c.Key, m) {
				n++
			}
		}
	}
	return n >= 2
}

// myClientKeys and myServerKeys map my.cnf options (with - and _ taken as
// one) to fields.
var myClientKeys = map[string]field{
	"host": fHost, "port": fPort, "user": fUser, "password": fPassword, "database": fDatabase,
	"socket": fHost, "ssl_mode": fTLS, "ssl": fTLS, "ssl_ca": fTLSCA, "ssl_cert": fTLSCert, "ssl_key": fTLSKey,
	"ssl_verify_server_cert": fTLSVerify, "connect_timeout": fConnectTimeout, "default_character_set": fParam,
}

var myServerKeys = map[string]field{
	"port": fPort, "bind_address": fHost, "socket": fParam, "require_secure_transport": fTLS,
	"ssl_ca": fTLSCA, "ssl_cert": fTLSCert, "ssl_key": fTLSKey, "max_connections": fParam,
	"max_user_connections": fParam, "wait_timeout": fParam, "interactive_timeout": fParam,
	"max_connect_errors": fParam, "tls_version": fParam, "default_authentication_plugin": fParam,
}

// mySections says which side each my.cnf section configures.
var mySections = map[string]bool{ // true: server
	"client": false, "mysql": false, "client-server": false, "client-mariadb": false, "mariadb-client": false,
	"mysqld": true, "mariadb": true, "mariadbd": true, "server": true,
}

// extractMyCnf reads my.cnf: [client] (and [mysql]) as a client profile,
// [mysqld] (and [mariadb], [server]) as the server's own.
func extractMyCnf(fc *fileCtx, root *tree.Node, _ int) ([]*profile.Profile, bool) {
	if root.Kind != tree.Map || !looksMyCnf(fc.path, root) {
		return nil, false
	}
	var out []*profile.Profile
	for _, sect := range root.Children {
		if sect.Kind != tree.Map {
			continue
		}
		name := strings.ToLower(sect.Key)
		server, ok := mySections[name]
		if !ok {
			continue
		}
		keys := myClientKeys
		if server {
			keys = myServerKeys
		}
		var es []entry
		for _, c := range sect.Children {
			if c.Kind != tree.Scalar {
				continue
			}
			k := strings.ReplaceAll(strings.ToLower(c.Key), "-", "_")
			f, ok := keys[k]
			switch {
			case !ok:
				continue
			case f == fParam:
				es = append(es, fc.paramEntry(k, c))
			default:
				e := fc.ent(f, c)
				e.key = c.Key
				if k == "ssl" && c.Value == "" {
					// a bare `ssl` switch turns TLS on
					e.v.Text = "on"
				}
				es = append(es, e)
			}
		}
		if len(es) == 0 {
			continue
		}
		p := fc.assembleListed(block{keyPath: sect.Key, name: sect.Key, entries: es, driver: "mysql", strong: true, serverSide: server})
		if p == nil {
			continue
		}
		p.Driver = profile.Value{Text: "mysql", Set: true}
		for i := range p.Hosts {
			if strings.HasPrefix(p.Hosts[i].Host.Text, "/") {
				p.Hosts[i].Socket = true
			}
		}
		out = append(out, p)
	}
	return out, true
}

func looksMyCnf(rel string, root *tree.Node) bool {
	base := strings.ToLower(path.Base(rel))
	if strings.HasSuffix(base, ".cnf") || base == "my.ini" {
		return true
	}
	for _, c := range root.Children {
		if c.Kind == tree.Map && (strings.EqualFold(c.Key, "mysqld") || strings.EqualFold(c.Key, "mariadb") || strings.EqualFold(c.Key, "mariadbd")) {
			return true
		}
	}
	return false
}

// libpqKeys are the keywords a pg_service.conf section may set.
var libpqKeys = map[string]field{
	"host": fHost, "hostaddr": fHost, "port": fPort, "dbname": fDatabase, "user": fUser, "password": fPassword,
	"passfile": fPasswordFile, "sslmode": fTLS, "sslrootcert": fTLSCA, "sslcert": fTLSCert, "sslkey": fTLSKey,
	"connect_timeout": fConnectTimeout, "application_name": fParam, "target_session_attrs": fParam,
	"options": fParam, "gssencmode": fParam, "channel_binding": fParam, "load_balance_hosts": fParam,
	"service": fParam, "requiressl": fTLS, "sslcompression": fParam, "krbsrvname": fParam,
}

// extractPgService reads pg_service.conf: each [service] section is a
// connection named by the section.
func extractPgService(fc *fileCtx, root *tree.Node, _ int) ([]*profile.Profile, bool) {
	if root.Kind != tree.Map || !looksPgService(fc.path, root) {
		return nil, false
	}
	var out []*profile.Profile
	for _, sect := range root.Children {
		if sect.Kind != tree.Map {
			continue
		}
		var es []entry
		for _, c := range sect.Children {
			if c.Kind != tree.Scalar {
				continue
			}
			f, ok := libpqKeys[strings.ToLower(c.Key)]
			switch {
			case !ok:
			case f == fParam:
				es = append(es, fc.paramEntry(strings.ToLower(c.Key), c))
			default:
				es = append(es, fc.ent(f, c))
			}
		}
		p := fc.assembleListed(block{keyPath: sect.Key, name: sect.Key, entries: es, driver: "postgres", strong: true})
		if p == nil {
			continue
		}
		p.Driver = profile.Value{Text: "postgres", Set: true}
		out = append(out, p)
	}
	return out, true
}

// looksPgService recognises pg_service.conf by name, or a sectioned file
// whose every key is a libpq keyword.
func looksPgService(rel string, root *tree.Node) bool {
	base := strings.ToLower(path.Base(rel))
	if base == "pg_service.conf" || base == ".pg_service.conf" {
		return true
	}
	// Without the name: every section holds only libpq keywords, and one
	// that says PostgreSQL (dbname, sslmode, hostaddr, service), so that a
	// [database] section of host/port/user is not taken for libpq's.
	sections := 0
	for _, c := range root.Children {
		if c.Kind != tree.Map {
			return false
		}
		sections++
		pgOnly := false
		for _, k := range c.Children {
			lk := strings.ToLower(k.Key)
			if _, ok := libpqKeys[lk]; !ok {
				return false
			}
			pgOnly = pgOnly || lk == "dbname" || lk == "sslmode" || lk == "hostaddr" || lk == "service"
		}
		if !pgOnly {
			return false
		}
	}
	return sections > 0
}
