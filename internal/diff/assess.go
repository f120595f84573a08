package diff

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dbguard/dbguard/internal/capacity"
	"github.com/dbguard/dbguard/internal/policy"
	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/scan"
)

// assess gives every change its risk and reason, in four steps: the
// field's own risk; what the rest of the tree says about it (a stray key,
// a password still in use elsewhere, a finding the change introduces); and
// last the production escalation: in production, medium becomes high and
// high becomes critical.
func assess(cs []Change, ms []matched, removed []*profile.Profile, ctxProfiles []*profile.Profile, n *scan.Side, introduced []policy.Finding, budget func(*profile.Profile) (capacity.Budget, int, bool)) {
	removedOf := map[string]*profile.Profile{}
	for _, p := range removed {
		removedOf[p.ID] = p
	}
	byNew := map[string]matched{}
	for _, m := range ms {
		byNew[m.new.ID] = m
	}
	fieldsChanged := map[string]int{}
	for _, c := range cs {
		fieldsChanged[c.Profile]++
	}
	for i := range cs {
		c := &cs[i]
		if c.Field == "profile" && (c.Kind == Added || c.Kind == Removed) {
			c.Risk, c.Reason = profileRisk(c, removedOf[c.Profile], n)
			continue
		}
		m, ok := byNew[c.Profile]
		if !ok {
			continue
		}
		c.Risk, c.Reason = fieldRisk(c, m.old, m.new, fieldsChanged[c.Profile])
		strayKey(c, m.new)
		if c.Field == "password" {
			sharedCredential(c, m, ctxProfiles)
		}
		if m.new.ServerSide {
			serverMove(c, m, ctxProfiles)
		}
		overCapacity(c, m, budget)
	}
	fromFindings(cs, introduced)
	for i := range cs {
		escalate(&cs[i])
	}
}

// Every reason is one sentence without a final full stop: what changed,
// with its values as transition renders them so that the top-level reason
// stands alone, then a colon and why that is risky.

// profileRisk rates a whole profile added or removed; c.Reason holds the
// profile's description ("production profile for db.internal").
func profileRisk(c *Change, old *profile.Profile, n *scan.Side) (Risk, string) {
	risk := Medium
	if c.Environment == profile.Production {
		risk = Critical
	}
	switch c.Kind {
	case Removed:
		if old != nil {
			if msg, broken := n.Broken(old.File); broken {
				return risk, fmt.Sprintf("%s removed because its file can no longer be read (%s): the application loses this connection", c.Reason, msg)
			}
			if _, still := n.Entries()[old.File]; !still {
				return risk, fmt.Sprintf("%s removed with its file %s: the application loses this connection", c.Reason, old.File)
			}
		}
		return risk, c.Reason + " removed: the application loses this connection"
	case Added:
		return Medium, c.Reason + " added: the application opens a connection it did not open before"
	}
	return Medium, c.Reason
}

