package dsn

// ParseStackExchange parses a StackExchange.Redis configuration string,
// the form .NET applications keep in appsettings.json's ConnectionStrings
// and in Redis configuration values: comma-separated endpoints
// (host[:port], [v6]:port) and key=value options, such as
// cache1:6380,cache2:6380,password=S3cret,ssl=True,abortConnect=false,defaultDatabase=2.
//
// The client splits at every ',' and each option at its first '=';
// nothing is quoted or escaped, and an unknown option is an error. So is
// one here, and so is an endpoint written after the password: a password
// holding ',' is cut there by the client, and the piece after it would
// show as a host or an option name. Refusing both makes Redact mask from
// the password to the end rather than print a piece of it.
//
// password gives Password, user User, defaultDatabase Database, ssl the
// TLS setting; the other options are Params.
func ParseStackExchange(s string) (*Conn, error) { return parseStackExchange(s, nil) }

const fmtSEName = "stackexchange-redis"

// parseStackExchange is ParseStackExchange into dst (see newConn).
func parseStackExchange(s string, dst *Conn) (*Conn, error) {
	const f = fmtSEName
	lim := trimRightLim(s, 0, len(s))
	i := skipSpace(s, 0, lim)
	if i == lim {
		return nil, synErr(f, i, "empty connection string")
	}
	c := newConn(dst, Conn{Format: f, Driver: "redis"})
	pw := false // an option password= was read
	for _, sp := range splitOut(s, i, lim, ',') {
		sp = trimSpan(s, sp)
		if sp.off == sp.end {
			continue // the client skips empty items ("a,,b", a trailing ',')
		}
		eq := indexOut(s, sp.off, sp.end, "=")
		if eq < 0 {
			if pw {
				return nil, synErr(f, sp.off, "an endpoint follows the password: a ',' in the password would cut it here")
			}
			if !seEndpoint(s, sp.off, sp.end) {
				return nil, synErrQuoting(s, sp.end, f, sp.off, "neither an endpoint (host[:port]) nor an option (key=value)",
					"%q is neither an endpoint (host[:port]) nor an option (key=value)", s[sp.off:sp.end])
			}
			h, err := hostPort(s, sp.off, sp.end, f, identity)
			if err != nil {
				return nil, err
			}
			c.Hosts = append(c.Hosts, h)
			continue
		}
		k := trimSpan(s, span{sp.off, eq})
		v := trimSpan(s, span{eq + 1, sp.end})
		key := s[k.off:k.end]
		nk := normKey(key)
		if !seOption(nk) && !(len(key) > 1 && key[0] == '$') {
			// $INFO= renames a command; anything else unknown the client rejects.
			return nil, synErrQuoting(s, k.end, f, k.off, "unknown option", "unknown option %q", key)
		}
		if v.end > v.off && (s[v.off] == '\'' || s[v.off] == '"') && (v.end-v.off < 2 || s[v.end-1] != s[v.off]) {
			// The client takes quotes literally; an open one means the
			// writer quoted a value holding ',' and the client cut it.
			return nil, synErr(f, v.off, "unterminated quote: the client splits a value at ',' whatever quotes it")
		}
		part := rawPart(s, v.off, v.end)
		switch nk {
		case "password":
			c.Password = part
			c.addSecret(part)
			pw = true
		case "user":
			c.User = part
		case "defaultdatabase":
			c.Database = part
		default:
			c.Params = append(c.Params, Param{Key: key, Value: part, KeyOff: k.off})
		}
	}
	if len(c.Hosts) == 0 {
		return nil, synErr(f, i, "no endpoint (host[:port])")
	}
	if err := c.finish(); err != nil {
		return nil, err
	}
	return c, nil
}

// seEndpoint reports whether s[off:end] is written as an endpoint: a host
// name or address (or an interpolation) with an optional :port, or an
// IPv6 address in brackets.
func seEndpoint(s string, off, end int) bool {
	if s[off] == '[' {
		return true // hostPort checks the brackets
	}
	colon := false
	for j := off; j < end; j++ {
		c := s[j]
		if maybeInterp(c) {
			if e := interpEnd(s, j, end); e > 0 {
				j = e - 1
				continue
			}
		}
		switch {
		case c == ':':
			if colon || j == off {
				return false
			}
			colon = true
		case colon && c >= '0' && c <= '9':
		case !colon && (isNetChar(c) || c == '.'):
		default:
			return false
		}
	}
	return true
}

// seOption reports whether a normalized key is an option the client
// knows (docs/Configuration.md of StackExchange.Redis).
func seOption(nk string) bool {
	switch nk {
	case "abortconnect", "allowadmin", "asynctimeout", "channelprefix", "checkcertificaterevocation",
		"configchannel", "configcheckseconds", "connectretry", "connecttimeout", "defaultdatabase",
		"keepalive", "name", "password", "user", "proxy", "resolvedns", "responsetimeout", "servicename",
		"ssl", "sslhost", "sslprotocols", "synctimeout", "tiebreaker", "version", "writebuffer",
		"setlib", "protocol", "highintegrity", "heartbeatinterval", "heartbeatconsistencychecks",
		"highprioritysocketthreads", "library", "tunnel":
		return true
	}
	return false
}

// seTelling are the options that make a comma list a StackExchange.Redis
// string for Looks and Parse: words that no other comma list of a
// configuration file is likely to hold.
func seTelling(nk string) bool {
	switch nk {
	case "abortconnect", "allowadmin", "defaultdatabase", "password", "ssl", "sslhost", "servicename",
		"connecttimeout", "synctimeout", "asynctimeout", "connectretry", "keepalive", "channelprefix",
		"sslprotocols", "resolvedns", "configchannel", "tiebreaker", "checkcertificaterevocation":
		return true
	}
	return false
}

// looksStackExchange reports whether s[i:lim] has the StackExchange.Redis
// shape: its first item an endpoint, and a ',' followed by one of the
// options seTelling names. Looks runs it on every scalar holding ',' and
// '=': it scans s once and folds keys on the stack.
func looksStackExchange(s string, i, lim int) bool {
	first := indexOut(s, i, lim, ",")
	if first < 0 {
		return false
	}
	ep := trimSpan(s, span{i, first})
	if ep.off == ep.end || !seEndpoint(s, ep.off, ep.end) {
		return false
	}
	for j := first + 1; j < lim; {
		end := j
		for end < lim && s[end] != ',' && s[end] != '=' {
			if maybeInterp(s[end]) {
				if e := interpEnd(s, end, lim); e > 0 {
					end = e
					continue
				}
			}
			end++
		}
		if end < lim && s[end] == '=' {
			k := trimSpan(s, span{j, end})
			if seTellingFold(s[k.off:k.end]) {
				return true
			}
			for end < lim && s[end] != ',' {
				end++ // the value; a ',' in an interpolation is rare enough
			}
		}
		j = end + 1
	}
	return false
}

// seTellingFold is seTelling of a key as written, folded on the stack.
func seTellingFold(key string) bool {
	var buf [32]byte
	n := 0
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c == ' ' || c == '_' || c == '-' || c == '.' || c == '\t':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		if n == len(buf) {
			return false
		}
		buf[n] = c
		n++
	}
	return seTelling(string(buf[:n]))
}
