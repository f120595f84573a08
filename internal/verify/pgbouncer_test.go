package verify

import "testing"

// One case per PgBouncer 1.18 message matched in pgbouncer.go, as the
// server sends it (with a name appended where PgBouncer appends one).
func TestPgBouncerMessages(t *testing.T) {
	cases := []struct {
		msg  string
		want Class
	}{
		{"SASL authentication failed", ClassAuthFailed},
		{"password authentication failed", ClassAuthFailed},
		{`"trust" authentication failed`, ClassAuthFailed},
		{"certificate authentication failed", ClassAuthFailed},
		{"PAM authentication failed", ClassAuthFailed},
		{"SCRAM authentication failed: user has MD5 secret", ClassAuthMethodUnsupported},
		{"no such database: orders", ClassDatabaseNotFound},
		{"no such user", ClassRoleNotFound},
		{"no such user: app", ClassRoleNotFound},
		{"no more connections allowed (max_client_conn)", ClassTooManyConnections},
		{"server login has been failing, try again later (server_login_retry)", ClassUpstreamUnavailable},
		{"client_login_timeout (server down)", ClassUpstreamUnavailable},
		{"client_login_timeout", ClassProtocolTimeout},
		{"query_wait_timeout", ClassQueryTimeout},
		{"not allowed", ClassPermissionDenied},
		{"unsupported startup parameter: statement_timeout", ClassConfigInvalid},
	}
	if len(cases) != len(pgbouncerMessages()) {
		t.Fatalf("%d cases for %d messages: every message needs a test", len(cases), len(pgbouncerMessages()))
	}
	for _, tc := range cases {
		t.Run(tc.msg, func(t *testing.T) {
			got, ok := classifyPgBouncer(tc.msg)
			if !ok || got != tc.want {
				t.Fatalf("classifyPgBouncer(%q) = %q, %v; want %q", tc.msg, got, ok, tc.want)
			}
			se := &ServerError{System: SystemSQLState, Code: "08P01", Message: tc.msg}
			if _, c, _ := classify(StageAuth, se); c != tc.want {
				t.Fatalf("classify = %q, want %q", c, tc.want)
			}
		})
	}
	for _, msg := range []string{"", "no such database: ", "SASL authentication failed!", "database \"x\" does not exist"} {
		if c, ok := classifyPgBouncer(msg); ok {
			t.Errorf("classifyPgBouncer(%q) = %q; want no match", msg, c)
		}
	}
}

func TestClassifyCodes(t *testing.T) {
	cases := []struct {
		system, code string
		stage        Stage
		want         Class
		wantStage    Stage
	}{
		{SystemSQLState, "28P01", StageAuth, ClassAuthFailed, StageAuth},
		{SystemSQLState, "28000", StageAuth, ClassAccessRejected, StageAuth},
		{SystemSQLState, "3D000", StageAuth, ClassDatabaseNotFound, StageDatabase},
		{SystemSQLState, "42501", StageAuth, ClassPermissionDenied, StageDatabase},
		{SystemSQLState, "42501", StageQuery, ClassPermissionDenied, StageQuery},
		{SystemSQLState, "53300", StageAuth, ClassTooManyConnections, StageAuth},
		{SystemSQLState, "57P03", StageAuth, ClassServerStartingOrStopping, StageAuth},
		{SystemSQLState, "57014", StageQuery, ClassQueryTimeout, StageQuery},
		{SystemSQLState, "25006", StageQuery, ClassReadOnlyServer, StageQuery},
		{SystemSQLState, "42P01", StageQuery, ClassQueryFailed, StageQuery},
		{SystemSQLState, "XX000", StageAuth, ClassUnknown, StageAuth},
		{SystemMySQL, "1045", StageAuth, ClassAuthFailed, StageAuth},
		{SystemMySQL, "1044", StageAuth, ClassPermissionDenied, StageDatabase},
		{SystemMySQL, "1049", StageAuth, ClassDatabaseNotFound, StageDatabase},
		{SystemMySQL, "1040", StageAuth, ClassTooManyConnections, StageAuth},
		{SystemMySQL, "1203", StageAuth, ClassTooManyConnections, StageAuth},
		{SystemMySQL, "1226", StageAuth, ClassTooManyConnections, StageAuth},
		{SystemMySQL, "1130", StageAuth, ClassAccessRejected, StageAuth},
		{SystemMySQL, "1969", StageQuery, ClassQueryTimeout, StageQuery},
		{SystemMySQL, "1146", StageQuery, ClassQueryFailed, StageQuery},
	}
	for _, tc := range cases {
		t.Run(tc.system+" "+tc.code+" "+string(tc.stage), func(t *testing.T) {
			s, c, code := classify(tc.stage, &ServerError{System: tc.system, Code: tc.code, Message: "text is not read"})
			if c != tc.want || s != tc.wantStage || code != tc.code {
				t.Fatalf("classify = %s %s %s; want %s %s %s", s, c, code, tc.wantStage, tc.want, tc.code)
			}
		})
	}
}

func TestEveryClassIsDocumented(t *testing.T) {
	seen := map[Class]bool{}
	for _, ci := range Classes() {
		if ci.Remediation == "" || ci.MistakenFor == "" || ci.Stage == "" {
			t.Errorf("%s: remediation, mistaken-for and stage are all required", ci.Class)
		}
		if seen[ci.Class] {
			t.Errorf("%s listed twice", ci.Class)
		}
		seen[ci.Class] = true
	}
}
