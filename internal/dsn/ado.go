package dsn

import "strings"

// item is one key=value pair of a ';'-separated property list.
type item struct {
	key    string
	keyOff int
	v      Part
}

// parseProps reads ';'-separated key=value pairs in s[i:lim]. Keys are
// trimmed; "==" in a key is a literal '='. With quotes, a value may be in
// "..." or '...' with the quote doubled inside; with braces, in {...} with
// "}}" for '}' (ODBC, JDBC SQL Server). Unquoted values are trimmed.
func parseProps(s string, i, lim int, f string, quotes, braces bool) ([]item, error) {
	var out []item
	for {
		i = skipSpace(s, i, lim)
		if i >= lim {
			return out, nil
		}
		if s[i] == ';' {
			i++
			continue
		}
		k0 := i
		for i < lim && s[i] != ';' {
			if s[i] == '=' {
				if i+1 < lim && s[i+1] == '=' {
					i += 2
					continue
				}
				break
			}
			i++
		}
		key := strings.TrimSpace(strings.ReplaceAll(s[k0:i], "==", "="))
		if i >= lim || s[i] == ';' {
			return nil, synErrQuoting(s, i, f, k0, `missing "=" after a keyword`, `missing "=" after %q`, key)
		}
		for j := k0; j < i; j++ {
			if c := s[j]; !isKeyChar(c) && !isSpace(c) && c != '=' {
				return nil, synErrQuoting(s, j+1, f, j, "invalid character in a keyword", "invalid character %q in keyword", c)
			}
		}
		if key == "" {
			return nil, synErr(f, k0, `missing keyword before "="`)
		}
		keyEnd := i
		i = skipSpace(s, i+1, lim)
		v0 := i
		var v Part
		open := byte(0)
		if i < lim && interpEnd(s, i, lim) < 0 {
			switch c := s[i]; {
			case quotes && (c == '"' || c == '\''):
				open = c
			case braces && c == '{':
				open = c
			}
		}
		if open != 0 {
			closer := open
			if open == '{' {
				closer = '}'
			}
			var b strings.Builder
			j, closed := i+1, false
			for j < lim {
				if s[j] == closer {
					if j+1 < lim && s[j+1] == closer {
						b.WriteByte(closer)
						j += 2
						continue
					}
					closed = true
					break
				}
				b.WriteByte(s[j])
				j++
			}
			if !closed {
				return nil, synErrQuoting(s, keyEnd, f, v0, "unterminated quoted value", "unterminated quoted value of %q", key)
			}
			i = j + 1
			v = mkPart(s, v0, i, b.String())
			i = skipSpace(s, i, lim)
			if i < lim && s[i] != ';' {
				return nil, synErrQuoting(s, keyEnd, f, i, "unexpected text after a quoted value", "unexpected text after the quoted value of %q", key)
			}
		} else {
			e := indexOr(s, i, lim, ";")
			v = rawPart(s, v0, trimRightLim(s, v0, e))
			i = e
		}
		out = append(out, item{key: key, keyOff: k0, v: v})
	}
}

// ParseADO parses an ADO.NET-style string as used by SqlClient, Npgsql,
// MySqlConnector, ODBC and Microsoft.Data.Sqlite:
// Server=host,1433;Database=x;User Id=sa;Password=..;Encrypt=false.
// Keys are case-insensitive and have synonyms. The driver is guessed from
// the keys: Npgsql style (Host= with Port= or Username=) is PostgreSQL,
// port 3306 or Uid= with Port= is MySQL, a file Data Source is SQLite,
// anything else SQL Server.
func ParseADO(s string) (*Conn, error) { return parseADO(s, nil) }

// parseADO is ParseADO into dst (see newConn).
func parseADO(s string, dst *Conn) (*Conn, error) {
	const f = "ado"
	lim := len(s)
	i := skipSpace(s, 0, lim)
	if i == lim {
		return nil, synErr(f, i, "empty connection string")
	}
	items, err := parseProps(s, i, lim, f, true, true)
	if err != nil {
		return nil, err
	}
	c := newConn(dst, Conn{Format: f, Driver: guessADODriver(items)})
	var hostV, portV Part
	for _, it := range items {
		nk := normKey(it.key)
		if c.Driver == "sqlite" && (nk == "datasource" || nk == "filename") {
			c.Database = it.v
			continue
		}
		switch fieldFor(f, c.Driver, nk) {
		case fHost:
			hostV = it.v
		case fPort:
			portV = it.v
		case fUser:
			c.User = it.v
		case fPassword:
			c.Password = it.v
			c.addSecret(it.v)
		case fDatabase:
			c.Database = it.v
		default:
			c.Params = append(c.Params, Param{Key: it.key, Value: it.v, KeyOff: it.keyOff})
		}
	}
	switch c.Driver {
	case "sqlserver":
		c.sqlServerHost(s, hostV)
	case "oracle":
		if hostV.Set {
			off, end := innerSpan(s, hostV)
			if err := c.oracleAddress(s, off, end, f); err != nil {
				return nil, err
			}
		}
	default:
		if hostV.Set {
			for _, p := range splitPart(s, hostV, identity, true) {
				if p.Raw != "" && (p.Raw[0] == '"' || p.Raw[0] == '\'') {
					c.Hosts = append(c.Hosts, Host{Host: p})
					continue
				}
				h, err := hostPort(s, p.Off, p.End, f, identity)
				if err != nil {
					return nil, err
				}
				c.Hosts = append(c.Hosts, h)
			}
		}
		if portV.Set {
			if len(c.Hosts) == 0 {
				c.Hosts = append(c.Hosts, Host{})
			}
			for i := range c.Hosts {
				if !c.Hosts[i].Port.Set {
					c.Hosts[i].Port = portV
				}
			}
		}
	}
	if err := c.finish(); err != nil {
		return nil, err
	}
	return c, nil
}

