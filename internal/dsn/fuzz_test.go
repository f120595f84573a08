package dsn_test

import (
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/dsn"
)

// seed adds every table input, valid and invalid, plus a few mutations
// that exercise the awkward corners.
func seed(f *testing.F, in []string) {
	for _, s := range in {
		f.Add(s)
	}
	for _, s := range []string{
		"", "${", "${a", "{{", "<%", "$(", "[", "]", "@", ":", "/", "?", ";", "=", "'", `"`, "{", "%", "%4", "%zz",
		"postgres://", "postgres://@", "postgres://:@:/?", "postgres://[", "postgres://[]:", "postgres://a,,b/",
		"jdbc:oracle:thin:@(", "jdbc:oracle:thin:@()", "jdbc:sqlserver://;=", "Server=;", "host='",
		"u@tcp(", "u@tcp()/", "mysql://@tcp()/", "a=b;c", "x@y@z:/w", "postgres://u:p@h?x@y",
		"h,", "h:,ssl=", ",password=", "[,ssl=1", "h,password=a,b", "h,$=x",
	} {
		f.Add(s)
	}
}

// checkConn checks the properties every parser must keep on any input.
func checkConn(t *testing.T, s string, c *dsn.Conn, err error) {
	t.Helper()
	if err != nil {
		se, ok := err.(*dsn.SyntaxError)
		if !ok {
			t.Fatalf("error %T %v is not a *SyntaxError", err, err)
		}
		if se.Off < 0 || se.Off > len(s) {
			t.Fatalf("error offset %d out of range 0..%d", se.Off, len(s))
		}
		if c != nil {
			t.Fatalf("non-nil Conn with an error")
		}
		return
	}
	if c == nil {
		t.Fatalf("nil Conn without an error")
	}
	if errs := spanErrors(s, c); len(errs) > 0 {
		t.Fatalf("%q: %s", s, strings.Join(errs, "; "))
	}
	checkRedact(t, s, c)
}

// checkRedact checks that Redact leaves no parsed password of at least 4
// bytes behind, when that password is a literal (not ${VAR}), does not
// occur outside its own span, and has no 'x' (the mask itself).
func checkRedact(t *testing.T, s string, c *dsn.Conn) {
	t.Helper()
	p := c.Password
	if !p.Set || len(p.Value) < 4 || strings.ContainsRune(p.Value, 'x') || dsn.IsInterpolation(p.Value) {
		return
	}
	if strings.Contains(s[:p.Off], p.Value) || strings.Contains(s[p.End:], p.Value) {
		return
	}
	if got := dsn.Redact(s); strings.Contains(got, p.Value) {
		t.Fatalf("Redact(%q) = %q still holds the password %q", s, got, p.Value)
	}
	if got := c.RedactParsed(s); strings.Contains(got, p.Value) {
		t.Fatalf("RedactParsed(%q) = %q still holds the password %q", s, got, p.Value)
	}
}

func FuzzParseURL(f *testing.F) {
	seed(f, append(inputs(urlCases()), errInputs(urlErrCases())...))
	f.Fuzz(func(t *testing.T, s string) {
		c, err := dsn.ParseURL(s)
		checkConn(t, s, c, err)
	})
}

func FuzzParseKeywordValue(f *testing.F) {
	seed(f, append(inputs(kvCases()), errInputs(kvErrCases())...))
	f.Fuzz(func(t *testing.T, s string) {
		c, err := dsn.ParseKeywordValue(s)
		checkConn(t, s, c, err)
	})
}

func FuzzParseMySQL(f *testing.F) {
	seed(f, append(inputs(mysqlCases()), errInputs(mysqlErrCases())...))
	f.Fuzz(func(t *testing.T, s string) {
		c, err := dsn.ParseMySQL(s)
		checkConn(t, s, c, err)
	})
}

func FuzzParseJDBC(f *testing.F) {
	seed(f, append(inputs(jdbcCases()), errInputs(jdbcErrCases())...))
	f.Fuzz(func(t *testing.T, s string) {
		c, err := dsn.ParseJDBC(s)
		checkConn(t, s, c, err)
	})
}

func FuzzParseADO(f *testing.F) {
	seed(f, append(inputs(adoCases()), errInputs(adoErrCases())...))
	f.Fuzz(func(t *testing.T, s string) {
		c, err := dsn.ParseADO(s)
		checkConn(t, s, c, err)
	})
}

