package audit

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Server is what the audit read from one server: the settings it judges
// (no secret among them) and what it could not read.
type Server struct {
	// Address is host:port as the profiles write it; Kind postgresql,
	// mariadb, mysql or pgbouncer.
	Address string `json:"address"`
	Kind    string `json:"kind"`
	Version string `json:"version,omitempty"`
	// Profiles are the profiles read through (the first one logged in).
	Profiles []string `json:"profiles"`
	// Settings by name, as the server reports them.
	Settings map[string]string `json:"settings,omitempty"`
	TLS      bool              `json:"tls"`
	// CertNotAfter is the server certificate's expiry, when TLS was used.
	CertNotAfter *time.Time `json:"cert_not_after,omitempty"`
	HBA          []HBALine  `json:"hba,omitempty"`
	Accounts     []Account  `json:"accounts,omitempty"`
	// Behind are the servers a PgBouncer forwards to (SHOW DATABASES).
	Behind []PoolerDatabase `json:"behind,omitempty"`
	// Unread lists the parts that could not be read, with the privilege
	// that would allow it; Error is why nothing could be read.
	Unread []Unread `json:"unread,omitempty"`
	Error  string   `json:"error,omitempty"`
}

// HBALine is one line of pg_hba_file_rules.
type HBALine struct {
	Line     int    `json:"line"`
	Type     string `json:"type"`
	Database string `json:"database"`
	User     string `json:"user"`
	Address  string `json:"address"`
	Netmask  string `json:"netmask,omitempty"`
	Method   string `json:"method"`
}

// Account is one MariaDB/MySQL account; EmptyPassword was decided by the
// server, which never sent the hash.
type Account struct {
	User          string `json:"user"`
	Host          string `json:"host"`
	Plugin        string `json:"plugin"`
	EmptyPassword bool   `json:"empty_password"`
}

