package dsn

import (
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
