package extract

import "testing"

// TestSecretStems: every key the tables read as a password, and every
// secret parameter name, holds a secretStem, so that mayNameSecret never
// passes over a key that holdsSecret accepts.
func TestSecretStems(t *testing.T) {
	var keys []string
	for k, f := range keyFields {
		if f == fPassword || f == fPasswordFile {
			keys = append(keys, k)
		}
	}
	for k, f := range weakKeys {
		if f == fPassword {
			keys = append(keys, k)
		}
	}
	for _, s := range envSuffixes {
		if s.f == fPassword {
			keys = append(keys, "DB"+s.suffix)
		}
	}
	for k, f := range libpqEnv {
		if f == fPassword {
			keys = append(keys, k)
		}
	}
	keys = append(keys, "api_token", "client_secret", "accesskey", "db_pass", "x-key")
	for _, k := range keys {
		if !holdsSecret(k) {
			t.Errorf("holdsSecret(%q) = false", k)
		}
		if !mayNameSecret([]byte(k)) {
			t.Errorf("mayNameSecret(%q) = false: add its stem to secretStems", k)
		}
	}
	for _, k := range []string{"host", "user", "port", "database", "sslmode"} {
		if holdsSecret(k) {
			t.Errorf("holdsSecret(%q) = true", k)
		}
	}
}