func FuzzParse(f *testing.F) {
	seed(f, inputs(allCases()))
	f.Fuzz(func(t *testing.T, s string) {
		c, err := dsn.Parse(s)
		checkConn(t, s, c, err)
		dsn.Looks(s)
	})
}

// FuzzRedact checks that Redact never panics and leaves behind no password
// that any parser finds.
func FuzzRedact(f *testing.F) {
	seed(f, inputs(allCases()))
	f.Fuzz(func(t *testing.T, s string) {
		out := dsn.Redact(s)
		if !strings.Contains(out, dsn.Mask) && out != s {
			t.Fatalf("Redact changed %q without masking: %q", s, out)
		}
		for _, parse := range []func(string) (*dsn.Conn, error){
			dsn.Parse, dsn.ParseURL, dsn.ParseKeywordValue, dsn.ParseMySQL, dsn.ParseJDBC, dsn.ParseADO, dsn.ParseStackExchange,
		} {
			if c, err := parse(s); err == nil {
				checkRedact(t, s, c)
			}
		}
	})
}

// plantedKeys and plantedSeps are how FuzzPlantedPassword writes a
// password after its key: the keys every format reads as a password, and
// the separators of each syntax, with the quotes and braces that a stray
// character may leave open, and a missing or mistyped '='. A ';' right
// after the key is not among them: "Password;S3cret=" is a valid ADO
// string in which S3cret is the name of a setting.
var (
	plantedKeys = []string{"password", "Password", "PWD", "pwd", "passwd", "sslpassword", "DB_PASSWORD"}
	plantedSeps = []string{"=", " = ", " ", "\t", ":", "='", `="`, "={", "=${DB_PASSWORD:-", "=#"}
)

// FuzzPlantedPassword plants malformedPassword after a password key in a
// random string: neither Redact's output nor any parser's error may hold a
// run of 4 characters of it, and neither may any field Parse fills other
// than the password and secret parameters (as the Conn prints itself), nor
// RedactParsed's output.
func FuzzPlantedPassword(f *testing.F) {
	for _, tc := range malformedCases() {
		i := strings.Index(tc.in, malformedPassword)
		if i < 0 {
			continue
		}
		pre, post := tc.in[:i], tc.in[i+len(malformedPassword):]
		for k, key := range plantedKeys {
			if end := strings.LastIndex(pre, key); end >= 0 && end+len(key) <= len(pre) {
				for s, sep := range plantedSeps {
					if pre[end+len(key):] == sep {
						f.Add(pre[:end], uint8(k), uint8(s), post)
					}
				}
			}
		}
	}
	for _, tc := range allCases() {
		f.Add(tc.in+";", uint8(0), uint8(0), "")
		f.Add(tc.in+"&", uint8(1), uint8(3), "'tail")
		f.Add(tc.in+" ", uint8(3), uint8(2), " host=h")
	}
	f.Fuzz(func(t *testing.T, pre string, k, sep uint8, post string) {
		const pw = malformedPassword
		if leakedRun(pre, pw) != "" || leakedRun(post, pw) != "" || pre != "" && isKeyByte(pre[len(pre)-1]) {
			return // the password is written by the fuzzer, or its key is part of a longer word
		}
		s := pre + plantedKeys[int(k)%len(plantedKeys)] + plantedSeps[int(sep)%len(plantedSeps)] + pw + post
		if r := leakedRun(dsn.Redact(s), pw); r != "" {
			t.Fatalf("Redact(%q) = %q holds %q", s, dsn.Redact(s), r)
		}
		for _, parse := range []func(string) (*dsn.Conn, error){
			dsn.ParseURL, dsn.ParseKeywordValue, dsn.ParseMySQL, dsn.ParseJDBC, dsn.ParseADO, dsn.ParseStackExchange,
		} {
			if _, err := parse(s); err != nil {
				if r := leakedRun(err.Error(), pw); r != "" {
					t.Fatalf("error %q of %q holds %q", err, s, r)
				}
			}
		}
		c, err := dsn.Parse(s)
		if err != nil {
			if r := leakedRun(err.Error(), pw); r != "" {
				t.Fatalf("Parse(%q): error %q holds %q", s, err, r)
			}
			return
		}
		if where, r := leakedField(c, pw); r != "" {
			t.Fatalf("Parse(%q): %s holds %q", s, where, r)
		}
		if out := c.RedactParsed(s); leakedRun(out, pw) != "" {
			t.Fatalf("RedactParsed(%q) = %q holds the password", s, out)
		}
	})
}

func isKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.'
}
