package dsn_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dbguard/dbguard/internal/dsn"
)

// malformedPassword is planted in every malformed case: no 4-character run
// of it is a word that a message or a mask could hold by chance.
const malformedPassword = "Kq7Zx9Wv3J"

// malformedCases are connection strings whose password is cut in the wrong
// place by a stray ';', quote, brace or '#', or whose key lacks its '=':
// what Redact must print, and whether Parse reads the string at all.
func malformedCases() []struct{ name, in, want string } {
	const pw = malformedPassword
	return []struct{ name, in, want string }{
		{"ado stray semicolon", "Server=h;Database=app;Password=" + pw + ";tail;", "Server=h;Database=app;Password=xxxxx"},
		{"ado double-quoted then text", `Server=h;Database=app;Password="` + pw + `"tail;`, "Server=h;Database=app;Password=xxxxx"},
		{"ado single-quoted then text", `Server=h;Database=app;Password='` + pw + `'tail;`, "Server=h;Database=app;Password=xxxxx"},
		{"ado braces then text", "Driver={ODBC Driver 18 for SQL Server};Server=h;Pwd={" + pw + "}tail;Uid=sa", "Driver={ODBC Driver 18 for SQL Server};Server=h;Pwd=xxxxx"},
		{"ado unterminated quote", `Server=h;Password="` + pw + `;Database=app`, "Server=h;Password=xxxxx"},
		{"ado key with a space and no =", "Server=h;Database=app;Password " + pw + ";Encrypt=true", "Server=h;Database=app;Password xxxxx"},
		{"libpq quoted then text", "host=h dbname=app user=app password='" + pw + "'tail", "host=h dbname=app user=app password=xxxxx"},
		{"libpq missing =", "host=h dbname=app password " + pw, "host=h dbname=app password xxxxx"},
		{"libpq unquoted space", "host=h dbname=app password=" + pw[:5] + " " + pw[5:] + " sslmode=require", "host=h dbname=app password=xxxxx"},
		{"libpq unterminated quote", "host=h password='" + pw + " dbname=app", "host=h password=xxxxx"},
		{"jdbc postgres semicolons", "jdbc:postgresql://h/app;user=app;password=" + pw, "jdbc:postgresql://h/app;user=app;password=xxxxx"},
		{"jdbc mysql semicolon", "jdbc:mysql://h:3306/app;password=" + pw + "&useSSL=true", "jdbc:mysql://h:3306/app;password=xxxxx"},
		{"jdbc sqlserver braces then text", "jdbc:sqlserver://h;user=sa;password={" + pw + "}tail;encrypt=true", "jdbc:sqlserver://h;user=sa;password=xxxxx"},
		{"jdbc sqlserver stray semicolon", "jdbc:sqlserver://h;user=sa;password=" + pw + ";tail", "jdbc:sqlserver://h;user=sa;password=xxxxx"},
		{"url semicolon in path", "postgres://h/app;password=" + pw, "postgres://h/app;password=xxxxx"},
		{"url fragment in path", "postgres://h/app#password=" + pw, "postgres://h/app#password=xxxxx"},
		{"url password in user", "postgres://app;password=" + pw + "@h/app", "postgres://app;password=xxxxx"},
		{"url user and password without host", "postgres://app:" + pw + "/app", "postgres://app:xxxxx"},
		{"url password inside a parameter", "postgres://h/app?sslmode=require;password=" + pw, "postgres://h/app?sslmode=require;password=xxxxx"},
		{"mysql dsn semicolon in db", "app@tcp(h:3306)/app;password=" + pw, "app@tcp(h:3306)/app;password=xxxxx"},
		{"stackexchange comma in password", "cache:6380,password=" + pw[:5] + "," + pw[5:] + ",ssl=True", "cache:6380,password=xxxxx"},
		{"stackexchange quoted comma", "cache:6380,password='" + pw[:5] + "," + pw[5:] + "',ssl=True", "cache:6380,password=xxxxx"},
		{"stackexchange stray quote", `cache:6380,password="` + pw + ",ssl=True", "cache:6380,password=xxxxx"},
		{"stackexchange option glued", "cache:6380,password=" + pw + ",abortConnect", "cache:6380,password=xxxxx"},
		{"mysql dsn unclosed address", "app:" + pw + "@tcp(h:3306/app", "app:xxxxx@tcp(h:3306/app"},
	}
}

