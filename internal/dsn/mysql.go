package dsn

import (
	"fmt"
	"strings"
)

// ParseMySQL parses a go-sql-driver DSN,
// [user[:pass]@][net[(addr)]]/dbname[?params], such as
// user:pass@tcp(host:3306)/db?tls=skip-verify or
// user@unix(/tmp/mysql.sock)/db, and the hybrid
// mysql://user:pass@tcp(host:3306)/db written by some tools.
//
// The user and password are taken as written (the driver does not decode
// them); the password may hold '@', ':' and '/': the userinfo ends at the
// last '@' that is followed by a network name and "(" or "/". Parameter
// values are form-decoded, as the driver does.
func ParseMySQL(s string) (*Conn, error) { return parseMySQL(s, nil) }

// parseMySQL is ParseMySQL into dst (see newConn).
func parseMySQL(s string, dst *Conn) (*Conn, error) {
	const f = "mysql-dsn"
	lim := trimRightLim(s, 0, len(s))
	i := skipSpace(s, 0, lim)
	if i == lim {
		return nil, synErr(f, i, "empty connection string")
	}
	c := newConn(dst, Conn{Format: f, Driver: "mysql"})
	if se := schemeEnd(s, i, lim); se > 0 && strings.HasPrefix(s[se+1:lim], "//") {
		c.Scheme = lowerASCII(s[i:se])
		if driverForScheme(c.Scheme) != "mysql" {
			return nil, synErrQuoting(s, se, f, i, "the scheme is not a MySQL scheme", "scheme %q is not a MySQL scheme", s[i:se])
		}
		i = se + 3
	}
	return parseMySQLBody(s, i, lim, c)
}

func isNetChar(c byte) bool {
	return isAlpha(c) || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// mysqlAtOK reports whether the text after an '@' at s[j] starts a network
// part: a name followed by "(" or "/".
func mysqlAtOK(s string, j, lim int) bool {
	k := j + 1
	for k < lim && isNetChar(s[k]) {
		k++
	}
	return k < lim && (s[k] == '(' || s[k] == '/')
}

func parseMySQLBody(s string, b, lim int, c *Conn) (*Conn, error) {
	const f = "mysql-dsn"
	c.Format = f
	c.Driver = "mysql"
	var ats []int
	for j := b; j < lim; j++ {
		if maybeInterp(s[j]) {
			if e := interpEnd(s, j, lim); e > 0 {
				j = e - 1
				continue
			}
		}
		if s[j] == '@' {
			ats = append(ats, j)
		}
	}
	at := -1
	for k := len(ats) - 1; k >= 0; k-- {
		if mysqlAtOK(s, ats[k], lim) {
			at = ats[k]
			break
		}
	}
	if at < 0 && len(ats) > 0 {
		at = ats[len(ats)-1]
	}
	if at >= 0 && (strings.Contains(s[b:at], "://") || hasPrefixFold(s[b:at], "jdbc:")) {
		return nil, synErr(f, b, "not a go-sql-driver DSN: this is a URL")
	}
	n0 := b
	if at >= 0 {
		if colon := indexOut(s, b, at, ":"); colon < 0 {
			c.User = rawPart(s, b, at)
		} else {
			c.User = rawPart(s, b, colon)
			c.Password = rawPart(s, colon+1, at)
			c.addSecret(c.Password)
		}
		n0 = at + 1
	}
	j := n0
	for j < lim && isNetChar(s[j]) {
		j++
	}
	net := ""
	if j > n0 {
		c.Network = rawPart(s, n0, j)
		net = strings.ToLower(c.Network.Value)
	}
	if j < lim && s[j] == '(' {
		k := -1
		for x := j + 1; x < lim; x++ {
			if maybeInterp(s[x]) {
				if e := interpEnd(s, x, lim); e > 0 {
					x = e - 1
					continue
				}
			}
			if s[x] == ')' && (x+1 == lim || s[x+1] == '/') {
				k = x
				break
			}
		}
		if k < 0 {
			return nil, synErr(f, j, `missing ")" after the network address`)
		}
		switch net {
		case "tcp", "tcp4", "tcp6", "":
			h, err := hostPort(s, j+1, k, f, identity)
			if err != nil {
				return nil, err
			}
			h.Socket = false
			c.Hosts = append(c.Hosts, h)
		case "unix":
			c.Hosts = append(c.Hosts, Host{Host: rawPart(s, j+1, k), Socket: true})
		default:
			if k > j+1 {
				c.Hosts = append(c.Hosts, Host{Host: rawPart(s, j+1, k)})
			}
		}
		j = k + 1
	}
	if j >= lim {
		return nil, synErr(f, j, `missing "/" before the database name`)
	}
	if s[j] != '/' {
		return nil, synErrQuoting(s, j+1, f, j, `unexpected character after the network name: expected "(" or "/"`, `unexpected %q after the network name: expected "(" or "/"`, s[j])
	}
	pe := indexOr(s, j+1, lim, "?")
	c.Database = mkPart(s, j+1, pe, urlDec(s[j+1:pe]))
	var hp hpParams
	if pe < lim {
		c.parseQuery(s, pe+1, lim, '&', true, &hp)
	}
	switch net {
	case "", "tcp", "tcp4", "tcp6", "unix":
	default:
		c.Issues = append(c.Issues, Issue{Off: c.Network.Off, End: c.Network.End,
			Msg: fmt.Sprintf("network %q is neither tcp nor unix: the driver accepts it only if a dialer is registered under that name", c.Network.Value)})
	}
	if err := c.finish(); err != nil {
		return nil, err
	}
	return c, nil
}
