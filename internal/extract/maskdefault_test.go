package extract

import (
	"strings"
	"testing"
)

// A password expression shows its variables, never a literal part of the
// password: not a default, not text around or between interpolations.
func TestMaskDefault(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"${DB_PASSWORD}":            "${DB_PASSWORD}",
		"${DB_PASSWORD:-hunter2}":   "${DB_PASSWORD:-*****}",
		"S3cret${SUFFIX}":           "*****${SUFFIX}",
		"${PREFIX}S3cret":           "${PREFIX}*****",
		"${A}middle${B:-tail}":      "${A}*****${B:-*****}",
		"Pz9!k#Qv$A000000":          "*****$A000000",
		"{{ .Values.db.password }}": "{{ .Values.db.password }}",
	}
	for in, want := range tests {
		got := maskDefault(in)
		if got != want {
			t.Errorf("maskDefault(%q) = %q, want %q", in, got, want)
		}
		for _, secret := range []string{"hunter2", "S3cret", "middle", "tail", "Pz9!"} {
			if strings.Contains(in, secret) && strings.Contains(got, secret) {
				t.Errorf("maskDefault(%q) = %q shows %q", in, got, secret)
			}
		}
	}
}
