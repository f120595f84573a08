package audit

import "github.com/dbguard/dbguard/internal/policy"

// Rule is an audit rule: its id is a contract as check's are
// (docs/rules/README.md), and its page is docs/rules/ID.md.
type Rule struct {
	ID          string
	Severity    policy.Severity
	Title       string
	Why         string
	Remediation string
}

// The audit's rule ids.
const (
	ServerUnreachable          = "server-unreachable"
	ServerSettingsUnread       = "server-settings-unreadable"
	ServerSSLOff               = "server-ssl-off"
	ServerTLSNotRequired       = "server-tls-not-required"
	ServerTLSVersionOld        = "server-tls-version-old"
	ServerPasswordMD5          = "server-password-encryption-md5"
	ServerIdleTxTimeoutOff     = "server-idle-in-transaction-timeout-off"
	ServerStatementTimeout     = "server-statement-timeout-off"
	ServerLogConnectionsOff    = "server-log-connections-off"
	ServerHBATrustRemote       = "server-hba-trust-remote"
	ServerHBAPlaintext         = "server-hba-plaintext-remote"
	ServerCertExpiring         = "server-certificate-expiring"
	ServerCertExpired          = "server-certificate-expired"
	ServerWaitTimeoutLong      = "server-wait-timeout-long"
	ServerAccountEmptyPassword = "server-account-empty-password"
	ServerAccountAnyHost       = "server-account-any-host"
	PoolerPoolExceedsServer    = "pgbouncer-pool-exceeds-server"
	PoolerSessionMode          = "pgbouncer-session-pool-queue"
	CapacityExceeded           = "server-capacity-exceeded"
	ConfigDrift                = "config-drift"
)

