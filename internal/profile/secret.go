package profile

import (
	"fmt"
	"log/slog"
)

// Mask is what every rendering of a Secret prints.
const Mask = "*****"

// Secret holds a credential in memory. Every way Go renders a value — fmt
// verbs, JSON, text marshalling, slog — prints Mask instead, so a secret that
// reaches a log line, an error or a report by accident is still not leaked.
// The clear value is reachable only through Reveal, which callers use to hand
// it to a driver and nowhere else.
//
// The zero Secret is empty. Secrets are compared with Equal, in memory; no
// hash of a secret is ever computed or stored.
type Secret struct {
	v *string // a pointer so that %v on an enclosing struct prints an address, not the text
}

// NewSecret wraps s.
func NewSecret(s string) Secret { return Secret{v: &s} }

// Reveal returns the clear value. Call it only to pass the secret to a
// database driver or to compare it.
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// Empty reports whether the secret holds no text.
func (s Secret) Empty() bool { return s.v == nil || *s.v == "" }

// Equal compares two secrets in memory.
func (s Secret) Equal(o Secret) bool { return s.Reveal() == o.Reveal() }

func (s Secret) String() string   { return Mask }
func (s Secret) GoString() string { return "profile.Secret{" + Mask + "}" }

// Format implements fmt.Formatter so that every verb, %#v and %q included,
// prints the mask.
func (s Secret) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(Mask)) }

func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + Mask + `"`), nil }
func (s Secret) MarshalText() ([]byte, error) { return []byte(Mask), nil }
func (s Secret) LogValue() slog.Value         { return slog.StringValue(Mask) }

var (
	_ fmt.Stringer   = Secret{}
	_ fmt.GoStringer = Secret{}
	_ fmt.Formatter  = Secret{}
	_ slog.LogValuer = Secret{}
)