// innerSpan is the span of a value without its quotes when the quoted text
// needs no unescaping; otherwise the whole value.
func innerSpan(s string, v Part) (int, int) {
	if v.End-v.Off >= 2 && v.Raw != v.Value && len(v.Raw) == len(v.Value)+2 {
		return v.Off + 1, v.End - 1
	}
	return v.Off, v.End
}

// sqlServerHost reads [tcp:|np:|lpc:|admin:]host[\instance][,port].
func (c *Conn) sqlServerHost(s string, v Part) {
	if !v.Set {
		return
	}
	off, end := innerSpan(s, v)
	if off != v.Off+1 && v.Raw != v.Value {
		c.Hosts = append(c.Hosts, Host{Host: v})
		return
	}
	if k := indexOut(s, off, end, ":"); k > off {
		switch strings.ToLower(s[off:k]) {
		case "tcp", "np", "lpc", "admin", "via":
			c.Network = rawPart(s, off, k)
			off = k + 1
		}
	}
	var h Host
	if strings.EqualFold(c.Network.Value, "np") {
		h.Host = rawPart(s, off, end)
		c.Hosts = append(c.Hosts, h)
		return
	}
	if k := lastIndexOut(s, off, end, ','); k >= 0 {
		sp := trimSpan(s, span{k + 1, end})
		h.Port = rawPart(s, sp.off, sp.end)
		end = trimRightLim(s, off, k)
	}
	if k := indexOut(s, off, end, `\`); k >= 0 {
		h.Instance = rawPart(s, k+1, end)
		end = k
	}
	if end > off {
		h.Host = rawPart(s, off, end)
	}
	c.Hosts = append(c.Hosts, h)
}

// guessADODriver decides which client library a property list is meant
// for, from explicit Driver=/Provider= names first, then from keys only one
// library accepts (SqlClient rejects Port=; Npgsql says Host= and
// Username=; MySqlConnector says Uid= with Port=).
func guessADODriver(items []item) string {
	has := map[string]string{}
	for _, it := range items {
		has[normKey(it.key)] = it.v.Value
	}
	for _, k := range []string{"driver", "provider"} {
		v := strings.ToLower(has[k])
		switch {
		case v == "":
		case strings.Contains(v, "sql server") || strings.Contains(v, "sqlncli") ||
			strings.Contains(v, "sqloledb") || strings.Contains(v, "msoledbsql") || strings.Contains(v, "sqlclient"):
			return "sqlserver"
		case strings.Contains(v, "postgres") || strings.Contains(v, "psql") || strings.Contains(v, "npgsql"):
			return "postgres"
		case strings.Contains(v, "mysql") || strings.Contains(v, "mariadb"):
			return "mysql"
		case strings.Contains(v, "oracle") || strings.Contains(v, "oraoledb"):
			return "oracle"
		case strings.Contains(v, "sqlite"):
			return "sqlite"
		}
	}
	ds, hasDS := has["datasource"]
	if strings.Contains(strings.ToLower(ds+has["server"]), "(description") {
		return "oracle"
	}
	_, hasHost := has["host"]
	port, hasPort := has["port"]
	_, hasUsername := has["username"]
	_, hasUID := has["uid"]
	_, hasServer := has["server"]
	if fn, ok := has["filename"]; ok && !hasHost && !hasServer {
		ds, hasDS = fn, true
	}
	if hasDS && !hasHost && !hasServer && !hasPort && looksSQLiteFile(ds) {
		return "sqlite"
	}
	if hasHost || hasPort || hasUsername {
		if strings.TrimSpace(port) == "3306" || hasUID && hasPort {
			return "mysql"
		}
		return "postgres"
	}
	return "sqlserver"
}

func looksSQLiteFile(v string) bool {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == ":memory:" || strings.HasPrefix(v, "file:") {
		return true
	}
	for _, ext := range []string{".db", ".sqlite", ".sqlite3", ".db3", ".s3db", ".sl3"} {
		if strings.HasSuffix(v, ext) {
			return true
		}
	}
	return false
}
