package profile_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/profile"
)

const canary = `Cn@ry:p/ss%w"rd\ÿ-7Q`

type holder struct {
	Exported profile.Secret
	hidden   profile.Secret
	Password profile.Password
}

// TestSecretNeverRenders prints a secret every way Go can and fails if the
// clear text appears.
func TestSecretNeverRenders(t *testing.T) {
	s := profile.NewSecret(canary)
	h := holder{Exported: s, hidden: s, Password: profile.Password{Secret: s, Set: true}}
	ptr := &h
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%T", "%10.3s"} {
		outs = append(outs, fmt.Sprintf(verb, s), fmt.Sprintf(verb, h), fmt.Sprintf(verb, ptr))
	}
	outs = append(outs, s.String(), s.GoString(), fmt.Sprint(s), fmt.Sprintln(h))
	for _, v := range []any{s, h, ptr, map[string]profile.Secret{"k": s}, []profile.Secret{s}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, string(b))
	}
	txt, _ := s.MarshalText()
	outs = append(outs, string(txt))
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("connect", "password", s, "holder", h)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("connect", "password", s, "holder", h)
	outs = append(outs, buf.String())
	for _, o := range outs {
		if strings.Contains(o, canary) || strings.Contains(o, "p/ss") || strings.Contains(o, fmt.Sprintf("%x", canary)[:12]) {
			t.Errorf("secret leaked: %s", o)
		}
	}
	if s.Reveal() != canary {
		t.Errorf("Reveal = %q, want the secret", s.Reveal())
	}
	if !s.Equal(profile.NewSecret(canary)) || s.Equal(profile.NewSecret("other")) {
		t.Error("Equal compares wrongly")
	}
	var zero profile.Secret
	if !zero.Empty() || zero.Reveal() != "" || zero.String() != profile.Mask {
		t.Error("zero Secret misbehaves")
	}
}

func TestCanonicalEnvironment(t *testing.T) {
	tests := map[string]profile.Environment{
		"PRODUCTION": profile.Production, "prod": profile.Production, "stage": profile.Staging,
		"uat": profile.Staging, "dev": profile.Development, "qa": profile.Test, "sandbox": profile.Unknown, "": profile.Unknown,
	}
	for raw, want := range tests {
		if got := profile.CanonicalEnvironment(raw); got != want {
			t.Errorf("CanonicalEnvironment(%q) = %s, want %s", raw, got, want)
		}
	}
}

func TestValueEffective(t *testing.T) {
	tests := []struct {
		v    profile.Value
		want string
		ok   bool
	}{
		{profile.Value{}, "", false},
		{profile.Value{Text: "db", Set: true}, "db", true},
		{profile.Value{Text: "${H:-db}", Set: true, Unresolved: true, Default: "db", HasDefault: true}, "db", true},
		{profile.Value{Text: "${H}", Set: true, Unresolved: true}, "", false},
	}
	for _, tt := range tests {
		got, ok := tt.v.Effective()
		if got != tt.want || ok != tt.ok {
			t.Errorf("%+v.Effective() = %q, %v; want %q, %v", tt.v, got, ok, tt.want, tt.ok)
		}
	}
}
