package extract

import (
	"bytes"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/dbguard/dbguard/internal/dsn"
	"github.com/dbguard/dbguard/internal/extract/tree"
	"github.com/dbguard/dbguard/internal/profile"
)

// entry is one setting of a block, already classified.
type entry struct {
	key  string // as written: the last key of the path, or the variable name
	f    field
	v    profile.Value
	node *tree.Node
	// secretRef names an outside secret the value comes from
	// (secretKeyRef, an ECS secrets[] ARN, a helm existingSecret).
	secretRef string
	// lazy is set while v is not read yet: node holds the value.
	lazy bool
}

// value returns an entry's value, or for a lazy one a cheap stand-in
// (the text as written) good enough to forecast a connection.
func (e *entry) value() profile.Value {
	if e.lazy && e.node != nil {
		return profile.Value{Text: e.node.Value, Set: true}
	}
	return e.v
}

// block is a group of settings that together describe one connection: a
// YAML map, the DB_* variables of one environment, a [section].
type block struct {
	keyPath string
	name    string
	entries []entry
	// driver is a hint from the context (the image of a compose service,
	// the name of the enclosing key), used when nothing in the block says.
	driver string
	// strong is set when the context already says this block configures a
	// database (a datasource key, a DB_ prefix), so that weaker evidence
	// suffices.
	strong     bool
	serverSide bool
	// env is set for blocks of environment variables, where a prefix
	// already said the variables belong together.
	env bool
	// listed is set when the block's structure already says it is a
	// connection (a chart's database block), however little it holds.
	listed bool
}

// fileCtx carries what every extractor needs of the file being read.
type fileCtx struct {
	path string // relative, slash-separated
	data []byte
	// lineStarts are byte offsets of each line, and text the file as a
	// string, both made on first use.
	lineStarts []int
	allLines   bool // lineStarts has every line
	text       string
	// anchors is 0 until known, then 1 when the file has no '&' or no
	// '*', 2 when it may define YAML anchors and use them.
	anchors int8
	// envFrom collects workloads' envFrom references for Link.
	envFrom []EnvFrom
	// reader holds the file's trees, and those of files embedded in it.
	reader tree.Reader
	// tpl is the file's template mask (template.go), nil without tags.
	tpl *templateMask

	// Scratch memory kept from file to file (see contexts): mapBlock's
	// candidates and ordered entries, which never outlive one call, and
	// the nodes that mapBlocks consumed, a stack that walk unwinds.
	cands, ordered []entry
	infos          []keyInfo
	consumed       []*tree.Node
	// envProfiles' grouping and a dotenv file's variables, which never
	// outlive one call either.
	members []groupMember
	grouped []entry
	vars    []envVar
	groups  []envGroup
	// conns parses applyURL's connection strings into memory kept from
	// string to string; no Conn outlives the call that parsed it.
	conns dsn.Parser
	// flat holds the nodes unflatten makes, also for one call only.
	flat []tree.Node
}

// release readies a fileCtx for the next file and returns it to the pool.
// Nothing File returns points into its memory: profiles, scalers and
// envFrom references hold strings and values, never a tree node or a
// scratch slice.
func (fc *fileCtx) release() {
	fc.reader.Reset()
	clear(fc.consumed)
	clear(fc.flat)
	*fc = fileCtx{
		flat:       fc.flat[:0],
		groups:     fc.groups[:0],
		conns:      fc.conns,
		lineStarts: fc.lineStarts[:0],
		reader:     fc.reader,
		cands:      fc.cands[:0],
		ordered:    fc.ordered[:0],
		infos:      fc.infos[:0],
		members:    fc.members[:0],
		grouped:    fc.grouped[:0],
		vars:       fc.vars[:0],
		consumed:   fc.consumed[:0],
	}
	contexts.Put(fc)
}

// loc returns the location of a node's value.
func (fc *fileCtx) loc(n *tree.Node) profile.Location {
	if n == nil {
		return profile.Location{File: fc.path}
	}
	return profile.Location{File: fc.path, Line: n.Line, Column: n.Col}
}

