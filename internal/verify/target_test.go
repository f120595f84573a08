package verify_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/profile"
	"github.com/dbguard/dbguard/internal/verify"
)

func TestTargetFromResolvesReferences(t *testing.T) {
	loc := profile.Location{File: "app.yaml", Line: 3, Column: 7}
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("canary-secret-7f3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DB_HOST": "127.0.0.1", "DB_PASSWORD": "canary-secret-7f3"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	base := func() *profile.Profile {
		p := &profile.Profile{ID: "app.yaml#db"}
		p.Driver = profile.V("postgres", loc)
		p.Hosts = []profile.Host{{Host: profile.Value{Text: "${DB_HOST}", Set: true, Unresolved: true, Var: "DB_HOST", Loc: loc}}}
		p.User = profile.V("app", loc)
		p.Database = profile.V("app", loc)
		return p
	}
	cases := []struct {
		name    string
		edit    func(p *profile.Profile)
		env     bool
		problem string
	}{
		{"env password", func(p *profile.Profile) { p.Password = profile.Password{Set: true, Source: "env:DB_PASSWORD"} }, true, ""},
		{"file password", func(p *profile.Profile) { p.Password = profile.Password{Set: true, Source: "file:" + pwFile} }, true, ""},
		{"missing variable", func(p *profile.Profile) { p.Password = profile.Password{Set: true, Source: "env:NOPE"} }, true, "NOPE, which is not set"},
		{"unresolved host", func(p *profile.Profile) {}, false, "DB_HOST is not set"},
		{"default applies", func(p *profile.Profile) {
			p.Hosts[0].Host.HasDefault, p.Hosts[0].Host.Default = true, "localhost"
		}, false, ""},
		{"bad tls mode", func(p *profile.Profile) { p.TLS.Mode = profile.V("sometimes", loc) }, true, "tls mode"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := base()
			tc.edit(p)
			o := verify.ResolveOptions{}
			if tc.env {
				o.Env = lookup
			}
			tg, err := verify.TargetFrom(p, drivers(), o)
			if tc.problem == "" {
				if err != nil {
					t.Fatalf("TargetFrom: %v", err)
				}
				if strings.HasPrefix(p.Password.Source, "env:DB") || strings.HasPrefix(p.Password.Source, "file:") {
					if tg.Password.Reveal() != "canary-secret-7f3" {
						t.Fatalf("password not resolved")
					}
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.problem) {
				t.Fatalf("error = %v, want one containing %q", err, tc.problem)
			}
			if strings.Contains(err.Error(), "canary-secret") {
				t.Fatalf("error leaks the secret: %v", err)
			}
		})
	}
}