// PoolerDatabase is one database of a PgBouncer and the server it forwards
// to.
type PoolerDatabase struct {
	Name     string `json:"name"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
	PoolSize int    `json:"pool_size"`
}

// Unread is a part of a server's settings the audit's role may not read.
type Unread struct {
	What      string `json:"what"`
	Privilege string `json:"privilege"`
	Detail    string `json:"detail,omitempty"`
}

// Int is a setting as a whole number.
func (s *Server) Int(name string) (int, bool) {
	v, ok := s.Settings[name]
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	return n, err == nil
}

// Reserved is how many of max_connections ordinary roles cannot take:
// superuser_reserved_connections and (PostgreSQL 16) reserved_connections.
func (s *Server) Reserved() int {
	a, _ := s.Int("superuser_reserved_connections")
	b, _ := s.Int("reserved_connections")
	return a + b
}

// Judge turns what was read from a server into findings. now and window
// decide the certificate's expiry findings.
func Judge(s *Server, now time.Time, window time.Duration) []Finding {
	var out []Finding
	add := func(rule, key, format string, args ...any) {
		out = append(out, newFinding(SectionLive, rule, s.Address, key, fmt.Sprintf(format, args...)))
	}
	if s.Error != "" {
		add(ServerUnreachable, "", "could not read %s: %s", s.Address, s.Error)
		return out
	}
	for _, u := range s.Unread {
		msg := fmt.Sprintf("%s could not be read on %s: it needs %s", u.What, s.Address, u.Privilege)
		if u.Detail != "" {
			msg += " (" + u.Detail + ")"
		}
		add(ServerSettingsUnread, u.What, "%s", msg)
	}
	set := func(name string) (string, bool) {
		v, ok := s.Settings[name]
		return strings.TrimSpace(v), ok
	}
	switch s.Kind {
	case "postgresql":
		if v, ok := set("ssl"); ok && v == "off" {
			add(ServerSSLOff, "ssl", "ssl = off on %s: every connection is plaintext", s.Address)
		}
		if v, ok := set("ssl_min_protocol_version"); ok && (v == "TLSv1" || v == "TLSv1.1") {
			add(ServerTLSVersionOld, "ssl_min_protocol_version", "ssl_min_protocol_version = %s on %s accepts TLS older than 1.2", v, s.Address)
		}
		if v, ok := set("password_encryption"); ok && v == "md5" {
			add(ServerPasswordMD5, "password_encryption", "password_encryption = md5 on %s", s.Address)
		}
		if v, ok := set("idle_in_transaction_session_timeout"); ok && v == "0" {
			add(ServerIdleTxTimeoutOff, "idle_in_transaction_session_timeout", "idle_in_transaction_session_timeout = 0 on %s: a stalled transaction holds its locks and connection forever", s.Address)
		}
		if v, ok := set("statement_timeout"); ok && v == "0" {
			add(ServerStatementTimeout, "statement_timeout", "statement_timeout = 0 on %s", s.Address)
		}
		if v, ok := set("log_connections"); ok && v == "off" {
			add(ServerLogConnectionsOff, "log_connections", "log_connections = off on %s", s.Address)
		}
		for _, l := range s.HBA {
			if l.Method == "reject" || !strings.HasPrefix(l.Type, "host") || local(l.Address, l.Netmask) {
				continue
			}
			where := fmt.Sprintf("pg_hba.conf line %d (%s %s %s %s", l.Line, l.Type, l.Database, l.User, l.Address)
			if l.Netmask != "" {
				where += " " + l.Netmask
			}
			where += " " + l.Method + ")"
			if l.Method == "trust" {
				add(ServerHBATrustRemote, "hba:"+strconv.Itoa(l.Line), "%s on %s lets anyone from %s log in without a password", where, s.Address, l.Address)
			}
			if l.Type == "host" || l.Type == "hostnossl" {
				add(ServerHBAPlaintext, "hba:"+strconv.Itoa(l.Line), "%s on %s admits plaintext connections from %s", where, s.Address, l.Address)
			}
		}
	case "mariadb", "mysql":
		if v, ok := set("require_secure_transport"); ok && strings.EqualFold(v, "OFF") {
			add(ServerTLSNotRequired, "require_secure_transport", "require_secure_transport = OFF on %s: clients may connect in plaintext", s.Address)
		}
		if v, ok := set("tls_version"); ok {
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p == "TLSv1.0" || p == "TLSv1.1" {
					add(ServerTLSVersionOld, "tls_version", "tls_version = %s on %s accepts TLS older than 1.2", v, s.Address)
					break
				}
			}
		}
		if n, ok := s.Int("wait_timeout"); ok && n >= 28800 {
			add(ServerWaitTimeoutLong, "wait_timeout", "wait_timeout = %d s on %s keeps idle connections for %s", n, s.Address, time.Duration(n)*time.Second)
		}
		for _, a := range s.Accounts {
			id := "'" + a.User + "'@'" + a.Host + "'"
			if a.EmptyPassword {
				add(ServerAccountEmptyPassword, "account:"+id, "account %s on %s has an empty password (plugin %s)", id, s.Address, a.Plugin)
			}
			if a.Host == "%" {
				add(ServerAccountAnyHost, "account:"+id, "account %s on %s accepts logins from any host", id, s.Address)
			}
		}
	case "pgbouncer":
		pool, pok := s.Int("default_pool_size")
		clients, cok := s.Int("max_client_conn")
		if v, _ := set("pool_mode"); v == "session" && pok && cok && clients > pool {
			add(PoolerSessionMode, "pool_mode", "pool_mode = session on %s with max_client_conn %d > default_pool_size %d: clients beyond the pool wait for a session to end", s.Address, clients, pool)
		}
	}
	if s.CertNotAfter != nil {
		left := s.CertNotAfter.Sub(now)
		day := s.CertNotAfter.UTC().Format("2006-01-02 15:04 UTC")
		switch {
		case left < 0:
			add(ServerCertExpired, "certificate", "the TLS certificate of %s expired on %s", s.Address, day)
		case left <= window:
			add(ServerCertExpiring, "certificate", "the TLS certificate of %s expires in %d days (%s)", s.Address, int(left.Hours()/24), day)
		}
	}
	return out
}

// local reports whether an pg_hba address admits only this machine:
// loopback addresses, "localhost", "samehost".
func local(address, netmask string) bool {
	switch address {
	case "localhost", "samehost":
		return true
	case "", "all", "samenet":
		return false
	}
	if pfx, err := netip.ParsePrefix(address); err == nil {
		return pfx.Addr().IsLoopback() && prefixWithin(pfx)
	}
	ip, err := netip.ParseAddr(address)
	if err != nil {
		return false // a host name: it may resolve anywhere
	}
	if netmask != "" {
		m, err := netip.ParseAddr(netmask)
		if err != nil {
			return false
		}
		bits := 0
		for _, b := range m.AsSlice() {
			for ; b&0x80 != 0; b <<= 1 {
				bits++
			}
		}
		return ip.IsLoopback() && prefixWithin(netip.PrefixFrom(ip, bits))
	}
	return ip.IsLoopback()
}

// prefixWithin reports whether the whole prefix is loopback (127.0.0.0/8,
// ::1/128).
func prefixWithin(p netip.Prefix) bool {
	if p.Addr().Is4() {
		return p.Bits() >= 8
	}
	return p.Bits() == 128
}
