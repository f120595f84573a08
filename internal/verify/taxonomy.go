package verify

// Class names one cause of a failed probe. The set is fixed and documented
// (docs/taxonomy.md); alerts, dashboards and runbooks key on these names, so
// a class is never renamed.
type Class string

// The classes. Each belongs to the stage where it is normally observed.
const (
	ClassNone                     Class = ""
	ClassConfigInvalid            Class = "config_invalid"
	ClassDNSNotFound              Class = "dns_not_found"
	ClassDNSTimeout               Class = "dns_timeout"
	ClassDNSServerFailed          Class = "dns_server_failed"
	ClassTCPRefused               Class = "tcp_refused"
	ClassTCPTimeout               Class = "tcp_timeout"
	ClassTCPUnreachable           Class = "tcp_unreachable"
	ClassProtocolTimeout          Class = "protocol_timeout"
	ClassProtocolError            Class = "protocol_error"
	ClassTLSNotSupportedByServer  Class = "tls_not_supported_by_server"
	ClassTLSRequiredByServer      Class = "tls_required_by_server"
	ClassTLSCertInvalid           Class = "tls_cert_invalid"
	ClassTLSHandshakeFailed       Class = "tls_handshake_failed"
	ClassAuthFailed               Class = "auth_failed"
	ClassAuthMethodUnsupported    Class = "auth_method_unsupported"
	ClassRoleNotFound             Class = "role_not_found"
	ClassAccessRejected           Class = "access_rejected"
	ClassDatabaseNotFound         Class = "database_not_found"
	ClassPermissionDenied         Class = "permission_denied"
	ClassTooManyConnections       Class = "too_many_connections"
	ClassServerStartingOrStopping Class = "server_starting_or_stopping"
	ClassReadOnlyServer           Class = "read_only_server"
	ClassQueryTimeout             Class = "query_timeout"
	ClassQueryFailed              Class = "query_failed"
	ClassPoolCapacityExceeded     Class = "pool_capacity_exceeded"
	ClassUpstreamUnavailable      Class = "upstream_unavailable"
	ClassUnknown                  Class = "unknown"
	// ClassNotVerified is no answer about the profile: the run ended (its
	// deadline, a signal) before the probe finished or began. It is never
	// a success, and it is not a failure of the profile either.
	ClassNotVerified Class = "not_verified"
)

// ClassInfo is what a responder needs to act on a class: where it happens,
// what to do, and what it is commonly confused with (the outage this tool
// exists for lost 15 minutes suspecting the network).
type ClassInfo struct {
	Class       Class
	Stage       Stage
	Remediation string
	MistakenFor string
}

