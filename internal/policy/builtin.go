package policy

// Rule ids. They are a contract (docs/rules/README.md): never renamed,
// never reused for another check.
const (
	InputUnreadable          = "input-unreadable"
	SuppressionWithoutReason = "suppression-without-reason"

	ConnectionStringInvalid = "connection-string-invalid"
	DriverUnknown           = "driver-unknown"

	PortInvalid               = "port-invalid"
	HostEmpty                 = "host-empty"
	HostPlaceholderProduction = "host-placeholder-production"

	TLSDisabledProduction      = "tls-disabled-production"
	TLSUnverifiedProduction    = "tls-unverified-production"
	TLSNotConfiguredProduction = "tls-not-configured-production"

	PasswordLiteral       = "password-literal"
	PasswordNeedsEncoding = "password-needs-encoding"
	PasswordSharedAcross  = "password-shared-across-environments"

	ConnectTimeoutMissing    = "connect-timeout-missing"
	ConnectTimeoutDriverOnly = "connect-timeout-driver-default"
	ConnectTimeoutTooLong    = "connect-timeout-too-long"
	StatementTimeoutMissing  = "statement-timeout-missing-production"

	PoolUnbounded            = "pool-unbounded"
	PoolTooLarge             = "pool-too-large"
	PoolIdleAboveOpen        = "pool-idle-above-open"
	PoolLifetimeMissing      = "pool-lifetime-missing-production"
	PoolLifetimeAboveIdle    = "pool-lifetime-above-server-idle-timeout"
	PoolExceedsServer        = "pool-exceeds-server-connections"
	PoolExceedsBouncerClient = "pool-exceeds-pgbouncer-clients"
	PoolExceedsBouncerPool   = "pool-exceeds-pgbouncer-pool"

	ProductionNamesNonProduction = "production-points-at-nonproduction"
	NonProductionNamesProduction = "nonproduction-points-at-production"

	UnresolvedProduction   = "unresolved-without-default-production"
	DefaultLocalProduction = "default-host-placeholder-production"

	DuplicateKey    = "duplicate-key"
	KeyOutsideBlock = "key-outside-block"

	MultiHostNoTargetSession = "multi-host-without-target-session-attrs"
	WriterUsesReader         = "writer-uses-reader-endpoint"

	FleetInconsistent = "fleet-inconsistent"

	ClientServerPort     = "client-server-port-mismatch"
	ClientServerTLS      = "client-server-tls-mismatch"
	ClientServerDatabase = "client-server-database-mismatch"
	ClientServerUser     = "client-server-user-mismatch"
)

// Builtins returns dbguard's built-in rules in documentation order. It
// builds a fresh list on each call so that no caller can change another's.
func Builtins() []*Rule {
	var rs []*Rule
	for _, family := range [][]*Rule{
		inputRules(), parseRules(), addressRules(), tlsRules(), passwordRules(), timeoutRules(),
		poolRules(), capacityRules(), environmentRules(), interpolationRules(), keyRules(),
		topologyRules(), fleetRules(), clientServerRules(),
	} {
		rs = append(rs, family...)
	}
	return rs
}

// Lookup returns the built-in rule with this id.
func Lookup(id string) (*Rule, bool) {
	for _, r := range Builtins() {
		if r.ID == id {
			return r, true
		}
	}
	return nil, false
}

func inputRules() []*Rule {
	return []*Rule{
		{
			ID: InputUnreadable, Family: 0, Severity: Error,
			Title:       "An input file cannot be read",
			Why:         "A file that cannot be read or parsed is a file whose connection settings nobody checked. dbguard reports it instead of skipping it silently, so a syntax error cannot hide a bad setting.",
			Remediation: "Fix the file's syntax or permissions, or exclude it in dbguard.yaml if it is not configuration.",
			BadName:     "config.yaml", Bad: "database:\n  host: db\n   port: 5432   # mis-indented: not valid YAML\n",
			GoodName: "config.yaml", Good: "database:\n  host: db\n  port: 5432\n",
		},
		{
			ID: SuppressionWithoutReason, Family: 0, Severity: Warning,
			Title:       "A dbguard:ignore comment gives no reason",
			Why:         "A suppression is a decision someone made; without its reason the next reader cannot tell whether it still holds. A suppression without a reason is not honoured.",
			Remediation: "Write the reason after the rule id: # dbguard:ignore RULE-ID the reason.",
			BadName:     "config.yaml", Bad: "database:\n  # dbguard:ignore password-literal\n  password: local-only\n",
			GoodName: "config.yaml", Good: "database:\n  # dbguard:ignore password-literal throwaway container for the test suite\n  password: local-only\n",
		},
	}
}
