package dsn_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/dsn"
)

// want is a parse result written compactly. A Part is written as its
// Value; the empty string means not set, and two single quotes mean set
// but empty.
type want struct {
	format, scheme, driver string
	network                string
	hosts                  []string // host[\instance][:port][ sock]
	db, user, pass         string
	tls, tlsKey            string
	params                 []string // key=value
	issues                 []string // substrings, in order
	needsEnc               bool
}

func pv(p dsn.Part) string {
	switch {
	case !p.Set:
		return ""
	case p.Value == "":
		return "''"
	}
	return p.Value
}

func hostString(h dsn.Host) string {
	var b strings.Builder
	host := pv(h.Host)
	if strings.Contains(host, ":") && !h.Socket && !dsn.HasInterpolation(host) {
		host = "[" + host + "]"
	}
	b.WriteString(host)
	if h.Instance.Set {
		b.WriteString(`\` + pv(h.Instance))
	}
	if h.Port.Set {
		b.WriteString(":" + pv(h.Port))
	}
	if h.Socket {
		b.WriteString(" sock")
	}
	return b.String()
}

func summarize(c *dsn.Conn) want {
	w := want{
		format: c.Format, scheme: c.Scheme, driver: c.Driver, network: pv(c.Network),
		db: pv(c.Database), user: pv(c.User), pass: pv(c.Password),
		tls: pv(c.TLS), tlsKey: c.TLSKey, needsEnc: c.PasswordNeedsEncoding(),
	}
	for _, h := range c.Hosts {
		w.hosts = append(w.hosts, hostString(h))
	}
	for _, p := range c.Params {
		w.params = append(w.params, p.Key+"="+pv(p.Value))
	}
	for _, is := range c.Issues {
		w.issues = append(w.issues, is.Msg)
	}
	return w
}

// compare checks got against w; issue messages are matched by substring.
func compare(t *testing.T, s string, c *dsn.Conn, w want) {
	t.Helper()
	g := summarize(c)
	var diffs []string
	check := func(name, got, exp string) {
		if got != exp {
			diffs = append(diffs, fmt.Sprintf("%s = %q, want %q", name, got, exp))
		}
	}
	check("Format", g.format, w.format)
	check("Scheme", g.scheme, w.scheme)
	check("Driver", g.driver, w.driver)
	check("Network", g.network, w.network)
	check("Database", g.db, w.db)
	check("User", g.user, w.user)
	check("Password", g.pass, w.pass)
	check("TLS", g.tls, w.tls)
	check("TLSKey", g.tlsKey, w.tlsKey)
	if !slices.Equal(g.hosts, w.hosts) {
		diffs = append(diffs, fmt.Sprintf("Hosts = %q, want %q", g.hosts, w.hosts))
	}
	if !slices.Equal(g.params, w.params) {
		diffs = append(diffs, fmt.Sprintf("Params = %q, want %q", g.params, w.params))
	}
	if len(g.issues) != len(w.issues) {
		diffs = append(diffs, fmt.Sprintf("Issues = %q, want %q", g.issues, w.issues))
	} else {
		for i := range w.issues {
			if !strings.Contains(g.issues[i], w.issues[i]) {
				diffs = append(diffs, fmt.Sprintf("Issues[%d] = %q, want it to contain %q", i, g.issues[i], w.issues[i]))
			}
		}
	}
	if g.needsEnc != w.needsEnc {
		diffs = append(diffs, fmt.Sprintf("PasswordNeedsEncoding = %v, want %v", g.needsEnc, w.needsEnc))
	}
	for _, d := range diffs {
		t.Errorf("%q: %s", s, d)
	}
	checkSpans(t, s, c)
}

// allParts lists every Part of c with a name for messages.
func allParts(c *dsn.Conn) map[string]dsn.Part {
	m := map[string]dsn.Part{
		"Network": c.Network, "Database": c.Database, "User": c.User,
		"Password": c.Password, "TLS": c.TLS,
	}
	for i, h := range c.Hosts {
		m[fmt.Sprintf("Hosts[%d].Host", i)] = h.Host
		m[fmt.Sprintf("Hosts[%d].Port", i)] = h.Port
		m[fmt.Sprintf("Hosts[%d].Instance", i)] = h.Instance
	}
	for i, p := range c.Params {
		m[fmt.Sprintf("Params[%d](%s)", i, p.Key)] = p.Value
	}
	return m
}

// spanErrors returns what is wrong with the spans of c over s.
func spanErrors(s string, c *dsn.Conn) []string {
	var out []string
	for name, p := range allParts(c) {
		if !p.Set {
			continue
		}
		if p.Off < 0 || p.End < p.Off || p.End > len(s) {
			out = append(out, fmt.Sprintf("%s span [%d,%d) out of range 0..%d", name, p.Off, p.End, len(s)))
			continue
		}
		if s[p.Off:p.End] != p.Raw {
			out = append(out, fmt.Sprintf("%s: s[%d:%d] = %q, Raw = %q", name, p.Off, p.End, s[p.Off:p.End], p.Raw))
		}
	}
	for _, p := range c.Params {
		if p.KeyOff < 0 || p.KeyOff > len(s) {
			out = append(out, fmt.Sprintf("param %q KeyOff %d out of range", p.Key, p.KeyOff))
		}
	}
	for _, is := range c.Issues {
		if is.Off < 0 || is.End < is.Off || is.End > len(s) {
			out = append(out, fmt.Sprintf("issue %q span [%d,%d) out of range", is.Msg, is.Off, is.End))
		}
	}
	slices.Sort(out)
	return out
}

func checkSpans(t *testing.T, s string, c *dsn.Conn) {
	t.Helper()
	for _, e := range spanErrors(s, c) {
		t.Errorf("%q: %s", s, e)
	}
}

type parseCase struct {
	name string
	in   string
	want want
}

type errCase struct {
	name string
	in   string
	off  int
	msg  string
}

func runParseCases(t *testing.T, parse func(string) (*dsn.Conn, error), cases []parseCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := parse(tc.in)
			if err != nil {
				t.Fatalf("parse %q: %v", tc.in, err)
			}
			compare(t, tc.in, c, tc.want)
		})
	}
}

func runErrCases(t *testing.T, format string, parse func(string) (*dsn.Conn, error), cases []errCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := parse(tc.in)
			if err == nil {
				t.Fatalf("parse %q: no error, got %+v", tc.in, summarize(c))
			}
			se, ok := err.(*dsn.SyntaxError)
			if !ok {
				t.Fatalf("parse %q: error %T %v, want *dsn.SyntaxError", tc.in, err, err)
			}
			if se.Format != format || se.Off != tc.off || !strings.Contains(se.Msg, tc.msg) {
				t.Errorf("parse %q: got %s/%d/%q, want %s/%d/%q", tc.in, se.Format, se.Off, se.Msg, format, tc.off, tc.msg)
			}
			wantErr := fmt.Sprintf("parse %s: offset %d: %s", se.Format, se.Off, se.Msg)
			if err.Error() != wantErr {
				t.Errorf("Error() = %q, want %q", err.Error(), wantErr)
			}
		})
	}
}

func inputs(cases []parseCase) []string {
	var out []string
	for _, c := range cases {
		out = append(out, c.in)
	}
	return out
}

func errInputs(cases []errCase) []string {
	var out []string
	for _, c := range cases {
		out = append(out, c.in)
	}
	return out
}
