package dsn_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/dsn"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	// A password with every awkward character, as each format writes it.
	const pw = `p@:/%"\ss wörd€`
	enc := url.QueryEscape(pw)
	cases := []struct{ name, in, want string }{
		{"url", "postgres://u:s3cret@h/db", "postgres://u:xxxxx@h/db"},
		{"url encoded awkward", "postgres://u:" + enc + "@h/db", "postgres://u:xxxxx@h/db"},
		{"url raw @ and /", "postgres://u:p@ss/w@h:5432/db?sslmode=require", "postgres://u:xxxxx@h:5432/db?sslmode=require"},
		{"url query secrets", "postgres://h/db?password=a&sslpassword=b&token=c&api_secret=d&pass=e&pwd=f&user=u",
			"postgres://h/db?password=xxxxx&sslpassword=xxxxx&token=xxxxx&api_secret=xxxxx&pass=xxxxx&pwd=xxxxx&user=u"},
		{"url both userinfo and query", "postgres://u:one@h/db?password=two", "postgres://u:xxxxx@h/db?password=xxxxx"},
		{"url reference kept", "postgres://${DB_USER}:${DB_PASSWORD}@h/db", "postgres://${DB_USER}:${DB_PASSWORD}@h/db"},
		{"url default masked", "postgres://u:${DB_PASSWORD:-hunter2}@h/db", "postgres://u:xxxxx@h/db"},
		{"url empty password", "postgres://u:@h/db", "postgres://u:@h/db"},
		{"redis", "rediss://:secret@cache:6380/0", "rediss://:xxxxx@cache:6380/0"},
		{"kv", `host=h password='it\'s a "secret"' dbname=d`, "host=h password=xxxxx dbname=d"},
		{"kv doubled quote", `host=h password='it''s a pw' dbname=d`, "host=h password=xxxxx dbname=d"},
		{"kv awkward", "host=h password=" + strings.ReplaceAll(strings.ReplaceAll(pw, `\`, `\\`), " ", `\ `) + " dbname=d", "host=h password=xxxxx dbname=d"},
		{"kv spaces", "host=h password = secret dbname=d", "host=h password = xxxxx dbname=d"},
		{"mysql dsn", "user:" + strings.ReplaceAll(pw, " ", "") + "@tcp(h:3306)/db", "user:xxxxx@tcp(h:3306)/db"},
		{"mysql hybrid", "mysql://root:secret@tcp(mysqld:3306)/mysql", "mysql://root:xxxxx@tcp(mysqld:3306)/mysql"},
		{"jdbc props", "jdbc:mysql://h/db?user=u&password=secret&trustStorePassword=ts", "jdbc:mysql://h/db?user=u&password=xxxxx&trustStorePassword=xxxxx"},
		{"jdbc sqlserver braces", "jdbc:sqlserver://h;user=sa;password={a;b}}c};encrypt=true", "jdbc:sqlserver://h;user=sa;password=xxxxx;encrypt=true"},
		{"jdbc oracle", "jdbc:oracle:thin:scott/tiger@//h:1521/ORCL", "jdbc:oracle:thin:scott/xxxxx@//h:1521/ORCL"},
		{"ado", `Server=h;User Id=sa;Password="a;b""c";Encrypt=true`, "Server=h;User Id=sa;Password=xxxxx;Encrypt=true"},
		{"ado pwd", "Server=h;UID=sa;PWD=" + strings.NewReplacer(";", "", `"`, "").Replace(pw) + ";Database=d", "Server=h;UID=sa;PWD=xxxxx;Database=d"},
		{"ado account key", "Server=h;Account Key=abc123;Database=d", "Server=h;Account Key=xxxxx;Database=d"},
		{"unparsable url", "postgres://u:hunter2@[::1/db", "postgres://u:xxxxx@[::1/db"},
		{"unparsable kv", "host=h password='unterminated secret", "host=h password=xxxxx"},
		{"unparsable mysql", "u:hunter2@tcp(h:3306)", "u:xxxxx@tcp(h:3306)"},
		{"not a connection string", "just some text", "just some text"},
		{"free text read as ADO masks to the end", "connect with password=hunter2 now", "connect with password=xxxxx"},
		{"free text with key masks to the end", "connect; with password=hunter2 now", "connect; with password=xxxxx"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := dsn.Redact(tc.in); got != tc.want {
				t.Errorf("Redact(%q)\n got  %q\n want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestRedactTableCases checks that no password of any parser table case
// survives Redact, whether written raw or decoded.
func TestRedactTableCases(t *testing.T) {
	t.Parallel()
	for _, tc := range allCases() {
		c, err := dsn.Parse(tc.in)
		if err != nil || !c.Password.Set || dsn.IsInterpolation(c.Password.Value) {
			continue
		}
		got := dsn.Redact(tc.in)
		if len(c.Password.Raw) >= 4 && strings.Contains(got, c.Password.Raw) {
			t.Errorf("Redact(%q) = %q still holds the raw password %q", tc.in, got, c.Password.Raw)
		}
		if len(c.Password.Value) >= 4 && strings.Contains(got, c.Password.Value) {
			t.Errorf("Redact(%q) = %q still holds the password %q", tc.in, got, c.Password.Value)
		}
	}
}

// TestRedactParsed checks that masking from a parse gives what Redact gives
// on every case Parse reads, and hides every password of the table cases.
func TestRedactParsed(t *testing.T) {
	t.Parallel()
	for _, tc := range allCases() {
		c, err := dsn.Parse(tc.in)
		if err != nil {
			continue
		}
		got := c.RedactParsed(tc.in)
		if !c.Password.Set || dsn.IsInterpolation(c.Password.Value) {
			continue
		}
		for _, secret := range []string{c.Password.Raw, c.Password.Value} {
			if len(secret) >= 4 && strings.Contains(got, secret) {
				t.Errorf("RedactParsed(%q) = %q still holds the password %q", tc.in, got, secret)
			}
		}
	}
}
