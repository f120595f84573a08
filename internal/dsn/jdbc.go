package dsn

import "strings"

// ParseJDBC parses a JDBC URL: jdbc:postgresql://h1:5432,h2/db?sslmode=...,
// jdbc:mysql://, jdbc:mariadb:// (also :loadbalance:, :replication:, +srv
// and address=(host=..)(port=..)), jdbc:sqlserver://host\inst:1433;k=v;...,
// jdbc:oracle:thin:[user/pass]@host:1521/service (or :SID or a TNS
// descriptor), jdbc:h2:, jdbc:hsqldb:, jdbc:derby:, jdbc:jtds:, jdbc:sqlite:.
// Other subprotocols are read as URLs. Scheme is the subprotocol.
func ParseJDBC(s string) (*Conn, error) { return parseJDBC(s, nil) }

// parseJDBC is ParseJDBC into dst (see newConn).
func parseJDBC(s string, dst *Conn) (*Conn, error) {
	const f = "jdbc"
	lim := trimRightLim(s, 0, len(s))
	i := skipSpace(s, 0, lim)
	if i == lim {
		return nil, synErr(f, i, "empty connection string")
	}
	if !hasPrefixFold(s[i:lim], "jdbc:") {
		return nil, synErr(f, i, `missing "jdbc:" prefix`)
	}
	p := i + len("jdbc:")
	j := p
	for j < lim && (isNetChar(s[j]) || s[j] == '+' || s[j] == '.') {
		j++
	}
	if j == p || j >= lim || s[j] != ':' {
		return nil, synErr(f, p, `missing subprotocol after "jdbc:"`)
	}
	sub := lowerASCII(s[p:j])
	switch sub {
	case "sqlserver":
		return parseJDBCSQLServer(s, p, j, lim, dst)
	case "oracle":
		return parseJDBCOracle(s, p, j, lim, dst)
	case "h2", "hsqldb", "derby", "jtds":
		return parseJDBCEmbedded(s, p, j, lim, sub, dst)
	case "sqlite":
		c := newConn(dst, Conn{Format: f, Scheme: sub, Driver: "sqlite"})
		pe := indexOr(s, j+1, lim, "?")
		if pe > j+1 {
			c.Database = rawPart(s, j+1, pe)
		}
		var hp hpParams
		if pe < lim {
			c.parseQuery(s, pe+1, lim, '&', false, &hp)
		}
		if err := c.finish(); err != nil {
			return nil, err
		}
		return c, nil
	}
	// mysql:loadbalance://, mariadb:replication://: the scheme runs to "://".
	se := j
	for !strings.HasPrefix(s[se:lim], "://") {
		k := se + 1
		for k < lim && (isNetChar(s[k]) || s[k] == '+' || s[k] == '.') {
			k++
		}
		if k == se+1 || k >= lim || s[k] != ':' {
			se = j
			break
		}
		se = k
	}
	return parseURLAt(s, p, se, lim, f, dst)
}

