package policy

import "github.com/dbguard/dbguard/internal/profile"

// A client that reaches its database over loopback inside one pod, or one
// compose network namespace, shares fate with the server: no network lies
// between them, no packet is lost, no firewall drops a SYN. Its connect
// can hang only on a stopped server that still holds the port or a full
// listen backlog, and then the server is down for every client of the
// pod anyway. A missing connect timeout there is a remark worth making
// (the hang is still possible), not a failed build: the connect-timeout
// rules report it at most as a warning, and say why. The rules about
// what happens after the connect (statement timeout, pool sizes against
// the server's limits, TLS) keep their severity: loopback changes none of
// their consequences.

// connectRule reports the rules whose finding is a connect that waits too
// long for a server that does not answer.
func connectRule(id string) bool {
	switch id {
	case ConnectTimeoutMissing, ConnectTimeoutDriverOnly, ConnectTimeoutTooLong:
		return true
	}
	return false
}

// colocatedServer is the server p shares fate with: the container or
// compose service scan found in p's network namespace running a server of
// p's driver (profile.ParamColocatedServer), when every host of p is a
// loopback host.
func colocatedServer(p *profile.Profile) (string, bool) {
	v, ok := p.Param(profile.ParamColocatedServer)
	if !ok || v.Text == "" || !p.Loopback() {
		return "", false
	}
	return v.Text, true
}

// capColocated lowers a connect-timeout finding about a client that shares
// fate with its server to a warning, and adds the reason to its message.
func (c *Context) capColocated(p *profile.Profile, f *Finding) {
	if f.Severity <= Warning || !connectRule(c.rule.ID) {
		return
	}
	if srv, ok := colocatedServer(p); ok {
		f.Severity = Warning
		f.Message += "; warning, not error: the client shares fate with the database server " + srv +
			" in its own pod or network namespace, over loopback (no network between them: a connect hangs only on a stopped server or a full backlog)"
	}
}