// keyLoc returns the location of a node's key.
func (fc *fileCtx) keyLoc(n *tree.Node) profile.Location {
	if n == nil || n.KeyLine == 0 {
		return fc.loc(n)
	}
	return profile.Location{File: fc.path, Line: n.KeyLine, Column: n.KeyCol}
}

// value turns a scalar node into a profile value, recording any
// interpolation.
func (fc *fileCtx) value(n *tree.Node) profile.Value {
	if n == nil || n.Kind == tree.Null {
		return profile.Value{Set: n != nil, Loc: fc.loc(n)}
	}
	loc := fc.loc(n)
	if n.Quoted && loc.Line > 0 && !strings.Contains(n.Value, "\n") {
		// Point at the value's first character, past the quote, so
		// that offsets inside the value land on their own text.
		loc.Column++
	}
	return textValue(n.Value, loc)
}

func textValue(text string, loc profile.Location) profile.Value {
	v := profile.Value{Text: text, Set: true, Loc: loc}
	if !maybeInterp(text) {
		// Most values hold no interpolation: skip making an Interp.
		return v
	}
	if in := ParseInterp(text); in.Any {
		v.Unresolved = true
		v.Var = in.Var
		switch {
		case in.Whole:
			v.Default, v.HasDefault = in.Default, in.HasDefault
		case in.Resolvable:
			v.Default, v.HasDefault = in.Expanded, true
		}
	}
	return v
}

// subLoc is the location of the byte offset off inside a scalar's value, so
// that a host inside a URL points at the host's own text. It is exact for
// values written on one line; for others it falls back to the scalar's start.
func (fc *fileCtx) subLoc(n *tree.Node, raw string, off int) profile.Location {
	l := fc.loc(n)
	if n == nil || off <= 0 || off > len(raw) || strings.Contains(raw[:off], "\n") {
		return l
	}
	line := fc.line(n.Line)
	// Find the raw text on the node's line, after the node's column, so
	// that quoting and escapes before the value do not shift us.
	col := n.Col
	startByte := runeOffset(line, col-1)
	if startByte < 0 {
		return l
	}
	prefix := raw[:off]
	idx := strings.Index(line[startByte:], prefix)
	if idx < 0 {
		// The file may write the value with escapes (JSON's \\ and \").
		prefix = strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(prefix)
		idx = strings.Index(line[startByte:], prefix)
	}
	if idx < 0 {
		return l
	}
	off = len(prefix)
	l.Column = col + utf8.RuneCountInString(line[startByte:startByte+idx+off])
	return l
}

// partLocator is subLoc for the many offsets of one scalar (the parts of
// a connection string), searching the scalar's line once. When the line
// holds the whole value where its first byte first appears after the
// value's column, every prefix subLoc would look for first appears there
// too, so each location is a rune count; otherwise subLoc decides.
type partLocator struct {
	fc   *fileCtx
	n    *tree.Node
	raw  string
	rest string // the node's line from its column on, when at >= 0
	at   int    // where raw starts in rest, or -1
}

func (fc *fileCtx) partLocator(n *tree.Node, raw string) partLocator {
	pl := partLocator{fc: fc, n: n, raw: raw, at: -1}
	if n == nil || raw == "" || strings.IndexByte(raw, '\n') >= 0 {
		return pl
	}
	line := fc.line(n.Line)
	start := runeOffset(line, n.Col-1)
	if start < 0 {
		return pl
	}
	rest := line[start:]
	if i := strings.IndexByte(rest, raw[0]); i >= 0 && strings.HasPrefix(rest[i:], raw) {
		pl.rest, pl.at = rest, i
	}
	return pl
}

// loc is fc.subLoc(n, raw, off).
func (pl *partLocator) loc(off int) profile.Location {
	if pl.at < 0 || off <= 0 || off > len(pl.raw) {
		return pl.fc.subLoc(pl.n, pl.raw, off)
	}
	l := pl.fc.loc(pl.n)
	l.Column = pl.n.Col + utf8.RuneCountInString(pl.rest[:pl.at+off])
	return l
}

