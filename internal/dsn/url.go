package dsn

import (
	"fmt"
	"net/netip"
	"strings"
)

// ParseURL parses scheme://[user[:pass]@]host[:port][,host2[:port]]/db?params.
//
// Hosts may be IPv6 literals in brackets, a percent-encoded socket directory
// (%2Fvar%2Frun%2Fpostgresql) or come from a host= parameter (PostgreSQL).
// A password holding a raw '@' is read as libpq and browsers read it: the
// last '@' before the path ends the userinfo. '#' is an ordinary character
// (libpq has no fragments), so a query password holding '#' stays whole.
// '+' is not decoded to a space, as in libpq.
func ParseURL(s string) (*Conn, error) { return parseURL(s, nil) }

// parseURL is ParseURL into dst (see newConn).
func parseURL(s string, dst *Conn) (*Conn, error) {
	lim := trimRightLim(s, 0, len(s))
	i := skipSpace(s, 0, lim)
	if i == lim {
		return nil, synErr("url", i, "empty connection string")
	}
	se := schemeEnd(s, i, lim)
	if se < 0 {
		return nil, synErr("url", i, `missing scheme such as "postgres://"`)
	}
	return parseURLAt(s, i, se, lim, "url", dst)
}

// hpParams collects host= and port= parameters, applied after the whole
// query is read because libpq lets them override the authority.
type hpParams struct {
	hosts, ports []Part
	hostSet      bool
	portSet      bool
	instance     Part
}

func parseURLAt(s string, start, se, lim int, format string, dst *Conn) (*Conn, error) {
	c := newConn(dst, Conn{Format: format, Scheme: lowerASCII(s[start:se])})
	if format == "jdbc" {
		c.Driver = driverForJDBC(c.Scheme)
	} else {
		c.Driver = driverForScheme(c.Scheme)
	}
	switch c.Scheme {
	case "rediss", "valkeys":
		c.TLS = mkPart(s, start, se, c.Scheme)
		c.TLSKey = "scheme"
	}
	var hp hpParams
	p := se + 1
	if !strings.HasPrefix(s[p:lim], "//") {
		if c.Driver != "sqlite" && format != "jdbc" {
			return nil, synErrQuoting(s, p, format, p, `missing "//" after the scheme`, `missing "//" after %q`, s[start:p])
		}
		pe := indexOr(s, p, lim, "?")
		if pe > p {
			c.Database = mkPart(s, p, pe, urlDec(s[p:pe]))
		}
		if pe < lim {
			c.parseQuery(s, pe+1, lim, '&', false, &hp)
		}
		c.applyHostPort(&hp)
		if err := c.finish(); err != nil {
			return nil, err
		}
		return c, nil
	}
	a := p + 2
	if c.Driver == "mysql" && format == "url" && mysqlNetAhead(s, a, lim) {
		c.Format = "mysql-dsn"
		return parseMySQLBody(s, a, lim, c)
	}

	// The userinfo ends at the last '@' before the query. A password with
	// a raw '?' may hide a later one: look past the '?' as long as nothing
	// looks like a key=value parameter.
	q := indexOr(s, a, lim, "?")
	at := lastIndexOut(s, a, q, '@')
	if q < lim {
		for j := q; j < lim; j++ {
			ch := s[j]
			if maybeInterp(ch) {
				if e := interpEnd(s, j, lim); e > 0 {
					j = e - 1
					continue
				}
			}
			if ch == '&' || ch == '=' {
				break
			}
			if ch == '@' {
				at = j
			}
		}
	}
	hs := a
	if at >= 0 {
		if colon := indexOut(s, a, at, ":"); colon < 0 {
			c.User = mkPart(s, a, at, urlDec(s[a:at]))
		} else {
			if colon > a {
				// ":pw@" carries a password alone: no user is
				// written, which is not an empty user name.
				c.User = mkPart(s, a, colon, urlDec(s[a:colon]))
			}
			c.Password = mkPart(s, colon+1, at, urlDec(s[colon+1:at]))
			c.userinfoPw = c.Password
			c.addSecret(c.Password)
		}
		hs = at + 1
	}
	he := hostListEnd(s, hs, lim)
	if he > hs {
		for _, sp := range splitOut(s, hs, he, ',') {
			if sp.off == sp.end {
				continue
			}
			var h Host
			var err error
			if s[sp.off] == '(' || hasPrefixFold(s[sp.off:sp.end], "address=") {
				h, err = addressEquals(s, sp.off, sp.end, format)
			} else {
				h, err = hostPort(s, sp.off, sp.end, format, urlDec)
			}
			if err != nil {
				return nil, err
			}
			c.Hosts = append(c.Hosts, h)
		}
	}
	if at < 0 {
		if err := ambiguousPort(c.Hosts, format); err != nil {
			return nil, err
		}
	}
	pe := he
	if he < lim && s[he] == '/' {
		pe = indexOr(s, he, lim, "?")
		switch {
		case c.Scheme == "unix" || c.Scheme == "redis+socket":
			c.Hosts = append(c.Hosts, Host{Host: mkPart(s, he, pe, urlDec(s[he:pe])), Socket: true})
		case c.Scheme == "file":
			c.Database = mkPart(s, he, pe, urlDec(s[he:pe]))
		default:
			c.Database = mkPart(s, he+1, pe, urlDec(s[he+1:pe]))
		}
	}
	if pe < lim && s[pe] == '?' {
		c.parseQuery(s, pe+1, lim, '&', false, &hp)
	}
	c.applyHostPort(&hp)
	if err := c.finish(); err != nil {
		return nil, err
	}
	return c, nil
}