// fieldRisk is a field change's own risk and reason, before context.
func fieldRisk(c *Change, o, n *profile.Profile, changesInProfile int) (Risk, string) {
	f := c.Field
	old, nw := deref(c.Old), deref(c.New)
	switch {
	case f == "profile":
		return Medium, fmt.Sprintf("connection moved from %s to %s: the application must now read it there", o.ID, n.ID)
	case f == "environment":
		if o.Environment == profile.Production || n.Environment == profile.Production {
			return Critical, "environment " + transition(c) + ": production's rules and approvals start or stop applying to this connection"
		}
		return High, "environment " + transition(c) + ": the connection is judged by another environment's rules"
	case f == "active":
		if nw == "true" {
			return High, "block switched on: the application starts using this connection"
		}
		return High, "block switched off: the application stops using this connection"
	case f == "driver":
		return Critical, "driver " + transition(c) + ": another driver speaks another protocol"
	case f == "hosts":
		return High, "host order " + transition(c) + ": drivers try hosts in order, so another server becomes the first choice"
	case f == "host" || strings.HasSuffix(f, ".host"):
		return Critical, hostReason(c, o, n)
	case f == "port" || strings.HasSuffix(f, ".port"):
		return Critical, "port " + transition(c) + ": another port is another server or none, so connections may be refused"
	case f == "database":
		if n.Environment == profile.Production {
			if w, bad := hasWord(nw, nonProdWords()...); bad {
				if _, was := hasWord(old, nonProdWords()...); !was {
					return Critical, fmt.Sprintf("database %s in a production profile: %q marks a non-production database, so production would use other data", transition(c), w)
				}
			}
		}
		return Critical, "database " + transition(c) + ": another database holds other data"
	case f == "user":
		return Critical, "user " + transition(c) + ": another user authenticates differently and has other permissions"
	case f == "password":
		return Critical, passwordReason(c)
	case f == "tls":
		return tlsRisk(c)
	case f == "tls.ca" || f == "tls.cert" || f == "tls.key":
		return High, f + " " + transition(c) + ": a wrong certificate path fails every handshake"
	case f == "tls.verify":
		return High, "certificate verification " + transition(c) + ": it decides whether an impostor server is accepted"
	case strings.HasPrefix(f, "pool."):
		return High, f + " " + transition(c) + ": every instance opens up to this many connections, against the server's limit"
	case f == "timeouts.connect" && c.Kind == Removed:
		return Medium, "connect timeout " + transition(c) + ": the driver's default applies (often none), so a dead server hangs requests instead of failing fast"
	case strings.HasPrefix(f, "timeouts."):
		return High, f + " " + transition(c) + ": timeouts decide how fast a failing server is noticed"
	case f == "replicas":
		return Medium, "replicas " + transition(c) + ": every instance opens its own pool, so connections multiply"
	case strings.HasPrefix(f, "params."):
		return paramRisk(c, strings.TrimPrefix(f, "params."), changesInProfile)
	}
	return Medium, f + " " + transition(c) + ": it may change how the application connects"
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// transition renders a field's change for a reason: "a" → "b", set to
// "b", or "a" removed.
func transition(c *Change) string {
	switch c.Kind {
	case Added:
		return fmt.Sprintf("set to %q", deref(c.New))
	case Removed:
		return fmt.Sprintf("%q removed", deref(c.Old))
	}
	return fmt.Sprintf("%q → %q", deref(c.Old), deref(c.New))
}

// passwordReason says what a password change risks; c.New describes the
// change (fields.go), never the password.
func passwordReason(c *Change) string {
	what := "password " + deref(c.New)
	switch {
	case c.Kind == Added:
		return what + ": logins now depend on it matching the server's"
	case c.Kind == Removed:
		return what + ": logins fail unless the server asks for no password"
	case strings.HasPrefix(deref(c.New), "now unresolved"):
		return what + ": logins fail unless that source holds the server's password where the application runs"
	}
	return what + ": the server and every client that uses it must change together"
}

func hostReason(c *Change, o, n *profile.Profile) string {
	old, nw := deref(c.Old), deref(c.New)
	what := "host " + transition(c)
	if n.Environment == profile.Production {
		if w, bad := hasWord(nw, nonProdWords()...); bad {
			if _, was := hasWord(old, nonProdWords()...); !was {
				return fmt.Sprintf("%s in a production profile: %q marks a non-production host, so production would use other data", what, w)
			}
		}
	}
	if w, writer := hasWord(n.Name+" "+n.KeyPath, writerWords()...); writer {
		if r, reader := hasWord(nw, readerWords()...); reader {
			if _, was := hasWord(old, readerWords()...); !was {
				return fmt.Sprintf("%s in a writer profile (%q): %q marks a reader endpoint, so writes will fail", what, w, r)
			}
		}
	}
	if c.Kind == Changed {
		if d := distance(strings.ToLower(old), strings.ToLower(nw)); d > 0 && d <= 2 && len(old) > 4 {
			return fmt.Sprintf("%s differs by %d character(s): a typo resolves to no server or to the wrong one", what, d)
		}
	}
	return what + ": the connection goes to another server"
}

// tlsRank orders TLS modes by how much they protect; ok is false for a
// mode it does not know.
func tlsRank(mode string, set bool) (int, bool) {
	if !set {
		return 2, true // libpq's prefer, MySQL's preferred: most drivers' default
	}
	switch strings.ToLower(strings.TrimSpace(mode)) {
	case "disable", "disabled", "false", "off", "0", "no", "none", "skip-verify-off":
		return 0, true
	case "allow":
		return 1, true
	case "prefer", "preferred", "":
		return 2, true
	case "require", "required", "true", "on", "1", "yes", "mandatory", "ssl", "skip-verify":
		return 3, true
	case "verify-ca", "verify_ca":
		return 4, true
	case "verify-full", "verify_identity", "verify-identity", "strict":
		return 5, true
	}
	return 0, false
}

func tlsRisk(c *Change) (Risk, string) {
	a, aok := tlsRank(deref(c.Old), c.Old != nil)
	b, bok := tlsRank(deref(c.New), c.New != nil)
	what := "TLS mode " + transition(c)
	switch {
	case !aok || !bok:
		return High, what + ": a mode dbguard does not know may protect less or fail the handshake"
	case b < a:
		return Critical, what + " is a downgrade: the client accepts a server it does not verify, or no encryption at all"
	case b > a:
		return High, what + " is stricter: the handshake fails when the server or its certificate is not ready"
	}
	return Low, what + " is spelled differently but protects the same"
}

func paramRisk(c *Change, name string, changesInProfile int) (Risk, string) {
	key := strings.ToLower(strings.NewReplacer("-", "", "_", "", ".", "").Replace(name))
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		key = strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(name[i+1:]))
	}
	switch key {
	case "authsource", "authmechanism", "authmechanismproperties", "authenticationdatabase", "authplugin",
		"defaultauth", "authenticationplugin", "gssencmode", "krbsrvname", "integratedsecurity", "authentication",
		"passfile", "requireauth":
		if c.Kind == Removed {
			return Critical, fmt.Sprintf("authentication parameter %s %s: the server authenticates against another database or method and rejects the login", name, transition(c))
		}
		return Critical, fmt.Sprintf("authentication parameter %s %s: the server may reject the login", name, transition(c))
	case "targetsessionattrs", "targetservertype", "loadbalancehosts", "loadbalance", "readpreference", "replicaset":
		return High, fmt.Sprintf("%s %s: it decides which of several servers the driver connects to", name, transition(c))
	case "maxconnections", "superuserreservedconnections", "reservedconnections", "maxclientconn", "defaultpoolsize",
		"poolsize", "maxdbconnections", "maxuserconnections", "reservepoolsize":
		return High, fmt.Sprintf("server-side connection limit %s %s: the clients' pools may no longer fit", name, transition(c))
	case "sslmode", "sslrootcert", "sslcert", "sslkey", "sslca", "tlsca", "tlscafile", "tlsinsecure", "tlsallowinvalidcertificates", "trustservercertificate", "encrypt":
		return High, fmt.Sprintf("TLS parameter %s %s: it changes how the connection is encrypted or verified", name, transition(c))
	case "applicationname", "appname", "application", "loglevel", "loggerlevel", "logger", "log", "loggerfile",
		"logunclosedconnections", "loglevels", "logstatement", "tracing", "debug", "comment", "description":
		return Low, fmt.Sprintf("%s %s: no effect on connecting", name, transition(c))
	case "url", "raw", "dsn", "uri", "jdbcurl", "connectionstring", "databaseurl", "connstr":
		if changesInProfile > 1 {
			return Low, "connection string rewritten: what it changes is listed field by field"
		}
		return Medium, "connection string " + transition(c) + ": it may change how the application connects"
	}
	return Medium, fmt.Sprintf("connection parameter %s %s: it may change how the driver connects", name, transition(c))
}