// Classes returns the taxonomy in stage order. It is built on each call so
// that no caller can alter the shared table.
func Classes() []ClassInfo {
	return []ClassInfo{
		{ClassConfigInvalid, StageConfig,
			"fix the profile: a field is missing, unresolved or malformed (see the detail for which)",
			"a server problem: nothing was sent to any server"},
		{ClassDNSNotFound, StageDNS,
			"check the host name for typos and that the DNS record exists in the environment the service runs in",
			"the database being down: the name itself does not resolve"},
		{ClassDNSTimeout, StageDNS,
			"the resolver did not answer: check the DNS servers the host uses and network policy towards them",
			"a bad host name: the resolver never answered at all"},
		{ClassDNSServerFailed, StageDNS,
			"the DNS server could not be reached or failed the query (port closed, SERVFAIL, a malformed answer): check the DNS servers the host uses (resolv.conf, the cluster DNS) and that they serve this zone",
			"a missing host name: the resolver failed, so whether the name exists is not known"},
		{ClassTCPRefused, StageTCP,
			"nothing listens on that address and port: check the port, and that the server (or its proxy) is running",
			"a firewall: a refusal is an active answer, so the host is reachable"},
		{ClassTCPTimeout, StageTCP,
			"the SYN got no answer: check firewalls, security groups, network policies, and the server's listen backlog",
			"a wrong password or a down database: no connection was ever established"},
		{ClassTCPUnreachable, StageTCP,
			"no route to the address: check routing, VPC peering, and that the address is the one intended",
			"the database being down: the network has no path to it"},
		{ClassProtocolTimeout, StageAuth,
			"the server accepted the connection and said nothing: check that the port belongs to this database kind and the server is not hung",
			"a network timeout: TCP worked, the process behind the port did not answer"},
		{ClassProtocolError, StageAuth,
			"the server answered something that is not this database's protocol: check the port (another service listens there) or a proxy in between",
			"a TLS or password problem: the bytes received were not the expected protocol at all"},
		{ClassTLSNotSupportedByServer, StageTLS,
			"the server does not offer TLS: enable TLS on the server, or lower the profile's TLS mode if plaintext is acceptable there",
			"a certificate problem: the server refused TLS before any certificate was sent"},
		{ClassTLSRequiredByServer, StageTLS,
			"the server accepts these credentials only over TLS: set the profile's TLS mode to require or stronger",
			"a wrong password: the same credentials succeeded over TLS"},
		{ClassTLSCertInvalid, StageTLS,
			"the server certificate does not verify: check the CA file, the host name in the certificate, and its validity dates",
			"the server refusing TLS: the handshake started, the certificate did not verify"},
		{ClassTLSHandshakeFailed, StageTLS,
			"client and server found no common TLS version or cipher: align the minimum and maximum TLS versions on both sides",
			"a certificate problem: the handshake failed before certificates mattered"},
		{ClassAuthFailed, StageAuth,
			"credentials were rejected by the server: check the user name and the password source (the secret may have rotated)",
			"a network problem: the network is fine, the server answered"},
		{ClassAuthMethodUnsupported, StageAuth,
			"the server asks for an authentication method the client cannot perform: change the server's rule for this user or the client's method",
			"a wrong password: the password was never checked"},
		{ClassRoleNotFound, StageAuth,
			"the user does not exist on the server: create it or fix the user name",
			"a wrong password: the server said the user itself is unknown"},
		{ClassAccessRejected, StageAuth,
			"the server's access rules refuse this user from this client (pg_hba.conf, host grants, NOLOGIN): add a rule or use an allowed user",
			"a wrong password: the server refused before or regardless of the password"},
		{ClassDatabaseNotFound, StageDatabase,
			"the database does not exist on this server: fix the name or create the database",
			"a permission problem: the name itself is unknown"},
		{ClassPermissionDenied, StageDatabase,
			"the user lacks a privilege (CONNECT on the database, or on the objects the query uses): grant it or use another user",
			"a missing database or wrong password: login worked, a privilege is missing"},
		{ClassTooManyConnections, StageAuth,
			"the server or the user's connection limit is reached: find who holds connections, lower pool sizes, or raise the limit",
			"a network or auth problem: the server answered and refused for capacity"},
		{ClassServerStartingOrStopping, StageAuth,
			"the server is starting up, shutting down or in recovery: wait and retry (--retries), or check why it restarts",
			"a crash or wrong credentials: the server said it is not accepting connections now"},
		{ClassReadOnlyServer, StageQuery,
			"a profile that writes reached a read-only server (a replica or a read-only database): point it at the primary or set target_session_attrs",
			"a permission problem: the server refuses all writes, not this user's"},
		{ClassQueryTimeout, StageQuery,
			"the query did not finish within the deadline: check locks, server load, and the statement timeout",
			"a connection problem: the connection worked, the query was slow"},
		{ClassQueryFailed, StageQuery,
			"the configured query failed on the server: the code says why (a missing table, a syntax error)",
			"a connection problem: the connection worked, the query itself is wrong"},
		{ClassPoolCapacityExceeded, StageCapacity,
			"pool size times replicas is above the connections the server has free: lower the pool, the replica count, or raise the server limit",
			"a server outage: it works now and will fail when every replica opens its pool"},
		{ClassUpstreamUnavailable, StageAuth,
			"the pooler (PgBouncer) cannot reach or log in to the database behind it: check the pooler's server address and its own credentials",
			"the application's credentials or the pooler being down: the pooler answered, its server did not"},
		{ClassUnknown, StageAuth,
			"an error no rule classifies: read the detail and code; please report it so it gets a class",
			"anything: this is not a diagnosis"},
		{ClassNotVerified, StageConfig,
			"the run ended (--timeout passed, or it was interrupted) before this profile's probe finished; the stage is the one running then (config when it never began): raise --timeout or --workers, or lower --stage-timeout and --retries",
			"a failure of the profile: nothing is known about it, the server was never asked or never answered in time for the run"},
	}
}

// Info returns the taxonomy entry of c; ok is false for a class that is
// not in the taxonomy.
func Info(c Class) (ClassInfo, bool) {
	for _, ci := range Classes() {
		if ci.Class == c {
			return ci, true
		}
	}
	return ClassInfo{}, false
}

// Remediation returns c's remediation line, or "" for no class.
func Remediation(c Class) string {
	ci, _ := Info(c)
	return ci.Remediation
}
