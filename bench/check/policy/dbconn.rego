# Connection-setting rules for conftest, written for bench/check: the same
# five kinds that gen-corpus plants and dbguard check finds, over the same
# file shapes (app config database blocks and DSNs in YAML, JSON and TOML,
# a databases list, a Kubernetes ConfigMap or .env file of DB_* keys, Spring
# .properties with a JDBC URL). Written as a user would write it for these
# shapes: each file is reduced once to a list of connections, then five
# small rules look at the connections. Messages never carry a password.
package main

import rego.v1

# ------------------------------------------------------------- environment

prod_names := {"prod", "production"}

env_name := input.app.environment if is_string(input.app.environment)

env_name := kv.APP_ENV if is_string(kv.APP_ENV)

env_name := input["spring.profiles.active"] if is_string(input["spring.profiles.active"])

production if lower(env_name) in prod_names

# ------------------------------------------------------------- connections

# A key=value set: a ConfigMap's data or a whole .env file.
kv := input.data if input.kind == "ConfigMap"

kv := input if {
	not input.kind
	is_string(input.APP_ENV)
}

# Structured blocks: database: {...} or databases: [{...}, ...].
blocks contains b if {
	b := input.database
	is_object(b)
}

blocks contains b if {
	some b in input.databases
	is_object(b)
}

# One connection: where it came from, and the five settings the rules read.
# A value that is absent is null.
conns contains c if {
	some b in blocks
	not b.url
	not b.dsn
	c := {
		"where": sprintf("database block %v", [object.get(b, "name", "database")]),
		"port": object.get(b, "port", null),
		"tls": object.get(b, "sslmode", null),
		"timeout": object.get(b, "connect_timeout", null),
		"password": object.get(b, "password", null),
		"max_open": object.get(b, ["pool", "max_open"], null),
	}
}

conns contains c if {
	some b in blocks
	u := object.get(b, "url", object.get(b, "dsn", null))
	is_string(u)
	d := parse_dsn(u)
	c := object.union(d, {
		"where": sprintf("DSN of database block %v", [object.get(b, "name", "database")]),
		"max_open": object.get(b, ["pool", "max_open"], null),
	})
}

conns contains c if {
	is_string(kv.DATABASE_URL)
	d := parse_dsn(kv.DATABASE_URL)
	c := object.union(d, {
		"where": "DATABASE_URL",
		"max_open": object.get(kv, "DB_MAX_OPEN_CONNS", null),
	})
}

conns contains c if {
	not kv.DATABASE_URL
	is_string(kv.DB_HOST)
	c := {
		"where": "DB_* variables",
		"port": object.get(kv, "DB_PORT", null),
		"tls": object.get(kv, "DB_SSLMODE", null),
		"timeout": object.get(kv, "DB_CONNECT_TIMEOUT", null),
		"password": object.get(kv, "DB_PASSWORD", null),
		"max_open": object.get(kv, "DB_MAX_OPEN_CONNS", null),
	}
}

conns contains c if {
	u := input["spring.datasource.url"]
	is_string(u)
	d := parse_jdbc(u)
	c := object.union(d, {
		"where": "spring.datasource",
		"password": object.get(input, "spring.datasource.password", null),
		"max_open": object.get(input, "spring.datasource.hikari.maximum-pool-size", null),
	})
}

# ------------------------------------------------------------- DSN parsing

# postgres://user[:password]@host:port/db?params
url_re := `^[a-z][a-z0-9+.-]*://(?:([^:@/]*)(?::([^@]*))?@)?([^:/?@]*)(?::(-?[^/?]*))?(?:/([^?]*))?(?:\?(.*))?$`

# user[:password]@tcp(host:port)/db?params (go-sql-driver)
mysql_re := `^(?:([^:@/]*)(?::([^@]*))?@)?[a-z]+\(([^:)]*)(?::(-?[^)]*))?\)/([^?]*)(?:\?(.*))?$`

parse_dsn(s) := dsn_fields(m) if {
	[m] := regex.find_all_string_submatch_n(url_re, s, 1)
}

parse_dsn(s) := dsn_fields(m) if {
	not regex.match(url_re, s)
	[m] := regex.find_all_string_submatch_n(mysql_re, s, 1)
}

dsn_fields(m) := {
	"port": m[4],
	"tls": first_param(q, ["sslmode", "tls"]),
	"timeout": first_param(q, ["connect_timeout", "timeout"]),
	"password": nonempty(m[2]),
} if {
	q := params(m[6])
}

# jdbc:postgresql://host:port/db?params, jdbc:mysql://... (no credentials).
parse_jdbc(s) := {
	"port": m[4],
	"tls": first_param(q, ["sslmode", "useSSL", "sslMode"]),
	"timeout": first_param(q, ["connectTimeout"]),
} if {
	startswith(s, "jdbc:")
	[m] := regex.find_all_string_submatch_n(url_re, substring(s, 5, -1), 1)
	q := params(m[6])
}

params(query) := {k: v |
	some pair in split(query, "&")
	[k, v] := split(pair, "=")
}

first_param(q, names) := v if {
	vs := [x | some n in names; x := q[n]]
	v := vs[0]
} else := null

nonempty(s) := s if s != ""

else := null

# ------------------------------------------------------------- rules

tls_off := {"disable", "disabled", "false", "off", "0"}

deny contains msg if {
	production
	some c in conns
	is_string(c.tls)
	lower(c.tls) in tls_off
	msg := sprintf("ssl_disabled_in_prod: %s turns TLS off (%v) in environment %v", [c.where, c.tls, env_name])
}

deny contains msg if {
	some c in conns
	c.timeout == null
	msg := sprintf("no_connect_timeout: %s sets no connect timeout", [c.where])
}

deny contains msg if {
	some c in conns
	n := as_number(c.max_open)
	n > 100
	msg := sprintf("pool_too_large: %s allows %v open connections (more than 100)", [c.where, n])
}

deny contains msg if {
	some c in conns
	literal_password(c.password)
	msg := sprintf("plaintext_password: %s holds a literal password", [c.where])
}

deny contains msg if {
	some c in conns
	c.port != null
	not valid_port(c.port)
	msg := sprintf("port_out_of_range: %s has port %v, outside 1-65535", [c.where, c.port])
}

literal_password(p) if {
	is_string(p)
	p != ""
	not startswith(p, "${")
}

valid_port(p) if {
	n := as_number(p)
	n >= 1
	n <= 65535
}

as_number(v) := v if is_number(v)

as_number(v) := to_number(v) if {
	is_string(v)
	regex.match(`^-?[0-9]+$`, v)
}
