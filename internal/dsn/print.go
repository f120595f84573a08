package dsn

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
)

// String describes c without any secret, so that printing a Conn by
// mistake (%v, %+v, %s) cannot leak its password.
func (c Conn) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s", c.Format)
	if c.Driver != "" {
		fmt.Fprintf(&b, " %s", c.Driver)
	}
	for i, h := range c.Hosts {
		sep := " "
		if i > 0 {
			sep = ","
		}
		b.WriteString(sep + h.Host.Value)
		if h.Instance.Set {
			b.WriteString(`\` + h.Instance.Value)
		}
		if h.Port.Set {
			b.WriteString(":" + h.Port.Value)
		}
	}
	if c.Database.Set {
		fmt.Fprintf(&b, " db=%q", c.Database.Value)
	}
	if c.User.Set {
		fmt.Fprintf(&b, " user=%q", c.User.Value)
	}
	if c.Password.Set {
		b.WriteString(" password=" + Mask)
	}
	if c.TLS.Set {
		fmt.Fprintf(&b, " %s=%q", c.TLSKey, c.TLS.Value)
	}
	return b.String()
}

// GoString keeps %#v from printing the password.
func (c Conn) GoString() string { return "dsn.Conn{" + c.String() + "}" }

// LogValue keeps slog from printing the password.
func (c Conn) LogValue() slog.Value { return slog.StringValue(c.String()) }

// MarshalJSON writes c with the password and secret-like parameters
// masked; Raw text of masked parts is masked too.
func (c Conn) MarshalJSON() ([]byte, error) {
	type plain Conn // without methods, so no recursion
	p := plain(c)
	p.Password = maskPart(p.Password)
	p.Params = append([]Param(nil), c.Params...)
	for i := range p.Params {
		if isSecretKey(normKey(p.Params[i].Key)) {
			p.Params[i].Value = maskPart(p.Params[i].Value)
		}
	}
	return json.Marshal(p)
}

func maskPart(p Part) Part {
	if p.Set && p.Value != "" && !isPlainRef(p.Value) {
		p.Value, p.Raw = Mask, Mask
	}
	return p
}
