package audit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/dbguard/dbguard/internal/verify"
)

// pgSettings are the PostgreSQL settings the audit reads and judges.
var pgSettings = []string{"ssl", "ssl_min_protocol_version", "password_encryption", "max_connections",
	"superuser_reserved_connections", "reserved_connections", "idle_in_transaction_session_timeout",
	"statement_timeout", "log_connections", "server_version"}

// myVariables are the MariaDB/MySQL variables the audit reads.
var myVariables = []string{"require_secure_transport", "tls_version", "max_connections", "wait_timeout", "version", "have_ssl"}

// bouncerSettings are the PgBouncer settings read from SHOW CONFIG.
var bouncerSettings = []string{"pool_mode", "max_client_conn", "default_pool_size", "reserve_pool_size"}

// Read logs in to the target's first host with verify's connection code
// and reads the server's settings, read-only. A login that fails is the
// Server's Error (in the taxonomy's words when verify can name it), never
// a Go error: the audit reports it and goes on.
func Read(ctx context.Context, p *verify.Prober, t verify.Target, address string) *Server {
	s := &Server{Address: address, Settings: map[string]string{}}
	in, err := p.Inspect(ctx, t)
	if err != nil {
		s.Error = describe(err)
	} else {
		defer in.Close()
		readFrom(ctx, in, t, s)
	}
	// A driver may have put the password into an error text.
	s.Error = verify.Scrub(s.Error, t)
	for i := range s.Unread {
		s.Unread[i].Detail = verify.Scrub(s.Unread[i].Detail, t)
	}
	return s
}

func readFrom(ctx context.Context, in *verify.Inspection, t verify.Target, s *Server) {
	s.TLS = in.TLS
	if in.Cert != nil {
		na := in.Cert.NotAfter.UTC()
		s.CertNotAfter = &na
	}
	switch {
	case in.Pooler:
		s.Kind = "pgbouncer"
		readBouncer(ctx, in, s)
	case t.Driver == "postgres":
		s.Kind = "postgresql"
		readPostgres(ctx, in, s)
	case t.Driver == "mysql":
		s.Kind = "mysql"
		readMySQL(ctx, in, s)
	default:
		s.Error = "the audit reads no settings of driver " + t.Driver
	}
}

// describe says why a login failed without a secret: the server's code
// and message, or the network error.
func describe(err error) string {
	var se *verify.ServerError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s %s: %s", se.System, se.Code, se.Message)
	}
	return err.Error()
}

// denied reports a server's refusal for lack of a privilege: SQLSTATE
// 42501, MySQL 1142/1044/1045/1227, PgBouncer's "not allowed".
func denied(err error) bool {
	var se *verify.ServerError
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code {
	case "42501", "1142", "1044", "1227", "1045", "08P01", "28000":
		return true
	}
	return false
}

func readPostgres(ctx context.Context, in *verify.Inspection, s *Server) {
	if !readSettings(ctx, in, s, "SELECT name, setting FROM pg_settings WHERE name IN (%s)", pgSettings, "server_version") {
		return
	}
	_, rows, err := in.Rows(ctx, "SELECT line_number, type, array_to_string(database, ','), array_to_string(user_name, ','), coalesce(address, ''), coalesce(netmask, ''), coalesce(auth_method, '') FROM pg_hba_file_rules WHERE error IS NULL ORDER BY line_number")
	switch {
	case err != nil && denied(err):
		s.Unread = append(s.Unread, Unread{What: "pg_hba_file_rules", Privilege: "superuser, or membership in pg_read_all_settings with EXECUTE on pg_hba_file_rules()", Detail: describe(err)})
	case err != nil:
		s.Unread = append(s.Unread, Unread{What: "pg_hba_file_rules", Privilege: "superuser", Detail: describe(err)})
	default:
		for _, r := range rows {
			if len(r) != 7 {
				continue
			}
			n, _ := strconv.Atoi(r[0])
			s.HBA = append(s.HBA, HBALine{Line: n, Type: r[1], Database: r[2], User: r[3], Address: r[4], Netmask: r[5], Method: r[6]})
		}
	}
}