// Rules lists every audit rule, in the order of the report's sections.
func Rules() []Rule {
	return []Rule{
		{ServerUnreachable, policy.Warning, "The audit could not log in to a server",
			"A server the profiles point at could not be read: its settings are unknown, and so is whether it is safe.",
			"Run dbguard verify on the profile named in the finding: it names the failing stage and class."},
		{ServerSettingsUnread, policy.Info, "A part of a server's settings could not be read",
			"The audit's role lacks a privilege to read part of the server's settings (pg_hba_file_rules, mysql.user, PgBouncer's SHOW CONFIG): that part was not judged.",
			"Grant the privilege the finding names to the role the audit logs in with (pg_read_all_settings or superuser for pg_hba_file_rules; SELECT on mysql.user; admin_users or stats_users in PgBouncer), or accept that the part stays unjudged."},
		{ServerSSLOff, policy.Error, "PostgreSQL runs with ssl = off",
			"Without TLS every connection's password exchange, queries and results cross the network readable by anyone on the path; a client set to sslmode=require cannot connect at all.",
			"Set ssl = on with ssl_cert_file and ssl_key_file in postgresql.conf, and reload."},
		{ServerTLSNotRequired, policy.Warning, "MariaDB/MySQL accepts plaintext connections",
			"With require_secure_transport = OFF a client that does not ask for TLS connects in plaintext, and a misconfigured client does so without anyone noticing.",
			"Set require_secure_transport = ON once every client connects with TLS (dbguard check's tls rules find those that do not)."},
		{ServerTLSVersionOld, policy.Warning, "The server accepts TLS 1.0 or 1.1",
			"TLS 1.0 and 1.1 are deprecated (RFC 8996): a downgraded connection is weaker than the server could offer.",
			"PostgreSQL: ssl_min_protocol_version = 'TLSv1.2'. MariaDB/MySQL: tls_version = TLSv1.2,TLSv1.3."},
		{ServerPasswordMD5, policy.Warning, "PostgreSQL stores new passwords as MD5",
			"MD5 password hashes are replayable from a stolen pg_authid and the challenge is weak; SCRAM-SHA-256 is the default since PostgreSQL 14.",
			"Set password_encryption = 'scram-sha-256', then reset each role's password so it is stored as SCRAM, and switch pg_hba lines from md5 to scram-sha-256."},
		{ServerIdleTxTimeoutOff, policy.Warning, "Sessions may stay idle in a transaction forever",
			"A client that opens a transaction and stalls holds its locks and a connection slot until someone kills it: the pool fills and the table bloats.",
			"Set idle_in_transaction_session_timeout (for example '60s') on the server or for the application's role."},
		{ServerStatementTimeout, policy.Info, "The server sets no statement_timeout",
			"Without a server-side statement_timeout a runaway query runs until it finishes or a person cancels it; clients that set none of their own rely on this.",
			"Set statement_timeout for the application's role (ALTER ROLE app SET statement_timeout = '30s') or in the clients (check's statement-timeout-missing-production)."},
		{ServerLogConnectionsOff, policy.Info, "The server does not log connections",
			"When connections start failing, the server's log is where the cause shows (authentication method, pg_hba line, TLS); without log_connections it says nothing of the attempts.",
			"Set log_connections = on (and log_disconnections = on)."},
		{ServerHBATrustRemote, policy.Error, "pg_hba.conf trusts connections from non-local addresses",
			"A trust line lets anyone who reaches the port log in as any role it names, without a password.",
			"Replace trust with scram-sha-256 on every host line whose address is not loopback, and reload."},
		{ServerHBAPlaintext, policy.Warning, "pg_hba.conf admits plaintext connections from non-local addresses",
			"A host line (not hostssl) accepts connections without TLS: a client that does not ask for TLS sends its queries in the clear.",
			"Use hostssl for every line whose address is not loopback, and keep host lines for 127.0.0.1/32 and ::1/128 only."},
		{ServerCertExpiring, policy.Warning, "The server's TLS certificate expires soon",
			"When it expires, every client that verifies certificates fails at the tls stage at once.",
			"Renew the certificate and reload the server before the date in the finding."},
		{ServerCertExpired, policy.Error, "The server's TLS certificate has expired",
			"Clients that verify certificates (verify-ca, verify-full) cannot connect.",
			"Renew the certificate and reload the server."},
		{ServerWaitTimeoutLong, policy.Info, "MariaDB/MySQL keeps idle connections for 8 hours or more",
			"With a long wait_timeout, the idle connections of crashed or scaled-down clients hold slots of max_connections for hours.",
			"Lower wait_timeout (for example 600) and set the clients' pool max lifetime below it."},
		{ServerAccountEmptyPassword, policy.Error, "A MariaDB/MySQL account has an empty password",
			"Anyone who reaches the server logs in as that account without a password.",
			"Set a password (ALTER USER ... IDENTIFIED BY ...) or drop the account; socket-authenticated accounts are not reported."},
		{ServerAccountAnyHost, policy.Warning, "A MariaDB/MySQL account accepts logins from any host",
			"An account whose host is '%' can log in from any address that reaches the port, not only from the application's network.",
			"Create the account for the application's network ('app'@'10.0.%') and drop the '%' one."},
		{PoolerPoolExceedsServer, policy.Error, "A PgBouncer pool is larger than its server admits",
			"PgBouncer opens up to pool_size server connections per database and user: when that exceeds the server's max_connections minus the reserved ones, the server refuses PgBouncer and clients queue until they time out.",
			"Lower default_pool_size (or the database's pool_size) below the server's available connections, or raise max_connections."},
		{PoolerSessionMode, policy.Warning, "PgBouncer in session mode admits more clients than its pool",
			"In session pooling a client holds a server connection for its whole session: clients beyond default_pool_size wait for one to close, which looks like a connection timeout to them.",
			"Use pool_mode = transaction when the application allows it, or raise default_pool_size to the clients' peak."},
		{CapacityExceeded, policy.Error, "The clients of a server open more connections than it admits",
			"Every replica opens its own pool; at the rollout's peak the server refuses the connections beyond max_connections minus the reserved ones, for every service that uses it.",
			"Lower pool sizes or replicas, raise max_connections, or put PgBouncer in front of the server."},
		{ConfigDrift, policy.Warning, "A file on disk differs from its last recorded revision",
			"What runs is not what was reviewed, recorded and verified: rollback and history no longer describe it.",
			"Record the change (dbguard record) after reviewing it, or restore the recorded revision (dbguard rollback)."},
	}
}

// LookupRule returns the rule with id.
func LookupRule(id string) (Rule, bool) {
	for _, r := range Rules() {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}