// strayKey turns a field that disappeared because its key slid out of its
// block (an indentation slip) into a moved change: the application no
// longer reads the value, although the file still shows it.
func strayKey(c *Change, n *profile.Profile) {
	if c.Kind == Added {
		return
	}
	for pass := 0; pass < 2; pass++ {
		for _, note := range n.Notes {
			if note.Kind != profile.NoteStrayKey {
				continue
			}
			// First the note about this very field; then a whole block
			// that slid out (hikari:, pool:), which takes every field
			// this change removed with it.
			if pass == 0 && note.Field != c.Field || pass == 1 && (canonical(note.Field) || c.Kind != Removed) {
				continue
			}
			c.Kind = Moved
			c.NewLoc = note.Loc
			c.Risk = Critical
			what := "key"
			if pass == 1 {
				what = "block"
			}
			c.Reason = fmt.Sprintf("%s %q moved out of its block to %s: the application no longer reads it", what, note.Key, note.Loc)
			return
		}
	}
}

// canonical reports a field name of the profile model.
func canonical(f string) bool {
	switch f {
	case "driver", "host", "port", "database", "user", "password", "tls", "replicas":
		return true
	}
	for _, p := range []string{"hosts[", "tls.", "pool.", "timeouts.", "params."} {
		if strings.HasPrefix(f, p) {
			return true
		}
	}
	return false
}