// readSettings runs query (a name, value statement whose %s is the quoted
// names) into s.Settings, and moves the setting named version to
// s.Version. A failure is the server's Error.
func readSettings(ctx context.Context, in *verify.Inspection, s *Server, query string, names []string, version string) bool {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "'" + n + "'"
	}
	_, rows, err := in.Rows(ctx, fmt.Sprintf(query, strings.Join(quoted, ", ")))
	if err != nil {
		s.Error = "read settings: " + describe(err)
		return false
	}
	for _, r := range rows {
		if len(r) == 2 {
			s.Settings[r[0]] = r[1]
		}
	}
	s.Version = s.Settings[version]
	delete(s.Settings, version)
	return true
}

func readMySQL(ctx context.Context, in *verify.Inspection, s *Server) {
	if !readSettings(ctx, in, s, "SHOW GLOBAL VARIABLES WHERE Variable_name IN (%s)", myVariables, "version") {
		return
	}
	if strings.Contains(strings.ToLower(s.Version), "mariadb") {
		s.Kind = "mariadb"
	}
	// The server compares the hash with ''; the hash itself never leaves
	// it. Socket and GSSAPI accounts have no password by design. A locked
	// account (MariaDB's own mariadb.sys) cannot log in, nor can a
	// MariaDB role, listed in mysql.user too; MariaDB keeps the lock in
	// mysql.global_priv, MySQL in mysql.user.
	empty := "u.authentication_string = '' AND u.plugin IN ('', 'mysql_native_password', 'caching_sha2_password', 'sha256_password')"
	q := "SELECT u.User, u.Host, u.plugin, " + empty + " FROM mysql.user u WHERE u.account_locked <> 'Y'"
	if s.Kind == "mariadb" {
		q = "SELECT u.User, u.Host, u.plugin, " + empty + " FROM mysql.user u JOIN mysql.global_priv g ON g.User = u.User AND g.Host = u.Host" +
			" WHERE u.is_role = 'N' AND COALESCE(JSON_VALUE(g.Priv, '$.account_locked'), 'false') NOT IN ('1', 'true')"
	}
	_, rows, err := in.Rows(ctx, q+" ORDER BY u.User, u.Host")
	if err != nil {
		s.Unread = append(s.Unread, Unread{What: "mysql.user", Privilege: "SELECT on mysql.user", Detail: describe(err)})
		return
	}
	for _, r := range rows {
		if len(r) == 4 {
			s.Accounts = append(s.Accounts, Account{User: r[0], Host: r[1], Plugin: r[2], EmptyPassword: r[3] == "1"})
		}
	}
}

func readBouncer(ctx context.Context, in *verify.Inspection, s *Server) {
	con, err := in.Console(ctx)
	if err != nil {
		s.Unread = append(s.Unread, Unread{What: "PgBouncer SHOW CONFIG", Privilege: "a user listed in PgBouncer's admin_users or stats_users", Detail: describe(err)})
		return
	}
	defer con.Close()
	cols, rows, err := con.Rows(ctx, "SHOW CONFIG")
	if err != nil {
		s.Unread = append(s.Unread, Unread{What: "PgBouncer SHOW CONFIG", Privilege: "a user listed in PgBouncer's admin_users or stats_users", Detail: describe(err)})
		return
	}
	ki, vi := index(cols, "key"), index(cols, "value")
	for _, r := range rows {
		if ki >= 0 && vi >= 0 && contains(bouncerSettings, r[ki]) {
			s.Settings[r[ki]] = r[vi]
		}
	}
	cols, rows, err = con.Rows(ctx, "SHOW DATABASES")
	if err != nil {
		return
	}
	ni, hi, pi, si := index(cols, "name"), index(cols, "host"), index(cols, "port"), index(cols, "pool_size")
	if ni < 0 || hi < 0 || pi < 0 || si < 0 {
		return
	}
	for _, r := range rows {
		if r[ni] == "pgbouncer" || r[hi] == "" {
			continue
		}
		port, _ := strconv.Atoi(r[pi])
		size, _ := strconv.Atoi(r[si])
		s.Behind = append(s.Behind, PoolerDatabase{Name: r[ni], Host: r[hi], Port: port, PoolSize: size})
	}
}

func index(cols []string, name string) int {
	for i, c := range cols {
		if c == name {
			return i
		}
	}
	return -1
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// BehindAddress is the address a pooler database forwards to, as
// host:port.
func (d PoolerDatabase) BehindAddress() string { return net.JoinHostPort(d.Host, strconv.Itoa(d.Port)) }
