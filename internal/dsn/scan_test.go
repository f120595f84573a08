package dsn

import (
	"reflect"
	"strings"
	"testing"
)

// The scans of scan.go take a byte-search shortcut when a range holds no
// interpolation opener; these references are the scans without it.

func indexOutRef(s string, i, lim int, set string) int {
	for j := i; j < lim; j++ {
		c := s[j]
		if maybeInterp(c) {
			if e := interpEnd(s, j, lim); e > 0 {
				j = e - 1
				continue
			}
		}
		for k := 0; k < len(set); k++ {
			if set[k] == c {
				return j
			}
		}
	}
	return -1
}

func indexOutNestedRef(s string, i, lim int, set string) int {
	depth := 0
	for j := i; j < lim; j++ {
		c := s[j]
		if maybeInterp(c) {
			if e := interpEnd(s, j, lim); e > 0 {
				j = e - 1
				continue
			}
		}
		switch {
		case c == '[' || c == '(':
			depth++
		case (c == ']' || c == ')') && depth > 0:
			depth--
		case depth == 0 && strings.IndexByte(set, c) >= 0:
			return j
		}
	}
	return -1
}

func lastIndexOutRef(s string, i, lim int, c byte) int {
	last := -1
	for j := i; j < lim; j++ {
		if maybeInterp(s[j]) {
			if e := interpEnd(s, j, lim); e > 0 {
				j = e - 1
				continue
			}
		}
		if s[j] == c {
			last = j
		}
	}
	return last
}

func countOutRef(s string, i, lim int, c byte) int {
	n := 0
	for j := i; j < lim; j++ {
		if maybeInterp(s[j]) {
			if e := interpEnd(s, j, lim); e > 0 {
				j = e - 1
				continue
			}
		}
		if s[j] == c {
			n++
		}
	}
	return n
}

func FuzzScansMatchReference(f *testing.F) {
	for _, s := range []string{"postgres://u:p@h:5432/d?sslmode=require", "mysql://${U}:${P:-a@b}@h/d", "a{{ x:y }}:b", "h1,[::1]:5,(x,y)/d?a=b", "h/d?x", "]/x", "<%= ENV['X'] %>@h", "", "@", "::"} {
		f.Add(s, 0, len(s))
	}
	f.Fuzz(func(t *testing.T, s string, i, lim int) {
		if i < 0 || lim > len(s) || i > lim {
			return
		}
		for _, c := range []byte{':', '@', '/', '?', '='} {
			if got, want := indexOut(s, i, lim, string(c)), indexOutRef(s, i, lim, string(c)); got != want {
				t.Errorf("indexOut(%q, %d, %d, %q) = %d, want %d", s, i, lim, c, got, want)
			}
			if got, want := lastIndexOut(s, i, lim, c), lastIndexOutRef(s, i, lim, c); got != want {
				t.Errorf("lastIndexOut(%q, %d, %d, %q) = %d, want %d", s, i, lim, c, got, want)
			}
			if got, want := countOut(s, i, lim, c), countOutRef(s, i, lim, c); got != want {
				t.Errorf("countOut(%q, %d, %d, %q) = %d, want %d", s, i, lim, c, got, want)
			}
		}
		for _, set := range []string{"/?", ",", ";& "} {
			if got, want := indexOutNested(s, i, lim, set), indexOutNestedRef(s, i, lim, set); got != want {
				t.Errorf("indexOutNested(%q, %d, %d, %q) = %d, want %d", s, i, lim, set, got, want)
			}
		}
		if got, want := indexOut(s, i, lim, ";& "), indexOutRef(s, i, lim, ";& "); got != want {
			t.Errorf("indexOut(%q, %d, %d, set) = %d, want %d", s, i, lim, got, want)
		}
	})
}

func TestNormKeyUnchangedWhenNormal(t *testing.T) {
	for _, k := range []string{"", "sslmode", "SSLMode", "ssl_mode", "ssl-mode", "ssl mode", "a.b", "tab\tkey", "ключ", "Пароль"} {
		var want []byte
		for i := 0; i < len(k); i++ {
			switch c := k[i]; {
			case c == ' ' || c == '_' || c == '-' || c == '.' || c == '\t':
			case c >= 'A' && c <= 'Z':
				want = append(want, c+'a'-'A')
			default:
				want = append(want, c)
			}
		}
		if got := normKey(k); got != string(want) {
			t.Errorf("normKey(%q) = %q, want %q", k, got, want)
		}
	}
}

// normalConn is c with empty slices made nil, for comparing a Conn a
// Parser reused with a fresh one.
func normalConn(c *Conn) *Conn {
	if c == nil {
		return nil
	}
	n := *c
	if len(n.Hosts) == 0 {
		n.Hosts = nil
	}
	if len(n.Params) == 0 {
		n.Params = nil
	}
	if len(n.Issues) == 0 {
		n.Issues = nil
	}
	if len(n.secrets) == 0 {
		n.secrets = nil
	}
	return &n
}

func TestParserMatchesParse(t *testing.T) {
	inputs := []string{
		"postgres://u:p@h1:5432,h2/db?sslmode=require&application_name=x",
		"host=a port=5432 dbname=d password=secret",
		"jdbc:postgresql://h/db?ssl=true",
		"jdbc:sqlserver://h\\inst:1433;databaseName=d;encrypt=true",
		"jdbc:oracle:thin:u/p@h:1521/svc",
		"jdbc:h2:tcp://h/~/db;USER=sa",
		"jdbc:sqlite:/tmp/x.db?mode=ro",
		"Server=h,1433;Database=d;User Id=sa;Password=p;Encrypt=false",
		"u:p@tcp(h:3306)/d?tls=true&timeout=5s",
		"mysql://u@unix(/tmp/s)/d",
		"redis://h:6379/0",
		"rediss://:p@h:6380",
		"sqlite:///tmp/x.db",
		"not a dsn",
		"postgres://h:99999/db",
		"",
	}
	var p Parser
	for round := 0; round < 2; round++ {
		for _, s := range inputs {
			want, werr := Parse(s)
			got, gerr := p.Parse(s)
			if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
				t.Fatalf("Parser.Parse(%q) error %v, Parse error %v", s, gerr, werr)
			}
			if werr != nil {
				continue
			}
			if g, w := normalConn(got), normalConn(want); !reflect.DeepEqual(g, w) {
				t.Errorf("Parser.Parse(%q) = %+v\nParse = %+v", s, g, w)
			}
			if got.RedactParsed(s) != want.RedactParsed(s) {
				t.Errorf("Parser.Parse(%q): RedactParsed differs", s)
			}
		}
	}
}

func FuzzParserMatchesParse(f *testing.F) {
	for _, s := range []string{"postgres://u:p@h/db?a=b", "host=a password=b", "u:p@tcp(h)/d", "jdbc:mysql://h/d", "Server=h;Password=x"} {
		f.Add(s)
	}
	var p Parser
	f.Fuzz(func(t *testing.T, s string) {
		// A string with hosts, parameters and secrets first, so that
		// s is parsed into memory that held them.
		if _, err := p.Parse("postgres://u:p@h1,h2:5/db?sslmode=require&password=x&port=99999"); err != nil {
			t.Fatal(err)
		}
		want, werr := Parse(s)
		got, gerr := p.Parse(s)
		if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
			t.Fatalf("Parser.Parse(%q) error %v, Parse error %v", s, gerr, werr)
		}
		if werr == nil && !reflect.DeepEqual(normalConn(got), normalConn(want)) {
			t.Errorf("Parser.Parse(%q) = %+v\nParse = %+v", s, normalConn(got), normalConn(want))
		}
	})
}
