package policy

import (
	"path"
	"strings"
	"time"

	"github.com/dbguard/dbguard/internal/profile"
)

// Server is a database server (or PgBouncer) whose limits and settings are
// known: from dbguard.yaml's inventory section, or from a server-side
// profile in the same scan (a database container's own settings).
type Server struct {
	Name string
	// Hosts are globs ('*' matches within a name) of the names clients use.
	Hosts []string
	Port  int
	// Kind is postgres, mysql or pgbouncer.
	Kind string
	// MaxConnections and Reserved are the server's connection limit and
	// the connections kept for superusers; zero means unknown.
	MaxConnections int
	Reserved       int
	// MaxClientConn and PoolSize are PgBouncer's limits.
	MaxClientConn int
	PoolSize      int
	// IdleTimeout closes idle sessions on the server (idle_session_timeout,
	// wait_timeout).
	IdleTimeout time.Duration
	// TLS is "on", "off" or "" when unknown.
	TLS       string
	Databases []string
	Users     []string
	Loc       profile.Location
	// From is "inventory" or the server profile's id.
	From    string
	profile *profile.Profile
}

// serversFromProfiles turns the server-side profiles of a scan into
// servers. A PostgreSQL or MySQL container that does not set
// max_connections runs with the server's default (100 with 3 reserved,
// 151), which is exactly what a client pool is measured against.
func serversFromProfiles(ps []*profile.Profile) []Server {
	var out []Server
	for _, p := range ps {
		if !p.ServerSide {
			continue
		}
		h := p.FirstHost()
		host, ok := eff(h.Host)
		if !ok || host == "" {
			continue
		}
		s := Server{Name: host, Hosts: []string{host}, Kind: driver(p), From: p.ID, profile: p}
		s.Loc, _ = firstLoc(p)
		if s.Loc.File == "" {
			s.Loc.File = p.File
		}
		if port, ok := h.Port.Int(); ok {
			s.Port = port
		}
		switch s.Kind {
		case "postgres":
			s.MaxConnections, s.Reserved = 100, 3
		case "mysql":
			s.MaxConnections = 151
		}
		if v, ok := param(p, "max_connections"); ok {
			if n, ok := v.Int(); ok {
				s.MaxConnections = n
			}
		}
		for _, k := range []string{"superuser_reserved_connections", "reserved_connections"} {
			if v, ok := param(p, k); ok {
				if n, ok := v.Int(); ok {
					s.Reserved += n
					if k == "superuser_reserved_connections" {
						s.Reserved = n
					}
				}
			}
		}
		if v, ok := param(p, "idle_session_timeout"); ok {
			if t, ok := eff(v); ok {
				// PostgreSQL reads a bare number as milliseconds.
				s.IdleTimeout, _ = parseDuration(t, 0)
			}
		}
		if v, ok := param(p, "wait_timeout"); ok {
			if n, ok := v.Int(); ok {
				s.IdleTimeout = time.Duration(n) * time.Second
			}
		}
		if p.TLS.Mode.Set {
			if m, ok := eff(p.TLS.Mode); ok {
				switch strings.ToLower(m) {
				case "on", "true", "1", "yes":
					s.TLS = "on"
				case "off", "false", "0", "no":
					s.TLS = "off"
				}
			}
		}
		if d, ok := eff(p.Database); ok && d != "" {
			s.Databases = []string{d}
		}
		if u, ok := eff(p.User); ok && u != "" {
			s.Users = []string{u}
		}
		out = append(out, s)
	}
	return out
}

// matches reports whether host, lower-cased, names this server.
func (s *Server) matches(host string) bool {
	for _, h := range s.Hosts {
		if ok, err := path.Match(strings.ToLower(h), host); err == nil && ok {
			return true
		}
	}
	return false
}

// serverFor finds the server a client profile connects to. A server found
// in the scan is matched only in the client's own file, or in its folder
// for Kubernetes manifests: a compose service name means nothing outside
// its compose file. Inventory servers match anywhere.
func (c *Context) serverFor(p *profile.Profile) (*Server, bool) {
	if len(c.Servers) == 0 {
		return nil, false // most files: no server known at all
	}
	// Several rules ask about the same profile in a row.
	if c.server.p == p && p != nil && c.server.servers == len(c.Servers) {
		return c.server.s, c.server.ok
	}
	s, ok := c.findServer(p)
	c.server = serverMemo{p: p, servers: len(c.Servers), s: s, ok: ok}
	return s, ok
}

// serverMemo is serverFor's last answer, for the profile p while the
// context knew servers servers.
type serverMemo struct {
	p       *profile.Profile
	servers int
	s       *Server
	ok      bool
}

func (c *Context) findServer(p *profile.Profile) (*Server, bool) {
	if len(p.Hosts) == 0 {
		return nil, false
	}
	first := &p.Hosts[0]
	host, ok := eff(first.Host)
	if !ok || host == "" {
		return nil, false
	}
	host = strings.ToLower(host)
	port, portOK := first.Port.Int()
	var cands []*Server
	for i := range c.Servers {
		s := &c.Servers[i]
		// The cheap tests first: a scan's server is in another file
		// far more often than it has another name.
		if sp := s.profile; sp != nil {
			if sp == p {
				continue
			}
			sameFile := sp.File == p.File
			if !sameFile && (sp.Format != "kubernetes" || p.Format != "kubernetes" || path.Dir(sp.File) != path.Dir(p.File)) {
				continue
			}
		} else if portOK && s.Port != 0 && s.Port != port {
			continue
		}
		if !s.matches(host) {
			continue
		}
		cands = append(cands, s)
	}
	// Several servers under one name (containers sharing the host network
	// on different ports): the one on the client's port, else none.
	for _, s := range cands {
		if portOK && s.Port == port {
			return s, true
		}
	}
	if len(cands) == 1 {
		return cands[0], true
	}
	return nil, false
}

// ClientsOf returns the active client profiles among ps that connect to
// the server the server-side profile sp defines, matched as the rules
// match a client with its server (same host, in the same file or the same
// folder of Kubernetes manifests). Review asks it which clients a change
// to the server leaves behind.
func ClientsOf(sp *profile.Profile, ps []*profile.Profile) []*profile.Profile {
	if !sp.ServerSide || sp.Inactive {
		return nil
	}
	c := &Context{Servers: serversFromProfiles([]*profile.Profile{sp})}
	if len(c.Servers) == 0 {
		return nil
	}
	var out []*profile.Profile
	for _, q := range ps {
		if q.Inactive || !client(q) {
			continue
		}
		if s, ok := c.findServer(q); ok && s.profile == sp {
			out = append(out, q)
		}
	}
	return out
}

// RequiresTLS reports whether a client profile refuses to connect without
// TLS (sslmode=require and stricter, tls=true, Encrypt=true, rediss).
func RequiresTLS(p *profile.Profile) bool {
	st, _ := tlsOf(p)
	return st == tlsOn || st == tlsVerified || st == tlsUnverified
}
