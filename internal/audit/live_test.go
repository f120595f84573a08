package audit_test

import (
	"slices"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/audit"
)

func rules(fs []audit.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	slices.Sort(out)
	return out
}

func TestJudge(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	soon, past, later := now.Add(5*24*time.Hour), now.Add(-time.Hour), now.Add(400*24*time.Hour)
	tests := []struct {
		name string
		s    audit.Server
		want []string
	}{
		{"postgres weak", audit.Server{Kind: "postgresql", Settings: map[string]string{"ssl": "off", "ssl_min_protocol_version": "TLSv1",
			"password_encryption": "md5", "idle_in_transaction_session_timeout": "0", "statement_timeout": "0", "log_connections": "off"},
			HBA: []audit.HBALine{
				{Line: 1, Type: "local", Address: "", Method: "trust"},
				{Line: 2, Type: "host", Address: "127.0.0.1", Netmask: "255.255.255.255", Method: "trust"},
				{Line: 3, Type: "host", Address: "0.0.0.0", Netmask: "0.0.0.0", Method: "trust"},
				{Line: 4, Type: "hostssl", Address: "10.0.0.0", Netmask: "255.0.0.0", Method: "scram-sha-256"},
				{Line: 5, Type: "host", Address: "::1", Netmask: "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Method: "trust"},
				{Line: 6, Type: "host", Address: "all", Method: "reject"},
			}},
			[]string{audit.ServerHBAPlaintext, audit.ServerHBATrustRemote, audit.ServerIdleTxTimeoutOff, audit.ServerLogConnectionsOff,
				audit.ServerPasswordMD5, audit.ServerSSLOff, audit.ServerStatementTimeout, audit.ServerTLSVersionOld}},
		{"postgres sound", audit.Server{Kind: "postgresql", Settings: map[string]string{"ssl": "on", "ssl_min_protocol_version": "TLSv1.2",
			"password_encryption": "scram-sha-256", "idle_in_transaction_session_timeout": "60000", "statement_timeout": "30000", "log_connections": "on"},
			HBA: []audit.HBALine{{Line: 1, Type: "hostssl", Address: "0.0.0.0", Netmask: "0.0.0.0", Method: "scram-sha-256"}}, CertNotAfter: &later}, nil},
		{"certificate expiring", audit.Server{Kind: "postgresql", CertNotAfter: &soon}, []string{audit.ServerCertExpiring}},
		{"certificate expired", audit.Server{Kind: "mariadb", CertNotAfter: &past}, []string{audit.ServerCertExpired}},
		{"mariadb weak", audit.Server{Kind: "mariadb", Settings: map[string]string{"require_secure_transport": "OFF", "tls_version": "TLSv1.1,TLSv1.2", "wait_timeout": "28800"},
			Accounts: []audit.Account{{User: "app", Host: "%", Plugin: "mysql_native_password", EmptyPassword: true}, {User: "root", Host: "localhost", Plugin: "unix_socket"}}},
			[]string{audit.ServerAccountAnyHost, audit.ServerAccountEmptyPassword, audit.ServerTLSNotRequired, audit.ServerTLSVersionOld, audit.ServerWaitTimeoutLong}},
		{"mariadb sound", audit.Server{Kind: "mariadb", Settings: map[string]string{"require_secure_transport": "ON", "tls_version": "TLSv1.2,TLSv1.3", "wait_timeout": "600"},
			Accounts: []audit.Account{{User: "app", Host: "10.0.%", Plugin: "mysql_native_password"}}}, nil},
		{"pgbouncer session", audit.Server{Kind: "pgbouncer", Settings: map[string]string{"pool_mode": "session", "max_client_conn": "100", "default_pool_size": "20"}},
			[]string{audit.PoolerSessionMode}},
		{"pgbouncer transaction", audit.Server{Kind: "pgbouncer", Settings: map[string]string{"pool_mode": "transaction", "max_client_conn": "100", "default_pool_size": "20"}}, nil},
		{"unreachable", audit.Server{Kind: "postgresql", Error: "connection refused"}, []string{audit.ServerUnreachable}},
		{"hba unreadable", audit.Server{Kind: "postgresql", Unread: []audit.Unread{{What: "pg_hba_file_rules", Privilege: "superuser"}}}, []string{audit.ServerSettingsUnread}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.s.Address = "db:5432"
			got := audit.Judge(&tt.s, now, 30*24*time.Hour)
			if g := rules(got); !slices.Equal(g, tt.want) {
				t.Fatalf("rules %v, want %v", g, tt.want)
			}
			for _, f := range got {
				if f.Severity == 0 || f.Help != "docs/rules/"+f.Rule+".md" || f.Server != "db:5432" || f.Key == "" {
					t.Errorf("finding not filled from its rule: %+v", f)
				}
			}
		})
	}
}

func TestTrend(t *testing.T) {
	now := []audit.Finding{{Key: "a"}, {Key: "b"}, {Key: "b"}}
	tr := audit.TrendOf([]string{"b", "c"}, now)
	if !slices.Equal(tr.New, []string{"a"}) || !slices.Equal(tr.Open, []string{"b"}) || !slices.Equal(tr.Fixed, []string{"c"}) {
		t.Fatalf("trend %+v", tr)
	}
}