// sharedCredential sharpens a changed literal password: another profile
// that logs in as the same user on the same host still holds the old
// password, so one of the two will fail to authenticate. The passwords are
// compared in memory only.
func sharedCredential(c *Change, m matched, others []*profile.Profile) {
	if !literal(m.old.Password) || !literal(m.new.Password) || m.old.Password.Secret.Equal(m.new.Password.Secret) {
		return
	}
	user, uok := m.new.User.Effective()
	host, hok := m.new.FirstHost().Host.Effective()
	if !uok || !hok {
		return
	}
	for _, q := range others {
		if q == m.new || q.ID == m.new.ID || !literal(q.Password) {
			continue
		}
		qu, _ := q.User.Effective()
		qh, _ := q.FirstHost().Host.Effective()
		if !strings.EqualFold(qu, user) || !strings.EqualFold(qh, host) {
			continue
		}
		if q.Password.Secret.Equal(m.old.Password.Secret) {
			c.Risk = Critical
			c.Reason = fmt.Sprintf("password rotated here but not in %s, which logs in as %s on %s with the old one: one of the two will fail to authenticate", q.ID, user, host)
			return
		}
	}
}

// rotatedHosts lists the hosts of literal passwords that changed, for the
// second round that looks for other profiles sharing the credential.
func rotatedHosts(cs []Change, ms []matched) []string {
	byNew := map[string]matched{}
	for _, m := range ms {
		byNew[m.new.ID] = m
	}
	seen := map[string]bool{}
	var out []string
	for _, c := range cs {
		if c.Field != "password" {
			continue
		}
		m, ok := byNew[c.Profile]
		if !ok || !literal(m.old.Password) {
			continue
		}
		if h, ok := m.new.FirstHost().Host.Effective(); ok && len(h) >= 3 && !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}

// fromFindings raises changes that a finding introduced by the same change
// explains: pool × replicas over a server limit, a TLS mode the server
// does not offer, a fleet made inconsistent. The finding says more than
// the field's own why, so its message replaces that why (the finding is
// also listed with the introduced findings), unless the change is already
// riskier for a reason of its own.
func fromFindings(cs []Change, introduced []policy.Finding) {
	raise := func(c *Change, to Risk, why string) {
		if c.Risk <= to {
			c.Risk = to
			c.Reason = c.Field + " " + transition(c) + " " + why
		}
	}
	for _, f := range introduced {
		for i := range cs {
			c := &cs[i]
			switch f.Rule {
			case policy.PoolExceedsBouncerPool:
				if c.Profile == f.Profile && (strings.HasPrefix(c.Field, "pool.") || c.Field == "replicas") {
					raise(c, High, "queues clients at PgBouncer: "+f.Message)
				}
			case policy.ClientServerTLS:
				if c.Profile == f.Profile && c.Field == "tls" {
					raise(c, High, "does not match what the server offers: "+f.Message)
				}
			case policy.FleetInconsistent:
				if c.Field == f.Field && c.Environment == f.Environment {
					raise(c, High, "makes the fleet inconsistent: "+f.Message)
				}
			}
		}
	}
}

// overCapacity judges a change of pool size, replicas or autoscaler
// maximum by the capacity arithmetic (package capacity, counted over the
// new side as check counts): when the profile's server is over its budget
// afterwards, and the change did not lower the profile's own demand, the
// change is high (critical in production once escalated), and the reason
// is the arithmetic. A server that was already over and stays over counts
// too: the change keeps it there.
func overCapacity(c *Change, m matched, budget func(*profile.Profile) (capacity.Budget, int, bool)) {
	if c.Field != "pool.max_open" && c.Field != "replicas" || lowered(c) || c.Risk > High {
		return
	}
	b, focus, ok := budget(m.new)
	if !ok || !b.Over() {
		return
	}
	c.Risk = High
	c.Reason = c.Field + " " + transition(c) + " puts more connections on " + b.Limit.Server + " than it admits: " + b.Explain(focus)
}

// lowered reports a numeric change to a smaller number.
func lowered(c *Change) bool {
	if c.Old == nil || c.New == nil {
		return false
	}
	o, err1 := strconv.Atoi(strings.TrimSpace(*c.Old))
	n, err2 := strconv.Atoi(strings.TrimSpace(*c.New))
	return err1 == nil && err2 == nil && n < o
}

// serverMove judges a change to the server side of a link — its port, its
// TLS switched off, its database renamed — against the clients that still
// point at the old value: each of them fails to connect once the server
// changes, so the change is high (critical in production) and the reason
// names every client left behind.
func serverMove(c *Change, m matched, ctxProfiles []*profile.Profile) {
	if c.Old == nil {
		return
	}
	old := strings.TrimSpace(*c.Old)
	var behind []string
	var why string
	switch c.Field {
	case "port":
		why = "still connect" + " to port " + old
		for _, q := range policy.ClientsOf(m.new, ctxProfiles) {
			if v, ok := q.FirstHost().Port.Effective(); ok && strings.TrimSpace(v) == old {
				behind = append(behind, q.ID)
			}
		}
	case "database":
		why = "still ask for database " + strconv.Quote(old)
		for _, q := range policy.ClientsOf(m.new, ctxProfiles) {
			if v, ok := q.Database.Effective(); ok && strings.TrimSpace(v) == old {
				behind = append(behind, q.ID)
			}
		}
	case "tls":
		if !tlsSwitchedOff(c) {
			return
		}
		why = "still require TLS"
		for _, q := range policy.ClientsOf(m.new, ctxProfiles) {
			if policy.RequiresTLS(q) {
				behind = append(behind, q.ID)
			}
		}
	default:
		return
	}
	if len(behind) == 0 {
		return
	}
	if c.Risk < High {
		c.Risk = High
	}
	client := "client"
	if len(behind) > 1 {
		client = "clients"
	}
	c.Reason = fmt.Sprintf("server %s %s but %d %s %s and will fail to connect: %s", c.Field, transition(c), len(behind), client, why, strings.Join(behind, ", "))
}

// tlsSwitchedOff reports a server's TLS setting changed to off (or
// removed).
func tlsSwitchedOff(c *Change) bool {
	if c.New == nil {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(*c.New)) {
	case "off", "false", "0", "no", "disable", "disabled":
		return true
	}
	return false
}

// escalate applies production's stricter scale, and says so at the end
// of the reason.
func escalate(c *Change) {
	if c.Environment != profile.Production || c.Risk == Low || c.Risk == Critical || c.Risk == None {
		return
	}
	from := c.Risk
	c.Risk++
	c.Reason += fmt.Sprintf(" (%s, raised to %s in production)", from, c.Risk)
}

// words splits a name into lower-case words at anything not a letter or
// digit.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
}

func hasWord(s string, ws ...string) (string, bool) {
	for _, w := range words(s) {
		for _, x := range ws {
			if w == x {
				return w, true
			}
		}
	}
	return "", false
}

func nonProdWords() []string {
	return []string{"staging", "stage", "stg", "dev", "development", "test", "testing", "qa", "uat", "sandbox", "preprod"}
}

func readerWords() []string {
	return []string{"ro", "reader", "replica", "readonly", "read", "slave", "standby", "secondary"}
}

func writerWords() []string {
	return []string{"primary", "writer", "master", "write", "rw", "main", "leader"}
}

// distance is the edit distance of two short strings.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 256 || len(rb) > 256 {
		return -1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
