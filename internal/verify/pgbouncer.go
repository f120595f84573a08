package verify

import "strings"

// The one place where dbguard reads English message text.
//
// PgBouncer 1.18 answers SQLSTATE 08P01 (protocol_violation) for a wrong
// password, an unknown database, a full max_client_conn and more, so the
// code alone cannot tell them apart. Its messages are fixed strings compiled
// into the binary, never localised, so they are matched here exactly (as a
// whole, or as a prefix where PgBouncer appends a name). Each entry has a
// test in pgbouncer_test.go; a new PgBouncer version that changes a string
// fails that test rather than misclassifying in production.

// pgbouncerMessage is one fixed PgBouncer message.
type pgbouncerMessage struct {
	text   string
	prefix bool // PgBouncer appends a name after text
	class  Class
}

func pgbouncerMessages() []pgbouncerMessage {
	return []pgbouncerMessage{
		{"SASL authentication failed", false, ClassAuthFailed},
		{"password authentication failed", false, ClassAuthFailed},
		{`"trust" authentication failed`, false, ClassAuthFailed},
		{"certificate authentication failed", false, ClassAuthFailed},
		{"PAM authentication failed", false, ClassAuthFailed},
		{"SCRAM authentication failed: user has MD5 secret", false, ClassAuthMethodUnsupported},
		{"no such database: ", true, ClassDatabaseNotFound},
		{"no such user", false, ClassRoleNotFound},
		{"no such user: ", true, ClassRoleNotFound},
		{"no more connections allowed (max_client_conn)", false, ClassTooManyConnections},
		{"server login has been failing, try again later (server_login_retry)", false, ClassUpstreamUnavailable},
		{"client_login_timeout (server down)", false, ClassUpstreamUnavailable},
		{"client_login_timeout", false, ClassProtocolTimeout},
		{"query_wait_timeout", false, ClassQueryTimeout},
		{"not allowed", false, ClassPermissionDenied},
		{"unsupported startup parameter: ", true, ClassConfigInvalid},
	}
}

// classifyPgBouncer maps a PgBouncer 08P01 message to a class; ok is false
// for a message that is not one of PgBouncer's.
func classifyPgBouncer(msg string) (Class, bool) {
	for _, m := range pgbouncerMessages() {
		if m.prefix && strings.HasPrefix(msg, m.text) && len(msg) > len(m.text) || !m.prefix && msg == m.text {
			return m.class, true
		}
	}
	return ClassNone, false
}
