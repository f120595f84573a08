package dsn_test

import (
	"strings"
	"testing"
	"time"

	"github.com/dbguard/dbguard/internal/dsn"
)

func BenchmarkLooks(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"word", "info"},
		{"path", "/var/log/app.log"},
		{"http", "https://example.com/api/v1/health"},
		{"image", "postgres:16-alpine"},
		{"kv-like", "max_connections=100 shared_buffers=1GB"},
		{"url", "postgres://app:s3cret@db.internal:5432/orders?sslmode=verify-full"},
		{"ado", "Server=sqldata;Database=Ordering;User Id=sa;Password=Pass@word;Encrypt=False"},
		{"comma-list", "eu-west-1,us-east-1,region=eu,retries=3"},
		{"stackexchange", "redis0:6380,redis1:6380,password=s3cret,ssl=True,abortConnect=false"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				dsn.Looks(bc.in)
			}
		})
	}
}

func BenchmarkParseURL(b *testing.B) {
	const s = "postgres://app:s3cret@h1.internal:5432,h2.internal:5433/orders?sslmode=verify-full&connect_timeout=5"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dsn.ParseURL(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRedact(b *testing.B) {
	const s = "postgres://app:s3cret@h1.internal:5432/orders?sslmode=verify-full&password=x"
	b.ReportAllocs()
	for b.Loop() {
		dsn.Redact(s)
	}
}

// TestHostileInputIsFast guards against quadratic scans: unterminated
// interpolations and long runs of delimiters must stay cheap.
func TestHostileInputIsFast(t *testing.T) {
	t.Parallel()
	const n = 10000
	for _, s := range []string{
		"postgres://" + strings.Repeat("${", n),
		"host=" + strings.Repeat("{{", n),
		"Server=h;" + strings.Repeat("a=<%;", n),
		"postgres://" + strings.Repeat("@", n),
		"u:" + strings.Repeat("@a", n) + "/db",
		strings.Repeat("$(", n),
		"postgres://h/db?" + strings.Repeat("password=", n),
		"jdbc:oracle:thin:@" + strings.Repeat("(", n),
	} {
		start := time.Now()
		dsn.Parse(s)
		dsn.Redact(s)
		dsn.Looks(s)
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%.20q...: took %v", s, d)
		}
	}
}
