package config

import (
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// InventoryConfig is the inventory section: the database servers and
// PgBouncers whose limits client pools are measured against (rule family 7)
// when the scan itself does not define them.
type InventoryConfig struct {
	Servers []InventoryServer
}

// InventoryServer is one server and its limits. Zero means unknown.
type InventoryServer struct {
	Name string
	// Hosts are globs of the host names clients use ('*' within a name).
	Hosts          []string
	HostsPos       Position
	Port           int
	Kind           string // postgres, mysql, pgbouncer
	KindPos        Position
	MaxConnections int
	Reserved       int
	MaxClientConn  int
	PoolSize       int
	IdleTimeout    time.Duration
	TLS            string // on, off
	TLSPos         Position
	Databases      []string
	Users          []string
	Pos            Position
}

// InventoryServers returns the inventory's servers.
func (c *Config) InventoryServers() []InventoryServer {
	if c == nil || c.Inventory == nil {
		return nil
	}
	return c.Inventory.Servers
}

func serverKinds() []string { return []string{"postgres", "mysql", "pgbouncer"} }

func decodeInventory(d *decoder, n *yaml.Node, c *Config) {
	inv := &InventoryConfig{}
	if isNull(resolve(n)) {
		c.Inventory = inv
		return
	}
	ok := d.mapping(n, "inventory", []field{
		{name: "servers", decode: func(v *yaml.Node) {
			d.list(v, "inventory.servers", func(i int, item *yaml.Node) {
				name := at("inventory.servers", i)
				s := InventoryServer{Pos: d.pos(item)}
				num := func(key string, dst *int) field {
					return field{name: key, decode: func(v *yaml.Node) { *dst, _ = d.integer(v, name+"."+key) }}
				}
				if d.mapping(item, name, []field{
					{name: "name", required: true, decode: func(v *yaml.Node) { s.Name, _ = d.str(v, name+".name") }},
					{name: "hosts", required: true, decode: func(v *yaml.Node) {
						s.Hosts = d.strs(v, name+".hosts")
						s.HostsPos = d.pos(resolve(v))
					}},
					{name: "kind", required: true, decode: func(v *yaml.Node) {
						s.Kind, _ = d.str(v, name+".kind")
						s.KindPos = d.pos(resolve(v))
					}},
					num("port", &s.Port),
					num("max_connections", &s.MaxConnections),
					num("reserved_connections", &s.Reserved),
					num("max_client_conn", &s.MaxClientConn),
					num("pool_size", &s.PoolSize),
					{name: "idle_timeout", decode: func(v *yaml.Node) {
						if t, ok := d.str(v, name+".idle_timeout"); ok {
							dur, err := time.ParseDuration(t)
							if err != nil || dur <= 0 {
								d.errorf(resolve(v), "%s.idle_timeout must be a positive duration such as 10m, got %q", name, t)
								return
							}
							s.IdleTimeout = dur
						}
					}},
					{name: "tls", decode: func(v *yaml.Node) {
						s.TLSPos = d.pos(resolve(v))
						rv := resolve(v)
						if rv.Kind == yaml.ScalarNode && rv.ShortTag() == "!!bool" {
							// YAML 1.1 readers see on/off as booleans; accept both spellings.
							s.TLS = map[bool]string{true: "on", false: "off"}[strings.EqualFold(rv.Value, "true") || strings.EqualFold(rv.Value, "on")]
							return
						}
						s.TLS, _ = d.str(v, name+".tls")
					}},
					{name: "databases", decode: func(v *yaml.Node) { s.Databases = d.strs(v, name+".databases") }},
					{name: "users", decode: func(v *yaml.Node) { s.Users = d.strs(v, name+".users") }},
				}) {
					inv.Servers = append(inv.Servers, s)
				}
			})
		}},
	})
	if ok {
		c.Inventory = inv
	}
}

func validateInventory(c *Config, p *problems) {
	if c.Inventory == nil {
		return
	}
	names := map[string]int{}
	for i, s := range c.Inventory.Servers {
		name := at("inventory.servers", i)
		if j, dup := names[s.Name]; dup {
			p.add(s.Pos, "%s.name %q repeats inventory.servers[%d]", name, s.Name, j)
		} else {
			names[s.Name] = i
		}
		if len(s.Hosts) == 0 {
			p.add(s.HostsPos, "%s.hosts must list at least one host", name)
		}
		for _, h := range s.Hosts {
			if err := (Glob{Pattern: h}).check(); err != nil || strings.Contains(h, "/") {
				p.add(s.HostsPos, "%s.hosts entry %q is not a host name or glob", name, h)
			}
		}
		if !slices.Contains(serverKinds(), s.Kind) {
			p.add(s.KindPos, "unknown kind %q in %s (known: %s)", s.Kind, name, strings.Join(serverKinds(), ", "))
		}
		if s.Port < 0 || s.Port > 65535 {
			p.add(s.Pos, "%s.port %d is out of range (1-65535)", name, s.Port)
		}
		for _, n := range []struct {
			key string
			v   int
		}{{"max_connections", s.MaxConnections}, {"reserved_connections", s.Reserved}, {"max_client_conn", s.MaxClientConn}, {"pool_size", s.PoolSize}} {
			if n.v < 0 {
				p.add(s.Pos, "%s.%s must not be negative, got %d", name, n.key, n.v)
			}
		}
		if s.MaxConnections > 0 && s.Reserved >= s.MaxConnections {
			p.add(s.Pos, "%s.reserved_connections %d leaves no connection of max_connections %d for clients", name, s.Reserved, s.MaxConnections)
		}
		if s.TLSPos.Line > 0 && s.TLS != "on" && s.TLS != "off" {
			p.add(s.TLSPos, "%s.tls must be on or off, got %q", name, s.TLS)
		}
	}
}
