package dsn_test

import (
	"testing"

	"github.com/dbguard/dbguard/internal/dsn"
)

func seCases() []parseCase {
	se := func(w want) want { w.format, w.driver = "stackexchange-redis", "redis"; return w }
	return []parseCase{
		{"endpoints and options", "cache1:6380,cache2:6380,password=S3cret-pw,ssl=True,abortConnect=false,defaultDatabase=2",
			se(want{hosts: []string{"cache1:6380", "cache2:6380"}, pass: "S3cret-pw", tls: "True", tlsKey: "ssl", db: "2",
				params: []string{"abortConnect=false"}})},
		{"azure form", "contoso5.redis.cache.windows.net:6380,password=Az9pw=,ssl=True,abortConnect=False",
			se(want{hosts: []string{"contoso5.redis.cache.windows.net:6380"}, pass: "Az9pw=", tls: "True", tlsKey: "ssl",
				params: []string{"abortConnect=False"}})},
		{"host without port and spaces", "localhost , allowAdmin = true , name=orders",
			se(want{hosts: []string{"localhost"}, params: []string{"allowAdmin=true", "name=orders"}})},
		{"acl user", "redis.internal:6379,user=orders,password=pw1234,defaultDatabase=0",
			se(want{hosts: []string{"redis.internal:6379"}, user: "orders", pass: "pw1234", db: "0"})},
		{"sentinel", "sentinel1:26379,sentinel2:26379,serviceName=mymaster,ssl=false",
			se(want{hosts: []string{"sentinel1:26379", "sentinel2:26379"}, tls: "false", tlsKey: "ssl",
				params: []string{"serviceName=mymaster"}})},
		{"ipv6 and empty items", "[::1]:6379,,ssl=true,",
			se(want{hosts: []string{"[::1]:6379"}, tls: "true", tlsKey: "ssl"})},
		{"interpolations", "${REDIS_HOST}:${REDIS_PORT:-6379},password=${REDIS_PASSWORD},ssl=True",
			se(want{hosts: []string{"${REDIS_HOST}:${REDIS_PORT:-6379}"}, pass: "${REDIS_PASSWORD}", tls: "True", tlsKey: "ssl"})},
		{"password with = and quotes closed", `h:1,password='a=b',connectTimeout=5000`,
			se(want{hosts: []string{"h:1"}, pass: "'a=b'", params: []string{"connectTimeout=5000"}})},
		{"command map", "h,$INFO=,$SELECT=use,keepAlive=180",
			se(want{hosts: []string{"h"}, params: []string{"$INFO=''", "$SELECT=use", "keepAlive=180"}})},
		{"port out of range", "h:99999,ssl=true",
			se(want{hosts: []string{"h:99999"}, tls: "true", tlsKey: "ssl", issues: []string{"out of range"}})},
	}
}

func seErrCases() []errCase {
	return []errCase{
		{"empty", " ", 0, "empty"},
		{"no endpoint", "password=x,ssl=true", 0, "no endpoint"},
		{"unknown option", "h:1,sslmode=require", 4, `unknown option "sslmode"`},
		{"endpoint after the password", "h:1,password=ab,cd,ssl=true", 16, "an endpoint follows the password"},
		{"option name after the password", "h:1,password=ab,c=d", 16, "unknown option"},
		{"open quote", `h:1,password="ab,cd",ssl=true`, 13, "unterminated quote"},
		{"not an endpoint", "h:1,a b,ssl=true", 4, "neither an endpoint"},
		{"bad ipv6", "[::1]x,ssl=true", 5, "after IPv6 address"},
	}
}

func TestParseStackExchange(t *testing.T) {
	t.Parallel()
	runParseCases(t, dsn.ParseStackExchange, seCases())
}

func TestParseStackExchangeErrors(t *testing.T) {
	t.Parallel()
	runErrCases(t, "stackexchange-redis", dsn.ParseStackExchange, seErrCases())
}

// TestStackExchangeRedact checks the masks of parsed and malformed
// strings: the option after a password is hidden with it (Redact does not
// know where a value of a malformed string ends), the endpoints are kept.
func TestStackExchangeRedact(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"cache:6380,password=S3cret-pw,ssl=True", "cache:6380,password=xxxxx"},
		{"cache:6380,ssl=True,password=${REDIS_PASSWORD}", "cache:6380,ssl=True,password=${REDIS_PASSWORD}"},
		{"cache:6380,password=ab,cd,ssl=True", "cache:6380,password=xxxxx"},
		{`cache:6380,password="ab,cd",ssl=True`, "cache:6380,password=xxxxx"},
		{"cache:6380,password=p@ss:w,ssl=True", "cache:6380,password=xxxxx"},
	} {
		if got := dsn.Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q)\n got  %q\n want %q", tc.in, got, tc.want)
		}
	}
}

// TestStackExchangeRedactParsed checks that a string that parses keeps the
// options after its password visible: its values end at ','.
func TestStackExchangeRedactParsed(t *testing.T) {
	t.Parallel()
	const in = "cache:6380,password=S3cret-pw,ssl=True,abortConnect=false"
	c, err := dsn.Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.RedactParsed(in), "cache:6380,password=xxxxx,ssl=True,abortConnect=false"; got != want {
		t.Errorf("RedactParsed(%q)\n got  %q\n want %q", in, got, want)
	}
}

func FuzzParseStackExchange(f *testing.F) {
	seed(f, append(inputs(seCases()), errInputs(seErrCases())...))
	f.Fuzz(func(t *testing.T, s string) {
		c, err := dsn.ParseStackExchange(s)
		checkConn(t, s, c, err)
	})
}