// TestMalformedMasksConservatively checks the rule for strings that cannot
// be parsed: everything from the password key on is masked, no field holds
// the password, and the error quotes nothing of it.
func TestMalformedMasksConservatively(t *testing.T) {
	t.Parallel()
	for _, tc := range malformedCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := dsn.Redact(tc.in); got != tc.want {
				t.Errorf("Redact(%q)\n got  %q\n want %q", tc.in, got, tc.want)
			}
			c, err := dsn.Parse(tc.in)
			if err == nil {
				t.Fatalf("Parse(%q) reads a malformed string: %v", tc.in, c)
			}
			if r := leakedRun(err.Error(), malformedPassword); r != "" {
				t.Errorf("the error %q holds %q of the password", err, r)
			}
			// Every parser's error is checked: Redact runs them all. Their
			// fields are not: only Parse's reach a profile.
			for _, parse := range []func(string) (*dsn.Conn, error){
				dsn.ParseURL, dsn.ParseKeywordValue, dsn.ParseMySQL, dsn.ParseJDBC, dsn.ParseADO, dsn.ParseStackExchange,
			} {
				if _, err := parse(tc.in); err != nil {
					if r := leakedRun(err.Error(), malformedPassword); r != "" {
						t.Errorf("the error %q holds %q of the password", err, r)
					}
				}
			}
		})
	}
}

// TestQuotedMaskCoversWholeValue checks that the mask of a quoted or braced
// value in a string that parses reaches the closing quote and whatever is
// glued to it.
func TestQuotedMaskCoversWholeValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{`postgres://h/app?password="Kq7Zx"9Wv3J&sslmode=require`, "postgres://h/app?password=xxxxx&sslmode=require"},
		{`postgres://h/app?password='Kq7Zx'9Wv3J`, "postgres://h/app?password=xxxxx"},
		{`postgres://h/app?password={Kq7Zx}9Wv3J&x=1`, "postgres://h/app?password=xxxxx&x=1"},
		{`Server=h;Password="Kq7""Zx9Wv3J";Encrypt=true`, "Server=h;Password=xxxxx;Encrypt=true"},
	} {
		if got := dsn.Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q)\n got  %q\n want %q", tc.in, got, tc.want)
		}
	}
}

// TestErrorQuotesBeforeSecretOnly checks that a syntax error still names
// the keyword it is about when that keyword stands before any password.
func TestErrorQuotesBeforeSecretOnly(t *testing.T) {
	t.Parallel()
	_, err := dsn.Parse("Server=h;Databse;Password=x")
	if err == nil || !strings.Contains(err.Error(), `"Databse"`) {
		t.Errorf("error %v does not name the keyword before the password", err)
	}
	_, err = dsn.Parse("Server=h;Password=x;Databse;")
	if err == nil || strings.Contains(err.Error(), "Databse") {
		t.Errorf("error %v quotes text after the password", err)
	}
}

// leakedRun returns the first run of 4 or more characters of secret found
// in s, or "".
func leakedRun(s, secret string) string {
	rs := []rune(secret)
	for i := 0; i+4 <= len(rs); i++ {
		if run := string(rs[i : i+4]); strings.Contains(s, run) {
			return run
		}
	}
	return ""
}

// leakedField returns where c, as it prints itself (JSON and String,
// which mask the password and secret-like parameters), holds a run of 4 or
// more characters of secret, and the run: a field other than a secret that
// holds the password.
func leakedField(c *dsn.Conn, secret string) (string, string) {
	js, err := json.Marshal(c)
	if err != nil {
		return "JSON", err.Error()
	}
	if r := leakedRun(string(js), secret); r != "" {
		return "JSON " + string(js), r
	}
	if r := leakedRun(c.String(), secret); r != "" {
		return "String() " + c.String(), r
	}
	return "", ""
}