// ambiguousPort refuses a port that is not a number in an authority
// without '@': scheme://app:S3cret/db is as likely a user and password
// whose "@host" is missing as a host with a bad port, and a password must
// not be shown as a port. With an '@', the port is a port, kept and
// reported as an Issue. The message quotes nothing.
func ambiguousPort(hosts []Host, format string) error {
	for _, h := range hosts {
		// A host with a colon that is no IPv6 address (app::S3cret) is
		// the same ambiguity without a port to blame.
		if v := h.Host.Value; h.Host.Set && strings.Contains(v, ":") && !hasInterp(v) && !isIPv6(strings.Trim(v, "[]")) {
			return synErr(format, h.Host.Off, `the host is not a name or an address, and may hold a password whose "@host" is missing`)
		}
		p := h.Port
		if !p.Set || p.Value == "" || hasInterp(p.Value) {
			continue
		}
		// A signed number (-1) is a bad port, not a password:
		// port-invalid reports it.
		if strings.Trim(strings.TrimLeft(p.Value, "+-"), "0123456789") != "" {
			return synErr(format, p.Off, `the port is not a number, and may be a password whose "@host" is missing`)
		}
	}
	return nil
}

// isIPv6 reports an IPv6 address, with or without a zone (fe80::1%eth0).
func isIPv6(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is6()
}

// hostListEnd finds where the host list starting at s[i] ends: at the first
// '/' or '?' outside brackets, parentheses and interpolation tokens.
func hostListEnd(s string, i, lim int) int {
	if j := indexOutNested(s, i, lim, "/?"); j >= 0 {
		return j
	}
	return lim
}

// addressEquals reads MySQL Connector/J's address=(host=h)(port=3306)(k=v).
func addressEquals(s string, off, end int, format string) (Host, error) {
	var h Host
	j := off
	if hasPrefixFold(s[off:end], "address=") {
		j += len("address=")
	}
	for j < end {
		if s[j] != '(' {
			return h, synErr(format, j, `expected "(" in address list`)
		}
		k := strings.IndexByte(s[j:end], ')')
		if k < 0 {
			return h, synErr(format, j, `missing ")" in address list`)
		}
		k += j
		if eq := strings.IndexByte(s[j+1:k], '='); eq >= 0 {
			eq += j + 1
			v := mkPart(s, eq+1, k, urlDec(s[eq+1:k]))
			switch strings.ToLower(strings.TrimSpace(s[j+1 : eq])) {
			case "host":
				h.Host = v
				h.Socket = isSocketPath(v.Value)
			case "port":
				h.Port = v
			}
		}
		j = k + 1
	}
	return h, nil
}

// parseQuery reads sep-separated key=value parameters in s[i:lim] into c.
func (c *Conn) parseQuery(s string, i, lim int, sep byte, plus bool, hp *hpParams) {
	dec := func(r string) string { return pctDecode(r, plus) }
	spans := splitQuery(s, i, lim, sep)
	fresh := c.Params == nil
	if fresh {
		// Room for every parameter at once; left nil when all of them
		// went to fields.
		c.Params = make([]Param, 0, len(spans))
	}
	for _, sp := range spans {
		if sp.off == sp.end {
			continue
		}
		eq := indexOut(s, sp.off, sp.end, "=")
		var key string
		var v Part
		if eq < 0 {
			key = dec(s[sp.off:sp.end])
			v = Part{Off: sp.end, End: sp.end}
		} else {
			key = dec(s[sp.off:eq])
			v = mkPart(s, eq+1, sp.end, dec(s[eq+1:sp.end]))
		}
		c.setParam(s, key, sp.off, v, hp, dec)
	}
	if fresh && len(c.Params) == 0 {
		c.Params = nil
	}
}