func runeOffset(s string, runes int) int {
	i := 0
	for n := 0; n < runes; n++ {
		if i >= len(s) {
			return -1
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// line returns the text of a 1-based line.
func (fc *fileCtx) line(n int) string {
	if len(fc.lineStarts) == 0 {
		fc.lineStarts = append(fc.lineStarts, 0)
	}
	// The table grows only as far as asked (and one line more, for the
	// end of line n): most questions are about the top of the file.
	for len(fc.lineStarts) <= n && !fc.allLines {
		from := fc.lineStarts[len(fc.lineStarts)-1]
		j := bytes.IndexByte(fc.data[from:], '\n')
		if j < 0 {
			fc.allLines = true
			break
		}
		fc.lineStarts = append(fc.lineStarts, from+j+1)
	}
	if n < 1 || n > len(fc.lineStarts) {
		return ""
	}
	start := fc.lineStarts[n-1]
	end := len(fc.data)
	if n < len(fc.lineStarts) {
		end = fc.lineStarts[n] - 1
	}
	if fc.text == "" && len(fc.data) > 0 {
		// The file's bytes seen as a string, so that lines are slices
		// of it rather than allocations. File never changes data, and
		// no line outlives the call that reads it.
		fc.text = unsafe.String(&fc.data[0], len(fc.data))
	}
	return strings.TrimSuffix(fc.text[start:end], "\r")
}

// assemble turns a block into a profile, or nil when the block does not
// hold enough to be a connection.
func (fc *fileCtx) assemble(b block) *profile.Profile {
	if !viable(b) {
		// Most blocks of a configuration file are not connections:
		// decide before allocating a profile.
		return nil
	}
	p := newProfile()
	p.KeyPath, p.Name, p.ServerSide = b.keyPath, b.name, b.serverSide
	var (
		hasURL, hasHost, hasPort, hasDB, hasUser, hasPW, hasDriver bool
		explicitDriver                                             string
	)
	for i := range b.entries {
		e := &b.entries[i]
		if e.f != fURL && e.f != fParam && e.v.Set {
			if p.Keys == nil {
				p.Keys = make([]profile.FieldKey, 0, keyCount(b.entries[i:]))
			}
			p.Keys = append(p.Keys, profile.FieldKey{Field: fieldName(e.f), Key: e.key})
		}
		switch e.f {
		case fURL:
			if fc.applyURL(p, *e) {
				hasURL = true
			}
		case fHost:
			if hasURL && len(p.Hosts) > 0 && p.Hosts[0].Host.Set {
				// A connection string already named the host.
				continue
			}
			var prevPort profile.Value
			if len(p.Hosts) > 0 {
				prevPort = p.Hosts[0].Port
			}
			p.Hosts = splitHosts(e.v) // a new slice, shared with nothing
			for i := range p.Hosts {
				if !p.Hosts[i].Port.Set {
					p.Hosts[i].Port = prevPort
				}
			}
			hasHost = e.v.Set
			if x := p.Hosts[0].Extra; x.Set && !p.Database.Set {
				p.Database = x
			}
		case fPort:
			if len(p.Hosts) == 0 {
				p.Hosts = []profile.Host{{}}
			}
			// A port setting applies to every host that does not name
			// its own.
			for i := range p.Hosts {
				if !p.Hosts[i].Port.Set {
					p.Hosts[i].Port = e.v
				}
			}
			hasPort = true
		case fDatabase:
			p.Database = e.v
			hasDB = true
		case fUser:
			p.User = e.v
			hasUser = true
		case fPassword:
			setPassword(p, *e)
			hasPW = true
		case fPasswordFile:
			if e.v.Text != "" {
				p.Password = profile.Password{Set: true, Known: true, Source: "file:" + e.v.Text, Loc: e.v.Loc}
				hasPW = true
			}
		case fPasswordEnv:
			if e.v.Text != "" && !e.v.Unresolved {
				p.Password = profile.Password{Set: true, Known: true, Source: "env:" + e.v.Text, Loc: e.v.Loc}
				hasPW = true
			}
		case fDriver:
			d := driverOfValue(e.v)
			switch {
			case d != "":
				p.Driver = e.v
				p.Driver.Text = d
				explicitDriver = d
				hasDriver = true
			case keyOf(e.key).strong == fDriver && e.v.Text != "" && !e.v.Unresolved && !p.Driver.Set:
				// An explicit driver setting dbguard does not know
				// is kept as written, for the rule that reports it.
				p.Driver = e.v
				explicitDriver = e.v.Text
			}
		case fTLS:
			p.TLS.Mode, p.TLS.Key = e.v, e.key
		case fParam:
			p.SetParam(e.key, e.v)
		default:
			setSetting(p, e.f, e.v)
		}
	}
	if hasURL {
		hasHost = hasHost || len(p.Hosts) > 0
	}
	// Enough to be a connection?
	if !enough(b, hasURL, hasHost, hasPort, hasDB, hasUser, hasPW, hasDriver) {
		return nil
	}
	if len(p.Hosts) > 0 && isWebURL(p.Hosts[0].Host.Text) {
		return nil
	}
	if !p.Driver.Set || p.Driver.Text == "" {
		d := b.driver
		if d == "" {
			d = driverFromWords(b.keyPath)
		}
		if d == "" && len(p.Hosts) > 0 {
			if port, ok := p.Hosts[0].Port.Effective(); ok {
				d = driverFromPort(port)
			}
		}
		if d != "" {
			p.Driver = profile.Value{Text: d, Set: true}
		}
	} else if explicitDriver == "" {
		p.Driver.Text = profile.CanonicalDriver(p.Driver.Text)
	}
	if !p.TLS.Mode.Set && p.TLS.CA.Set && p.Driver.Text == "mysql" {
		// MySQL clients turn TLS on by being given a CA file: the CA
		// setting is the one that controls TLS.
		p.TLS.Mode = p.TLS.CA
		for _, e := range b.entries {
			if e.f == fTLSCA {
				p.TLS.Key = e.key
			}
		}
	}
	if !p.Password.Set && p.Password.Source == "" {
		p.Password.Known = true
		p.Password.Source = "none"
	}
	return p
}

// keyCount is how many of es a profile's Keys list.
func keyCount(es []entry) int {
	n := 0
	for i := range es {
		if e := &es[i]; e.f != fURL && e.f != fParam && e.v.Set {
			n++
		}
	}
	return n
}

// driverOfValue reads a driver setting, through an interpolation's default.
func driverOfValue(v profile.Value) string {
	s, ok := v.Effective()
	if !ok {
		return ""
	}
	return profile.CanonicalDriver(s)
}

// setPassword records a password entry without ever copying the secret
// anywhere but the Secret.
func setPassword(p *profile.Profile, e entry) {
	pw := profile.Password{Known: true, Loc: e.v.Loc}
	switch {
	case e.secretRef != "":
		pw.Set, pw.Source = true, "secret:"+e.secretRef
	case e.v.Unresolved:
		pw.Set, pw.Unresolved = true, true
		pw.Source = referenceSource(e.v)
		pw.Expr = maskDefault(e.v.Text)
	case !e.v.Set || e.v.Text == "" || strings.EqualFold(e.v.Text, "null") && e.node != nil && !e.node.Quoted:
		pw.Set, pw.Source = false, "none"
	default:
		pw.Set, pw.Source = true, "literal"
		pw.Secret = profile.NewSecret(e.v.Text)
	}
	p.Password = pw
}

// maskDefault is a password expression as it may be shown: each
// interpolation as written but for its default, which is masked
// (${DB_PASSWORD:-hunter2} becomes ${DB_PASSWORD:-*****}), and any literal
// text around or between them masked too (S3cret${SUFFIX} becomes
// *****${SUFFIX}): part of a password is still a secret.
func maskDefault(expr string) string {
	var b strings.Builder
	i := 0
	for i < len(expr) {
		start, end, _, def, hasDef, ok := nextInterp(expr, i)
		if !ok {
			break
		}
		if start > i {
			b.WriteString(profile.Mask)
		}
		tok := expr[start:end]
		if hasDef && def != "" {
			// The default is the last thing in the token; one written in
			// another form than it reads (quoted, escaped) cannot be
			// found, and the whole token is masked instead.
			if k := strings.LastIndex(tok, def); k >= 0 {
				tok = tok[:k] + profile.Mask + tok[k+len(def):]
			} else {
				tok = profile.Mask
			}
		}
		b.WriteString(tok)
		i = end
	}
	if i < len(expr) {
		b.WriteString(profile.Mask)
	}
	return b.String()
}

// splitHosts reads a host setting that may list several hosts (h1,h2 or
// h1:5432,h2:5433), carry its port (db:5432, tcp://db:3306, [::1]:5432) or,
// as Laravel's and BookStack's Redis settings do, host:port:database. An
// interpolated value stays one host as written.
func splitHosts(v profile.Value) []profile.Host {
	if v.Unresolved {
		return []profile.Host{{Host: v, Socket: strings.HasPrefix(v.Text, "/")}}
	}
	hs := make([]profile.Host, 0, 1+strings.Count(v.Text, ","))
	off := 0
	for rest, more := v.Text, true; more; {
		var part string
		part, rest, more = strings.Cut(rest, ",")
		lead := len(part) - len(strings.TrimLeft(part, " "))
		h := hostPart(v, strings.TrimSpace(part), off+lead)
		hs = append(hs, h)
		off += len(part) + 1
	}
	return hs
}

// hostPart splits one host of a host setting at byte offset off.
func hostPart(v profile.Value, text string, off int) profile.Host {
	at := func(s string, o int) profile.Value {
		x := v
		x.Text = s
		if x.Loc.Line > 0 {
			x.Loc.Column = v.Loc.Column + utf8.RuneCountInString(v.Text[:off+o])
		}
		return x
	}
	o := 0
	if text != "" && (text[0] >= utf8.RuneSelf || strings.IndexByte("tTuU", text[0]) >= 0) {
		// Only a text that may start with a scheme is lower-cased.
		lower := strings.ToLower(text)
		for _, scheme := range [...]string{"tcp://", "tcp(", "unix://"} {
			if strings.HasPrefix(lower, scheme) {
				o = len(scheme)
				text = strings.TrimSuffix(text[o:], ")")
				break
			}
		}
	}
	if strings.HasPrefix(text, "/") {
		return profile.Host{Host: at(text, o), Socket: true}
	}
	if strings.HasPrefix(text, "[") {
		if e := strings.IndexByte(text, ']'); e > 0 {
			h := profile.Host{Host: at(text[1:e], o+1)}
			if rest := text[e+1:]; strings.HasPrefix(rest, ":") && isDigits(rest[1:]) {
				h.Port = at(rest[1:], o+e+2)
			}
			return h
		}
	}
	// host:port or host:port:database, split without a slice of parts.
	host, port, _ := strings.Cut(text, ":")
	port, extra, three := strings.Cut(port, ":")
	switch colons := strings.Count(text, ":"); {
	case colons == 1 && isDigits(port) && host != "":
		return profile.Host{Host: at(host, o), Port: at(port, o+len(host)+1)}
	case colons == 2 && three && isDigits(port) && isDigits(extra) && strings.ContainsAny(host, ".abcdefghijklmnopqrstuvwxyz"):
		h := profile.Host{Host: at(host, o), Port: at(port, o+len(host)+1)}
		h.Extra = at(extra, o+len(host)+len(port)+2)
		return h
	}
	return profile.Host{Host: at(text, o)}
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// applyURL fills p from a connection string. It reports false when the
// value is not a connection string at all.
func (fc *fileCtx) applyURL(p *profile.Profile, e entry) bool {
	v := e.v
	raw := v.Text
	if e.secretRef != "" || v.Unresolved && v.Text != "" && !v.HasDefault && ParseInterp(raw).Whole {
		// The whole string lives outside the file: nothing but its
		// existence is known.
		p.Password = profile.Password{Known: false, Source: "unknown"}
		if e.secretRef != "" {
			p.Password.Source = "secret:" + e.secretRef
		}
		p.SetParam("url", profile.Value{Text: raw, Set: true, Unresolved: true, Var: v.Var, Loc: v.Loc})
		return true
	}
	whole := false
	parseText := raw
	base := 0 // offset of parseText inside raw
	if v.Unresolved {
		in := ParseInterp(raw)
		if in.Whole && in.HasDefault {
			parseText, whole = in.Default, true
			if i := strings.LastIndex(raw, in.Default); i >= 0 {
				base = i
			}
		}
	}
	if parseText == "" {
		return false
	}
	c, err := fc.conns.Parse(parseText) // read below, then dropped
	if err != nil || c == nil {
		if e.f == fURL && dsn.Looks(parseText) {
			p.SetParam("url_error", profile.Value{Text: err.Error(), Set: true, Loc: v.Loc})
			p.SetParam("url", profile.Value{Text: dsn.Redact(raw), Set: true, Loc: v.Loc})
			return true
		}
		return false
	}
	locs := fc.partLocator(e.node, raw)
	mk := func(part dsn.Part) profile.Value {
		if !part.Set {
			return profile.Value{}
		}
		if whole {
			loc := v.Loc
			if e.node != nil && base > 0 {
				loc = locs.loc(base + part.Off)
			}
			return profile.Value{Text: part.Value, Set: true, Unresolved: true, Var: v.Var,
				Default: part.Value, HasDefault: true, Loc: loc}
		}
		val := textValue(part.Value, locs.loc(part.Off))
		if e.node == nil {
			val.Loc = v.Loc
		}
		return val
	}
	if c.Driver != "" {
		p.Driver = profile.Value{Text: c.Driver, Set: true, Loc: v.Loc}
	}
	p.Hosts = p.Hosts[:0]
	for _, h := range c.Hosts {
		host := h.Host
		if h.Instance.Set && host.Set && h.Instance.End > host.Off && h.Instance.End <= len(parseText) {
			// A SQL Server named instance is part of the host as
			// written: (localdb)\mssqllocaldb, db01\SQLEXPRESS.
			host.Value = host.Value + `\` + h.Instance.Value
			host.Raw = parseText[host.Off:h.Instance.End]
			host.End = h.Instance.End
		}
		p.Hosts = append(p.Hosts, profile.Host{Host: mk(host), Port: mk(h.Port), Socket: h.Socket})
	}
	if c.Database.Set {
		p.Database = mk(c.Database)
	}
	if c.User.Set {
		p.User = mk(c.User)
	}
	if c.Password.Set {
		pv := mk(c.Password)
		pw := profile.Password{Known: true, Loc: pv.Loc}
		switch {
		case pv.Unresolved && !whole:
			pw.Set, pw.Unresolved, pw.Source = true, true, referenceSource(pv)
			pw.Expr = maskDefault(pv.Text)
		case c.Password.Value == "":
			pw.Source = "none"
		default:
			pw.Set, pw.Source = true, "literal"
			pw.Secret = profile.NewSecret(c.Password.Value)
			pw.NeedsEncoding = c.PasswordNeedsEncoding()
		}
		p.Password = pw
	} else if !p.Password.Set {
		p.Password = profile.Password{Known: true, Source: "none"}
	}
	if c.TLS.Set {
		p.TLS.Mode, p.TLS.Key = mk(c.TLS), c.TLSKey
	}
	for _, prm := range c.Params {
		pv := mk(prm.Value)
		f := keyOf(prm.Key).strong
		if strings.EqualFold(prm.Key, "timeout") {
			// Inside a connection string a bare timeout is the
			// connect timeout: go-sql-driver's dial timeout, ADO.NET's
			// Timeout. As a key of its own it is not (fields.go).
			f = fConnectTimeout
		}
		switch {
		case f == fPassword:
			// A password given as a parameter; never kept as a param.
			setPassword(p, entry{key: prm.Key, f: fPassword, v: pv})
		case setSetting(p, f, pv):
		case !isSecretKey(prm.Key) && !dsn.IsSecretKey(prm.Key):
			// Both lists: the connection string's own (psw=, pw=)
			// and the one of configuration keys.
			p.SetParam(prm.Key, pv)
		}
	}
	rawKey := "url"
	if whole || v.Unresolved {
		rawKey = "raw"
	}
	var redacted string
	if whole && base+len(parseText) <= len(raw) {
		redacted = raw[:base] + c.RedactParsed(parseText) + raw[base+len(parseText):]
		redacted = dsn.Redact(redacted) // the default's text aside, the expression may hold more
	} else if parseText == raw {
		redacted = c.RedactParsed(raw)
	} else {
		redacted = dsn.Redact(raw)
	}
	p.SetParam(rawKey, profile.Value{Text: redacted, Set: true, Unresolved: v.Unresolved, Var: v.Var, Loc: v.Loc})
	return true
}

// isSecretKey reports whether a parameter name holds a credential that must
// never be copied into params.
func isSecretKey(k string) bool {
	n := normKey(k)
	return strings.Contains(n, "password") || strings.Contains(n, "passwd") || n == "pwd" || n == "pass" ||
		strings.Contains(n, "secret") || strings.Contains(n, "token") || strings.HasSuffix(n, "key") && n != "sslkey" && n != "tlskey"
}

// isWebURL reports a host setting that is really a web address
// (https://s3.example.com): an object store or an API, not a database.
func isWebURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "ldap://") || strings.HasPrefix(l, "ldaps://") ||
		strings.HasPrefix(l, "amqp://") || strings.HasPrefix(l, "smtp://")
}

// setSetting records a TLS file, pool or timeout setting, wherever it was
// written (a key of its own or a connection-string parameter). It reports
// false for any other field.
func setSetting(p *profile.Profile, f field, v profile.Value) bool {
	switch f {
	case fTLSCA:
		p.TLS.CA = v
	case fTLSCert:
		p.TLS.Cert = v
	case fTLSKey:
		p.TLS.KeyFile = v
	case fTLSVerify:
		p.TLS.Verify = v
	case fMaxOpen:
		p.Pool.MaxOpen = v
	case fMaxIdle:
		p.Pool.MaxIdle = v
	case fMaxLifetime:
		p.Pool.MaxLifetime = v
	case fMaxIdleTime:
		p.Pool.MaxIdleTime = v
	case fConnectTimeout:
		p.Timeouts.Connect = v
	case fStatementTimeout:
		p.Timeouts.Statement = v
	case fIdleInTxTimeout:
		p.Timeouts.IdleInTransaction = v
	default:
		return false
	}
	return true
}

// enough decides whether a block holds enough to be a connection. Outside a
// database context, a host and a port are a web server, an SMTP relay or a
// queue: a database is asked for too.
func enough(b block, hasURL, hasHost, hasPort, hasDB, hasUser, hasPW, hasDriver bool) bool {
	switch {
	case hasURL:
	case b.serverSide, b.listed:
	case hasDriver && (hasHost || hasPort || hasDB || hasUser || hasPW || b.strong):
	case !b.strong:
		return hasHost && hasDB && (hasPort || hasUser || hasPW)
	case hasHost && (hasPort || hasDB || hasUser || hasPW):
	case hasDB && (hasUser || hasPW || hasPort):
	case hasUser && hasPW:
	case b.env && b.driver != "" && hasHost:
	default:
		return false
	}
	return true
}

// viable is enough's cheap forecast from the entries alone, before any
// connection string is parsed: a block it rejects is not a connection.
func viable(b block) bool {
	var hasURL, hasHost, hasPort, hasDB, hasUser, hasPW, hasDriver bool
	for i := range b.entries {
		// Only three fields need the value: most entries are decided
		// by their field alone, without copying it.
		switch e := &b.entries[i]; e.f {
		case fURL:
			hasURL = true
		case fHost:
			hasHost = hasHost || e.value().Set
		case fPort:
			hasPort = true
		case fDatabase:
			hasDB = true
		case fUser:
			hasUser = true
		case fPassword:
			hasPW = true
		case fPasswordFile, fPasswordEnv:
			hasPW = hasPW || e.value().Text != ""
		case fDriver:
			hasDriver = hasDriver || driverOfValue(e.value()) != ""
		}
	}
	return enough(b, hasURL, hasHost, hasPort, hasDB, hasUser, hasPW, hasDriver)
}