func parseJDBCSQLServer(s string, p, j, lim int, dst *Conn) (*Conn, error) {
	const f = "jdbc"
	c := newConn(dst, Conn{Format: f, Scheme: "sqlserver", Driver: "sqlserver"})
	q := j + 1
	if !strings.HasPrefix(s[q:lim], "//") {
		return nil, synErr(f, q, `missing "//" after "jdbc:sqlserver:"`)
	}
	a := q + 2
	se := indexOr(s, a, lim, ";")
	if se > a {
		var h Host
		if s[a] == '[' {
			var err error
			if h, err = hostPort(s, a, se, f, identity); err != nil {
				return nil, err
			}
		} else {
			end := se
			if k := lastIndexOut(s, a, end, ':'); k >= 0 {
				h.Port = rawPart(s, k+1, end)
				end = k
			}
			if k := indexOut(s, a, end, `\`); k >= 0 {
				h.Instance = rawPart(s, k+1, end)
				end = k
			}
			if end > a {
				h.Host = rawPart(s, a, end)
			}
		}
		c.Hosts = append(c.Hosts, h)
	}
	items, err := parseProps(s, se, lim, f, false, true)
	if err != nil {
		return nil, err
	}
	var hp hpParams
	for _, it := range items {
		c.setParam(s, it.key, it.keyOff, it.v, &hp, identity)
	}
	if hp.hostSet && len(c.Hosts) > 0 && c.Hosts[0].Host.Set {
		hp.hostSet = false // the URL's server wins over serverName
	}
	c.applyHostPort(&hp)
	if err := c.finish(); err != nil {
		return nil, err
	}
	return c, nil
}

func parseJDBCOracle(s string, p, j, lim int, dst *Conn) (*Conn, error) {
	const f = "jdbc"
	c := newConn(dst, Conn{Format: f, Scheme: "oracle", Driver: "oracle"})
	q := j + 1
	t := q
	for t < lim && isNetChar(s[t]) {
		t++
	}
	if t < lim && t > q && s[t] == ':' {
		c.Scheme = "oracle:" + lowerASCII(s[q:t])
		q = t + 1
	}
	stop := indexOr(s, q, lim, "(")
	at := lastIndexOut(s, q, stop, '@')
	if at < 0 {
		return nil, synErr(f, q, `missing "@" before the database address`)
	}
	if at > q {
		if sl := indexOut(s, q, at, "/"); sl >= 0 {
			c.User = rawPart(s, q, sl)
			c.Password = rawPart(s, sl+1, at)
			c.addSecret(c.Password)
		} else {
			c.User = rawPart(s, q, at)
		}
	}
	if err := c.oracleAddress(s, at+1, lim, f); err != nil {
		return nil, err
	}
	if err := c.finish(); err != nil {
		return nil, err
	}
	return c, nil
}

// oracleAddress reads an Oracle address: a TNS descriptor
// (DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=h)(PORT=1521))(CONNECT_DATA=
// (SERVICE_NAME=s))), EZConnect [//]host[:port][/service] or host:port:SID,
// or a bare TNS alias (kept as Database).
func (c *Conn) oracleAddress(s string, q, lim int, f string) error {
	if q < lim && s[q] == '(' {
		return c.tnsDescriptor(s, q, lim, f)
	}
	slashes := strings.HasPrefix(s[q:lim], "//")
	if slashes {
		q += 2
	}
	qe := indexOr(s, q, lim, "?")
	var he int
	if q < qe && s[q] == '[' {
		k := strings.IndexByte(s[q:qe], ']')
		if k < 0 {
			return synErr(f, q, `missing "]" after IPv6 address`)
		}
		he = q + k + 1
	} else {
		he = indexOr(s, q, qe, ":/")
	}
	if he == qe && !slashes {
		if qe > q {
			c.Database = rawPart(s, q, qe) // a TNS alias
		}
	} else {
		h, err := hostPort(s, q, he, f, identity)
		if err != nil {
			return err
		}
		x := he
		if x < qe && s[x] == ':' {
			pe := indexOr(s, x+1, qe, ":/")
			h.Port = rawPart(s, x+1, pe)
			x = pe
		}
		c.Hosts = append(c.Hosts, h)
		if x < qe {
			c.Database = rawPart(s, x+1, qe)
		}
	}
	if qe < lim {
		var hp hpParams
		c.parseQuery(s, qe+1, lim, '&', false, &hp)
	}
	return nil
}

// tnsDescriptor picks HOST, PORT, SERVICE_NAME/SID and PROTOCOL=TCPS out of
// a descriptor; PORT belongs to the HOST before it.
func (c *Conn) tnsDescriptor(s string, q, lim int, f string) error {
	depth := 0
	for j := q; j < lim; j++ {
		switch s[j] {
		case '(':
			depth++
			eq := strings.IndexByte(s[j+1:lim], '=')
			if eq < 0 {
				continue
			}
			eq += j + 1
			key := strings.ToUpper(strings.TrimSpace(s[j+1 : eq]))
			v0 := skipSpace(s, eq+1, lim)
			if v0 < lim && s[v0] == '(' {
				continue
			}
			ve := strings.IndexByte(s[v0:lim], ')')
			if ve < 0 {
				return synErr(f, j, `missing ")" in the TNS descriptor`)
			}
			ve = trimRightLim(s, v0, v0+ve)
			v := rawPart(s, v0, ve)
			switch key {
			case "HOST":
				c.Hosts = append(c.Hosts, Host{Host: v})
			case "PORT":
				if n := len(c.Hosts); n > 0 && !c.Hosts[n-1].Port.Set {
					c.Hosts[n-1].Port = v
				} else {
					c.Hosts = append(c.Hosts, Host{Port: v})
				}
			case "SERVICE_NAME", "SID":
				c.Database = v
			case "PROTOCOL":
				if strings.EqualFold(v.Value, "tcps") {
					c.TLS, c.TLSKey = v, "PROTOCOL"
				}
			}
		case ')':
			depth--
			if depth == 0 && skipSpace(s, j+1, lim) < lim {
				// Text after the descriptor is no part of it; it may be
				// a setting whose separator is missing.
				return synErr(f, j+1, "unexpected text after the TNS descriptor")
			}
		}
	}
	if depth != 0 {
		return synErr(f, q, "unbalanced parentheses in the TNS descriptor")
	}
	return nil
}

// parseJDBCEmbedded reads the H2/HSQLDB/Derby/jTDS shape:
// [proto:]//host[:port][/path] or a bare path, then ;key=value properties.
func parseJDBCEmbedded(s string, p, j, lim int, sub string, dst *Conn) (*Conn, error) {
	const f = "jdbc"
	c := newConn(dst, Conn{Format: f, Scheme: sub, Driver: driverForJDBC(sub)})
	q := j + 1
	pe := indexOr(s, q, lim, ";")
	x := q
	for x < pe && isNetChar(s[x]) {
		x++
	}
	a := -1
	proto := ""
	switch {
	case x > q && x < pe && strings.HasPrefix(s[x:pe], "://"):
		proto = lowerASCII(s[q:x])
		a = x + 3
	case strings.HasPrefix(s[q:pe], "//"):
		a = q + 2
	}
	if a >= 0 {
		if sub == "jtds" {
			c.Scheme = "jtds:" + proto
		}
		switch proto {
		case "ssl", "hsqls", "https":
			c.TLS, c.TLSKey = rawPart(s, q, x), "scheme"
		}
		he := indexOr(s, a, pe, "/")
		if he > a {
			for _, sp := range splitOut(s, a, he, ',') {
				h, err := hostPort(s, sp.off, sp.end, f, identity)
				if err != nil {
					return nil, err
				}
				c.Hosts = append(c.Hosts, h)
			}
		}
		if he < pe {
			c.Database = rawPart(s, he+1, pe)
		}
	} else if pe > q {
		c.Database = rawPart(s, q, pe)
	}
	items, err := parseProps(s, pe, lim, f, false, false)
	if err != nil {
		return nil, err
	}
	var hp hpParams
	for _, it := range items {
		c.setParam(s, it.key, it.keyOff, it.v, &hp, identity)
	}
	c.applyHostPort(&hp)
	if err := c.finish(); err != nil {
		return nil, err
	}
	return c, nil
}