// splitQuery splits at sep outside interpolation tokens only: brackets and
// parentheses mean nothing in a query.
func splitQuery(s string, i, lim int, sep byte) []span {
	// At most one span per separator, and one more.
	out := make([]span, 0, strings.Count(s[i:lim], string(sep))+1)
	start := i
	for j := i; j < lim; j++ {
		if maybeInterp(s[j]) {
			if e := interpEnd(s, j, lim); e > 0 {
				j = e - 1
				continue
			}
		}
		if s[j] == sep {
			out = append(out, span{start, j})
			start = j + 1
		}
	}
	return append(out, span{start, lim})
}

// setParam stores one key/value in its field, or in Params.
func (c *Conn) setParam(s, key string, keyOff int, v Part, hp *hpParams, dec func(string) string) {
	switch fieldFor(c.Format, c.Driver, normKey(key)) {
	case fUser:
		c.User = v
	case fPassword:
		c.Password = v
		c.addSecret(v)
	case fDatabase:
		c.Database = v
	case fHost:
		hp.hostSet = true
		hp.hosts = splitPart(s, v, dec, c.Format == "libpq-kv")
	case fPort:
		hp.portSet = true
		hp.ports = splitPart(s, v, dec, c.Format == "libpq-kv")
	case fInstance:
		hp.instance = v
	default:
		c.Params = append(c.Params, Param{Key: key, Value: v, KeyOff: keyOff})
	}
}

// splitPart splits a comma-separated value into one part per element,
// decoding each with dec. With quotes, a value in matching quotes is split
// inside them; one with escaped quotes inside is kept whole.
func splitPart(s string, v Part, dec func(string) string, quotes bool) []Part {
	if !v.Set {
		return nil
	}
	off, end := v.Off, v.End
	if quotes && end-off >= 2 && (s[off] == '\'' || s[off] == '"') && s[end-1] == s[off] {
		if strings.Count(v.Raw, string(s[off])) != 2 {
			return []Part{v}
		}
		off, end = off+1, end-1
	}
	var out []Part
	for _, sp := range splitOut(s, off, end, ',') {
		sp = trimSpan(s, sp)
		out = append(out, mkPart(s, sp.off, sp.end, dec(s[sp.off:sp.end])))
	}
	return out
}

func trimSpan(s string, sp span) span {
	sp.off = skipSpace(s, sp.off, sp.end)
	sp.end = trimRightLim(s, sp.off, sp.end)
	return sp
}

// applyHostPort applies host= and port= parameters the way libpq does: each
// overrides its own list, and a single port applies to every host.
func (c *Conn) applyHostPort(hp *hpParams) {
	if hp.hostSet {
		var oldPorts []Part
		for _, h := range c.Hosts {
			oldPorts = append(oldPorts, h.Port)
		}
		c.Hosts = nil
		for _, h := range hp.hosts {
			c.Hosts = append(c.Hosts, Host{Host: h, Socket: h.Set && isSocketPath(h.Value)})
		}
		if !hp.portSet {
			c.assignPorts(oldPorts, false)
		}
	}
	if hp.portSet {
		c.assignPorts(hp.ports, true)
	}
	if hp.instance.Set {
		if len(c.Hosts) == 0 {
			c.Hosts = append(c.Hosts, Host{})
		}
		c.Hosts[0].Instance = hp.instance
	}
}

func (c *Conn) assignPorts(ports []Part, report bool) {
	if len(ports) == 0 {
		return
	}
	if len(c.Hosts) == 0 {
		for _, p := range ports {
			c.Hosts = append(c.Hosts, Host{Port: p})
		}
		return
	}
	if len(ports) == 1 {
		for i := range c.Hosts {
			c.Hosts[i].Port = ports[0]
		}
		return
	}
	if report && len(ports) != len(c.Hosts) {
		c.Issues = append(c.Issues, Issue{Off: ports[0].Off, End: ports[len(ports)-1].End,
			Msg: fmt.Sprintf("%d ports for %d hosts", len(ports), len(c.Hosts))})
	}
	for i, p := range ports {
		if i < len(c.Hosts) {
			c.Hosts[i].Port = p
		} else {
			c.Hosts = append(c.Hosts, Host{Port: p})
		}
	}
}

// mysqlNetAhead reports whether the text after "mysql://" is a go-sql-driver
// DSN (user:pass@tcp(host:3306)/db) rather than a URL authority.
func mysqlNetAhead(s string, a, lim int) bool {
	r := s[a:lim]
	for _, n := range []string{"tcp(", "unix(", "tcp4(", "tcp6("} {
		if strings.HasPrefix(r, n) || strings.Contains(r, "@"+n) {
			return true
		}
	}
	return false
}
